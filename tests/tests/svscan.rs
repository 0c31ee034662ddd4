//! svscan (and readproctitle): services and their loggers started, new ones picked up
//! through inotify, vanished ones left alone, a dead supervise restarted; ours with the
//! original supervise and the original with ours; bad input as the original.

use dt_tests::service::{ServiceDir, descriptors, kill, wait_until, write_script};
use dt_tests::{Program, full_targets, host, original, ours};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A scan directory with services, and a directory whose `supervise` is the one wanted.
struct Scan {
    dir: ServiceDir,
    bin: PathBuf,
}

impl Scan {
    fn new(tag: &str, supervise: &Program) -> Scan {
        let dir = ServiceDir::new(tag, None);
        let bin = dir.path.with_extension("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(&supervise.path, bin.join("supervise")).unwrap();
        Scan { dir, bin }
    }

    /// Adds a service `name` whose run prints `line` then sleeps; with a logger that
    /// appends what it reads to `name.log` beside the scan directory's services.
    fn add(&self, name: &str, line: &str, with_log: bool) -> PathBuf {
        let service = self.dir.file(name);
        std::fs::create_dir_all(&service).unwrap();
        write_script(
            &service.join("run"),
            &format!("#!/bin/sh\necho {line}\nexec sleep 1000\n"),
        );
        if with_log {
            std::fs::create_dir_all(service.join("log")).unwrap();
            write_script(
                &service.join("log/run"),
                "#!/bin/sh\nexec cat >> ../log.txt\n",
            );
        }
        service
    }

    fn start(&self, svscan: &Program) -> Running {
        let path = format!("{}:/usr/bin:/bin", self.bin.display());
        let child = svscan
            .command(&[self.dir.arg()], &[("PATH", &path)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path.with_extension("err")).unwrap())
            .spawn()
            .expect("start svscan");
        Running {
            child,
            scan: self.dir.path.clone(),
        }
    }
}

/// A running svscan; dropping it stops every supervise below it and their services.
struct Running {
    child: Child,
    scan: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for service in std::fs::read_dir(&self.scan)
            .into_iter()
            .flatten()
            .flatten()
        {
            for dir in [service.path(), service.path().join("log")] {
                let _ = original("svc")
                    .command(&["-dx", dir.to_str().unwrap()], &[])
                    .output();
            }
        }
    }
}

fn up(service: &Path) -> bool {
    let out = original("svstat")
        .run(&[service.to_str().unwrap()], &[], b"")
        .stdout;
    String::from_utf8_lossy(&out).contains(": up (pid ")
}

fn wait_up(service: &Path) {
    wait_until(
        &format!("{} up", service.display()),
        Duration::from_secs(15),
        || up(service),
    );
}

fn log_of(service: &Path) -> String {
    std::fs::read_to_string(service.join("log.txt")).unwrap_or_default()
}

/// Services with and without a log come up, dot directories are skipped, output reaches
/// the logger, and a symlinked new service is started well before the periodic scan.
fn scans(svscan: &Program, supervise: &Program, tag: &str) {
    let scan = Scan::new(tag, supervise);
    let plain = scan.add("plain", "plain-started", false);
    let logged = scan.add("logged", "logged-started", true);
    let hidden = scan.add(".hidden", "hidden", false);
    let _running = scan.start(svscan);
    wait_up(&plain);
    wait_up(&logged);
    wait_up(&logged.join("log"));
    wait_until(
        "the service's output in its log",
        Duration::from_secs(10),
        || log_of(&logged) == "logged-started\n",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !hidden.join("supervise").exists(),
        "a dot directory was started"
    );

    // A new service elsewhere, linked in: picked up at once through inotify.
    let elsewhere = ServiceDir::new(&format!("{tag}-new"), Some("#!/bin/sh\nexec sleep 1000\n"));
    let linked = scan.dir.file("linked");
    let t0 = Instant::now();
    std::os::unix::fs::symlink(&elsewhere.path, &linked).unwrap();
    wait_up(&linked);
    assert!(
        t0.elapsed() < Duration::from_millis(2500),
        "pickup took {:?}",
        t0.elapsed()
    );
    let _ = original("svc")
        .command(&["-dx", linked.to_str().unwrap()], &[])
        .output();
}

#[test]
fn our_svscan_on_full_targets() {
    for target in full_targets() {
        // Under qemu, svscan runs the host's supervise (qemu-user runs host programs).
        scans(
            &ours(&target, "svscan"),
            &ours(&host(), "supervise"),
            &format!("scan-{}", target.triple),
        );
    }
}

#[test]
fn our_svscan_with_the_original_supervise() {
    scans(
        &ours(&host(), "svscan"),
        &original("supervise"),
        "scan-orig-supervise",
    );
}

#[test]
fn the_original_svscan_with_our_supervise() {
    // The original picks new services up only every 5 s: give it the time.
    let scan = Scan::new("orig-svscan", &ours(&host(), "supervise"));
    let logged = scan.add("logged", "logged-started", true);
    let _running = scan.start(&original("svscan"));
    wait_up(&logged);
    wait_up(&logged.join("log"));
    wait_until(
        "the service's output in its log",
        Duration::from_secs(10),
        || log_of(&logged) == "logged-started\n",
    );
}

