//! Faults a router meets in the field, on a whole tree (our svscan, supervise and
//! multilog, natively): `kill -9` of any part at random moments, a read-only log
//! directory, running out of descriptors and of processes. Each time the tree recovers
//! by itself once the fault ends, no second copy of a service runs, and the log holds
//! every line once, in order.
//!
//! The one loss that cannot be avoided is checked for its bound: a `multilog` killed
//! with `-9` loses what it had read from the pipe and not yet written (a pipe cannot
//! give bytes back): at most one read, 32 KiB.

use dt_core::tai64::{LABEL_LEN, Scan as Label, scan_label};
use dt_tests::service::{ServiceDir, kill, parent_of, wait_until};
use dt_tests::{Rng, host, ours};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Bytes multilog reads at once: the most one `kill -9` of it can lose.
const MULTILOG_READ: usize = 32 * 1024;

/// A scan directory whose tools are ours, and the svscan running on it (restartable).
struct Tree {
    dir: ServiceDir,
    path_env: String,
    svscan: Option<Child>,
}

impl Tree {
    fn new(tag: &str) -> Tree {
        let dir = ServiceDir::new(tag, None);
        let bin = ours(&host(), "svscan").path;
        let bin = bin.parent().unwrap().display();
        Tree {
            path_env: format!("{bin}:/usr/bin:/bin"),
            dir,
            svscan: None,
        }
    }

    /// Adds service `name` with `run` and, if given, a logger with `log_run`.
    fn add(&self, name: &str, run: &str, log_run: Option<&str>) -> PathBuf {
        let service = self.dir.file(name);
        std::fs::create_dir_all(&service).unwrap();
        script(&service.join("run"), run);
        if let Some(log_run) = log_run {
            std::fs::create_dir_all(service.join("log")).unwrap();
            script(&service.join("log/run"), log_run);
        }
        service
    }

    /// Starts svscan (again), with `limits` (a shell `ulimit` line, or empty) and
    /// `setpriv` arguments in front (or none).
    fn start_with(&mut self, limits: &str, prefix: &[&str]) {
        let svscan = ours(&host(), "svscan").path;
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path.with_extension("err"))
            .unwrap();
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("{limits}\nexec \"$@\""))
            .arg("sh")
            .args(prefix)
            .arg(&svscan)
            .arg(self.dir.arg())
            .env_clear()
            .env("PATH", &self.path_env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start svscan");
        self.svscan = Some(child);
    }

    fn start(&mut self) {
        self.start_with("", &[]);
    }

    fn svscan_pid(&self) -> u32 {
        self.svscan.as_ref().expect("svscan started").id()
    }

    /// Kills svscan with `-9` (its supervise processes stay).
    fn kill_svscan(&mut self) {
        if let Some(mut child) = self.svscan.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What svscan and its supervise processes wrote on stderr.
    fn errors(&self) -> String {
        std::fs::read_to_string(self.dir.path.with_extension("err")).unwrap_or_default()
    }

    fn svc(&self, options: &str, dir: &Path) {
        ours(&host(), "svc").run(&[options, dir.to_str().unwrap()], &[], b"");
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        self.kill_svscan();
        for service in std::fs::read_dir(&self.dir.path)
            .into_iter()
            .flatten()
            .flatten()
        {
            for dir in [service.path(), service.path().join("log")] {
                self.svc("-dx", &dir);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
        let _ = std::fs::remove_file(self.dir.path.with_extension("err"));
    }
}

fn script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The child that the supervise of `service` runs, from its status file.
fn child_in(service: &Path) -> Option<u32> {
    let bytes = std::fs::read(service.join("supervise/status")).ok()?;
    dt_core::status::Status::unpack(&bytes)?.pid
}

/// Processes (not zombies) whose working directory is `dir` and whose command line
/// holds `marker`: the copies of a service that run.
fn copies(dir: &Path, marker: &str) -> Vec<u32> {
    let dir = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok();
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cwd.as_deref() == Some(&dir)
                && String::from_utf8_lossy(&cmdline).contains(marker)
                && dt_tests::service::process_state(*pid) != Some('Z')
        })
        .collect()
}

/// A service that writes numbered lines `<pid> <n>`, one `write` each, for ever.
const WRITER: &str = "#!/bin/sh\nexec sh -c 'n=0; while :; do n=$((n+1)); echo \"$$ $n\"; \
                      sleep 0.002; done'\n";
