//! tai64n: copy stdin to stdout, putting before each line the TAI64N label of the
//! moment its first byte arrived, and a space.
//!
//! Every read is stamped once (all lines in it arrived by then) and its output written
//! before the next read, so an interactive pipe sees each line at once while bulk input
//! moves in 32 KiB reads. Long lines, a missing final newline and binary bytes pass
//! through untouched.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::search::find_byte;
use platform::buffer::Buffer;
use platform::clock::now;
use platform::io::{Output, read, stdin, stdout};
use platform::msg::fatal_sys;
use platform::{Args, EXIT_OK, Env};

const INPUT_MAX: usize = 32 * 1024;
/// Room for a whole read of 100-byte lines with their labels, so one write per read.
const OUTPUT_MAX: usize = 48 * 1024;
/// Both off the stack.
static INPUT: Buffer<u8, INPUT_MAX> = Buffer::new(0);
static OUTPUT: Buffer<u8, OUTPUT_MAX> = Buffer::new(0);

platform::tool!(b"tai64n", run);

fn run(_args: Args, _env: Env) -> i32 {
    let input = INPUT.take();
    let mut out = Output::new(stdout(), OUTPUT.take());
    let mut at_line_start = true;
    loop {
        let mut rest = match read(stdin(), &mut input[..]) {
            Ok(0) => return EXIT_OK,
            Ok(n) => input.get(..n).unwrap_or_default(),
            Err(e) => fatal_sys(&[b"unable to read input"], e),
        };
        let mut prefix = [b' '; 26];
        prefix[..25].copy_from_slice(&now().label());
        while !rest.is_empty() {
            let (line, ends) = match find_byte(b'\n', rest).and_then(|i| rest.get(..=i)) {
                Some(line) => (line, true),
                None => (rest, false),
            };
            let written = if at_line_start {
                out.put(&prefix)
            } else {
                Ok(())
            };
            if let Err(e) = written.and_then(|()| out.put(line)) {
                fatal_sys(&[b"unable to write output"], e);
            }
            at_line_start = ends;
            rest = rest.get(line.len()..).unwrap_or_default();
        }
        if let Err(e) = out.flush() {
            fatal_sys(&[b"unable to write output"], e);
        }
    }
}
