//! Label decoding on arbitrary line starts: never panics, agrees with a digit-by-digit
//! reading of the original's rule, and every label found converts (or fails cleanly).
#![no_main]

use dt_core::tai64::{LABEL_DIGITS, Scan, scan_label};
use dt_core::tz::{PosixTz, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (eof, line) = match data.split_first() {
        Some((flag, rest)) => (flag & 1 == 1, rest),
        None => return,
    };
    let scan = scan_label(line, eof);
    let digits = line
        .get(1..)
        .unwrap_or(&[])
        .iter()
        .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        .count();
    match scan {
        Scan::NotLabel => assert!(line.first() != Some(&b'@')),
        Scan::NeedMore => assert!(!eof && (line.is_empty() || line.len() == 1 + digits)),
        Scan::Malformed => assert!(line[0] == b'@' && digits < LABEL_DIGITS),
        Scan::Label { stamp, len } => {
            assert_eq!(len, 1 + digits);
            assert!(digits >= LABEL_DIGITS);
            let last24 = &line[len - LABEL_DIGITS..len];
            assert_eq!(&stamp.label()[1..], last24);
            let mut zone = Zone::Rule(PosixTz::parse(b"CET-1CEST,M3.5.0,M10.5.0/3"));
            let _ = zone.local(stamp.unix_secs());
        }
    }
});
