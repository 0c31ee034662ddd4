//! envuidgid: run a child with `$UID` and `$GID` set to an account's user and group ids
//! (`envuidgid account child`), read from `/etc/passwd`.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::decimal::Digits;
use platform::account::lookup_or_exit;
use platform::msg::{fatal, usage};
use platform::{Args, Env, NewEnv};

platform::tool!(b"envuidgid", run);

fn run(args: Args, env: Env) -> i32 {
    let (Some(name), Some(_)) = (args.get(1), args.get(2)) else {
        usage(b"envuidgid account child")
    };
    let account = lookup_or_exit(name);
    let mut new = NewEnv::new(env);
    let set = new
        .set(b"GID", Digits::new(account.gid.into()).as_bytes())
        .and_then(|()| new.set(b"UID", Digits::new(account.uid.into()).as_bytes()));
    if set.is_err() {
        fatal(&[b"unable to set UID and GID: environment too large"]);
    }
    new.exec_child(&args, 2)
}
