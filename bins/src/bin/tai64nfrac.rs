//! tai64nfrac: replace the TAI64N label at the start of each line with
//! `seconds.nanoseconds` since the Unix epoch (nanoseconds always 9 digits). Lines not
//! starting with `@` pass unchanged; a line starting with `@` but no valid label stops
//! the filter with exit 100 after everything before it has been written.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::decimal::{Digits, FRAC_MAX, unix_fraction};
use dt_core::tai64::{LABEL_LEN, Scan};
use platform::msg::{fatal_input, usage};
use platform::relabel::{Verdict, relabel};
use platform::{Args, EXIT_OK, Env};

platform::tool!(b"tai64nfrac", run);

/// Stamps at or beyond 2^63 TAI64 seconds are reserved by the TAI64 specification.
const TAI64_RESERVED: u64 = 1 << 63;

fn run(args: Args, _env: Env) -> i32 {
    if args.len() > 1 {
        usage(b"tai64nfrac < input > output");
    }
    let result = relabel(|scan, out| match scan {
        Scan::Label { stamp, len }
            if len == LABEL_LEN && stamp.nanos < 1_000_000_000 && stamp.secs < TAI64_RESERVED =>
        {
            match out.first_chunk_mut::<FRAC_MAX>() {
                Some(text) => Verdict::Replace(unix_fraction(stamp.unix_secs(), stamp.nanos, text)),
                None => Verdict::Reject,
            }
        }
        Scan::NotLabel => Verdict::Keep,
        _ => Verdict::Reject,
    });
    if let Err(rejected) = result {
        let line = Digits::new(rejected.line);
        fatal_input(&[b"invalid TAI64N label on line ", line.as_bytes()]);
    }
    EXIT_OK
}
