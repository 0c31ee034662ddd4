//! The wall clock jumping back and forth (a router without a real-time clock boots at
//! its firmware's date, then NTP sets it): supervise keeps restarting once a second and
//! obeys at once; multilog keeps every line in order and names new archives after the
//! newest one, so its count keeps the newest files.
//!
//! This test sets the system clock (root, `CAP_SYS_TIME`) and puts it back, also when it
//! fails; it is alone in its test binary so that no other test sees the jumps.

use dt_tests::service::{ServiceDir, Supervise, wait_until};
use dt_tests::{host, ours};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Moves the wall clock by `secs` (relative, so the time spent in between is kept).
fn shift_clock(secs: i64) {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime and clock_settime read and write one timespec we own.
    let ok = unsafe {
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) == 0 && {
            now.tv_sec += secs as libc::time_t;
            libc::clock_settime(libc::CLOCK_REALTIME, &now) == 0
        }
    };
    assert!(ok, "this test needs root (CAP_SYS_TIME) to set the clock");
}

/// Puts the clock back by whatever the test moved it, when dropped.
struct Shifted(i64);

impl Shifted {
    fn by(&mut self, secs: i64) {
        shift_clock(secs);
        self.0 += secs;
    }
}

impl Drop for Shifted {
    fn drop(&mut self) {
        shift_clock(-self.0);
    }
}

#[test]
fn clock_jumps_change_nothing_but_the_labels() {
    if !dt_tests::root_or_skip("clock_jumps_change_nothing_but_the_labels", "set the clock") {
        return;
    }
    let service = ServiceDir::crash_looping("clock-loop");
    let count = || service.starts();
    let _supervise = Supervise::start(&ours(&host(), "supervise"), &service);
    let logs = ServiceDir::new("clock-log", None);
    let mut multilog = ours(&host(), "multilog")
        .command(&["t", "s4096", "n4", "./main"], &[])
        .current_dir(&logs.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("multilog");
    let mut input = multilog.stdin.take().unwrap();
    let mut sent = Vec::new();
    let mut line = 0;
    let mut log_for = |d: Duration, sent: &mut Vec<u8>| {
        let until = Instant::now() + d;
        while Instant::now() < until {
            let text = format!("{line:08} {}\n", "y".repeat(60));
            input.write_all(text.as_bytes()).unwrap();
            sent.extend_from_slice(text.as_bytes());
            line += 1;
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_until("the first start", Duration::from_secs(5), || count() > 0);
    let mut clock = Shifted(0);
    let began = Instant::now();
    let first = count();
    log_for(Duration::from_secs(3), &mut sent);
    clock.by(-3600);
    log_for(Duration::from_secs(3), &mut sent);
    clock.by(7200);
    log_for(Duration::from_secs(3), &mut sent);
    clock.by(-3600);
    log_for(Duration::from_secs(2), &mut sent);
    // Once a second throughout: a wall-clock throttle would have stalled for an hour
    // after the first jump.
    let seconds = began.elapsed().as_secs_f64();
    let restarts = (count() - first) as f64;
    assert!(
        (seconds - 2.0..=seconds + 1.0).contains(&restarts),
        "{restarts} restarts in {seconds:.1} s"
    );
    let sent_at = Instant::now();
    ours(&host(), "svc").run(&["-d", service.arg()], &[], b"");
    service.wait_for("want down", |d| {
        d.status()
            .is_some_and(|s| s.want == dt_core::status::Want::Down)
    });
    assert!(
        sent_at.elapsed() < Duration::from_secs(1),
        "svc -d obeyed at once"
    );
    drop(input);
    assert_eq!(multilog.wait().unwrap().code(), Some(0));
    drop(clock);
    // n4 keeps the three newest archives and current: their lines, labels removed, are
    // the end of the input, in order. Names that went back with the clock would have
    // made the newest files the first removed.
    let main = logs.path.join("main");
    let mut names: Vec<String> = std::fs::read_dir(&main)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('@'))
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    names.push("current".into());
    let kept: Vec<u8> = names
        .iter()
        .flat_map(|n| std::fs::read(main.join(n)).unwrap())
        .collect();
    let unlabelled: Vec<u8> = kept
        .split_inclusive(|&c| c == b'\n')
        .flat_map(|l| l[26..].to_vec())
        .collect();
    assert!(
        sent.ends_with(&unlabelled),
        "the newest lines, in order ({} of {} bytes kept)",
        unlabelled.len(),
        sent.len()
    );
    // Each archive was cut at a line end past 4096 - 2000 bytes.
    assert!(
        kept.len() > 3 * (4096 - 2000),
        "three archives and current kept: {} bytes",
        kept.len()
    );
}
