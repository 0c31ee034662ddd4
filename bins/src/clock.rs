//! The wall clock as a TAI64N stamp, and the monotonic clock for deadlines.

use dt_core::tai64::Tai64N;

use crate::sys::clock_gettime;

/// Now, as TAI64N (`CLOCK_REALTIME`, nanosecond resolution).
pub fn now() -> Tai64N {
    let (secs, nanos) = clock_gettime(libc::CLOCK_REALTIME as u32);
    Tai64N::from_unix(secs, nanos)
}

/// Now as Unix seconds and nanoseconds (`CLOCK_REALTIME`), to compare with file times.
pub fn wall_clock() -> (i64, u32) {
    clock_gettime(libc::CLOCK_REALTIME as u32)
}

/// The wall clock the kernel stamps files with (`CLOCK_REALTIME_COARSE`, a tick
/// behind at most), in milliseconds: a file changed after this reading never shows an
/// older ctime.
pub fn file_clock_ms() -> i64 {
    let (secs, nanos) = clock_gettime(libc::CLOCK_REALTIME_COARSE as u32);
    secs.saturating_mul(1000) + i64::from(nanos / 1_000_000)
}

/// A `poll` timeout of `ms` milliseconds, at most 2^32 - 1 (49 days: every caller polls
/// in a loop that waits again), so that 32-bit boards divide natively.
pub fn timeout_ms(ms: u64) -> rustix::time::Timespec {
    let ms = u32::try_from(ms).unwrap_or(u32::MAX);
    rustix::time::Timespec {
        tv_sec: (ms / 1000) as _,
        tv_nsec: ((ms % 1000) * 1_000_000) as _,
    }
}

/// Milliseconds from now until the monotonic instant `at` (0 once it has come), for
/// [`crate::sys::poll`].
pub fn ms_until(at: u64) -> u64 {
    at.saturating_sub(monotonic_ms())
}

/// A `poll` timeout that ends at `at` on the [`monotonic_ms`] clock (zero if past).
pub fn timeout_until(at: u64) -> rustix::time::Timespec {
    timeout_ms(ms_until(at))
}

/// The monotonic clock in milliseconds (for deadlines; never jumps with the wall clock).
pub fn monotonic_ms() -> u64 {
    clock_ms(libc::CLOCK_MONOTONIC as u32)
}

/// Milliseconds since boot, suspend included (`CLOCK_BOOTTIME`: the clock of a
/// process's start time in `/proc/PID/stat`).
pub fn boot_ms() -> u64 {
    clock_ms(libc::CLOCK_BOOTTIME as u32)
}

/// `clock` in milliseconds.
fn clock_ms(clock: u32) -> u64 {
    let (secs, nanos) = clock_gettime(clock);
    (secs as u64)
        .wrapping_mul(1000)
        .wrapping_add(u64::from(nanos / 1_000_000))
}
