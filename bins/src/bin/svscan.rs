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
//! URG upgrades svscan in place ([`upgrade`]): at the end of a scan it executes itself
//! again, the file found as it was started, with the same arguments. The pid stays, so
//! every supervise stays its child, and the log pipes stay open in the supervise
//! processes: the new image takes them over as above and learns its children from
//! their `supervise/lock` ([`our_supervise`]). It knows it is an upgrade from the
//! signals it starts with blocked (CHLD and URG: exec keeps the mask; svscan gives every
//! child the mask it started with), and as process 1 does not run the boot hook again.
//! If the file cannot be executed, svscan warns and goes on as it was.
//!
//! TERM or INT stops the tree: `svc -dx` to every service, then, once their supervise
//! processes have gone, to every logger (so the last output is still logged); then
//! svscan exits 0.
//!
//! As process 1 (a router, an initramfs or a container) it reaps every orphan and never
//! exits: it runs `.svscan/boot` before the first scan, and TERM or INT (reboot), USR1
//! (halt) or USR2 (power off) stop the tree as above, then run `.svscan/shutdown`, send
//! TERM to every process, KILL after a grace time, sync, and reboot, halt or power off
//! (`svscan(8)`, "As process 1"). A scan directory it cannot enter is no reason for
//! process 1 to exit: it warns and tries again every second.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::lockpid;
use dt_core::scan::{
    Action, DirId, Ending, Event, Hook, Instant, Role, Scanner, Warning, settling,
};
use platform::buffer::Static;
use platform::clock::{file_clock_ms, monotonic_ms, timeout_ms, timeout_until, wall_clock};
use platform::file::{PathBuf, Supervised, for_each_entry, open_fifo, supervised};
use platform::io::{read, write_all};
use platform::msg::{fatal_sys, warn, warn_sys};
use platform::process::{ChildSignals, exec, fork_child};
use platform::reexec::{exec_self, working_directory};
use platform::{Args, EXIT_OK, EXIT_TEMP, Env, RebootCommand, exit, kill_all, reboot};
use rustix::event::{PollFd, PollFlags, poll};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, inotify, open, stat, statat};
use rustix::io::{Errno, fcntl_dupfd_cloexec};
use rustix::pipe::{PipeFlags, pipe_with};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions, wait, waitid};

/// The scan machine, with room for `MAX_SERVICES`: in static memory, not on the stack.
static MACHINE: Static<Scanner<LogPipe>> = Static::new(Scanner::new(Instant(0)));

platform::tool!(b"svscan", run);

/// The pipe from a service (write end) to its logger (read end).
struct LogPipe {
    read: OwnedFd,
    write: OwnedFd,
}

/// What the actions need besides the machine.
struct Context<'a> {
    signals: &'a ChildSignals,
    args: &'a Args,
    env: Env,
    /// The working directory svscan started in, for an upgrade.
    origin: Option<OwnedFd>,
    /// When the first scan began (wall-clock ms; 0 until then): directories made before
    /// it are complete ([`settling`]).
    first_scan_ms: core::cell::Cell<i64>,
    /// The scan directory named on the command line.
    dir: Option<&'a CStr>,
    /// The inotify instance, if any: it watches the scan directory once svscan is in.
    changes: Option<&'a OwnedFd>,
}

/// The signals svscan blocks and reads besides CHLD: URG (the upgrade), then those that
/// stop it.
const BLOCKED: &[Signal] = &[Signal::URG, Signal::TERM, Signal::INT];

/// [`BLOCKED`] as process 1: also halt and power off. Elsewhere USR1 and USR2 keep their
/// default action.
const BLOCKED_AS_INIT: &[Signal] = &[
    Signal::URG,
    Signal::TERM,
    Signal::INT,
    Signal::USR1,
    Signal::USR2,
];

