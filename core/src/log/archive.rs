//! The names of a log directory's archived files and which one goes first when there are
//! too many, as daemontools 0.76 reads a directory.
//!
//! - An archive is `@`, the 24 hex digits of a TAI64N stamp, and `.s` (written safely:
//!   rotated or processed) or `.u` (possibly incomplete: found after a crash).
//! - Every name of at least [`COUNTED_LEN`] bytes starting with `@` counts as an archive
//!   (so files the original left behind count too). While `num` or more exist, the one
//!   whose first [`COUNTED_LEN`] bytes sort lowest is removed ([`Census`]).
//! - A new archive is named after the later of the clock and just past the newest
//!   archive there ([`Census::stamp_after`]), so names keep the order in which files were
//!   archived even when the clock goes back (a router without a real-time clock boots
//!   at its firmware's date, before NTP): otherwise the newest files would sort first and
//!   be the first removed.

use crate::copy;
use crate::tai64::{LABEL_LEN, Tai64N};

/// Length of an archive name this project writes.
pub const NAME_LEN: usize = LABEL_LEN + 2;
/// Names this long or longer that start with `@` are archives; so many bytes are compared.
pub const COUNTED_LEN: usize = LABEL_LEN;
/// Longest file name Linux allows.
pub const NAME_MAX: usize = 255;

/// How an archived file came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `.s`: closed cleanly (or processed) before it was archived.
    Safe,
    /// `.u`: found unfinished after a crash.
    Unfinished,
}

/// The archive name for a file archived at `stamp`.
pub fn name(stamp: Tai64N, kind: Kind) -> [u8; NAME_LEN] {
    let mut out = [0u8; NAME_LEN];
    let [label @ .., dot, letter] = &mut out;
    *label = stamp.label();
    *dot = b'.';
    *letter = match kind {
        Kind::Safe => b's',
        Kind::Unfinished => b'u',
    };
    out
}

/// Whether the directory entry `name` counts as an archive.
pub fn is_archive(name: &[u8]) -> bool {
    name.len() >= COUNTED_LEN && name[0] == b'@'
}

