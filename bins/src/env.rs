//! The process's arguments and environment, as NUL-terminated byte strings from the
//! kernel's initial stack, read in place (no copies, no allocation).
//!
//! # Safety
//! [`Args`] and [`Env`] are made only by `start` from the pointers the kernel laid out;
//! those strings live, unmoved, for the whole process, and indexes are checked against
//! `argc` and the environment's NULL before any pointer is read.

use core::ffi::CStr;

use crate::buffer::Buffer;

/// Bytes of a NUL-terminated string that lives for the whole process.
///
/// # Safety
/// `p` must point at a NUL-terminated string that is never freed or changed.
unsafe fn c_bytes(p: *const u8) -> &'static [u8] {
    // SAFETY: guaranteed by the caller.
    unsafe { CStr::from_ptr(p.cast()) }.to_bytes()
}

/// The command-line arguments, `argv[0]` first.
///
/// Not `Copy`: the strings it lends are tied to it, so [`Args::into_last`] can hand out
/// the last one for writing knowing that nothing else still reads it.
pub struct Args {
    argc: usize,
    argv: *const *const u8,
}

impl Args {
    /// # Safety
    /// `argv` must hold `argc` valid string pointers that live for the whole process.
    pub(crate) unsafe fn from_raw(argc: usize, argv: *const *const u8) -> Self {
        Args { argc, argv }
    }

    /// Number of arguments, `argv[0]` included.
    pub fn len(&self) -> usize {
        self.argc
    }

    /// Whether there are no arguments at all (not even a program name).
    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// Argument `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.get_c(i).map(CStr::to_bytes)
    }

    /// Arguments `from` onwards, as C strings.
    pub fn from(&self, from: usize) -> impl Iterator<Item = &CStr> {
        (from..self.argc).filter_map(|i| self.get_c(i))
    }

    /// Arguments `from` onwards, as C strings that live as long as the process (for
    /// what lives in static memory: multilog's script). `self` is consumed, so none of
    /// them can be handed out for writing ([`Args::into_last`]) while they are read.
    pub fn into_from(self, from: usize) -> impl Iterator<Item = &'static CStr> {
        (from..self.argc).filter_map(move |i| self.arg(i))
    }

    /// The last argument, for writing in place: what `ps` shows of the process
    /// (readproctitle). `None` without arguments.
    pub fn into_last(self) -> Option<&'static mut [u8]> {
        let last = self.argc.checked_sub(1)?;
        let len = self.get(last)?.len();
        // SAFETY: the string lives in this process's writable initial stack for its whole
        // life; `self` is consumed and every slice it lent borrowed it, so no other
        // reference to these bytes exists; `len` stops before the NUL.
        Some(unsafe { core::slice::from_raw_parts_mut((*self.argv.add(last)).cast_mut(), len) })
    }

    /// Arguments `i` onwards as the kernel's NULL-terminated array (an `argv` for a
    /// child); `None` if there is no argument `i`.
    pub fn tail(&self, i: usize) -> Option<&[*const u8]> {
        if i >= self.argc {
            return None;
        }
        // SAFETY: the kernel's argv holds argc pointers and then a NULL, all valid for
        // the whole process (from_raw's contract), so argc - i + 1 entries from i are.
        Some(unsafe { core::slice::from_raw_parts(self.argv.add(i), self.argc - i + 1) })
    }

    /// Argument `i` as a C string (for syscalls), if there is one.
    pub fn get_c(&self, i: usize) -> Option<&CStr> {
        self.arg(i)
    }

    /// Argument `i`, for as long as the process lives: public methods lend it for no
    /// longer than `self` (borrowed, or consumed as by [`Args::into_from`]).
    fn arg(&self, i: usize) -> Option<&'static CStr> {
        if i >= self.argc {
            return None;
        }
        // SAFETY: i < argc, and from_raw's contract makes each of those a valid string
        // that lives as long as the process.
        Some(unsafe { CStr::from_ptr((*self.argv.add(i)).cast()) })
    }
}

/// The environment: `NAME=value` strings.
#[derive(Clone, Copy)]
pub struct Env {
    envp: *const *const u8,
}

impl Env {
    /// # Safety
    /// `envp` must be a NULL-terminated array of valid strings that live for the whole
    /// process.
    pub(crate) unsafe fn from_raw(envp: *const *const u8) -> Self {
        Env { envp }
    }

    /// The raw environment, for `execve`.
    pub(crate) fn as_ptr(&self) -> *const *const u8 {
        self.envp
    }

    /// The entries, `NAME=value` each, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static [u8], *const u8)> + use<> {
        let envp = self.envp;
        (0..)
            // SAFETY: from_raw's contract: entries up to and including the NULL are valid.
            .map(move |i| unsafe { *envp.add(i) })
            .take_while(|p| !p.is_null())
            // SAFETY: p is a non-NULL entry of the environment array.
            .map(|p| (unsafe { c_bytes(p) }, p))
    }

    /// The value of the first variable called `name`.
    pub fn get(&self, name: &[u8]) -> Option<&'static [u8]> {
        self.entries().find_map(|(entry, _)| value_of(entry, name))
    }
}

