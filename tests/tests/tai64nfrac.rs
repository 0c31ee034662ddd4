//! tai64nfrac: exact `seconds.nanoseconds` values, lines without labels untouched, bad
//! labels rejected with exit 100 after the good lines before them.

use dt_core::tai64::Tai64N;
use dt_tests::{Rng, full_targets, host, original, ours};

fn label(t: i64, nanos: u32) -> String {
    String::from_utf8(Tai64N::from_unix(t, nanos).label().to_vec()).unwrap()
}

#[test]
fn golden_values_on_full_targets() {
    let input = format!(
        "{} epoch\n{} padded\n{} before 1970\n{} after 2038\nplain line\n\n{}",
        label(0, 0),
        label(1_700_000_000, 5),
        label(-1, 250_000_000),
        label(4_102_444_800, 123_456_789),
        label(1, 1)
    );
    let want = "0.000000000 epoch\n1700000000.000000005 padded\n-0.750000000 before 1970\n\
                4102444800.123456789 after 2038\nplain line\n\n1.000000001";
    for target in full_targets() {
        let got = ours(&target, "tai64nfrac").filter(&[], input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&got), want, "{}", target.triple);
    }
}

/// Seconds since the epoch of the original tai64nlocal's UTC rendering.
fn utc_seconds(stamp: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| stamp[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let days =
        365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + (153 * m + 2) / 5 + d
            - 719_469;
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

#[test]
fn agrees_with_the_original_tai64nlocal_in_utc() {
    let mut rng = Rng::new(42);
    let stamps: Vec<(i64, u32)> = (0..2000)
        .map(|_| {
            (
                rng.range(-2_208_988_800, 4_102_444_800),
                rng.bits() as u32 % 1_000_000_000,
            )
        })
        .collect();
    let input: String = stamps
        .iter()
        .map(|&(t, n)| format!("{}\n", label(t, n)))
        .collect();
    let local = original("tai64nlocal").filter(&[("TZ", "UTC")], input.as_bytes());
    let frac = ours(&host(), "tai64nfrac").filter(&[], input.as_bytes());
    for (l, f) in String::from_utf8(local)
        .unwrap()
        .lines()
        .zip(String::from_utf8(frac).unwrap().lines())
    {
        let (secs, nanos) = f.split_once('.').unwrap();
        let secs: i64 = secs.parse().unwrap();
        let exact = if f.starts_with('-') && nanos != "000000000" {
            secs - 1
        } else {
            secs
        };
        assert_eq!(exact, utc_seconds(l), "{f} vs {l}");
        let shown_nanos: u32 = l[20..].parse().unwrap();
        let nanos: u32 = nanos.parse().unwrap();
        let nanos = if f.starts_with('-') && nanos != 0 {
            1_000_000_000 - nanos
        } else {
            nanos
        };
        assert_eq!(nanos, shown_nanos, "{f} vs {l}");
    }
}

#[test]
fn bad_labels_stop_with_exit_100_after_the_good_lines() {
    let bad: [&str; 5] = [
        "@4000",
        "@400000000000000a0000000",   // 23 digits
        "@400000000000000a000000000", // 25 digits
        "@400000000000000a3b9aca00",  // nanoseconds = 10^9
        "@800000000000000a00000000",  // reserved TAI64 range
    ];
    for target in full_targets() {
        for b in bad {
            let good = label(7, 0);
            let input = format!("{good} ok\nplain\n{b} bad\n{good} never\n");
            let out = ours(&target, "tai64nfrac").run(&[], &[], input.as_bytes());
            assert_eq!(out.code, Some(100), "{b} on {}", target.triple);
            assert_eq!(out.stdout, b"7.000000000 ok\nplain\n", "{b}");
            assert_eq!(
                out.stderr_text(),
                "tai64nfrac: fatal: invalid TAI64N label on line 3\n"
            );
        }
    }
}

#[test]
fn arguments_are_a_usage_error() {
    let out = ours(&host(), "tai64nfrac").run(&["-x"], &[], b"");
    assert_eq!(out.code, Some(100));
    assert_eq!(
        out.stderr_text(),
        "tai64nfrac: usage: tai64nfrac < input > output\n"
    );
}

#[test]
fn read_and_write_errors_exit_111_with_a_message() {
    dt_tests::assert_io_errors_reported("tai64nfrac");
}