#[test]
fn a_dead_supervise_is_restarted_and_a_vanished_service_left_alone() {
    let scan = Scan::new("restart", &ours(&host(), "supervise"));
    let kept = scan.add("kept", "kept", false);
    let gone = scan.add("gone", "gone", false);
    let _running = scan.start(&ours(&host(), "svscan"));
    wait_up(&kept);
    wait_up(&gone);
    let child_of = |service: &Path| -> u32 {
        let status = std::fs::read(service.join("supervise/status")).unwrap_or_default();
        dt_core::status::Status::unpack(&status)
            .and_then(|s| s.pid)
            .expect("child pid")
    };
    let supervise_of =
        |service: &Path| dt_tests::service::parent_of(child_of(service)).expect("supervise");
    let (kept_child, gone_child) = (child_of(&kept), child_of(&gone));
    let kept_supervise = supervise_of(&kept);
    let gone_supervise = supervise_of(&gone);
    // Directory removed while running: its supervise goes on, but is not restarted.
    let moved = scan.dir.path.with_extension("gone");
    std::fs::rename(&gone, &moved).unwrap();
    kill(kept_supervise, libc::SIGKILL);
    kill(gone_supervise, libc::SIGKILL);
    wait_until(
        "kept restarted by the periodic scan",
        Duration::from_secs(12),
        || up(&kept) && supervise_of(&kept) != kept_supervise,
    );
    assert!(!scan.dir.file("gone").exists());
    // The children of the killed supervise processes got TERM (their parent-death
    // signal): the gone one's ends with it, though its directory is no longer scanned.
    wait_until("the orphans gone", Duration::from_secs(5), || {
        [kept_child, gone_child]
            .iter()
            .all(|&p| dt_tests::service::process_state(p).is_none_or(|s| s == 'Z'))
    });
    let _ = std::fs::remove_dir_all(&moved);
}

#[test]
fn bad_scan_directories_as_the_original() {
    let file = ServiceDir::new("scanfile", None);
    let plain = file.file("plain");
    std::fs::write(&plain, b"").unwrap();
    for arg in ["/nonexistent/scan", plain.to_str().unwrap()] {
        let (a, b) = (
            ours(&host(), "svscan").run(&[arg], &[], b""),
            original("svscan").run(&[arg], &[], b""),
        );
        assert_eq!(
            (a.code, a.stderr_text()),
            (b.code, b.stderr_text()),
            "{arg}"
        );
        assert_eq!(a.code, Some(111));
    }
}

#[test]
fn readproctitle_as_the_original() {
    for args in [&[][..], &["x"], &["x", "...."]] {
        let (a, b) = (
            ours(&host(), "readproctitle").run(args, &[], b""),
            original("readproctitle").run(args, &[], b""),
        );
        assert_eq!((a.code, b.code), (Some(100), Some(100)), "{args:?}");
    }
    for program in [ours(&host(), "readproctitle"), original("readproctitle")] {
        let mut child = program
            .command(&["service", "errors:", ".........."], &[])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"hello\nworld").unwrap();
        stdin.flush().unwrap();
        let cmdline = format!("/proc/{}/cmdline", child.id());
        wait_until("the title", Duration::from_secs(5), || {
            std::fs::read(&cmdline)
                .unwrap_or_default()
                .ends_with(b"errors:\0...o\nworld\0")
        });
        drop(stdin);
        assert_eq!(child.wait().unwrap().code(), Some(0), "{}", program.label);
    }
}

/// The child of the supervise running in `service`, from its status file.
fn child_in(service: &Path) -> Option<u32> {
    let bytes = std::fs::read(service.join("supervise/status")).ok()?;
    dt_core::status::Status::unpack(&bytes)?.pid
}

