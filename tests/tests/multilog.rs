//! multilog: the same log directories, status files, alerts, messages and exit codes as
//! Debian's original; every byte arrives once and in order (over rotations, a full disk,
//! restarts); processors, SIGALRM and SIGTERM; directories shared with the original.

use dt_core::tai64::{LABEL_LEN, Scan, scan_label};
use dt_tests::service::{ServiceDir, kill, wait_until};
use dt_tests::{Program, full_targets, host, original, ours};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// What a finished run left: exit code and stderr.
struct Ran {
    code: Option<i32>,
    stderr: String,
}

/// Starts `program` in `dir` with a pipe on stdin.
fn start(program: &Program, dir: &Path, args: &[&str]) -> Child {
    start_as(program, dir, args, || Ok(()))
}

/// What the child does between fork and exec (`umask`, closing a descriptor): only
/// async-signal-safe calls.
type Setup = fn() -> std::io::Result<()>;

/// Starts `program` in `dir` with a pipe on stdin, after `setup` in the child.
fn start_as(program: &Program, dir: &Path, args: &[&str], setup: Setup) -> Child {
    let mut command = program.command(args, &[]);
    // SAFETY: `setup` makes only async-signal-safe calls (see `Setup`).
    unsafe { command.pre_exec(setup) };
    command
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.label))
}

/// Closes `child`'s stdin if still open, waits for it to exit (killing it after a
/// minute); returns what it left.
fn finish(child: Child) -> Ran {
    finish_within(child, Duration::from_secs(60))
}

/// Closes `child`'s stdin if still open, waits for it to exit (killing it and failing
/// after `limit`); returns what it left.
fn finish_within(mut child: Child, limit: Duration) -> Ran {
    drop(child.stdin.take());
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("multilog still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("output");
    Ran {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `program` in `dir` with `input` on stdin, to the end.
fn run(program: &Program, dir: &Path, args: &[&str], input: &[u8]) -> Ran {
    run_as(
        program,
        dir,
        args,
        input,
        || Ok(()),
        Duration::from_secs(60),
    )
}

/// Runs `program` in `dir` after `setup`, with `input` on stdin, to the end; fails if it
/// runs longer than `limit`.
fn run_as(
    program: &Program,
    dir: &Path,
    args: &[&str],
    input: &[u8],
    setup: Setup,
    limit: Duration,
) -> Ran {
    let mut child = start_as(program, dir, args, setup);
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let ran = finish_within(child, limit);
    writer.join().expect("writer");
    ran
}

/// A directory's files: name (archives renamed `@1.s`, `@2.u`... in order), mode and
/// contents; subdirectories as `name/` with their mode.
fn shape(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    names.sort();
    let mut archives = 0;
    let mut out = BTreeMap::new();
    for name in names {
        let path = dir.join(&name);
        let meta = std::fs::metadata(&path).expect("stat");
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(format!("{name}/"), (mode, Vec::new()));
            continue;
        }
        let key = if name.starts_with('@') && name.len() == 27 {
            archives += 1;
            format!("@{archives}{}", &name[25..])
        } else {
            name
        };
        out.insert(key, (mode, std::fs::read(&path).expect("read")));
    }
    out
}

/// Everything logged in `dir`: the archives in name order, then `current`.
fn logged(dir: &Path) -> Vec<u8> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .filter(|n| n.starts_with('@'))
        .collect();
    names.sort();
    names.push("current".into());
    names
        .iter()
        .flat_map(|n| std::fs::read(dir.join(n)).unwrap_or_default())
        .collect()
}

/// Lines of 100 bytes, numbered.
fn lines(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| format!("{i:010} {}\n", "x".repeat(88)).into_bytes())
        .collect()
}

/// Removes the labels of `t`, checking each is a well-formed, non-decreasing TAI64N label
/// followed by a space.
fn unlabel(text: &[u8]) -> Vec<u8> {
    let mut last = None;
    let mut out = Vec::new();
    for line in text.split_inclusive(|&c| c == b'\n') {
        let Scan::Label { stamp, len } = scan_label(line, true) else {
            panic!("no label: {:?}", String::from_utf8_lossy(line));
        };
        assert_eq!((len, line[LABEL_LEN]), (LABEL_LEN, b' '));
        assert!(Some(stamp) >= last, "labels go back in time");
        last = Some(stamp);
        out.extend_from_slice(&line[LABEL_LEN + 1..]);
    }
    out
}

