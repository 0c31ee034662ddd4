//! The names of a log directory's archived files and which one goes first when there are
//! too many, as daemontools 0.76 reads a directory.
//!
//! - An archive is `@`, the 24 hex digits of a TAI64N stamp, and `.s` (written safely:
//!   rotated or processed) or `.u` (possibly incomplete: found after a crash).
//! - Every name of at least [`COUNTED_LEN`] bytes starting with `@` counts as an archive
//!   (so files the original left behind count too). While `num` or more exist, the one
//!   whose first [`COUNTED_LEN`] bytes sort lowest is removed ([`Census`]).

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
    out[..LABEL_LEN].copy_from_slice(&stamp.label());
    out[LABEL_LEN] = b'.';
    out[LABEL_LEN + 1] = match kind {
        Kind::Safe => b's',
        Kind::Unfinished => b'u',
    };
    out
}

/// Whether the directory entry `name` counts as an archive.
pub fn is_archive(name: &[u8]) -> bool {
    name.len() >= COUNTED_LEN && name[0] == b'@'
}

/// One pass over a directory: how many archives it holds and which is the oldest.
#[derive(Clone, Debug)]
pub struct Census {
    count: u32,
    oldest: [u8; NAME_MAX],
    oldest_len: usize,
}

impl Default for Census {
    fn default() -> Self {
        Census {
            count: 0,
            oldest: [0; NAME_MAX],
            oldest_len: 0,
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
        let key = &name[..COUNTED_LEN];
        if self.count == 1 || key < &self.oldest[..COUNTED_LEN] {
            self.oldest[..name.len()].copy_from_slice(name);
            self.oldest_len = name.len();
        }
    }

    /// The archive to remove to keep fewer than `num`, if one must go.
    pub fn to_remove(&self, num: u32) -> Option<&[u8]> {
        (self.count >= num && self.count > 0).then(|| &self.oldest[..self.oldest_len])
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
}
