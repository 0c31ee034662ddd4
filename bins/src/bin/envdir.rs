//! envdir: run a child with environment variables from the files of a directory
//! (`envdir dir child`). For each file whose name does not start with a dot: an empty
//! file removes the variable; otherwise its first line, with trailing spaces and tabs
//! removed and NUL bytes turned into newlines, is the value (`dt_core::envdir`). The new
//! variables hold at most 64 KiB and the environment 1024 variables.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::envdir::{Setting, setting};
use platform::buffer::Buffer;
use platform::file::{OpenError, for_each_entry, open_regular};
use platform::io::read;
use platform::msg::{fatal, fatal_sys};
use platform::{Args, EXIT_TEMP, Env, NewEnv, exit};
use rustix::fs::{Mode, OFlags, open};

platform::tool!(b"envdir", run);

/// Most bytes of a file read to find its first line.
const VALUE_MAX: usize = 32 * 1024;
/// Space for them, off the stack.
static VALUE: Buffer<u8, VALUE_MAX> = Buffer::new(0);

fn run(args: Args, env: Env) -> i32 {
    let (Some(dir), Some(_)) = (args.get_c(1), args.get(2)) else {
        // The original exits 111 here, not 100.
        platform::msg::warn_usage(b"envdir dir child");
        exit(EXIT_TEMP)
    };
    let path = dir.to_bytes();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = open(dir, flags, Mode::empty())
        .unwrap_or_else(|e| fatal_sys(&[b"unable to switch to directory ", path], e));
    let mut new = NewEnv::new(env);
    let buf = VALUE.take();
    let listed = for_each_entry(&fd, |name| {
        let name_bytes = name.to_bytes();
        let len = first_line(&fd, name, buf).unwrap_or_else(|e| {
            fatal(&[b"unable to read ", path, b"/", name_bytes, b": ", e.text()])
        });
        let text = buf.get_mut(..len).unwrap_or_default();
        let changed = match setting(text) {
            Setting::Remove => new.remove(name_bytes),
            Setting::Set(n) => new.set(name_bytes, text.get(..n).unwrap_or_default()),
        };
        if changed.is_err() {
            fatal(&[b"unable to set ", name_bytes, b": environment too large"]);
        }
    });
    if let Err(e) = listed {
        fatal_sys(&[b"unable to read directory ", path], e);
    }
    new.exec_child(&args, 2)
}

/// Reads `name` in `dir` up to its first newline (or its end); returns the bytes read.
/// A first line longer than `buf` is `EFBIG`; anything but a regular file (a FIFO would
/// block for ever) is refused.
fn first_line(
    dir: &rustix::fd::OwnedFd,
    name: &core::ffi::CStr,
    buf: &mut [u8],
) -> Result<usize, OpenError> {
    let (file, _) = open_regular(dir, name, OFlags::RDONLY, Mode::empty())?;
    let mut len = 0;
    loop {
        let free = match buf.get_mut(len..) {
            Some(free) if !free.is_empty() => free,
            _ => return Err(OpenError::Sys(rustix::io::Errno::FBIG)),
        };
        match read(&file, &mut *free).map_err(OpenError::Sys)? {
            0 => return Ok(len),
            n => {
                len += n;
                let fresh = free.get(..n).unwrap_or_default();
                if dt_core::search::find_byte(b'\n', fresh).is_some() {
                    return Ok(len);
                }
            }
        }
    }
}
