//! Child processes: SIGCHLD as a readable descriptor (signalfd), fork and exec,
//! signals, and reaping.
//!
//! # Safety
//! Every tool is single-threaded: changing the signal mask and forking affect only this
//! process, and a forked child is a complete copy that may run any code before it
//! executes or exits. `execve` gets NULL-terminated arrays of C strings that outlive it.

use core::ffi::CStr;

use crate::runtime::{self as rt, Fork, How, KernelSigSet};
use dt_core::procstat::ProcStat;
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitOptions, kill_process, kill_process_group, wait, waitpid};

use crate::file::{FileStatus, PathBuf};
use crate::io::read;
use crate::{Args, EXIT_TEMP, Env, exit};

/// SIGCHLD (and any other signals asked for), blocked and delivered through a
/// descriptor for `poll`.
pub struct ChildSignals {
    fd: OwnedFd,
    /// The mask to give children back before they execute.
    original_mask: KernelSigSet,
}

impl ChildSignals {
    /// Blocks SIGCHLD and opens a descriptor that is readable once a child has exited.
    pub fn new() -> Result<ChildSignals, Errno> {
        ChildSignals::with(&[])
    }

    /// As [`ChildSignals::new`], also for `extra` signals (see [`ChildSignals::drain`]).
    /// Blocked signals reach a process even when it runs as process 1.
    pub fn with(extra: &[Signal]) -> Result<ChildSignals, Errno> {
        let mut set = KernelSigSet::empty();
        set.insert(Signal::CHILD);
        for &signal in extra {
            set.insert(signal);
        }
        // SAFETY: blocking signals affects only this (single-threaded) process.
        let original_mask = unsafe { rt::kernel_sigprocmask(How::BLOCK, Some(&set)) }?;
        let fd = crate::sys::signalfd(&set)?;
        Ok(ChildSignals { fd, original_mask })
    }

    /// Whether the process started with every signal in `marks` blocked, as an image of
    /// a program that blocks them finds them after executing itself in place (`execve`
    /// keeps the mask; svscan's upgrade). If so, SIGCHLD and `blocked` (what the earlier
    /// image blocked for itself) are left out of the mask children get back.
    pub fn started_blocked(&mut self, marks: &[Signal], blocked: &[Signal]) -> bool {
        let all = marks.iter().all(|&s| self.original_mask.contains(s));
        if all {
            for &signal in blocked.iter().chain(&[Signal::CHILD]) {
                self.original_mask.remove(signal);
            }
        }
        all
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Empties the descriptor and tells which of the extra signals came (SIGCHLD
    /// says nothing: call [`reap`] afterwards until it says `None`).
    pub fn drain(&self) -> Caught {
        let mut info = [0u8; 128]; // one signalfd_siginfo: ssi_signo is its first u32
        let mut caught = Caught(0);
        while matches!(read(&self.fd, &mut info), Ok(n) if n >= 4) {
            let signo = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]);
            if signo != Signal::CHILD.as_raw() as u32 && signo < 64 {
                caught.0 |= 1 << signo;
            }
        }
        caught
    }
}

/// The extra signals one [`ChildSignals::drain`] found.
#[derive(Clone, Copy)]
pub struct Caught(u64);

impl Caught {
    /// Whether any came.
    pub fn any(self) -> bool {
        self.0 != 0
    }

    /// Whether `signal` came.
    pub fn has(self, signal: Signal) -> bool {
        self.0 & (1 << signal.as_raw()) != 0
    }
}

