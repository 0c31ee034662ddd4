//! supervise: start and watch a service. `supervise dir` runs `dir/run`, restarts it
//! when it stops (at most once a second), obeys the commands `svc` writes to
//! `dir/supervise/control`, and keeps `dir/supervise/status` current.
//!
//! Everything is event-driven: one `poll` on SIGCHLD (a signalfd), the control FIFO and,
//! with `notification-fd`, the service's readiness pipe, with a timeout only while
//! something is due (a restart waiting for its turn, a KILL). Changes are announced to
//! `svc -w` waiters (`platform::waiters`). The child gets SIGTERM if
//! supervise dies; `supervise/lock` holds supervise's pid (for svscan, see there).
//!
//! A service that still runs is taken over, not started twice ([`still_running`]): after
//! `svc -X`, where supervise executes itself anew keeping its child and the descriptors
//! `KEPT_*`, and after a supervise was killed, where a child that dropped privileges
//! (and with them the parent-death signal) survived: watched then through a pidfd.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::control::Command;
use dt_core::lockpid;
use dt_core::search::find_byte;
use dt_core::settings::Settings;
use dt_core::status::Status;
use dt_core::supervisor::{
    Action, Actions, Ended, Event, FINISH_ARGV_LEN, Instant, Now, Supervisor,
};
use platform::clock::{boot_ms, monotonic_ms, ms_until, now};
use platform::file::{
    OpenError, PATH_MAX, ReplaceError, c_str_in, exists, fstatat, make_fifo, open_fifo,
    open_regular, read_status, replace_file,
};
use platform::io::{read, write_all};
use platform::msg::{errno_text, fatal, fatal_sys, usage, warn_sys};
use platform::process::{
    ChildSignals, exec_file, fork_child, kill, kill_group, lead_group, move_fd, proc_stat,
    reap_ended, reexec, take_inherited,
};
use platform::reexec::{exec_self, working_directory};
use platform::waiters::announce;
use platform::{Args, EXIT_OK, Env, exit};
use rustix::event::{PollFd, PollFlags};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, FlockOperation, Mode, OFlags, flock};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, geteuid, getppid, set_parent_process_death_signal};

platform::tool!(b"supervise", run);

/// Control bytes read at once (each is one command).
const CONTROL_READ_MAX: usize = 32;

/// Where a supervise executing itself anew (`svc -X`) leaves what the next one takes
/// over: the lock, held all along; the control FIFO, so that no command written
/// meanwhile is lost; the readiness pipe of a `./run` not ready yet (or nothing).
const KEPT_LOCK: i32 = 100;
const KEPT_CONTROL: i32 = 101;
const KEPT_READINESS: i32 = 102;

/// What the actions need besides the machine.
struct Service<'a> {
    dir: &'a [u8],
    /// How supervise was started, for `svc -X`: its arguments, and the directory it
    /// started in (`dir` and the program may be relative to it).
    args: &'a Args,
    origin: Option<OwnedFd>,
    env: Env,
    lock: OwnedFd,
    control: OwnedFd,
    /// A service taken over that is not our child: its pid and pidfd, until it ends.
    adopted: Option<(u32, OwnedFd)>,
    /// The cgroup of `./run` (`cgroup`), opened at its start.
    cgroup: Option<OwnedFd>,
    signals: ChildSignals,
    /// This supervise, the parent its children check for.
    pid: Pid,
    /// The read end of the running `./run`'s `notification-fd` pipe, until it says
    /// it is ready (or closes it).
    readiness: Option<OwnedFd>,
}

