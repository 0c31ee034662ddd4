//! readproctitle: show the tail of its input in `ps`. `readproctitle x .....` copies
//! stdin into its own last argument (at least five bytes), keeping the first three and
//! scrolling the rest, so `ps` shows the latest error output of `svscan`.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::proctitle::{MIN_TITLE, scroll};
use platform::io::{read, stdin};
use platform::msg::{fatal_sys, usage};
use platform::{Args, EXIT_OK, Env};

platform::tool!(b"readproctitle", run);

/// Input read at once.
const INPUT_MAX: usize = 256;

fn run(args: Args, _env: Env) -> i32 {
    let title = match (args.len(), args.into_last()) {
        (2.., Some(title)) if title.len() >= MIN_TITLE => title,
        _ => usage(b"readproctitle arg ... ....."),
    };
    let mut input = [0u8; INPUT_MAX];
    loop {
        match read(stdin(), &mut input) {
            Ok(0) => return EXIT_OK,
            Ok(n) => scroll(title, input.get(..n).unwrap_or_default()),
            Err(e) => fatal_sys(&[b"unable to read input"], e),
        }
    }
}
