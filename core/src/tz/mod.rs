//! Local time without libc: which zone `TZ` names, and civil time in that zone.
//!
//! Contract: the result equals glibc's `localtime` (the C library of the Debian original)
//! for every input, with one documented exception (a DST rule string without dates takes
//! the US rules instead of glibc's `posixrules` file). Reading the zone file is the
//! caller's job: [`Source::of`] says which file to try, [`Zone`] evaluates it.

mod posix;
mod tzif;

pub use posix::{Day, PosixTz, Rule, WeekdayOfMonth};
pub use tzif::{TzFile, TzifError};

use crate::civil::DateTime;

/// The system default zone file, used when `TZ` is unset.
pub const DEFAULT_FILE: &[u8] = b"/etc/localtime";
/// Directory of named zones when `TZDIR` is unset or empty.
pub const DEFAULT_DIR: &[u8] = b"/usr/share/zoneinfo";
/// The zone glibc loads for an empty `TZ`.
const EMPTY_NAME: &[u8] = b"Universal";
/// The largest second [`Zone::local`] shows. glibc adds the leap hit (the length of a
/// run of leap records one second and one correction apart) to `tm_sec` without bound,
/// and 0.76 prints every digit of it. Up to 99 the answer is glibc's and two digits show
/// it; a larger one needs 41 or more chained records, which no real table has (RFC 8536
/// puts each leap second at the end of a UTC month, so not even two chain), and shows
/// as 99 rather than as a three-digit number no caller expects.
pub const SECOND_MAX: u8 = 99;

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

/// What OpenWrt's `/etc/TZ` holds (a POSIX rule, or a zone name), to stand for an unset
/// `TZ`: its first line without white space around it, if that is not empty (OpenWrt's C
/// library reads it so).
pub fn etc_tz(contents: &[u8]) -> Option<&[u8]> {
    let end = crate::search::find_byte(b'\n', contents).unwrap_or(contents.len());
    let line = contents.get(..end)?.trim_ascii();
    (!line.is_empty()).then_some(line)
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
    /// fails (the year does not fit a C `int`). An inserted leap second shows as second
    /// 60 (61, ... in a crafted run of them, never above [`SECOND_MAX`]).
    pub fn local(&mut self, t: i64) -> Option<DateTime> {
        let utc_year = || DateTime::from_unix(t, 0).map(|d| d.year);
        match self {
            Zone::Rule(rule) => DateTime::from_unix(t, rule.offset_at(t, utc_year()?)),
            Zone::File(file) => {
                // glibc subtracts the correction from the offset as a `long`: no wrap.
                let offset = i64::from(file.offset_at(t, utc_year));
                let (correction, hit) = file.leap_correction(t);
                let local = DateTime::from_unix(t.checked_add(offset - i64::from(correction))?, 0)?;
                let second = usize::from(local.second).saturating_add(hit);
                Some(DateTime {
                    second: u8::try_from(second.min(SECOND_MAX.into())).unwrap_or(SECOND_MAX),
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

    /// 1972-07-01 00:00:00 UTC, where the first leap second ends in the `right/` zones.
    const FIRST_LEAP: i64 = 78_796_800;

    fn hms(d: DateTime) -> (i64, u8, u8, u8, u8, u8) {
        (d.year, d.month, d.day, d.hour, d.minute, d.second)
    }

    fn leap_zone(offset: i32, leaps: &[(i64, i32)]) -> Vec<u8> {
        tzif::tests::tzif(false, &[], &[(offset, false)], leaps, "")
    }

    /// `n` leap records one second and one correction apart, from [`FIRST_LEAP`].
    fn run(n: i64) -> Vec<(i64, i32)> {
        (0..n).map(|k| (FIRST_LEAP + k, k as i32 + 1)).collect()
    }

    #[test]
    fn inserted_leap_seconds_show_as_second_60() {
        // The first two leap seconds of the `right/` zones.
        let bytes = leap_zone(0, &[(FIRST_LEAP, 1), (94_694_401, 2)]);
        let mut zone = Zone::File(TzFile::parse(&bytes).unwrap());
        let mut at = |t| hms(zone.local(t).unwrap());
        assert_eq!(at(FIRST_LEAP - 1), (1972, 6, 30, 23, 59, 59));
        assert_eq!(at(FIRST_LEAP), (1972, 6, 30, 23, 59, 60));
        assert_eq!(at(FIRST_LEAP + 1), (1972, 7, 1, 0, 0, 0));
        assert_eq!(at(94_694_401), (1972, 12, 31, 23, 59, 60));
        assert_eq!(at(94_694_402), (1973, 1, 1, 0, 0, 0));
    }

    #[test]
    fn leap_second_runs_count_up_to_second_max() {
        let bytes = leap_zone(0, &run(41));
        let mut zone = Zone::File(TzFile::parse(&bytes).unwrap());
        let mut at = |t| hms(zone.local(t).unwrap());
        // glibc's 61 for a double leap second, and so on while two digits hold it.
        assert_eq!(at(FIRST_LEAP + 1), (1972, 6, 30, 23, 59, 61));
        assert_eq!(at(FIRST_LEAP + 39), (1972, 6, 30, 23, 59, 99));
        assert_eq!(at(FIRST_LEAP + 40), (1972, 6, 30, 23, 59, SECOND_MAX));
        assert_eq!(at(FIRST_LEAP + 41), (1972, 7, 1, 0, 0, 0));
    }

    #[test]
    fn leap_second_run_of_220_records_saturates() {
        // glibc shows second 59 + 220 here; a u8 sum overflowed.
        let bytes = leap_zone(0, &run(220));
        let mut zone = Zone::File(TzFile::parse(&bytes).unwrap());
        let mut at = |t| hms(zone.local(t).unwrap());
        assert_eq!(at(FIRST_LEAP + 219), (1972, 6, 30, 23, 59, SECOND_MAX));
        assert_eq!(at(FIRST_LEAP + 220), (1972, 7, 1, 0, 0, 0));
    }

    #[test]
    fn leap_corrections_beyond_i32_offsets_do_not_wrap() {
        // glibc subtracts in `long`: 3600 + 2^31 seconds east, not a wrapped i32.
        let bytes = leap_zone(3600, &[(0, i32::MIN)]);
        let mut zone = Zone::File(TzFile::parse(&bytes).unwrap());
        assert_eq!(hms(zone.local(0).unwrap()), (2038, 1, 19, 4, 14, 8));
        let bytes = leap_zone(0, &[(0, -5)]);
        let mut zone = Zone::File(TzFile::parse(&bytes).unwrap());
        assert_eq!(hms(zone.local(0).unwrap()), (1970, 1, 1, 0, 0, 5));
        assert_eq!(zone.local(i64::MAX), None);
    }

    #[test]
    fn out_of_range_years_fail() {
        let mut zone = Zone::Rule(PosixTz::UTC);
        assert_eq!(zone.local(i64::MIN), None);
        assert_eq!(zone.local(i64::MAX), None);
    }

    #[test]
    fn etc_tz_first_line_trimmed() {
        assert_eq!(
            etc_tz(b"CET-1CEST,M3.5.0,M10.5.0/3\n"),
            Some(&b"CET-1CEST,M3.5.0,M10.5.0/3"[..])
        );
        assert_eq!(etc_tz(b"  UTC0 \nignored\n"), Some(&b"UTC0"[..]));
        assert_eq!(etc_tz(b"\n"), None);
        assert_eq!(etc_tz(b""), None);
    }
}
