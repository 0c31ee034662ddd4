//! Regression tests for what real kernels, real layouts and an adversary broke (issue 11),
//! each run the way it was found: services that call `setsid`, service directories made
//! in place by a script, Debian's dangling `supervise` links, a supervise killed under a
//! service that changed its uid, and hostile files planted where supervise, svscan,
//! svstat, svok and envdir expect their own.

use dt_tests::service::{
    ServiceDir, Supervise, kill, parent_of, process_state, wait_until, write_script,
};
use dt_tests::{Program, host, ours};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn tool(name: &str) -> Program {
    ours(&host(), name)
}

fn svstat(dir: &Path) -> String {
    let out = tool("svstat").run(&[dir.to_str().unwrap()], &[], b"");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn svc(flags: &str, dir: &Path) {
    let out = tool("svc").run(&[flags, dir.to_str().unwrap()], &[], b"");
    assert_eq!(out.code, Some(0), "svc {flags}: {}", out.stderr_text());
}

/// Children of `pid` that are zombies.
fn zombies_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| parent_of(p) == Some(pid) && process_state(p) == Some('Z'))
        .collect()
}

// ---- 2. children outside supervise's process group ----

#[test]
fn a_setsid_service_that_exits_is_reaped_and_restarted() {
    let dir = ServiceDir::new("setsid-exit", None);
    let pgrphack = tool("pgrphack").path;
    dir.write_run(
        &format!(
            "#!/bin/sh\necho . >> starts\nexec {} sh -c 'exit 1'\n",
            pgrphack.display()
        ),
        0o755,
    );
    let sup = Supervise::start(&tool("supervise"), &dir);
    wait_until("three starts", Duration::from_secs(10), || {
        dir.starts() >= 3
    });
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        zombies_of(sup.pid()).is_empty(),
        "zombies under supervise: {:?}",
        zombies_of(sup.pid())
    );
}

#[test]
fn a_setsid_service_goes_down_and_supervise_exits() {
    let dir = ServiceDir::new("setsid-down", None);
    let pgrphack = tool("pgrphack").path;
    dir.write_run(
        &format!("#!/bin/sh\nexec {} sleep 100\n", pgrphack.display()),
        0o755,
    );
    let mut sup = Supervise::start(&tool("supervise"), &dir);
    wait_until("up", Duration::from_secs(10), || {
        svstat(&dir.path).contains(": up (pid ")
    });
    svc("-d", &dir.path);
    wait_until("down", Duration::from_secs(5), || {
        svstat(&dir.path).contains(": down ")
    });
    svc("-x", &dir.path);
    assert_eq!(sup.wait_exit(), Some(0));
}

/// svscan with one service (run given), PATH with our tools; killed when dropped.
struct Scan {
    dir: ServiceDir,
    child: Child,
}

