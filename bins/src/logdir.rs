//! multilog's file operations on a log directory: creating and locking it, recovering
//! what an unclean stop left, appending to `current`, rotating it into archives, the
//! processor protocol, closing `current` cleanly; and opening `=file` status files.
//!
//! Contract: every operation here either succeeds or is reported (`unable to ...,
//! pausing: reason`) and retried after [`PAUSE_MS`], except those whose failures the
//! caller decides about ([`Dir::write`], [`Dir::process`]): nothing in a log directory is
//! ever lost. Failing to set a directory up at start is fatal (exit 111). The modes and
//! names are the original's, so either multilog carries on where the other stopped.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use dt_core::log::archive::{self, Census, Kind};
use dt_core::log::machine::PAUSE_MS;
use dt_core::log::script::LogDir;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{
    AtFlags, CWD, FlockOperation, Mode, OFlags, SeekFrom, chmodat, fchmod, flock, fsync, linkat,
    mkdirat, openat, renameat, seek, unlinkat,
};
use rustix::io::{Errno, IoSlice, writev};
use rustix::process::fchdir;

use crate::Env;
use crate::clock::now;
use crate::file::{PathBuf, for_each_entry};
use crate::io::copy;
use crate::msg::{fatal, fatal_sys, warn, warn_sys};
use crate::process::{ChildSignals, exec, exited_ok, fork_child, move_fd};

/// `current` while written (also `state`, `processed`, `newstate` when created).
const MODE_OPEN: Mode = Mode::from_bits_retain(0o644);
/// `current` closed cleanly, and rotated files.
const MODE_CLOSED: Mode = Mode::from_bits_retain(0o744);
/// A file created before its mode is set (`lock`, `current`, status files).
const MODE_PRIVATE: Mode = Mode::from_bits_retain(0o600);
/// A new log directory.
const MODE_DIR: Mode = Mode::from_bits_retain(0o700);
/// The mode bit that marks a file closed (`current` closed cleanly, `processed` complete).
const CLOSED_BIT: u32 = 0o100;
/// The umask in force, as in the original: the modes above are meant as written.
pub const UMASK: Mode = Mode::from_bits_retain(0o022);
/// Added to every open for writing: a FIFO planted in place of a file fails at once
/// (`ENXIO` without a reader) instead of blocking the open for ever; regular files
/// ignore it.
const NO_WAIT: OFlags = OFlags::NONBLOCK;

/// A log directory in use: its lock and its `current` (24 bytes on 64-bit targets: the
/// settings stay in the script; multilog keeps 64 of these on its stack).
pub struct Dir<'a> {
    settings: &'a LogDir<'a>,
    dir: OwnedFd,
    _lock: OwnedFd,
    current: OwnedFd,
}

impl<'a> Dir<'a> {
    /// Creates (mode 0700) and locks the directory; after an unclean stop (no `current`
    /// closed cleanly), keeps what the last run left as `.u` archives; opens `current`
    /// for appending. Returns it with the size of `current`. Exits 111 on failure.
    #[inline(never)]
    pub fn start(settings: &'a LogDir<'a>) -> (Self, u32) {
        let path = settings.path;
        let dir = match open_dir(path) {
            Ok(dir) => dir,
            Err(e) => fatal_sys(&[b"unable to open directory ", path], e),
        };
        let flags = OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | NO_WAIT | OFlags::CLOEXEC;
        let lock = openat(&dir, c"lock", flags, MODE_PRIVATE)
            .and_then(|lock| flock(&lock, FlockOperation::NonBlockingLockExclusive).map(|()| lock));
        let lock = match lock {
            Ok(lock) => lock,
            Err(e) => fatal_sys(&[b"unable to lock directory ", path], e),
        };
        let place = Place {
            path,
            dir: dir.as_fd(),
            num: settings.num,
        };
        if !place.closed(c"current") {
            place.recover();
        }
        let current = place.open_current();
        let size = seek(&current, SeekFrom::End(0)).unwrap_or(0);
        let dir = Dir {
            settings,
            dir,
            _lock: lock,
            current,
        };
        (dir, u32::try_from(size).unwrap_or(u32::MAX))
    }