/// The stamp of an archive name of the form this project and the original write
/// (`@`, 24 lowercase hex digits, `.s` or `.u`).
pub fn stamp_of(name: &[u8]) -> Option<Tai64N> {
    let [b'@', digits @ .., b'.', b's' | b'u'] = name else {
        return None;
    };
    let digits: &[u8; LABEL_LEN - 1] = digits.try_into().ok()?;
    let mut packed = [0u8; 12];
    for (byte, pair) in packed.iter_mut().zip(digits.chunks_exact(2)) {
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(Tai64N::unpack(packed))
}

/// One pass over a directory: how many archives it holds, which is the oldest and the
/// stamp of the newest.
#[derive(Clone, Debug)]
pub struct Census {
    count: u32,
    oldest: [u8; NAME_MAX],
    oldest_len: usize,
    newest: Option<Tai64N>,
}

impl Default for Census {
    fn default() -> Self {
        Census {
            count: 0,
            oldest: [0; NAME_MAX],
            oldest_len: 0,
            newest: None,
        }
    }
}

impl Census {
    /// Looks at one directory entry (names longer than [`NAME_MAX`] do not exist).
    pub fn see(&mut self, name: &[u8]) {
        if !is_archive(name) || name.len() > NAME_MAX {
            return;
        }
        self.count += 1;
        self.newest = self.newest.max(stamp_of(name));
        let key = &name[..COUNTED_LEN];
        if self.count == 1 || key < &self.oldest[..COUNTED_LEN] {
            self.oldest_len = copy::prefix(&mut self.oldest, name); // all of it: checked above
        }
    }

    /// The stamp for a new archive at `now`: `now`, or one nanosecond past the newest
    /// archive if that is not earlier.
    pub fn stamp_after(&self, now: Tai64N) -> Tai64N {
        match self.newest {
            Some(newest) if newest >= now => next(newest),
            _ => now,
        }
    }

    /// The archive to remove to keep fewer than `num`, if one must go.
    pub fn to_remove(&self, num: u32) -> Option<&[u8]> {
        let oldest = self.oldest.get(..self.oldest_len);
        oldest.filter(|_| self.count >= num && self.count > 0)
    }
}

/// One nanosecond later.
pub fn next(t: Tai64N) -> Tai64N {
    if t.nanos >= 999_999_999 {
        Tai64N {
            secs: t.secs.wrapping_add(1),
            nanos: 0,
        }
    } else {
        Tai64N {
            secs: t.secs,
            nanos: t.nanos + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_label_and_the_kind() {
        let stamp = Tai64N {
            secs: 0x4000_0000_6b06_74ac,
            nanos: 0x29e5_8084,
        };
        assert_eq!(&name(stamp, Kind::Safe), b"@400000006b0674ac29e58084.s");
        assert_eq!(
            &name(stamp, Kind::Unfinished),
            b"@400000006b0674ac29e58084.u"
        );
    }

    /// The directory of a case measured with Debian's multilog and `n2`: it removed
    /// the three names that start with 24 zeros (tied on their first 25 bytes) and kept
    /// the newest and the 24-byte one.
    #[test]
    fn counts_and_orders_as_the_original() {
        let mut dir = vec![
            "@00000000000000000000000".to_string(), // 24 bytes: not counted
            "@000000000000000000000000".into(),
            "@0000000000000000000000001".into(),
            "@0000000000000000000000000".into(),
            "@400000006b0674fd1c33ac54.u".into(),
            "current".into(),
            "lock".into(),
            "@".into(),
        ];
        let mut removed = Vec::new();
        loop {
            let mut census = Census::default();
            for entry in &dir {
                census.see(entry.as_bytes());
            }
            let Some(oldest) = census.to_remove(2) else {
                break;
            };
            let oldest = String::from_utf8(oldest.to_vec()).unwrap();
            dir.retain(|e| *e != oldest);
            removed.push(oldest);
        }
        assert_eq!(removed.len(), 3);
        let tied = format!("@{}", "0".repeat(24));
        assert!(removed.iter().all(|r| r.starts_with(&tied)));
        assert!(dir.contains(&"@400000006b0674fd1c33ac54.u".to_string()));
        assert!(dir.contains(&"@00000000000000000000000".to_string()));
    }

    #[test]
    fn fewer_than_num_stay() {
        let mut census = Census::default();
        census.see(b"@400000006b0674fd1c33ac54.s");
        assert_eq!(census.to_remove(2), None);
        census.see(b"@300000006b0674fd1c33ac54.s");
        assert_eq!(
            census.to_remove(2),
            Some(&b"@300000006b0674fd1c33ac54.s"[..])
        );
    }

    #[test]
    fn new_names_follow_the_newest_when_the_clock_is_behind() {
        let stamp = |secs, nanos| Tai64N { secs, nanos };
        let mut census = Census::default();
        assert_eq!(census.stamp_after(stamp(5, 7)), stamp(5, 7));
        census.see(b"@400000006b0674fd1c33ac54.s");
        census.see(b"@400000006b0674fe3b9ac9ff.u"); // the newest, at 999999999 ns
        census.see(b"@400000006b0674ff1c33ac54.x"); // not an archive name of ours
        census.see(b"@400000006b0674ffzc33ac54.s"); // not hex
        let newest = stamp(0x4000_0000_6b06_74fe, 999_999_999);
        assert_eq!(stamp_of(b"@400000006b0674fe3b9ac9ff.u"), Some(newest));
        let back = stamp(0x4000_0000_5000_0000, 0);
        assert_eq!(census.stamp_after(back), stamp(0x4000_0000_6b06_74ff, 0));
        assert_eq!(census.stamp_after(newest), stamp(0x4000_0000_6b06_74ff, 0));
        let later = stamp(0x4000_0000_6b06_7500, 1);
        assert_eq!(census.stamp_after(later), later);
        assert_eq!(next(stamp(1, 5)), stamp(1, 6));
    }
}
