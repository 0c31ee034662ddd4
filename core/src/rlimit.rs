//! `softlimit`'s options: which resource limits each letter sets, and what a value means.
//!
//! `-m` sets data, stack, locked memory and address space together, as daemontools 0.76
//! does. A value is a decimal number or `=` (as high as the hard limit); a soft limit is
//! never set above the hard limit.

/// A resource limit, by its Linux `RLIMIT_*` meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `RLIMIT_AS`.
    AddressSpace,
    /// `RLIMIT_CORE`.
    Core,
    /// `RLIMIT_DATA`.
    Data,
    /// `RLIMIT_FSIZE`.
    FileSize,
    /// `RLIMIT_MEMLOCK`.
    LockedMemory,
    /// `RLIMIT_NOFILE`.
    OpenFiles,
    /// `RLIMIT_NPROC`.
    Processes,
    /// `RLIMIT_RSS`.
    Resident,
    /// `RLIMIT_STACK`.
    Stack,
    /// `RLIMIT_CPU`.
    CpuSeconds,
}

/// The letters `softlimit` takes, each with a value.
pub const LETTERS: &[u8] = b"acdflmoprst";

/// The limits option `letter` sets (none for an unknown letter).
pub fn resources(letter: u8) -> &'static [Resource] {
    use Resource::*;
    match letter {
        b'a' => &[AddressSpace],
        b'c' => &[Core],
        b'd' => &[Data],
        b'f' => &[FileSize],
        b'l' => &[LockedMemory],
        b'm' => &[Data, Stack, LockedMemory, AddressSpace],
        b'o' => &[OpenFiles],
        b'p' => &[Processes],
        b'r' => &[Resident],
        b's' => &[Stack],
        b't' => &[CpuSeconds],
        _ => &[],
    }
}

/// An option's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// `=`: the hard limit.
    Hard,
    /// A number.
    At(u64),
}

/// Reads a value: `=` or decimal digits only (`None`: a usage error).
pub fn value(text: &[u8]) -> Option<Value> {
    if text == b"=" {
        return Some(Value::Hard);
    }
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = text.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    // Past 2^64: as high as it goes, which the hard limit then caps.
    Some(Value::At(n.unwrap_or(u64::MAX)))
}

/// The soft limit to set for `value` under the hard limit `hard` (`u64::MAX`: none).
pub fn soft(value: Value, hard: u64) -> u64 {
    match value {
        Value::Hard => hard,
        Value::At(n) => n.min(hard),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(value(b"="), Some(Value::Hard));
        assert_eq!(value(b"1000000"), Some(Value::At(1_000_000)));
        assert_eq!(value(b"99999999999999999999999"), Some(Value::At(u64::MAX)));
        for bad in [&b""[..], b"abc", b"12k", b"-1", b"==", b" 1"] {
            assert_eq!(value(bad), None);
        }
    }

    #[test]
    fn soft_limits_stay_under_the_hard_one() {
        assert_eq!(soft(Value::At(10), 5), 5);
        assert_eq!(soft(Value::At(3), 5), 3);
        assert_eq!(soft(Value::Hard, 5), 5);
        assert_eq!(soft(Value::At(1 << 40), u64::MAX), 1 << 40);
    }

    #[test]
    fn every_letter_sets_something_and_m_sets_four() {
        assert!(LETTERS.iter().all(|&l| !resources(l).is_empty()));
        assert_eq!(resources(b'm').len(), 4);
        assert!(resources(b'z').is_empty());
    }
}