/// The value in `entry` (`NAME=value`) if its name is `name`.
fn value_of<'e>(entry: &'e [u8], name: &[u8]) -> Option<&'e [u8]> {
    entry.strip_prefix(name)?.strip_prefix(b"=")
}

/// Most variables a program gets from [`NewEnv`].
pub const VARS_MAX: usize = 1024;
/// Most bytes of variables [`NewEnv`] sets (names, values and separators).
pub const TEXT_MAX: usize = 64 * 1024;

/// Space for the changes of the one [`NewEnv`] a process makes, and for the
/// environment array it executes a program with (the last entry stays NULL).
static TEXT: Buffer<u8, TEXT_MAX> = Buffer::new(0);
static ENVP: Buffer<*const u8, { VARS_MAX + 1 }> = Buffer::new(core::ptr::null());

/// The environment for a program to execute: the process's own with some variables
/// set or removed, in fixed space ([`VARS_MAX`], [`TEXT_MAX`]). One per process: its
/// text is a static [`Buffer`].
pub struct NewEnv {
    base: Env,
    /// The changes in order: `NAME=value\0` sets, `NAME\0` removes.
    text: &'static mut [u8; TEXT_MAX],
    used: usize,
}

/// The environment would exceed [`VARS_MAX`] or [`TEXT_MAX`].
#[derive(Debug)]
pub struct EnvFull;

impl NewEnv {
    /// The process's environment, unchanged so far. Made once per process.
    pub fn new(base: Env) -> Self {
        NewEnv {
            base,
            text: TEXT.take(),
            used: 0,
        }
    }

    /// Sets `name` to `value` (neither may hold a NUL; `name` no `=`). Only the first
    /// change of a name counts.
    pub fn set(&mut self, name: &[u8], value: &[u8]) -> Result<(), EnvFull> {
        self.record(name, &[name, b"=", value])
    }

    /// Removes `name`. Only the first change of a name counts.
    pub fn remove(&mut self, name: &[u8]) -> Result<(), EnvFull> {
        self.record(name, &[name])
    }

    fn record(&mut self, name: &[u8], pieces: &[&[u8]]) -> Result<(), EnvFull> {
        if self.changes().any(|(n, _)| n == name) {
            return Ok(());
        }
        let len = pieces.iter().map(|p| p.len()).sum::<usize>() + 1;
        let free = self.text.get_mut(self.used..).unwrap_or_default();
        if len > free.len() {
            return Err(EnvFull);
        }
        let bytes = pieces.iter().flat_map(|p| p.iter()).chain(&[0]);
        for (slot, &b) in free.iter_mut().zip(bytes) {
            *slot = b;
        }
        self.used += len;
        Ok(())
    }

    /// The changes, in order, each without its NUL: (name, `Some(entry)` to set it).
    fn changes(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        let text = self.text.get(..self.used).unwrap_or_default();
        text.split(|&c| c == 0)
            .take_while(|c| !c.is_empty())
            .map(|change| {
                let name = change.split(|&c| c == b'=').next().unwrap_or_default();
                (name, (name.len() < change.len()).then_some(change))
            })
    }

    /// The value `name` will have.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        match self.changes().find(|(n, _)| *n == name) {
            Some((_, entry)) => entry.and_then(|e| value_of(e, name)),
            None => self.base.get(name),
        }
    }

    /// Executes the child named by argument `i` (searched in the new `PATH`) with the
    /// arguments after it and this environment; see [`crate::process::exec_child`].
    pub fn exec_child(&self, args: &Args, i: usize) -> ! {
        crate::process::run_child(args, i, |file, argv| self.exec(file, argv))
    }

    /// Executes `file` (searched in the new `PATH`) with `argv` and this environment;
    /// returns only on failure. Once per process: the environment array is static.
    pub fn exec(&self, file: &CStr, argv: &[*const u8]) -> rustix::io::Errno {
        let envp = ENVP.take();
        let changed = |entry: &[u8]| {
            self.changes()
                .any(|(name, _)| value_of(entry, name).is_some())
        };
        let kept = self
            .base
            .entries()
            .filter(|(e, _)| !changed(e))
            .map(|(_, p)| p);
        // Each name has one change (see `record`); the text's entries end with NUL.
        let set = self
            .changes()
            .filter_map(|(_, entry)| entry.map(<[u8]>::as_ptr));
        let mut entries = kept.chain(set);
        // The last slot stays NULL.
        for (slot, p) in envp[..VARS_MAX].iter_mut().zip(&mut entries) {
            *slot = p;
        }
        if entries.next().is_some() {
            return rustix::io::Errno::TOOBIG;
        }
        crate::process::exec_with(file, argv, envp.as_ptr(), self.get(b"PATH"))
    }
}
