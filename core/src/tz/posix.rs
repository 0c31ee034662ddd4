//! POSIX `TZ` rule strings (`CET-1CEST,M3.5.0,M10.5.0/3`), as glibc reads and applies them.
//!
//! Contract: [`PosixTz::parse`] accepts any bytes and, like glibc's `__tzset_parse_tz`,
//! keeps whatever it could parse (an unparseable string is UTC); [`PosixTz::offset_at`]
//! gives the UTC offset glibc's `localtime` uses, including glibc's quirks: the change
//! times are computed for the UTC year of the instant, and for years up to 1970 from
//! 1970-01-01 (so a rule never applies DST before 1970).

use crate::civil::{MONTH_STARTS, SECS_PER_DAY, is_leap};

/// How a rule names the day of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Day {
    /// `n`: zero-based day of the year, leap days counted (0..=365).
    Zero(u16),
    /// `Jn`: one-based day of the year, February 29 never counted (1..=365).
    Julian(u16),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    Month(WeekdayOfMonth),
}

/// The day of an `Mm.w.d` rule. Only valid values can be built (month 1..=12, week
/// 1..=5, weekday 0..=6), so computing the change never indexes past the month table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekdayOfMonth {
    month: u8,
    week: u8,
    weekday: u8,
}

impl WeekdayOfMonth {
    /// Weekday `weekday` (0 = Sunday, ..= 6) of week `week` (1..=5, 5 = the last) of
    /// month `month` (1..=12); `None` when any is out of its range.
    pub const fn new(month: u8, week: u8, weekday: u8) -> Option<WeekdayOfMonth> {
        if matches!((month, week, weekday), (1..=12, 1..=5, 0..=6)) {
            Some(WeekdayOfMonth {
                month,
                week,
                weekday,
            })
        } else {
            None
        }
    }

    /// 1..=12
    pub const fn month(self) -> u8 {
        self.month
    }

    /// 1..=5, 5 = the last
    pub const fn week(self) -> u8 {
        self.week
    }

    /// 0..=6, 0 = Sunday
    pub const fn weekday(self) -> u8 {
        self.weekday
    }
}

/// glibc's zeroed rule: day 0, midnight.
impl Default for Day {
    fn default() -> Self {
        Day::Zero(0)
    }
}

/// One change of a year: the day and the local time of day (seconds, may be negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rule {
    /// The day of the change.
    pub day: Day,
    /// Local time of the change, seconds after midnight (a C `int` in glibc).
    pub secs: i32,
}

/// A parsed `TZ` string: offsets east of UTC and the two changes of each year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PosixTz {
    /// Standard time offset, seconds east of UTC.
    pub std_offset: i32,
    /// Daylight time offset, seconds east of UTC (equal to `std_offset` without DST).
    pub dst_offset: i32,
    /// The change to daylight time.
    pub start: Rule,
    /// The change back to standard time.
    pub end: Rule,
}

/// Rules glibc assumes when a `TZ` string names a DST zone without rules
/// (`M3.2.0,M11.1.0`, the US rules since 2007).
const US_START: Day = Day::Month(WeekdayOfMonth {
    month: 3,
    week: 2,
    weekday: 0,
});
const US_END: Day = Day::Month(WeekdayOfMonth {
    month: 11,
    week: 1,
    weekday: 0,
});

/// A cursor over the bytes of a `TZ` string; reading past the end yields NUL, like C.
struct Text<'a> {
    rest: &'a [u8],
}

