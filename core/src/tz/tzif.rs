//! TZif files (RFC 8536, versions 1 to 4), read in place from a byte slice.
//!
//! Contract: [`TzFile::parse`] validates every count and index against the slice once, so
//! the accessors never read out of bounds; it borrows the bytes and copies nothing. The
//! lookups follow glibc's `__tzfile_compute` on a 64-bit system: the 64-bit block of a v2+
//! file, the footer `TZ` rule after the last transition, the first standard-time type
//! before the first transition, and the file's leap-second corrections.

use super::posix::PosixTz;

/// Header of one data block: magic, version, 15 reserved bytes, six counts.
const HEADER_LEN: usize = 44;

/// Why a TZif file was not accepted (glibc then treats `TZ` as a rule string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TzifError {
    /// No `TZif` magic.
    NotTzif,
    /// The counts promise more bytes than the file holds.
    Truncated,
    /// No local time types, or a transition's type index out of range.
    Inconsistent,
}

/// A validated TZif file borrowed from its bytes.
#[derive(Clone, Copy, Debug)]
pub struct TzFile<'a> {
    /// Width of times in the block used: 4 (v1) or 8 (v2+).
    width: usize,
    transitions: &'a [u8],
    type_indexes: &'a [u8],
    types: &'a [u8],
    leaps: &'a [u8],
    /// What follows the 64-bit block: `\n<TZ rule>\n` in a v2+ file, else empty.
    footer: &'a [u8],
    /// The last interval found between two transitions, `[from, until)`, and its offset:
    /// consecutive log lines nearly always fall in the same one.
    cached: (i64, i64, i32),
}

// The readers take 0 for bytes that are not there; `TzFile::parse` has checked that they
// are, so that never happens.
fn be_i32(b: &[u8]) -> i32 {
    b.first_chunk().map_or(0, |w| i32::from_be_bytes(*w))
}

fn be_time(b: &[u8], width: usize) -> i64 {
    if width == 8 {
        b.first_chunk().map_or(0, |w| i64::from_be_bytes(*w))
    } else {
        be_i32(b).into()
    }
}

/// The version byte and the six counts of the header at the start of `block`, in file
/// order: UT/local indicators, standard/wall indicators, leap records, transitions, local
/// time types, designation bytes. A count larger than the block cannot be satisfied (and
/// would overflow the size arithmetic), so it is refused here.
fn header(block: &[u8]) -> Result<(u8, [usize; 6]), TzifError> {
    let h: &[u8; HEADER_LEN] = block.first_chunk().ok_or(TzifError::NotTzif)?;
    if !h.starts_with(b"TZif") {
        return Err(TzifError::NotTzif);
    }
    let mut counts = [0usize; 6];
    for (count, field) in counts.iter_mut().zip(h[20..].chunks_exact(4)) {
        *count = be_i32(field) as u32 as usize;
        if *count > block.len() {
            return Err(TzifError::Truncated);
        }
    }
    Ok((h[4], counts))
}

