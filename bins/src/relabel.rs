//! The filter loop shared by `tai64nlocal` and `tai64nfrac`: read lines from stdin,
//! let the tool rewrite a label at the start of each, copy everything else to stdout.
//!
//! Contract: input bytes reach stdout unchanged except for the labels the tool replaces;
//! lines of any length pass through in bounded memory; output is written before each
//! read that may block, so interactive pipes see each line at once, while large inputs
//! travel in large reads and writes.

use dt_core::search::find_byte;
use dt_core::tai64::{Scan, scan_label};

use crate::buffer::Buffer;
use crate::io::{Output, read, stdin, stdout};
use crate::msg::fatal_sys;

/// Input buffer.
const INPUT_MAX: usize = 16 * 1024;
/// Longest label recognised: `@` and up to 63 hex digits (the original keeps the last
/// 24 of any run; longer runs are junk, copied unchanged here).
const LABEL_SCAN_MAX: usize = 64;
/// Output buffer.
const OUTPUT_MAX: usize = 32 * 1024;
/// The input and output space, off the stack.
static INPUT: Buffer<u8, INPUT_MAX> = Buffer::new(0);
static OUTPUT: Buffer<u8, OUTPUT_MAX> = Buffer::new(0);
/// Longest replacement a tool may write for one label.
pub const REPLACEMENT_MAX: usize = 64;

/// What the tool does with the start of a line.
pub enum Verdict {
    /// Write these many bytes of the replacement buffer instead of the label.
    Replace(usize),
    /// Copy the line unchanged.
    Keep,
    /// Stop: the line is bad input. Everything before it has been written.
    Reject,
}

/// The line (counted from 1) that the tool rejected.
pub struct Rejected {
    /// Line number, from 1.
    pub line: u64,
}

/// Runs the filter until end of input. `decide` sees how each line starts (never
/// [`Scan::NeedMore`]) and may fill the replacement buffer. Read and write errors are
/// fatal (exit 111). Runs once per process: its buffers are static.
pub fn relabel(
    mut decide: impl FnMut(Scan, &mut [u8; REPLACEMENT_MAX]) -> Verdict,
) -> Result<(), Rejected> {
    let input = INPUT.take();
    let mut out = Output::new(stdout(), OUTPUT.take());
    let mut replacement = [0u8; REPLACEMENT_MAX];
    let (mut start, mut end, mut eof) = (0, 0, false);
    let mut line: u64 = 1;
    let mut at_line_start = true;
    loop {
        let pending = input.get(start..end).unwrap_or_default();
        if at_line_start && !pending.is_empty() {
            match scan_label(pending, eof) {
                Scan::NeedMore if pending.len() < LABEL_SCAN_MAX => {} // read more below
                scan => {
                    let scan = if scan == Scan::NeedMore {
                        Scan::Malformed
                    } else {
                        scan
                    };
                    at_line_start = false;
                    match decide(scan, &mut replacement) {
                        Verdict::Replace(n) => {
                            put(&mut out, replacement.get(..n).unwrap_or_default());
                            if let Scan::Label { len, .. } = scan {
                                start += len;
                            }
                        }
                        Verdict::Keep => {}
                        Verdict::Reject => {
                            flush(&mut out);
                            return Err(Rejected { line });
                        }
                    }
                    continue;
                }
            }
        } else if !at_line_start {
            match find_byte(b'\n', pending).and_then(|i| pending.get(..=i)) {
                Some(through_newline) => {
                    put(&mut out, through_newline);
                    start += through_newline.len();
                    line += 1;
                    at_line_start = true;
                    continue;
                }
                None => {
                    put(&mut out, pending);
                    start = end;
                }
            }
        }
        if eof {
            break;
        }
        // Need more input: keep an unfinished label, shorter than LABEL_SCAN_MAX (a
        // few bytes copied through `label`: no memmove needed).
        let mut label = [0u8; LABEL_SCAN_MAX];
        let kept = input.get(start..end).unwrap_or_default();
        (start, end) = (0, kept.len());
        label.iter_mut().zip(kept).for_each(|(to, &b)| *to = b);
        input
            .iter_mut()
            .zip(&label[..])
            .take(end)
            .for_each(|(to, &b)| *to = b);
        flush(&mut out);
        match read(stdin(), input.get_mut(end..).unwrap_or_default()) {
            Ok(0) => eof = true,
            Ok(n) => end += n,
            Err(e) => fatal_sys(&[b"unable to read input"], e),
        }
    }
    flush(&mut out);
    Ok(())
}

fn put(out: &mut Output, bytes: &[u8]) {
    if let Err(e) = out.put(bytes) {
        fatal_sys(&[b"unable to write output"], e)
    }
}

fn flush(out: &mut Output) {
    if let Err(e) = out.flush() {
        fatal_sys(&[b"unable to write output"], e)
    }
}
