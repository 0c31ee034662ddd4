//! svc: control supervised services. `svc -opts dir...` writes the command letters of
//! its options (each once, in order) to each `dir/supervise/control` in one write; a
//! directory that fails gets a warning and the others are still done.
//!
//! Beyond 0.76: `-w` and a letter (s6-svc's `u U d D r R`) waits for the service to be
//! up, up and ready, down, down and finished, restarted, restarted and ready; `-T ms`
//! bounds the whole wait. With several directories they are taken one after the other,
//! each subscribed to (`platform::waiters`) before its commands are sent, so no event
//! is missed. Exit codes then: 0 every wait ended well, 1 the service gave up (`give-up`),
//! 99 time out, 102 a supervise not running or gone before the event, 111 a failure (the
//! highest counts); without `-w` always 0, as the original.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::control::CommandBytes;
use dt_core::decimal::Digits;
use dt_core::event::{Goal, Progress, Waiter};
use dt_core::options::{OptionError, read_options};
use dt_core::settings::millis;
use platform::clock::monotonic_ms;
use platform::file::{Cwd, Supervised, read_status, supervised};
use platform::io::write_all;
use platform::msg::{fatal_sys, warn, warn_sys};
use platform::waiters::Subscription;
use platform::{Args, EXIT_OK, EXIT_TEMP, EXIT_USAGE, Env};
use rustix::fs::{OFlags, fcntl_setfl};
use rustix::io::Errno;

platform::tool!(b"svc", run);

const OPTIONS: &[u8] =
    b"svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill\n";

/// Exit code: the service was left down for good while the wait needed it up (s6-svc's
/// "permanent failure").
const EXIT_FAILED: i32 = 1;
/// Exit code: the wait timed out (s6-svc's).
const EXIT_TIMEOUT: i32 = 99;
/// Exit code: supervise is not running, or exited before the event (s6-svc's).
const EXIT_GONE: i32 = 102;

fn run(args: Args, _env: Env) -> i32 {
    let mut commands = CommandBytes::default();
    let mut goal = None;
    let mut timeout = None;
    let options = read_options(args.from(1).map(|a| a.to_bytes()), b"wT", |l, value| {
        match (l, value) {
            (b'w', Some(&[letter])) => goal = Some(Goal::from_letter(letter).ok_or(())?),
            (b'T', Some(ms)) => timeout = millis(ms).ok_or(())?,
            (b'w' | b'T', _) => return Err(()),
            _ => commands.add(l).map_err(|_| ())?,
        }
        Ok(())
    });
    let first_dir = match options {
        Ok(n) => 1 + n,
        Err(OptionError::Unknown(letter) | OptionError::MissingValue(letter)) => {
            let illegal: [&[u8]; 4] = [b"svc: illegal option -- ", &[letter], b"\n", OPTIONS];
            for part in illegal {
                let _ = write_all(platform::io::stderr(), part);
            }
            return EXIT_USAGE;
        }
    };
    let until = timeout.map(|ms| monotonic_ms().saturating_add(ms));
    let origin =
        Cwd::save().unwrap_or_else(|e| fatal_sys(&[b"unable to open current directory"], e));
    let mut code = EXIT_OK;
    for dir in args.from(first_dir) {
        let name = dir.to_bytes();
        if let Err(e) = rustix::process::chdir(dir) {
            warn_sys(&[b"unable to chdir to ", name], e);
            code = code.max(goal.map_or(EXIT_OK, |_| EXIT_TEMP));
            continue;
        }
        code = code.max(control(name, commands.as_bytes(), goal, until));
        if let Err(e) = origin.restore() {
            fatal_sys(&[b"unable to set directory"], e);
        }
    }
    code
}

/// Sends `commands` to the service in the current directory and waits for `goal`, if
/// any; returns the exit code it deserves.
fn control(name: &[u8], commands: &[u8], goal: Option<Goal>, until: Option<u64>) -> i32 {
    // A failure's exit code counts only with -w (without, svc exits 0 as the original).
    let failed = |code| if goal.is_some() { code } else { EXIT_OK };
    let control = match supervised(c"supervise/control") {
        Supervised::Running(control) => control,
        Supervised::NotRunning => {
            warn(&[b"unable to control ", name, b": supervise not running"]);
            return failed(EXIT_GONE);
        }
        Supervised::Missing => {
            warn_sys(&[b"unable to control ", name], Errno::NOENT);
            return failed(EXIT_GONE);
        }
        Supervised::Error(e) => {
            warn_sys(&[b"unable to control ", name], e);
            return failed(EXIT_TEMP);
        }
    };
    // Subscribed before the commands go: what they cause cannot be missed.
    let subscription = match goal {
        Some(_) => match Subscription::new(
            Digits::new_u32(rustix::process::getpid().as_raw_nonzero().get() as u32).as_bytes(),
        ) {
            Ok(s) => Some(s),
            Err(e) => {
                warn_sys(&[b"unable to wait for ", name], e);
                return EXIT_TEMP;
            }
        },
        None => None,
    };
    // Blocking from here on, as the original: the bytes all arrive.
    let written =
        fcntl_setfl(&control, OFlags::empty()).and_then(|()| write_all(&control, commands));
    if let Err(e) = written {
        warn_sys(&[b"error writing commands to ", name], e);
        return failed(EXIT_TEMP);
    }
    let (Some(goal), Some(subscription)) = (goal, subscription) else {
        return EXIT_OK;
    };
    let mut waiter = Waiter::new(goal);
    match read_status() {
        Ok(status) => waiter.status(&status),
        // A supervise just started, before its first status: the letters will tell.
        Err(Errno::NOENT) => waiter.progress(),
        Err(e) => {
            warn_sys(&[b"unable to read ", name, b"/supervise/status"], e);
            return EXIT_TEMP;
        }
    };
    let mut letters = [0u8; 64];
    while waiter.progress() == Progress::Waiting {
        match subscription.next(until, &mut letters) {
            Ok([]) => {
                warn(&[b"timed out waiting for ", name]);
                return EXIT_TIMEOUT;
            }
            Ok(read) => read.iter().for_each(|&l| {
                waiter.letter(l);
            }),
            Err(e) => {
                warn_sys(&[b"unable to wait for ", name], e);
                return EXIT_TEMP;
            }
        }
    }
    match waiter.progress() {
        Progress::Reached | Progress::Waiting => EXIT_OK,
        Progress::Gone => {
            warn(&[b"unable to wait for ", name, b": supervise exited"]);
            EXIT_GONE
        }
        Progress::Failed => {
            warn(&[b"unable to wait for ", name, b": the service gave up"]);
            EXIT_FAILED
        }
    }
}
