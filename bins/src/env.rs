//! The process's arguments and environment, as NUL-terminated byte strings from the
//! kernel's initial stack, read in place (no copies, no allocation).

use core::ffi::CStr;

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

    /// Argument `i` as a C string (for syscalls), if there is one.
    pub fn get_c(&self, i: usize) -> Option<&CStr> {
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

    /// The value of the first variable called `name`.
    pub fn get(&self, name: &[u8]) -> Option<&'static [u8]> {
        let mut i = 0;
        loop {
            // SAFETY: from_raw's contract: entries up to and including the NULL are valid.
            let p = unsafe { *self.envp.add(i) };
            if p.is_null() {
                return None;
            }
            // SAFETY: p is a non-NULL entry of the environment array.
            let entry = unsafe { c_bytes(p) };
            if let Some(value) = entry.strip_prefix(name).and_then(|r| r.strip_prefix(b"=")) {
                return Some(value);
            }
            i += 1;
        }
    }
}