/// What only the writer's command line holds.
const WRITER_MARK: &str = "n=$((n+1))";

/// The lines of a multilog directory, labels removed: the archives in name order, then
/// `current`. A file that ends in the middle of a line (a `.u` archive: multilog was
/// killed) is continued by the next file's first line, whose label is dropped.
fn logged_lines(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('@'))
        .collect();
    names.sort();
    names.push("current".into());
    let mut lines = Vec::new();
    let mut torn: Option<Vec<u8>> = None;
    for name in names {
        let text = std::fs::read(dir.join(&name)).unwrap_or_default();
        for piece in text.split_inclusive(|&c| c == b'\n') {
            let Label::Label { len, .. } = scan_label(piece, true) else {
                panic!("{name}: no label on {:?}", String::from_utf8_lossy(piece));
            };
            assert_eq!(len, LABEL_LEN);
            let body = &piece[LABEL_LEN + 1..];
            let mut line = torn.take().unwrap_or_default();
            line.extend_from_slice(body);
            match line.strip_suffix(b"\n") {
                Some(whole) => lines.push(String::from_utf8(whole.to_vec()).unwrap()),
                None => torn = Some(line),
            }
        }
    }
    assert!(torn.is_none(), "the last line is unfinished");
    lines
}

/// Checks the writers' lines: per writer, strictly increasing from 1, with no repeat;
/// returns the gaps as (writer, first missing, count).
fn gaps_in(lines: &[String]) -> (usize, Vec<(String, u64, u64)>) {
    let mut next: BTreeMap<String, u64> = BTreeMap::new();
    let mut gaps = Vec::new();
    for line in lines {
        let (pid, n) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("torn line {line:?}"));
        let n: u64 = n.parse().unwrap_or_else(|_| panic!("torn line {line:?}"));
        let expected = next.entry(pid.to_string()).or_insert(1);
        assert!(n >= *expected, "writer {pid}: {n} repeated or out of order");
        if n > *expected {
            gaps.push((pid.to_string(), *expected, n - *expected));
        }
        *expected = n + 1;
    }
    (next.len(), gaps)
}

/// Whether a supervise runs for `dir` (`svok`).
fn supervised(dir: &Path) -> bool {
    let out = ours(&host(), "svok").run(&[dir.to_str().unwrap()], &[], b"");
    out.code == Some(0)
}

/// Whether `pid` is a live process (not a zombie).
fn alive(pid: u32) -> bool {
    dt_tests::service::process_state(pid).is_some_and(|s| s != 'Z')
}

/// What a hanging logger is doing.
fn diagnose(pids: &[u32], log: &Path) -> String {
    let mut out = String::new();
    for &pid in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let signals: Vec<&str> = status
            .lines()
            .filter(|l| l.starts_with("Sig") || l.starts_with("ShdPnd"))
            .collect();
        let parent = parent_of(pid).map(dt_tests::service::command_line);
        let fd0 = std::fs::read_link(format!("/proc/{pid}/fd/0"));
        out += &format!("pid {pid} parent {parent:?} stdin {fd0:?} {signals:?}; ");
    }
    let current = std::fs::read(log.join("main/current")).unwrap_or_default();
    let tail = String::from_utf8_lossy(&current[current.len().saturating_sub(100)..]);
    out + &format!("end of current {tail:?}")
}

/// Waits until the file sizes below `dir` stop changing for 300 ms.
fn settle(dir: &Path) {
    let size = || -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    };
    let mut last = (size(), 0);
    wait_until("the log to settle", Duration::from_secs(20), || {
        std::thread::sleep(Duration::from_millis(100));
        let now = size();
        last = if now == last.0 {
            (now, last.1 + 1)
        } else {
            (now, 0)
        };
        last.1 >= 3
    });
}

#[test]
fn kill_9_of_a_supervise_leaves_no_second_copy_running() {
    let mut tree = Tree::new("faults-copy");
    let service = tree.add(
        "once",
        "#!/bin/sh\nexec sh -c 'while :; do echo $$; sleep 1; done # marker-once'\n",
        Some("#!/bin/sh\nexec sh -c 'while read -r l; do :; done # marker-logger'\n"),
    );
    tree.start();
    let log = service.join("log");
    for (dir, marker) in [(&service, "marker-once"), (&log, "marker-logger")] {
        wait_until("the service up", Duration::from_secs(10), || {
            copies(dir, marker).len() == 1
        });
        let child = child_in(dir).expect("child");
        let supervise = parent_of(child).expect("its supervise");
        kill(supervise, libc::SIGKILL);
        // svscan starts a new supervise at its next scan, which starts a new child.
        wait_until("a new child", Duration::from_secs(12), || {
            child_in(dir).is_some_and(|p| p != child && parent_of(p) != Some(supervise))
        });
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            copies(dir, marker),
            [child_in(dir).unwrap()],
            "{}: one copy, the new supervise's",
            dir.display()
        );
    }
}

