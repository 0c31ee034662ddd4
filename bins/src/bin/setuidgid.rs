//! setuidgid: run a child as an account (`setuidgid account child`): the supplementary
//! groups become just the account's group, then the group id, then the user id are
//! set, from `/etc/passwd`.
//!
//! The parent-death signal (which supervise asks for, so that a service stops when its
//! supervise is killed) survives the change of ids: the kernel clears it whenever the
//! ids change, so it is read before and set again after, if the parent is still the
//! one that asked for it. Otherwise `kill -9` of supervise would leave the service
//! running beside the copy the next supervise starts.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use platform::EXIT_TEMP;
use platform::account::lookup_or_exit;
use platform::msg::{fatal_sys, usage};
use platform::process::exec_child;
use platform::{Args, Env};
use rustix::process::{
    Gid, Uid, getppid, parent_process_death_signal, set_parent_process_death_signal,
};
use rustix::thread::{set_thread_gid, set_thread_groups, set_thread_uid};

platform::tool!(b"setuidgid", run);

fn run(args: Args, env: Env) -> i32 {
    let (Some(name), Some(_)) = (args.get(1), args.get(2)) else {
        usage(b"setuidgid account child")
    };
    let account = lookup_or_exit(name);
    let death_signal = parent_process_death_signal().ok().flatten();
    let parent = getppid();
    // The process is single-threaded, so the thread's ids are the process's.
    let gid = Gid::from_raw(account.gid);
    if let Err(e) = set_thread_groups(&[gid]).and_then(|()| set_thread_gid(gid)) {
        fatal_sys(&[b"unable to setgid"], e);
    }
    if let Err(e) = set_thread_uid(Uid::from_raw(account.uid)) {
        fatal_sys(&[b"unable to setuid"], e);
    }
    if let Some(signal) = death_signal {
        // Set again, then the parent checked: a parent gone in between was missed.
        let _ = set_parent_process_death_signal(Some(signal));
        if getppid() != parent {
            return EXIT_TEMP;
        }
    }
    exec_child(&args, 2, env)
}