fn run(args: Args, env: Env) -> i32 {
    let dir = args.get_c(1);
    let init = system_init();
    let origin = working_directory().ok();
    // As process 1, a directory that cannot be entered is only a warning: svscan stays,
    // reaps, obeys the signals and tries again (the machine's Entering state).
    let entered = match dir.map(|dir| (dir, rustix::process::chdir(dir))) {
        Some((dir, Err(e))) if init => {
            warn_sys(&[b"unable to chdir to ", dir.to_bytes()], e);
            false
        }
        Some((dir, Err(e))) => fatal_sys(&[b"unable to chdir to ", dir.to_bytes()], e),
        Some((_, Ok(()))) | None => true,
    };
    let blocked = if init { BLOCKED_AS_INIT } else { BLOCKED };
    let mut signals = ChildSignals::with(blocked)
        .unwrap_or_else(|e| fatal_sys(&[b"unable to watch for children"], e));
    let upgraded = signals.started_blocked(&[Signal::CHILD, Signal::URG], blocked);
    // Without inotify (some file systems, old kernels) the periodic scan still works.
    let changes = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)
        .ok()
        .filter(|fd| !entered || watch(fd));
    let cx = Context {
        signals: &signals,
        args: &args,
        env,
        origin,
        first_scan_ms: core::cell::Cell::new(0),
        dir,
        changes: changes.as_ref(),
    };
    // The first scan is due at once (any instant is past).
    let machine = MACHINE.take();
    if init {
        // Ctrl-Alt-Del sends INT (a clean reboot) instead of restarting at once.
        let _ = reboot(RebootCommand::CadOff);
        // After an upgrade the boot is done: the first scan, at once (unless the
        // directory has gone meanwhile: then it is waited for, as at boot).
        match (entered, upgraded) {
            (true, false) => feed(machine, Event::Boot, c"", &cx),
            (false, _) => feed(machine, Event::NoDirectory, c"", &cx),
            (true, true) => {}
        }
    }
    loop {
        let due = machine.deadline();
        if due.is_some_and(|Instant(at)| at <= monotonic_ms()) {
            feed(machine, Event::Timer, c"", &cx);
            continue;
        }
        let timeout = due.map(|Instant(at)| timeout_until(at));
        let children = signals.fd();
        // Without inotify the second entry repeats the first, harmlessly.
        let watched = changes.as_ref().map_or(children, |fd| fd.as_fd());
        let mut fds = [
            PollFd::new(&children, PollFlags::IN),
            PollFd::new(&watched, PollFlags::IN),
        ];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(_) | Err(Errno::INTR) => {}
            // Never exit (svscan may be process 1): say so, and try again shortly.
            Err(e) => {
                warn_sys(&[b"unable to wait for events"], e);
                let _ = poll(&mut [], Some(&timeout_ms(1000)));
                continue;
            }
        }
        let (exited, changed) = (!fds[0].revents().is_empty(), !fds[1].revents().is_empty());
        if exited {
            let caught = signals.drain();
            // Any child (`wait4(-1)`, as `reap`); as process 1, none left is news too.
            loop {
                let event = match wait(WaitOptions::NOHANG) {
                    Ok(Some((pid, _))) => Event::ChildExited {
                        pid: pid.as_raw_nonzero().get() as u32,
                    },
                    Err(Errno::INTR) => continue,
                    Err(Errno::CHILD) if init => Event::Alone,
                    Ok(None) | Err(_) => break,
                };
                let last = matches!(event, Event::Alone);
                feed(machine, event, c"", &cx);
                if last {
                    break;
                }
            }
            if caught.has(Signal::URG) {
                feed(machine, Event::Upgrade, c"", &cx);
            }
            // USR1 and USR2 come only to process 1 (elsewhere they are not read).
            let ending = if caught.has(Signal::USR2) {
                Some(Ending::PowerOff)
            } else if caught.has(Signal::USR1) {
                Some(Ending::Halt)
            } else if caught.has(Signal::TERM) || caught.has(Signal::INT) {
                Some(if init { Ending::Reboot } else { Ending::Exit })
            } else {
                None
            };
            if let Some(ending) = ending {
                feed(machine, Event::Stop(ending), c"", &cx);
            }
        }
        if let (Some(fd), true) = (&changes, changed) {
            let mut events = [0u8; 1024];
            while matches!(read(fd, &mut events), Ok(n) if n > 0) {}
            feed(machine, Event::Changed, c"", &cx);
        }
    }
}

