//! Big buffers off the stack: a [`Buffer`] is a `static` array that is handed out once,
//! as `&'static mut`, so a tool's 16-80 KiB of input and output space lives in `.bss`
//! (no bytes in the file, no memory until touched) instead of on the stack. Every tool
//! then runs under a 32 KiB stack limit (`softlimit -s 32768`), as daemontools 0.76 does.
//!
//! Contract: each `Buffer` is taken at most once per process, at a place that runs once
//! (a tool's `run`, a function a tool calls once); a second [`Buffer::take`] of the same
//! buffer is a fault of the program and ends it with exit 111 (`buffer taken twice`).
//!
//! # Safety
//! [`Buffer::take`] hands out the one mutable reference to the array: the `taken` flag
//! is set by an atomic swap, so only the first caller (of any thread) gets it, and the
//! array is reached through nothing else.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// `N` items (bytes, or pointers) in static memory, for one user per process:
/// `static INPUT: Buffer<u8, { 32 * 1024 }> = Buffer::new(0);` then `INPUT.take()`.
pub struct Buffer<T, const N: usize> {
    items: UnsafeCell<[T; N]>,
    taken: AtomicBool,
}

// SAFETY: the array is only reached through the one `&mut` that `take` hands out, once.
unsafe impl<T, const N: usize> Sync for Buffer<T, N> {}

impl<T: Copy, const N: usize> Buffer<T, N> {
    /// A buffer of `N` copies of `fill`, not yet taken. With a zero `fill` (0, a null
    /// pointer) it lives in `.bss`: no bytes in the file.
    pub const fn new(fill: T) -> Self {
        Buffer {
            items: UnsafeCell::new([fill; N]),
            taken: AtomicBool::new(false),
        }
    }

    /// The array, for the rest of the process; exit 111 if it was taken before.
    #[allow(clippy::mut_from_ref)] // the `taken` flag makes the `&mut` unique
    pub fn take(&'static self) -> &'static mut [T; N] {
        if self.taken.swap(true, Ordering::Acquire) {
            crate::msg::fatal(&[b"buffer taken twice"]);
        }
        // SAFETY: `taken` was false: this is the first and only reference to the array.
        unsafe { &mut *self.items.get() }
    }
}

/// One value in static memory, for one user per process: a machine with a big table
/// (svscan's 1000 services) that would otherwise take tens of kilobytes of the stack.
/// Built at compile time (`static M: Static<T> = Static::new(T::new(..))`, a `const fn`),
/// so it never passes through the stack; taken once, as a [`Buffer`].
pub struct Static<T> {
    value: UnsafeCell<T>,
    taken: AtomicBool,
}

// SAFETY: the value is only reached through the one `&mut` that `take` hands out, once.
unsafe impl<T> Sync for Static<T> {}

impl<T> Static<T> {
    /// `value`, not yet taken.
    pub const fn new(value: T) -> Self {
        Static {
            value: UnsafeCell::new(value),
            taken: AtomicBool::new(false),
        }
    }

    /// The value, for the rest of the process; exit 111 if it was taken before.
    #[allow(clippy::mut_from_ref)] // the `taken` flag makes the `&mut` unique
    pub fn take(&'static self) -> &'static mut T {
        if self.taken.swap(true, Ordering::Acquire) {
            crate::msg::fatal(&[b"buffer taken twice"]);
        }
        // SAFETY: `taken` was false: this is the first and only reference to the value.
        unsafe { &mut *self.value.get() }
    }
}
