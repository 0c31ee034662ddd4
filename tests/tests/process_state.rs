//! setuidgid, envuidgid, envdir, softlimit, setlock, pgrphack, fghack: the same output,
//! messages and exit codes as Debian's originals, for good and bad input, with ours run
//! natively and under qemu (armv7, mips big-endian) and the originals natively.

use dt_tests::service::ServiceDir;
use dt_tests::{Program, full_targets, original, ours};
use std::time::{Duration, Instant};

/// (exit code, stdout, stderr) of `tool args` run by `sh -c` in `dir`: `TOOL` in the
/// script stands for the program (ours with its qemu runner, or the original).
fn run(program: &Program, dir: &std::path::Path, script: &str) -> (Option<i32>, String, String) {
    let tool = match &program.runner {
        Some(runner) => format!("{runner} {}", program.path.display()),
        None => program.path.display().to_string(),
    };
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script.replace("TOOL", &tool))
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("KEEP", "kept")
        .output()
        .expect("sh");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Lines sorted (for `env` output, whose order is not part of the contract), without
/// `PWD` (each run has its own scratch directory).
fn sorted(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("PWD=")).collect();
    lines.sort();
    lines.join("\n")
}

/// Runs every script with ours on each full target and with the original; the results
/// must be equal (stdout compared sorted when `sort` is set).
fn same_as_original(tool: &str, setup: impl Fn(&std::path::Path), scripts: &[&str], sort: bool) {
    on_targets(full_targets(), tool, setup, scripts, sort);
}

/// [`same_as_original`] on the given targets.
fn on_targets(
    targets: Vec<dt_tests::Target>,
    tool: &str,
    setup: impl Fn(&std::path::Path),
    scripts: &[&str],
    sort: bool,
) {
    for target in targets {
        for script in scripts {
            let mut seen = Vec::new();
            for program in [ours(&target, tool), original(tool)] {
                let dir = ServiceDir::new(tool, None);
                setup(&dir.path);
                let (code, out, err) = run(&program, &dir.path, script);
                seen.push((code, if sort { sorted(&out) } else { out }, err));
            }
            assert_eq!(
                seen[0], seen[1],
                "{script} ({}): ours, then the original",
                target.triple
            );
        }
    }
}

#[test]
fn setuidgid_as_the_original() {
    same_as_original(
        "setuidgid",
        |_| {},
        &[
            "TOOL",
            "TOOL nobody",
            "TOOL nosuchuser true",
            "TOOL nobody id",
            "TOOL root id -G",
            "TOOL nobody /nonexistent",
            // The scratch directory is root's (mode 0755): nobody may not write there.
            "TOOL nobody sh -c 'echo $KEEP; touch x 2>/dev/null || echo refused'",
            "TOOL '' true",
        ],
        false,
    );
}

#[test]
fn envuidgid_as_the_original() {
    same_as_original(
        "envuidgid",
        |_| {},
        &[
            "TOOL",
            "TOOL nobody",
            "TOOL nosuchuser env",
            "TOOL nobody env",
            "UID=5 GID=6 TOOL daemon env",
            "TOOL nobody /nonexistent",
        ],
        true,
    );
}

#[test]
fn envdir_as_the_original() {
    let setup = |dir: &std::path::Path| {
        let env = dir.join("env");
        std::fs::create_dir(&env).unwrap();
        for (name, text) in [
            ("PLAIN", &b"value\nsecond line\n"[..]),
            ("KEEP", b""), // removes an inherited variable
            ("ABSENT", b""),
            ("BLANKS", b"trailing \t \t\n"),
            ("LEADING", b"  kept\n"),
            ("NULS", b"a\0b\0\n"),
            ("EMPTYLINE", b"\n"),
            ("NOEOL", b"no newline  "),
            (".HIDDEN", b"not read\n"),
            ("LONG", &[b'x'; 20_000]),
        ] {
            std::fs::write(env.join(name), text).unwrap();
        }
        std::fs::create_dir(dir.join("bad")).unwrap();
        std::fs::create_dir(dir.join("bad/sub")).unwrap();
    };
    same_as_original(
        "envdir",
        setup,
        &[
            "TOOL",
            "TOOL env",
            "TOOL env env",
            "TOOL ./env env",
            "TOOL nope env",
            "TOOL bad env",
            "TOOL env /nonexistent",
            "TOOL env sh -c 'printf %s \"$NULS\" | od -c'",
        ],
        true,
    );
}

