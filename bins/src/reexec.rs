//! Executing the running program again in place (svscan's upgrade): the process keeps
//! its pid, its children, its signal mask and every descriptor without close-on-exec;
//! the new image is the file found as the program was started.

use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags, open};
use rustix::io::Errno;
use rustix::process::fchdir;

use crate::process::exec;
use crate::{Args, Env};

/// The working directory, held open (a path descriptor: no permission needed).
pub fn working_directory() -> Result<OwnedFd, Errno> {
    open(
        c".",
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Executes the program again as it was started: `argv[0]` as a path if it holds a `/`,
/// else searched in `PATH` (as a shell or `inittab` found it), with the same arguments
/// and the environment `env`, from `origin`, the working directory it started in (so
/// that a relative name or argument means what it meant then; without it, from the
/// current one). Returns only if that failed: back in the working directory it was in,
/// with the reason.
pub fn exec_self(args: &Args, env: Env, origin: Option<BorrowedFd<'_>>) -> Errno {
    let (Some(name), Some(argv)) = (args.get_c(0), args.tail(0)) else {
        return Errno::NOENT;
    };
    let here = match working_directory() {
        Ok(fd) => fd,
        Err(e) => return e,
    };
    if let Some(Err(e)) = origin.map(fchdir) {
        return e;
    }
    let e = exec(name, argv, env);
    // Back into the directory it was in, held open: only a permission taken away since
    // can stop that, and then there is no better place to be.
    let _ = fchdir(&here);
    e
}
