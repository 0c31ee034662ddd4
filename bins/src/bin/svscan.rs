//! svscan: start and keep a `supervise` for every service directory. `svscan [dir]`
//! (default `.`) starts `supervise sub` for each subdirectory not starting with a dot,
//! and for `sub/log` a second `supervise` in `sub`, fed by a pipe from the service's
//! stdout that svscan holds, so no output is lost while either side restarts.
//!
//! A new directory (or symlink) is picked up at once through inotify; the scan every
//! five seconds stays, for file systems without inotify and to restart a supervise
//! that died. A directory made in place (not a symlink) waits until nothing in it
//! (`run`, `log`, `log/run`) has changed for a second (`dt_core::scan::SETTLE_MS`), so that a
//! script making it in any order gets its logger connected.
//!
//! An svscan that replaces a killed one starts no second supervise where one runs, and
//! takes over the log pipes of the trees still running ([`adopt_pipe`]).
//!
//! As process 1 (a minimal initramfs or a container) it reaps every orphan and never
//! exits on an error. TERM or INT stops the tree: `svc -dx` to every service, then,
//! once their supervise processes have gone, to every logger (so the last output is
//! still logged); then svscan exits 0.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::lockpid;
use dt_core::scan::{DirId, Refused, ScanTable, settling};
use platform::clock::{monotonic_ms, timeout_ms, timeout_until, wall_clock};
use platform::file::{PathBuf, Supervised, for_each_entry, supervised};
use platform::io::read;
use platform::msg::{fatal_sys, warn, warn_sys};
use platform::process::{ChildSignals, exec, fork_child, reap};
use platform::{Args, Env, exit};
use rustix::event::{PollFd, PollFlags, poll};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, inotify, open, stat, statat};
use rustix::io::{Errno, fcntl_dupfd_cloexec};
use rustix::pipe::{PipeFlags, pipe_with};
use rustix::process::Signal;

platform::tool!(b"svscan", run);

/// The periodic scan, as the original.
const SCAN_INTERVAL_MS: u64 = 5_000;
/// The next scan while a directory made in place settles.
const SETTLE_SCAN_MS: u64 = 100;

/// The pipe from a service (write end) to its logger (read end).
struct LogPipe {
    read: OwnedFd,
    write: OwnedFd,
}

fn run(args: Args, env: Env) -> i32 {
    if let Some(dir) = args.get_c(1) {
        if let Err(e) = rustix::process::chdir(dir) {
            fatal_sys(&[b"unable to chdir to ", dir.to_bytes()], e);
        }
    }
    let signals = ChildSignals::with(&[Signal::TERM, Signal::INT])
        .unwrap_or_else(|e| fatal_sys(&[b"unable to watch for children"], e));
    // Without inotify (some file systems, old kernels) the periodic scan still works.
    let changes = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)
        .ok()
        .filter(|fd| {
            use inotify::WatchFlags as W;
            let what = W::CREATE | W::MOVED_TO | W::DELETE | W::MOVED_FROM | W::ONLYDIR;
            inotify::add_watch(fd, c".", what).is_ok()
        });
    let mut table = ScanTable::<LogPipe>::default();
    loop {
        let settling = scan(&mut table, &signals, env);
        let due = monotonic_ms()
            + if settling {
                SETTLE_SCAN_MS
            } else {
                SCAN_INTERVAL_MS
            };
        loop {
            let timeout = timeout_until(due);
            let children = signals.fd();
            // Without inotify the second entry repeats the first, harmlessly.
            let watched = changes.as_ref().map_or(children, |fd| fd.as_fd());
            let mut fds = [
                PollFd::new(&children, PollFlags::IN),
                PollFd::new(&watched, PollFlags::IN),
            ];
            match poll(&mut fds, Some(&timeout)) {
                Ok(_) | Err(Errno::INTR) => {}
                // Never exit (svscan may be process 1): say so, and try again shortly.
                Err(e) => {
                    warn_sys(&[b"unable to wait for events"], e);
                    let _ = poll(&mut [], Some(&timeout_ms(1000)));
                    continue;
                }
            }
            if !fds[0].revents().is_empty() {
                let stop = signals.drain().any();
                while let Some(pid) = reap() {
                    table.child_exited(pid);
                }
                if stop {
                    shut_down(&mut table, &signals);
                }
            }
            let changed = changes.is_some() && !fds[1].revents().is_empty();
            if changed {
                let mut events = [0u8; 1024];
                if let Some(fd) = &changes {
                    while matches!(read(fd, &mut events), Ok(n) if n > 0) {}
                }
            }
            if changed || monotonic_ms() >= due {
                break;
            }
        }
    }
}

/// Longest wait for each phase of a shutdown.
const SHUTDOWN_WAIT_MS: u64 = 10_000;