/// Bytes that probe the corners: empty lines, NULs, binary, a line of exactly 1000 bytes
/// and longer ones, and no final newline.
fn awkward_input() -> Vec<u8> {
    let mut input = b"first\n\nsecond with \0 NUL\n".to_vec();
    input.extend((0..=255u8).filter(|&b| b != b'\n'));
    input.push(b'\n');
    for len in [199, 200, 201, 999, 1000, 1001, 1500] {
        input.extend(std::iter::repeat_n(b'a' + (len % 26) as u8, len));
        input.push(b'\n');
    }
    input.extend(b"fatal: disk on fire\nwarning: smoke\nno final newline");
    input
}

#[test]
fn scripts_leave_what_the_original_leaves() {
    let cases: &[&[&str]] = &[
        &["./d"],
        &["./d", "./e"],
        &["-*", "+*fatal*", "./d", "-*fatal*", "./e"],
        &["-f*", "./d", "+fatal: *", "e", "=st"],
        &["e", "=st", "./d"],
        &["-*", "=st"],
        &["-*", "+*", "e"],
        &[],
    ];
    let input = awkward_input();
    for args in cases {
        let mut seen = Vec::new();
        for program in [ours(&host(), "multilog"), original("multilog")] {
            let dir = ServiceDir::new("multilog-script", None);
            let ran = run(&program, &dir.path, args, &input);
            seen.push((ran.code, ran.stderr, shape(&dir.path)));
        }
        assert_eq!(seen[0], seen[1], "script {args:?}: ours, then the original");
    }
}

#[test]
fn unknown_words_warn_but_log_and_exit_like_the_original() {
    let mut seen = Vec::new();
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-bogus", None);
        let ran = run(&program, &dir.path, &["bogus", "./d", "t"], b"one\ntwo\n");
        seen.push((ran.code, shape(&dir.path), ran.stderr));
    }
    assert_eq!(seen[0].0, seen[1].0);
    assert_eq!(seen[0].1, seen[1].1);
    assert_eq!(
        seen[0].2,
        "multilog: warning: ignoring unknown action: bogus\n\
         multilog: warning: ignoring unknown action: t\n"
    );
}

#[test]
fn start_up_errors_as_the_original() {
    let cases: &[&[&str]] = &[&["=/nonexistent/st"], &["/proc/nope"], &["./a/b/c"]];
    for args in cases {
        let mut seen = Vec::new();
        for program in [ours(&host(), "multilog"), original("multilog")] {
            let dir = ServiceDir::new("multilog-bad", None);
            let ran = run(&program, &dir.path, args, b"x\n");
            seen.push((ran.code, ran.stderr));
        }
        assert_eq!(seen[0], seen[1], "{args:?}");
        assert_eq!(seen[0].0, Some(111));
    }
}

#[test]
fn a_locked_directory_is_refused_as_by_the_original() {
    let dir = ServiceDir::new("multilog-lock", None);
    let holder = start(&ours(&host(), "multilog"), &dir.path, &["./d"]);
    wait_until("the lock is taken", Duration::from_secs(10), || {
        dir.path.join("d/current").exists()
    });
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let ran = run(&program, &dir.path, &["./d"], b"x\n");
        assert_eq!(ran.code, Some(111), "{}", program.label);
        assert_eq!(
            ran.stderr, "multilog: fatal: unable to lock directory ./d: temporary failure\n",
            "{}",
            program.label
        );
    }
    let ran = finish(holder); // its stdin closes here: end of input
    assert_eq!(ran.code, Some(0));
}

