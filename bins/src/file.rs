//! Whole small files read into a caller's fixed buffer, and path names built in place.
//!
//! # Safety
//! A [`PathBuf`] holds no NUL byte before its end and one at its end ([`PathBuf::set`]
//! refuses pieces that hold one and writes the last), so it is a C string without a
//! second scan; [`c_str_in`] checks that its only NUL is the one it wrote.

use core::ffi::CStr;
use core::mem::MaybeUninit;

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RawDir, openat};
use rustix::io::Errno;

use crate::io::read;
pub use crate::sys::{FileStatus, fstatat};

/// The status of the open file `fd` (`fstat`).
pub fn fstat(fd: impl AsFd) -> Result<FileStatus, Errno> {
    fstatat(fd.as_fd(), c"", AtFlags::EMPTY_PATH)
}

/// Longest path this layer builds (Linux `PATH_MAX`, NUL included).
pub const PATH_MAX: usize = 4096;

/// A NUL-terminated path assembled from pieces in a fixed buffer.
pub struct PathBuf {
    buf: [u8; PATH_MAX],
    len: usize,
}

impl PathBuf {
    /// `pieces` joined as they are; `Err(NAMETOOLONG)` if they do not fit, `Err(INVAL)` if
    /// one holds a NUL byte (no file name can).
    pub fn join(pieces: &[&[u8]]) -> Result<PathBuf, Errno> {
        let mut path = PathBuf::empty();
        path.set(pieces)?;
        Ok(path)
    }

    /// The empty path.
    pub fn empty() -> PathBuf {
        PathBuf {
            buf: [0; PATH_MAX],
            len: 0,
        }
    }

    /// As [`PathBuf::join`], in place: no 4 KiB copy on the stack for a path built
    /// over and over (a `PATH` search). On failure the path is empty.
    pub fn set(&mut self, pieces: &[&[u8]]) -> Result<(), Errno> {
        self.len = 0;
        self.buf[0] = 0;
        for piece in pieces {
            if dt_core::search::find_byte(0, piece).is_some() {
                return Err(Errno::INVAL);
            }
            let end = self.len + piece.len();
            let free = self.buf.get_mut(self.len..).unwrap_or_default();
            match free.get_mut(..piece.len()) {
                Some(room) if end < PATH_MAX => crate::io::copy(room, piece),
                _ => return Err(Errno::NAMETOOLONG),
            }
            self.len = end;
        }
        if let Some(nul) = self.buf.get_mut(self.len) {
            *nul = 0;
        }
        Ok(())
    }

    /// The path as a C string.
    pub fn as_c_str(&self) -> &CStr {
        // `set` keeps len < PATH_MAX: the fallback (an empty name) is never taken.
        let bytes = self.buf.get(..=self.len).unwrap_or(&[0]);
        // SAFETY: `set` ends the path with a NUL at `len` and refused any piece
        // holding a NUL.
        unsafe { CStr::from_bytes_with_nul_unchecked(bytes) }
    }

    /// [`open_read`] of this path.
    pub fn open_read(&self) -> Result<OwnedFd, Errno> {
        open_read(self.as_c_str())
    }
}

/// The first `len` bytes of `buf` as a C string, in place (a NUL is written after them),
/// for a name the kernel wrote there (`readlink`) without a 4 KiB [`PathBuf`] copy.
/// `Err(NAMETOOLONG)` without room for the NUL, `Err(INVAL)` if they hold one.
pub fn c_str_in(buf: &mut [u8], len: usize) -> Result<&CStr, Errno> {
    *buf.get_mut(len).ok_or(Errno::NAMETOOLONG)? = 0;
    let bytes = buf.get(..=len).unwrap_or_default();
    match dt_core::search::find_byte(0, bytes) {
        // SAFETY: the only NUL is the last byte.
        Some(end) if end == len => Ok(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) }),
        _ => Err(Errno::INVAL),
    }
}