/// Steps the machine with `event` about the directory entry `name` (empty when the
/// event concerns none) and performs the actions; an outcome goes back in at once.
fn feed(machine: &mut Scanner<LogPipe>, event: Event<LogPipe>, name: &CStr, cx: &Context) {
    let mut next = Some(event);
    let mut rescan = false;
    while let Some(event) = next.take() {
        for action in machine.step(event, Instant(monotonic_ms())) {
            match action {
                Action::Scan => rescan = true,
                Action::SetUp => next = Some(Event::SetUp(log_pipe(name.to_bytes()))),
                Action::Start { role, pipe } => next = Some(start(role, pipe, name, cx)),
                Action::Warn(Warning::TooMany) => warn(&[
                    b"unable to start ",
                    name.to_bytes(),
                    b": running too many services",
                ]),
                Action::Close(pipe) => {
                    drop(pipe);
                    next = Some(Event::Closed);
                }
                Action::StopAll(role) => stop_all(role),
                Action::RunHook(hook) => next = Some(run_hook(hook, cx)),
                Action::SignalAll { kill } => {
                    kill_all(if kill { Signal::KILL } else { Signal::TERM })
                }
                Action::End(ending) => end(ending),
                Action::Enter { warn } => next = Some(Event::Entered(enter(warn, cx))),
                Action::Upgrade => upgrade(cx),
            }
        }
    }
    if rescan {
        scan(machine, cx);
    }
}

/// Entries are visited through one instance of the directory walk (a `dyn` closure):
/// the scan and the shutdown share its code.
type EachEntry<'a> = &'a mut dyn FnMut(&CStr);

/// One pass over the directory, reported to the machine entry by entry.
fn scan(machine: &mut Scanner<LogPipe>, cx: &Context) {
    if cx.first_scan_ms.get() == 0 {
        cx.first_scan_ms.set(file_clock_ms());
    }
    feed(machine, Event::ScanBegins, c"", cx);
    let each: EachEntry = &mut |name| {
        if let Some(id) = directory(name) {
            // Whether a new directory is still being made is asked only of new ones.
            let settling =
                !machine.knows(id) && being_made(name.to_bytes(), cx.first_scan_ms.get());
            feed(machine, Event::Entry { id, settling }, name, cx);
        }
    };
    let listed = for_each_entry(CWD, each);
    if let Err(e) = listed {
        warn_sys(&[b"unable to read directory"], e);
    }
    let complete = listed.is_ok();
    feed(machine, Event::ScanEnds { complete }, c"", cx);
}

/// The identity of the entry `name` if it is a directory (after following a symbolic
/// link); warns when it cannot be told.
fn directory(name: &CStr) -> Option<DirId> {
    let st = match stat(name) {
        Ok(st) => st,
        Err(e) => {
            warn_sys(&[b"unable to stat ", name.to_bytes()], e);
            return None;
        }
    };
    let id = DirId {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
    };
    (FileType::from_raw_mode(st.st_mode) == FileType::Directory).then_some(id)
}

/// Watches the scan directory (the working directory) for new and removed entries;
/// whether that worked.
fn watch(fd: &OwnedFd) -> bool {
    use inotify::WatchFlags as W;
    let what = W::CREATE | W::MOVED_TO | W::DELETE | W::MOVED_FROM | W::ONLYDIR;
    inotify::add_watch(fd, c".", what).is_ok()
}

