//! Beyond daemontools (issue 14): the opt-in files of a service directory with s6's names
//! and meanings, run the same way under our supervise and under s6-supervise (Debian's
//! s6), and what each service's scripts saw compared line for line: `finish` with its
//! arguments, `down-signal`, `timeout-kill`, `timeout-finish`. A directory without these
//! files is daemontools 0.76 (every other test).

use dt_tests::service::{ServiceDir, wait_until, write_script};
use dt_tests::{Program, host, ours};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A supervisor and its control tool: ours, or s6's.
struct Implementation {
    supervise: Program,
    svc: Program,
}

fn ours_and_s6() -> [Implementation; 2] {
    let s6 = |tool: &str| {
        let path = std::path::PathBuf::from("/usr/bin").join(tool);
        assert!(
            path.is_file(),
            "{tool} is missing: the tests need Debian's s6 (ci/setup.sh)"
        );
        Program {
            path,
            runner: None,
            label: tool.to_string(),
        }
    };
    [
        Implementation {
            supervise: ours(&host(), "supervise"),
            svc: ours(&host(), "svc"),
        },
        Implementation {
            supervise: s6("s6-supervise"),
            svc: s6("s6-svc"),
        },
    ]
}

/// A running supervisor, stopped with `svc -dx` (and killed) when dropped.
struct Running<'a> {
    child: Child,
    imp: &'a Implementation,
    dir: &'a Path,
}