fn run(args: Args, env: Env) -> i32 {
    let args = &args;
    let (Some(dir_c), 2) = (args.get_c(1), args.len()) else {
        usage(b"supervise dir")
    };
    let dir = dir_c.to_bytes();
    let origin = working_directory().ok();
    if let Err(e) = rustix::process::chdir(dir_c) {
        fail(dir, &Failure::CHDIR, e);
    }
    let normally_up = match exists(c"down") {
        Ok(down) => !down,
        Err(e) => fail(dir, &Failure::STAT_DOWN, e),
    };
    make_supervise_dir(dir);
    let pid = rustix::process::getpid();
    // After `svc -X`: the lock the supervise before held (this process, another program).
    let kept = take_inherited(KEPT_LOCK, |st| {
        fstatat(CWD.as_fd(), c"supervise/lock", AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|lock| lock.id == st.id)
    });
    let upgraded = kept.is_some();
    let (lock, ours) = lock(dir, kept);
    // Our pid, for an svscan that replaces a killed one to find this service's log pipe
    // (no other tool reads the lock file's contents). Written only into a lock file of
    // our own, never through a link into somebody else's.
    if ours {
        let mut text = [0u8; lockpid::LOCK_TEXT_MAX];
        let len = lockpid::emit(pid.as_raw_nonzero().get() as u32, &mut text);
        let text = text.get(..len).unwrap_or_default();
        let _ = rustix::fs::ftruncate(&lock, 0).and_then(|()| write_all(&lock, text));
    }
    let _ = make_fifo(c"supervise/control");
    let control = open_fifo(c"supervise/control", false)
        .unwrap_or_else(|e| fail(dir, &Failure::READ_CONTROL, e));
    // Holding a writer ourselves: the FIFO never reports end of file.
    let _control_writer = open_fifo(c"supervise/control", true)
        .unwrap_or_else(|e| fail(dir, &Failure::WRITE_CONTROL, e));
    // The one before's copy of the FIFO is closed now that ours holds it open.
    drop(take_inherited(KEPT_CONTROL, |_| upgraded));
    let readiness = take_inherited(KEPT_READINESS, |st| {
        upgraded && st.file_type() == FileType::Fifo
    });
    let signals = ChildSignals::new().unwrap_or_else(|e| fail(dir, &Failure::WATCH_CHILDREN, e));
    let mut service = Service {
        dir,
        args,
        origin,
        env,
        lock,
        control,
        adopted: None,
        cgroup: None,
        signals,
        pid,
        readiness,
    };

    // The first status is written before `ok` opens, as in the original: once svok
    // succeeds, svstat finds a status.
    let now = clock();
    let found = read_status().ok();
    let running = found.and_then(|found| still_running(&found, pid));
    let (mut machine, actions) = match (found, running) {
        (Some(found), Some((child, adopted))) => {
            service.adopted = adopted.map(|fd| (child, fd));
            Supervisor::adopt(found, Some(child), settings(), now)
        }
        (Some(found), None) if upgraded => Supervisor::adopt(found, None, settings(), now),
        _ => Supervisor::new(normally_up, now),
    };
    perform(&mut machine, actions, &mut service);
    // A child that ended while supervise was being executed anew sent no signal that
    // the descriptor below can tell: reaped once now.
    reap_children(&mut machine, &mut service);
    let _ = make_fifo(c"supervise/ok");
    let _ok = open_fifo(c"supervise/ok", false).unwrap_or_else(|e| fail(dir, &Failure::READ_OK, e));
    loop {
        let timeout = machine.deadline().map(|Instant(at)| ms_until(at));
        let children_fd = service.signals.fd();
        // In place of an absent one, the children's descriptor again (its result there
        // is not looked at).
        let readiness = service.readiness.as_ref().map(|fd| fd.as_fd());
        let adopted = service.adopted.as_ref().map(|(_, fd)| fd.as_fd());
        let watched = (readiness.is_some(), adopted.is_some());
        let mut fds = [
            PollFd::new(&children_fd, PollFlags::IN),
            PollFd::new(&service.control, PollFlags::IN),
            PollFd::new(readiness.as_ref().unwrap_or(&children_fd), PollFlags::IN),
            PollFd::new(adopted.as_ref().unwrap_or(&children_fd), PollFlags::IN),
        ];
        match platform::io::poll(&mut fds, timeout) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => fail(dir, &Failure::WAIT, e),
        }
        let [children, commands, ready, ended] = fds.map(|fd| !fd.revents().is_empty());
        if children {
            let _ = service.signals.drain(); // SIGCHLD only
            reap_children(&mut machine, &mut service);
        }
        if ready && watched.0 && said_ready(&mut service.readiness) {
            let actions = machine.step(Event::Ready, clock());
            perform(&mut machine, actions, &mut service);
        }
        if let (true, true) = (ended, watched.1)
            && let Some((pid, _)) = service.adopted.take()
        {
            let ended = Ended::Unknown;
            let actions = machine.step(Event::ChildExited { pid, ended }, clock());
            perform(&mut machine, actions, &mut service);
        }
        if commands {
            let mut bytes = [0u8; CONTROL_READ_MAX];
            let n = read(&service.control, &mut bytes).unwrap_or(0);
            let read = bytes.get(..n).unwrap_or_default();
            for command in read.iter().filter_map(|&b| Command::from_byte(b)) {
                let actions = machine.step(Event::Command(command), clock());
                perform(&mut machine, actions, &mut service);
            }
        }
        if machine
            .deadline()
            .is_some_and(|Instant(at)| at <= monotonic_ms())
        {
            let actions = machine.step(Event::Deadline, clock());
            perform(&mut machine, actions, &mut service);
        }
    }
}

