//! svc: control supervised services. `svc -opts dir...` writes the command letters of
//! its options (each once, in order) to each `dir/supervise/control` in one write; a
//! directory that fails gets a warning and the others are still done.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::control::CommandBytes;
use dt_core::options::read_flags;
use platform::file::{Cwd, Supervised, supervised};
use platform::io::write_all;
use platform::msg::{fatal_sys, warn, warn_sys};
use platform::{Args, EXIT_OK, EXIT_USAGE, Env};
use rustix::fs::{OFlags, fcntl_setfl};
use rustix::io::Errno;

platform::tool!(b"svc", run);

const OPTIONS: &[u8] =
    b"svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill\n";

fn run(args: Args, _env: Env) -> i32 {
    let mut commands = CommandBytes::default();
    let options = read_flags(args.from(1).map(|a| a.to_bytes()), |l| {
        commands.add(l).map_err(|_| ())
    });
    let first_dir = match options {
        Ok(n) => 1 + n,
        Err(letter) => {
            let illegal: [&[u8]; 4] = [b"svc: illegal option -- ", &[letter], b"\n", OPTIONS];
            for part in illegal {
                let _ = write_all(platform::io::stderr(), part);
            }
            return EXIT_USAGE;
        }
    };
    let origin =
        Cwd::save().unwrap_or_else(|e| fatal_sys(&[b"unable to open current directory"], e));
    for dir in args.from(first_dir) {
        let name = dir.to_bytes();
        if let Err(e) = rustix::process::chdir(dir) {
            warn_sys(&[b"unable to chdir to ", name], e);
            continue;
        }
        match supervised(c"supervise/control") {
            Supervised::NotRunning => {
                warn(&[b"unable to control ", name, b": supervise not running"])
            }
            Supervised::Missing => warn_sys(&[b"unable to control ", name], Errno::NOENT),
            Supervised::Error(e) => warn_sys(&[b"unable to control ", name], e),
            Supervised::Running(control) => {
                // Blocking from here on, as the original: the bytes all arrive.
                let written = fcntl_setfl(&control, OFlags::empty())
                    .and_then(|()| write_all(&control, commands.as_bytes()));
                if let Err(e) = written {
                    warn_sys(&[b"error writing commands to ", name], e);
                }
            }
        }
        if let Err(e) = origin.restore() {
            fatal_sys(&[b"unable to set directory"], e);
        }
    }
    EXIT_OK
}
