//! multilog: read lines from stdin and hand each to the script's actions: select or
//! deselect it by pattern, copy it to stderr (`e`), keep it in a status file (`=file`),
//! append it to log directories, which rotate `current` into `@<label>.s` archives.
//!
//! The lines are the business of [`dt_core::log::machine`]: this file reads input and
//! signals, and performs what the machine asks for; the file operations on a log
//! directory are [`platform::logdir`]'s. Nothing read is lost: a failing write, fsync,
//! rename or processor is reported and retried ("pausing"), and no input is read
//! meanwhile. SIGALRM rotates every directory at the end of the line in progress;
//! SIGTERM and the end of input finish the line in progress, write everything, mark
//! `current` closed cleanly (mode 0744) and exit 0.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use core::ffi::CStr;

use dt_core::log::machine::{Action, Event, Multilog};
use dt_core::log::script::{Directive, MAX_DIRECTIVES, Script};
use platform::buffer::{Buffer, Static};
use platform::clock::now;
use platform::io::{read, stderr, stdin};
use platform::logdir::{self, Dir, open_status, sleep, warn_pausing};
use platform::msg::{fatal, fatal_sys, warn, warn_sys};
use platform::process::ChildSignals;
use platform::{Args, EXIT_OK, EXIT_TEMP, Env, exit};
use rustix::event::{PollFd, PollFlags, poll};
use rustix::fd::OwnedFd;
use rustix::io::{Errno, IoSlice, pwrite, writev};
use rustix::process::{Signal, umask};

platform::tool!(b"multilog", run);

/// Bytes read at once.
const INPUT_MAX: usize = 32 * 1024;
/// Ring-buffer space, shared evenly by the log directories.
const RING_SPACE: usize = 64 * 1024;

/// The rings and the input, the script (3 KiB on 64-bit targets) and the machine
/// (6 KiB), off the stack: multilog runs under a 32 KiB stack limit. The script and the
/// machine are built at compile time and set up in place.
static SPACE: Buffer<u8, RING_SPACE> = Buffer::new(0);
static INPUT: Buffer<u8, INPUT_MAX> = Buffer::new(0);
static SCRIPT: Static<Script<'static>> = Static::new(Script::new());
static MACHINE: Static<Multilog<'static, 'static>> = Static::new(Multilog::empty());

fn run(args: Args, env: Env) -> i32 {
    umask(logdir::UMASK);
    let script = script(args);
    let signals = match ChildSignals::with(&[Signal::ALARM, Signal::TERM]) {
        Ok(s) => s,
        Err(e) => fatal_sys(&[b"unable to set up signals"], e),
    };
    // Opened in the script's order, so the first failure is the one reported.
    let mut dirs = heapless::Vec::<Dir<'_>, MAX_DIRECTIVES>::new();
    let mut sizes = [0u32; MAX_DIRECTIVES];
    let mut statuses: [Option<OwnedFd>; MAX_DIRECTIVES] = [const { None }; MAX_DIRECTIVES];
    for (i, action) in script.actions.iter().enumerate() {
        match action {
            // Both arrays have a place for each of the script's actions.
            Directive::Status(file) => {
                if let Some(status) = statuses.get_mut(i) {
                    *status = Some(open_status(file));
                }
            }
            Directive::Directory(settings) => {
                let (dir, size) = Dir::start(settings);
                if let Some(slot) = sizes.get_mut(dirs.len()) {
                    *slot = size;
                }
                let _ = dirs.push(dir); // at most one per action
            }
            Directive::Select(_) | Directive::Deselect(_) | Directive::Alert => {}
        }
    }
    let machine = MACHINE.take();
    if machine
        .start(script, SPACE.take(), INPUT.take(), &sizes)
        .is_err()
    {
        fatal(&[b"too many actions: the limit is 64"]); // more directories than ring bytes
    }
    loop {
        let event = match machine.next_action() {
            Action::Read => {
                let (input_fd, signal_fd) = (stdin(), signals.fd());
                let mut fds = [
                    PollFd::new(&input_fd, PollFlags::IN),
                    PollFd::new(&signal_fd, PollFlags::IN),
                ];
                let _ = poll(&mut fds, None);
                let readable = !fds[0].revents().is_empty();
                // Signals first; the input (still readable) at the next turn.
                let caught = signals.drain();
                if caught.any() {
                    if caught.has(Signal::ALARM) {
                        machine.step(Event::Alarm);
                    }
                    if caught.has(Signal::TERM) {
                        machine.step(Event::Terminate);
                    }
                    continue;
                }
                if !readable {
                    continue;
                }
                match read(stdin(), machine.input()) {
                    Ok(0) => Event::End,
                    Ok(len) => Event::Input { len, now: now() },
                    Err(e) => {
                        warn_sys(&[b"unable to read standard input"], e);
                        Event::ReadFailed
                    }
                }
            }
            Action::Write { dir, data } => {
                let Some(d) = dirs.get(dir) else { continue };
                match d.write(data) {
                    Ok(n) => Event::Wrote(n),
                    Err(Errno::INTR) => continue,
                    Err(e) => {
                        warn_pausing([b"unable to write to ", d.path(), b"/current", b""], e);
                        Event::Failed
                    }
                }
            }
            Action::Rotate { dir } => {
                if let Some(d) = dirs.get_mut(dir) {
                    d.rotate();
                }
                Event::Done
            }
            Action::Process { dir } => match dirs.get(dir) {
                Some(d) if !d.process(&signals, env) => Event::Failed,
                _ => Event::Done,
            },
            Action::Finish { dir } => {
                if let Some(d) = dirs.get(dir) {
                    d.finish();
                }
                Event::Done
            }
            Action::Alert(line) => {
                // At most 204 bytes: one write, even to a pipe.
                let _ = writev(stderr(), &[IoSlice::new(line[0]), IoSlice::new(line[1])]);
                Event::Done
            }
            Action::Status { action, name, file } => {
                let written = match statuses.get(action).and_then(Option::as_ref) {
                    Some(fd) => pwrite(fd, file, 0),
                    None => Ok(file.len()), // every `=file` was opened above
                };
                match written {
                    Ok(n) if n == file.len() => Event::Done,
                    Err(Errno::INTR) => continue,
                    outcome => {
                        let e = outcome.err().unwrap_or(Errno::NOSPC);
                        warn_pausing([b"unable to write to ", name, b"", b""], e);
                        Event::Failed
                    }
                }
            }
            Action::Pause { ms } => {
                sleep(ms); // input and signals wait until the pause is over
                Event::Resumed
            }
            Action::Exit { failed } => exit(if failed { EXIT_TEMP } else { EXIT_OK }),
        };
        machine.step(event);
    }
}

/// The script of the arguments, read in place; exits 111 if it has too many actions.
fn script(args: Args) -> &'static Script<'static> {
    let script = SCRIPT.take();
    let words = args.into_from(1).map(CStr::to_bytes);
    if script
        .read(words, |w| warn(&[b"ignoring unknown action: ", w]))
        .is_err()
    {
        fatal(&[b"too many actions: the limit is 64"]);
    }
    script
}
