//! `/etc/passwd` lines on arbitrary bytes, against a model of the rules in the doc of
//! `dt_core::account` written independently here: skip leading white space (`isspace`),
//! ignore empty lines, `#` comments and `+`/`-` names; split at every `:`; the first
//! field is the name, the third and fourth the ids, each `strtoul`'s reading (white
//! space, a sign, decimal digits only, at most 2^32 - 1, negative only as -0).
//!
//! The input is a name, a newline, then lines; each line is tried with that name and
//! with its own first field (so that most lines get as far as their ids).
#![no_main]

use dt_core::account::entry;
use libfuzzer_sys::fuzz_target;

fn is_space(c: &u8) -> bool {
    b" \t\n\x0b\x0c\r".contains(c)
}

fn strtoul32(field: &[u8]) -> Option<u32> {
    let field = &field[field.iter().take_while(|c| is_space(c)).count()..];
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &digits[digits.iter().take_while(|&&c| c == b'0').count()..];
    if significant.len() > 10 {
        return None;
    }
    let n: u64 = std::str::from_utf8(significant).ok()?.parse().unwrap_or(0);
    let n = u32::try_from(n).ok()?;
    (!negative || n == 0).then_some(n)
}

fn model(line: &[u8], name: &[u8]) -> Option<(u32, u32)> {
    let start = line.iter().position(|c| !is_space(c))?;
    let line = &line[start..];
    if matches!(line[0], b'#' | b'+' | b'-') {
        return None;
    }
    let fields: Vec<&[u8]> = line.split(|&c| c == b':').collect();
    if fields.len() < 4 || fields[0] != name {
        return None;
    }
    Some((strtoul32(fields[2])?, strtoul32(fields[3])?))
}

fn check(line: &[u8], name: &[u8]) {
    let found = entry(line, name).map(|a| (a.uid, a.gid));
    assert_eq!(found, model(line, name), "{line:?} {name:?}");
}

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&c| c == b'\n');
    let name = lines.next().unwrap_or_default();
    for line in lines {
        check(line, name);
        let own = line.iter().skip_while(|c| is_space(c)).copied();
        let own: Vec<u8> = own.take_while(|&c| c != b':').collect();
        check(line, &own);
    }
});