#[test]
fn softlimit_as_the_original() {
    same_as_original(
        "softlimit",
        |_| {},
        &[
            "TOOL",
            "TOOL -m",
            "TOOL -m abc true",
            "TOOL -m 12k true",
            "TOOL -z 1 true",
            "TOOL -o 17",
            "TOOL -o 17 sh -c 'ulimit -n'",
            "TOOL -o17 -p 50 sh -c 'ulimit -n -u'",
            "TOOL -o = sh -c 'ulimit -n'",
            "TOOL -l 65536 sh -c 'ulimit -l'",
            // 8 GiB: a 64-bit limit, also on the 32-bit targets.
            "TOOL -c 0 -f 8589934592 -r 1000000 -t 60 sh -c 'ulimit -c -f -m -t'",
            "ulimit -H -n 100; TOOL -o 1000 sh -c 'ulimit -n; ulimit -H -n'",
            "TOOL -o 10 /nonexistent",
            // Any argument starting with -- ends the options (0.76's subgetopt).
            "TOOL -o 12 --x sh -c 'ulimit -n'",
        ],
        false,
    );
}

/// qemu-user does not pass limits on address space, data and stack to the kernel (they
/// would bind the emulator), so those are compared natively only.
#[test]
fn softlimit_memory_limits_as_the_original() {
    on_targets(
        vec![dt_tests::host()],
        "softlimit",
        |_| {},
        &[
            "TOOL -m 100000000 sh -c 'ulimit -d -s -l -v'",
            "TOOL -a 200000000 -d 90000000 -s 1000000 sh -c 'ulimit -v -d -s'",
            "TOOL -m = sh -c 'ulimit -d -s -l -v'",
        ],
        false,
    );
}

#[test]
fn setlock_as_the_original() {
    same_as_original(
        "setlock",
        |_| {},
        &[
            "TOOL",
            "TOOL lk",
            "TOOL -z lk true",
            "TOOL lk sh -c 'echo locked'; ls -l lk | cut -c1-10",
            "TOOL -n lk true; echo $?",
            "TOOL no/such/dir true",
            "TOOL -x no/such/dir true",
            "TOOL -xX no/such/dir true",
            "TOOL lk /nonexistent",
            "TOOL -n --anything lk echo ran",
            // The child holds the lock: a second setlock -n fails while it runs.
            "TOOL lk sleep 1 & sleep 0.3; TOOL -n lk echo got; echo $?; TOOL -nx lk echo got; \
             echo $?; wait; TOOL -n lk echo free",
            // Without -n the second waits for the first.
            "TOOL lk sh -c 'sleep 0.5; echo first' & sleep 0.2; TOOL lk echo second; wait",
        ],
        false,
    );
}

#[test]
fn pgrphack_as_the_original() {
    same_as_original(
        "pgrphack",
        |_| {},
        &[
            "TOOL",
            "TOOL /nonexistent",
            "TOOL TOOL true; echo $?",
            "TOOL sh -c 'set -- $(ps -o pid= -o pgid= -o sid= -p $$); \
             [ $1 = $2 ] && [ $1 = $3 ] && echo leader'",
        ],
        false,
    );
}

#[test]
fn fghack_as_the_original() {
    same_as_original(
        "fghack",
        |_| {},
        &[
            "TOOL",
            "TOOL /nonexistent",
            "TOOL sh -c 'exit 3'",
            "TOOL sh -c 'echo out; kill -9 $$'",
            "TOOL sh -c 'ls /proc/self/fd | wc -l'",
        ],
        false,
    );
    // A daemon that backgrounds itself: fghack waits for it, not just for the parent.
    for program in [ours(&full_targets()[0], "fghack"), original("fghack")] {
        let dir = ServiceDir::new("fghack-daemon", None);
        let started = Instant::now();
        let (code, _, _) = run(
            &program,
            &dir.path,
            "TOOL sh -c '(sleep 1; echo done > d) & exit 0'",
        );
        assert_eq!(code, Some(0));
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{}",
            program.label
        );
        assert!(dir.path.join("d").exists());
    }
}

