//! envdir's reading of a file on arbitrary contents, against a model of the rule: an
//! empty file removes the variable; otherwise the value is the first line (up to the
//! first newline or the end), trailing spaces and tabs removed, NUL bytes turned into
//! newlines. Only the value's bytes are rewritten, and any read that holds the first
//! newline gives the same value.
#![no_main]

use dt_core::envdir::{Setting, setting};
use libfuzzer_sys::fuzz_target;

fn model(contents: &[u8]) -> Option<Vec<u8>> {
    if contents.is_empty() {
        return None;
    }
    let line = contents.split(|&c| c == b'\n').next().unwrap_or_default();
    let kept = line.len() - line.iter().rev().take_while(|c| b" \t".contains(c)).count();
    Some(
        line[..kept]
            .iter()
            .map(|&c| if c == 0 { b'\n' } else { c })
            .collect(),
    )
}

fn value(contents: &[u8]) -> Option<Vec<u8>> {
    let mut buf = contents.to_vec();
    match setting(&mut buf) {
        Setting::Remove => {
            assert_eq!(buf, contents);
            None
        }
        Setting::Set(len) => {
            assert_eq!(
                buf[len..],
                contents[len..],
                "bytes past the value rewritten"
            );
            Some(buf[..len].to_vec())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let expected = model(data);
    assert_eq!(value(data), expected);
    if let Some(newline) = data.iter().position(|&c| c == b'\n') {
        assert_eq!(value(&data[..=newline]), expected);
    }
});
