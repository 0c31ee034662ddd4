//! multilog: read lines from stdin and hand each to the script's actions: select or
//! deselect it by pattern, copy it to stderr (`e`), keep it in a status file (`=file`),
//! append it to log directories, which rotate `current` into `@<label>.s` archives.
//!
//! Nothing read is lost: bytes leave a directory's ring buffer only once the kernel has
//! taken them; a failing write, fsync, rename or processor is reported and retried
//! ("pausing"), and no input is read meanwhile. Every read is stamped once; its bytes
//! are written out before the next read, so a quiet service's lines reach the disk at
//! once. SIGALRM rotates every directory at the end of the line in progress; SIGTERM
//! and the end of input finish the line in progress, write everything, mark `current`
//! closed cleanly (mode 0744) and exit 0.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::bytes::find_byte;
use dt_core::log::archive::{self, Census, Kind};
use dt_core::log::pattern::MATCH_MAX;
use dt_core::log::route::{Route, is_fixed, route};
use dt_core::log::script::{Action, LogDir, MAX_ACTIONS, Script, parse};
use dt_core::log::writer::Writer;
use dt_core::tai64::LABEL_LEN;
use platform::clock::now;
use platform::file::{PathBuf, for_each_entry};
use platform::io::{read, stderr, stdin};
use platform::msg::{fatal, fatal_sys, warn, warn_sys};
use platform::process::{ChildSignals, exec, exited_ok, fork_child, move_fd};
use platform::{Args, EXIT_OK, EXIT_TEMP, Env, exit};
use rustix::event::{PollFd, PollFlags, poll};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{
    AtFlags, CWD, FlockOperation, Mode, OFlags, SeekFrom, chmodat, fchmod, flock, fsync, linkat,
    mkdirat, openat, renameat, seek, statat, unlinkat,
};
use rustix::io::{Errno, IoSlice, pwrite, writev};
use rustix::process::{Signal, fchdir, umask};
use rustix::time::Timespec;

platform::tool!(b"multilog", run);

/// Bytes read at once.
const INPUT_MAX: usize = 32 * 1024;
/// Ring-buffer space, shared evenly by the log directories.
const RING_SPACE: usize = 64 * 1024;
/// A line's first bytes, as patterns, `e` and `=file` see them (label included).
const HEAD_MAX: usize = MATCH_MAX;
/// Bytes of a line that `e` copies before `...`.
const ALERT_MAX: usize = 200;
/// Size of a status file: the head, padded with newlines.
const STATUS_LEN: usize = HEAD_MAX + 1;
/// Pause after a failed write, fsync, rename or creation.
const PAUSE_MS: i64 = 1_000;
/// Pause after a failed processor.
const PROCESSOR_PAUSE_MS: i64 = 5_000;

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
const UMASK: Mode = Mode::from_bits_retain(0o022);
/// Added to every open for writing: a FIFO planted in place of a file fails at once
/// (`ENXIO` without a reader) instead of blocking the open for ever; regular files
/// ignore it.
const NO_WAIT: OFlags = OFlags::NONBLOCK;

fn run(args: Args, env: Env) -> i32 {
    umask(UMASK);
    let script = match parse(args.from(1).map(CStr::to_bytes), |w| {
        warn(&[b"ignoring unknown action: ", w]);
    }) {
        Ok(script) => script,
        Err(_) => fatal(&[b"too many actions: the limit is 64"]),
    };
    let signals = match ChildSignals::with(&[Signal::ALARM, Signal::TERM]) {
        Ok(s) => s,
        Err(e) => fatal_sys(&[b"unable to set up signals"], e),
    };
    let dir_count = script
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Directory(_)))
        .count();
    let mut space = [0u8; RING_SPACE];
    let mut rings = space.chunks_mut(RING_SPACE / dir_count.max(1));
    let mut log = Log {
        script: &script,
        fixed: is_fixed(&script)
            && !script
                .actions
                .iter()
                .any(|a| matches!(a, Action::Alert | Action::Status(_))),
        dirs: heapless::Vec::new(),
        statuses: [const { None }; MAX_ACTIONS],
        line: Line::default(),
        signals: &signals,
        env,
    };
    for (i, action) in script.actions.iter().enumerate() {
        match *action {
            Action::Status(file) => log.statuses[i] = Some(open_status(file)),
            Action::Directory(settings) => {
                let ring = rings.next().unwrap_or_default();
                let _ = log.dirs.push(Dir::start(settings, i, ring)); // at most one per action
            }
            _ => {}
        }
    }
    log.copy_input()
}

