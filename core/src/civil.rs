//! Civil (proleptic Gregorian) time from Unix seconds, the way glibc's `__offtime` does it.
//!
//! Contract: [`DateTime::from_unix`] gives the broken-down time of `t + offset` for every
//! `i64` time, and fails exactly when glibc's `localtime` fails: when the year minus 1900
//! does not fit a C `int`. Nothing here overflows or panics.

use crate::decimal::div_rem_small;

/// Seconds in a day.
pub const SECS_PER_DAY: i64 = 86_400;

/// A broken-down civil time. `second` is 60 or more only during an inserted leap second
/// (see [`crate::tz::Zone::local`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// Year (astronomical: year 0 is 1 BC), within glibc's `int` range after `- 1900`.
    pub year: i64,
    /// 1..=12
    pub month: u8,
    /// 1..=31
    pub day: u8,
    /// 0..=23
    pub hour: u8,
    /// 0..=59
    pub minute: u8,
    /// 0..=60 (up to [`crate::tz::SECOND_MAX`] in a crafted run of leap seconds)
    pub second: u8,
}

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days before the first of each month (index 0 = January), plain and leap years.
pub const MONTH_STARTS: [[u16; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// Days from 0000-03-01 (the start of a 400-year era in the March-based calendar) to
/// 1970-01-01.
const EPOCH_DAYS_SINCE_0000_03_01: u64 = 719_468;
/// Days in a 400-year Gregorian era.
const ERA_DAYS: u64 = 146_097;
/// Eras added so that every accepted time counts up from a positive origin: plain
/// unsigned division then does floor division, the cheap kind on 32-bit boards.
const ERA_SHIFT: u64 = 6_000_000;
/// Beyond this many seconds from 1970 (about 2.28 billion years) glibc's `int` year
/// overflows in either direction, so no time past it needs computing.
const SECS_LIMIT: u64 = 1 << 56;

impl DateTime {
    /// The civil time of Unix time `t` shifted by `offset` seconds (east of UTC).
    ///
    /// `None` when the year is out of glibc's range (year - 1900 outside `i32`), where
    /// glibc's `localtime` returns NULL.
    pub fn from_unix(t: i64, offset: i32) -> Option<DateTime> {
        if t.unsigned_abs() >= SECS_LIMIT {
            return None;
        }
        let origin = (EPOCH_DAYS_SINCE_0000_03_01 + ERA_SHIFT * ERA_DAYS) * SECS_PER_DAY as u64;
        let secs = origin.wrapping_add((t + i64::from(offset)) as u64);
        let (days, rem) = div_rem_small(secs, SECS_PER_DAY as u32);
        // Within an era every quantity fits 32 bits.
        let (era, doe) = div_rem_small(days, ERA_DAYS as u32); // doe in [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], March-based
        let mp = (5 * doy + 2) / 153; // [0, 11]
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (era as i64 - ERA_SHIFT as i64) * 400 + yoe as i64 + i64::from(month <= 2);
        i32::try_from(year - 1900).ok()?;
        Some(DateTime {
            year,
            month,
            day: (doy - (153 * mp + 2) / 5 + 1) as u8,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<DateTime> {
        Some(DateTime {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
        })
    }

    #[test]
    fn known_instants() {
        assert_eq!(DateTime::from_unix(0, 0), dt(1970, 1, 1, 0, 0, 0));
        assert_eq!(DateTime::from_unix(-1, 0), dt(1969, 12, 31, 23, 59, 59));
        assert_eq!(
            DateTime::from_unix(951_782_400, 0),
            dt(2000, 2, 29, 0, 0, 0)
        );
        assert_eq!(
            DateTime::from_unix(2_147_483_648, 0),
            dt(2038, 1, 19, 3, 14, 8)
        );
        assert_eq!(
            DateTime::from_unix(4_102_444_800, 0),
            dt(2100, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            DateTime::from_unix(-2_208_988_800, 0),
            dt(1900, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            DateTime::from_unix(-62_167_219_200, 0),
            dt(0, 1, 1, 0, 0, 0)
        );
    }

    #[test]
    fn offset_crosses_day_and_year() {
        assert_eq!(DateTime::from_unix(0, -1), dt(1969, 12, 31, 23, 59, 59));
        assert_eq!(
            DateTime::from_unix(0, 3600 + 120 + 3),
            dt(1970, 1, 1, 1, 2, 3)
        );
        assert_eq!(DateTime::from_unix(-1, 1), dt(1970, 1, 1, 0, 0, 0));
    }

    #[test]
    fn extremes_fail_like_glibc_instead_of_overflowing() {
        assert_eq!(DateTime::from_unix(i64::MAX, 0), None);
        assert_eq!(DateTime::from_unix(i64::MIN, 0), None);
        assert_eq!(DateTime::from_unix(i64::MAX, i32::MAX), None);
        // The largest year glibc can represent: 1900 + i32::MAX.
        let last = (i64::from(i32::MAX) + 1900 - 1970) * 365 * SECS_PER_DAY;
        assert!(DateTime::from_unix(last, 0).is_some());
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Walk 2,000 years day by day across the epoch: dates must be consecutive.
        let mut prev = DateTime::from_unix(-1_000 * 366 * SECS_PER_DAY, 0).unwrap();
        for day in -1_000 * 366 + 1..1_000 * 366 {
            let d = DateTime::from_unix(day * SECS_PER_DAY + 43_200, 0).unwrap();
            let month_len = MONTH_STARTS[usize::from(is_leap(prev.year))][usize::from(prev.month)]
                - MONTH_STARTS[usize::from(is_leap(prev.year))][usize::from(prev.month - 1)];
            let expected = if u16::from(prev.day) < month_len {
                (prev.year, prev.month, prev.day + 1)
            } else if prev.month < 12 {
                (prev.year, prev.month + 1, 1)
            } else {
                (prev.year + 1, 1, 1)
            };
            assert_eq!((d.year, d.month, d.day), expected, "day {day}");
            assert_eq!(d.hour, 12);
            prev = d;
        }
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000) && is_leap(2024) && is_leap(0) && is_leap(-4));
        assert!(!is_leap(1900) && !is_leap(2100) && !is_leap(2023));
    }
}
