//! Decimal output without `core::fmt`: the number formats the tools print.
//!
//! Contract: every function writes into a fixed array sized for its worst case and
//! returns the filled part; nothing allocates or panics.

use crate::civil::DateTime;

/// `n / d` and `n % d` for a divisor below 2^18.
///
/// On 32-bit boards this runs in 14-bit steps of 32-bit arithmetic, which keeps
/// compiler_builtins' 64-bit division (780 bytes on MIPS) out of the binaries; 64-bit
/// targets divide natively.
pub const fn div_rem_small(n: u64, d: u32) -> (u64, u32) {
    if cfg!(target_pointer_width = "64") {
        (n / d as u64, (n % d as u64) as u32)
    } else {
        div_rem_in_steps(n, d)
    }
}

const fn div_rem_in_steps(n: u64, d: u32) -> (u64, u32) {
    const STEP: u32 = 14;
    let (mut q, mut r, mut shift) = (0u64, 0u32, 5 * STEP);
    while shift > 0 {
        shift -= STEP;
        let current = (r << STEP) | ((n >> shift) as u32 & ((1 << STEP) - 1));
        q = (q << STEP) | (current / d) as u64;
        r = current % d;
    }
    (q, r)
}

/// Longest decimal `u64`: 20 digits.
pub const U64_MAX_DIGITS: usize = 20;

/// A number rendered as decimal digits, right-aligned in a fixed buffer.
#[derive(Clone, Copy, Debug)]
pub struct Digits {
    buf: [u8; U64_MAX_DIGITS],
    start: usize,
}

impl Digits {
    /// `n` in decimal, left-padded with zeros to at least `width` digits (at most 20).
    pub fn padded(n: u64, width: usize) -> Digits {
        let mut buf = [b'0'; U64_MAX_DIGITS];
        let mut written = 0;
        let mut rest = n;
        for slot in buf.iter_mut().rev() {
            // 64-bit steps only while needed: 32-bit division is native everywhere.
            let (q, digit) = match u32::try_from(rest) {
                Ok(low) => (u64::from(low / 10), low % 10),
                Err(_) => div_rem_small(rest, 10),
            };
            *slot = b'0' + digit as u8;
            written += 1;
            rest = q;
            if rest == 0 {
                break;
            }
        }
        let start = U64_MAX_DIGITS - written.max(width.min(U64_MAX_DIGITS));
        Digits { buf, start }
    }

    /// `n` in decimal, no padding.
    pub fn new(n: u64) -> Digits {
        Digits::padded(n, 1)
    }

    /// [`Digits::new`] for a 32-bit number, in 32-bit steps only: a tool that needs no
    /// more (svc's pid) links no 64-bit division.
    pub fn new_u32(n: u32) -> Digits {
        let mut buf = [b'0'; U64_MAX_DIGITS];
        let mut start = U64_MAX_DIGITS;
        let mut rest = n;
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            start -= 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        Digits { buf, start }
    }

    /// The digits.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }
}

/// Appends bytes to a fixed buffer sized for the caller's worst case, one store at a time:
/// the pieces are a few bytes long, where a `memcpy` call costs more than the copy.
struct Cursor<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.out.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }
}

/// Length of the longest `tai64nlocal` stamp: 20-digit year, `-MM-DD HH:MM:SS.`, and
/// 10 digits of nanoseconds (a junk label may carry up to 4294967295).
pub const LOCAL_STAMP_MAX: usize = U64_MAX_DIGITS + 16 + 10;

/// The `tai64nlocal` stamp `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, exactly as 0.76 prints it:
/// the year unpadded and, when negative, as the unsigned 64-bit wrap of its value; the
/// nanoseconds padded to 9 digits but never cut.
pub fn local_stamp(t: &DateTime, nanos: u32, out: &mut [u8; LOCAL_STAMP_MAX]) -> usize {
    let mut c = Cursor { out, len: 0 };
    c.put(Digits::new(t.year as u64).as_bytes());
    let fields = [
        (b'-', t.month),
        (b'-', t.day),
        (b' ', t.hour),
        (b':', t.minute),
        (b':', t.second),
    ];
    for (sep, n) in fields {
        c.put(&[sep, b'0' + n / 10, b'0' + n % 10]);
    }
    c.put(b".");
    c.put(Digits::padded(nanos.into(), 9).as_bytes());
    c.len
}

