//! Zone parsing on arbitrary bytes: TZif files and TZ rule strings never panic, and
//! every lookup in an accepted zone gives a time or a clean `None`, also at, just before
//! and just after each leap-second record (where a run of records once overflowed the
//! second).
#![no_main]

use dt_core::civil::DateTime;
use dt_core::tz::{PosixTz, SECOND_MAX, TzFile, Zone};
use libfuzzer_sys::fuzz_target;

/// A looked-up time is a civil time: every field in its range.
fn check(local: Option<DateTime>) {
    if let Some(d) = local {
        assert!(
            (1..=12).contains(&d.month) && (1..=31).contains(&d.day),
            "{d:?}"
        );
        assert!(
            d.hour < 24 && d.minute < 60 && d.second <= SECOND_MAX,
            "{d:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let times = [
        i64::MIN,
        -1 << 40,
        -2_208_988_800,
        -1,
        0,
        1_700_000_000,
        4_102_444_800,
        1 << 40,
        i64::MAX,
    ];
    if let Ok(file) = TzFile::parse(data) {
        let mut zone = Zone::File(file);
        for t in times {
            check(zone.local(t));
        }
        let records = file.leap_records().count();
        for (at, _) in file.leap_records() {
            for t in [at.saturating_sub(1), at, at.saturating_add(1)] {
                assert!(file.leap_correction(t).1 <= records);
                check(zone.local(t));
            }
        }
    }
    let mut zone = Zone::Rule(PosixTz::parse(data));
    for t in times {
        check(zone.local(t));
    }
});