impl Scan {
    fn start(tag: &str, prepare: impl FnOnce(&Path)) -> Scan {
        let dir = ServiceDir::new(tag, None);
        prepare(&dir.path);
        let path = format!(
            "{}:/usr/bin:/bin",
            dt_tests::dist_dir(&host().triple).display()
        );
        let child = tool("svscan")
            .command(&[dir.arg()], &[("PATH", &path)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("svscan");
        Scan { dir, child }
    }

    fn service(&self, name: &str) -> PathBuf {
        self.dir.path.join(name)
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let mut code = None;
        wait_until("svscan to exit", limit, || {
            code = self.child.try_wait().unwrap().map(|s| s.code());
            code.is_some()
        });
        code.flatten()
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for entry in std::fs::read_dir(&self.dir.path)
            .into_iter()
            .flatten()
            .flatten()
        {
            for d in [entry.path(), entry.path().join("log")] {
                let _ = tool("svc").run(&["-dx", d.to_str().unwrap()], &[], b"");
            }
        }
    }
}

fn up(dir: &Path) -> bool {
    svstat(dir).contains(": up (pid ")
}

#[test]
fn svscan_term_stops_a_setsid_service_at_once() {
    let pgrphack = tool("pgrphack").path;
    let mut scan = Scan::start("setsid-term", |d| {
        std::fs::create_dir(d.join("s")).unwrap();
        write_script(
            &d.join("s/run"),
            &format!("#!/bin/sh\nexec {} sleep 100\n", pgrphack.display()),
        );
    });
    let service = scan.service("s");
    wait_until("s up", Duration::from_secs(10), || up(&service));
    kill(scan.child.id(), libc::SIGTERM);
    let start = Instant::now();
    assert_eq!(scan.wait_exit(Duration::from_secs(20)), Some(0));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "svscan took {:?} to stop (it waits 10 s for a supervise it cannot reap)",
        start.elapsed()
    );
    assert_eq!(
        tool("svok")
            .run(&[service.to_str().unwrap()], &[], b"")
            .code,
        Some(100),
        "supervise left behind"
    );
}

#[test]
fn svscan_as_process_1_reaps_setsid_orphans() {
    if !dt_tests::root_or_skip(
        "svscan_as_process_1_reaps_setsid_orphans",
        "unshare a pid namespace",
    ) {
        return;
    }
    let dir = ServiceDir::new("setsid-pid1", None);
    std::fs::create_dir(dir.path.join("o")).unwrap();
    write_script(
        &dir.path.join("o/run"),
        "#!/bin/sh\n( setsid sleep 0.2 & )\n( setsid sh -c 'sleep 0.1 & exec sleep 0.3' & )\nexec sleep 1000\n",
    );
    let path = format!(
        "{}:/usr/bin:/bin",
        dt_tests::dist_dir(&host().triple).display()
    );
    let mut unshare = Command::new("unshare")
        .args([
            "--fork",
            "--pid",
            "--mount-proc",
            "env",
            &format!("PATH={path}"),
        ])
        .arg(tool("svscan").path)
        .arg(dir.arg())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unshare (util-linux) as root");
    let service = dir.path.join("o");
    wait_until("o up", Duration::from_secs(10), || up(&service));
    let pid1 = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", unshare.id()))
        .unwrap()
        .trim()
        .parse::<u32>()
        .expect("svscan's pid");
    std::thread::sleep(Duration::from_millis(900));
    let zombies = zombies_of(pid1);
    kill(pid1, libc::SIGTERM);
    wait_until("unshare to exit", Duration::from_secs(15), || {
        unshare.try_wait().unwrap().is_some()
    });
    assert!(zombies.is_empty(), "zombies under process 1: {zombies:?}");
}

// ---- 3. a service directory made in place keeps its logger ----

/// Makes service `x` in `scan` with `script` (sh, in the scan directory), then checks
/// that the service's line reaches its logger.
fn made_in_place(tag: &str, script: &str) {
    let scan = Scan::start(tag, |_| {});
    std::thread::sleep(Duration::from_millis(200)); // svscan watches the directory
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&scan.dir.path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = scan.service("x/log.txt");
    wait_until(
        &format!("the logger of a directory made as `{script}` to get the line"),
        Duration::from_secs(10),
        || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("hello")),
    );
    // supervise writes the status once fork returns to it: the logger it started may
    // have passed the line on before that.
    wait_until("x/log up", Duration::from_secs(2), || {
        up(&scan.service("x/log"))
    });
}

const RUN: &str = "printf '#!/bin/sh\\necho hello\\nexec sleep 1000\\n' > x/run";
const LOG_RUN: &str = "printf '#!/bin/sh\\nexec cat >> ../log.txt\\n' > x/log/run";

#[test]
fn made_in_place_log_first() {
    made_in_place(
        "inplace-a",
        &format!("mkdir -p x/log && {LOG_RUN} && chmod +x x/log/run && {RUN} && chmod +x x/run"),
    );
}

