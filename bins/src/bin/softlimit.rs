//! softlimit: run a child with lower soft resource limits:
//! `softlimit [-a allbytes] [-c corebytes] ... child`. A value is a number or `=` (the
//! hard limit); a number above the hard limit is lowered to it. `-m` sets data, stack,
//! locked memory and address space at once. 64-bit limits on every target (prlimit64).
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::options::{OptionError, read_options};
use dt_core::rlimit::{LETTERS, Resource, resources, soft, value};
use platform::msg::{fatal_sys, option_error, usage};
use platform::process::exec_child;
use platform::{Args, Env};
use rustix::process::{Resource as Rlimit, Rlimit as Limits, getrlimit, setrlimit};

platform::tool!(b"softlimit", run);

const USAGE: &[u8] = b"softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] \
[-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] \
[-s stackbytes] [-t cpusecs] child";

fn run(args: Args, env: Env) -> i32 {
    let options = read_options(
        args.from(1).map(|a| a.to_bytes()),
        LETTERS,
        |letter, text| {
            let value = text.and_then(value).ok_or(())?;
            for &resource in resources(letter) {
                let which = kernel_resource(resource);
                let hard = getrlimit(which).maximum;
                let limits = Limits {
                    current: Some(soft(value, hard.unwrap_or(u64::MAX))).filter(|&s| s != u64::MAX),
                    maximum: hard,
                };
                if let Err(e) = setrlimit(which, limits) {
                    fatal_sys(&[b"unable to setrlimit"], e);
                }
            }
            Ok(())
        },
    );
    let child = match options {
        Ok(n) => n + 1,
        Err(OptionError::MissingValue(letter)) => {
            option_error(b"option requires an argument", letter, USAGE)
        }
        // A known letter refused: its value was not a number.
        Err(OptionError::Unknown(letter)) if LETTERS.contains(&letter) => usage(USAGE),
        Err(OptionError::Unknown(letter)) => option_error(b"illegal option", letter, USAGE),
    };
    if args.get(child).is_none() {
        usage(USAGE);
    }
    exec_child(&args, child, env)
}

/// The kernel's name for a resource.
fn kernel_resource(resource: Resource) -> Rlimit {
    match resource {
        Resource::AddressSpace => Rlimit::As,
        Resource::Core => Rlimit::Core,
        Resource::Data => Rlimit::Data,
        Resource::FileSize => Rlimit::Fsize,
        Resource::LockedMemory => Rlimit::Memlock,
        Resource::OpenFiles => Rlimit::Nofile,
        Resource::Processes => Rlimit::Nproc,
        Resource::Resident => Rlimit::Rss,
        Resource::Stack => Rlimit::Stack,
        Resource::CpuSeconds => Rlimit::Cpu,
    }
}
