//! Local time without libc: which zone `TZ` names, and civil time in that zone.
//!
//! Contract: the result equals glibc's `localtime` (the C library of the Debian original)
//! for every input, with one documented exception (a DST rule string without dates takes
//! the US rules instead of glibc's `posixrules` file). Reading the zone file is the
//! caller's job: [`Source::of`] says which file to try, [`Zone`] evaluates it.

mod posix;
mod tzif;

pub use posix::{Day, PosixTz, Rule};
pub use tzif::{TzFile, TzifError};

use crate::civil::DateTime;

/// The system default zone file, used when `TZ` is unset.
pub const DEFAULT_FILE: &[u8] = b"/etc/localtime";
/// Directory of named zones when `TZDIR` is unset or empty.
pub const DEFAULT_DIR: &[u8] = b"/usr/share/zoneinfo";
/// The zone glibc loads for an empty `TZ`.
const EMPTY_NAME: &[u8] = b"Universal";

/// Where the zone comes from, decided from `TZ` and `TZDIR` as glibc's `tzset` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source<'a> {
    /// Directory to prefix to `file` (`None` for an absolute path).
    pub dir: Option<&'a [u8]>,
    /// The TZif file to try first.
    pub file: &'a [u8],
    /// The rule string to parse when the file cannot be used.
    pub rule: &'a [u8],
}

impl<'a> Source<'a> {
    /// The zone named by the environment: `TZ` unset is `/etc/localtime`; otherwise a
    /// leading `:` is dropped, an empty value means UTC, and the value is tried first as
    /// a file (absolute, or under `TZDIR`), then as a rule string.
    pub fn of(tz: Option<&'a [u8]>, tzdir: Option<&'a [u8]>) -> Source<'a> {
        let Some(tz) = tz else {
            return Source {
                dir: None,
                file: DEFAULT_FILE,
                rule: DEFAULT_FILE,
            };
        };
        let name = tz.strip_prefix(b":").unwrap_or(tz);
        let file = if name.is_empty() { EMPTY_NAME } else { name };
        let dir = match (file.first(), tzdir) {
            (Some(b'/'), _) => None,
            (_, Some(d)) if !d.is_empty() => Some(d),
            _ => Some(DEFAULT_DIR),
        };
        Source {
            dir,
            file,
            rule: name,
        }
    }
}

/// A time zone ready for lookups.
#[derive(Clone, Copy, Debug)]
pub enum Zone<'a> {
    /// A TZif file.
    File(TzFile<'a>),
    /// A POSIX rule string (UTC when nothing parsed).
    Rule(PosixTz),
}

impl Zone<'_> {
    /// Civil time at Unix time `t`, as glibc's `localtime` gives it; `None` where that
    /// fails (the year does not fit a C `int`).
    pub fn local(&mut self, t: i64) -> Option<DateTime> {
        let utc_year = || DateTime::from_unix(t, 0).map(|d| d.year);
        match self {
            Zone::Rule(rule) => DateTime::from_unix(t, rule.offset_at(t, utc_year()?)),
            Zone::File(file) => {
                let offset = file.offset_at(t, utc_year);
                let (correction, hit) = file.leap_correction(t);
                let local = DateTime::from_unix(t, offset.wrapping_sub(correction))?;
                Some(DateTime {
                    second: local.second + hit,
                    ..local
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_follows_glibc() {
        let dir = Some(&b"/z"[..]);
        let s = Source::of(None, dir);
        assert_eq!((s.dir, s.file), (None, DEFAULT_FILE));
        let s = Source::of(Some(b""), None);
        assert_eq!(
            (s.dir, s.file, s.rule),
            (Some(DEFAULT_DIR), EMPTY_NAME, &b""[..])
        );
        let s = Source::of(Some(b":Europe/Berlin"), dir);
        assert_eq!(
            (s.dir, s.file, s.rule),
            (dir, &b"Europe/Berlin"[..], &b"Europe/Berlin"[..])
        );
        let s = Source::of(Some(b":/etc/zone"), dir);
        assert_eq!((s.dir, s.file), (None, &b"/etc/zone"[..]));
        let s = Source::of(Some(b"CET-1CEST,M3.5.0,M10.5.0/3"), Some(b""));
        assert_eq!(
            (s.dir, s.rule),
            (Some(DEFAULT_DIR), &b"CET-1CEST,M3.5.0,M10.5.0/3"[..])
        );
    }

    #[test]
    fn rule_zone_in_local_time() {
        let mut zone = Zone::Rule(PosixTz::parse(b"CET-1CEST,M3.5.0,M10.5.0/3"));
        let summer = zone.local(1_720_000_000).unwrap(); // 2024-07-03 09:46:40 UTC
        assert_eq!((summer.day, summer.hour, summer.minute), (3, 11, 46));
        let winter = zone.local(1_700_000_000).unwrap(); // 2023-11-14 22:13:20 UTC
        assert_eq!((winter.day, winter.hour), (14, 23));
    }

    #[test]
    fn out_of_range_years_fail() {
        let mut zone = Zone::Rule(PosixTz::UTC);
        assert_eq!(zone.local(i64::MIN), None);
        assert_eq!(zone.local(i64::MAX), None);
    }
}