#[test]
fn accounts_come_from_passwd_lines_as_the_c_library_reads_them() {
    // A private mount namespace shows both tools a passwd of awkward lines.
    let dir = ServiceDir::new("passwd", None);
    let mut passwd = String::from("root:x:0:0:root:/root:/bin/sh\n");
    passwd += &format!("long:x:1:1:{}:/h:/s\n", "g".repeat(5000));
    passwd += "short:x:2:2:g:/h\n";
    passwd += "bad:x:3x:3:g:/h:/s\n";
    passwd += "+nis:x:4:4:g:/h:/s\n";
    passwd += "dup:x:5:5:g:/h:/s\ndup:x:6:6:g:/h:/s\n";
    passwd += "big:x:4294967295:7:g:/h:/s\n";
    passwd += "huge:x:4294967296:7:g:/h:/s\n";
    passwd += "four:x:9:10\n  lead:x:11:11:g:/h:/s\n#hash:x:12:12:g:/h:/s\n";
    passwd += "signs:x:+13: 14:g:/h:/s\nneg:x:-1:15:g:/h:/s\nmzero:x:-0:16:g:/h:/s\n";
    passwd += "blank:x:17 :17:g:/h:/s\n\n   \n";
    // Longer than our 16 KiB line buffer: skipped (glibc reads it); the next is found.
    passwd += &format!("verylong:x:18:18:{}:/h:/s\n", "g".repeat(20_000));
    passwd += "afterlong:x:19:19:g:/h:/s\n";
    passwd += "last:x:8:8:g:/h:/s";
    std::fs::write(dir.path.join("passwd"), passwd).unwrap();
    for target in full_targets() {
        for name in [
            "root",
            "long",
            "short",
            "bad",
            "nis",
            "+nis",
            "dup",
            "big",
            "huge",
            "four",
            "lead",
            "#hash",
            "signs",
            "neg",
            "mzero",
            "blank",
            "afterlong",
            "last",
            "",
        ] {
            let mut seen = Vec::new();
            for program in [ours(&target, "envuidgid"), original("envuidgid")] {
                let script = format!(
                    "unshare -m sh -c 'mount --bind passwd /etc/passwd && \
                     TOOL {name} sh -c \"echo \\$UID \\$GID\"'"
                );
                seen.push(run(&program, &dir.path, &script));
            }
            assert_eq!(seen[0], seen[1], "account {name} ({})", target.triple);
        }
        let script = "unshare -m sh -c 'mount --bind passwd /etc/passwd && TOOL verylong true'";
        let (code, _, err) = run(&ours(&target, "envuidgid"), &dir.path, script);
        assert_eq!(
            (code, err.as_str()),
            (Some(111), "envuidgid: fatal: unknown account verylong\n")
        );
    }
}

/// Where ours is stricter than the original, on purpose (see the man pages).
#[test]
fn bounds_and_values_the_original_misreads() {
    let host = dt_tests::host();
    let dir = ServiceDir::new("bounds", None);
    let write_env = |name: &str, files: &[(String, Vec<u8>)]| {
        let env = dir.path.join(name);
        std::fs::create_dir(&env).unwrap();
        for (file, text) in files {
            std::fs::write(env.join(file), text).unwrap();
        }
    };
    write_env("long", &[("BIG".into(), vec![b'x'; 40_000])]);
    let three = (0..3).map(|i| (format!("V{i}"), vec![b'y'; 30_000]));
    write_env("full", &three.collect::<Vec<_>>());
    let many = (0..1100).map(|i| (format!("W{i}"), b"z".to_vec()));
    write_env("many", &many.collect::<Vec<_>>());
    let usage = "softlimit: usage: softlimit [-a allbytes]";
    for (tool, script, code, stderr) in [
        (
            "envdir",
            "TOOL long true",
            111,
            "envdir: fatal: unable to read long/BIG: file too big",
        ),
        (
            "envdir",
            "TOOL full true",
            111,
            "envdir: fatal: unable to set V2: environment too large",
        ),
        (
            "envdir",
            "TOOL many true",
            111,
            "envdir: fatal: unable to run true: argument list too long",
        ),
        // The original reads an empty value as 0 and wraps numbers past 2^64.
        ("softlimit", "TOOL -o '' true", 100, usage),
        (
            "softlimit",
            "ulimit -n 300; TOOL -o 18446744073709551617 sh -c 'ulimit -n'",
            0,
            "",
        ),
    ] {
        let (got_code, out, err) = run(&ours(&host, tool), &dir.path, script);
        assert_eq!(got_code, Some(code), "{script}: {err}");
        assert!(
            err.starts_with(stderr) && (stderr.is_empty() == err.is_empty()),
            "{script}: {err}"
        );
        if code == 0 {
            assert_eq!(out, "300\n", "{script}");
        }
    }
    // The original takes all three directories.
    for name in ["long", "full", "many"] {
        let (code, _, err) = run(&original("envdir"), &dir.path, &format!("TOOL {name} true"));
        assert_eq!(code, Some(0), "original envdir {name}: {err}");
    }
}
