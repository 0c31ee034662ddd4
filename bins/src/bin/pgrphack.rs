//! pgrphack: run a child in a new session, so in a process group of its own
//! (`pgrphack child`). As daemontools 0.76, a `setsid` that fails (the process already
//! leads a group) is no error.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use platform::msg::usage;
use platform::process::exec_child;
use platform::{Args, Env};

platform::tool!(b"pgrphack", run);

fn run(args: Args, env: Env) -> i32 {
    if args.len() < 2 {
        usage(b"pgrphack child");
    }
    let _ = rustix::process::setsid();
    exec_child(&args, 1, env)
}