impl Running<'_> {
    fn svc(&self, flag: &str) {
        let out = self
            .imp
            .svc
            .run(&[flag, self.dir.to_str().unwrap()], &[], b"");
        assert_eq!(
            out.code,
            Some(0),
            "{} {flag}: {}",
            self.imp.svc.label,
            out.stderr_text()
        );
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let _ = self
            .imp
            .svc
            .run(&["-dx", self.dir.to_str().unwrap()], &[], b"");
        // supervise exits once ./run and ./finish are done (a finish that hangs gets
        // KILL after timeout-finish); killing it sooner would leave them behind.
        let gone = Instant::now();
        while gone.elapsed() < Duration::from_secs(7) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start<'a>(imp: &'a Implementation, dir: &'a Path) -> Running<'a> {
    let child = imp
        .supervise
        .command(&[dir.to_str().unwrap()], &[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("supervise");
    // Listening: its control FIFO has a reader (svok's test), so no command is lost.
    wait_until("supervise to listen", Duration::from_secs(5), || {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(dir.join("supervise/control"))
            .is_ok()
    });
    Running { child, imp, dir }
}

fn log(dir: &ServiceDir) -> String {
    std::fs::read_to_string(dir.path.join("log")).unwrap_or_default()
}

/// A run script that notes its start and the signals it gets, and ignores HUP.
const RUN: &str = "#!/bin/sh\ntrap 'echo got-hup >> log' HUP\necho run >> log\n\
                   while :; do sleep 0.05; done\n";
/// A finish script that notes its arguments.
const FINISH: &str = "#!/bin/sh\necho \"finish $*\" >> log\n";

#[test]
fn finish_gets_the_exit_code_or_the_signal_as_in_s6() {
    let mut logs = Vec::new();
    for imp in &ours_and_s6() {
        let dir = ServiceDir::new("finish", None);
        write_script(
            &dir.path.join("run"),
            "#!/bin/sh\necho run >> log\nsleep 0.3\nexit 3\n",
        );
        write_script(&dir.path.join("finish"), FINISH);
        std::fs::write(dir.path.join("down"), "").unwrap();
        let running = start(imp, &dir.path);
        std::thread::sleep(Duration::from_millis(300));
        running.svc("-o");
        wait_until("finish after an exit", Duration::from_secs(5), || {
            log(&dir).contains("finish")
        });
        // `-o` while finish still runs does not start the service afterwards (s6's rule,
        // and ours): let it end first.
        std::thread::sleep(Duration::from_millis(500));
        write_script(&dir.path.join("run"), RUN);
        running.svc("-o");
        wait_until("run again", Duration::from_secs(5), || {
            log(&dir).lines().filter(|l| *l == "run").count() == 2
        });
        running.svc("-k");
        let what = format!("{}: finish after KILL", imp.supervise.label);
        // Lines, not matches: the directory's name holds "finish" too.
        let lines = |start: &str| log(&dir).lines().filter(|l| l.starts_with(start)).count();
        wait_until(&what, Duration::from_secs(5), || lines("finish ") == 2);
        drop(running);
        logs.push(log(&dir).replace(dir.arg(), "DIR"));
    }
    assert_eq!(logs[0], "run\nfinish 3 0 DIR\nrun\nfinish 256 9 DIR\n");
    assert_eq!(logs[0], logs[1], "ours, then s6");
}

#[test]
fn down_signal_then_kill_after_timeout_kill_as_in_s6() {
    let mut seen = Vec::new();
    for imp in &ours_and_s6() {
        let dir = ServiceDir::new("downsignal", None);
        write_script(&dir.path.join("run"), RUN);
        write_script(&dir.path.join("finish"), FINISH);
        std::fs::write(dir.path.join("down-signal"), "SIGHUP\n").unwrap();
        std::fs::write(dir.path.join("timeout-kill"), "300\n").unwrap();
        let running = start(imp, &dir.path);
        wait_until("run", Duration::from_secs(5), || log(&dir).contains("run"));
        let sent = Instant::now();
        running.svc("-d");
        wait_until("finish after the KILL", Duration::from_secs(5), || {
            log(&dir).contains("finish")
        });
        let took = sent.elapsed();
        assert!(
            took >= Duration::from_millis(250) && took < Duration::from_secs(2),
            "{}: KILL {took:?} after the down signal",
            imp.supervise.label
        );
        drop(running);
        seen.push(log(&dir).replace(dir.arg(), "DIR"));
    }
    assert_eq!(seen[0], "run\ngot-hup\nfinish 256 9 DIR\n");
    assert_eq!(seen[0], seen[1], "ours, then s6");
}

#[test]
fn a_finish_that_hangs_is_killed_after_timeout_finish_and_the_service_restarts() {
    for imp in &ours_and_s6() {
        let dir = ServiceDir::new("finishhang", None);
        write_script(
            &dir.path.join("run"),
            "#!/bin/sh\necho run >> log\nexec sleep 1000\n",
        );
        write_script(
            &dir.path.join("finish"),
            "#!/bin/sh\necho finish >> log\nexec sleep 1000\n",
        );
        std::fs::write(dir.path.join("timeout-finish"), "500\n").unwrap();
        let running = start(imp, &dir.path);
        wait_until("run", Duration::from_secs(5), || log(&dir).contains("run"));
        running.svc("-k");
        wait_until("finish", Duration::from_secs(5), || {
            log(&dir).contains("finish")
        });
        let finished = Instant::now();
        wait_until(
            "run after finish was killed",
            Duration::from_secs(5),
            || log(&dir).matches("run").count() == 2,
        );
        let took = finished.elapsed();
        assert!(
            took >= Duration::from_millis(400),
            "{}: the restart did not wait for finish ({took:?})",
            imp.supervise.label
        );
        drop(running);
    }
}

#[test]
fn exit_waits_for_finish() {
    let imps = ours_and_s6();
    let imp = &imps[0];
    let dir = ServiceDir::new("finishexit", None);
    write_script(
        &dir.path.join("run"),
        "#!/bin/sh\necho run >> log\nexec sleep 1000\n",
    );
    write_script(
        &dir.path.join("finish"),
        "#!/bin/sh\nsleep 0.5\necho finish >> log\n",
    );
    let mut running = start(imp, &dir.path);
    wait_until("run", Duration::from_secs(5), || log(&dir).contains("run"));
    running.svc("-dx");
    let mut code = None;
    wait_until("supervise to exit", Duration::from_secs(5), || {
        code = running.child.try_wait().unwrap().map(|s| s.code());
        code.is_some()
    });
    assert_eq!(code, Some(Some(0)));
    assert!(
        log(&dir).contains("finish"),
        "supervise exited before finish ended"
    );
}

impl Running<'_> {
    /// `svc ARGS dir` (s6-svc for s6): its exit code and how long it took.
    fn svc_timed(&self, args: &[&str]) -> (Option<i32>, Duration) {
        let mut all = args.to_vec();
        all.push(self.dir.to_str().unwrap());
        let began = Instant::now();
        let out = self.imp.svc.run(&all, &[], b"");
        (out.code, began.elapsed())
    }
}

/// A service that says it is ready on descriptor 3 after `delay` seconds, noting the
/// moment in its log first.
fn notifying_service(name: &str, delay: &str) -> ServiceDir {
    let dir = ServiceDir::new(name, None);
    write_script(
        &dir.path.join("run"),
        &format!(
            "#!/bin/sh\necho run >> log\nsleep {delay}\necho ready >> log\necho >&3\nexec sleep 1000\n"
        ),
    );
    std::fs::write(dir.path.join("notification-fd"), "3\n").unwrap();
    dir
}

#[test]
fn waits_for_up_ready_down_and_restart_as_s6_svc_w() {
    let mut seen = Vec::new();
    for imp in &ours_and_s6() {
        let label = &imp.supervise.label;
        let dir = notifying_service("waits", "0.6");
        let running = start(imp, &dir.path);
        // Up and ready: not before the service says so.
        let (code, took) = running.svc_timed(&["-wU", "-T", "5000"]);
        assert_eq!(code, Some(0), "{label}: -wU");
        assert!(
            log(&dir).contains("ready"),
            "{label}: -wU returned before readiness"
        );
        assert!(
            took >= Duration::from_millis(400),
            "{label}: -wU after {took:?}"
        );
        // States already reached end the wait at once.
        let (code, took) = running.svc_timed(&["-wu", "-T", "5000"]);
        assert_eq!(code, Some(0), "{label}: -wu while up");
        assert!(
            took < Duration::from_millis(500),
            "{label}: -wu took {took:?}"
        );
        // Down with the command, then a wait for up that cannot come: timed out.
        let (code, _) = running.svc_timed(&["-wD", "-d", "-T", "5000"]);
        assert_eq!(code, Some(0), "{label}: -wD -d");
        let (code, took) = running.svc_timed(&["-wu", "-T", "300"]);
        assert_eq!(code, Some(99), "{label}: -wu on a service wanted down");
        assert!(
            took >= Duration::from_millis(250),
            "{label}: timed out after {took:?}"
        );
        // Up again and ready, then a restart (TERM, wanted up) and its readiness.
        let (code, _) = running.svc_timed(&["-wU", "-u", "-T", "5000"]);
        assert_eq!(code, Some(0), "{label}: -wU -u");
        let (code, took) = running.svc_timed(&["-wR", "-t", "-T", "5000"]);
        assert_eq!(code, Some(0), "{label}: -wR -t");
        assert!(
            took >= Duration::from_millis(400),
            "{label}: -wR after {took:?}"
        );
        drop(running);
        seen.push(log(&dir));
    }
    let expected = "run\nready\nrun\nready\nrun\nready\n";
    assert_eq!(seen[0], expected);
    assert_eq!(seen[0], seen[1], "ours, then s6");
}

#[test]
fn readiness_shows_in_svstat_and_the_original_svstat_still_reads_the_status() {
    let imps = ours_and_s6();
    let dir = notifying_service("notifystat", "0");
    let running = start(&imps[0], &dir.path);
    let (code, _) = running.svc_timed(&["-wU", "-T", "5000"]);
    assert_eq!(code, Some(0));
    let ours = ours(&host(), "svstat").run(&[dir.arg()], &[], b"");
    let text = String::from_utf8_lossy(&ours.stdout).to_string();
    assert!(text.contains(" seconds, ready "), "ours: {text}");
    let original = dt_tests::original("svstat").run(&[dir.arg()], &[], b"");
    let text = String::from_utf8_lossy(&original.stdout).to_string();
    assert!(
        text.starts_with(&format!("{}: up (pid ", dir.arg())) && !text.contains("ready"),
        "daemontools' svstat: {text}"
    );
    let status = std::fs::read(dir.path.join("supervise/status")).unwrap();
    assert_eq!(status.len(), 32, "18 bytes and our extension");
}

#[test]
fn without_opt_in_files_the_status_stays_18_bytes_and_waits_still_work() {
    let imps = ours_and_s6();
    let dir = ServiceDir::new("plainwait", None);
    write_script(&dir.path.join("run"), "#!/bin/sh\nexec sleep 1000\n");
    let running = start(&imps[0], &dir.path);
    let (code, _) = running.svc_timed(&["-wu", "-T", "5000"]);
    assert_eq!(code, Some(0));
    let (code, _) = running.svc_timed(&["-wd", "-d", "-T", "5000"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        std::fs::read(dir.path.join("supervise/status"))
            .unwrap()
            .len(),
        18
    );
    let (code, took) = running.svc_timed(&["-wU", "-u", "-T", "500"]);
    assert_eq!(code, Some(99), "no notification-fd: never ready (as s6)");
    assert!(took >= Duration::from_millis(400));
}

#[test]
fn waiting_on_a_service_without_supervise_or_whose_supervise_exits() {
    let imps = ours_and_s6();
    let dir = ServiceDir::new("gonewait", None);
    write_script(&dir.path.join("run"), "#!/bin/sh\nexec sleep 1000\n");
    let svc = ours(&host(), "svc");
    let out = svc.run(&["-wu", "-T", "1000", dir.arg()], &[], b"");
    assert_eq!(out.code, Some(102), "{}", out.stderr_text());
    let running = start(&imps[0], &dir.path);
    let (code, _) = running.svc_timed(&["-wu", "-T", "5000"]);
    assert_eq!(code, Some(0));
    // Waiting for a restart while supervise is told to exit: it says so as it goes.
    let (code, took) = running.svc_timed(&["-wr", "-dx", "-T", "5000"]);
    assert_eq!(code, Some(102), "supervise exited first");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn supervise_never_writes_to_what_is_not_a_waiters_fifo() {
    let imps = ours_and_s6();
    let dir = ServiceDir::new("eventplant", None);
    write_script(&dir.path.join("run"), "#!/bin/sh\nexec sleep 1000\n");
    let events = dir.path.join("supervise/event");
    std::fs::create_dir_all(&events).unwrap();
    let victim = dir.path.join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::write(events.join("file"), "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, events.join("link")).unwrap();
    // A FIFO nobody reads: a waiter that died. supervise removes it.
    let stale = events.join("12345");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&stale)
            .status()
            .unwrap()
            .success()
    );
    let running = start(&imps[0], &dir.path);
    let (code, _) = running.svc_timed(&["-wd", "-d", "-T", "5000"]);
    assert_eq!(code, Some(0));
    let (code, _) = running.svc_timed(&["-wu", "-u", "-T", "5000"]);
    assert_eq!(code, Some(0));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        std::fs::read_to_string(events.join("file")).unwrap(),
        "precious\n"
    );
    assert!(!stale.exists(), "the dead waiter's FIFO is removed");
    let left: Vec<_> = std::fs::read_dir(&events)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !left.iter().any(|n| n.chars().all(|c| c.is_ascii_digit())),
        "svc removes its FIFO: {left:?}"
    );
}

/// The times (seconds since the first) at which `./run` started, from its log.
fn start_times(dir: &ServiceDir) -> Vec<f64> {
    let text = log(dir);
    let stamps: Vec<f64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("run ")?.parse().ok())
        .collect();
    stamps.iter().map(|t| t - stamps[0]).collect()
}