/// Stops every service, then every logger, waits for their supervise processes, exits.
fn shut_down(table: &mut ScanTable<LogPipe>, signals: &ChildSignals) -> ! {
    for log in [false, true] {
        let _ = for_each_entry(CWD, |name| {
            let name = name.to_bytes();
            let control = if log {
                &[name, b"/log/supervise/control"][..]
            } else {
                &[name, b"/supervise/control"]
            };
            if let Ok(path) = platform::file::PathBuf::join(control) {
                if let Ok(fd) = platform::file::open_fifo(path.as_c_str(), true) {
                    let _ = platform::io::write_all(&fd, b"dx");
                }
            }
        });
        let until = monotonic_ms() + SHUTDOWN_WAIT_MS;
        while table.running(log) > 0 && monotonic_ms() < until {
            let children = signals.fd();
            let pause = timeout_ms(100);
            let _ = poll(&mut [PollFd::new(&children, PollFlags::IN)], Some(&pause));
            let _ = signals.drain();
            while let Some(pid) = reap() {
                table.child_exited(pid);
            }
        }
    }
    exit(platform::EXIT_OK)
}

/// One pass over the directory: start what is missing, forget what has gone. Returns
/// whether a new directory was left to settle (see [`being_made`]).
fn scan(table: &mut ScanTable<LogPipe>, signals: &ChildSignals, env: Env) -> bool {
    let mut settling = false;
    table.begin_scan();
    match for_each_entry(CWD, |name| settling |= !visit(table, name, signals, env)) {
        Ok(()) => table.end_scan(drop),
        Err(e) => warn_sys(&[b"unable to read directory"], e),
    }
    settling
}

/// Starts the supervise processes one directory entry needs; `false` if it is a new
/// directory still being made, left for a later scan.
fn visit(table: &mut ScanTable<LogPipe>, name: &CStr, signals: &ChildSignals, env: Env) -> bool {
    let bytes = name.to_bytes();
    let st = match stat(name) {
        Ok(st) => st,
        Err(e) => {
            warn_sys(&[b"unable to stat ", bytes], e);
            return true;
        }
    };
    if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
        return true;
    }
    let id = DirId {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
    };
    if !table.contains(id) && being_made(bytes) {
        return false;
    }
    start(table, id, name, signals, env);
    true
}

/// Whether `name`, not yet a service, is a directory made in place (not a symbolic
/// link: a linked-in directory is complete) in which the directory itself, `run`,
/// `log` or `log/run` changed within the last `SETTLE_MS`.
fn being_made(name: &[u8]) -> bool {
    let linked = PathBuf::join(&[name]).is_ok_and(|path| {
        statat(CWD, path.as_c_str(), AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
    });
    if linked {
        return false;
    }
    let (secs, nanos) = wall_clock();
    let now_ms = secs.saturating_mul(1000) + i64::from(nanos / 1_000_000);
    [&b""[..], b"/run", b"/log", b"/log/run"]
        .iter()
        .any(|part| {
            PathBuf::join(&[name, part]).is_ok_and(|path| {
                stat(path.as_c_str()).is_ok_and(|st| {
                    #[allow(clippy::useless_conversion)] // i32 on some 32-bit targets
                    let changed = i64::from(st.st_ctime).saturating_mul(1000)
                        + (st.st_ctime_nsec as i64) / 1_000_000;
                    settling(changed, now_ms)
                })
            })
        })
}

/// Starts what the service `id`, found as `name`, needs.
fn start(table: &mut ScanTable<LogPipe>, id: DirId, name: &CStr, signals: &ChildSignals, env: Env) {
    let bytes = name.to_bytes();
    let service = match table.visit(id, || log_pipe(bytes)) {
        Ok(service) => service,
        Err(Refused::TooMany) => {
            return warn(&[b"unable to start ", bytes, b": running too many services"]);
        }
        Err(Refused::Setup) => return,
    };
    if service.needs_main() && !supervise_runs(bytes, b"/supervise/ok") {
        let pipe = service.log_pipe.as_ref().map(|p| &p.write);
        let started = fork_child(signals, || {
            if let Some(write) = pipe {
                if let Err(e) = rustix::stdio::dup2_stdout(write) {
                    die(&[b"unable to set up descriptors for ", bytes], e);
                }
            }
            let e = exec(
                c"supervise",
                &[
                    c"supervise".as_ptr().cast(),
                    name.as_ptr().cast(),
                    core::ptr::null(),
                ],
                env,
            );
            die(&[b"unable to start supervise ", bytes], e);
        });
        match started {
            Ok(pid) => service.main = Some(pid),
            Err(e) => return warn_sys(&[b"unable to fork for ", bytes], e),
        }
    }
    if service.needs_log() && !supervise_runs(bytes, b"/log/supervise/ok") {
        let pipe = service.log_pipe.as_ref().map(|p| &p.read);
        let started = fork_child(signals, || {
            if let Some(read) = pipe {
                if let Err(e) = rustix::stdio::dup2_stdin(read) {
                    die(&[b"unable to set up descriptors for ", bytes, b"/log"], e);
                }
            }
            if let Err(e) = rustix::process::chdir(name) {
                die(&[b"unable to switch to ", bytes], e);
            }
            let e = exec(
                c"supervise",
                &[
                    c"supervise".as_ptr().cast(),
                    c"log".as_ptr().cast(),
                    core::ptr::null(),
                ],
                env,
            );
            die(&[b"unable to start supervise ", bytes, b"/log"], e);
        });
        match started {
            Ok(pid) => service.log = Some(pid),
            Err(e) => warn_sys(&[b"unable to fork for ", bytes, b"/log"], e),
        }
    }
}

/// The pipe for a new service that has a `log` directory: `Ok(None)` without one,
/// `Err(())` (after a warning) when that cannot be told or the pipe cannot be made.
fn log_pipe(name: &[u8]) -> Result<Option<LogPipe>, ()> {
    let Ok(path) = PathBuf::join(&[name, b"/log"]) else {
        return Ok(None);
    };
    match stat(path.as_c_str()) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {}
        Ok(_) | Err(Errno::NOENT) => return Ok(None),
        Err(e) => {
            warn_sys(&[b"unable to stat ", name, b"/log"], e);
            return Err(());
        }
    }
    if let Some(pipe) = adopt_pipe(name) {
        return Ok(Some(pipe));
    }
    match pipe_with(PipeFlags::CLOEXEC) {
        Ok((read, write)) => Ok(Some(LogPipe { read, write })),
        Err(e) => {
            warn_sys(&[b"unable to create pipe for ", name], e);
            Err(())
        }
    }
}