#[test]
fn the_log_pipe_loses_and_repeats_nothing_when_either_side_is_killed() {
    let scan = Scan::new("logpipe", &ours(&host(), "supervise"));
    let service = scan.dir.file("writer");
    std::fs::create_dir_all(service.join("log")).unwrap();
    // Each line is one write(2) of "<pid> <n>": a killed writer leaves whole lines only.
    write_script(
        &service.join("run"),
        "#!/bin/sh\nexec sh -c 'n=0; while :; do n=$((n+1)); echo \"$$ $n\"; sleep 0.005; done'\n",
    );
    write_script(
        &service.join("log/run"),
        "#!/bin/sh\nexec cat >> ../log.txt\n",
    );
    let _running = scan.start(&ours(&host(), "svscan"));
    let log = service.join("log");
    wait_up(&service);
    wait_up(&log);
    let svc = |options: &str, dir: &Path| {
        ours(&host(), "svc").run(&[options, dir.to_str().unwrap()], &[], b"");
    };
    let length = || {
        std::fs::metadata(service.join("log.txt"))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    for _ in 0..10 {
        // The writer, at any moment.
        std::thread::sleep(Duration::from_millis(150));
        let writer = child_in(&service).expect("writer");
        kill(writer, libc::SIGKILL);
        wait_until("a new writer", Duration::from_secs(5), || {
            child_in(&service).is_some_and(|p| p != writer)
        });
        // The logger, once it has taken everything and waits for more (a logger killed
        // with lines in its own buffer loses them by itself: not the pipe's doing).
        std::thread::sleep(Duration::from_millis(150));
        svc("-p", &service);
        let logger = child_in(&log).expect("logger");
        // Drained: the length stands still and the logger sleeps (in its read of the
        // empty pipe): under load a stable length alone does not show that a logger
        // waiting for the CPU wrote out what it read.
        let waiting = || dt_tests::service::process_state(logger) == Some('S');
        let mut last = length();
        wait_until("the pipe to drain", Duration::from_secs(5), || {
            std::thread::sleep(Duration::from_millis(50));
            let now = length();
            std::mem::replace(&mut last, now) == now && waiting()
        });
        kill(logger, libc::SIGKILL);
        svc("-c", &service); // lines written now wait in the pipe svscan holds
        wait_until("a new logger", Duration::from_secs(5), || {
            child_in(&log).is_some_and(|p| p != logger)
        });
    }
    svc("-d", &service);
    wait_until("the writer down", Duration::from_secs(5), || {
        child_in(&service).is_none()
    });
    let mut last = length();
    wait_until("the last lines logged", Duration::from_secs(5), || {
        std::thread::sleep(Duration::from_millis(100));
        let now = length();
        std::mem::replace(&mut last, now) == now
    });
    let text = std::fs::read_to_string(service.join("log.txt")).unwrap();
    let mut seen: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    for line in text.lines() {
        let (pid, n) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("torn line {line:?}"));
        seen.entry(pid)
            .or_default()
            .push(n.parse().unwrap_or_else(|_| panic!("torn line {line:?}")));
    }
    // One writer plus one per kill: a writer that died of SIGPIPE (no reader while the
    // logger restarted) would mean svscan did not hold the pipe.
    assert_eq!(seen.len(), 11, "writers seen");
    for (pid, numbers) in &seen {
        let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
        assert_eq!(
            numbers, &expected,
            "writer {pid}: lines lost, repeated or out of order"
        );
    }
}

/// Zombie children of `pid`, from /proc.
fn zombies_of(pid: u32) -> usize {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| dt_tests::service::parent_of(p) == Some(pid))
        .filter(|&p| dt_tests::service::process_state(p) == Some('Z'))
        .count()
}

/// A scan directory with a plain service, a logged one, and one that leaves orphans.
fn stop_scan(tag: &str) -> (Scan, [PathBuf; 3]) {
    let scan = Scan::new(tag, &ours(&host(), "supervise"));
    let plain = scan.add("plain", "plain", false);
    let logged = scan.add("logged", "last-words", true);
    let orphans = scan.dir.file("orphans");
    std::fs::create_dir_all(&orphans).unwrap();
    write_script(
        &orphans.join("run"),
        "#!/bin/sh\nsh -c 'sleep 0.2 &'\nexec sleep 1000\n",
    );
    (scan, [plain, logged, orphans])
}

fn assert_all_stopped(services: &[PathBuf]) {
    for service in services.iter().chain([&services[1].join("log")]) {
        let out = ours(&host(), "svok").run(&[service.to_str().unwrap()], &[], b"");
        assert_eq!(
            out.code,
            Some(100),
            "{}: supervise still running",
            service.display()
        );
    }
    assert_eq!(
        log_of(&services[1]),
        "last-words\n",
        "the logger stopped after the service"
    );
}

#[test]
fn term_stops_every_service_then_its_logger_then_svscan() {
    let (scan, services) = stop_scan("term");
    let mut running = scan.start(&ours(&host(), "svscan"));
    for service in &services {
        wait_up(service);
    }
    wait_up(&services[1].join("log"));
    kill(running.child.id(), libc::SIGTERM);
    let mut code = None;
    wait_until("svscan to exit", Duration::from_secs(15), || {
        code = running.child.try_wait().unwrap().map(|s| s.code());
        code.is_some()
    });
    assert_eq!(code, Some(Some(0)));
    assert_all_stopped(&services);
}

#[test]
fn as_process_1_it_reaps_orphans_and_stops_on_term() {
    if !dt_tests::root_or_skip(
        "as_process_1_it_reaps_orphans_and_stops_on_term",
        "unshare a pid namespace",
    ) {
        return;
    }
    let (scan, services) = stop_scan("pid1");
    let path = format!("{}:/usr/bin:/bin", scan.bin.display());
    let svscan = ours(&host(), "svscan").path;
    let mut unshare = std::process::Command::new("unshare")
        .args([
            "--fork",
            "--pid",
            "--mount-proc",
            "env",
            &format!("PATH={path}"),
        ])
        .arg(&svscan)
        .arg(scan.dir.arg())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unshare (util-linux) as root");
    for service in &services {
        wait_up(service);
    }
    // svscan is the forked child of unshare, and process 1 of the new namespace.
    let pid1 = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", unshare.id()))
        .unwrap()
        .trim()
        .parse::<u32>()
        .expect("svscan's pid");
    let status = std::fs::read_to_string(format!("/proc/{pid1}/status")).unwrap();
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("NSpid:") && l.trim_end().ends_with("\t1")),
        "{status}"
    );
    // The orphans' service leaves a background sleep to process 1 each start: reaped.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(zombies_of(pid1), 0, "zombies left under process 1");
    kill(pid1, libc::SIGTERM);
    let mut code = None;
    wait_until(
        "svscan (process 1) to exit",
        Duration::from_secs(15),
        || {
            code = unshare.try_wait().unwrap().map(|s| s.code());
            code.is_some()
        },
    );
    assert_eq!(code, Some(Some(0)));
    assert_all_stopped(&services);
}