#[test]
fn a_crash_loop_backs_off_doubling_to_restart_backoff_and_svstat_says_so() {
    let imps = ours_and_s6();
    let dir = ServiceDir::new("backoff", None);
    write_script(
        &dir.path.join("run"),
        "#!/bin/sh\necho \"run $(date +%s.%N)\" >> log\nexit 1\n",
    );
    std::fs::write(dir.path.join("restart-backoff"), "2500\n").unwrap();
    let running = start(&imps[0], &dir.path);
    wait_until("four starts", Duration::from_secs(15), || {
        start_times(&dir).len() >= 4
    });
    // The fourth `./run` may not have exited yet (svstat: up): svstat until it has.
    let svstat = || {
        let out = ours(&host(), "svstat").run(&[dir.arg()], &[], b"");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    wait_until("svstat: backing off", Duration::from_secs(2), || {
        svstat().contains(", backing off, next start in ")
    });
    let t = start_times(&dir);
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    // 1 s, then 2 s, then the cap (2.5 s); each a little more (the script's own time).
    for (gap, want) in gaps.iter().zip([1.0, 2.0, 2.5]) {
        assert!(
            *gap >= want - 0.05 && *gap < want + 0.6,
            "gaps {gaps:?}, wanted about 1, 2, 2.5"
        );
    }
    drop(running);
}

#[test]
fn a_crash_loop_gives_up_after_give_up_deaths_until_svc_u() {
    let imps = ours_and_s6();
    let dir = ServiceDir::new("giveup", None);
    write_script(
        &dir.path.join("run"),
        "#!/bin/sh\necho \"run $(date +%s.%N)\" >> log\nexit 1\n",
    );
    std::fs::write(dir.path.join("give-up"), "3 60000\n").unwrap();
    let running = start(&imps[0], &dir.path);
    wait_until("three starts", Duration::from_secs(10), || {
        start_times(&dir).len() >= 3
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(start_times(&dir).len(), 3, "no fourth start");
    let svstat = ours(&host(), "svstat").run(&[dir.arg()], &[], b"");
    let text = String::from_utf8_lossy(&svstat.stdout).to_string();
    assert!(
        text.contains(": down ") && text.contains(", given up"),
        "{text}"
    );
    let (code, took) = running.svc_timed(&["-wu", "-T", "5000"]);
    assert_eq!(code, Some(1), "waiting for up on a service that gave up");
    assert!(took < Duration::from_secs(1));
    running.svc("-u");
    wait_until("a start after svc -u", Duration::from_secs(5), || {
        start_times(&dir).len() == 4
    });
    drop(running);
}

#[test]
fn readiness_waits_and_give_up_on_full_targets() {
    // Our supervise and svc as built for each board (under qemu-user when foreign): the
    // readiness pipe, the waiters' FIFOs, the 32-byte status read back on the host (the
    // byte order of every field), and a give-up.
    for target in dt_tests::full_targets() {
        let imp = Implementation {
            supervise: ours(&target, "supervise"),
            svc: ours(&target, "svc"),
        };
        let label = &imp.supervise.label;
        let dir = notifying_service("targetready", "0.3");
        let running = start(&imp, &dir.path);
        let (code, _) = running.svc_timed(&["-wU", "-T", "10000"]);
        assert_eq!(code, Some(0), "{label}: -wU");
        assert!(log(&dir).contains("ready"), "{label}: -wU before readiness");
        let bytes = std::fs::read(dir.path.join("supervise/status")).unwrap();
        let status = dt_core::status::Status::unpack(&bytes).unwrap();
        let ready = status.beyond.and_then(|b| b.ready);
        assert!(
            status.pid.is_some() && ready.is_some(),
            "{label}: {status:?}"
        );
        assert!(
            ready.unwrap() >= status.since,
            "{label}: ready before the start"
        );
        let svstat = ours(&target, "svstat").run(&[dir.arg()], &[], b"");
        let text = String::from_utf8_lossy(&svstat.stdout).to_string();
        assert!(text.contains(" seconds, ready "), "{label}: {text}");
        drop(running);

        let dir = ServiceDir::new("targetgiveup", None);
        write_script(
            &dir.path.join("run"),
            "#!/bin/sh\necho run >> log\nexit 1\n",
        );
        std::fs::write(dir.path.join("give-up"), "2 60000\n").unwrap();
        let running = start(&imp, &dir.path);
        let status = || std::fs::read(dir.path.join("supervise/status")).unwrap_or_default();
        wait_until("the give-up", Duration::from_secs(10), || {
            dt_core::status::Status::unpack(&status())
                .and_then(|s| s.beyond)
                .is_some_and(|b| b.given_up)
        });
        assert_eq!(log(&dir), "run\nrun\n", "{label}: two starts, then no more");
        let (code, _) = running.svc_timed(&["-wu", "-T", "10000"]);
        assert_eq!(code, Some(1), "{label}: waiting for up after the give-up");
        drop(running);
    }
}

fn alive(pid: u32) -> bool {
    // A zombie counts as gone: its parent (a reaper) has not collected it yet.
    dt_tests::service::process_state(pid).is_some_and(|s| s != 'Z')
}

#[test]
fn down_group_stops_what_the_service_left_behind_too() {
    let imps = ours_and_s6();
    for group in [false, true] {
        let dir = ServiceDir::new("downgroup", None);
        write_script(
            &dir.path.join("run"),
            "#!/bin/sh\nsleep 1001 &\necho $! > bgpid\nexec sleep 1002\n",
        );
        if group {
            std::fs::write(dir.path.join("down-group"), "").unwrap();
        }
        let running = start(&imps[0], &dir.path);
        let bgpid = || std::fs::read_to_string(dir.path.join("bgpid")).ok();
        wait_until("the background child", Duration::from_secs(5), || {
            bgpid().is_some_and(|p| p.ends_with('\n'))
        });
        let bg: u32 = bgpid().unwrap().trim().parse().unwrap();
        let (code, _) = running.svc_timed(&["-wD", "-d", "-T", "5000"]);
        assert_eq!(code, Some(0));
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            alive(bg),
            !group,
            "down-group {group}: the background child {}",
            if group {
                "survived"
            } else {
                "died (daemontools leaves it)"
            }
        );
        drop(running);
        dt_tests::service::kill(bg, libc::SIGKILL);
    }
}

/// A writable cgroup v2 hierarchy with `cgroup.kill` (Linux 5.14), from /proc/mounts.
fn cgroup2() -> Option<std::path::PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let root = mounts.lines().find_map(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        (f.get(2) == Some(&"cgroup2")).then(|| std::path::PathBuf::from(f[1]))
    })?;
    let probe = root.join(format!("dt-probe-{}", std::process::id()));
    std::fs::create_dir(&probe).ok()?;
    let kill = probe.join("cgroup.kill").exists();
    let _ = std::fs::remove_dir(&probe);
    kill.then_some(root)
}

