//! svstat: print the status of supervised services, one line per directory, in the
//! original's words: `dir: up (pid 123) 45 seconds, normally down, paused, want down`.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::sentence::{SENTENCE_MAX, emit};
use dt_core::status::{STATUS_MAX, Status};
use platform::clock::now;
use platform::file::{Cwd, Supervised, exists, open_regular, supervised};
use platform::io::{Output, read, stdout};
use platform::msg::{errno_text, fatal_sys};
use platform::{Args, EXIT_OK, Env};
use rustix::fs::{CWD, Mode, OFlags};
use rustix::io::Errno;

platform::tool!(b"svstat", run);

fn run(args: Args, _env: Env) -> i32 {
    let origin =
        Cwd::save().unwrap_or_else(|e| fatal_sys(&[b"unable to open current directory"], e));
    let mut buf = [0u8; 1024];
    let mut out = Output::new(stdout(), &mut buf);
    for dir in args.from(1) {
        if let Err(e) = describe(&mut out, dir) {
            fatal_sys(&[b"unable to write output"], e);
        }
        if let Err(e) = origin.restore() {
            fatal_sys(&[b"unable to set directory"], e);
        }
    }
    if let Err(e) = out.flush() {
        fatal_sys(&[b"unable to write output"], e);
    }
    EXIT_OK
}

/// Why a directory has no status to show: the text after `dir`, and the reason.
struct Problem(&'static [u8], &'static [u8]);

/// The status of `dir` and whether it is normally up (no `down` file). Leaves the
/// process in `dir`.
fn status_of(dir: &CStr) -> Result<(Status, bool), Problem> {
    rustix::process::chdir(dir).map_err(|e| Problem(b": unable to chdir: ", errno_text(e)))?;
    let normally_up =
        !exists(c"down").map_err(|e| Problem(b": unable to stat down: ", errno_text(e)))?;
    let reason = match supervised(c"supervise/ok") {
        Supervised::Running(_) => None,
        Supervised::NotRunning => return Err(Problem(b": supervise not running", b"")),
        Supervised::Missing => Some(Errno::NOENT),
        Supervised::Error(e) => Some(e),
    };
    if let Some(e) = reason {
        return Err(Problem(b": unable to open supervise/ok: ", errno_text(e)));
    }
    let (file, _) = open_regular(CWD, c"supervise/status", OFlags::RDONLY, Mode::empty())
        .map_err(|e| Problem(b": unable to open supervise/status: ", e.text()))?;
    let mut bytes = [0u8; STATUS_MAX];
    let n = read(&file, &mut bytes)
        .map_err(|e| Problem(b": unable to read supervise/status: ", errno_text(e)))?;
    let status = Status::unpack(bytes.get(..n).unwrap_or_default()).ok_or(Problem(
        b": unable to read supervise/status: ",
        b"bad format",
    ))?;
    Ok((status, normally_up))
}

/// Writes the line for `dir`.
fn describe(out: &mut Output, dir: &CStr) -> Result<(), Errno> {
    out.put(dir.to_bytes())?;
    let (status, normally_up) = match status_of(dir) {
        Ok(found) => found,
        Err(Problem(what, reason)) => {
            out.put(what)?;
            out.put(reason)?;
            return out.put(b"\n");
        }
    };
    let mut sentence = [0u8; SENTENCE_MAX];
    let len = emit(&status, normally_up, now(), &mut sentence);
    out.put(sentence.get(..len).unwrap_or_default())
}