/// Process 1 tries again to enter the scan directory it could not enter (warning why
/// if `warn`), and watches it once in; whether it is in.
fn enter(warn: bool, cx: &Context) -> bool {
    let Some(dir) = cx.dir else { return true };
    match rustix::process::chdir(dir) {
        Ok(()) => {
            if let Some(fd) = cx.changes {
                watch(fd);
            }
            true
        }
        Err(e) => {
            if warn {
                warn_sys(&[b"unable to chdir to ", dir.to_bytes()], e);
            }
            false
        }
    }
}

/// Writes `dx` to the control FIFO of every service's supervise (or every logger's).
fn stop_all(role: Role) {
    let each: EachEntry = &mut |name| {
        let name = name.to_bytes();
        let control = match role {
            Role::Main => &[name, b"/supervise/control"][..],
            Role::Log => &[name, b"/log/supervise/control"],
        };
        if let Ok(path) = PathBuf::join(control) {
            if let Ok(fd) = open_fifo(path.as_c_str(), true) {
                let _ = write_all(&fd, b"dx");
            }
        }
    };
    let _ = for_each_entry(CWD, each);
}

/// Whether svscan is the system's process 1: process 1 of the first PID namespace, whose
/// `/proc/self/ns/pid` has the kernel's fixed inode number (`PROC_PID_INIT_INO`), or
/// of any when `/proc` is not mounted (a kernel starting svscan mounts nothing).
/// Process 1 of a container stops as svscan always did: TERM or INT stop the tree and
/// it exits 0, which ends the container.
fn system_init() -> bool {
    rustix::process::getpid().is_init()
        && stat(c"/proc/self/ns/pid").map_or(true, |st| st.st_ino == 0xEFFF_FFFC)
}

/// Runs the hook `.svscan/boot` (no arguments) or `.svscan/shutdown reboot|halt|poweroff`
/// of process 1 in the scan directory, with svscan's descriptors and environment; a
/// missing hook is no error. The outcome, for the machine.
fn run_hook(hook: Hook, cx: &Context) -> Event<LogPipe> {
    let (path, how) = match hook {
        Hook::Boot => (c".svscan/boot", None),
        Hook::Shutdown(Ending::Exit) => (c".svscan/shutdown", Some(c"exit")),
        Hook::Shutdown(Ending::Reboot) => (c".svscan/shutdown", Some(c"reboot")),
        Hook::Shutdown(Ending::Halt) => (c".svscan/shutdown", Some(c"halt")),
        Hook::Shutdown(Ending::PowerOff) => (c".svscan/shutdown", Some(c"poweroff")),
    };
    let started = fork_child(cx.signals, || {
        let argv = [
            path.as_ptr().cast(),
            how.map_or(core::ptr::null(), |how| how.as_ptr().cast()),
            core::ptr::null(),
        ];
        let e = exec(path, &argv, cx.env);
        if e != Errno::NOENT {
            die(&[b"unable to run ", path.to_bytes()], e);
        }
        exit(EXIT_OK)
    });
    match started {
        Ok(pid) => Event::Spawned { pid },
        Err(e) => {
            warn_sys(&[b"unable to fork for ", path.to_bytes()], e);
            Event::SpawnFailed
        }
    }
}

/// The end of a shutdown: exit 0, or as process 1 sync and reboot, halt or power off.
/// Where process 1 may not (`EPERM`: a container without `CAP_SYS_BOOT`) it exits,
/// which ends the container.
fn end(ending: Ending) -> ! {
    let command = match ending {
        Ending::Exit => exit(EXIT_OK),
        Ending::Reboot => RebootCommand::Restart,
        Ending::Halt => RebootCommand::Halt,
        Ending::PowerOff => RebootCommand::PowerOff,
    };
    rustix::fs::sync();
    let e = reboot(command).err().unwrap_or(Errno::PERM);
    warn_sys(&[b"unable to reboot"], e);
    exit(EXIT_TEMP)
}

