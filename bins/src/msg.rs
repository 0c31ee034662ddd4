//! Messages in the daemontools style, `tool: fatal: what: reason`, written to stderr in
//! one `write` each, and the exit codes that go with them.

use rustix::io::Errno;

use crate::io::{Output, stderr};
use crate::{EXIT_TEMP, EXIT_USAGE, exit, tool_name};

/// Longest message written in one piece; longer ones are written in several.
const MESSAGE_MAX: usize = 512;

/// The short texts daemontools gives for errno values. Only [`ERRNO_PACKED`], made from it
/// at compile time, is in the binaries.
const ERRNO_TEXTS: [(Errno, &[u8]); 33] = [
    (Errno::INTR, b"interrupted system call"),
    (Errno::NOMEM, b"out of memory"),
    (Errno::NOENT, b"file does not exist"),
    (Errno::TXTBSY, b"text busy"),
    (Errno::IO, b"input/output error"),
    (Errno::EXIST, b"file already exists"),
    (Errno::TIMEDOUT, b"timed out"),
    (Errno::INPROGRESS, b"operation in progress"),
    (Errno::AGAIN, b"temporary failure"),
    (Errno::PIPE, b"broken pipe"),
    (Errno::PERM, b"permission denied"),
    (Errno::ACCESS, b"access denied"),
    (Errno::NXIO, b"device not configured"),
    (Errno::ISDIR, b"is a directory"),
    (Errno::SRCH, b"no such process"),
    (Errno::TOOBIG, b"argument list too long"),
    (Errno::NOEXEC, b"exec format error"),
    (Errno::BADF, b"file descriptor not open"),
    (Errno::CHILD, b"no child processes"),
    (Errno::BUSY, b"device busy"),
    (Errno::XDEV, b"cross-device link"),
    (Errno::NOTDIR, b"not a directory"),
    (Errno::INVAL, b"invalid argument"),
    (Errno::NFILE, b"system cannot open more files"),
    (Errno::MFILE, b"process cannot open more files"),
    (Errno::FBIG, b"file too big"),
    (Errno::NOSPC, b"out of disk space"),
    (Errno::SPIPE, b"unseekable descriptor"),
    (Errno::ROFS, b"read-only file system"),
    (Errno::LOOP, b"symbolic link loop"),
    (Errno::NAMETOOLONG, b"file name too long"),
    (Errno::NOTEMPTY, b"directory not empty"),
    (Errno::DQUOT, b"disk quota exceeded"),
];

/// [`ERRNO_TEXTS`] as bytes, entry after entry: the errno value (2 bytes, little-endian),
/// the text, a NUL. Searched once per message; a table of slices would cost every tool
/// 8 or 16 bytes of pointers per entry (x86_64: 792 bytes, this 662).
const ERRNO_PACKED: [u8; packed_len()] = pack();

const fn packed_len() -> usize {
    let (mut len, mut i) = (0, 0);
    while i < ERRNO_TEXTS.len() {
        len += 3 + ERRNO_TEXTS[i].1.len();
        i += 1;
    }
    len
}

const fn pack() -> [u8; packed_len()] {
    let mut out = [0u8; packed_len()];
    let (mut at, mut i) = (0, 0);
    while i < ERRNO_TEXTS.len() {
        let (e, text) = ERRNO_TEXTS[i];
        let [lo, hi] = (e.raw_os_error() as u16).to_le_bytes();
        out[at] = lo;
        out[at + 1] = hi;
        let mut j = 0;
        while j < text.len() {
            out[at + 2 + j] = text[j];
            j += 1;
        }
        at += 3 + text.len(); // the NUL is there already
        i += 1;
    }
    out
}

/// The daemontools text for an errno value.
pub fn errno_text(e: Errno) -> &'static [u8] {
    let code = (e.raw_os_error() as u16).to_le_bytes();
    let mut rest: &'static [u8] = &ERRNO_PACKED;
    while let [lo, hi, tail @ ..] = rest {
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        if [*lo, *hi] == code {
            return tail.get(..end).unwrap_or_default();
        }
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    b"unknown error"
}

/// Writes `tool: <kind><parts>[: <reason>]\n` to stderr, in one `write` when it fits.
fn emit(kind: &[u8], parts: &[&[u8]], e: Option<Errno>) {
    let mut buf = [0u8; MESSAGE_MAX];
    let mut out = Output::new(stderr(), &mut buf);
    let head: [&[u8]; 3] = [tool_name(), b": ", kind];
    let tail: [&[u8]; 3] = match e {
        Some(e) => [b": ", errno_text(e), b"\n"],
        None => [b"", b"", b"\n"],
    };
    // One loop over the pieces: a call site per piece costs more than the loop.
    let mut write = || -> Result<(), Errno> {
        for pieces in [&head[..], parts, &tail[..]] {
            for piece in pieces {
                out.put(piece)?;
            }
        }
        out.flush()
    };
    // A failing stderr leaves nowhere to report the failure.
    let _ = write();
}

/// `tool: warning: <parts>`; carries on.
pub fn warn(parts: &[&[u8]]) {
    emit(b"warning: ", parts, None);
}

/// `tool: warning: <parts>: <reason>`; carries on.
pub fn warn_sys(parts: &[&[u8]], e: Errno) {
    emit(b"warning: ", parts, Some(e));
}

/// `tool: fatal: <parts>`, exit 111.
pub fn fatal(parts: &[&[u8]]) -> ! {
    emit(b"fatal: ", parts, None);
    exit(EXIT_TEMP)
}

/// `tool: fatal: <parts>: <reason>`, exit 111.
pub fn fatal_sys(parts: &[&[u8]], e: Errno) -> ! {
    emit(b"fatal: ", parts, Some(e));
    exit(EXIT_TEMP)
}

/// `tool: fatal: <parts>`, exit 100 (bad input that retrying cannot fix).
pub fn fatal_input(parts: &[&[u8]]) -> ! {
    emit(b"fatal: ", parts, None);
    exit(EXIT_USAGE)
}

/// `tool: usage: <synopsis>`, exit 100.
pub fn usage(synopsis: &[u8]) -> ! {
    warn_usage(synopsis);
    exit(EXIT_USAGE)
}

/// `tool: usage: <synopsis>`, for the caller to exit with its own code.
pub fn warn_usage(synopsis: &[u8]) {
    emit(b"usage: ", &[synopsis], None);
}

/// `tool: <complaint> -- <letter>` (`illegal option`, `option requires an argument`),
/// then the usage line; exit 100.
pub fn option_error(complaint: &[u8], letter: u8, synopsis: &[u8]) -> ! {
    emit(b"", &[complaint, b" -- ", &[letter]], None);
    usage(synopsis)
}