#[test]
fn made_in_place_run_first_log_later() {
    made_in_place(
        "inplace-b",
        &format!(
            "mkdir x && {RUN} && chmod +x x/run && sleep 0.3 && mkdir x/log && {LOG_RUN} && sleep 0.2 && chmod +x x/log/run"
        ),
    );
}

#[test]
fn made_in_place_chmod_last() {
    made_in_place(
        "inplace-c",
        &format!(
            "mkdir x && {RUN} && mkdir x/log && {LOG_RUN} && sleep 0.4 && chmod +x x/run x/log/run"
        ),
    );
}

#[test]
fn a_linked_complete_directory_starts_at_once() {
    let scan = Scan::start("linked", |_| {});
    let target = scan.dir.path.with_extension("target");
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(target.join("log")).unwrap();
    write_script(
        &target.join("run"),
        "#!/bin/sh\necho hello\nexec sleep 1000\n",
    );
    write_script(
        &target.join("log/run"),
        "#!/bin/sh\nexec cat >> ../log.txt\n",
    );
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    std::os::unix::fs::symlink(&target, scan.service("x")).unwrap();
    let ok = target.join("supervise/ok");
    wait_until("supervise for the link", Duration::from_secs(5), || {
        ok.exists()
    });
    let took = start.elapsed();
    eprintln!("linked-in service supervised after {took:?}");
    assert!(
        took < Duration::from_millis(500),
        "took {took:?}: the link was held back"
    );
    wait_until("its line logged", Duration::from_secs(5), || {
        std::fs::read_to_string(target.join("log.txt")).is_ok_and(|t| t.contains("hello"))
    });
    drop(scan);
    for d in [target.clone(), target.join("log")] {
        let _ = tool("svc").run(&["-dx", d.to_str().unwrap()], &[], b"");
    }
}

#[test]
fn directories_made_in_place_before_svscan_starts_at_once() {
    // As an initramfs unpacks /service just before the kernel starts svscan: made in
    // place a moment before svscan runs, complete when it first looks, so no settling.
    let start = Instant::now();
    let scan = Scan::start("madebefore", |dir| {
        let service = dir.join("x");
        std::fs::create_dir_all(service.join("log")).unwrap();
        write_script(
            &service.join("run"),
            "#!/bin/sh\necho hello\nexec sleep 1000\n",
        );
        write_script(
            &service.join("log/run"),
            "#!/bin/sh\nexec cat >> ../log.txt\n",
        );
        // A few clock ticks: the kernel stamps files with a coarse clock, and a change in
        // the very tick of the first scan is taken as still being made.
        std::thread::sleep(Duration::from_millis(30));
    });
    let service = scan.service("x");
    wait_until("supervise for x", Duration::from_secs(5), || {
        service.join("supervise/ok").exists()
    });
    let took = start.elapsed();
    eprintln!("made in place before svscan: supervised after {took:?}");
    assert!(
        took < Duration::from_millis(700),
        "took {took:?}: held back as if still being made"
    );
    wait_until("its line logged", Duration::from_secs(5), || {
        std::fs::read_to_string(service.join("log.txt")).is_ok_and(|t| t.contains("hello"))
    });
    drop(scan);
    for d in [service.clone(), service.join("log")] {
        let _ = tool("svc").run(&["-dx", d.to_str().unwrap()], &[], b"");
    }
}

// ---- 4. Debian's dangling supervise link ----

#[test]
fn a_dangling_supervise_link_gets_its_target_made() {
    let dir = ServiceDir::new("dangling", Some("#!/bin/sh\nexec sleep 1000\n"));
    let state = dir.path.with_extension("var");
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir(&state).unwrap();
    let target = state.join("NAME");
    std::os::unix::fs::symlink(&target, dir.path.join("supervise")).unwrap();
    let _sup = Supervise::start(&tool("supervise"), &dir);
    wait_until("up through the link", Duration::from_secs(10), || {
        up(&dir.path)
    });
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o700);
    assert!(target.join("status").is_file() && target.join("lock").is_file());
}

