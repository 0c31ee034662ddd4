//! Every tool on every one of the nine targets, under qemu-user where needed: a quick
//! end-to-end run whose labels must match the host clock (catches byte-order bugs).

use dt_core::tai64::{Scan, scan_label};
use dt_tests::{all_targets, original, ours, unix_now};

#[test]
fn timestamp_tools_on_every_target() {
    for target in all_targets() {
        let t0 = unix_now();
        let labelled = ours(&target, "tai64n").filter(&[], b"alpha\nbeta");
        let t1 = unix_now();
        let lines: Vec<&[u8]> = labelled.split_inclusive(|&c| c == b'\n').collect();
        assert_eq!(lines.len(), 2, "{}", target.triple);
        for (line, body) in lines.iter().zip([&b" alpha\n"[..], b" beta"]) {
            let Scan::Label { stamp, len: 25 } = scan_label(line, true) else {
                panic!("{}: no label", target.triple)
            };
            assert!(
                (t0 - 1..=t1 + 1).contains(&stamp.unix_secs()),
                "{}: clock or byte order",
                target.triple
            );
            assert_eq!(&line[25..], body);
        }
        let local = ours(&target, "tai64nlocal").filter(
            &[("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")],
            b"@4000000065fb8e2a1dcd6500 x\n",
        );
        assert_eq!(
            local, b"2024-03-21 02:32:16.500000000 x\n",
            "{}",
            target.triple
        );
        let frac = ours(&target, "tai64nfrac").filter(&[], b"@4000000065fb8e2a1dcd6500 x\n");
        assert_eq!(frac, b"1710984736.500000000 x\n", "{}", target.triple);
    }
}

/// The process-state tools on every target: each one's syscalls (ids, limits, locks,
/// sessions, the environment) take effect in the child, a host shell.
#[test]
fn process_state_tools_on_every_target() {
    let dir = std::env::temp_dir().join(format!("dt-smoke-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("env")).unwrap();
    std::fs::write(dir.join("env/GREETING"), "hello  \nignored\n").unwrap();
    let env = dir.join("env");
    let lock = dir.join("lock");
    let (env, lock) = (env.to_str().unwrap(), lock.to_str().unwrap());
    for target in all_targets() {
        let sh = |tool: &str, args: &[&str], script: &str| {
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["sh", "-c", script]);
            let out = ours(&target, tool).run(&all, &[], b"");
            assert_eq!(
                out.code,
                Some(0),
                "{tool} ({}): {}",
                target.triple,
                out.stderr_text()
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let t = &target.triple;
        assert_eq!(
            sh("setuidgid", &["nobody"], "id -u; id -G"),
            "65534\n65534\n",
            "{t}"
        );
        assert_eq!(
            sh("envuidgid", &["nobody"], "echo $UID $GID"),
            "65534 65534\n",
            "{t}"
        );
        assert_eq!(sh("envdir", &[env], "echo \"$GREETING\""), "hello\n", "{t}");
        let limits = "ulimit -n; ulimit -c";
        assert_eq!(
            sh("softlimit", &["-o", "17", "-c", "0"], limits),
            "17\n0\n",
            "{t}"
        );
        let held = format!("flock -n {lock} true || echo held");
        assert_eq!(sh("setlock", &["-n", lock], &held), "held\n", "{t}");
        let leader = "[ $(ps -o sid= -p $$) = $$ ] && echo leader";
        assert_eq!(sh("pgrphack", &[], leader), "leader\n", "{t}");
        assert_eq!(
            sh("fghack", &[], "(sleep 0.2; echo late) & echo early"),
            "early\nlate\n",
            "{t}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The texts of errno values whose numbers differ between architectures (ENAMETOOLONG and
/// ELOOP are 78 and 90 on MIPS, 36 and 40 elsewhere) on every target, word for word as
/// the original says them: the errno table is packed at build time from each target's
/// own values.
#[test]
fn errno_texts_that_differ_by_architecture_on_every_target() {
    let dir = dt_tests::service::ServiceDir::new("errno", None);
    let looping = dir.path.join("loop");
    std::os::unix::fs::symlink(&looping, &looping).unwrap();
    let looping = looping.to_str().unwrap().to_string();
    let too_long = format!("{}/{}", dir.path.display(), "x".repeat(300));
    for path in [&looping, &too_long] {
        let want = original("envdir").run(&[path, "true"], &[], b"");
        assert_eq!(want.code, Some(111));
        assert!(
            want.stderr_text().ends_with(": symbolic link loop\n")
                || want.stderr_text().ends_with(": file name too long\n"),
            "{}",
            want.stderr_text()
        );
        for target in all_targets() {
            let got = ours(&target, "envdir").run(&[path, "true"], &[], b"");
            assert_eq!(
                (got.code, got.stderr_text()),
                (want.code, want.stderr_text()),
                "{}",
                target.triple
            );
        }
    }
}
