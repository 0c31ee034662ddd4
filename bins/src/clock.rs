//! The wall clock as a TAI64N stamp.

use dt_core::tai64::Tai64N;
use rustix::time::{ClockId, clock_gettime};

/// Now, as TAI64N (`CLOCK_REALTIME`, nanosecond resolution; through the vDSO where the
/// kernel offers one).
pub fn now() -> Tai64N {
    let t = clock_gettime(ClockId::Realtime);
    Tai64N::from_unix(t.tv_sec, t.tv_nsec as u32)
}

/// The monotonic clock in milliseconds (for deadlines; never jumps with the wall clock).
pub fn monotonic_ms() -> u64 {
    let t = clock_gettime(ClockId::Monotonic);
    (t.tv_sec as u64)
        .wrapping_mul(1000)
        .wrapping_add(t.tv_nsec as u64 / 1_000_000)
}