/// svscan as the system's process 1 in a PID namespace: `unshare --fork --pid --mount`,
/// with a tmpfs over `/proc` so that svscan cannot tell it from the first namespace (as a
/// kernel that mounts nothing starts it). There `reboot(2)` ends the namespace: process
/// 1 dies of SIGHUP for a restart, SIGINT for a halt or power-off, which unshare passes
/// on as its own end.
fn system_init(svscan: &Path, bin: &Path, dir: &Path, err: &Path) -> Child {
    let path = format!("{}:/usr/bin:/bin", bin.display());
    std::process::Command::new("unshare")
        .args(["--fork", "--pid", "--mount", "--propagation", "private"])
        .args([
            "sh",
            "-c",
            "mount -t tmpfs none /proc && exec env PATH=\"$0\" \"$@\"",
        ])
        .arg(&path)
        .arg(svscan)
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(err).unwrap())
        .spawn()
        .expect("unshare (util-linux) as root")
}

/// Process 1 of `unshare`'s namespace (its forked child).
fn pid1_of(unshare: &Child) -> u32 {
    let mut pid = 0;
    wait_until("unshare's child", Duration::from_secs(5), || {
        let children =
            std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", unshare.id()))
                .unwrap_or_default();
        pid = children.trim().parse().unwrap_or(0);
        pid != 0
    });
    pid
}