/// Whether a supervise that this svscan did not start (an earlier svscan did) runs for
/// the directory: someone reads its `ok` FIFO. Starting another would only fail on
/// its lock.
fn supervise_runs(name: &[u8], ok: &[u8]) -> bool {
    PathBuf::join(&[name, ok])
        .is_ok_and(|path| matches!(supervised(path.as_c_str()), Supervised::Running(_)))
}

/// The pipe of a tree that an earlier svscan started and that still runs (that svscan
/// was killed and this one replaces it): the stdin of the logger's supervise, or else
/// the stdout of the service's, reopened through `/proc`. Our supervise keeps its pid
/// in `supervise/lock`; it counts only if that process runs in the directory and the
/// descriptor is a pipe. Without this, a service restarted later would write into a new
/// pipe that the running logger never reads, or, if the logger was down when svscan
/// died, into a pipe that nobody reads at all.
fn adopt_pipe(name: &[u8]) -> Option<LogPipe> {
    adopt_from(name, b"/log", b"/fd/0").or_else(|| adopt_from(name, b"", b"/fd/1"))
}

/// [`adopt_pipe`] from one directory's supervise and descriptor.
#[inline(never)] // called twice: one copy of the code
fn adopt_from(name: &[u8], dir: &[u8], fd: &[u8]) -> Option<LogPipe> {
    let mut text = [0u8; 12];
    let lock = PathBuf::join(&[name, dir, b"/supervise/lock"])
        .ok()?
        .open_read()
        .ok()?;
    let len = read(&lock, &mut text).ok()?;
    let text = text.get(..len)?;
    lockpid::parse(text)?;
    // The canonical text: its digits name the process in /proc.
    let pid = text.strip_suffix(b"\n")?;
    let in_proc = |what: &[u8]| PathBuf::join(&[b"/proc/", pid, what]).ok();
    let cwd = stat(in_proc(b"/cwd")?.as_c_str()).ok()?;
    let home = stat(PathBuf::join(&[name, dir]).ok()?.as_c_str()).ok()?;
    let descriptor = in_proc(fd)?;
    let is_pipe = stat(descriptor.as_c_str())
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Fifo);
    if (cwd.st_dev, cwd.st_ino) != (home.st_dev, home.st_ino) || !is_pipe {
        return None;
    }
    let flags = OFlags::RDWR | OFlags::CLOEXEC;
    let read = open(descriptor.as_c_str(), flags, Mode::empty()).ok()?;
    let write = fcntl_dupfd_cloexec(&read, 0).ok()?;
    Some(LogPipe { read, write })
}

/// In a child: the original's words (a warning), then exit 111.
fn die(what: &[&[u8]], e: Errno) -> ! {
    warn_sys(what, e);
    exit(platform::EXIT_TEMP)
}