/// Length of the longest `tai64nfrac` value: sign, 19 digits, point, 9 digits.
pub const FRAC_MAX: usize = 1 + 19 + 1 + 9;

/// `seconds.nanoseconds` of a Unix time, the exact decimal value of `secs + nanos/10^9`
/// (so -1 s + 0.25 s prints `-0.750000000`); `nanos` must be below 10^9.
pub fn unix_fraction(secs: i64, nanos: u32, out: &mut [u8; FRAC_MAX]) -> usize {
    let (sign, whole, frac): (&[u8], u64, u32) = if secs >= 0 {
        (b"", secs as u64, nanos)
    } else if nanos == 0 {
        (b"-", secs.unsigned_abs(), 0)
    } else {
        (b"-", secs.unsigned_abs() - 1, 1_000_000_000 - nanos)
    };
    let mut c = Cursor { out, len: 0 };
    c.put(sign);
    c.put(Digits::new(whole).as_bytes());
    c.put(b".");
    c.put(Digits::padded(frac.into(), 9).as_bytes());
    c.len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(t: DateTime, nanos: u32) -> String {
        let mut out = [0; LOCAL_STAMP_MAX];
        let n = local_stamp(&t, nanos, &mut out);
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn new_u32_writes_what_new_writes() {
        for n in [0, 1, 9, 10, 99, 100, 4242, 65535, 1_000_000_007, u32::MAX] {
            assert_eq!(
                Digits::new_u32(n).as_bytes(),
                Digits::new(n.into()).as_bytes()
            );
        }
        assert_eq!(Digits::new_u32(4_294_967_295).as_bytes(), b"4294967295");
    }

    fn frac(secs: i64, nanos: u32) -> String {
        let mut out = [0; FRAC_MAX];
        let n = unix_fraction(secs, nanos, &mut out);
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn dt(year: i64) -> DateTime {
        DateTime {
            year,
            month: 3,
            day: 4,
            hour: 5,
            minute: 6,
            second: 7,
        }
    }

    #[test]
    fn small_division_matches_native() {
        for n in [
            0,
            1,
            9,
            10,
            86_399,
            86_400,
            u64::from(u32::MAX),
            1 << 56,
            u64::MAX - 1,
            u64::MAX,
        ] {
            for d in [1, 7, 10, 3600, 86_400, 146_097, (1 << 18) - 1] {
                assert_eq!(
                    div_rem_small(n, d),
                    (n / u64::from(d), (n % u64::from(d)) as u32)
                );
            }
        }
    }

    #[test]
    fn digits() {
        assert_eq!(Digits::new(0).as_bytes(), b"0");
        assert_eq!(Digits::new(u64::MAX).as_bytes(), b"18446744073709551615");
        assert_eq!(Digits::padded(7, 2).as_bytes(), b"07");
        assert_eq!(Digits::padded(1234, 2).as_bytes(), b"1234");
        assert_eq!(Digits::padded(5, 99).as_bytes().len(), U64_MAX_DIGITS);
    }

    #[test]
    fn local_stamp_like_the_original() {
        assert_eq!(stamp(dt(2024), 5), "2024-03-04 05:06:07.000000005");
        assert_eq!(stamp(dt(999), 0), "999-03-04 05:06:07.000000000");
        assert_eq!(
            stamp(dt(-1), 0),
            "18446744073709551615-03-04 05:06:07.000000000"
        );
        assert_eq!(stamp(dt(2024), u32::MAX), "2024-03-04 05:06:07.4294967295");
        let widest = DateTime {
            year: -1,
            second: 60,
            ..dt(0)
        };
        assert_eq!(stamp(widest, u32::MAX).len(), LOCAL_STAMP_MAX);
    }

    #[test]
    fn fraction_is_exact_and_padded() {
        assert_eq!(frac(0, 0), "0.000000000");
        assert_eq!(frac(1_700_000_000, 5), "1700000000.000000005");
        assert_eq!(frac(-1, 0), "-1.000000000");
        assert_eq!(frac(-1, 250_000_000), "-0.750000000");
        assert_eq!(frac(-2, 999_999_999), "-1.000000001");
        assert_eq!(frac(i64::MIN, 1), "-9223372036854775807.999999999");
        assert_eq!(frac(i64::MAX, 999_999_999), "9223372036854775807.999999999");
    }
}