/// The script at work: its directories, status files and the line in progress.
struct Log<'s, 'b> {
    script: &'s Script<'s>,
    /// Every line goes to every directory and nothing looks at it.
    fixed: bool,
    /// The log directories, in the script's order.
    dirs: heapless::Vec<Dir<'b>, MAX_ACTIONS>,
    /// By action index: the status files.
    statuses: [Option<OwnedFd>; MAX_ACTIONS],
    line: Line,
    signals: &'b ChildSignals,
    env: Env,
}

impl Log<'_, '_> {
    /// Reads and logs until the end of input or SIGTERM, then closes every directory
    /// cleanly and exits.
    fn copy_input(&mut self) -> ! {
        let mut input = [0u8; INPUT_MAX];
        let mut stopping = false;
        let (input_fd, signal_fd) = (stdin(), self.signals.fd());
        loop {
            let mut fds = [
                PollFd::new(&input_fd, PollFlags::IN),
                PollFd::new(&signal_fd, PollFlags::IN),
            ];
            let _ = poll(&mut fds, None);
            let readable = !fds[0].revents().is_empty();
            let caught = self.signals.drain();
            if caught.has(Signal::ALARM) {
                self.dirs.iter_mut().for_each(|d| d.writer.alarm());
                self.write_out_all();
            }
            stopping |= caught.has(Signal::TERM);
            if stopping && self.line.at_start {
                self.close(EXIT_OK);
            }
            if !readable {
                continue;
            }
            let mut label = [b' '; LABEL_LEN + 1];
            label[..LABEL_LEN].copy_from_slice(&now().label());
            match read(stdin(), &mut input) {
                Ok(0) => {
                    // A last line without its newline gets one, as in the original.
                    if !self.line.at_start {
                        self.feed(b"\n", &label);
                    }
                    self.close(EXIT_OK);
                }
                Ok(n) => self.feed(&input[..n], &label),
                Err(e) => {
                    warn_sys(&[b"unable to read standard input"], e);
                    self.close(EXIT_TEMP);
                }
            }
            self.write_out_all();
            if stopping && self.line.at_start {
                self.close(EXIT_OK);
            }
        }
    }

    /// Hands all of `input` on, writing out rings whenever they fill.
    fn feed(&mut self, mut input: &[u8], label: &[u8; LABEL_LEN + 1]) {
        loop {
            input = &input[self.take(input, label)..];
            if input.is_empty() {
                return;
            }
            for dir in self.dirs.iter_mut() {
                if dir.writer.is_blocked() {
                    dir.write_out(self.signals, self.env);
                }
            }
        }
    }

    /// Hands on as much of `input` as the rings take; returns how much that was.
    fn take(&mut self, input: &[u8], label: &[u8; LABEL_LEN + 1]) -> usize {
        let mut used = 0;
        loop {
            let line = &mut self.line;
            if line.at_start {
                if used == input.len() {
                    return used;
                }
                line.start(self.script.timestamp.then_some(label));
            }
            let receivers = match line.route {
                Some(r) => r,
                None if self.fixed => *line.route.insert(route(self.script, b"")),
                None => {
                    used += line.gather(&input[used..]);
                    if !line.ended && line.len < HEAD_MAX {
                        return used; // the head is not complete yet
                    }
                    let r = route(self.script, line.content());
                    self.notify(r);
                    *self.line.route.insert(r)
                }
            };
            let line = &mut self.line;
            while line.sent < line.len {
                match deliver(&mut self.dirs, receivers, &line.head[line.sent..line.len]) {
                    0 => return used,
                    n => line.sent += n,
                }
            }
            if line.ended {
                line.at_start = true;
                continue;
            }
            let rest = &input[used..];
            let (chunk, ends) = match find_byte(b'\n', rest) {
                Some(i) => (&rest[..=i], true),
                None => (rest, false),
            };
            let n = deliver(&mut self.dirs, receivers, chunk);
            used += n;
            if n < chunk.len() || chunk.is_empty() {
                return used;
            }
            line.at_start = ends;
        }
    }

