//! Service directories for the supervision tests: a temporary directory with a `run`
//! script, the status file read back, and cleanup of every process a test started.

use dt_core::status::Status;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Program, root};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A service directory under `target/test-services/`, removed (with its processes
/// killed) when dropped.
pub struct ServiceDir {
    /// The directory.
    pub path: PathBuf,
}

impl ServiceDir {
    /// A new directory named after `tag`, with `run` as its executable run script (or no
    /// run file at all).
    pub fn new(tag: &str, run: Option<&str>) -> ServiceDir {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = root().join(format!(
            "target/test-services/{tag}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("service dir");
        let dir = ServiceDir { path };
        if let Some(script) = run {
            dir.write_run(script, 0o755);
        }
        dir
    }

    /// A service whose `run` notes each start in the file `starts` and exits at once:
    /// supervise restarts it once a second.
    pub fn crash_looping(tag: &str) -> ServiceDir {
        ServiceDir::new(tag, Some("#!/bin/sh\necho . >> starts\nexit 1\n"))
    }

    /// How often a [`ServiceDir::crash_looping`] service has started.
    pub fn starts(&self) -> usize {
        std::fs::read_to_string(self.path.join("starts"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// Writes `run` with the given mode.
    pub fn write_run(&self, script: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        let run = self.path.join("run");
        std::fs::write(&run, script).expect("write run");
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(mode)).expect("chmod run");
    }

    /// The directory as an argument.
    pub fn arg(&self) -> &str {
        self.path.to_str().expect("utf-8 path")
    }

    /// A file in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The raw status file, if there is one.
    pub fn status_bytes(&self) -> Option<Vec<u8>> {
        std::fs::read(self.path.join("supervise/status")).ok()
    }

    /// The decoded status file, if there is one.
    pub fn status(&self) -> Option<Status> {
        Status::unpack(&self.status_bytes()?)
    }

    /// The running child's pid, if the status shows one.
    pub fn pid(&self) -> Option<u32> {
        self.status()?.pid
    }

    /// Waits up to 10 seconds for `condition`; panics naming `what` if it never holds.
    pub fn wait_for(&self, what: &str, condition: impl Fn(&ServiceDir) -> bool) {
        wait_until(what, Duration::from_secs(10), || condition(self));
    }

    /// Waits for a running child other than `old`, and returns it.
    pub fn wait_for_new_pid(&self, old: Option<u32>) -> u32 {
        self.wait_for("a new child", |d| d.pid().is_some_and(|p| Some(p) != old));
        self.pid().expect("pid")
    }
}

impl Drop for ServiceDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes an executable script (mode 0755) at `path`.
pub fn write_script(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod script");
}

/// Polls `condition` every 10 ms until it holds; panics naming `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends a signal to one process (errors ignored: it may be gone). Refuses anything but
/// a plain positive pid above 1: a status file may hold any bytes, and kill(-1) would
/// signal every process of the user.
pub fn kill(pid: u32, signal: i32) {
    let Ok(pid) = i32::try_from(pid) else { return };
    if pid > 1 {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe { libc::kill(pid, signal) };
    }
}

/// How many descriptors a process has open, from `/proc/PID/fd`.
pub fn descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// The descriptors a process keeps open: the fewest of a few looks 10 ms apart, so that
/// one open for a moment (a status file being rewritten) is not counted; a leaked one
/// stays in every look.
pub fn lasting_descriptors(pid: u32) -> usize {
    (0..5)
        .map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            descriptors(pid)
        })
        .min()
        .unwrap_or(0)
}

/// The parent pid of a process, from `/proc/PID/stat`.
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The state letter of a process from `/proc/PID/stat` (`S`, `T` for stopped, ...).
pub fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?.1.chars().next()
}

/// The command line of a process, arguments joined by spaces.
pub fn command_line(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw)
        .replace('\0', " ")
        .trim()
        .to_string()
}

/// A running supervise, killed with its child when dropped; its stderr goes to a file.
pub struct Supervise {
    child: Child,
    stderr: PathBuf,
    status: PathBuf,
}

impl Supervise {
    /// Starts `program` (ours or the original) on `dir`.
    pub fn start(program: &Program, dir: &ServiceDir) -> Supervise {
        let stderr = dir.path.with_extension("stderr");
        let file = std::fs::File::create(&stderr).expect("stderr file");
        let child = program
            .command(&[dir.arg()], &[])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.label));
        Supervise {
            child,
            stderr,
            status: dir.path.join("supervise/status"),
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits (up to 10 s) for it to exit; returns the exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let mut code = None;
        wait_until("supervise to exit", Duration::from_secs(10), || {
            code = self.child.try_wait().expect("try_wait").map(|s| s.code());
            code.is_some()
        });
        code.flatten()
    }
}

impl Drop for Supervise {
    fn drop(&mut self) {
        // Its child, if the status names one that really is its child (under qemu the
        // runner is the parent).
        let child = std::fs::read(&self.status)
            .ok()
            .and_then(|b| Status::unpack(&b)?.pid);
        if let Some(pid) = child.filter(|&p| parent_of(p) == Some(self.child.id())) {
            kill(pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr);
    }
}

/// `svstat` output with every number replaced by `#` (pids and seconds vary).
pub fn masked(text: &[u8]) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in String::from_utf8_lossy(text).chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}
