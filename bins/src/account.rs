//! Looking an account up in `/etc/passwd`, read a line-aligned piece at a time (no NSS,
//! no allocation); the parsing is `dt_core::account`.

use dt_core::account::{Account, entry};
use dt_core::search::find_byte;
use rustix::fs::{SeekFrom, seek};
use rustix::io::Errno;

use crate::buffer::Buffer;
use crate::file::open_read;
use crate::io::read;
use crate::msg::{fatal, fatal_sys};

/// Longest line looked at; longer ones are skipped.
const LINE_MAX: usize = 16 * 1024;
/// Space for a piece of the file, off the stack.
static LINES: Buffer<u8, LINE_MAX> = Buffer::new(0);

/// The account called `name`: `Ok(None)` if no complete entry has that name, `Err` if
/// the database cannot be read. Called once per process: its buffer is static.
pub fn lookup(name: &[u8]) -> Result<Option<Account>, Errno> {
    let fd = open_read(c"/etc/passwd")?;
    let buf = LINES.take();
    let mut skipping = false;
    loop {
        let n = read(&fd, &mut buf[..])?;
        let text = buf.get(..n).unwrap_or_default();
        if text.is_empty() {
            return Ok(None);
        }
        let mut rest = text;
        while let Some((line, newline_on)) =
            find_byte(b'\n', rest).and_then(|i| rest.split_at_checked(i))
        {
            if !skipping {
                if let Some(account) = entry(line, name) {
                    return Ok(Some(account));
                }
            }
            skipping = false;
            rest = newline_on.get(1..).unwrap_or_default();
        }
        let start = n - rest.len();
        match (start, n == LINE_MAX) {
            (0, false) => {
                // The end of the file: a last line without its newline.
                return Ok((!skipping).then(|| entry(text, name)).flatten());
            }
            (0, true) => skipping = true, // a line longer than any entry
            // Read the unfinished line again, from its start.
            _ if start < n => {
                seek(&fd, SeekFrom::Current(start as i64 - n as i64))?;
            }
            _ => {}
        }
    }
}

/// The account called `name`, or else the daemontools message and exit 111:
/// `unknown account NAME`, or `unable to read /etc/passwd: reason`.
pub fn lookup_or_exit(name: &[u8]) -> Account {
    match lookup(name) {
        Ok(Some(account)) => account,
        Ok(None) => fatal(&[b"unknown account ", name]),
        Err(e) => fatal_sys(&[b"unable to read /etc/passwd"], e),
    }
}