    /// The directory as the script names it.
    pub fn path(&self) -> &'a [u8] {
        self.settings.path
    }

    /// Appends `data` to `current` (one `writev`); returns how much the kernel took.
    pub fn write(&self, data: [&[u8]; 2]) -> Result<usize, Errno> {
        writev(
            &self.current,
            &[IoSlice::new(data[0]), IoSlice::new(data[1])],
        )
    }

    fn place(&self) -> Place<'_> {
        Place {
            path: self.settings.path,
            dir: self.dir.as_fd(),
            num: self.settings.num,
        }
    }

    /// `current` becomes `previous` (fsynced, mode 0744) and a new `current` is opened;
    /// without a processor `previous` becomes a `.s` archive, with one it waits for
    /// [`Dir::process`].
    #[inline(never)]
    pub fn rotate(&mut self) {
        let place = Place {
            path: self.settings.path,
            dir: self.dir.as_fd(),
            num: self.settings.num,
        };
        let current = &self.current;
        place.retry(b"unable to fsync ", c"current", &mut || fsync(current));
        place.retry(b"unable to rename ", c"current", &mut || {
            renameat(place.dir, c"current", place.dir, c"previous")
        });
        self.current = place.open_current();
        place.retry(b"unable to set mode of ", c"previous", &mut || {
            chmodat(place.dir, c"previous", MODE_CLOSED, AtFlags::empty())
        });
        if self.settings.processor.is_none() {
            place.archive(c"previous", Kind::Safe);
        }
    }

    /// Runs the processor on `previous` once. On success keeps its output as a `.s`
    /// archive and `newstate` as `state`, and returns true; on failure says so
    /// (`processor failed in DIR, pausing`) and returns false.
    #[inline(never)]
    pub fn process(&self, signals: &ChildSignals, env: Env) -> bool {
        let Some(processor) = self.settings.processor else {
            return true;
        };
        let place = self.place();
        let dir = &self.dir;
        match fork_child(signals, || run_processor(dir, processor, env)) {
            Ok(pid) if exited_ok(pid) => {}
            Ok(_) => {
                warn(&[b"processor failed in ", self.path(), b", pausing"]);
                return false;
            }
            Err(e) => {
                warn_sys(&[b"unable to fork for ", self.path(), b", pausing"], e);
                return false;
            }
        }
        place.sync(c"processed", MODE_CLOSED);
        place.sync(c"newstate", MODE_OPEN);
        place.remove(c"previous");
        place.retry(b"unable to rename ", c"newstate", &mut || {
            renameat(place.dir, c"newstate", place.dir, c"state")
        });
        place.archive(c"processed", Kind::Safe);
        true
    }

    /// Fsyncs `current` and marks it closed cleanly (mode 0744).
    pub fn finish(&self) {
        let current = &self.current;
        self.place()
            .retry(b"unable to fsync ", c"current", &mut || {
                fsync(current)?;
                fchmod(current, MODE_CLOSED)
            });
    }
}

/// A log directory's name, descriptor and archive count, for the file operations.
struct Place<'d> {
    path: &'d [u8],
    dir: BorrowedFd<'d>,
    num: u32,
}