impl<'a> TzFile<'a> {
    /// Validates a TZif file and indexes its sections.
    pub fn parse(bytes: &'a [u8]) -> Result<TzFile<'a>, TzifError> {
        let (version, mut counts) = header(bytes)?;
        let (mut width, mut block) = (4, bytes);
        if version >= b'2' {
            // Skip the 32-bit block: the 64-bit block and the footer follow it.
            let [isut, isstd, leap, time, types, chars] = counts;
            let v1 = time * 5 + types * 6 + chars + leap * 8 + isstd + isut;
            block = bytes.get(HEADER_LEN + v1..).ok_or(TzifError::Truncated)?;
            counts = header(block)?.1;
            width = 8;
        }
        let [isut, isstd, leap, time, types, chars] = counts;
        // In file order: transition times, their type indexes, types, designations,
        // leap records, indicators, footer.
        let mut rest = block.get(HEADER_LEN..).unwrap_or_default();
        let mut take = |len: usize| {
            let (section, after) = rest.split_at_checked(len).ok_or(TzifError::Truncated)?;
            rest = after;
            Ok(section)
        };
        let transitions = take(time * width)?;
        let type_indexes = take(time)?;
        let types_bytes = take(types * 6)?;
        take(chars)?;
        let leaps = take(leap * (width + 4))?;
        take(isstd + isut)?;
        if types == 0 || type_indexes.iter().any(|&i| usize::from(i) >= types) {
            return Err(TzifError::Inconsistent);
        }
        Ok(TzFile {
            width,
            transitions,
            type_indexes,
            types: types_bytes,
            leaps,
            footer: if width == 8 { rest } else { &[] },
            cached: (0, 0, 0),
        })
    }

    /// glibc reads the footer rule only from a v2+ file, and ignores an empty one.
    fn footer_rule(&self) -> Option<PosixTz> {
        let tail = self.footer.strip_prefix(b"\n")?;
        let (rule, _) = tail.split_at_checked(tail.iter().position(|&b| b == b'\n')?)?;
        (!rule.is_empty()).then(|| PosixTz::parse(rule))
    }

    fn transition_count(&self) -> usize {
        self.type_indexes.len()
    }

    fn transition(&self, i: usize) -> i64 {
        let at = self.transitions.get(i.wrapping_mul(self.width)..);
        be_time(at.unwrap_or_default(), self.width)
    }

    /// (UT offset, is DST) of local time type `k`.
    fn time_type(&self, k: usize) -> (i32, bool) {
        let t = self.types.get(k.wrapping_mul(6)..).unwrap_or_default();
        let t: [u8; 6] = t.first_chunk().copied().unwrap_or_default();
        (be_i32(&t), t[4] != 0)
    }

    fn type_after(&self, transition: usize) -> i32 {
        let k = self
            .type_indexes
            .get(transition)
            .copied()
            .unwrap_or_default();
        self.time_type(k.into()).0
    }

    /// UT offset at `t`, before leap-second corrections. `utc_year` is asked for only
    /// when the footer rule applies.
    pub fn offset_at(&mut self, t: i64, utc_year: impl FnOnce() -> Option<i64>) -> i32 {
        let (from, until, offset) = self.cached;
        if from <= t && t < until {
            return offset;
        }
        let n = self.transition_count();
        if n == 0 || t < self.transition(0) {
            // glibc: the first standard-time type, or type 0 if all are DST.
            let k = (0..self.types.len() / 6)
                .find(|&k| !self.time_type(k).1)
                .unwrap_or(0);
            return self.time_type(k).0;
        }
        if t >= self.transition(n - 1) {
            return match (self.footer_rule(), utc_year()) {
                (Some(rule), Some(year)) => rule.offset_at(t, year),
                _ => self.type_after(n - 1),
            };
        }
        // The last transition at or before t: transition(lo) <= t < transition(hi).
        let (mut lo, mut hi) = (0, n - 1);
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if t < self.transition(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        self.cached = (
            self.transition(lo),
            self.transition(hi),
            self.type_after(lo),
        );
        self.cached.2
    }

    /// The leap-second records in file order: the Unix time of each occurrence and the
    /// total correction from then on.
    pub fn leap_records(&self) -> impl DoubleEndedIterator<Item = (i64, i32)> + Clone + '_ {
        let record = if self.width == 8 { 12 } else { 8 };
        self.leaps.chunks_exact(record).map(|r| {
            let correction = r.get(self.width..).unwrap_or_default();
            (be_time(r, self.width), be_i32(correction))
        })
    }

    /// glibc's leap-second correction at `t`: seconds to subtract, and how many inserted
    /// leap seconds `t` falls on (shown as second 60, 61, ...). The hit is at most the
    /// number of records.
    ///
    /// As glibc: the record in force is the last one in file order at or before `t` (a
    /// valid file is sorted, and glibc does not check); `t` is a hit when it is that
    /// record's time and the correction grows there; each earlier record one second and
    /// one correction before the next adds one more. Corrections are compared as glibc's
    /// `long`, so no sum wraps.
    pub fn leap_correction(&self, t: i64) -> (i32, usize) {
        let mut earlier = self.leap_records().rev().skip_while(|&(at, _)| t < at);
        let Some((at, correction)) = earlier.next() else {
            return (0, 0);
        };
        let previous = earlier.clone().next().map_or(0, |(_, c)| c);
        if t != at || correction <= previous {
            return (correction, 0);
        }
        let mut later = (at, i64::from(correction));
        let run = earlier
            .take_while(|&(at, c)| {
                let chained = at.checked_add(1) == Some(later.0) && i64::from(c) + 1 == later.1;
                later = (at, c.into());
                chained
            })
            .count();
        (correction, 1 + run)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a TZif file: `v1` = only a 32-bit block, else v2 with an empty v1 block.
    pub(crate) fn tzif(
        v1: bool,
        transitions: &[(i64, u8)],
        types: &[(i32, bool)],
        leaps: &[(i64, i32)],
        footer: &str,
    ) -> Vec<u8> {
        let width = if v1 { 4 } else { 8 };
        let header = |version: u8, t: usize, ty: usize, l: usize| {
            let mut h = b"TZif".to_vec();
            h.push(version);
            h.extend([0; 15]);
            for c in [0, 0, l, t, ty, 4] {
                h.extend((c as u32).to_be_bytes());
            }
            h
        };
        let mut out = Vec::new();
        if !v1 {
            out.extend(header(b'2', 0, 1, 0));
            out.extend([0, 0, 0, 0, 0, 0]);
            out.extend(b"UTC\0");
        }
        out.extend(header(
            if v1 { 0 } else { b'2' },
            transitions.len(),
            types.len(),
            leaps.len(),
        ));
        for &(at, _) in transitions {
            out.extend(&at.to_be_bytes()[8 - width..]);
        }
        out.extend(transitions.iter().map(|&(_, k)| k));
        for &(off, dst) in types {
            out.extend(off.to_be_bytes());
            out.extend([u8::from(dst), 0]);
        }
        out.extend(b"ABC\0");
        for &(at, corr) in leaps {
            out.extend(&at.to_be_bytes()[8 - width..]);
            out.extend(corr.to_be_bytes());
        }
        if !v1 {
            out.extend(format!("\n{footer}\n").bytes());
        }
        out
    }

    const BERLIN_2024: &[(i64, u8)] = &[(1_711_846_800, 1), (1_729_990_800, 0)];
    const CET: &[(i32, bool)] = &[(3600, false), (7200, true)];

    #[test]
    fn transitions() {
        let bytes = tzif(false, BERLIN_2024, CET, &[], "");
        let mut f = TzFile::parse(&bytes).unwrap();
        let no_year = || None;
        assert_eq!(f.offset_at(0, no_year), 3600);
        assert_eq!(f.offset_at(1_711_846_799, no_year), 3600);
        assert_eq!(f.offset_at(1_711_846_800, no_year), 7200);
        assert_eq!(f.offset_at(1_729_990_799, no_year), 7200);
        // After the last transition without a footer rule: the last type.
        assert_eq!(f.offset_at(1_729_990_800, no_year), 3600);
    }

    #[test]
    fn cached_interval_never_changes_an_answer() {
        let transitions = [(-100, 1), (0, 0), (50, 1), (51, 0), (1000, 1)];
        let bytes = tzif(false, &transitions, CET, &[], "");
        let mut cached = TzFile::parse(&bytes).unwrap();
        let mut t: i64 = 7;
        for _ in 0..2000 {
            t = (t * 7919 + 13) % 2400 - 1200; // wanders back and forth over the transitions
            let fresh = TzFile::parse(&bytes).unwrap().offset_at(t, || None);
            assert_eq!(cached.offset_at(t, || None), fresh, "{t}");
        }
    }

    #[test]
    fn footer_rule_after_last_transition() {
        let bytes = tzif(false, BERLIN_2024, CET, &[], "CET-1CEST,M3.5.0,M10.5.0/3");
        let mut f = TzFile::parse(&bytes).unwrap();
        // 2030-07-01 00:00 UTC: summer time from the footer rule.
        assert_eq!(f.offset_at(1_908_576_000, || Some(2030)), 7200);
        assert_eq!(f.offset_at(1_893_456_000, || Some(2030)), 3600); // 2030-01-01
    }

    #[test]
    fn before_first_transition_takes_first_standard_type() {
        let bytes = tzif(false, &[(0, 1)], &[(7200, true), (3600, false)], &[], "");
        let mut f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.offset_at(-5, || None), 3600);
        let bytes = tzif(false, &[], &[(-18000, false)], &[], "");
        assert_eq!(
            TzFile::parse(&bytes).unwrap().offset_at(99, || None),
            -18000
        );
    }

    #[test]
    fn version_1_uses_32_bit_times() {
        let bytes = tzif(true, BERLIN_2024, CET, &[], "");
        let mut f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.offset_at(1_720_000_000, || None), 7200);
        assert_eq!(f.offset_at(i64::MAX, || Some(2024)), 3600);
    }

