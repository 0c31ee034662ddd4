//! Harness for the integration tests: find the cross-built tools, run them natively or
//! under qemu-user, run the Debian originals beside them, and compare.
//!
//! The binaries come from `targets/build.sh` (in `target/dist/<target>/`); a missing one
//! fails the test with a "build first" message rather than skipping it.

pub mod service;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A build target and how to run its binaries on this machine.
#[derive(Clone, Debug)]
pub struct Target {
    /// Rust target triple.
    pub triple: String,
    /// qemu-user runner, or `None` to run natively.
    pub runner: Option<String>,
}

/// Every target of `targets/targets.txt`.
pub fn all_targets() -> Vec<Target> {
    let list = std::fs::read_to_string(root().join("targets/targets.txt")).expect("targets.txt");
    list.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let triple = words.next().expect("triple").to_string();
            let runner = words.next().expect("runner column");
            Target {
                triple,
                runner: (runner != "native").then(|| runner.to_string()),
            }
        })
        .collect()
}

/// The target whose binaries run natively here.
pub fn host() -> Target {
    target("x86_64-unknown-linux-musl")
}

/// One named target.
pub fn target(triple: &str) -> Target {
    all_targets()
        .into_iter()
        .find(|t| t.triple == triple)
        .expect("target listed")
}

/// The targets that get the full suite, not just the smoke test: the host, one arm and
/// one big-endian mips (the byte-order canary). `DT_FULL_TARGETS` (space separated)
/// overrides the list.
pub fn full_targets() -> Vec<Target> {
    let names = std::env::var("DT_FULL_TARGETS").unwrap_or_else(|_| {
        "x86_64-unknown-linux-musl armv7-unknown-linux-musleabihf mips-unknown-linux-musl".into()
    });
    names.split_whitespace().map(target).collect()
}

/// Where `targets/build.sh` puts the tools of one target.
pub fn dist_dir(triple: &str) -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    target_dir.join("dist").join(triple)
}

/// A program to run: one of ours (for a target) or an original.
#[derive(Clone, Debug)]
pub struct Program {
    /// Path of the executable.
    pub path: PathBuf,
    /// qemu-user runner, if any.
    pub runner: Option<String>,
    /// For messages.
    pub label: String,
}

/// Our `tool` built for `target`. Panics with a "build first" hint if it is missing.
pub fn ours(target: &Target, tool: &str) -> Program {
    let path = dist_dir(&target.triple).join(tool);
    assert!(
        path.is_file(),
        "{} is missing: build first with `targets/build.sh {}`",
        path.display(),
        target.triple
    );
    Program {
        path,
        runner: target.runner.clone(),
        label: format!("{tool} ({})", target.triple),
    }
}

/// The Debian original of `tool` (package `daemontools`). Panics with an install hint.
pub fn original(tool: &str) -> Program {
    let path = PathBuf::from("/usr/bin").join(tool);
    assert!(
        path.is_file(),
        "{} is missing: the differential tests need `apt-get install daemontools`",
        path.display()
    );
    Program {
        path,
        runner: None,
        label: format!("original {tool}"),
    }
}

/// What a finished run gave.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

impl Outcome {
    /// Standard error as text.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl Program {
    /// A command for this program, with a clean environment plus `env`.
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = match &self.runner {
            Some(runner) => {
                let mut c = Command::new(runner);
                c.arg(&self.path);
                c
            }
            None => Command::new(&self.path),
        };
        cmd.args(args).env_clear().env("PATH", "/usr/bin:/bin");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs to completion with `input` on stdin.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Outcome {
        let mut child = self
            .command(args, env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.label));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = input.to_vec();
        // A tool may exit before reading everything (bad input): ignore EPIPE.
        let writer = thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait");
        writer.join().expect("writer thread");
        Outcome {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    /// Runs with stdin and stdout connected to files (or devices such as `/dev/full`).
    pub fn run_redirected(&self, stdin: &str, stdout: &str) -> Outcome {
        let open_out = std::fs::OpenOptions::new()
            .write(true)
            .open(stdout)
            .expect("stdout file");
        let out = self
            .command(&[], &[])
            .stdin(std::fs::File::open(stdin).expect("stdin file"))
            .stdout(open_out)
            .output()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.label));
        Outcome {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    /// Runs to completion, asserting exit 0 and an empty stderr; returns stdout.
    pub fn filter(&self, env: &[(&str, &str)], input: &[u8]) -> Vec<u8> {
        let out = self.run(&[], env, input);
        assert_eq!(
            out.code,
            Some(0),
            "{} exit code; stderr: {}",
            self.label,
            out.stderr_text()
        );
        assert!(
            out.stderr.is_empty(),
            "{} stderr: {}",
            self.label,
            out.stderr_text()
        );
        out.stdout
    }

    /// Starts the program with piped stdin and stdout for an interactive exchange.
    pub fn spawn_piped(&self, env: &[(&str, &str)]) -> Interactive {
        let mut child = self
            .command(&[], env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.label));
        let mut stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Interactive {
            child,
            received: lines,
            pending: Vec::new(),
        }
    }
}

