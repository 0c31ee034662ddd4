//! TAI64 and TAI64N: the 8- and 12-byte packed forms and the 25-character `@` label.
//!
//! Conventions of daemontools 0.76 (see `docs/COMPAT.md`): a TAI64 second count is
//! `2^62 + 10 + unix_seconds` (no leap-second table), packed big-endian; TAI64N appends
//! the nanoseconds as a big-endian `u32`; the external label is `@` and 24 lowercase hex
//! digits of the 12 packed bytes.
//!
//! Decoding is deliberately tolerant, the way `tai64nlocal` reads labels: see
//! [`scan_label`].

/// TAI64 second count of the Unix epoch: 2^62 plus the 10 s TAI-UTC offset of 1970.
pub const UNIX_EPOCH: u64 = (1 << 62) + 10;

/// Length of an external TAI64N label: `@` + 24 hex digits.
pub const LABEL_LEN: usize = 25;

/// Number of hex digits in an external TAI64N label.
pub const LABEL_DIGITS: usize = 24;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A TAI64N moment: TAI64 seconds and nanoseconds.
///
/// `nanos` is below 10^9 for every stamp this project makes; a decoded label may carry any
/// `u32` (the original tools print it as is), so the type does not forbid it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tai64N {
    /// TAI64 seconds (`UNIX_EPOCH + unix_seconds`).
    pub secs: u64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Tai64N {
    /// The stamp of a Unix time (seconds, nanoseconds).
    pub const fn from_unix(secs: i64, nanos: u32) -> Self {
        Tai64N {
            secs: UNIX_EPOCH.wrapping_add(secs as u64),
            nanos,
        }
    }

    /// Unix seconds of this stamp, wrapping like the original's unsigned arithmetic
    /// (`secs - (2^62 + 10)` read as a signed 64-bit `time_t`).
    pub const fn unix_secs(self) -> i64 {
        self.secs.wrapping_sub(UNIX_EPOCH) as i64
    }

    /// The 12-byte packed form: seconds then nanoseconds, both big-endian.
    pub fn pack(self) -> [u8; 12] {
        let [s0, s1, s2, s3, s4, s5, s6, s7] = self.secs.to_be_bytes();
        let [n0, n1, n2, n3] = self.nanos.to_be_bytes();
        [s0, s1, s2, s3, s4, s5, s6, s7, n0, n1, n2, n3]
    }

    /// Inverse of [`Tai64N::pack`].
    pub fn unpack(bytes: [u8; 12]) -> Self {
        let [s0, s1, s2, s3, s4, s5, s6, s7, n0, n1, n2, n3] = bytes;
        Tai64N {
            secs: u64::from_be_bytes([s0, s1, s2, s3, s4, s5, s6, s7]),
            nanos: u32::from_be_bytes([n0, n1, n2, n3]),
        }
    }

    /// The external label: `@` and 24 lowercase hex digits of the packed form.
    pub fn label(self) -> [u8; LABEL_LEN] {
        let mut out = [b'@'; LABEL_LEN];
        for (i, byte) in self.pack().iter().enumerate() {
            out[1 + 2 * i] = HEX[usize::from(byte >> 4)];
            out[2 + 2 * i] = HEX[usize::from(byte & 15)];
        }
        out
    }
}

/// What [`scan_label`] found at the start of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// A label of `len` bytes (`@` and the hex digits) decoding to `stamp`.
    Label {
        /// The decoded stamp.
        stamp: Tai64N,
        /// Bytes the label occupies, `@` included (25 for a well-formed label).
        len: usize,
    },
    /// The line starts with `@` but no usable label follows (fewer than 24 digits).
    Malformed,
    /// The line does not start with `@`.
    NotLabel,
    /// Every byte so far belongs to a possible label: call again with more input.
    NeedMore,
}

fn hex_digit(c: u8) -> Option<u8> {
    let decimal = c.wrapping_sub(b'0');
    let letter = c.wrapping_sub(b'a');
    if decimal < 10 {
        Some(decimal)
    } else if letter < 6 {
        Some(letter + 10)
    } else {
        None
    }
}

/// Eight lowercase hex digits from `digits[at..]` (first digit most significant) as a
/// number, checked and converted a machine word at a time: the common case of
/// [`scan_label`].
fn hex8(digits: &[u8], at: usize) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = u64::from_be_bytes(*digits.get(at..)?.first_chunk::<8>()?);
    if x & (ONES << 7) != 0 {
        return None; // a byte >= 0x80
    }
    // Per byte b < 0x80, the top bit of b + (0x80 - n) says b >= n (no carries out).
    let at_least = |n: u64| x.wrapping_add(ONES * (0x80 - n)) & (ONES << 7);
    let decimal = at_least(0x30) & !at_least(0x3a);
    let letter = at_least(0x61) & !at_least(0x67);
    if decimal | letter != ONES << 7 {
        return None;
    }
    // Nibble values ('a' = 0x61 -> 1 + 9), then pairs, quads, all eight.
    let n = (x & (ONES * 0x0f)) + (letter >> 7) * 9;
    let n = (n | (n >> 4)) & 0x00ff_00ff_00ff_00ff;
    let n = (n | (n >> 8)) & 0x0000_ffff_0000_ffff;
    Some((n | (n >> 16)) as u32)
}