/// Waits for the child `pid` to end: its exit code, or `None` if a signal killed it.
pub fn wait_exit(pid: u32) -> Option<i32> {
    let pid = i32::try_from(pid).ok().and_then(Pid::from_raw)?;
    loop {
        match waitpid(Some(pid), WaitOptions::empty()) {
            Ok(Some((_, status))) => return status.exit_status(),
            Err(Errno::INTR) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Waits for the child `pid` to end; whether it exited with status 0.
pub fn exited_ok(pid: u32) -> bool {
    wait_exit(pid) == Some(0)
}

/// In a child before `exec`: makes `fd` the descriptor numbered `target`, open across
/// `exec`.
pub fn move_fd(fd: OwnedFd, target: i32) -> Result<(), Errno> {
    crate::sys::dup3(fd, target)
}

/// Reaps one child that has ended, without waiting: its pid, or `None`. Any child:
/// `wait4(-1)`, also one that left our process group (`setsid`, `pgrphack`), which
/// `waitpid(None)` (`wait4(0)`) never sees.
pub fn reap() -> Option<u32> {
    loop {
        match wait(WaitOptions::NOHANG) {
            Ok(Some((pid, _))) => return Some(pid.as_raw_nonzero().get() as u32),
            Err(Errno::INTR) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

/// [`reap`], also telling how the child ended: its exit code, or the signal that killed
/// it (`Err`).
pub fn reap_ended() -> Option<(u32, Result<u8, u8>)> {
    loop {
        match wait(WaitOptions::NOHANG) {
            Ok(Some((pid, status))) => {
                let ended = match (status.exit_status(), status.terminating_signal()) {
                    (Some(code), _) => Ok(code as u8),
                    (None, Some(signal)) => Err(signal as u8),
                    (None, None) => Ok(0),
                };
                return Some((pid.as_raw_nonzero().get() as u32, ended));
            }
            Err(Errno::INTR) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Sends `signal` to `pid`; a process that is already gone is no error worth reporting.
/// Only a plain process id above 1 is signalled: never a group, `init` or every process
/// (`kill(-1)`), whatever the caller passes.
pub fn kill(pid: u32, signal: Signal) {
    let pid = i32::try_from(pid)
        .ok()
        .filter(|&p| p > 1)
        .and_then(Pid::from_raw);
    if let Some(pid) = pid {
        let _ = kill_process(pid, signal);
    }
}

/// Sends `signal` to the process group `pid` leads; to `pid` alone if there is no such
/// group (the child has not made it yet). Never to process 1's group or our own.
pub fn kill_group(pid: u32, signal: Signal) {
    let group = i32::try_from(pid)
        .ok()
        .filter(|&p| p > 1 && p != rustix::process::getpgrp().as_raw_nonzero().get())
        .and_then(Pid::from_raw);
    if let Some(group) = group {
        if kill_process_group(group, signal) == Err(Errno::SRCH) {
            kill(pid, signal);
        }
    }
}

/// Makes the calling process (a child before `exec`) the leader of a new process group.
pub fn lead_group() -> Result<(), Errno> {
    rustix::process::setpgid(None, None)
}

/// Forks. The child gets back the signal mask the process started with and runs
/// `in_child`, which should execute a program; if it returns, the child exits 111.
/// Returns the child's pid.
pub fn fork_child(signals: &ChildSignals, in_child: impl FnOnce()) -> Result<u32, Errno> {
    match fork(signals)? {
        Some(pid) => Ok(pid),
        None => {
            in_child();
            exit(EXIT_TEMP)
        }
    }
}

/// The part of [`fork_child`] that does not depend on the child's work (one copy of it
/// however many callers): the child's pid, or `None` in the child, which has its signal
/// mask and INT and QUIT set up.
#[inline(never)]
fn fork(signals: &ChildSignals) -> Result<Option<u32>, Errno> {
    // SAFETY: the process is single-threaded, so the child is a complete copy that may
    // run any code before it executes or exits.
    match unsafe { rt::kernel_fork() }? {
        Fork::ParentOf(pid) => Ok(Some(pid.as_raw_nonzero().get() as u32)),
        Fork::Child(_) => {
            // SAFETY: restoring the mask the process started with, in the child only.
            let _ = unsafe { rt::kernel_sigprocmask(How::SETMASK, Some(&signals.original_mask)) };
            // INT and QUIT back to their default action: a parent that started this
            // process in the background (sh's `&`, e.g. from rc.local) left them ignored,
            // and ignored stays ignored across exec, so `svc -i` would do nothing.
            for signal in [Signal::INT, Signal::QUIT] {
                let _ = crate::sys::default_action(signal);
            }
            Ok(None)
        }
    }
}

/// Runs `exec` (which executes a program in place of this process, keeping its pid and
/// so its children: [`crate::reexec::exec_self`]) with the descriptors `keep` names
/// open under the given numbers (`None`: that number is closed), every other one closing
/// (close-on-exec), and the signal mask this process started with for the program.
/// Returns only on failure, with the reason, everything as before the call.
pub fn reexec(
    signals: &ChildSignals,
    keep: &[(Option<BorrowedFd<'_>>, i32)],
    exec: impl FnOnce() -> Errno,
) -> Errno {
    let mut e = Errno::BADF;
    let mut kept = 0;
    for &(fd, number) in keep {
        let done = match fd {
            Some(fd) => crate::sys::copy_fd(fd, number),
            None => {
                close_number(number);
                Ok(())
            }
        };
        if let Err(failed) = done {
            e = failed;
            break;
        }
        kept += 1;
    }
    if kept == keep.len() {
        // SAFETY: the mask the process started with, for the new program, in this
        // single-threaded process; the blocked one comes back below if exec fails.
        let restored =
            unsafe { rt::kernel_sigprocmask(How::SETMASK, Some(&signals.original_mask)) };
        if let Ok(blocked) = restored {
            e = exec();
            // SAFETY: as above: the mask this process had a moment ago.
            let _ = unsafe { rt::kernel_sigprocmask(How::SETMASK, Some(&blocked)) };
        }
    }
    // Undone: a descriptor kept under its own number closes on exec again, a copy closes.
    for &(fd, number) in keep.iter().take(kept) {
        match fd {
            Some(fd) if fd.as_raw_fd() == number => {
                let _ = rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC);
            }
            Some(_) => close_number(number),
            None => {}
        }
    }
    e
}

/// Closes the descriptor `number` if it is open.
fn close_number(number: i32) {
    // SAFETY: only for numbers [`reexec`] replaces: nothing of this process that is
    // still used is open there (a copy made here, or a number given up to the caller).
    unsafe { rustix::io::close(number) };
}

/// The descriptor numbered `number` that this process inherited (from the program it
/// replaced: [`reexec`]), if it is open and `accept` takes its status: then it is the
/// caller's, and closes on exec from now on. Otherwise it is left as it was.
pub fn take_inherited(number: i32, accept: impl FnOnce(FileStatus) -> bool) -> Option<OwnedFd> {
    // SAFETY: only looked at here (fstat of a closed number fails harmlessly); owned
    // below only once `accept` says it is what the caller left there.
    let fd = unsafe { BorrowedFd::borrow_raw(number) };
    let st = crate::file::fstat(fd).ok()?;
    if !accept(st) {
        return None;
    }
    rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC).ok()?;
    // SAFETY: inherited, open, and accepted: nothing else in this process owns it.
    Some(unsafe { OwnedFd::from_raw_fd(number) })
}

/// The fields of `/proc/PID/stat` supervise reads, if the process exists.
pub fn proc_stat(pid: u32) -> Option<ProcStat> {
    let digits = dt_core::decimal::Digits::new_u32(pid);
    let path = PathBuf::join(&[b"/proc/", digits.as_bytes(), b"/stat"]).ok()?;
    let mut line = [0u8; 1024];
    let n = crate::file::read_whole(&path, &mut line).ok()?;
    ProcStat::parse(line.get(..n)?)
}

/// Where `exec` looks when `PATH` is unset (as DJB's `pathexec`).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// Executes `file` with `argv` (which must end with a NULL pointer) and `env`. A name
/// without `/` is searched in `PATH` like `execvp`: a missing file tries the next
/// directory, an access error is remembered, any other error stops the search. Returns
/// only on failure, with the reason.
pub fn exec(file: &CStr, argv: &[*const u8], env: Env) -> Errno {
    exec_with(file, argv, env.as_ptr(), env.get(b"PATH"))
}

/// Executes the child named by argument `i` with the arguments after it (the usual tail
/// of a daemontools command line); if that fails, `tool: fatal: unable to run NAME:
/// reason` and exit 111.
pub fn exec_child(args: &Args, i: usize, env: Env) -> ! {
    run_child(args, i, |file, argv| exec(file, argv, env))
}

/// [`exec_child`] through `exec`, which returns only on failure, with the reason.
pub(crate) fn run_child(
    args: &Args,
    i: usize,
    exec: impl FnOnce(&CStr, &[*const u8]) -> Errno,
) -> ! {
    match args.get_c(i).zip(args.tail(i)) {
        Some((file, argv)) => {
            let e = exec(file, argv);
            crate::msg::fatal_sys(&[b"unable to run ", file.to_bytes()], e)
        }
        None => exit(crate::EXIT_USAGE),
    }
}

/// Executes the file at `path` as it is named, without a `PATH` search (a name with a
/// `/`, such as supervise's `./run`), with `argv` (which must end with a NULL pointer)
/// and `env`. Returns only on failure, with the reason.
pub fn exec_file(path: &CStr, argv: &[*const u8], env: Env) -> Errno {
    execve(path, argv, env.as_ptr())
}

/// `execve(2)`, once `argv` is checked to end with a NULL pointer.
fn execve(path: &CStr, argv: &[*const u8], envp: *const *const u8) -> Errno {
    if argv.last() != Some(&core::ptr::null()) {
        return Errno::INVAL;
    }
    // SAFETY: argv is a NULL-terminated array of C strings (checked above) that outlives
    // the call; envp is a NULL-terminated array of C strings (the process's own
    // environment, or one NewEnv built) that outlives it too.
    unsafe { rt::execve(path, argv.as_ptr(), envp) }
}

/// [`exec`] with a raw NULL-terminated environment `envp` and the `PATH` to search.
pub(crate) fn exec_with(
    file: &CStr,
    argv: &[*const u8],
    envp: *const *const u8,
    path: Option<&[u8]>,
) -> Errno {
    let run = |path: &CStr| execve(path, argv, envp);
    if file.to_bytes().contains(&b'/') {
        return run(file);
    }
    let mut remembered = Errno::NOENT;
    let mut candidate = PathBuf::empty();
    for dir in path.unwrap_or(DEFAULT_PATH).split(|&c| c == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let e = match candidate.set(&[dir, b"/", file.to_bytes()]) {
            Ok(()) => run(candidate.as_c_str()),
            Err(e) => e,
        };
        match e {
            Errno::NOENT => {}
            Errno::ACCESS | Errno::PERM | Errno::ISDIR => remembered = e,
            _ => return e,
        }
    }
    remembered
}