#[test]
fn as_process_1_a_missing_directory_is_waited_for_and_signals_still_end_it() {
    if !dt_tests::root_or_skip(
        "as_process_1_a_missing_directory_is_waited_for_and_signals_still_end_it",
        "unshare a pid and a mount namespace",
    ) {
        return;
    }
    use std::os::unix::process::ExitStatusExt;
    let svscan = ours(&host(), "svscan").path;
    let scan = Scan::new("pid1-missing", &ours(&host(), "supervise"));
    let dir = scan.dir.path.with_extension("late");
    let err = scan.dir.path.with_extension("err");
    // Missing at first: a warning, and svscan stays (reaping, obeying signals).
    let mut unshare = system_init(&svscan, &scan.bin, &dir, &err);
    let pid1 = pid1_of(&unshare);
    let warning = format!(
        "svscan: warning: unable to chdir to {}: file does not exist\n",
        dir.display()
    );
    wait_until("the warning", Duration::from_secs(5), || {
        std::fs::read_to_string(&err).unwrap_or_default() == warning
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(unshare.try_wait().unwrap().is_none(), "process 1 exited");
    assert_eq!(zombies_of(pid1), 0);
    // Made later (in one rename, with a boot hook and a service): entered within about
    // a second, the boot hook runs, then the service starts.
    scan.add("one", "one", true);
    std::fs::create_dir_all(scan.dir.file(".svscan")).unwrap();
    write_script(&scan.dir.file(".svscan/boot"), "#!/bin/sh\npwd > booted\n");
    write_script(
        &scan.dir.file(".svscan/shutdown"),
        "#!/bin/sh\necho \"$1\" > shutdown\n",
    );
    std::fs::rename(&scan.dir.path, &dir).unwrap();
    let one = dir.join("one");
    let t0 = Instant::now();
    wait_up(&one);
    wait_up(&one.join("log"));
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "started {took:?} after the rename"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("booted")).unwrap().trim(),
        dir.to_str().unwrap(),
        "the boot hook ran in the directory"
    );
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        warning,
        "one warning only"
    );
    // USR2: a power-off, through the services, their loggers and the shutdown hook.
    kill(pid1, libc::SIGUSR2);
    let mut status = None;
    wait_until("process 1 to end", Duration::from_secs(30), || {
        status = unshare.try_wait().unwrap();
        status.is_some()
    });
    assert_eq!(status.unwrap().signal(), Some(libc::SIGINT), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("shutdown")).unwrap_or_default(),
        "poweroff\n"
    );
    let out = ours(&host(), "svok").run(&[one.to_str().unwrap()], &[], b"");
    assert_eq!(out.code, Some(100), "supervise of one still running");

    // Still missing when TERM comes: a reboot at once (no hook to run, nothing to stop).
    let missing = scan.dir.path.with_extension("never");
    let mut unshare = system_init(&svscan, &scan.bin, &missing, &err);
    let pid1 = pid1_of(&unshare);
    wait_until("the warning", Duration::from_secs(5), || {
        std::fs::read_to_string(&err)
            .unwrap_or_default()
            .contains("unable to chdir")
    });
    let t0 = Instant::now();
    kill(pid1, libc::SIGTERM);
    let mut status = None;
    wait_until("process 1 to end", Duration::from_secs(15), || {
        status = unshare.try_wait().unwrap();
        status.is_some()
    });
    assert_eq!(status.unwrap().signal(), Some(libc::SIGHUP), "{status:?}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());

    // Process 1 of a container (its own /proc) is not the system's init: it exits 111
    // with the fatal message, as anywhere else.
    let out = std::process::Command::new("unshare")
        .args(["--fork", "--pid", "--mount-proc"])
        .arg(&svscan)
        .arg(&missing)
        .stdin(Stdio::null())
        .output()
        .expect("unshare");
    assert_eq!(out.status.code(), Some(111));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "svscan: fatal: unable to chdir to {}: file does not exist\n",
            missing.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dangling_links_and_plain_files_as_the_original() {
    let mut stderr = Vec::new();
    for (tag, svscan, supervise) in [
        (
            "odd-ours",
            ours(&host(), "svscan"),
            ours(&host(), "supervise"),
        ),
        ("odd-orig", original("svscan"), original("supervise")),
    ] {
        let scan = Scan::new(tag, &supervise);
        let good = scan.add("good", "good", false);
        std::os::unix::fs::symlink("/nonexistent/service", scan.dir.file("dangling")).unwrap();
        std::fs::write(scan.dir.file("plain-file"), b"").unwrap();
        let running = scan.start(&svscan);
        wait_up(&good);
        std::thread::sleep(Duration::from_millis(300));
        drop(running);
        let text = std::fs::read_to_string(scan.dir.path.with_extension("err")).unwrap();
        stderr.push(text.lines().next().unwrap_or_default().to_string());
    }
    assert_eq!(
        stderr[0],
        "svscan: warning: unable to stat dangling: file does not exist"
    );
    assert_eq!(stderr[0], stderr[1], "the same warning as the original");
}

#[test]
fn more_than_1000_services_are_refused_with_a_warning() {
    let scan = Scan::new("many", &ours(&host(), "supervise"));
    for i in 0..1001 {
        let service = scan.dir.file(&format!("s{i:04}"));
        std::fs::create_dir(&service).unwrap();
        write_script(&service.join("run"), "#!/bin/sh\nexec sleep 1000\n");
    }
    let running = scan.start(&ours(&host(), "svscan"));
    let err = scan.dir.path.with_extension("err");
    wait_until("the warning", Duration::from_secs(60), || {
        std::fs::read_to_string(&err)
            .unwrap_or_default()
            .contains(": running too many services")
    });
    let supervised = |root: &Path| {
        std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("supervise").exists())
            .count()
    };
    wait_until("1000 supervise", Duration::from_secs(60), || {
        supervised(&scan.dir.path) == 1000
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(supervised(&scan.dir.path), 1000);
    let warning = std::fs::read_to_string(&err).unwrap();
    assert_eq!(
        warning.matches("running too many services").count(),
        1,
        "{warning}"
    );
    drop(running);
}

#[test]
fn services_added_and_removed_leave_no_descriptors_behind() {
    // DT_SERVICE_CYCLES=5000 for the long run; CI does a few dozen.
    let cycles = dt_tests::env_or("DT_SERVICE_CYCLES", 30);
    let scan = Scan::new("cycles", &ours(&host(), "supervise"));
    let running = scan.start(&ours(&host(), "svscan"));
    let svscan = running.child.id();
    wait_until("svscan settled", Duration::from_secs(5), || {
        descriptors(svscan) > 0
    });
    std::thread::sleep(Duration::from_millis(300));
    let before = descriptors(svscan);
    let side = scan.dir.path.with_extension("side");
    for i in 0..cycles {
        // A service with a logger (so a pipe is made), linked in, then taken away.
        let service = side.join(format!("s{i}"));
        std::fs::create_dir_all(service.join("log")).unwrap();
        write_script(&service.join("run"), "#!/bin/sh\nexec sleep 1000\n");
        write_script(
            &service.join("log/run"),
            "#!/bin/sh\nexec cat > /dev/null\n",
        );
        let link = scan.dir.file("current");
        std::os::unix::fs::symlink(&service, &link).unwrap();
        wait_up(&link);
        wait_up(&link.join("log"));
        std::fs::remove_file(&link).unwrap();
        for dir in [service.clone(), service.join("log")] {
            let _ = ours(&host(), "svc").run(&["-dx", dir.to_str().unwrap()], &[], b"");
        }
        wait_until("both supervise gone", Duration::from_secs(10), || {
            [service.clone(), service.join("log")].iter().all(|d| {
                ours(&host(), "svok")
                    .run(&[d.to_str().unwrap()], &[], b"")
                    .code
                    == Some(100)
            })
        });
    }
    // The next scan forgets the last one and closes its pipe.
    wait_until(
        "the descriptors back to where they were",
        Duration::from_secs(10),
        || descriptors(svscan) == before,
    );
    assert_eq!(zombies_of(svscan), 0);
    let _ = std::fs::remove_dir_all(&side);
}

#[test]
fn a_service_with_the_longest_name_runs() {
    let scan = Scan::new("longname", &ours(&host(), "supervise"));
    let name = "n".repeat(255); // NAME_MAX; with "/log" it still fits every buffer
    let service = scan.add(&name, "long", true);
    let _running = scan.start(&ours(&host(), "svscan"));
    wait_up(&service);
    wait_up(&service.join("log"));
    wait_until("its output logged", Duration::from_secs(10), || {
        log_of(&service) == "long\n"
    });
}

/// The inode of the file a process executes (`/proc/PID/exe`, followed).
fn exe_inode(pid: u32) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/exe"))
        .map(|m| m.ino())
        .unwrap_or(0)
}

/// Puts a fresh copy of our svscan at `path` (a new file renamed over it, so a running
/// svscan keeps its own); its inode.
fn new_copy_of_svscan(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let tmp = path.with_extension("tmp");
    // Copied by cp, not by this process: a child another test thread forks meanwhile
    // would inherit the descriptor written to, and executing the file would fail with
    // ETXTBSY ("text file busy") while that child holds it.
    let copied = std::process::Command::new("cp")
        .arg(ours(&host(), "svscan").path)
        .arg(&tmp)
        .status()
        .expect("cp");
    assert!(copied.success());
    std::fs::rename(&tmp, path).unwrap();
    std::fs::metadata(path).unwrap().ino()
}

/// The pid our supervise keeps in `supervise/lock` of `service`.
fn lock_pid(service: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(service.join("supervise/lock")).ok()?;
    text.trim_end().parse().ok()
}

/// The signals `pid` blocks (`SigBlk` in `/proc/PID/status`).
fn blocked_signals(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("SigBlk:"))?;
    u64::from_str_radix(line["SigBlk:".len()..].trim(), 16).ok()
}