    #[test]
    fn leap_seconds_like_glibc() {
        let leaps = [(78_796_800, 1), (94_694_401, 2)];
        let bytes = tzif(false, &[], &[(0, false)], &leaps, "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(78_796_799), (0, 0));
        assert_eq!(f.leap_correction(78_796_800), (1, 1));
        assert_eq!(f.leap_correction(78_796_801), (1, 0));
        assert_eq!(f.leap_correction(94_694_401), (2, 1));
    }

    #[test]
    fn leap_runs_count_each_chained_record() {
        let leaps = [(100, 1), (101, 2), (102, 3), (200, 2)];
        let bytes = tzif(false, &[], &[(0, false)], &leaps, "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(99), (0, 0));
        assert_eq!(f.leap_correction(100), (1, 1));
        assert_eq!(f.leap_correction(101), (2, 2));
        assert_eq!(f.leap_correction(102), (3, 3));
        assert_eq!(f.leap_correction(103), (3, 0));
        // A removed second: the correction shrinks, no hit.
        assert_eq!(f.leap_correction(200), (2, 0));
        assert_eq!(f.leap_correction(i64::MAX), (2, 0));
        assert_eq!(f.leap_records().count(), 4);
    }

    #[test]
    fn unsorted_leap_records_use_the_last_one_before_like_glibc() {
        let bytes = tzif(false, &[], &[(0, false)], &[(100, 1), (50, 2)], "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(49), (0, 0));
        assert_eq!(f.leap_correction(50), (2, 1));
        assert_eq!(f.leap_correction(75), (2, 0));
        assert_eq!(f.leap_correction(100), (2, 0));
    }

    #[test]
    fn leap_records_at_the_ends_of_the_integers_never_wrap() {
        let top = [(i64::MAX - 1, i32::MAX - 1), (i64::MAX, i32::MAX)];
        let bytes = tzif(false, &[], &[(0, false)], &top, "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(i64::MAX), (i32::MAX, 2));
        // Neither the time nor the correction wraps into a chain.
        let wrap = [(i64::MAX, i32::MAX), (i64::MIN, i32::MIN)];
        let bytes = tzif(false, &[], &[(0, false)], &wrap, "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(i64::MIN), (i32::MIN, 0));
        let wrap = [(i64::MAX, 1), (i64::MIN, 2)];
        let bytes = tzif(false, &[], &[(0, false)], &wrap, "");
        let f = TzFile::parse(&bytes).unwrap();
        assert_eq!(f.leap_correction(i64::MIN), (2, 1));
    }

    #[test]
    fn rejects_bad_files_without_panicking() {
        assert_eq!(TzFile::parse(b"").unwrap_err(), TzifError::NotTzif);
        assert_eq!(TzFile::parse(&[b'x'; 60]).unwrap_err(), TzifError::NotTzif);
        let good = tzif(false, BERLIN_2024, CET, &[], "CET-1");
        for cut in 0..good.len() - 7 {
            assert!(TzFile::parse(&good[..cut]).is_err(), "cut at {cut}");
        }
        let bad_index = tzif(false, &[(0, 5)], CET, &[], "");
        assert_eq!(
            TzFile::parse(&bad_index).unwrap_err(),
            TzifError::Inconsistent
        );
        let no_types = tzif(false, &[], &[], &[], "");
        assert_eq!(
            TzFile::parse(&no_types).unwrap_err(),
            TzifError::Inconsistent
        );
    }
}