/// A running filter: write to it and wait for its output, with timeouts.
pub struct Interactive {
    child: Child,
    received: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
}

impl Interactive {
    /// Writes `bytes` to the program's stdin (which stays open).
    pub fn send(&mut self, bytes: &[u8]) {
        let stdin = self.child.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to child");
        stdin.flush().expect("flush");
    }

    /// The next complete line of output, or `None` after `timeout`.
    pub fn line(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(i) = self.pending.iter().position(|&c| c == b'\n') {
                return Some(self.pending.drain(..=i).collect());
            }
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            match self.received.recv_timeout(left) {
                Ok(chunk) => self.pending.extend(chunk),
                Err(_) => return None,
            }
        }
    }

    /// Closes stdin and waits for the exit code.
    pub fn finish(mut self) -> Option<i32> {
        drop(self.child.stdin.take());
        self.child.wait().expect("wait").code()
    }
}

/// Checks a filter's handling of a failing stdin (a directory) and a full stdout: exit
/// 111 with the daemontools-style message.
pub fn assert_io_errors_reported(tool: &str) {
    let program = ours(&host(), tool);
    let out = program.run_redirected("/", "/dev/null");
    assert_eq!(out.code, Some(111), "{tool}");
    assert_eq!(
        out.stderr_text(),
        format!("{tool}: fatal: unable to read input: is a directory\n")
    );
    let input = root().join("Cargo.toml");
    let out = program.run_redirected(input.to_str().expect("utf-8 path"), "/dev/full");
    assert_eq!(out.code, Some(111), "{tool}");
    assert_eq!(
        out.stderr_text(),
        format!("{tool}: fatal: unable to write output: out of disk space\n")
    );
}

/// Runs the original `tool` and ours on every full target with the same environment and
/// input, and asserts the outputs are identical (showing the first differing line).
pub fn assert_same_as_original(tool: &str, env: &[(&str, &str)], input: &[u8]) {
    let want = original(tool).filter(env, input);
    for target in full_targets() {
        let got = ours(&target, tool).filter(env, input);
        assert!(
            got == want,
            "{tool} {env:?} on {}: {}",
            target.triple,
            first_difference(&got, &want)
        );
    }
}

/// Whether the test runs as root; if not, says on stderr that `test` is skipped because
/// it needs root for `what` (the suite runs as root in CI; a developer may not).
pub fn root_or_skip(test: &str, what: &str) -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("skipped: {test} needs root to {what}");
    }
    root
}

/// Unix time now, in seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// The number in the environment variable `name` (a test's length, a seed), or
/// `default` when it is unset or not a number.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic pseudo-random generator (xorshift64*), so failures replay.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value but 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `lo..hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.bits() % (hi - lo) as u64) as i64
    }
}

/// Shows the first difference between two outputs, for assertion messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let line = |text: &[u8], n: usize| {
        String::from_utf8_lossy(text.split(|&c| c == b'\n').nth(n).unwrap_or(b"<none>"))
            .into_owned()
    };
    let differing = a
        .split(|&c| c == b'\n')
        .zip(b.split(|&c| c == b'\n'))
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| {
            a.split(|&c| c == b'\n')
                .count()
                .min(b.split(|&c| c == b'\n').count())
        });
    format!(
        "line {}: ours {:?} vs original {:?}",
        differing + 1,
        line(a, differing),
        line(b, differing)
    )
}
