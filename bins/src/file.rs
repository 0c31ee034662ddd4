//! Whole small files read into a caller's fixed buffer, and path names built in place.

use core::ffi::CStr;

use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags, open};
use rustix::io::Errno;

use crate::io::read;

/// Longest path this layer builds (Linux `PATH_MAX`, NUL included).
pub const PATH_MAX: usize = 4096;

/// A NUL-terminated path assembled from pieces in a fixed buffer.
pub struct PathBuf {
    buf: [u8; PATH_MAX],
    len: usize,
}

impl PathBuf {
    /// `pieces` joined as they are; `Err(NAMETOOLONG)` if they do not fit. The pieces come
    /// from C strings (arguments, environment) or literals, so none holds a NUL byte.
    pub fn join(pieces: &[&[u8]]) -> Result<PathBuf, Errno> {
        let mut path = PathBuf {
            buf: [0; PATH_MAX],
            len: 0,
        };
        for piece in pieces {
            let end = path.len + piece.len();
            if end >= PATH_MAX {
                return Err(Errno::NAMETOOLONG);
            }
            path.buf[path.len..end].copy_from_slice(piece);
            path.len = end;
        }
        Ok(path)
    }

    fn c_str(&self) -> &CStr {
        // SAFETY: `join` keeps len < PATH_MAX, the byte at `len` is the NUL left by the
        // zeroed buffer, and the pieces hold no NUL (they come from C strings).
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[..=self.len]) }
    }

    /// `open(2)` read-only, close-on-exec.
    pub fn open_read(&self) -> Result<OwnedFd, Errno> {
        open(
            self.c_str(),
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
    }
}

/// Reads all of `path` into `buf`. `Err(FBIG)` if the file is larger than `buf`.
pub fn read_whole(path: &PathBuf, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = path.open_read()?;
    let mut len = 0;
    loop {
        if len == buf.len() {
            // Full: one more byte means the file does not fit.
            let mut probe = [0u8; 1];
            return match read(&fd, &mut probe)? {
                0 => Ok(len),
                _ => Err(Errno::FBIG),
            };
        }
        match read(&fd, &mut buf[len..])? {
            0 => return Ok(len),
            n => len += n,
        }
    }
}
