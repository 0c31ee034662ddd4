//! Every tool's common path under a 32 KiB stack limit (`prlimit --stack=32768`), as
//! daemontools 0.76 runs: big buffers live in static memory (`platform::buffer`), not on
//! the stack. Ours run natively (qemu-user does not give the guest the host's stack
//! limit); each script also runs with Debian's originals where they exist, to prove the
//! script itself (its `sh`, `printenv`, `sleep`) works at that limit.

use dt_tests::service::ServiceDir;
use dt_tests::{dist_dir, host, ours, root_or_skip};
use std::path::Path;

/// The limit, in bytes.
const STACK: u32 = 32 * 1024;

/// Runs `script` under `sh` in a scratch directory holding `in` (1000 lines of 100
/// bytes) with `$T` the directory of the tools and `$S` the command that runs one
/// under the stack limit, `PATH` starting with `$T` (svscan starts `supervise` from it).
/// Returns (exit code, stdout, stderr).
fn run(tools: &Path, tag: &str, script: &str) -> (Option<i32>, String, String) {
    let dir = ServiceDir::new(tag, None);
    let line = [b'x'; 99].iter().chain(b"\n").copied().collect::<Vec<u8>>();
    std::fs::write(dir.path.join("in"), line.repeat(1000)).expect("input");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&dir.path)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", tools.display()))
        .env("T", tools)
        .env("S", format!("prlimit --stack={STACK}"))
        .output()
        .expect("sh");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `script` must print `expected` and exit 0 with our tools, and with the originals
/// when `original` (the originals' result is checked first: it validates the script).
fn case(tool: &str, script: &str, expected: &str, original: bool) {
    if original {
        let got = run(Path::new("/usr/bin"), tool, script);
        assert_eq!(
            (got.0, got.1.as_str()),
            (Some(0), expected),
            "original {tool} at {STACK} bytes of stack: stderr {}",
            got.2
        );
    }
    let _ = ours(&host(), tool); // "build first" if missing
    let got = run(&dist_dir(&host().triple), tool, script);
    assert_eq!(
        (got.0, got.1.as_str()),
        (Some(0), expected),
        "our {tool} at {STACK} bytes of stack: stderr {}",
        got.2
    );
}

#[test]
fn timestamp_filters() {
    case("tai64n", "$S $T/tai64n < in | wc -l", "1000\n", true);
    let filter = |tool| format!("$T/tai64n < in | $S $T/{tool} | grep -c xxxx$");
    case("tai64nlocal", &filter("tai64nlocal"), "1000\n", true);
    case("tai64nfrac", &filter("tai64nfrac"), "1000\n", false); // not in 0.76
}

#[test]
fn envdir_with_a_large_value() {
    let script = "mkdir env && head -c 16000 in | tr -d '\\n' > env/BIG && \
                  $S $T/envdir env printenv BIG | wc -c";
    case("envdir", script, "15841\n", true);
}

#[test]
fn process_state_tools_run_their_child() {
    case(
        "softlimit",
        "$S $T/softlimit -o 64 sh -c 'ulimit -n'",
        "64\n",
        true,
    );
    case(
        "setlock",
        "$S $T/setlock lock echo locked",
        "locked\n",
        true,
    );
    case("pgrphack", "$S $T/pgrphack echo ok", "ok\n", true);
    case("fghack", "$S $T/fghack echo ok", "ok\n", true);
    case(
        "envuidgid",
        "$S $T/envuidgid root printenv UID",
        "0\n",
        true,
    );
    if root_or_skip("setuidgid at 32 KiB", "change ids") {
        case("setuidgid", "$S $T/setuidgid nobody id -u", "65534\n", true);
    }
}

#[test]
fn readproctitle_reads_its_input() {
    case(
        "readproctitle",
        "$S $T/readproctitle x ..... < in && echo done",
        "done\n",
        true,
    );
}

/// Waits (5 s at most) until `$1` has a running supervise; in every script below.
const UNTIL_UP: &str = "up() { for i in $(seq 50); do $T/svok $1 && return; sleep 0.1; done; }";

#[test]
fn supervise_svok_svstat_svc() {
    let script = format!(
        "{UNTIL_UP}
         mkdir s && printf '#!/bin/sh\\nexec sleep 100\\n' > s/run && chmod +x s/run
         $S $T/supervise s & up s; sleep 1
         $S $T/svok s && echo ok
         $S $T/svstat s | sed 's/(pid [0-9]*) [0-9]* seconds*$//'
         $S $T/svc -dx s; wait $! && echo exited"
    );
    case("supervise", &script, "ok\ns: up \nexited\n", true);
}

/// Ours only (the original has no waits): `svc -w`, its FIFO and its status read.
#[test]
fn svc_waits() {
    let script = format!(
        "{UNTIL_UP}
         mkdir s && printf '#!/bin/sh\\nexec sleep 100\\n' > s/run && chmod +x s/run
         $S $T/supervise s & up s
         $S $T/svc -wu -T 5000 s && echo up
         $S $T/svc -wD -d -T 5000 s && echo down
         $S $T/svc -x s; wait $! && echo exited"
    );
    case("svc", &script, "up\ndown\nexited\n", false);
}

/// svscan: its table of 1000 services is static memory, and its paths are each on the
/// stack only while one function runs.
#[test]
fn svscan_with_one_service() {
    let script = format!(
        "{UNTIL_UP}
         mkdir -p sv/a && printf '#!/bin/sh\\nexec sleep 100\\n' > sv/a/run && chmod +x sv/a/run
         $S $T/svscan sv & up sv/a; sleep 1
         $S $T/svstat sv/a | sed 's/(pid [0-9]*) [0-9]* seconds*$//'
         kill $!; wait $!; $T/svc -dx sv/a; sleep 1; $T/svok sv/a || echo stopped"
    );
    case("svscan", &script, "sv/a: up \nstopped\n", true);
}

/// multilog through recovery (no `current` closed cleanly), 1000 lines and the end of
/// input; `s999999`: with labels the lines (126 bytes) would fill the default 99999.
/// Its script and machine are static memory: it needs 12 KiB with the stack's random
/// start switched off (`setarch -R`), the original 8 KiB.
#[test]
fn multilog_writes_its_log() {
    let script = "$S $T/multilog t s999999 ./log < in && wc -l < log/current";
    case("multilog", script, "1000\n", true);
}
