//! A process's line in `/proc/PID/stat`, and the rule by which supervise knows that the
//! process an earlier supervise's status file names is still the service it started.
//!
//! Contract: [`ProcStat::parse`] reads the fields supervise needs (state, parent, start
//! time) from the kernel's line, whatever the command name holds (it may contain spaces
//! and parentheses: the fields are counted after its last `)`); anything else is `None`.
//! [`started_with`] compares the start time the kernel gives (clock ticks after boot)
//! with the status file's stamp (wall clock) through the two clocks read now; the
//! kernel's `USER_HZ` is 100 on every Linux board this project builds for.

use crate::search::find_byte;
use crate::tai64::Tai64N;

/// Milliseconds per clock tick of `/proc/PID/stat` (`USER_HZ` = 100).
pub const TICK_MS: u64 = 10;
/// How far apart the status stamp (taken when the fork returned) and the kernel's start
/// time may be for the process to count as the one started then.
pub const START_TOLERANCE_MS: i64 = 2_000;

/// What supervise reads from `/proc/PID/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStat {
    /// Field 3: `R`, `S`, `D`, `Z` (a zombie: it has ended), ...
    pub state: u8,
    /// Field 4: the parent's pid.
    pub parent: u32,
    /// Field 22: when it started, in clock ticks after boot.
    pub start_ticks: u64,
}

impl ProcStat {
    /// Reads the line `pid (comm) state ppid ... starttime ...`.
    pub fn parse(line: &[u8]) -> Option<ProcStat> {
        let close = line.iter().rposition(|&b| b == b')')?;
        // Field 3 on, after ") ".
        let fields = line.get(close + 2..)?;
        let state = *field(fields, 0)?.first()?;
        let parent = number(field(fields, 1)?)?;
        let start_ticks = number(field(fields, 19)?)?;
        Some(ProcStat {
            state,
            parent: u32::try_from(parent).ok()?,
            start_ticks,
        })
    }
}

/// Field `n` (from 0) of the fields in `text`, one space apart.
fn field(text: &[u8], n: usize) -> Option<&[u8]> {
    let mut rest = text;
    for _ in 0..n {
        rest = rest.get(find_byte(b' ', rest)? + 1..)?;
    }
    rest.get(..find_byte(b' ', rest).unwrap_or(rest.len()))
}

/// A decimal number of at most 19 digits.
fn number(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Whether a process that started `start_ticks` after boot started at `since` (within
/// [`START_TOLERANCE_MS`]), the clocks reading `boot_ms` (`CLOCK_BOOTTIME`, ms) and
/// `wall` now. A wall clock set between then and now (a board without a real-time
/// clock getting the time from NTP) makes it false: supervise then starts a new copy, as
/// the original always does.
pub fn started_with(since: Tai64N, start_ticks: u64, boot_ms: u64, wall: Tai64N) -> bool {
    let Some(age_ms) = boot_ms.checked_sub(start_ticks.saturating_mul(TICK_MS)) else {
        return false;
    };
    let ms = |t: Tai64N| {
        t.unix_secs()
            .saturating_mul(1000)
            .saturating_add(i64::from(t.nanos / 1_000_000))
    };
    let started = ms(wall).saturating_sub(i64::try_from(age_ms).unwrap_or(i64::MAX));
    started.abs_diff(ms(since)) <= START_TOLERANCE_MS as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real line (Linux 6.1, `sleep 100` started by a shell), cut after field 25.
    const GOLDEN: &[u8] = b"4242 (sleep) S 4241 4242 4100 34816 4242 4194304 97 0 0 0 0 0 0 0 20 0 1 0 123456 5595136 200 18446744073709551615\n";

    #[test]
    fn parse_golden() {
        assert_eq!(
            ProcStat::parse(GOLDEN),
            Some(ProcStat {
                state: b'S',
                parent: 4241,
                start_ticks: 123_456
            })
        );
    }

    #[test]
    fn parse_counts_fields_after_the_last_parenthesis() {
        let line = b"7 (a) b) Z 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
        let stat = ProcStat::parse(line).unwrap();
        assert_eq!((stat.state, stat.parent, stat.start_ticks), (b'Z', 1, 99));
    }

    #[test]
    fn parse_refuses_short_and_bad_lines() {
        assert_eq!(ProcStat::parse(b""), None);
        assert_eq!(ProcStat::parse(b"1 (init) S 0 1 1"), None);
        assert_eq!(
            ProcStat::parse(b"1 init S 0 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 5"),
            None
        );
        let bad = b"1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 0";
        assert_eq!(ProcStat::parse(bad), None);
        let huge = b"1 (x) S 99999999999 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0";
        assert_eq!(ProcStat::parse(huge), None, "a parent beyond 32 bits");
    }

    #[test]
    fn started_with_compares_through_both_clocks() {
        let wall = Tai64N::from_unix(1_800_000_000, 500_000_000);
        // Booted 1000 s ago; the process started 400 s after boot, 600 s ago.
        let boot_ms = 1_000_000;
        let ticks = 40_000;
        let then = Tai64N::from_unix(1_800_000_000 - 600, 500_000_000);
        assert!(started_with(then, ticks, boot_ms, wall));
        let near = Tai64N::from_unix(1_800_000_000 - 601, 0);
        assert!(started_with(near, ticks, boot_ms, wall), "1.5 s off");
        let far = Tai64N::from_unix(1_800_000_000 - 602, 0);
        assert!(!started_with(far, ticks, boot_ms, wall), "2.5 s off");
        let later = Tai64N::from_unix(1_800_000_000 - 500, 0);
        assert!(!started_with(later, ticks, boot_ms, wall), "another start");
        assert!(!started_with(then, 200_000, boot_ms, wall), "after now");
        let last_boot = Tai64N::from_unix(1_700_000_000, 0);
        assert!(!started_with(last_boot, ticks, boot_ms, wall));
    }
}