#[test]
fn rotation_sizes_modes_and_labels_on_every_full_target() {
    for target in full_targets() {
        let program = ours(&target, "multilog");
        let dir = ServiceDir::new("multilog-rotate", None);
        let input = lines(60);
        let ran = run(&program, &dir.path, &["s4096", "n3", "./d"], &input);
        assert_eq!(
            (ran.code, ran.stderr.as_str()),
            (Some(0), ""),
            "{}",
            program.label
        );
        let files = shape(&dir.path.join("d"));
        let summary: Vec<(&str, u32, usize)> = files
            .iter()
            .map(|(name, (mode, bytes))| (name.as_str(), *mode, bytes.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("@1.s", 0o744, 2100),
                ("@2.s", 0o744, 2100),
                ("current", 0o744, 1800),
                ("lock", 0o600, 0),
                ("state", 0o644, 0),
            ],
            "{}",
            program.label
        );
        assert_eq!(logged(&dir.path.join("d")), input);
        let mode = std::fs::metadata(dir.path.join("d"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "a new log directory is private");

        let ran = run(&program, &dir.path, &["t", "./t"], &input);
        assert_eq!(ran.code, Some(0));
        assert_eq!(
            unlabel(&logged(&dir.path.join("t"))),
            input,
            "{}",
            program.label
        );
    }
}

#[test]
fn nothing_is_lost_or_repeated_over_many_rotations() {
    let input = lines(20_000);
    for target in full_targets() {
        let program = ours(&target, "multilog");
        let dir = ServiceDir::new("multilog-many", None);
        let ran = run(
            &program,
            &dir.path,
            &["t", "s4096", "n100000", "./d"],
            &input,
        );
        assert_eq!(ran.code, Some(0), "{}: {}", program.label, ran.stderr);
        let archives = std::fs::read_dir(dir.path.join("d")).unwrap().count() - 3;
        assert!(archives >= 900, "{archives} archives");
        assert_eq!(
            unlabel(&logged(&dir.path.join("d"))),
            input,
            "{}",
            program.label
        );
    }
}

#[test]
fn the_count_keeps_num_minus_one_archives() {
    let dir = ServiceDir::new("multilog-num", None);
    let ran = run(
        &ours(&host(), "multilog"),
        &dir.path,
        &["s4096", "n4", "./d"],
        &lines(1000),
    );
    assert_eq!(ran.code, Some(0));
    let files = shape(&dir.path.join("d"));
    let archives = files.keys().filter(|k| k.starts_with('@')).count();
    assert_eq!(archives, 3);
    // The newest survive: the log ends with the input's end.
    assert!(logged(&dir.path.join("d")).ends_with(&lines(1000)[95_000..]));
}

/// Leftovers of a run that was killed: a `current` not closed cleanly, a processor run
/// cut short.
fn leave_crash_behind(dir: &Path, current_mode: u32) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in [
        ("current", "cur\n"),
        ("previous", "prev\n"),
        ("processed", "proc\n"),
        ("newstate", "ns\n"),
        ("state", "st\n"),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    std::fs::set_permissions(
        dir.join("current"),
        std::fs::Permissions::from_mode(current_mode),
    )
    .unwrap();
}

#[test]
fn restarts_after_a_crash_recover_like_the_original() {
    for (current_mode, args) in [
        (0o644, &["./d"][..]),
        (0o744, &["./d"][..]),
        (0o644, &["!cat", "./d"][..]),
    ] {
        let mut seen = Vec::new();
        for program in [ours(&host(), "multilog"), original("multilog")] {
            let dir = ServiceDir::new("multilog-crash", None);
            leave_crash_behind(&dir.path.join("d"), current_mode);
            let ran = run(&program, &dir.path, args, b"x\n");
            seen.push((ran.code, ran.stderr, shape(&dir.path.join("d"))));
        }
        assert_eq!(seen[0], seen[1], "current mode {current_mode:o}, {args:?}");
    }
}

#[test]
fn log_directories_pass_between_ours_and_the_original() {
    let orders = [
        [ours(&host(), "multilog"), original("multilog")],
        [original("multilog"), ours(&host(), "multilog")],
    ];
    for [first, second] in orders {
        // A clean hand-over: the second continues `current`.
        let dir = ServiceDir::new("multilog-interop", None);
        assert_eq!(
            run(&first, &dir.path, &["s4096", "./d"], &lines(30)).code,
            Some(0)
        );
        assert_eq!(
            run(&second, &dir.path, &["s4096", "./d"], &lines(30)).code,
            Some(0)
        );
        let both = [lines(30), lines(30)].concat();
        assert_eq!(
            logged(&dir.path.join("d")),
            both,
            "{} then {}",
            first.label,
            second.label
        );

        // After a kill -9 the second keeps the first's lines as a `.u` archive.
        let dir = ServiceDir::new("multilog-interop-kill", None);
        let mut child = start(&first, &dir.path, &["./d"]);
        child
            .stdin
            .as_mut()
            .unwrap()
            .write_all(b"before the kill\n")
            .unwrap();
        wait_until("the line is written", Duration::from_secs(10), || {
            std::fs::read(dir.path.join("d/current")).is_ok_and(|c| c == b"before the kill\n")
        });
        kill(child.id(), libc::SIGKILL);
        let _ = child.wait();
        assert_eq!(run(&second, &dir.path, &["./d"], b"after\n").code, Some(0));
        let files = shape(&dir.path.join("d"));
        assert_eq!(files["@1.u"].1, b"before the kill\n", "{}", second.label);
        assert_eq!(files["current"], (0o744, b"after\n".to_vec()));
    }
}

#[test]
fn the_original_tai64nlocal_reads_our_labels() {
    let dir = ServiceDir::new("multilog-labels", None);
    let ran = run(
        &ours(&host(), "multilog"),
        &dir.path,
        &["t", "./d"],
        b"hello\n",
    );
    assert_eq!(ran.code, Some(0));
    let current = std::fs::read(dir.path.join("d/current")).unwrap();
    let local = original("tai64nlocal").filter(&[("TZ", "UTC")], &current);
    let text = String::from_utf8(local).unwrap();
    // 2026-11-25 06:00:00.123456789 hello
    assert_eq!(text.len(), 36, "{text:?}");
    assert!(
        text.starts_with("20") && text.ends_with(" hello\n"),
        "{text:?}"
    );
}

#[test]
fn a_processor_gets_previous_and_state_and_is_retried_until_it_succeeds() {
    let dir = ServiceDir::new("multilog-processor", None);
    // Counts its runs in `state`; fails the first time it sees state 1.
    let processor = "!tr x y; n=$(cat <&4); n=${n:-0}; \
                     if [ \"$n\" = 1 ] && [ ! -e ../failed ]; then touch ../failed; exit 1; fi; \
                     echo $((n + 1)) >&5";
    let input = lines(45);
    let ran = run(
        &ours(&host(), "multilog"),
        &dir.path,
        &["s4096", processor, "./d"],
        &input,
    );
    assert_eq!(ran.code, Some(0));
    assert_eq!(
        ran.stderr,
        "multilog: warning: processor failed in ./d, pausing\n"
    );
    let files = shape(&dir.path.join("d"));
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["@1.s", "@2.s", "current", "lock", "state"]);
    assert_eq!(files["state"].1, b"2\n");
    assert_eq!(files["@1.s"].0, 0o744);
    let processed = [&files["@1.s"].1[..], &files["@2.s"].1, &files["current"].1].concat();
    let expected: Vec<u8> = input
        .iter()
        .map(|&c| if c == b'x' { b'y' } else { c })
        .collect();
    assert_eq!(&processed[..4200], &expected[..4200]);
    assert_eq!(
        &processed[4200..],
        &input[4200..],
        "current is not processed"
    );
}

