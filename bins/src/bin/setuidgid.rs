//! setuidgid: run a child as an account (`setuidgid account child`): the supplementary
//! groups become just the account's group, then the group id, then the user id are
//! set, from `/etc/passwd`.
#![no_std]
#![no_main]

use platform::account::lookup_or_exit;
use platform::msg::{fatal_sys, usage};
use platform::process::exec_child;
use platform::{Args, Env};
use rustix::process::{Gid, Uid};
use rustix::thread::{set_thread_gid, set_thread_groups, set_thread_uid};

platform::tool!(b"setuidgid", run);

fn run(args: Args, env: Env) -> i32 {
    let (Some(name), Some(_)) = (args.get(1), args.get(2)) else {
        usage(b"setuidgid account child")
    };
    let account = lookup_or_exit(name);
    // The process is single-threaded, so the thread's ids are the process's.
    let gid = Gid::from_raw(account.gid);
    if let Err(e) = set_thread_groups(&[gid]).and_then(|()| set_thread_gid(gid)) {
        fatal_sys(&[b"unable to setgid"], e);
    }
    if let Err(e) = set_thread_uid(Uid::from_raw(account.uid)) {
        fatal_sys(&[b"unable to setuid"], e);
    }
    exec_child(&args, 2, env)
}
