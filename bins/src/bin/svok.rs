//! svok: exit 0 if supervise is running for a directory, 100 if not.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use platform::file::{Supervised, supervised};
use platform::msg::{fatal_sys, usage};
use platform::{Args, EXIT_OK, EXIT_USAGE, Env};

platform::tool!(b"svok", run);

fn run(args: Args, _env: Env) -> i32 {
    let Some(dir) = args.get_c(1) else {
        usage(b"svok dir")
    };
    if let Err(e) = rustix::process::chdir(dir) {
        fatal_sys(&[b"unable to chdir to ", dir.to_bytes()], e);
    }
    match supervised(c"supervise/ok") {
        Supervised::Running(_) => EXIT_OK,
        Supervised::NotRunning | Supervised::Missing => EXIT_USAGE,
        Supervised::Error(e) => {
            fatal_sys(&[b"unable to open ", dir.to_bytes(), b"/supervise/ok"], e)
        }
    }
}