/// Lines `<pid> <n>` by writer pid, in order; panics on a torn line.
fn numbered_lines(text: &str) -> std::collections::BTreeMap<u32, Vec<u64>> {
    let mut seen: std::collections::BTreeMap<u32, Vec<u64>> = Default::default();
    for line in text.lines() {
        let parsed = line
            .split_once(' ')
            .and_then(|(pid, n)| Some((pid.parse().ok()?, n.parse().ok()?)));
        let (pid, n) = parsed.unwrap_or_else(|| panic!("torn line {line:?}"));
        seen.entry(pid).or_default().push(n);
    }
    seen
}

#[test]
fn urg_upgrades_svscan_in_place_keeping_every_process_and_every_line() {
    let scan = Scan::new("upgrade", &ours(&host(), "supervise"));
    let writer = scan.dir.file("writer");
    let log = writer.join("log");
    std::fs::create_dir_all(&log).unwrap();
    // Each line one write(2) of "<pid> <n>", every 10 ms. Perl, not sh: dash clears
    // the signal mask it was given, which would hide the one svscan passed on.
    write_script(
        &writer.join("run"),
        "#!/usr/bin/perl\n$| = 1;\nmy $n = 0;\nwhile (1) { $n++; print \"$$ $n\\n\"; select(undef, undef, undef, 0.01); }\n",
    );
    write_script(&log.join("run"), "#!/bin/sh\nexec cat >> ../log.txt\n");
    let plain = scan.add("plain", "plain", false);
    let trees = [writer.clone(), log.clone(), plain.clone()];
    // Started as svscanboot and inittab start it: found through PATH, in a directory
    // whose file is then replaced.
    let binary = scan.bin.join("svscan");
    new_copy_of_svscan(&binary);
    let err = scan.dir.path.with_extension("err");
    let child = std::process::Command::new("svscan")
        .arg(scan.dir.arg())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", scan.bin.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("svscan through PATH");
    let mut running = Running {
        child,
        scan: scan.dir.path.clone(),
    };
    let svscan = running.child.id();
    for tree in &trees {
        wait_up(tree);
    }
    let supervise: Vec<u32> = trees.iter().map(|t| lock_pid(t).expect("lock")).collect();
    let services: Vec<u32> = trees.iter().map(|t| child_in(t).expect("up")).collect();
    let mut unchanged = |when: &str| {
        for (i, tree) in trees.iter().enumerate() {
            assert_eq!(lock_pid(tree), Some(supervise[i]), "{when}: {tree:?}");
            assert_eq!(dt_tests::service::parent_of(supervise[i]), Some(svscan));
            assert_eq!(child_in(tree), Some(services[i]), "{when}: {tree:?}");
        }
        assert!(
            running.child.try_wait().unwrap().is_none(),
            "{when}: exited"
        );
    };
    // Twice: the image an upgrade made upgrades too.
    for round in ["first upgrade", "second upgrade"] {
        std::thread::sleep(Duration::from_millis(300));
        let old = exe_inode(svscan);
        let new = new_copy_of_svscan(&binary);
        assert_ne!(old, new);
        kill(svscan, libc::SIGURG);
        wait_until(round, Duration::from_secs(5), || exe_inode(svscan) == new);
        std::thread::sleep(Duration::from_millis(300));
        unchanged(round);
    }
    assert_eq!(std::fs::read_to_string(&err).unwrap(), "", "no warning");

    // The new image is the parent of the old supervise processes and knows them: one
    // killed is restarted at once (SIGCHLD), not by the scan five seconds later, and
    // its service writes into the same pipe, read by the same logger.
    std::thread::sleep(Duration::from_millis(1500)); // past RESTART_MS after the scan
    let t0 = Instant::now();
    kill(supervise[0], libc::SIGKILL);
    let mut replaced = 0;
    wait_until(
        "a new supervise for writer",
        Duration::from_secs(10),
        || {
            replaced = lock_pid(&writer)
                .filter(|&p| p != supervise[0])
                .unwrap_or(0);
            replaced != 0 && dt_tests::service::parent_of(replaced) == Some(svscan)
        },
    );
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "restarted {took:?} after its kill"
    );
    let mut second = 0;
    wait_until("a new writer", Duration::from_secs(5), || {
        second = child_in(&writer).filter(|&p| p != services[0]).unwrap_or(0);
        second != 0
    });
    // It got the signal mask svscan was started with, not the one of the upgrade.
    assert_eq!(
        blocked_signals(second),
        Some(0),
        "signals blocked in the service"
    );
    assert_eq!(
        lock_pid(&log),
        Some(supervise[1]),
        "the logger's supervise stays"
    );
    wait_until(
        "the new writer's lines logged",
        Duration::from_secs(5),
        || {
            let text = std::fs::read_to_string(writer.join("log.txt")).unwrap_or_default();
            numbered_lines(&text)
                .get(&second)
                .is_some_and(|n| n.len() >= 20)
        },
    );

    // TERM still stops the tree, then svscan exits 0.
    kill(svscan, libc::SIGTERM);
    let mut code = None;
    wait_until("svscan to exit", Duration::from_secs(15), || {
        code = running.child.try_wait().unwrap().map(|s| s.code());
        code.is_some()
    });
    assert_eq!(code, Some(Some(0)));
    for tree in &trees {
        let out = ours(&host(), "svok").run(&[tree.to_str().unwrap()], &[], b"");
        assert_eq!(
            out.code,
            Some(100),
            "{}: supervise still running",
            tree.display()
        );
    }
    // The writers' lines: none lost or repeated across the upgrades and the restart.
    let text = std::fs::read_to_string(writer.join("log.txt")).unwrap();
    let seen = numbered_lines(&text);
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        [services[0], second],
        "writers seen"
    );
    for (pid, numbers) in &seen {
        let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
        assert_eq!(
            numbers, &expected,
            "writer {pid}: lines lost, repeated or out of order"
        );
    }
    assert!(
        seen[&services[0]].len() > 100,
        "the first writer wrote throughout"
    );
}