impl Text<'_> {
    fn peek(&self) -> u8 {
        self.rest.first().copied().unwrap_or(0)
    }

    fn eat(&mut self, c: u8) -> bool {
        match self.rest.split_first() {
            Some((&first, rest)) if first == c && c != 0 => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    fn skip_while(&mut self, wanted: impl Fn(u8) -> bool) -> usize {
        let mut n = 0;
        while let Some((&c, rest)) = self.rest.split_first() {
            if !wanted(c) {
                break;
            }
            self.rest = rest;
            n += 1;
        }
        n
    }

    /// Decimal digits (at least one), saturating.
    fn number(&mut self) -> Option<u32> {
        let text = self.rest;
        let digits = self.skip_while(|c| c.is_ascii_digit());
        let value = text.iter().take(digits).fold(0u32, |v, &c| {
            v.saturating_mul(10)
                .saturating_add(u32::from(c.wrapping_sub(b'0')))
        });
        (digits > 0).then_some(value)
    }

    /// `.` and a number.
    fn dotted_number(&mut self) -> Option<u32> {
        if self.eat(b'.') { self.number() } else { None }
    }

    /// glibc `parse_tzname`: three or more letters, or `<`, three or more of
    /// `[A-Za-z0-9+-]`, `>`. Consumes nothing when it fails.
    fn name(&mut self) -> bool {
        let saved = self.rest;
        let ok = if self.eat(b'<') {
            self.skip_while(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-') >= 3
                && self.eat(b'>')
        } else {
            self.skip_while(|c| c.is_ascii_alphabetic()) >= 3
        };
        if !ok {
            self.rest = saved;
        }
        ok
    }

    /// `hh[:mm[:ss]]` as glibc's `sscanf("%hu:%hu:%hu")` reads it: 16-bit fields, and a
    /// `:` not followed by digits is left unread.
    fn hms(&mut self) -> Option<[i32; 3]> {
        let mut hms = [i32::from(self.number()? as u16), 0, 0];
        for field in &mut hms[1..] {
            let saved = self.rest;
            match (self.eat(b':'), self.number()) {
                (true, Some(v)) => *field = i32::from(v as u16),
                _ => {
                    self.rest = saved;
                    break;
                }
            }
        }
        Some(hms)
    }

    /// glibc `parse_offset`: `[+-]hh[:mm[:ss]]`, west positive, clamped to 24:59:59.
    fn offset(&mut self) -> Option<i32> {
        let sign = if self.eat(b'-') { 1 } else { -1 };
        if sign < 0 {
            self.eat(b'+');
        }
        let [h, m, s] = self.hms()?;
        Some(sign * (s.min(59) + m.min(59) * 60 + h.min(24) * 3600))
    }

    /// glibc `parse_rule`: `[,]date[/time]`, where date is `Jn`, `n` or `Mm.w.d`, and
    /// time is `[-]hh[:mm[:ss]]` (default 02:00); an empty date takes `us_default`.
    /// `false` on a malformed rule.
    fn rule(&mut self, rule: &mut Rule, us_default: Day) -> bool {
        self.eat(b',');
        rule.day = if self.eat(b'J') {
            match self.number() {
                Some(d @ 1..=365) => Day::Julian(d as u16),
                _ => return false,
            }
        } else if self.eat(b'M') {
            let narrow = |n: Option<u32>| n.and_then(|n| u8::try_from(n).ok());
            let month = narrow(self.number());
            let week = narrow(self.dotted_number());
            let weekday = narrow(self.dotted_number());
            match (month, week, weekday) {
                (Some(m), Some(w), Some(d)) => match WeekdayOfMonth::new(m, w, d) {
                    Some(day) => Day::Month(day),
                    None => return false,
                },
                _ => return false,
            }
        } else if self.peek().is_ascii_digit() {
            match self.number() {
                Some(d @ 0..=365) => Day::Zero(d as u16),
                _ => return false,
            }
        } else if self.peek() == 0 {
            us_default
        } else {
            return false;
        };
        if !matches!(self.peek(), 0 | b'/' | b',') {
            return false;
        }
        rule.secs = 2 * 3600;
        if self.eat(b'/') {
            if self.peek() == 0 {
                return false;
            }
            let sign = if self.eat(b'-') { -1 } else { 1 };
            let [h, m, s] = self.hms().unwrap_or([2, 0, 0]);
            rule.secs = sign * (h * 3600 + m * 60 + s);
        }
        true
    }
}

impl PosixTz {
    /// Coordinated Universal Time.
    pub const UTC: PosixTz = PosixTz {
        std_offset: 0,
        dst_offset: 0,
        start: Rule {
            day: Day::Zero(0),
            secs: 0,
        },
        end: Rule {
            day: Day::Zero(0),
            secs: 0,
        },
    };

    /// Parses a `TZ` string the way glibc's `__tzset_parse_tz` does, keeping what parsed.
    pub fn parse(tz: &[u8]) -> PosixTz {
        let mut rules = PosixTz::UTC;
        let mut text = Text { rest: tz };
        // The standard time: a name then an offset (which must start with a sign or digit).
        if !text.name() || !matches!(text.peek(), b'+' | b'-' | b'0'..=b'9') {
            return rules;
        }
        let Some(std) = text.offset() else {
            return rules;
        };
        rules.std_offset = std;
        if text.peek() == 0 {
            rules.dst_offset = std;
            return rules;
        }
        if text.name() {
            rules.dst_offset = text.offset().unwrap_or(std + 3600);
        }
        if text.rule(&mut rules.start, US_START) {
            text.rule(&mut rules.end, US_END);
        }
        rules
    }

    /// Seconds east of UTC at Unix time `t`, whose UTC calendar year is `utc_year`.
    pub fn offset_at(&self, t: i64, utc_year: i64) -> i32 {
        let year = utc_year as i32;
        let start = change(&self.start, year, self.std_offset);
        let end = change(&self.end, year, self.dst_offset);
        let dst = if start > end {
            t < end || t >= start
        } else {
            t >= start && t < end
        };
        if dst {
            self.dst_offset
        } else {
            self.std_offset
        }
    }
}

/// glibc's January 1, 00:00 UTC, of `year` as used by `compute_change`: exact after 1970
/// (wrapping like C `int` far beyond), and 1970-01-01 for every earlier year.
fn jan1(year: i32) -> i64 {
    if year <= 1970 {
        return 0;
    }
    let y = year.wrapping_sub(1);
    let days = year
        .wrapping_sub(1970)
        .wrapping_mul(365)
        .wrapping_add(y / 4 - 1970 / 4)
        .wrapping_sub(y / 100 - 1970 / 100)
        .wrapping_add(y / 400 - 1970 / 400);
    i64::from(days) * SECS_PER_DAY
}

/// glibc `compute_change`: the Unix time of a rule's change in `year`, where `offset` is
/// the offset in force before the change. Integer widths follow glibc (the day count is
/// a wrapping C `int`), and years up to 1970 count from 1970-01-01, as glibc does.
fn change(rule: &Rule, year: i32, offset: i32) -> i64 {
    let mut t = jan1(year);
    let leap = is_leap(year.into());
    match rule.day {
        Day::Julian(d) => {
            t += (i64::from(d) - 1) * SECS_PER_DAY;
            if d >= 60 && leap {
                t += SECS_PER_DAY;
            }
        }
        Day::Zero(d) => t += i64::from(d) * SECS_PER_DAY,
        Day::Month(day) => {
            let (month, week, weekday) = (day.month(), day.week(), day.weekday());
            // A month is 1..=12 (WeekdayOfMonth), so both starts exist.
            let starts = &MONTH_STARTS[usize::from(leap)];
            let m = usize::from(month);
            let start = |m: usize| i32::from(starts.get(m).copied().unwrap_or_default());
            let before = start(m.wrapping_sub(1));
            let length = start(m) - before;
            t += i64::from(before) * SECS_PER_DAY;
            // Zeller's congruence: weekday of the first of the month (C division).
            let m1 = (i32::from(month) + 9) % 12 + 1;
            let yy0 = if month <= 2 {
                year.wrapping_sub(1)
            } else {
                year
            };
            let (yy1, yy2) = (yy0 / 100, yy0 % 100);
            let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
            if dow < 0 {
                dow += 7;
            }
            let mut d = i32::from(weekday) - dow;
            if d < 0 {
                d += 7;
            }
            for _ in 1..week {
                if d + 7 >= length {
                    break;
                }
                d += 7;
            }
            t += i64::from(d) * SECS_PER_DAY;
        }
    }
    t + i64::from(rule.secs - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(month: u8, week: u8, weekday: u8) -> Day {
        Day::Month(WeekdayOfMonth::new(month, week, weekday).unwrap())
    }

    #[test]
    fn weekday_of_month_only_in_range() {
        for (month, week, weekday) in [(1, 1, 0), (12, 5, 6), (3, 2, 0)] {
            let day = WeekdayOfMonth::new(month, week, weekday).unwrap();
            assert_eq!(
                (day.month(), day.week(), day.weekday()),
                (month, week, weekday)
            );
        }
        for (month, week, weekday) in [(0, 1, 0), (13, 1, 0), (1, 0, 0), (1, 6, 0), (1, 1, 7)] {
            assert_eq!(WeekdayOfMonth::new(month, week, weekday), None);
        }
        assert_eq!((US_START, US_END), (m(3, 2, 0), m(11, 1, 0)));
        // The parser refuses what the type cannot hold, as before.
        for bad in [
            &b"EST5EDT,M0.1.0,M11.1.0"[..],
            b"EST5EDT,M3.0.0,M11.1.0",
            b"EST5EDT,M3.1.7",
        ] {
            assert_eq!(PosixTz::parse(bad).start, Rule::default(), "{bad:?}");
        }
        let huge = PosixTz::parse(b"EST5EDT,M259.1.0,M11.1.0");
        assert_eq!(huge.start, Rule::default());
    }

    #[test]
    fn openwrt_central_europe() {
        let tz = PosixTz::parse(b"CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(
            tz,
            PosixTz {
                std_offset: 3600,
                dst_offset: 7200,
                start: Rule {
                    day: m(3, 5, 0),
                    secs: 7200
                },
                end: Rule {
                    day: m(10, 5, 0),
                    secs: 10800
                },
            }
        );
        // 2024-03-31 01:00:00 UTC: DST starts.
        assert_eq!(tz.offset_at(1_711_846_799, 2024), 3600);
        assert_eq!(tz.offset_at(1_711_846_800, 2024), 7200);
        // 2024-10-27 01:00:00 UTC: DST ends.
        assert_eq!(tz.offset_at(1_729_990_799, 2024), 7200);
        assert_eq!(tz.offset_at(1_729_990_800, 2024), 3600);
    }

    #[test]
    fn southern_hemisphere_wraps_the_year() {
        let tz = PosixTz::parse(b"AEST-10AEDT,M10.1.0,M4.1.0/3");
        assert_eq!((tz.std_offset, tz.dst_offset), (36000, 39600));
        assert_eq!(tz.offset_at(1_704_067_200, 2024), 39600); // January: DST
        assert_eq!(tz.offset_at(1_718_000_000, 2024), 36000); // June: standard
    }

    #[test]
    fn glibc_never_applies_dst_before_1971() {
        let tz = PosixTz::parse(b"CET-1CEST,M3.5.0,M10.5.0/3");
        // 1960-07-01 00:00 UTC: summer, yet glibc computes 1970-based change times.
        assert_eq!(tz.offset_at(-299_203_200, 1960), 3600);
    }

    #[test]
    fn quoted_names_negative_and_long_times() {
        let tz = PosixTz::parse(b"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
        assert_eq!((tz.std_offset, tz.dst_offset), (-10800, -7200));
        assert_eq!(tz.start.secs, -7200);
        let tz = PosixTz::parse(b"<+0330>-3:30");
        assert_eq!((tz.std_offset, tz.dst_offset), (12600, 12600));
        let tz = PosixTz::parse(b"EST5EDT,J60/167,300");
        assert_eq!(
            tz.start,
            Rule {
                day: Day::Julian(60),
                secs: 167 * 3600
            }
        );
        assert_eq!(
            tz.end,
            Rule {
                day: Day::Zero(300),
                secs: 7200
            }
        );
    }

    #[test]
    fn dst_without_rules_takes_us_rules() {
        let tz = PosixTz::parse(b"EST5EDT");
        assert_eq!((tz.std_offset, tz.dst_offset), (-18000, -14400));
        assert_eq!((tz.start.day, tz.end.day), (US_START, US_END));
    }

    #[test]
    fn clamps_like_glibc() {
        assert_eq!(
            PosixTz::parse(b"ABC-99:99:99").std_offset,
            24 * 3600 + 59 * 60 + 59
        );
    }

    #[test]
    fn junk_is_utc_or_what_parsed() {
        for junk in [
            &b""[..],
            b"Europe/Berlin",
            b"A1",
            b"UTC",
            b"<AB>1",
            b"\xff\x00",
        ] {
            assert_eq!(PosixTz::parse(junk), PosixTz::UTC, "{junk:?}");
        }
        // glibc keeps the standard offset and leaves the DST offset at zero when the DST
        // name is malformed, then (with zeroed rules) applies it for most of the year.
        let tz = PosixTz::parse(b"EST5x");
        assert_eq!((tz.std_offset, tz.dst_offset), (-18000, 0));
        assert_eq!(tz.offset_at(1_718_000_000, 2024), 0);
        // A malformed month rule stops parsing; what parsed stays.
        let tz = PosixTz::parse(b"CET-1CEST,M13.1.0,M10.5.0");
        assert_eq!(
            (tz.dst_offset, tz.start, tz.end),
            (7200, Rule::default(), Rule::default())
        );
    }

    #[test]
    fn jan1_is_exact_after_1970_and_1970_before() {
        for y in [1971, 2000, 2024, 2038, 2100, 2400, 10_000, 5_000_000] {
            let d = crate::civil::DateTime::from_unix(jan1(y), 0).unwrap();
            assert_eq!((d.year, d.month, d.day, d.hour), (y.into(), 1, 1, 0), "{y}");
            let before = crate::civil::DateTime::from_unix(jan1(y) - 1, 0).unwrap();
            assert_eq!(before.year, i64::from(y) - 1);
        }
        assert_eq!((jan1(1970), jan1(1900), jan1(-5)), (0, 0, 0));
    }
}
