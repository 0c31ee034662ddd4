//! tai64nlocal against the Debian original, byte for byte, over many time zones, on the
//! host and under qemu (armv7, big-endian mips), plus the inputs the original crashes on.

use dt_core::tai64::Tai64N;
use dt_tests::{
    Rng, assert_same_as_original, first_difference, full_targets, host, original, ours, root,
};
use std::time::Duration;

/// Zones by name (TZif v2+ files of the system's tzdata), rule strings, paths and junk.
const ZONES: &[&str] = &[
    "UTC",
    "",
    ":",
    ":Europe/Berlin",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "EST5EDT",
    "CET",
    "/usr/share/zoneinfo/Asia/Tokyo",
    "right/UTC",
    "right/Europe/London",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "EST5EDT,M3.2.0,M11.1.0",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "GMT0BST,M3.5.0/1,M10.5.0",
    "<+0545>-5:45",
    "IST-5:30",
    "JST-9",
    "UTC0",
    "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
    "EST5EDT,J60/2,J300/2",
    "CST6CDT,100/2,300/2",
    "AAA3BBB,M3.2.0/25,M11.1.0/-1:30",
    "Nowhere/Atlantis",
    "junk!",
];

/// Years sampled hourly: both sides of 1970 and 2038, far beyond, and two with leap
/// seconds (for the `right/` zones).
const YEARS: &[i64] = &[
    1900, 1950, 1969, 1970, 1971, 1972, 1996, 2007, 2016, 2024, 2037, 2038, 2039, 2100, 2500,
];

fn year_start(year: i64) -> i64 {
    let y = year - 1;
    ((year - 1970) * 365 + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) - 477) * 86_400
}

fn label_line(t: i64, nanos: u32, text: &str) -> String {
    format!(
        "{} {text}\n",
        String::from_utf8(Tai64N::from_unix(t, nanos).label().to_vec()).unwrap()
    )
}

/// Local minus UTC seconds, read back from a `YYYY-MM-DD HH:MM:SS` stamp.
fn shown_offset(stamp: &[u8], t: i64) -> i64 {
    let s = std::str::from_utf8(&stamp[..19]).unwrap();
    let num = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, mo, d) = (num(0..4), num(5..7), num(8..10));
    let days_before_month =
        [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][mo as usize - 1];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let day = (year_start(y) / 86_400) + days_before_month + i64::from(leap && mo > 2) + d - 1;
    day * 86_400 + num(11..13) * 3600 + num(14..16) * 60 + num(17..19) - t
}

/// Hourly samples over [`YEARS`], refined (every 15 minutes, and one second either side)
/// within each hour where the original shows the offset changing, then random instants,
/// odd nanoseconds and lines the original copies without a label.
fn input_for(tz: &str) -> Vec<u8> {
    let env = [("TZ", tz)];
    let hourly: Vec<i64> = YEARS
        .iter()
        .flat_map(|&y| (0..366 * 24).map(move |h| year_start(y) + h * 3600))
        .collect();
    let probe: String = hourly.iter().map(|&t| label_line(t, 0, "")).collect();
    let shown = original("tai64nlocal").filter(&env, probe.as_bytes());
    let offsets: Vec<i64> = shown
        .split(|&c| c == b'\n')
        .zip(&hourly)
        .map(|(line, &t)| shown_offset(line, t))
        .collect();
    let mut text = String::new();
    for (i, &t) in hourly.iter().enumerate() {
        text += &label_line(t, 0, "hourly");
        if i > 0 && offsets[i] != offsets[i - 1] {
            for quarter in 0..4 {
                let edge = t - 3600 + quarter * 900;
                for s in [edge - 1, edge, edge + 1] {
                    text += &label_line(s, 999_999_999, "edge");
                }
            }
        }
    }
    let mut rng = Rng::new(tz.len() as u64 + 7);
    for _ in 0..3000 {
        text += &label_line(
            rng.range(-2_208_988_800, 4_102_444_800),
            rng.bits() as u32 % 1_000_000_000,
            "random",
        );
    }
    // Far-off years, the unsigned year of the original before year 0, junk nanoseconds.
    for (t, nanos) in [
        (-62_167_219_200, 1),
        (-62_167_219_201, 2),
        (-70_000_000_000, 3),
        (253_402_300_800, 4),
    ] {
        text += &label_line(t, nanos, "far");
    }
    text += "@4000000065000000ffffffff nanoseconds beyond a second\n";
    text += "no label here\n\n@400000006500000000000000x no space\n";
    text += "@ff400000006500000000000000 long run keeps the last 24 digits\n";
    text += "@400000006500000000000000\n"; // a label alone on its line
    text += "@400000006500000000000000\t\x01binary\x7f\n";
    text.into_bytes()
}

#[test]
fn equals_the_original_in_every_zone_on_full_targets() {
    for tz in ZONES {
        assert_same_as_original("tai64nlocal", &[("TZ", tz)], &input_for(tz));
    }
}

