//! Accounts from `/etc/passwd`, read the way glibc's `getpwnam` reads the file (its
//! `files` source, no NSS): `name:password:uid:gid:gecos:home:shell`, one per line.
//!
//! As measured against glibc 2.36: leading white space is skipped; empty lines and
//! `#` comments are ignored; a name starting with `+` or `-` (NIS compat) never
//! matches; gecos, home and shell may be missing. An id is `strtoul`'s reading (leading
//! white space, an optional sign, decimal digits) that must end at a `:` or the end of
//! the line and fit in 32 bits (so `-0` is 0 and `-1` refuses the line). A line that
//! breaks these rules is skipped. The first entry with the name wins.

/// The ids of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
}

/// The account `name` if `line` (without its newline) is its entry.
pub fn entry(line: &[u8], name: &[u8]) -> Option<Account> {
    let line = trim_start(line);
    if matches!(line.first(), None | Some(b'#' | b'+' | b'-')) {
        return None;
    }
    let (found, rest) = field(line);
    if found != name {
        return None;
    }
    let (_password, rest) = field(rest?);
    let (uid, rest) = id(rest?)?;
    let (gid, _gecos_home_shell) = id(rest?)?;
    Some(Account { uid, gid })
}

/// The field at the start of `text` and what follows its `:` (`None`: it was the last).
fn field(text: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut parts = text.splitn(2, |&c| c == b':');
    (parts.next().unwrap_or_default(), parts.next())
}

/// A numeric id field and what follows its `:` (`None` after the last field).
fn id(text: &[u8]) -> Option<(u32, Option<&[u8]>)> {
    let (digits, rest) = field(text);
    let digits = trim_start(digits);
    let (negative, digits) = match digits {
        [b'-', d @ ..] => (true, d),
        [b'+', d @ ..] => (false, d),
        d => (false, d),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().try_fold(0u32, |n, &d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })?;
    // strtoul negates in unsigned arithmetic: only -0 stays within 32 bits.
    (!negative || n == 0).then_some((n, rest))
}

/// `text` without the white space (`isspace`) it starts with.
fn trim_start(mut text: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r', rest @ ..] = text {
        text = rest;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(line: &[u8], name: &[u8]) -> Option<(u32, u32)> {
        entry(line, name).map(|a| (a.uid, a.gid))
    }

    #[test]
    fn finds_the_named_entry() {
        let line = b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
        assert_eq!(ids(line, b"nobody"), Some((65534, 65534)));
        assert_eq!(ids(line, b"nobod"), None);
        assert_eq!(ids(line, b"nobody2"), None);
        assert_eq!(ids(b"root:x:0:0:root:/root:/bin/sh", b"root"), Some((0, 0)));
        assert_eq!(ids(b"a::1:2:::", b"a"), Some((1, 2)));
    }

    #[test]
    fn lenient_where_glibc_is() {
        for (line, expected) in [
            (&b"a:x:1:2:g:/h"[..], (1, 2)), // no shell
            (b"a:x:3:4", (3, 4)),           // nothing after the gid
            (b"a:x:1:2:g:/h:/s:extra", (1, 2)),
            (b"  a:x:11:11:g:/h:/s", (11, 11)), // leading blanks
            (b"a:x: 7:+8:g:/h:/s", (7, 8)),
            (b"a:x:\t7:8:g:/h:/s", (7, 8)),
            (b"a:x:-0:007:g:/h:/s", (0, 7)),
            (b"a:x:4294967295:0:g:/h:/s", (u32::MAX, 0)),
        ] {
            assert_eq!(
                ids(line, b"a"),
                Some(expected),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(ids(b" :x:1:1:::", b""), Some((1, 1)));
    }

    #[test]
    fn malformed_lines_are_skipped() {
        for line in [
            &b"a:x:1"[..], // no gid
            b"a:x",
            b"a",
            b"a:x::2:g:/h:/s",
            b"a:x:1x:2:g:/h:/s",
            b"a:x: 7 :2:g:/h:/s",
            b"a:x:0x10:2:g:/h:/s",
            b"a:x:+-7:2:g:/h:/s",
            b"a:x:-1:2:g:/h:/s",
            b"a:x:4294967296:2:g:/h:/s",
            b"a:x:99999999999999999999999:2:g:/h:/s",
        ] {
            assert_eq!(ids(line, b"a"), None, "{:?}", String::from_utf8_lossy(line));
        }
        assert_eq!(ids(b"+a:x:1:2:g:/h:/s", b"+a"), None);
        assert_eq!(ids(b"-a:x:1:2:g:/h:/s", b"-a"), None);
        assert_eq!(ids(b"#a:x:1:2:g:/h:/s", b"#a"), None);
        assert_eq!(ids(b"", b""), None);
        assert_eq!(ids(b"   ", b""), None);
    }
}