#[test]
fn an_upgrade_to_a_file_that_cannot_run_warns_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let scan = Scan::new("upgrade-bad", &ours(&host(), "supervise"));
    let plain = scan.add("plain", "plain", false);
    // Started by its path (argv[0] holds a '/').
    let binary = scan.bin.join("svscan");
    new_copy_of_svscan(&binary);
    let err = scan.dir.path.with_extension("err");
    let child = std::process::Command::new(&binary)
        .arg(scan.dir.arg())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", scan.bin.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("svscan");
    let mut running = Running {
        child,
        scan: scan.dir.path.clone(),
    };
    let svscan = running.child.id();
    wait_up(&plain);
    let supervise = lock_pid(&plain).expect("lock");
    let image = exe_inode(svscan);
    let mut expected = String::new();
    // Missing; not executable; not a program for this machine (a binary for another
    // board).
    type File = Option<(&'static [u8], u32)>;
    let cases: [(&str, File); 3] = [
        ("file does not exist", None),
        ("access denied", Some((b"#!/bin/sh\n", 0o644))),
        (
            "exec format error",
            Some((b"\x7fELF\x02\x01\x01garbage", 0o755)),
        ),
    ];
    for (reason, file) in cases {
        let _ = std::fs::remove_file(&binary);
        if let Some((bytes, mode)) = file {
            // Written by cp (see new_copy_of_svscan: no descriptor of ours to inherit).
            let source = scan.dir.path.with_extension("bytes");
            std::fs::write(&source, bytes).unwrap();
            let copied = std::process::Command::new("cp")
                .arg(&source)
                .arg(&binary)
                .status()
                .expect("cp");
            assert!(copied.success());
            std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        kill(svscan, libc::SIGURG);
        expected += &format!(
            "svscan: warning: unable to upgrade to {}: {reason}\n",
            binary.display()
        );
        wait_until(reason, Duration::from_secs(5), || {
            std::fs::read_to_string(&err).unwrap_or_default() == expected
        });
        assert!(running.child.try_wait().unwrap().is_none(), "svscan exited");
        assert_eq!(exe_inode(svscan), image, "{reason}: another image");
        assert_eq!(lock_pid(&plain), Some(supervise));
    }
    // Still scanning its own directory: a service linked in starts at once.
    let elsewhere = ServiceDir::new("upgrade-bad-new", Some("#!/bin/sh\nexec sleep 1000\n"));
    let linked = scan.dir.file("linked");
    std::os::unix::fs::symlink(&elsewhere.path, &linked).unwrap();
    let t0 = Instant::now();
    wait_up(&linked);
    assert!(
        t0.elapsed() < Duration::from_millis(2500),
        "{:?}",
        t0.elapsed()
    );
    // A good file again: the upgrade goes through.
    let new = new_copy_of_svscan(&binary);
    kill(svscan, libc::SIGURG);
    wait_until("the new image", Duration::from_secs(5), || {
        exe_inode(svscan) == new
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(lock_pid(&plain), Some(supervise));
    assert_eq!(std::fs::read_to_string(&err).unwrap(), expected);
    kill(svscan, libc::SIGTERM);
    let mut code = None;
    wait_until("svscan to exit", Duration::from_secs(15), || {
        code = running.child.try_wait().unwrap().map(|s| s.code());
        code.is_some()
    });
    assert_eq!(code, Some(Some(0)));
    for tree in [&plain, &linked] {
        let out = ours(&host(), "svok").run(&[tree.to_str().unwrap()], &[], b"");
        assert_eq!(
            out.code,
            Some(100),
            "{}: supervise still running",
            tree.display()
        );
    }
}

/// The children of `pid` (its main thread's, as the kernel lists them).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[test]
fn as_process_1_an_upgrade_keeps_every_process_and_does_not_boot_again() {
    if !dt_tests::root_or_skip(
        "as_process_1_an_upgrade_keeps_every_process_and_does_not_boot_again",
        "unshare a pid and a mount namespace",
    ) {
        return;
    }
    use std::os::unix::process::ExitStatusExt;
    let scan = Scan::new("pid1-upgrade", &ours(&host(), "supervise"));
    let plain = scan.add("plain", "plain", false);
    std::fs::create_dir_all(scan.dir.file(".svscan")).unwrap();
    write_script(
        &scan.dir.file(".svscan/boot"),
        "#!/bin/sh\necho boot >> booted\n",
    );
    let booted = scan.dir.path.join("booted");
    let binary = scan.bin.join("svscan");
    new_copy_of_svscan(&binary);
    let err = scan.dir.path.with_extension("err");
    let unshare = system_init(&binary, &scan.bin, &scan.dir.path, &err);
    let pid1 = pid1_of(&unshare);
    // Should an assertion fail, KILL to process 1 ends the namespace and all in it.
    struct Namespace(Child, u32);
    impl Drop for Namespace {
        fn drop(&mut self) {
            kill(self.1, libc::SIGKILL);
            let _ = self.0.wait();
        }
    }
    let mut namespace = Namespace(unshare, pid1);
    let unshare = &mut namespace.0;
    wait_up(&plain);
    // Host pids (those in the lock and status files are the namespace's).
    let supervise = children_of(pid1);
    assert_eq!(supervise.len(), 1, "{supervise:?}");
    let service = children_of(supervise[0]);
    assert_eq!(std::fs::read_to_string(&booted).unwrap(), "boot\n");
    for round in ["first upgrade", "second upgrade"] {
        let new = new_copy_of_svscan(&binary);
        kill(pid1, libc::SIGURG);
        wait_until(round, Duration::from_secs(5), || exe_inode(pid1) == new);
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            unshare.try_wait().unwrap().is_none(),
            "{round}: process 1 ended"
        );
        assert_eq!(children_of(pid1), supervise, "{round}");
        assert_eq!(children_of(supervise[0]), service, "{round}");
        assert_eq!(
            std::fs::read_to_string(&booted).unwrap(),
            "boot\n",
            "{round}: the boot hook ran again"
        );
    }
    // Its child, known to the new image (without /proc: from supervise/lock): started
    // again at once once killed.
    std::thread::sleep(Duration::from_millis(1200));
    let t0 = Instant::now();
    kill(supervise[0], libc::SIGKILL);
    wait_until("a new supervise", Duration::from_secs(10), || {
        children_of(pid1)
            .iter()
            .any(|&p| p != supervise[0] && dt_tests::service::command_line(p) == "supervise plain")
    });
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "restarted {took:?} after its kill"
    );
    assert_eq!(std::fs::read_to_string(&err).unwrap(), "", "no warning");
    // TERM: the reboot, through the services.
    kill(pid1, libc::SIGTERM);
    let mut status = None;
    wait_until("process 1 to end", Duration::from_secs(30), || {
        status = unshare.try_wait().unwrap();
        status.is_some()
    });
    assert_eq!(status.unwrap().signal(), Some(libc::SIGHUP), "{status:?}");
    let out = ours(&host(), "svok").run(&[plain.to_str().unwrap()], &[], b"");
    assert_eq!(out.code, Some(100), "supervise of plain still running");
}
