//! Reading and writing the standard descriptors, and an output buffer that batches
//! small writes into large ones without `core::fmt`.
//!
//! Contract: every function retries on `EINTR`; a write either completes or reports the
//! error, and [`Output`] never drops bytes it has accepted.
//!
//! # Safety
//! Descriptors 0-2 are borrowed for `'static`: they are open from the start (see
//! [`open_standard_descriptors`]) and nothing in the process closes them. [`copy`]
//! copies between a shared and a mutable slice, which never overlap, no further than
//! the shorter one.

/// Waiting for events on descriptors, with a timeout in milliseconds.
pub use crate::sys::poll;
use rustix::fd::{AsFd, BorrowedFd};
use rustix::io::Errno;

/// Opens `/dev/null` onto each of descriptors 0-2 that is not open (for reading and
/// writing, inherited across `exec`), so that no descriptor the tool opens later takes a
/// standard number: with 0-2 closed, supervise would otherwise put its control FIFO on 1
/// and 2 and read its own messages as commands. Without `/dev/null` (an initramfs with no
/// `/dev`) the root directory holds the number instead: reads and writes on it fail.
/// Process 1 (started by a kernel that found no console) gets `/dev/console` when it
/// exists, so that its messages and its services' are seen.
pub(crate) fn open_standard_descriptors() {
    use rustix::fd::IntoRawFd;
    use rustix::fs::{CWD, Mode, OFlags, openat};
    // openat rather than open: one instance of rustix's code in every tool, not two.
    let open = |path, flags| openat(CWD, path, flags, Mode::empty());
    let first = if rustix::process::getpid().is_init() {
        c"/dev/console"
    } else {
        c"/dev/null"
    };
    for fd in [stdin(), stdout(), stderr()] {
        if rustix::io::fcntl_getfd(fd) != Err(Errno::BADF) {
            continue;
        }
        // The lowest free number is taken: this one, as the lower ones are open.
        let opened = open(first, OFlags::RDWR | OFlags::NOCTTY)
            .or_else(|_| open(c"/dev/null", OFlags::RDWR | OFlags::NOCTTY))
            .or_else(|_| open(c"/", OFlags::RDONLY | OFlags::DIRECTORY));
        if let Ok(opened) = opened {
            let _ = opened.into_raw_fd(); // stays open for the life of the process
        }
    }
}

/// Standard input.
pub fn stdin() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 is never closed by this process, and is open from the start
    // (see open_standard_descriptors); before that, calls on it fail with EBADF.
    unsafe { BorrowedFd::borrow_raw(0) }
}

/// Standard output.
pub fn stdout() -> BorrowedFd<'static> {
    // SAFETY: as for stdin: descriptor 1 is never closed here.
    unsafe { BorrowedFd::borrow_raw(1) }
}

/// Standard error.
pub fn stderr() -> BorrowedFd<'static> {
    // SAFETY: as for stdin: descriptor 2 is never closed here.
    unsafe { BorrowedFd::borrow_raw(2) }
}

/// `read(2)`, retried on `EINTR`. `Ok(0)` is end of input.
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize, Errno> {
    read_fd(fd.as_fd(), buf)
}

/// [`read`], one copy for every kind of descriptor.
fn read_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// Writes all of `bytes`, retrying short writes and `EINTR`.
pub fn write_all(fd: impl AsFd, bytes: &[u8]) -> Result<(), Errno> {
    write_all_fd(fd.as_fd(), bytes)
}

/// [`write_all`], one copy for every kind of descriptor.
fn write_all_fd(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> Result<(), Errno> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            // The kernel never reports more than it was given; if it did, all is written.
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(Errno::INTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Copies `from` into the start of `to`, as far as the shorter goes: `copy_from_slice`
/// (one `memcpy`) without its length check, which opt-level "z" keeps in an outlined
/// function that can panic.
pub(crate) fn copy(to: &mut [u8], from: &[u8]) {
    let n = from.len().min(to.len());
    // SAFETY: both are valid for n bytes, and a `&` and a `&mut` never overlap.
    unsafe { core::ptr::copy_nonoverlapping(from.as_ptr(), to.as_mut_ptr(), n) }
}

/// An output buffer (the caller's bytes) in front of a descriptor. Not generic over
/// its size, so every tool links one copy of this code.
pub struct Output<'a> {
    fd: BorrowedFd<'a>,
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Output<'a> {
    /// An empty buffer for `fd`, using `buf` as its space.
    pub fn new(fd: BorrowedFd<'a>, buf: &'a mut [u8]) -> Self {
        Output { fd, buf, len: 0 }
    }

    /// Appends `bytes`, writing the buffer out first when they do not fit; bytes larger
    /// than the whole buffer go straight to the descriptor.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        if bytes.len() > self.buf.len() - self.len {
            self.flush()?;
        }
        let free = self.buf.get_mut(self.len..).unwrap_or_default();
        match free.get_mut(..bytes.len()) {
            Some(room) => copy(room, bytes),
            // Larger than the whole (now empty) buffer.
            None => return write_all(self.fd, bytes),
        }
        self.len += bytes.len();
        Ok(())
    }

    /// Writes out everything buffered.
    pub fn flush(&mut self) -> Result<(), Errno> {
        let pending = self.buf.get(..self.len).unwrap_or_default();
        self.len = 0;
        write_all(self.fd, pending)
    }
}