#[test]
fn cgroup_ends_what_left_the_process_group_too() {
    let Some(root) = cgroup2() else {
        eprintln!("skipped: no writable cgroup v2 hierarchy with cgroup.kill");
        return;
    };
    let imps = ours_and_s6();
    for cgroup in [false, true] {
        let dir = ServiceDir::new("cgroup", None);
        // setsid: a child in a session and process group of its own (down-group misses it).
        write_script(
            &dir.path.join("run"),
            "#!/bin/sh\nsetsid sleep 1005 &\necho $! > bgpid\nexec sleep 1006\n",
        );
        std::fs::write(dir.path.join("down-group"), "").unwrap();
        let group = root.join(format!("dt-test-{}-{cgroup}", std::process::id()));
        if cgroup {
            std::fs::write(dir.path.join("cgroup"), format!("{}\n", group.display())).unwrap();
        }
        let running = start(&imps[0], &dir.path);
        let bgpid = || std::fs::read_to_string(dir.path.join("bgpid")).ok();
        wait_until("the escaped child", Duration::from_secs(5), || {
            bgpid().is_some_and(|p| p.ends_with('\n'))
        });
        let bg: u32 = bgpid().unwrap().trim().parse().unwrap();
        if cgroup {
            let procs = std::fs::read_to_string(group.join("cgroup.procs")).unwrap();
            assert!(
                procs.lines().any(|p| p == bg.to_string()),
                "in the cgroup: {procs}"
            );
        }
        let (code, _) = running.svc_timed(&["-wD", "-d", "-T", "5000"]);
        assert_eq!(code, Some(0));
        wait_until("the kill to land", Duration::from_secs(2), || {
            !cgroup || !alive(bg)
        });
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(alive(bg), !cgroup, "cgroup {cgroup}: the escaped child");
        drop(running);
        dt_tests::service::kill(bg, libc::SIGKILL);
        std::thread::sleep(Duration::from_millis(100));
        let _ = std::fs::remove_dir(&group);
    }
}