impl Place<'_> {
    /// Runs `op` until it succeeds; each failure is reported as `verb dir/file,
    /// pausing: reason` and followed by a pause.
    fn retry(&self, verb: &[u8], file: &CStr, op: &mut dyn FnMut() -> Result<(), Errno>) {
        retry([verb, self.path, b"/", file.to_bytes()], op);
    }

    /// Whether `name` is marked closed (mode bit 0100: not `access(2)`, which refuses
    /// execution on a `noexec` mount whatever the mode); a missing file is not. Exits
    /// 111 if it cannot tell.
    fn closed(&self, name: &CStr) -> bool {
        match stat(self.dir, name) {
            Ok((mode, _)) => mode & CLOSED_BIT != 0,
            Err(Errno::NOENT) => false,
            Err(e) => fatal_sys(&[b"unable to stat ", self.path, b"/", name.to_bytes()], e),
        }
    }

    /// What an unclean stop left, as the original does: `state` and `newstate` go (the
    /// processor starts afresh); a complete `processed` (mode 0744: the processor had
    /// finished) becomes a `.s` archive and `previous`, already processed, goes;
    /// otherwise `processed` goes and `previous` becomes a `.u` archive; `current`
    /// becomes a `.u` archive, and an empty `state` is made.
    fn recover(&self) {
        let (gone, keep, kind) = if self.closed(c"processed") {
            (c"previous", c"processed", Kind::Safe)
        } else {
            (c"processed", c"previous", Kind::Unfinished)
        };
        for name in [c"state", c"newstate", gone] {
            self.remove(name);
        }
        self.archive(keep, kind);
        self.archive(c"current", Kind::Unfinished);
        self.retry(b"unable to create ", c"state", &mut || {
            create(self.dir, c"state").map(drop)
        });
    }

    /// Opens `name` (creating it), fsyncs it and gives it `mode`, pausing while that fails.
    #[inline(never)]
    fn sync(&self, name: &CStr, mode: Mode) {
        self.retry(b"unable to fsync ", name, &mut || {
            let flags = OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::CLOEXEC;
            let fd = openat(self.dir, name, flags, MODE_PRIVATE)?;
            fsync(&fd)?;
            fchmod(&fd, mode)
        });
    }

    /// Removes `name`, pausing while that fails; a missing `name` is no failure.
    fn remove(&self, name: &CStr) {
        self.retry(b"unable to remove ", name, &mut || match unlinkat(
            self.dir,
            name,
            AtFlags::empty(),
        ) {
            Err(Errno::NOENT) => Ok(()),
            other => other,
        });
    }

    /// Opens `current` for appending (creating it) and gives it the mode of an open log,
    /// pausing while that fails (as [`Place::retry`], which cannot hand the descriptor
    /// out).
    fn open_current(&self) -> OwnedFd {
        loop {
            let flags =
                OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | NO_WAIT | OFlags::CLOEXEC;
            let opened = openat(self.dir, c"current", flags, MODE_PRIVATE)
                .and_then(|fd| fchmod(&fd, MODE_OPEN).map(|()| fd));
            match opened {
                Ok(fd) => return fd,
                Err(Errno::INTR) => {}
                Err(e) => {
                    warn_pausing([b"unable to create ", self.path, b"/", b"current"], e);
                    sleep(PAUSE_MS);
                }
            }
        }
    }

    /// Renames `file` (if it exists) to a new archive name (never over an existing
    /// file), then removes the oldest archives while `num` or more exist. A `file` with
    /// more than one link is archived already (a stop between the link and the unlink)
    /// and is only unlinked, as in the original.
    fn archive(&self, file: &CStr, kind: Kind) {
        // The directory is read once before the rename (for the name) and counts the new
        // archive too; it is read again only after each removal.
        let mut census = Census::default();
        self.retry(b"unable to archive ", file, &mut || {
            let linked = match stat(self.dir, file) {
                Ok((_, linked)) => linked,
                Err(Errno::NOENT) => return Ok(()), // nothing to archive, nothing counted
                Err(e) => return Err(e),
            };
            census = self.census()?;
            if linked {
                return Ok(());
            }
            let mut stamp = census.stamp_after(now());
            loop {
                let name = archive::name(stamp, kind);
                let linked = with_name(&name, &mut |name| {
                    linkat(self.dir, file, self.dir, name, AtFlags::empty())
                });
                match linked {
                    Err(Errno::EXIST) => stamp = archive::next(stamp), // the same nanosecond
                    Ok(()) => {
                        census.see(&name);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                }
            }
        });
        // Apart, so that a failing unlink is retried without linking a second name.
        self.remove(file);
        while let Some(oldest) = census.to_remove(self.num) {
            let removed = with_name(oldest, &mut |name| {
                unlinkat(self.dir, name, AtFlags::empty())
            });
            if let Err(e) = removed {
                return warn_sys(&[b"unable to remove ", self.path, b"/", oldest], e);
            }
            census = match self.census() {
                Ok(census) => census,
                Err(e) => return warn_sys(&[b"unable to read directory ", self.path], e),
            };
        }
    }

    /// The archives in the directory now.
    fn census(&self) -> Result<Census, Errno> {
        let mut census = Census::default();
        for_each_entry(self.dir, |name| census.see(name.to_bytes()))?;
        Ok(census)
    }
}

/// Creates (or empties) `name` in `dir`, mode 0644, for writing.
fn create(dir: impl AsFd, name: &CStr) -> Result<OwnedFd, Errno> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | NO_WAIT | OFlags::CLOEXEC;
    openat(dir, name, flags, MODE_OPEN)
}

/// In the processor's child: in the log directory, `previous` on stdin, `processed` on
/// stdout, `state` on descriptor 4 and `newstate` on 5, run `sh -c processor`. Returns
/// only on failure (the child then exits 111).
fn run_processor(dir: &OwnedFd, processor: &[u8], env: Env) {
    let mut command = PathBuf::empty();
    if command.set(&[processor]).is_err() {
        return;
    }
    if fchdir(dir).is_err() {
        return;
    }
    for (name, write, target) in [
        (c"previous", false, 0),
        (c"processed", true, 1),
        (c"state", false, 4),
        (c"newstate", true, 5),
    ] {
        // Relative to the working directory: `dir` itself may be replaced by the moves.
        let fd = if write {
            create(CWD, name)
        } else {
            openat(CWD, name, OFlags::RDONLY, Mode::empty())
        };
        if fd.and_then(|fd| move_fd(fd, target)).is_err() {
            return;
        }
    }
    let argv = [
        c"sh".as_ptr().cast(),
        c"-c".as_ptr().cast(),
        command.as_c_str().as_ptr().cast(),
        core::ptr::null(),
    ];
    let _ = exec(c"/bin/sh", &argv, env);
}