#[test]
fn alarm_rotates_at_the_line_end_and_term_finishes_the_line() {
    let dir = ServiceDir::new("multilog-signals", None);
    let mut child = start(&ours(&host(), "multilog"), &dir.path, &["./d"]);
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let d = dir.path.join("d");
    let archived = |d: &Path| -> Vec<Vec<u8>> {
        let files = shape(d);
        files
            .iter()
            .filter(|(k, _)| k.starts_with('@'))
            .map(|(_, v)| v.1.clone())
            .collect()
    };
    stdin.write_all(b"line1\npart").unwrap();
    wait_until("line1", Duration::from_secs(10), || {
        std::fs::read(d.join("current")).is_ok_and(|c| c.starts_with(b"line1\n"))
    });
    kill(pid, libc::SIGALRM);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        archived(&d).is_empty(),
        "the line in progress holds the rotation"
    );
    stdin.write_all(b"ial\nnext\n").unwrap();
    wait_until("the rotation", Duration::from_secs(10), || {
        !archived(&d).is_empty()
    });
    assert_eq!(archived(&d), [b"line1\npartial\n".to_vec()]);
    kill(pid, libc::SIGALRM);
    wait_until("the second rotation", Duration::from_secs(10), || {
        archived(&d).len() == 2
    });
    kill(pid, libc::SIGALRM); // current is empty: nothing to rotate
    stdin.write_all(b"half").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    kill(pid, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "TERM waits for the line's end"
    );
    stdin.write_all(b"line\nafter\n").unwrap();
    let ran = finish(child);
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    assert_eq!(archived(&d).len(), 2);
    assert_eq!(shape(&d)["current"], (0o744, b"halfline\nafter\n".to_vec()));
}