/// `open(2)` read-only, close-on-exec, never blocking on a FIFO (`O_NONBLOCK`, which
/// changes nothing for a regular file).
pub fn open_read(path: &CStr) -> Result<OwnedFd, Errno> {
    openat(
        CWD,
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Reads all of `path` into `buf`. `Err(FBIG)` if the file is larger than `buf`.
pub fn read_whole(path: &PathBuf, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = path.open_read()?;
    let mut len = 0;
    loop {
        let free = match buf.get_mut(len..) {
            Some(free) if !free.is_empty() => free,
            _ => {
                // Full: one more byte means the file does not fit.
                let mut probe = [0u8; 1];
                return match read(&fd, &mut probe)? {
                    0 => Ok(len),
                    _ => Err(Errno::FBIG),
                };
            }
        };
        match read(&fd, free)? {
            0 => return Ok(len),
            n => len += n,
        }
    }
}

/// Whether `path` exists (`stat` succeeds); other errors than "does not exist" are errors.
pub fn exists(path: &CStr) -> Result<bool, Errno> {
    match fstatat(CWD, path, AtFlags::empty()) {
        Ok(_) => Ok(true),
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Makes a FIFO readable and writable by the owner only; a FIFO already there is kept,
/// anything else but a directory is replaced (a tree restored by a tool that does not
/// keep FIFOs has regular files there).
pub fn make_fifo(path: &CStr) -> Result<(), Errno> {
    use rustix::fs::{mknodat, unlinkat};
    let mode = Mode::RUSR | Mode::WUSR;
    match mknodat(CWD, path, FileType::Fifo, mode, 0) {
        Err(Errno::EXIST) => {}
        other => return other,
    }
    if fstatat(CWD, path, AtFlags::SYMLINK_NOFOLLOW)?.file_type() == FileType::Fifo {
        return Ok(());
    }
    unlinkat(CWD, path, AtFlags::empty())?;
    mknodat(CWD, path, FileType::Fifo, mode, 0)
}

/// Opens a FIFO without blocking: for reading, or for writing (which fails with
/// `ENXIO` when nobody reads it). Anything but a FIFO is `ENXIO` too: no supervise
/// reads a regular file.
pub fn open_fifo(path: &CStr, write: bool) -> Result<OwnedFd, Errno> {
    let access = if write {
        OFlags::WRONLY
    } else {
        OFlags::RDONLY
    };
    let fd = openat(
        CWD,
        path,
        access | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    match fstat(&fd)?.file_type() {
        FileType::Fifo => Ok(fd),
        _ => Err(Errno::NXIO),
    }
}

/// Whether a `supervise` runs for a service, told by opening one of its FIFOs
/// (`supervise/ok` or `supervise/control`) for writing without waiting.
pub enum Supervised {
    /// Someone reads the FIFO: here it is, open for writing.
    Running(OwnedFd),
    /// The FIFO is there, but nobody reads it (or it is not a FIFO).
    NotRunning,
    /// No FIFO: no supervise has ever run there.
    Missing,
    /// Another error.
    Error(Errno),
}

/// [`Supervised`] for the FIFO at `path`.
pub fn supervised(path: &CStr) -> Supervised {
    match open_fifo(path, true) {
        Ok(fd) => Supervised::Running(fd),
        Err(Errno::NXIO) => Supervised::NotRunning,
        Err(Errno::NOENT) => Supervised::Missing,
        Err(e) => Supervised::Error(e),
    }
}

/// Why [`open_regular`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The system call failed.
    Sys(Errno),
    /// The name is a FIFO, a device or a socket (a directory is `EISDIR`).
    NotRegular,
}

impl OpenError {
    /// The reason, in the daemontools words for errno values.
    pub fn text(self) -> &'static [u8] {
        match self {
            OpenError::Sys(e) => crate::msg::errno_text(e),
            OpenError::NotRegular => b"not a regular file",
        }
    }
}

/// Opens `name` (relative to `dir`) with `flags`, never waiting for a FIFO's other end
/// or a device (`O_NONBLOCK`, which changes nothing for a regular file), and refuses
/// anything but a regular file. Returns the descriptor and the file's status.
pub fn open_regular(
    dir: impl AsFd,
    name: &CStr,
    flags: OFlags,
    mode: Mode,
) -> Result<(OwnedFd, FileStatus), OpenError> {
    let flags = flags | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = match openat(dir, name, flags, mode) {
        Ok(fd) => fd,
        // A FIFO without a reader, a socket or a device without its driver.
        Err(Errno::NXIO) => return Err(OpenError::NotRegular),
        Err(e) => return Err(OpenError::Sys(e)),
    };
    let st = fstat(&fd).map_err(OpenError::Sys)?;
    match st.file_type() {
        FileType::RegularFile => Ok((fd, st)),
        // What reading it would say, as the original reports it.
        FileType::Directory => Err(OpenError::Sys(Errno::ISDIR)),
        _ => Err(OpenError::NotRegular),
    }
}

/// What failed in [`replace_file`].
pub enum ReplaceError {
    /// Creating the new file.
    Open(Errno),
    /// Writing it (a short write is `EIO`).
    Write(Errno),
    /// Renaming it over the target.
    Rename(Errno),
}

/// Replaces `target` atomically: writes `bytes` to a new file `new` (mode 0644), then
/// renames it. Whatever was at `new` is removed first, so a symbolic link or a FIFO
/// planted there is never written through or waited on.
pub fn replace_file(new: &CStr, target: &CStr, bytes: &[u8]) -> Result<(), ReplaceError> {
    let _ = rustix::fs::unlink(new);
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mode = Mode::RUSR | Mode::WUSR | Mode::RGRP | Mode::ROTH;
    let fd = openat(CWD, new, flags, mode).map_err(ReplaceError::Open)?;
    match rustix::io::write(&fd, bytes) {
        Ok(n) if n == bytes.len() => {}
        Ok(_) => return Err(ReplaceError::Write(Errno::IO)),
        Err(e) => return Err(ReplaceError::Write(e)),
    }
    drop(fd);
    rustix::fs::rename(new, target).map_err(ReplaceError::Rename)
}

/// Buffer for directory entries (each `getdents` call reads as many as fit).
const DIR_BUFFER: usize = 2048;

/// Calls `each` with every entry of the directory `dir` whose name does not start with
/// a dot; stops at the first error reading the directory.
pub fn for_each_entry(dir: impl AsFd, mut each: impl FnMut(&CStr)) -> Result<(), Errno> {
    let listing = openat(
        dir,
        c".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut buf = [MaybeUninit::<u8>::uninit(); DIR_BUFFER];
    let mut entries = RawDir::new(&listing, &mut buf);
    while let Some(entry) = entries.next() {
        let entry = entry?;
        if entry.file_name().to_bytes().first() != Some(&b'.') {
            each(entry.file_name());
        }
    }
    Ok(())
}

/// The working directory to come back to after visiting others (`chdir` there, work
/// with short relative names, `restore`), as `svc` and `svstat` do per directory.
pub struct Cwd(OwnedFd);

impl Cwd {
    /// Remembers the current directory.
    pub fn save() -> Result<Cwd, Errno> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        openat(CWD, c".", flags, Mode::empty()).map(Cwd)
    }

    /// Goes back to it.
    pub fn restore(&self) -> Result<(), Errno> {
        rustix::process::fchdir(&self.0)
    }
}

/// The service's status as `supervise/status` (in the current directory) tells it now;
/// `Err(INVAL)` for fewer than 18 bytes. Never waits: a FIFO planted there reads as
/// nothing (`O_NONBLOCK`).
pub fn read_status() -> Result<dt_core::status::Status, Errno> {
    use dt_core::status::{STATUS_MAX, Status};
    let file = open_read(c"supervise/status")?;
    let mut bytes = [0u8; STATUS_MAX];
    let n = read(&file, &mut bytes)?;
    Status::unpack(bytes.get(..n).unwrap_or_default()).ok_or(Errno::INVAL)
}
