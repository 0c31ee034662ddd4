//! The platform layer: the only code in the project that makes syscalls or uses `unsafe`.
//!
//! It gives each tool in `src/bin/` a program entry without libc ([`tool!`]), its
//! arguments and environment, buffered output without `core::fmt`, the daemontools
//! message style and exit codes, the clock and file reading.
//!
//! # Safety
//! `unsafe` appears in four places, each with a `// SAFETY:` reason: the per-architecture
//! `_start` and the reading of the kernel's initial stack ([`start`]), borrowing the
//! standard descriptors 0-2 ([`io`]), and the link-time hand-off to the binary's `main`.
#![no_std]
#![cfg_attr(target_arch = "mips", feature(asm_experimental_arch))]

pub mod account;
pub mod clock;
pub mod env;
pub mod file;
pub mod io;
pub mod msg;
pub mod process;
pub mod relabel;
mod start;
mod sys;

pub use env::{Args, Env, NewEnv};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: usage error or permanent failure (bad input).
pub const EXIT_USAGE: i32 = 100;
/// Exit code: temporary or system failure.
pub const EXIT_TEMP: i32 = 111;

/// Ends the process (all threads) with `code`.
pub fn exit(code: i32) -> ! {
    rustix::runtime_448b8ad740e2a26f::exit_group(code)
}

unsafe extern "Rust" {
    /// The tool's name for messages, defined by [`tool!`].
    safe fn dt_tool_name() -> &'static [u8];
    /// The tool's `main`, defined by [`tool!`].
    safe fn dt_tool_main(args: Args, env: Env) -> i32;
}

/// The running tool's name, as used in its messages (`tai64n: fatal: ...`).
pub fn tool_name() -> &'static [u8] {
    dt_tool_name()
}

/// Declares a binary's name and `main`: `platform::tool!(b"tai64n", run);` where
/// `fn run(args: Args, env: Env) -> i32` returns the exit code.
#[macro_export]
macro_rules! tool {
    ($name:literal, $main:path) => {
        #[unsafe(no_mangle)]
        fn dt_tool_name() -> &'static [u8] {
            $name
        }
        #[unsafe(no_mangle)]
        fn dt_tool_main(args: $crate::Args, env: $crate::Env) -> i32 {
            $main(args, env)
        }
    };
}

/// Runs the tool; called by `_start` once the arguments are known.
fn run(args: Args, env: Env) -> ! {
    exit(dt_tool_main(args, env))
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // No message formatting here: it would link all of core::fmt into every tool.
    msg::fatal(&[b"internal error"])
}