#[test]
fn a_full_disk_pauses_the_log_and_loses_nothing() {
    let dir = ServiceDir::new("multilog-full", None);
    let fs = dir.path.join("fs");
    std::fs::create_dir(&fs).unwrap();
    let unmount = mount_tmpfs(&fs, "size=1m").expect("this test needs root to mount a small tmpfs");
    std::fs::write(fs.join("filler"), vec![0u8; 960 * 1024]).unwrap();
    // 500 kB: more than the free space, the pipe, the input buffer and the rings.
    let input = lines(5_000);
    let mut child = start(&ours(&host(), "multilog"), &fs, &["s16384", "n1000", "./d"]);
    let mut stdin = child.stdin.take().unwrap();
    let feed = input.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&feed).is_ok());
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut first).unwrap();
    assert_eq!(
        first,
        "multilog: warning: unable to write to ./d/current, pausing: out of disk space\n"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !writer.is_finished(),
        "input is not read while the disk is full"
    );
    std::fs::remove_file(fs.join("filler")).unwrap();
    assert!(writer.join().unwrap());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(logged(&fs.join("d")), input, "every line once, in order");
    drop(unmount);
}

/// Mounts a tmpfs with `options` on the directory `at`; `None` if that fails (not root).
fn mount_tmpfs(at: &Path, options: &str) -> Option<Unmount> {
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status()
        .expect("mount");
    mounted.success().then(|| Unmount(at.to_path_buf()))
}

/// Unmounts a test's tmpfs, also when the test fails.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_line_longer_than_every_buffer_is_cut_at_the_size_and_kept_whole() {
    let mut input = vec![b'y'; 300_000];
    input.extend(b"\nafter\n");
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-long", None);
        let ran = run(&program, &dir.path, &["s4096", "n1000", "./d"], &input);
        assert_eq!(ran.code, Some(0), "{}", program.label);
        assert_eq!(logged(&dir.path.join("d")), input, "{}", program.label);
        let files = shape(&dir.path.join("d"));
        let sizes: Vec<usize> = files
            .iter()
            .filter(|(k, _)| k.starts_with('@'))
            .map(|(_, v)| v.1.len())
            .collect();
        assert_eq!(sizes.len(), 73, "{}", program.label);
        assert!(
            sizes.iter().all(|&s| s == 4096),
            "{}: {sizes:?}",
            program.label
        );
    }
}

#[test]
fn a_hanging_processor_holds_the_input_back_and_loses_nothing() {
    let dir = ServiceDir::new("multilog-hang", None);
    // Hangs until ../go exists, then passes previous through unchanged.
    let processor = "!touch ../started; while [ ! -e ../go ]; do sleep 0.05; done; cat";
    // 500 kB: more than the pipe, the input buffer and the ring hold.
    let input = lines(5_000);
    let mut child = start(
        &ours(&host(), "multilog"),
        &dir.path,
        &["s4096", "n1000", processor, "./d"],
    );
    let mut stdin = child.stdin.take().unwrap();
    let feed = input.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&feed).is_ok());
    wait_until("the processor", Duration::from_secs(10), || {
        dir.path.join("started").exists()
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !writer.is_finished(),
        "input is not read while the processor runs"
    );
    std::fs::write(dir.path.join("go"), "").unwrap();
    assert!(writer.join().unwrap());
    let ran = finish(child);
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    assert_eq!(
        logged(&dir.path.join("d")),
        input,
        "every line once, in order"
    );
}