    /// Copies the head of a routed line to stderr (`e`) and status files (`=file`).
    fn notify(&self, receivers: Route) {
        let content = self.line.content();
        for (i, action) in self.script.actions.iter().enumerate() {
            if receivers & (1 << i) == 0 {
                continue;
            }
            match action {
                Action::Alert => {
                    let n = content.len().min(ALERT_MAX);
                    let tail: &[u8] = if content.len() > ALERT_MAX || !self.line.ended {
                        b"...\n"
                    } else {
                        b"\n"
                    };
                    // At most 204 bytes: one write, even to a pipe.
                    let _ = writev(stderr(), &[IoSlice::new(&content[..n]), IoSlice::new(tail)]);
                }
                Action::Status(file) => {
                    let mut status = [b'\n'; STATUS_LEN];
                    status[..content.len()].copy_from_slice(content);
                    if let Some(fd) = &self.statuses[i] {
                        retry(
                            &[b"unable to write to ", file],
                            &mut || match pwrite(fd, &status, 0) {
                                Ok(STATUS_LEN) => Ok(()),
                                Ok(_) => Err(Errno::NOSPC),
                                Err(e) => Err(e),
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Writes out every ring and rotates where due.
    fn write_out_all(&mut self) {
        for dir in self.dirs.iter_mut() {
            dir.write_out(self.signals, self.env);
        }
    }

    /// Writes everything out, marks every `current` closed cleanly, exits with `code`.
    fn close(&mut self, code: i32) -> ! {
        for dir in self.dirs.iter_mut() {
            dir.write_out(self.signals, self.env);
            let current = &dir.current;
            dir.place.retry(b"unable to fsync ", c"current", &mut || {
                fsync(current)?;
                fchmod(current, MODE_CLOSED)
            });
        }
        exit(code)
    }
}

/// Gives `bytes` (or as many of them as every receiving ring takes) to the directories
/// in `receivers`; returns how many went. Bytes no directory receives count as gone.
fn deliver(dirs: &mut [Dir<'_>], receivers: Route, bytes: &[u8]) -> usize {
    let receives = |dir: &Dir<'_>| receivers >> dir.action & 1 != 0;
    let n = dirs
        .iter()
        .filter(|d| receives(d))
        .fold(bytes.len(), |n, d| n.min(d.writer.acceptable(bytes)));
    for dir in dirs.iter_mut().filter(|d| receives(d)) {
        dir.writer.push(&bytes[..n]);
    }
    n
}

/// The line in progress: its head (label and first bytes) and how far it has gone out.
struct Line {
    /// The next byte starts a new line.
    at_start: bool,
    /// Label and first bytes, and the newline when the line ended within them.
    head: [u8; HEAD_MAX + 1],
    len: usize,
    /// Head bytes handed to the directories so far.
    sent: usize,
    /// Its receivers, once the head is known.
    route: Option<Route>,
    /// The head holds the whole line.
    ended: bool,
}

impl Default for Line {
    fn default() -> Self {
        Line {
            at_start: true,
            head: [0; HEAD_MAX + 1],
            len: 0,
            sent: 0,
            route: None,
            ended: false,
        }
    }
}

impl Line {
    /// Begins a new line, with its label if there is one.
    fn start(&mut self, label: Option<&[u8; LABEL_LEN + 1]>) {
        let label: &[u8] = label.map_or(&[], |l| l);
        self.head[..label.len()].copy_from_slice(label);
        self.len = label.len();
        self.sent = 0;
        self.route = None;
        self.ended = false;
        self.at_start = false;
    }

    /// Adds bytes of `input` to the head, up to its end or the line's; returns how many.
    fn gather(&mut self, input: &[u8]) -> usize {
        let room = HEAD_MAX - self.len;
        let part = &input[..input.len().min(room)];
        let (n, ended) = match find_byte(b'\n', part) {
            Some(i) => (i, true),
            None => (part.len(), false),
        };
        self.head[self.len..self.len + n].copy_from_slice(&part[..n]);
        self.len += n;
        if ended || (self.len == HEAD_MAX && input.get(n) == Some(&b'\n')) {
            self.head[self.len] = b'\n';
            self.len += 1;
            self.ended = true;
            return n + 1;
        }
        n
    }

    /// The head without its newline: what patterns, `e` and `=file` see.
    fn content(&self) -> &[u8] {
        &self.head[..self.len - usize::from(self.ended)]
    }
}

/// A log directory in use: its lock, its `current` and the ring in front of it.
struct Dir<'b> {
    /// Its index among the script's actions.
    action: usize,
    place: Place<'b>,
    _lock: OwnedFd,
    current: OwnedFd,
    writer: Writer<'b>,
    processor: Option<&'b [u8]>,
}

/// A log directory's name, descriptor and archive count, for the file operations.
struct Place<'b> {
    path: &'b [u8],
    dir: OwnedFd,
    num: u32,
}

impl<'b> Dir<'b> {
    /// Creates (mode 0700) and locks the directory; after an unclean stop (no `current`
    /// closed cleanly), keeps what the last run left as `.u` archives; opens `current`
    /// for appending.
    fn start(settings: LogDir<'b>, action: usize, ring: &'b mut [u8]) -> Self {
        let path = settings.path;
        let name = match PathBuf::join(&[path]) {
            Ok(name) => name,
            Err(e) => fatal_sys(&[b"unable to open directory ", path], e),
        };
        let _ = mkdirat(CWD, name.as_c_str(), MODE_DIR);
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let dir = match openat(CWD, name.as_c_str(), flags, Mode::empty()) {
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
            dir,
            num: settings.num,
        };
        if !place.closed(c"current") {
            place.recover();
        }
        let current = place.open_current();
        let size = seek(&current, SeekFrom::End(0)).unwrap_or(0);
        Dir {
            action,
            writer: Writer::new(ring, settings.size, u32::try_from(size).unwrap_or(u32::MAX)),
            place,
            _lock: lock,
            current,
            processor: settings.processor,
        }
    }

    /// Writes out the ring (pausing while the file system refuses) and rotates
    /// `current` if it is complete.
    fn write_out(&mut self, signals: &ChildSignals, env: Env) {
        while self.writer.has_pending() {
            let (a, b) = self.writer.pending();
            match writev(&self.current, &[IoSlice::new(a), IoSlice::new(b)]) {
                Ok(n) => self.writer.wrote(n),
                Err(Errno::INTR) => {}
                Err(e) => pause(&[b"unable to write to ", self.place.path, b"/current"], e),
            }
        }
        if self.writer.rotation_due() {
            self.rotate(signals, env);
        }
    }

    /// `current` becomes `previous` and then an archive, through the processor if any.
    fn rotate(&mut self, signals: &ChildSignals, env: Env) {
        let place = &self.place;
        let current = &self.current;
        place.retry(b"unable to fsync ", c"current", &mut || fsync(current));
        place.retry(b"unable to rename ", c"current", &mut || {
            renameat(&place.dir, c"current", &place.dir, c"previous")
        });
        self.current = place.open_current();
        place.retry(b"unable to set mode of ", c"previous", &mut || {
            chmodat(&place.dir, c"previous", MODE_CLOSED, AtFlags::empty())
        });
        match self.processor {
            None => place.archive(c"previous", Kind::Safe),
            Some(processor) => place.process(processor, signals, env),
        }
        self.writer.rotated();
    }
}

impl Place<'_> {
    /// Runs `op` until it succeeds; each failure is reported as `verb dir/file,
    /// pausing: reason` and followed by a pause.
    fn retry(&self, verb: &[u8], file: &CStr, op: &mut dyn FnMut() -> Result<(), Errno>) {
        retry(&[verb, self.path, b"/", file.to_bytes()], op);
    }

    /// Whether `name` is marked closed (mode bit 0100: not `access(2)`, which refuses
    /// execution on a `noexec` mount whatever the mode); a missing file is not. Exits
    /// 111 if it cannot tell.
    fn closed(&self, name: &CStr) -> bool {
        match stat(self.dir.as_fd(), name) {
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
            create(&self.dir, c"state").map(drop)
        });
    }

    /// Removes `name`, pausing while that fails; a missing `name` is no failure.
    fn remove(&self, name: &CStr) {
        self.retry(b"unable to remove ", name, &mut || match unlinkat(
            &self.dir,
            name,
            AtFlags::empty(),
        ) {
            Err(Errno::NOENT) => Ok(()),
            other => other,
        });
    }

    /// Opens `current` for appending (creating it) and gives it the mode of an open log.
    fn open_current(&self) -> OwnedFd {
        let mut current = None;
        loop {
            if let Some(fd) = current.take() {
                return fd;
            }
            self.retry(b"unable to create ", c"current", &mut || {
                let flags =
                    OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | NO_WAIT | OFlags::CLOEXEC;
                let fd = openat(&self.dir, c"current", flags, MODE_PRIVATE)?;
                fchmod(&fd, MODE_OPEN)?;
                current = Some(fd);
                Ok(())
            });
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
            let linked = match stat(self.dir.as_fd(), file) {
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
                match linkat(
                    &self.dir,
                    file,
                    &self.dir,
                    PathBuf::join(&[&name])?.as_c_str(),
                    AtFlags::empty(),
                ) {
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
            let removed = PathBuf::join(&[oldest])
                .and_then(|name| unlinkat(&self.dir, name.as_c_str(), AtFlags::empty()));
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
        for_each_entry(&self.dir, |name| census.see(name.to_bytes()))?;
        Ok(census)
    }

    /// Runs the processor on `previous` until it succeeds, then keeps its output as a
    /// `.s` archive and `newstate` as `state`.
    fn process(&self, processor: &[u8], signals: &ChildSignals, env: Env) {
        loop {
            let dir = &self.dir;
            match fork_child(signals, || run_processor(dir, processor, env)) {
                Ok(pid) if exited_ok(pid) => break,
                Ok(_) => warn(&[b"processor failed in ", self.path, b", pausing"]),
                Err(e) => warn_sys(&[b"unable to fork for ", self.path, b", pausing"], e),
            }
            sleep(PROCESSOR_PAUSE_MS);
        }
        for name in [c"processed", c"newstate"] {
            self.retry(b"unable to fsync ", name, &mut || {
                let flags = OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::CLOEXEC;
                let fd = openat(&self.dir, name, flags, MODE_PRIVATE)?;
                fsync(&fd)?;
                fchmod(
                    &fd,
                    if name == c"processed" {
                        MODE_CLOSED
                    } else {
                        MODE_OPEN
                    },
                )
            });
        }
        self.remove(c"previous");
        self.retry(b"unable to rename ", c"newstate", &mut || {
            renameat(&self.dir, c"newstate", &self.dir, c"state")
        });
        self.archive(c"processed", Kind::Safe);
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
    let Ok(command) = PathBuf::join(&[processor]) else {
        return;
    };
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
/// taken, as by the original.
fn open_status(file: &[u8]) -> OwnedFd {
    let flags = OFlags::WRONLY | OFlags::CREATE | NO_WAIT | OFlags::CLOEXEC;
    let opened = PathBuf::join(&[file]).and_then(|f| {
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

/// The mode of `name` in `dir`, and whether it has other links. One function for every
/// caller: on 32-bit targets `statat` brings `statx` with its fallback and conversions.
#[inline(never)]
fn stat(dir: BorrowedFd<'_>, name: &CStr) -> Result<(u32, bool), Errno> {
    let st = statat(dir, name, AtFlags::empty())?;
    Ok((st.st_mode, st.st_nlink > 1))
}

/// Runs `op` until it succeeds, reporting each failure as `what, pausing: reason` and
/// pausing.
fn retry(what: &[&[u8]], op: &mut dyn FnMut() -> Result<(), Errno>) {
    loop {
        match op() {
            Ok(()) => return,
            Err(Errno::INTR) => {}
            Err(e) => pause(what, e),
        }
    }
}

/// Reports a failure that will be retried (`what, pausing: reason`) and waits a second.
fn pause(what: &[&[u8]], e: Errno) {
    let mut parts: [&[u8]; 6] = [b""; 6];
    let n = what.len().min(5);
    parts[..n].copy_from_slice(&what[..n]);
    parts[n] = b", pausing";
    warn_sys(&parts[..=n], e);
    sleep(PAUSE_MS);
}

/// Waits `ms` milliseconds (signals stay queued for the main loop).
fn sleep(ms: i64) {
    let timeout = Timespec {
        tv_sec: ms / 1000,
        tv_nsec: (ms % 1000) * 1_000_000,
    };
    let _ = poll(&mut [], Some(&timeout));
}