/// Whether `name`, not yet a service, is a directory made in place (not a symbolic
/// link: a linked-in directory is complete) in which the directory itself, `run`,
/// `log` or `log/run` changed within the last `SETTLE_MS`, since the first scan began.
#[inline(never)] // out of line is smaller (the size budget)
fn being_made(name: &[u8], first_scan_ms: i64) -> bool {
    // One path, set again for each look (a 4 KiB path each would deepen the stack).
    let mut path = PathBuf::empty();
    let linked = path.set(&[name]).is_ok()
        && statat(CWD, path.as_c_str(), AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink);
    if linked {
        return false;
    }
    let now_ms = wall_ms();
    [&b""[..], b"/run", b"/log", b"/log/run"]
        .iter()
        .any(|part| {
            path.set(&[name, part]).is_ok()
                && stat(path.as_c_str()).is_ok_and(|st| {
                    #[allow(clippy::useless_conversion)] // i32 on some 32-bit targets
                    let changed = i64::from(st.st_ctime).saturating_mul(1000)
                        + (st.st_ctime_nsec as i64) / 1_000_000;
                    settling(changed, now_ms, first_scan_ms)
                })
        })
}

/// The wall clock in milliseconds.
fn wall_ms() -> i64 {
    let (secs, nanos) = wall_clock();
    secs.saturating_mul(1000) + i64::from(nanos / 1_000_000)
}

/// Starts supervise for the service `name` (`role` main) or its logger, unless one
/// runs there already (an earlier svscan started it: another would only fail on its
/// lock); the outcome, for the machine.
#[inline(never)] // out of line is smaller (the size budget)
fn start(role: Role, pipe: Option<&LogPipe>, name: &CStr, cx: &Context) -> Event<LogPipe> {
    let bytes = name.to_bytes();
    let (ok, what): (&[u8], &[u8]) = match role {
        Role::Main => (b"/supervise/ok", b""),
        Role::Log => (b"/log/supervise/ok", b"/log"),
    };
    if supervise_runs(bytes, ok) {
        return match our_supervise(bytes, what) {
            Some(pid) => Event::Adopted { pid },
            None => Event::AlreadyRunning,
        };
    }
    let started = fork_child(cx.signals, || {
        let (dir, stdio) = match role {
            Role::Main => (name, pipe.map(|p| rustix::stdio::dup2_stdout(&p.write))),
            Role::Log => (c"log", pipe.map(|p| rustix::stdio::dup2_stdin(&p.read))),
        };
        if let Some(Err(e)) = stdio {
            die(&[b"unable to set up descriptors for ", bytes, what], e);
        }
        if role == Role::Log {
            if let Err(e) = rustix::process::chdir(name) {
                die(&[b"unable to switch to ", bytes], e);
            }
        }
        let argv = [
            c"supervise".as_ptr().cast(),
            dir.as_ptr().cast(),
            core::ptr::null(),
        ];
        let e = exec(c"supervise", &argv, cx.env);
        die(&[b"unable to start supervise ", bytes, what], e);
    });
    match started {
        Ok(pid) => Event::Spawned { pid },
        Err(e) => {
            warn_sys(&[b"unable to fork for ", bytes, what], e);
            Event::SpawnFailed
        }
    }
}