#[test]
fn a_current_closed_cleanly_on_a_noexec_mount_is_continued_like_the_original() {
    let dir = ServiceDir::new("multilog-noexec", None);
    let fs = dir.path.join("fs");
    std::fs::create_dir(&fs).unwrap();
    // /run, a hardened /var/log: nothing there may be executed, whatever its mode.
    let Some(unmount) = mount_tmpfs(&fs, "size=2m,noexec") else {
        eprintln!("skipped: mounting a noexec tmpfs needs root");
        return;
    };
    let input = lines(1000);
    for (program, name) in [
        (ours(&host(), "multilog"), "ours"),
        (original("multilog"), "original"),
    ] {
        let log = format!("./{name}");
        // Three restarts: each run continues the `current` the last one closed cleanly.
        for part in input.chunks(input.len() / 4) {
            let ran = run(&program, &fs, &["s1000000", &log], part);
            assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
        }
        let files = shape(&fs.join(name));
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["current", "lock", "state"], "{}", program.label);
        assert_eq!(
            files["current"],
            (0o744, input.clone()),
            "{}",
            program.label
        );
    }
    drop(unmount);
}

#[test]
fn a_processor_run_finished_before_a_crash_is_kept_like_the_original() {
    // A crash after the processor's output was made final (`processed`, mode 0744) and
    // `previous` was removed, before `newstate` became `state` and `processed` an archive;
    // then the same with `previous` still there (the processor has consumed it).
    for with_previous in [false, true] {
        let mut seen = Vec::new();
        for program in [ours(&host(), "multilog"), original("multilog")] {
            let dir = ServiceDir::new("multilog-processed", None);
            let d = dir.path.join("d");
            if with_previous {
                leave_crash_behind(&d, 0o644);
            } else {
                std::fs::create_dir(&d).unwrap();
                std::fs::write(d.join("processed"), "proc\n").unwrap();
                std::fs::write(d.join("current"), "cur\n").unwrap();
                std::fs::write(d.join("state"), "").unwrap();
            }
            std::fs::set_permissions(d.join("processed"), std::fs::Permissions::from_mode(0o744))
                .unwrap();
            let ran = run(&program, &dir.path, &["!cat", "./d"], b"x\n");
            seen.push((ran.code, ran.stderr, shape(&d)));
        }
        assert_eq!(seen[0], seen[1], "previous left: {with_previous}");
        let files = &seen[0].2;
        assert_eq!(files["@1.s"], (0o744, b"proc\n".to_vec()), "processed kept");
        assert_eq!(files["@2.u"].1, b"cur\n");
    }
}

#[test]
fn a_file_archived_before_a_crash_is_not_archived_twice_like_the_original() {
    // A crash between linking `previous` to its archive name and removing it.
    let mut seen = Vec::new();
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-linked", None);
        let d = dir.path.join("d");
        std::fs::create_dir(&d).unwrap();
        let archive = d.join("@400000005f00000000000000.s");
        std::fs::write(&archive, "prev\n").unwrap();
        std::fs::set_permissions(&archive, std::fs::Permissions::from_mode(0o744)).unwrap();
        std::fs::hard_link(&archive, d.join("previous")).unwrap();
        std::fs::write(d.join("current"), "cur\n").unwrap();
        std::fs::write(d.join("state"), "").unwrap();
        let ran = run(&program, &dir.path, &["./d"], b"x\n");
        assert!(
            archive.exists(),
            "{}: the archive keeps its name",
            program.label
        );
        seen.push((ran.code, ran.stderr, shape(&d)));
    }
    assert_eq!(seen[0], seen[1]);
    let names: Vec<&str> = seen[0].2.keys().map(String::as_str).collect();
    assert_eq!(names, ["@1.s", "@2.u", "current", "lock", "state"]);
    assert_eq!(seen[0].2["@1.s"].1, b"prev\n", "once, under its first name");
}