// ---- 5. a supervise killed under a service that changed its uid ----

#[test]
fn setuidgid_keeps_the_parent_death_signal() {
    if !dt_tests::root_or_skip("setuidgid_keeps_the_parent_death_signal", "change uid") {
        return;
    }
    let setuidgid = tool("setuidgid").path;
    let dir = ServiceDir::new(
        "pdeath",
        Some(&format!(
            "#!/bin/sh\nexec {} nobody sleep 1000\n",
            setuidgid.display()
        )),
    );
    let sup = Supervise::start(&tool("supervise"), &dir);
    let mut pid = None;
    wait_until("the service as nobody", Duration::from_secs(10), || {
        pid = dir
            .pid()
            .filter(|p| dt_tests::service::command_line(*p).starts_with("sleep"));
        pid.is_some()
    });
    let pid = pid.unwrap();
    kill(sup.pid(), libc::SIGKILL);
    wait_until(
        "the service to get TERM when its supervise died",
        Duration::from_secs(5),
        || !Path::new(&format!("/proc/{pid}")).exists() || process_state(pid) == Some('Z'),
    );
}

// ---- 6. hostile files ----

#[test]
fn supervise_never_writes_through_a_lock_link() {
    let dir = ServiceDir::new("locklink", Some("#!/bin/sh\nexec sleep 1000\n"));
    let victim = dir.path.with_extension("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::create_dir(dir.path.join("supervise")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path.join("supervise/lock")).unwrap();
    let mut sup = Supervise::start(&tool("supervise"), &dir);
    assert_eq!(sup.wait_exit(), Some(111));
    assert!(
        sup.stderr().contains("unable to acquire"),
        "{}",
        sup.stderr()
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn supervise_never_truncates_a_lock_with_another_name() {
    let dir = ServiceDir::new("lockhard", Some("#!/bin/sh\nexec sleep 1000\n"));
    let victim = dir.path.with_extension("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::create_dir(dir.path.join("supervise")).unwrap();
    std::fs::hard_link(&victim, dir.path.join("supervise/lock")).unwrap();
    let _sup = Supervise::start(&tool("supervise"), &dir);
    wait_until("up", Duration::from_secs(10), || up(&dir.path));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

/// Runs `program args` with a time limit; its exit code and stderr.
fn run_limited(program: &Program, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = program
        .command(args, env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} {args:?} hangs", program.label);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) reads one C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn fifos_where_files_belong_never_block() {
    // supervise/lock
    let dir = ServiceDir::new("fifolock", Some("#!/bin/sh\nexec sleep 1000\n"));
    std::fs::create_dir(dir.path.join("supervise")).unwrap();
    mkfifo(&dir.path.join("supervise/lock"));
    let (code, err) = run_limited(&tool("supervise"), &[dir.arg()], &[]);
    assert_eq!(code, Some(111), "{err}");
    assert!(err.contains("supervise/lock: not a regular file"), "{err}");
    // supervise/status.new: replaced, the service runs
    let dir = ServiceDir::new("fifostatus", Some("#!/bin/sh\nexec sleep 1000\n"));
    std::fs::create_dir(dir.path.join("supervise")).unwrap();
    mkfifo(&dir.path.join("supervise/status.new"));
    let _sup = Supervise::start(&tool("supervise"), &dir);
    wait_until(
        "up despite a FIFO at status.new",
        Duration::from_secs(10),
        || up(&dir.path),
    );
    // svstat with a FIFO as status (and a FIFO at ok with a reader: "running")
    let dir = ServiceDir::new("fifosvstat", None);
    std::fs::create_dir(dir.path.join("supervise")).unwrap();
    mkfifo(&dir.path.join("supervise/status"));
    mkfifo(&dir.path.join("supervise/ok"));
    let _reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.path.join("supervise/ok"))
        .unwrap();
    let (code, err) = run_limited(&tool("svstat"), &[dir.arg()], &[]);
    assert_eq!(code, Some(0), "{err}");
    // an envdir entry
    let env = ServiceDir::new("fifoenv", None);
    mkfifo(&env.path.join("VAR"));
    let (code, err) = run_limited(&tool("envdir"), &[env.arg(), "true"], &[]);
    assert_eq!(code, Some(111), "{err}");
    assert!(err.contains("VAR: not a regular file"), "{err}");
}

#[test]
fn svscan_is_not_blocked_by_a_fifo_lock_and_starts_later_services() {
    let scan = Scan::start("fifoscan", |d| {
        std::fs::create_dir_all(d.join("a/log/supervise")).unwrap();
        write_script(&d.join("a/run"), "#!/bin/sh\nexec sleep 1000\n");
        write_script(&d.join("a/log/run"), "#!/bin/sh\nexec cat > /dev/null\n");
        mkfifo(&d.join("a/log/supervise/lock"));
        for name in ["b", "c"] {
            std::fs::create_dir(d.join(name)).unwrap();
            write_script(&d.join(name).join("run"), "#!/bin/sh\nexec sleep 1000\n");
        }
    });
    for name in ["a", "b", "c"] {
        let service = scan.service(name);
        wait_until(&format!("{name} up"), Duration::from_secs(10), || {
            up(&service)
        });
    }
}

#[test]
fn svscan_starts_a_service_whose_ok_is_a_regular_file() {
    let scan = Scan::start("plainok", |d| {
        std::fs::create_dir_all(d.join("r/supervise")).unwrap();
        write_script(&d.join("r/run"), "#!/bin/sh\nexec sleep 1000\n");
        for name in ["ok", "control", "status", "lock"] {
            std::fs::write(d.join("r/supervise").join(name), "").unwrap();
        }
    });
    let service = scan.service("r");
    wait_until("r up", Duration::from_secs(10), || up(&service));
    svc("-d", &service);
    wait_until("r down through its control", Duration::from_secs(5), || {
        svstat(&service).contains(": down ")
    });
}

#[test]
fn standard_descriptors_closed() {
    // supervise with 0-2 closed must not read its own messages as commands: with no
    // `run` yet, "unable to start DIR/run: file does not exist" is written each second
    // (its `d`, `x`, `t` ... would stop the service and supervise).
    let dir = ServiceDir::new("closedfds", None);
    let script = format!(
        "exec {} {} <&- >&- 2>&-",
        tool("supervise").path.display(),
        dir.arg()
    );
    let mut sh = Command::new("sh").arg("-c").arg(&script).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    dir.write_run("#!/bin/sh\nexec sleep 1000\n", 0o755);
    wait_until("up", Duration::from_secs(10), || up(&dir.path));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(up(&dir.path), "the service stopped: {}", svstat(&dir.path));
    assert!(sh.try_wait().unwrap().is_none(), "supervise exited");
    svc("-dx", &dir.path);
    wait_until("supervise to exit", Duration::from_secs(5), || {
        sh.try_wait().unwrap().is_some()
    });
    // Every other tool's messages still come out somewhere harmless: no crash, same code.
    let (code, _) = run_limited(&tool("svok"), &[dir.arg()], &[]);
    assert_eq!(code, Some(100));
}

#[test]
fn svok_never_succeeds_before_the_status_exists() {
    let supervise = tool("supervise");
    for round in 0..30 {
        let dir = ServiceDir::new(
            &format!("svokrace{round}"),
            Some("#!/bin/sh\nexec sleep 1000\n"),
        );
        let _sup = Supervise::start(&supervise, &dir);
        while tool("svok").run(&[dir.arg()], &[], b"").code != Some(0) {}
        assert!(
            dir.path.join("supervise/status").exists(),
            "round {round}: svok succeeded before supervise/status existed"
        );
    }
}