/// The pipe for a new service that has a `log` directory: `Ok(None)` without one,
/// `Err(())` (after a warning) when that cannot be told or the pipe cannot be made.
fn log_pipe(name: &[u8]) -> Result<Option<LogPipe>, ()> {
    match stat_in(name, b"/log") {
        Some(Ok(st)) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {}
        None | Some(Ok(_) | Err(Errno::NOENT)) => return Ok(None),
        Some(Err(e)) => {
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

/// `stat` of `name` followed by `part`, or `None` if that path cannot be made. Out of
/// line, so that its path is on the stack only while it runs (small stacks).
#[inline(never)]
fn stat_in(name: &[u8], part: &[u8]) -> Option<Result<rustix::fs::Stat, Errno>> {
    let path = PathBuf::join(&[name, part]).ok()?;
    Some(stat(path.as_c_str()))
}

/// Whether a supervise that this svscan did not start (an earlier svscan did) runs for
/// the directory: someone reads its `ok` FIFO. Starting another would only fail on
/// its lock.
#[inline(never)] // its path only on the stack while it runs (small stacks)
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

/// The pid our supervise keeps in `name` + `dir` + `/supervise/lock`, as its decimal
/// digits (the canonical text: they name the process in `/proc`) and as a number.
/// `path` is the caller's, set again here (a 4 KiB path each would deepen the stack).
fn lock_pid<'t>(
    path: &mut PathBuf,
    name: &[u8],
    dir: &[u8],
    text: &'t mut [u8; 12],
) -> Option<(&'t [u8], u32)> {
    path.set(&[name, dir, b"/supervise/lock"]).ok()?;
    let lock = path.open_read().ok()?;
    let len = read(&lock, text).ok()?;
    let text = text.get(..len)?;
    let pid = lockpid::parse(text)?;
    Some((text.strip_suffix(b"\n")?, pid))
}

/// The pid of the supervise running for `name` (`dir` empty) or its logger (`dir`
/// `/log`) if it is svscan's own child, not yet exited: the image before an in-place
/// upgrade started it. From its `supervise/lock`; `waitid` tells a child from any other
/// process without taking its exit status.
#[inline(never)] // its path only on the stack while it runs (small stacks)
fn our_supervise(name: &[u8], dir: &[u8]) -> Option<u32> {
    let mut path = PathBuf::empty();
    let (_, pid) = lock_pid(&mut path, name, dir, &mut [0; 12])?;
    let id = Pid::from_raw(i32::try_from(pid).ok()?)?;
    let how = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    matches!(waitid(WaitId::Pid(id), how), Ok(None)).then_some(pid)
}

/// [`adopt_pipe`] from one directory's supervise and descriptor.
#[inline(never)] // called twice: one copy of the code
fn adopt_from(name: &[u8], dir: &[u8], fd: &[u8]) -> Option<LogPipe> {
    // One path, set again for each file (a 4 KiB path each would deepen the stack).
    let mut path = PathBuf::empty();
    let mut text = [0u8; 12];
    let (pid, _) = lock_pid(&mut path, name, dir, &mut text)?;
    path.set(&[b"/proc/", pid, b"/cwd"]).ok()?;
    let cwd = stat(path.as_c_str()).ok()?;
    path.set(&[name, dir]).ok()?;
    let home = stat(path.as_c_str()).ok()?;
    path.set(&[b"/proc/", pid, fd]).ok()?;
    let is_pipe =
        stat(path.as_c_str()).is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Fifo);
    if (cwd.st_dev, cwd.st_ino) != (home.st_dev, home.st_ino) || !is_pipe {
        return None;
    }
    let flags = OFlags::RDWR | OFlags::CLOEXEC;
    let read = open(path.as_c_str(), flags, Mode::empty()).ok()?;
    let write = fcntl_dupfd_cloexec(&read, 0).ok()?;
    Some(LogPipe { read, write })
}

/// Executes svscan again in place (URG): see the module's doc. Returns only if that
/// failed, after a warning; svscan goes on as it was.
fn upgrade(cx: &Context) {
    let e = exec_self(cx.args, cx.env, cx.origin.as_ref().map(|fd| fd.as_fd()));
    let name = cx.args.get(0).unwrap_or_default();
    warn_sys(&[b"unable to upgrade to ", name], e);
}

/// In a child: the original's words (a warning), then exit 111.
fn die(what: &[&[u8]], e: Errno) -> ! {
    warn_sys(what, e);
    exit(platform::EXIT_TEMP)
}
