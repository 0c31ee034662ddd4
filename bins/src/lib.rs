//! The platform layer: the only code in the project that makes syscalls or uses `unsafe`.
//!
//! It gives each tool in `src/bin/` a program entry without libc ([`tool!`]), its
//! arguments and environment, buffered output without `core::fmt`, the daemontools
//! message style and exit codes, the clock, file reading, and big buffers off the stack.
//!
//! # Safety
//! `unsafe` appears in these modules only, each block with a `// SAFETY:` reason and each
//! module with a `# Safety` section on what it relies on:
//! - `start`: the per-architecture `_start` and the reading of the kernel's initial stack;
//! - [`env`]: the argument and environment strings read in place on that stack;
//! - [`io`]: borrowing the standard descriptors 0-2; a `memcpy` without a panic path;
//! - [`process`]: the signal mask, `fork` and `execve` (rustix's runtime calls);
//! - [`file`]: a [`file::PathBuf`] as a C string without a second scan for NUL;
//! - [`buffer`]: a static [`buffer::Buffer`] lent out once as `&'static mut`, so big
//!   buffers live off the stack;
//! - `sys`: the raw syscalls rustix lacks;
//! - this file: the link-time hand-off to the binary's `main` ([`tool!`]).
//!
//! The tools in `src/bin/` call safe rustix directly where this layer has nothing to add,
//! but never `unsafe`: each has `#![deny(unsafe_code)]`, and [`tool!`] allows only the
//! `#[unsafe(no_mangle)]` it expands to.
#![no_std]
#![cfg_attr(target_arch = "mips", feature(asm_experimental_arch))]

pub mod account;
pub mod buffer;
pub mod clock;
pub mod env;
pub mod file;
pub mod io;
pub mod logdir;
pub mod msg;
pub mod process;
pub mod reexec;
pub mod relabel;
mod start;
mod sys;
pub mod waiters;

/// rustix's runtime module (fork, execve, exit_group, the kernel's signal set), the one
/// spelling of its name: rustix hides it behind a name that changes with each release
/// (`runtime_<hash>`), so a rustix upgrade changes this line only.
use rustix::runtime_448b8ad740e2a26f as runtime;

pub use env::{Args, Env, NewEnv};
/// For svscan as process 1: TERM or KILL to every process, and the reboot.
pub use sys::{RebootCommand, kill_all, reboot};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: usage error or permanent failure (bad input).
pub const EXIT_USAGE: i32 = 100;
/// Exit code: temporary or system failure.
pub const EXIT_TEMP: i32 = 111;

/// Ends the process (all threads) with `code`.
pub fn exit(code: i32) -> ! {
    runtime::exit_group(code)
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
        #[allow(unsafe_code)] // the one unsafe attribute a tool has: its symbol names
        #[unsafe(no_mangle)]
        fn dt_tool_name() -> &'static [u8] {
            $name
        }
        #[allow(unsafe_code)]
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
