//! The FIFOs of `supervise/event/`, through which `svc -w` waits for a service without
//! polling (the letters and their meaning: `dt_core::event`). Both sides work in the
//! service directory (the tools `chdir` there).
//!
//! supervise ([`announce`]) writes each change's letters to every FIFO in the directory,
//! never blocking: a FIFO without a reader (its waiter is gone) is removed, a full one
//! loses the letters, anything but a FIFO is left alone and never written. A directory
//! that nobody made costs one failed `open` per change: supervise never makes it, so a
//! service nobody waits for has the original's files. A waiter ([`Subscription`]) makes
//! the directory (mode 0700) and its own FIFO, named after its pid, and removes the FIFO
//! when done.

use core::ffi::CStr;

use rustix::event::{PollFd, PollFlags};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, mkdir, mknodat, openat, unlinkat};
use rustix::io::Errno;

use crate::clock::ms_until;
use crate::file::{c_str_in, for_each_entry, fstat};
use crate::io::{read, write_all};

const DIR: &CStr = c"supervise/event";

/// Writes `letters` to every waiter's FIFO in `supervise/event/`.
pub fn announce(letters: &[u8]) {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let Ok(dir) = openat(CWD, DIR, flags, Mode::empty()) else {
        return; // nobody ever waited
    };
    let _ = for_each_entry(&dir, |name| {
        let flags = OFlags::WRONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW;
        match openat(
            &dir,
            name,
            flags | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fifo) if is_fifo(&fifo) => {
                let _ = write_all(&fifo, letters);
            }
            Ok(_) => {}
            // A FIFO whose waiter died: nobody reads it.
            Err(Errno::NXIO) => {
                let _ = unlinkat(&dir, name, AtFlags::empty());
            }
            Err(_) => {}
        }
    });
}

fn is_fifo(fd: impl AsFd) -> bool {
    fstat(fd).is_ok_and(|st| st.file_type() == FileType::Fifo)
}

/// Room for `supervise/event/`, a waiter's FIFO name (a pid in decimal) and its NUL.
const PATH_ROOM: usize = 40;

/// A waiter's FIFO in `supervise/event/`, read without blocking; removed on drop. Small
/// (no path buffer): `svc` keeps it in a frame that must fit a 32 KiB stack.
pub struct Subscription {
    /// `supervise/event/` and the FIFO's name (`len` bytes), and room for a NUL.
    path: [u8; PATH_ROOM],
    len: usize,
    fifo: OwnedFd,
    /// Held so that the FIFO never reads as ended between supervise's writes.
    _writer: OwnedFd,
}

impl Subscription {
    /// Makes the directory if needed and a FIFO named `name` in it, and opens it.
    pub fn new(name: &[u8]) -> Result<Subscription, Errno> {
        match mkdir(DIR, Mode::RWXU) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e),
        }
        // A directory, not a link planted there (supervise/ is the owner's alone).
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        drop(openat(CWD, DIR, flags, Mode::empty())?);
        let parts = DIR.to_bytes().iter().chain(b"/").chain(name);
        let mut path = [0u8; PATH_ROOM];
        path.iter_mut().zip(parts).for_each(|(d, &s)| *d = s);
        let len = DIR.to_bytes().len() + 1 + name.len();
        let mut c_path = path;
        let fifo_path = c_str_in(&mut c_path, len)?;
        let _ = unlinkat(CWD, fifo_path, AtFlags::empty()); // a leftover of ours
        mknodat(CWD, fifo_path, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0)?;
        let open = |access| {
            let flags = access | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            openat(CWD, fifo_path, flags, Mode::empty())
        };
        let opened = open(OFlags::RDONLY).and_then(|fifo| Ok((fifo, open(OFlags::WRONLY)?)));
        match opened {
            Ok((fifo, writer)) if is_fifo(&fifo) => Ok(Subscription {
                path,
                len,
                fifo,
                _writer: writer,
            }),
            Ok(_) => Err(Errno::INVAL),
            Err(e) => {
                let _ = unlinkat(CWD, fifo_path, AtFlags::empty());
                Err(e)
            }
        }
    }

    /// The letters that arrived, waiting for some until the monotonic instant `until`
    /// (milliseconds; `None`: for ever). An empty result: the time is up.
    pub fn next<'b>(&self, until: Option<u64>, buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
        loop {
            match read(&self.fifo, buf) {
                Ok(n) => return Ok(buf.get(..n).unwrap_or_default()),
                Err(Errno::AGAIN) => {}
                Err(e) => return Err(e),
            }
            let timeout = until.map(ms_until);
            if timeout == Some(0) {
                return Ok(&[]);
            }
            let mut fds = [PollFd::new(&self.fifo, PollFlags::IN)];
            match crate::io::poll(&mut fds, timeout) {
                Ok(_) | Err(Errno::INTR) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // By its path from the service directory (svc is still there): no descriptor
        // kept for it.
        if let Ok(path) = c_str_in(&mut self.path, self.len) {
            let _ = unlinkat(CWD, path, AtFlags::empty());
        }
    }
}
