//! Zone parsing on arbitrary bytes: TZif files and TZ rule strings never panic, and
//! every lookup in an accepted zone gives a time or a clean `None`.
#![no_main]

use dt_core::tz::{PosixTz, TzFile, Zone};
use libfuzzer_sys::fuzz_target;

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
            let _ = zone.local(t);
        }
    }
    let mut zone = Zone::Rule(PosixTz::parse(data));
    for t in times {
        let _ = zone.local(t);
    }
});