#[test]
fn equals_the_original_with_tz_unset_and_tzdir() {
    let input = input_for("Europe/Paris");
    // Unset: /etc/localtime, whatever this machine has.
    assert_same_as_original("tai64nlocal", &[], &input);
    // TZDIR moves the zone directory.
    let env = [("TZ", "Paris"), ("TZDIR", "/usr/share/zoneinfo/Europe")];
    assert_same_as_original("tai64nlocal", &env, &input);
}

/// A TZif version 1 file (32-bit data only), cut from the system's Europe/Berlin.
fn version_1_zone() -> std::path::PathBuf {
    let v2 = std::fs::read("/usr/share/zoneinfo/Europe/Berlin").expect("tzdata installed");
    let count =
        |i: usize| u32::from_be_bytes(v2[20 + 4 * i..24 + 4 * i].try_into().unwrap()) as usize;
    let v1_len = 44 + count(3) * 5 + count(4) * 6 + count(5) + count(2) * 8 + count(1) + count(0);
    let mut v1 = v2[..v1_len].to_vec();
    v1[4] = 0;
    let dir = root().join("target/test-zones");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("berlin-v1");
    std::fs::write(&path, v1).unwrap();
    path
}

#[test]
fn equals_the_original_with_a_version_1_zone_file() {
    let path = version_1_zone();
    let tz = path.to_str().unwrap();
    assert_same_as_original("tai64nlocal", &[("TZ", tz)], &input_for(tz));
}

#[test]
fn copies_lines_the_original_crashes_on() {
    // The original dereferences NULL on these (fewer than 24 digits, or a year beyond
    // glibc's range); we copy them unchanged and carry on.
    let input: &[u8] = b"@\n@4000 short\n@400000000000000A00000000 upper case\n\
                         @0000000000000000000000000 year beyond range\n@7fffffffffffffff00000000 far\nnext\n";
    for target in full_targets() {
        let got = ours(&target, "tai64nlocal").filter(&[("TZ", "UTC")], input);
        assert_eq!(got, input, "{}", target.triple);
    }
    let crash = original("tai64nlocal").run(&[], &[("TZ", "UTC")], b"@4000 short\n");
    assert_eq!(
        crash.code, None,
        "the original is expected to crash on a short label"
    );
}

#[test]
fn keeps_a_final_label_without_newline() {
    // The original drops it (it exits at end of input while reading the label).
    let got =
        ours(&host(), "tai64nlocal").filter(&[("TZ", "UTC")], b"x\n@400000000000000a00000000");
    assert_eq!(got, b"x\n1970-01-01 00:00:00.000000000");
    let got = ours(&host(), "tai64nlocal").filter(&[("TZ", "UTC")], b"@4000");
    assert_eq!(got, b"@4000");
}

#[test]
fn long_lines_pass_in_pieces() {
    let mut input = b"@400000000000000a00000000 ".to_vec();
    input.extend(std::iter::repeat_n(b'y', 200_000));
    input.extend(b"\n@400000000000000a00000000 z\n");
    let got = ours(&host(), "tai64nlocal").filter(&[("TZ", "UTC")], &input);
    let want = original("tai64nlocal").filter(&[("TZ", "UTC")], &input);
    assert!(got == want, "{}", first_difference(&got, &want));
}

#[test]
fn answers_each_line_at_once() {
    for target in full_targets() {
        let mut filter = ours(&target, "tai64nlocal").spawn_piped(&[("TZ", "UTC")]);
        for _ in 0..3 {
            filter.send(b"@400000000000000a00000000 ping\n");
            let line = filter
                .line(Duration::from_secs(10))
                .expect("line while stdin stays open");
            assert_eq!(line, b"1970-01-01 00:00:00.000000000 ping\n");
        }
        assert_eq!(filter.finish(), Some(0));
    }
}

#[test]
fn read_and_write_errors_exit_111_with_a_message() {
    dt_tests::assert_io_errors_reported("tai64nlocal");
}

#[test]
fn with_tz_unset_etc_tz_names_the_zone_as_on_openwrt() {
    if !dt_tests::root_or_skip(
        "the /etc/TZ test",
        "mount a tmpfs on /etc in a mount namespace",
    ) {
        return;
    }
    let tool = dt_tests::ours(&dt_tests::host(), "tai64nlocal").path;
    // 2026-07-01 12:00:00 UTC (summer time in CET-1CEST).
    let line = "@400000006a45014a00000000 x\n";
    let run = |setup: &str| {
        let script = format!(
            "mount -t tmpfs none /etc && {setup} exec {}",
            tool.display()
        );
        let mut child = std::process::Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .env_remove("TZ")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("unshare");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        run("echo 'CET-1CEST,M3.5.0,M10.5.0/3' > /etc/TZ &&"),
        "2026-07-01 14:00:00.000000000 x\n",
        "/etc/TZ's rule"
    );
    assert_eq!(
        run("echo > /etc/TZ &&"),
        "2026-07-01 12:00:00.000000000 x\n",
        "an empty /etc/TZ: /etc/localtime (none here: UTC)"
    );
    assert_eq!(
        run(""),
        "2026-07-01 12:00:00.000000000 x\n",
        "no /etc/TZ: /etc/localtime (none here: UTC)"
    );
}
