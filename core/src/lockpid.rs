//! The pid text in `supervise/lock`: supervise's process id in decimal and a newline
//! (`4242\n`). supervise writes it into a lock file of its own; svscan reads it to adopt
//! the log pipe of a tree a killed svscan left running. No other tool reads it (0.76
//! leaves the file empty).
//!
//! Contract: [`emit`] writes the canonical text into a fixed buffer; [`parse`] accepts
//! exactly that text (digits without a leading zero, then one newline, nothing after)
//! for a pid from 1 to `u32::MAX`, and refuses anything else with `None`, never a panic.

use crate::decimal::Digits;

/// Longest text: 10 digits of a `u32` and the newline.
pub const LOCK_TEXT_MAX: usize = 11;

/// Writes `pid` and a newline into `out`; returns the length.
pub fn emit(pid: u32, out: &mut [u8; LOCK_TEXT_MAX]) -> usize {
    let digits = Digits::new_u32(pid);
    let mut len = 0;
    for &b in digits.as_bytes().iter().chain(b"\n") {
        if let Some(slot) = out.get_mut(len) {
            *slot = b;
            len += 1;
        }
    }
    len
}

/// The pid in `text`; `None` if it is empty, lacks the final newline, holds anything but
/// digits before it (or after it), starts with a zero, or does not fit a `u32`.
pub fn parse(text: &[u8]) -> Option<u32> {
    let digits = text.strip_suffix(b"\n")?;
    if digits.first() == Some(&b'0') {
        return None;
    }
    let mut pid: u32 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        pid = pid.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    (pid != 0).then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emitted(pid: u32) -> Vec<u8> {
        let mut out = [0; LOCK_TEXT_MAX];
        let n = emit(pid, &mut out);
        out[..n].to_vec()
    }

    #[test]
    fn emit_golden() {
        assert_eq!(emitted(1), b"1\n");
        assert_eq!(emitted(4242), b"4242\n");
        assert_eq!(emitted(u32::MAX), b"4294967295\n");
    }

    #[test]
    fn parse_golden() {
        assert_eq!(parse(b"1\n"), Some(1));
        assert_eq!(parse(b"4242\n"), Some(4242));
        assert_eq!(parse(b"4294967295\n"), Some(u32::MAX));
    }

    #[test]
    fn parse_refuses() {
        for text in [
            &b""[..],
            b"\n",
            b"4242",
            b"42a2\n",
            b" 42\n",
            b"-42\n",
            b"42\n\n",
            b"42\nx",
            b"0\n",
            b"042\n",
            b"4294967296\n",
            b"99999999999999999999\n",
        ] {
            assert_eq!(parse(text), None, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn round_trip() {
        for pid in [1, 9, 10, 99, 100, 32_768, 4_194_304, u32::MAX - 1, u32::MAX] {
            assert_eq!(parse(&emitted(pid)), Some(pid));
        }
    }
}