/// Looks for a label at the start of `line` (which begins at a line start).
///
/// A label is `@` and a run of lowercase hex digits ending at a byte that is not one
/// (or at end of input, when `at_eof`). As in `tai64nlocal` 0.76, a run longer than 24
/// digits keeps its last 24; a run shorter than 24 is [`Scan::Malformed`] (the original
/// crashes on it). Upper-case digits end the run, as in the original.
pub fn scan_label(line: &[u8], at_eof: bool) -> Scan {
    let digits = match line.split_first() {
        None if at_eof => return Scan::NotLabel,
        None => return Scan::NeedMore,
        Some((b'@', digits)) => digits,
        Some(_) => return Scan::NotLabel,
    };
    // Fast path on 64-bit boards (on 32-bit ones it would cost more bytes than it saves
    // time): exactly 24 digits, then a byte that is no digit.
    if cfg!(target_pointer_width = "64") {
        if let (Some(&next), Some(s1), Some(s2), Some(nanos)) = (
            digits.get(LABEL_DIGITS),
            hex8(digits, 0),
            hex8(digits, 8),
            hex8(digits, 16),
        ) {
            if hex_digit(next).is_none() {
                let secs = u64::from(s1) << 32 | u64::from(s2);
                return Scan::Label {
                    stamp: Tai64N { secs, nanos },
                    len: LABEL_LEN,
                };
            }
        }
    }
    // Any other run, as the original reads it: the digits shift through 96 bits
    // (seconds, then nanoseconds), so a long run leaves its last 24 digits.
    let (mut secs, mut nanos, mut run) = (0u64, 0u32, 0);
    for &c in digits {
        let Some(digit) = hex_digit(c) else { break };
        secs = (secs << 4) | u64::from(nanos >> 28);
        nanos = (nanos << 4) | u32::from(digit);
        run += 1;
    }
    if 1 + run == line.len() && !at_eof {
        return Scan::NeedMore;
    }
    if run < LABEL_DIGITS {
        return Scan::Malformed;
    }
    Scan::Label {
        stamp: Tai64N { secs, nanos },
        len: 1 + run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden vectors: (unix seconds, nanoseconds) -> label.
    const GOLDEN: &[(i64, u32, &[u8; LABEL_LEN])] = &[
        (0, 0, b"@400000000000000a00000000"),
        (1_000_000_000, 500_000_000, b"@400000003b9aca0a1dcd6500"),
        (-1, 999_999_999, b"@40000000000000093b9ac9ff"),
        (4_102_444_800, 1, b"@40000000f486570a00000001"), // 2100-01-01
    ];

    #[test]
    fn label_golden_vectors() {
        for &(s, n, label) in GOLDEN {
            assert_eq!(&Tai64N::from_unix(s, n).label(), label);
        }
    }

    #[test]
    fn pack_golden_vector() {
        let packed = Tai64N::from_unix(0, 0x1234_5678).pack();
        assert_eq!(
            packed,
            [0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0x12, 0x34, 0x56, 0x78]
        );
        assert_eq!(Tai64N::unpack(packed), Tai64N::from_unix(0, 0x1234_5678));
    }

    #[test]
    fn scan_round_trips_golden_vectors() {
        for &(s, n, label) in GOLDEN {
            let mut line = label.to_vec();
            line.extend_from_slice(b" text\n");
            let want = Scan::Label {
                stamp: Tai64N::from_unix(s, n),
                len: LABEL_LEN,
            };
            assert_eq!(scan_label(&line, false), want);
            assert_eq!(Tai64N::from_unix(s, n).unix_secs(), s);
        }
    }

    #[test]
    fn scan_label_at_end_of_input() {
        let label = b"@400000000000000a00000000";
        assert_eq!(scan_label(label, false), Scan::NeedMore);
        assert!(matches!(
            scan_label(label, true),
            Scan::Label { len: 25, .. }
        ));
    }

    #[test]
    fn scan_needs_more_while_digits_continue() {
        assert_eq!(scan_label(b"", false), Scan::NeedMore);
        assert_eq!(scan_label(b"@", false), Scan::NeedMore);
        assert_eq!(scan_label(b"@4000", false), Scan::NeedMore);
    }

    #[test]
    fn scan_rejects_short_runs_and_other_starts() {
        assert_eq!(scan_label(b"", true), Scan::NotLabel);
        assert_eq!(scan_label(b"@\n", false), Scan::Malformed);
        assert_eq!(scan_label(b"@4000 x\n", false), Scan::Malformed);
        assert_eq!(scan_label(b"@4000", true), Scan::Malformed);
        assert_eq!(
            scan_label(b"x@400000000000000a00000000\n", false),
            Scan::NotLabel
        );
        // Upper-case digits end the run: only 15 digits remain.
        assert_eq!(
            scan_label(b"@400000000000000A00000000\n", false),
            Scan::Malformed
        );
    }

    #[test]
    fn scan_long_run_keeps_last_24_digits() {
        let line = b"@ff400000000000000a00000007 x";
        let want = Scan::Label {
            stamp: Tai64N::from_unix(0, 7),
            len: 27,
        };
        assert_eq!(scan_label(line, false), want);
    }

    #[test]
    fn hex8_agrees_with_digit_by_digit_decoding() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut digits = *b"0123abcd";
                digits[at] = byte;
                let slow = digits
                    .iter()
                    .try_fold(0u32, |v, &c| Some(v << 4 | u32::from(hex_digit(c)?)));
                assert_eq!(hex8(&digits, 0), slow, "{digits:?}");
            }
        }
        assert_eq!(hex8(b"ffffffff", 0), Some(u32::MAX));
        assert_eq!(hex8(b"0000000", 0), None);
    }

    #[test]
    fn scan_keeps_out_of_range_nanoseconds() {
        match scan_label(b"@4000000000000000ffffffff\n", false) {
            Scan::Label { stamp, .. } => assert_eq!(stamp.nanos, u32::MAX),
            other => panic!("{other:?}"),
        }
    }
}
