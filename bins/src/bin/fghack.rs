//! fghack: keep a daemon that puts itself in the background under supervision
//! (`fghack child`). The child runs with 31 copies of a pipe's writing end; fghack
//! waits until every copy is closed (so the daemon and its descendants have exited),
//! then exits with the child's exit code (111 and `child crashed` if a signal killed it).
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use platform::io::read;
use platform::msg::{fatal, fatal_sys, usage};
use platform::process::{ChildSignals, exec_child, fork_child, wait_exit};
use platform::{Args, Env};
use rustix::fd::IntoRawFd;
use rustix::pipe::{PipeFlags, pipe_with};

platform::tool!(b"fghack", run);

/// Copies of the pipe the child gets, as many as the original gives.
const COPIES: usize = 31;

fn run(args: Args, env: Env) -> i32 {
    if args.len() < 2 {
        usage(b"fghack child");
    }
    let signals =
        ChildSignals::new().unwrap_or_else(|e| fatal_sys(&[b"unable to set up signals"], e));
    let (reading, writing) =
        pipe_with(PipeFlags::CLOEXEC).unwrap_or_else(|e| fatal_sys(&[b"unable to create pipe"], e));
    let child = fork_child(&signals, || {
        for _ in 0..COPIES {
            // dup(2) leaves close-on-exec off: the copies go into the program.
            if let Ok(copy) = rustix::io::dup(&writing) {
                let _ = copy.into_raw_fd();
            }
        }
        exec_child(&args, 1, env)
    })
    .unwrap_or_else(|e| fatal_sys(&[b"unable to fork"], e));
    drop(writing);
    let mut byte = [0u8; 64];
    while matches!(read(&reading, &mut byte), Ok(n) if n > 0) {}
    match wait_exit(child) {
        Some(code) => code,
        None => fatal(&[b"child crashed"]),
    }
}