#[test]
fn kill_9_at_random_moments_loses_and_repeats_nothing() {
    let rounds = dt_tests::env_or("DT_KILL_ROUNDS", 24);
    let seed = dt_tests::env_or("DT_SEED", u64::from(std::process::id()));
    eprintln!("kill -9 rounds: {rounds}, DT_SEED={seed}");
    let mut rng = Rng::new(seed);
    let mut tree = Tree::new("faults-kill");
    let service = tree.add(
        "writer",
        WRITER,
        Some("#!/bin/sh\nexec multilog t s4096 n10000 ./main\n"),
    );
    let log = service.join("log");
    tree.start();
    wait_until("writer and logger up", Duration::from_secs(10), || {
        child_in(&service).is_some() && child_in(&log).is_some()
    });
    let victims = ["svscan", "supervise", "log supervise", "writer", "multilog"];
    let mut kills: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..rounds {
        std::thread::sleep(Duration::from_millis(rng.range(50, 400) as u64));
        let victim = victims[rng.range(0, victims.len() as i64) as usize];
        let pid = match victim {
            "svscan" => Some(tree.svscan_pid()),
            "supervise" => child_in(&service).and_then(parent_of),
            "log supervise" => child_in(&log).and_then(parent_of),
            "writer" => child_in(&service),
            _ => child_in(&log),
        };
        let Some(pid) = pid else { continue };
        *kills.entry(victim).or_default() += 1;
        if victim == "svscan" {
            tree.kill_svscan();
            std::thread::sleep(Duration::from_millis(rng.range(0, 300) as u64));
            tree.start();
        } else {
            kill(pid, libc::SIGKILL);
        }
        // The tree has recovered: a writer and a logger run, each once.
        let started = std::time::Instant::now();
        // (A status file may still name a child that died with its supervise.)
        while !(copies(&service, WRITER_MARK).len() == 1
            && supervised(&service)
            && supervised(&log)
            && child_in(&service).is_some_and(alive)
            && child_in(&log).is_some_and(|p| p != pid && alive(p)))
        {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "no recovery after killing the {victim} (seed {seed}, kills {kills:?}): \
                 writers {:?}, writer {:?}, logger {:?}; svscan and supervise said:\n{}",
                copies(&service, WRITER_MARK),
                child_in(&service),
                child_in(&log),
                tree.errors()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    eprintln!("killed: {kills:?}");
    tree.svc("-d", &service);
    wait_until("the writer down", Duration::from_secs(10), || {
        copies(&service, WRITER_MARK).is_empty()
    });
    settle(&log.join("main"));
    tree.svc("-d", &log);
    let started = std::time::Instant::now();
    while child_in(&log).is_some() {
        let loggers = copies(&log, "multilog");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the logger is not down (seed {seed}): multilog {loggers:?} ({:?}); {}; \
             svscan and supervise said:\n{}",
            child_in(&log),
            diagnose(&loggers, &log),
            tree.errors()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let lines = logged_lines(&log.join("main"));
    let (writers, gaps) = gaps_in(&lines);
    eprintln!(
        "{} lines from {writers} writers; gaps {gaps:?}",
        lines.len()
    );
    assert!(
        writers > kills.get("writer").copied().unwrap_or(0),
        "every killed writer was followed by a new one"
    );
    // Only a killed multilog may lose lines: at most one read each.
    let multilog_kills = kills.get("multilog").copied().unwrap_or(0);
    assert!(
        gaps.len() <= multilog_kills,
        "gaps {gaps:?} after {multilog_kills} multilog kills"
    );
    let longest_line = "4294967295 18446744073709551615\n".len() as u64;
    for (writer, first, count) in &gaps {
        assert!(
            count * longest_line <= MULTILOG_READ as u64 + longest_line,
            "writer {writer}: {count} lines from {first} lost"
        );
    }
    assert!(
        !tree.errors().contains("unable to acquire"),
        "svscan started a second supervise: {}",
        tree.errors()
    );
}

/// Unmounts a test's file system, also when the test fails.
struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount(args: &[&str], on: &Path) {
    let mounted = Command::new("mount")
        .args(args)
        .arg(on)
        .status()
        .expect("mount");
    assert!(
        mounted.success(),
        "this test needs root to mount {}",
        on.display()
    );
}

/// Stops the writer, lets the logger take the rest, stops the logger; the lines logged.
fn stop_and_collect(tree: &Tree, service: &Path, main: &Path) -> Vec<String> {
    let log = service.join("log");
    tree.svc("-d", service);
    wait_until("the writer down", Duration::from_secs(10), || {
        copies(service, WRITER_MARK).is_empty()
    });
    settle(main);
    tree.svc("-d", &log);
    wait_until("the logger down", Duration::from_secs(10), || {
        child_in(&log).is_none()
    });
    logged_lines(main)
}

#[test]
fn a_read_only_log_file_system_holds_the_lines_back_until_it_is_writable() {
    if !dt_tests::root_or_skip("the read-only log test", "mount a tmpfs") {
        return;
    }
    let mut tree = Tree::new("faults-ro");
    let service = tree.add("ro", WRITER, Some("#!/bin/sh\nexec multilog t ./fs/main\n"));
    let fs = service.join("log/fs");
    std::fs::create_dir(&fs).unwrap();
    mount(&["-t", "tmpfs", "-o", "size=1m", "tmpfs"], &fs);
    let _unmount = Unmount(fs.clone());
    std::fs::create_dir(fs.join("main")).unwrap();
    mount(&["-o", "remount,ro"], &fs);
    tree.start();
    let refused = "multilog: fatal: unable to lock directory ./fs/main: read-only file system";
    wait_until("multilog refused", Duration::from_secs(10), || {
        tree.errors().contains(refused)
    });
    // The writer goes on into the pipe svscan holds, then waits when it is full.
    std::thread::sleep(Duration::from_secs(2));
    mount(&["-o", "remount,rw"], &fs);
    wait_until("multilog running", Duration::from_secs(10), || {
        fs.join("main/current").exists()
    });
    std::thread::sleep(Duration::from_millis(500));
    let lines = stop_and_collect(&tree, &service, &fs.join("main"));
    let (writers, gaps) = gaps_in(&lines);
    assert_eq!((writers, gaps), (1, vec![]), "one writer, every line");
    assert!(
        lines[0].ends_with(" 1"),
        "from its first line: {:?}",
        lines[0]
    );
}

#[test]
fn running_out_of_descriptors_recovers_once_the_limit_rises() {
    if !dt_tests::root_or_skip(
        "running_out_of_descriptors_recovers_once_the_limit_rises",
        "change limits and accounts",
    ) {
        return;
    }
    let mut tree = Tree::new("faults-fds");
    let names: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
    for name in &names {
        tree.add(
            name,
            &format!("#!/bin/sh\necho {name}\nexec sleep 1000\n"),
            Some("#!/bin/sh\nexec cat > ../log.txt\n"),
        );
    }
    // svscan's own five (stdio, signalfd, inotify), its directory while scanning, and
    // two per pipe: room for five services. (What it starts inherits the limit: 16 is
    // enough for supervise and sh.)
    tree.start_with("ulimit -Sn 16", &[]);
    let short = "unable to create pipe for s";
    wait_until("svscan out of descriptors", Duration::from_secs(10), || {
        tree.errors().contains(short)
    });
    assert!(
        tree.errors().contains(": process cannot open more files"),
        "{}",
        tree.errors()
    );
    raise_soft_limit(tree.svscan_pid(), "nofile", "Max open files", None);
    // The next periodic scan (within 5 s) sets the rest up.
    for name in &names {
        let log = tree.dir.file(name).join("log.txt");
        wait_until(&format!("{name} logged"), Duration::from_secs(12), || {
            std::fs::read_to_string(&log).unwrap_or_default() == format!("{name}\n")
        });
    }
}

/// Raises the soft limit `resource` (prlimit's name) of `pid` to its hard limit, as an
/// administrator would once the fault is found; as the account `uid` if given. (Only
/// soft limits are lowered in these tests: some sandboxes refuse root the raising of a
/// hard limit, or of another account's limit.)
fn raise_soft_limit(pid: u32, resource: &str, row: &str, uid: Option<u32>) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let hard = limits
        .lines()
        .find_map(|l| l.strip_prefix(row))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .expect("hard limit")
        .to_string();
    let mut prlimit = match uid {
        Some(uid) => {
            let mut c = Command::new("setpriv");
            c.args(as_account(uid)).arg("prlimit");
            c
        }
        None => Command::new("prlimit"),
    };
    let raised = prlimit
        .arg(format!("--pid={pid}"))
        .arg(format!("--{resource}={hard}:"))
        .status()
        .expect("prlimit");
    assert!(raised.success(), "prlimit --{resource}={hard}: on {pid}");
}

/// An unprivileged account with no passwd entry, one per test and run: the process
/// limit applies to it (root is exempt), and it counts the account's zombies too (a
/// sandbox whose process 1 does not reap keeps those of earlier runs).
fn test_account(test: u32) -> u32 {
    40_000 + (std::process::id() % 10_000) * 4 + test
}

/// `setpriv` arguments that run a program as `uid`.
fn as_account(uid: u32) -> [String; 3] {
    [
        format!("--reuid={uid}"),
        format!("--regid={uid}"),
        "--clear-groups".into(),
    ]
}

/// A child killed when dropped (also when its test fails).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Makes `dir` (recursively) the account's.
fn give_away(dir: &Path, uid: u32) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{uid}:{uid}"))
        .arg(dir)
        .status()
        .expect("chown");
    assert!(status.success());
}

#[test]
fn fork_failing_in_svscan_recovers_once_processes_are_allowed() {
    if !dt_tests::root_or_skip(
        "fork_failing_in_svscan_recovers_once_processes_are_allowed",
        "change limits and accounts",
    ) {
        return;
    }
    let mut tree = Tree::new("faults-nproc");
    let service = tree.add(
        "forked",
        "#!/bin/sh\necho started > ../started\nexec sleep 1000\n",
        None,
    );
    let uid = test_account(0);
    give_away(&tree.dir.path, uid);
    // One process for the account: svscan itself, so every fork fails.
    let mut prefix = vec!["prlimit".to_string(), "--nproc=1:".into(), "setpriv".into()];
    prefix.extend(as_account(uid));
    tree.start_with("", &prefix.iter().map(String::as_str).collect::<Vec<_>>());
    wait_until("svscan failing to fork", Duration::from_secs(10), || {
        tree.errors()
            .contains("svscan: warning: unable to fork for forked: temporary failure")
    });
    assert!(!tree.dir.file("started").exists() && child_in(&service).is_none());
    raise_soft_limit(tree.svscan_pid(), "nproc", "Max processes", Some(uid));
    wait_until("the service started", Duration::from_secs(12), || {
        child_in(&service).is_some() && tree.dir.file("started").exists()
    });
}

#[test]
fn fork_failing_in_supervise_is_retried_after_a_minute() {
    if !dt_tests::root_or_skip(
        "fork_failing_in_supervise_is_retried_after_a_minute",
        "change limits and accounts",
    ) {
        return;
    }
    let dir = ServiceDir::new(
        "faults-supervise-nproc",
        Some("#!/bin/sh\nexec sleep 1000\n"),
    );
    let uid = test_account(1);
    give_away(&dir.path, uid);
    let stderr = dir.path.with_extension("err");
    let supervise = Command::new("prlimit")
        .args(["--nproc=1:", "setpriv"])
        .args(as_account(uid))
        .arg(ours(&host(), "supervise").path)
        .arg(dir.arg())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("supervise");
    let mut supervise = Killed(supervise);
    let said = || std::fs::read_to_string(&stderr).unwrap_or_default();
    wait_until("supervise failing to fork", Duration::from_secs(10), || {
        said().contains(", sleeping 60 seconds")
    });
    assert_eq!(
        said(),
        format!(
            "supervise: warning: unable to fork for {}, sleeping 60 seconds: temporary failure\n",
            dir.arg()
        )
    );
    raise_soft_limit(supervise.0.id(), "nproc", "Max processes", Some(uid));
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(dir.pid(), None, "no new fork before the minute is up");
    wait_until("the service started", Duration::from_secs(70), || {
        dir.pid().is_some()
    });
    ours(&host(), "svc").run(&["-dx", dir.arg()], &[], b"");
    assert_eq!(supervise.0.wait().unwrap().code(), Some(0));
    let _ = std::fs::remove_file(&stderr);
}