/// Reaps every child that has ended and tells the machine.
fn reap_children(machine: &mut Supervisor, service: &mut Service) {
    while let Some((pid, ended)) = reap_ended() {
        let ended = ended.map_or_else(Ended::Killed, Ended::Exited);
        let actions = machine.step(Event::ChildExited { pid, ended }, clock());
        perform(machine, actions, service);
    }
}

/// The process the status file `found` names as running, if it still is the service:
/// our own child (after `svc -X`), or a process that started when the status says and
/// has not ended, with a pidfd to watch and signal it through. `None` also where the
/// kernel has no pidfd (before 5.3): a new copy starts then, as with the original.
fn still_running(found: &Status, me: Pid) -> Option<(u32, Option<OwnedFd>)> {
    use rustix::process::{PidfdFlags, pidfd_open};
    let pid = found.pid?;
    // Opened first: it stays that process's even if the pid is reused before the check.
    let pidfd = Pid::from_raw(pid as i32).map(|p| pidfd_open(p, PidfdFlags::empty()));
    let stat = proc_stat(pid)?;
    if stat.parent == me.as_raw_nonzero().get() as u32 {
        return Some((pid, None));
    }
    let same = dt_core::procstat::started_with(found.since, stat.start_ticks, boot_ms(), now());
    match pidfd {
        Some(Ok(fd)) if same && stat.state != b'Z' => Some((pid, Some(fd))),
        _ => None,
    }
}

/// Reads the readiness pipe: true at the first newline. The pipe is closed then, and
/// when `./run` closes its end without one.
fn said_ready(readiness: &mut Option<OwnedFd>) -> bool {
    let mut bytes = [0u8; 64];
    let Some(fd) = readiness else {
        return false;
    };
    let said = match read(&*fd, &mut bytes) {
        Ok(0) => Some(false),
        Ok(n) => find_byte(b'\n', bytes.get(..n).unwrap_or_default()).map(|_| true),
        Err(Errno::AGAIN | Errno::INTR) => None,
        Err(_) => Some(false),
    };
    if said.is_some() {
        *readiness = None;
    }
    said == Some(true)
}

/// Makes `supervise/` (mode 0700). A symbolic link there whose target does not exist
/// yet (Debian's `update-service` links it to `/var/lib/supervise/NAME`; read-only
/// roots link it into a tmpfs) gets its target made, one level, as Debian's does.
fn make_supervise_dir(dir: &[u8]) {
    use rustix::fs::{mkdir, readlinkat_raw};
    match mkdir(c"supervise", Mode::RWXU) {
        Err(Errno::EXIST) if exists(c"supervise") == Ok(false) => {}
        _ => return, // made, there already, or a failure the lock reports
    }
    let mut target = [0u8; PATH_MAX];
    let Ok(len) = readlinkat_raw(CWD, c"supervise", &mut target) else {
        return;
    };
    match c_str_in(&mut target, len) {
        Ok(path) => {
            if let Err(e) = mkdir(path, Mode::RWXU) {
                fail(dir, &Failure::MKDIR, e);
            }
        }
        Err(e) => fail(dir, &Failure::MKDIR, e),
    }
}

/// Locks `supervise/lock` (one supervise per service), creating it (mode 0600).
/// Never follows a symbolic link there and never waits on a FIFO; anything but a
/// regular file is refused. Also tells whether the file is our own to write: created
/// now, or by an earlier supervise (ours, with no other name). After `svc -X`, `kept` is
/// the descriptor the one before held it by: locked again, never written.
fn lock(dir: &[u8], kept: Option<OwnedFd>) -> (OwnedFd, bool) {
    let flags = OFlags::WRONLY | OFlags::APPEND | OFlags::NOFOLLOW;
    let private = Mode::RUSR | Mode::WUSR;
    let opened = match kept {
        // Locked again all the same: held by this process, that succeeds at once.
        Some(fd) => Ok((fd, false)),
        None => match open_regular(
            CWD,
            c"supervise/lock",
            flags | OFlags::CREATE | OFlags::EXCL,
            private,
        ) {
            Ok((fd, _)) => Ok((fd, true)),
            Err(OpenError::Sys(Errno::EXIST)) => {
                open_regular(CWD, c"supervise/lock", flags, private)
                    .map(|(fd, st)| (fd, st.nlink == 1 && st.uid == geteuid().as_raw()))
            }
            Err(e) => Err(e),
        },
    };
    let failed =
        |reason: &[u8]| -> ! { fatal(&[b"unable to acquire ", dir, b"/supervise/lock: ", reason]) };
    let (fd, ours) = opened.unwrap_or_else(|e| failed(e.text()));
    if let Err(e) = flock(&fd, FlockOperation::NonBlockingLockExclusive) {
        failed(errno_text(e));
    }
    (fd, ours)
}