#[test]
fn modes_do_not_depend_on_the_umask_as_in_the_original() {
    // Under umask 077 the original's `state` (and what its processor makes) stay 0644.
    let mut seen = Vec::new();
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-umask", None);
        // Rotated through the processor, then once more after a crash.
        let args = ["s4096", "!cat; touch ../made", "./d", "=st"];
        for input in [lines(30), lines(1)] {
            let ran = run_as(
                &program,
                &dir.path,
                &args,
                &input,
                || {
                    // SAFETY: umask(2) is async-signal-safe and cannot fail.
                    unsafe { libc::umask(0o077) };
                    Ok(())
                },
                Duration::from_secs(60),
            );
            assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
            // The next start finds an unclean `current`.
            let current = dir.path.join("d/current");
            std::fs::set_permissions(&current, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mut modes: Vec<(String, u32)> = shape(&dir.path)
            .into_iter()
            .map(|(name, (mode, _))| (name, mode))
            .collect();
        modes.extend(
            shape(&dir.path.join("d"))
                .into_iter()
                .map(|(name, (mode, _))| (format!("d/{name}"), mode)),
        );
        seen.push(modes);
    }
    assert_eq!(seen[0], seen[1], "ours, then the original");
    assert!(
        seen[0].contains(&("d/state".to_string(), 0o644)),
        "{:?}",
        seen[0]
    );
}

#[test]
fn a_fifo_for_a_status_file_or_lock_never_blocks_like_the_original() {
    let quick = Duration::from_secs(10);
    for (args, fifo, message) in [
        (
            &["=st"][..],
            "st",
            "multilog: fatal: unable to create st: device not configured\n",
        ),
        (
            &["./d"][..],
            "d/lock",
            "multilog: fatal: unable to lock directory ./d: device not configured\n",
        ),
    ] {
        for program in [ours(&host(), "multilog"), original("multilog")] {
            let dir = ServiceDir::new("multilog-fifo", None);
            std::fs::create_dir(dir.path.join("d")).unwrap();
            make_fifo(&dir.path.join(fifo));
            // Nobody reads the FIFO: opening it to write would wait for ever.
            let ran = run_as(&program, &dir.path, args, b"x\n", || Ok(()), quick);
            assert_eq!(
                (ran.code, ran.stderr.as_str()),
                (Some(111), message),
                "{}",
                program.label
            );
        }
    }
    // With a reader the lock FIFO opens without waiting and serves as a lock.
    let mut seen = Vec::new();
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-fifo-read", None);
        let fifo = dir.path.join("d/lock");
        std::fs::create_dir(dir.path.join("d")).unwrap();
        let _reader = fifo_with_reader(&fifo);
        let ran = run_as(&program, &dir.path, &["./d"], b"x\n", || Ok(()), quick);
        let current = std::fs::read(dir.path.join("d/current")).unwrap();
        seen.push((ran.code, ran.stderr, current));
    }
    assert_eq!(seen[0], seen[1], "ours, then the original");
    assert_eq!(seen[0].0, Some(0));
    // A status FIFO with a reader never takes the padded status: refused at once (the
    // original pauses on it for ever, deaf to TERM).
    let dir = ServiceDir::new("multilog-fifo-status", None);
    let fifo = dir.path.join("st");
    let _reader = fifo_with_reader(&fifo);
    let ours = ours(&host(), "multilog");
    let ran = run_as(&ours, &dir.path, &["=st"], b"x\n", || Ok(()), quick);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (
            Some(111),
            "multilog: fatal: unable to create st: not a regular file\n"
        )
    );
}

/// Makes a FIFO at `path` and opens it for reading (without waiting for a writer).
fn fifo_with_reader(path: &Path) -> std::fs::File {
    make_fifo(path);
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .unwrap()
}

/// Makes a FIFO at `path`.
fn make_fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
}

#[test]
fn a_closed_stdin_ends_the_log_like_the_original() {
    let mut seen = Vec::new();
    for program in [ours(&host(), "multilog"), original("multilog")] {
        let dir = ServiceDir::new("multilog-nostdin", None);
        let ran = run_as(
            &program,
            &dir.path,
            &["t", "./d"],
            b"",
            || {
                // SAFETY: close(2) is async-signal-safe; descriptor 0 is the child's own.
                unsafe { libc::close(0) };
                Ok(())
            },
            Duration::from_secs(10),
        );
        seen.push((ran.code, ran.stderr, shape(&dir.path.join("d"))));
    }
    assert_eq!(seen[0], seen[1], "ours, then the original");
    assert_eq!(seen[0].0, Some(0));
}
