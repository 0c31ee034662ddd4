//! Looking an account up in `/etc/passwd`, read a line-aligned piece at a time (no NSS,
//! no allocation); the parsing is `dt_core::account`.

use dt_core::account::{Account, entry};
use rustix::fs::{SeekFrom, seek};
use rustix::io::Errno;

use crate::file::PathBuf;
use crate::io::read;
use crate::msg::{fatal, fatal_sys};

/// The password database.
const PASSWD: &[u8] = b"/etc/passwd";
/// Longest line looked at; longer ones are skipped.
const LINE_MAX: usize = 16 * 1024;

/// The account called `name`: `Ok(None)` if no complete entry has that name, `Err` if
/// the database cannot be read.
pub fn lookup(name: &[u8]) -> Result<Option<Account>, Errno> {
    let fd = PathBuf::join(&[PASSWD])?.open_read()?;
    let mut buf = [0u8; LINE_MAX];
    let mut skipping = false;
    loop {
        let n = read(&fd, &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        let mut start = 0;
        while let Some(i) = dt_core::bytes::find_byte(b'\n', &buf[start..n]) {
            if !skipping {
                if let Some(account) = entry(&buf[start..start + i], name) {
                    return Ok(Some(account));
                }
            }
            skipping = false;
            start += i + 1;
        }
        match (start, n == buf.len()) {
            (0, false) => {
                // The end of the file: a last line without its newline.
                return Ok((!skipping).then(|| entry(&buf[..n], name)).flatten());
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