/// In the child: `./run`, or `./finish` with s6's arguments (exit code or 256, signal
/// or 0, the service directory as supervise got it). If this supervise dies (kill -9),
/// the child gets TERM, so the supervise that svscan starts next never runs a second
/// copy; a supervise gone before the request leaves nothing to wait for.
fn start_child(
    service: &Service,
    finish: Option<Ended>,
    notify: Option<(OwnedFd, u16)>,
    group: bool,
) {
    let orphaned = set_parent_process_death_signal(Some(Signal::TERM)).is_err()
        || getppid() != Some(service.pid);
    if orphaned {
        return;
    }
    let dir = service.dir;
    let Some(ended) = finish else {
        if let Some((pipe, fd)) = notify {
            if let Err(e) = move_fd(pipe, i32::from(fd)) {
                fail(dir, &Failure::SET_UP_NOTIFICATION_FD, e);
            }
        }
        if group {
            if let Err(e) = lead_group() {
                fail(dir, &Failure::SET_UP_DOWN_GROUP, e);
            }
        }
        if let Some(cgroup) = &service.cgroup {
            if let Err(e) = write_in(cgroup, c"cgroup.procs", b"0") {
                fail(dir, &Failure::SET_UP_CGROUP, e);
            }
        }
        let e = exec_file(
            c"./run",
            &[c"./run".as_ptr().cast(), core::ptr::null()],
            service.env,
        );
        fail(dir, &Failure::START_RUN, e)
    };
    let mut numbers = [0u8; FINISH_ARGV_LEN];
    let split = ended.finish_argv(&mut numbers);
    // The directory as supervise was given it: an argument, so a C string in place.
    let argv = [
        c"./finish".as_ptr().cast(),
        numbers.as_ptr(),
        numbers.get(split..).unwrap_or_default().as_ptr(),
        dir.as_ptr(),
        core::ptr::null(),
    ];
    let e = exec_file(c"./finish", &argv, service.env);
    warn(dir, &Failure::START_FINISH, e);
}

/// The opt-in files of the service directory, as they are now (`dt_core::settings`).
fn settings() -> Settings {
    use dt_core::settings::{descriptor, give_up, millis, signal};
    let mut settings = Settings::default();
    let mut text = [0u8; 32];
    if let Some(down) = first_bytes(c"down-signal", &mut text).and_then(signal) {
        settings.down_signal = down;
    }
    if let Some(ms) = first_bytes(c"timeout-kill", &mut text).and_then(millis) {
        settings.timeout_kill = ms;
    }
    if let Some(ms) = first_bytes(c"timeout-finish", &mut text).and_then(millis) {
        settings.timeout_finish = ms;
    }
    settings.notification_fd = first_bytes(c"notification-fd", &mut text).and_then(descriptor);
    settings.restart_backoff = first_bytes(c"restart-backoff", &mut text)
        .and_then(millis)
        .flatten();
    settings.give_up = first_bytes(c"give-up", &mut text).and_then(give_up);
    settings.down_group = exists(c"down-group") == Ok(true);
    settings.cgroup = exists(c"cgroup") == Ok(true);
    settings.finish = exists(c"finish") == Ok(true);
    settings
}

/// The first bytes of the regular file `name`, if it can be read.
fn first_bytes<'b>(name: &CStr, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let (fd, _) = open_regular(CWD, name, OFlags::RDONLY, Mode::empty()).ok()?;
    let n = read(&fd, buf).ok()?;
    buf.get(..n)
}

