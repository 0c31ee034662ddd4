//! setlock: run a child holding an exclusive lock (`flock`) on a file:
//! `setlock [ -nNxX ] file program [ arg ... ]`. The file is opened for appending and
//! created (mode 0600) if need be; the descriptor stays open in the child, and so does
//! the lock. `-n`: fail at once if the lock is held (`-N`, waiting, is the default).
//! `-x`: if the file cannot be opened or locked, exit 0 silently (`-X`, the default:
//! say so, exit 111).
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::options::read_flags;
use platform::msg::{fatal_sys, option_error, usage};
use platform::process::exec_child;
use platform::{Args, EXIT_OK, Env, exit};
use rustix::fd::IntoRawFd;
use rustix::fs::{FlockOperation, Mode, OFlags, flock, open};

platform::tool!(b"setlock", run);

const USAGE: &[u8] = b"setlock [ -nNxX ] file program [ arg ... ]";

fn run(args: Args, env: Env) -> i32 {
    let (mut wait, mut quiet) = (true, false);
    let options = read_flags(args.from(1).map(|a| a.to_bytes()), |letter| {
        match letter {
            b'n' => wait = false,
            b'N' => wait = true,
            b'x' => quiet = true,
            b'X' => quiet = false,
            _ => return Err(()),
        }
        Ok(())
    });
    let first = match options {
        Ok(n) => n + 1,
        Err(letter) => option_error(b"illegal option", letter, USAGE),
    };
    let (Some(file), Some(_)) = (args.get_c(first), args.get(first + 1)) else {
        usage(USAGE)
    };
    let flags = OFlags::WRONLY | OFlags::NONBLOCK | OFlags::APPEND | OFlags::CREATE;
    let fd = match open(file, flags, Mode::RUSR | Mode::WUSR) {
        Ok(fd) => fd,
        Err(_) if quiet => exit(EXIT_OK),
        Err(e) => fatal_sys(&[b"unable to open ", file.to_bytes()], e),
    };
    let operation = if wait {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::NonBlockingLockExclusive
    };
    if let Err(e) = flock(&fd, operation) {
        if quiet {
            exit(EXIT_OK);
        }
        fatal_sys(&[b"unable to lock ", file.to_bytes()], e);
    }
    let _ = fd.into_raw_fd(); // stays open, without close-on-exec: the child holds the lock
    exec_child(&args, first + 1, env)
}