/// Opens a status file (`=file`), creating it (mode 0600) if need be, without waiting:
/// a FIFO nobody reads is refused at once (`ENXIO`), as by the original.
/// A FIFO (or a socket) there is refused: with a reader it would never take the
/// padded status, and multilog would pause on it for ever; a device (`/dev/null`) is
/// taken, as by the original. Exits 111 on failure.
pub fn open_status(file: &[u8]) -> OwnedFd {
    let flags = OFlags::WRONLY | OFlags::CREATE | NO_WAIT | OFlags::CLOEXEC;
    let mut f = PathBuf::empty();
    let opened = f.set(&[file]).and_then(|()| {
        let fd = openat(CWD, f.as_c_str(), flags, MODE_PRIVATE)?;
        Ok((fd, stat(CWD, f.as_c_str())?.0))
    });
    match opened {
        Ok((_, mode)) if matches!(mode & 0o170_000, 0o010_000 | 0o140_000) => {
            fatal(&[b"unable to create ", file, b": not a regular file"])
        }
        Ok((fd, _)) => fd,
        Err(e) => fatal_sys(&[b"unable to create ", file], e),
    }
}

/// Creates the directory `path` (mode 0700) unless it exists, and opens it. Apart, so
/// that its path (4 KiB) is off the stack before recovery runs.
#[inline(never)]
fn open_dir(path: &[u8]) -> Result<OwnedFd, Errno> {
    let mut name = PathBuf::empty();
    name.set(&[path])?;
    let _ = mkdirat(CWD, name.as_c_str(), MODE_DIR);
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    openat(CWD, name.as_c_str(), flags, Mode::empty())
}

/// Runs `op` on the file name `name` (an archive's: at most [`archive::NAME_MAX`]
/// bytes) as a C string, built in a small buffer instead of a 4 KiB [`PathBuf`];
/// `Err(NAMETOOLONG)` if it is longer, `Err(INVAL)` if it holds a NUL byte.
#[inline(never)]
fn with_name(name: &[u8], op: &mut dyn FnMut(&CStr) -> Result<(), Errno>) -> Result<(), Errno> {
    let mut buf = [0u8; archive::NAME_MAX + 1];
    if name.len() > archive::NAME_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    copy(&mut buf, name);
    match CStr::from_bytes_with_nul(buf.get(..=name.len()).unwrap_or_default()) {
        Ok(name) => op(name),
        Err(_) => Err(Errno::INVAL),
    }
}

/// The mode of `name` in `dir`, and whether it has other links. One function for every
/// caller.
#[inline(never)]
fn stat(dir: BorrowedFd<'_>, name: &CStr) -> Result<(u32, bool), Errno> {
    let st = crate::file::fstatat(dir, name, AtFlags::empty())?;
    Ok((st.mode, st.nlink > 1))
}

/// Runs `op` until it succeeds, reporting each failure as `what, pausing: reason` and
/// pausing.
fn retry(what: [&[u8]; 4], op: &mut dyn FnMut() -> Result<(), Errno>) {
    loop {
        match op() {
            Ok(()) => return,
            Err(Errno::INTR) => {}
            Err(e) => {
                warn_pausing(what, e);
                sleep(PAUSE_MS);
            }
        }
    }
}

/// Reports a failure that will be retried: `what, pausing: reason` (`what` in up to four
/// pieces, unused ones empty).
#[inline(never)]
pub fn warn_pausing(what: [&[u8]; 4], e: Errno) {
    warn_sys(&[what[0], what[1], what[2], what[3], b", pausing"], e);
}

/// Waits `ms` milliseconds; signals stay queued for the main loop, and input is not
/// looked at.
#[inline(never)]
pub fn sleep(ms: u32) {
    // u32 arithmetic: at `opt-level = "z"` a 64-bit division is a call to
    // compiler_builtins' `u64_div_rem` on 32-bit targets, 780 bytes on MIPS.
    let timeout = rustix::time::Timespec {
        tv_sec: (ms / 1000).into(),
        tv_nsec: ((ms % 1000) * 1_000_000).into(),
    };
    let _ = rustix::event::poll(&mut [], Some(&timeout));
}