/// The cgroup (v2) directory the file `cgroup` names, made if missing; `None` (with a
/// warning: `./run` then starts outside it) if that fails.
fn open_cgroup(dir: &[u8]) -> Option<OwnedFd> {
    let mut text = [0u8; 256];
    let mut path = [0u8; 257];
    let mut len = 0;
    if let Some(bytes) = first_bytes(c"cgroup", &mut text) {
        let line = dt_core::settings::first_line(bytes);
        for (to, &from) in path.iter_mut().zip(line) {
            *to = from;
        }
        len = line.len();
    }
    let opened = c_str_in(&mut path, len).and_then(|path| {
        let mode = Mode::RWXU | Mode::RGRP | Mode::XGRP | Mode::ROTH | Mode::XOTH;
        match rustix::fs::mkdir(path, mode) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e),
        }
        let flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
        rustix::fs::open(path, flags, Mode::empty())
    });
    opened
        .map_err(|e| warn(dir, &Failure::SET_UP_CGROUP, e))
        .ok()
}

/// Writes `bytes` to the file `name` in the directory `dir` (a cgroup's control files).
fn write_in(dir: &OwnedFd, name: &CStr, bytes: &[u8]) -> Result<(), Errno> {
    let file = rustix::fs::openat(dir, name, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    write_all(&file, bytes)
}

/// A pipe for `./run`'s readiness: our end, and the child's with its descriptor number.
fn readiness_pipe(fd: u16) -> Option<(OwnedFd, (OwnedFd, u16))> {
    use rustix::pipe::{PipeFlags, pipe_with};
    match pipe_with(PipeFlags::CLOEXEC) {
        Ok((reader, writer)) => Some((reader, (writer, fd))),
        Err(e) => {
            warn_sys(&[b"unable to make a pipe for notification-fd"], e);
            None
        }
    }
}

/// The kernel's signal for the machine's.
fn signal_number(signal: dt_core::supervisor::Signal) -> Signal {
    use dt_core::supervisor::Signal as S;
    match signal {
        S::Stop => Signal::STOP,
        S::Continue => Signal::CONT,
        S::Hangup => Signal::HUP,
        S::Alarm => Signal::ALARM,
        S::Interrupt => Signal::INT,
        S::Quit => Signal::QUIT,
        S::User1 => Signal::USR1,
        S::User2 => Signal::USR2,
        S::Terminate => Signal::TERM,
        S::Kill => Signal::KILL,
    }
}

/// What supervise could not do, as its message says it: the words before and after the
/// service directory (`unable to <verb> <dir><file>`). One call with one address per
/// failure: each message built at its call site cost supervise 1 KB on MIPS.
struct Failure(&'static [u8], &'static [u8]);

impl Failure {
    const CHDIR: Failure = Failure(b"unable to chdir to ", b"");
    const STAT_DOWN: Failure = Failure(b"unable to stat ", b"/down");
    const MKDIR: Failure = Failure(b"unable to mkdir ", b"/supervise");
    const READ_CONTROL: Failure = Failure(b"unable to read ", b"/supervise/control");
    const WRITE_CONTROL: Failure = Failure(b"unable to write ", b"/supervise/control");
    const READ_OK: Failure = Failure(b"unable to read ", b"/supervise/ok");
    const WATCH_CHILDREN: Failure = Failure(b"unable to watch the children of ", b"");
    const WAIT: Failure = Failure(b"unable to wait for events in ", b"");
    const SET_UP_NOTIFICATION_FD: Failure = Failure(b"unable to set up ", b"/notification-fd");
    const SET_UP_DOWN_GROUP: Failure = Failure(b"unable to set up ", b"/down-group");
    const SET_UP_CGROUP: Failure = Failure(b"unable to set up ", b"/cgroup");
    const START_RUN: Failure = Failure(b"unable to start ", b"/run");
    const START_FINISH: Failure = Failure(b"unable to start ", b"/finish");
    const FORK_RUN: Failure = Failure(b"unable to fork for ", b", sleeping 60 seconds");
    const FORK_FINISH: Failure = Failure(b"unable to fork for ", b"/finish");
    const OPEN_STATUS: Failure = Failure(b"unable to open ", b"/supervise/status.new");
    const WRITE_STATUS: Failure = Failure(b"unable to write ", b"/supervise/status.new");
    const RENAME_STATUS: Failure =
        Failure(b"unable to rename ", b"/supervise/status.new to status");
    const KILL_CGROUP: Failure = Failure(b"unable to kill what is left in ", b"/cgroup");
}

/// `supervise: fatal: unable to ...: reason`, exit 111.
fn fail(dir: &[u8], what: &Failure, e: Errno) -> ! {
    fatal_sys(&[what.0, dir, what.1], e)
}

/// `supervise: warning: unable to ...: reason`; carries on.
fn warn(dir: &[u8], what: &Failure, e: Errno) {
    warn_sys(&[what.0, dir, what.1], e)
}

fn clock() -> Now {
    Now {
        mono: Instant(monotonic_ms()),
        wall: now(),
    }
}

/// Carries out the machine's actions in order; a spawn's outcome goes back into the
/// machine at once (a spawn is always the last action of a step).
fn perform(machine: &mut Supervisor, mut actions: Actions, service: &mut Service) {
    let dir = service.dir;
    let mut i = 0;
    while i < actions.len() {
        match actions[i] {
            Action::Signal { pid, signal } => match &service.adopted {
                Some((adopted, fd)) if *adopted == pid => {
                    let _ = rustix::process::pidfd_send_signal(fd, signal_number(signal));
                }
                _ => kill(pid, signal_number(signal)),
            },
            Action::SignalGroup { pid, signal } => kill_group(pid, signal_number(signal)),
            Action::WriteStatus => {
                let status = machine.status();
                let (bytes, len) = status.pack();
                let failed = match replace_file(
                    c"supervise/status.new",
                    c"supervise/status",
                    bytes.get(..len).unwrap_or_default(),
                ) {
                    Ok(()) => None,
                    Err(ReplaceError::Open(e)) => Some((&Failure::OPEN_STATUS, e)),
                    Err(ReplaceError::Write(e)) => Some((&Failure::WRITE_STATUS, e)),
                    Err(ReplaceError::Rename(e)) => Some((&Failure::RENAME_STATUS, e)),
                };
                if let Some((what, e)) = failed {
                    warn(dir, what, e);
                    // Written again after a pause; what follows is decided anew.
                    actions = machine.step(Event::StatusWriteFailed, clock());
                    i = 0;
                    continue;
                }
            }
            Action::Announce(news) => announce(news.as_bytes()),
            Action::Exit => exit(EXIT_OK),
            Action::KillCgroup => {
                if let Some(cgroup) = &service.cgroup {
                    if let Err(e) = write_in(cgroup, c"cgroup.kill", b"1") {
                        warn(dir, &Failure::KILL_CGROUP, e);
                    }
                }
            }
            Action::Upgrade => {
                let kept = [
                    (Some(service.lock.as_fd()), KEPT_LOCK),
                    (Some(service.control.as_fd()), KEPT_CONTROL),
                    (
                        service.readiness.as_ref().map(|fd| fd.as_fd()),
                        KEPT_READINESS,
                    ),
                ];
                // From where it started: the directory and the program may be relative;
                // back in the service directory if it fails.
                let origin = service.origin.as_ref().map(|fd| fd.as_fd());
                let (args, env) = (service.args, service.env);
                let e = reexec(&service.signals, &kept, || exec_self(args, env, origin));
                let program = args.get(0).unwrap_or_default();
                warn_sys(&[b"unable to upgrade: unable to run ", program], e);
                actions = machine.step(Event::UpgradeFailed, clock());
                i = 0;
                continue;
            }
            action @ (Action::Spawn | Action::SpawnFinish(_)) => {
                let (finish, notify, group) = match action {
                    Action::SpawnFinish(ended) => (Some(ended), None, false),
                    _ => {
                        let settings = settings();
                        machine.configure(settings);
                        let notify = settings.notification_fd.and_then(readiness_pipe);
                        service.cgroup = if settings.cgroup {
                            open_cgroup(dir)
                        } else {
                            None
                        };
                        (None, notify, settings.down_group)
                    }
                };
                // The write end goes to the child; the parent's copy closes when the
                // closure is dropped here after the fork.
                let (reader, writer) = notify.unzip();
                service.readiness = reader;
                let in_child = |service: &Service| start_child(service, finish, writer, group);
                let started = fork_child(&service.signals, || in_child(service));
                if let (Ok(pid), true) = (started, group) {
                    // Also from here: a stop signal right after the fork finds the group.
                    let pid = rustix::process::Pid::from_raw(pid as i32);
                    let _ = rustix::process::setpgid(pid, pid);
                }
                let event = match started {
                    Ok(pid) => Event::Spawned { pid },
                    Err(e) => {
                        let what = match finish {
                            Some(_) => &Failure::FORK_FINISH,
                            None => &Failure::FORK_RUN,
                        };
                        warn(dir, what, e);
                        Event::SpawnFailed
                    }
                };
                actions = machine.step(event, clock());
                i = 0;
                continue;
            }
        }
        i += 1;
    }
}
