//! softlimit's command line on arbitrary NUL-separated words, against models: every
//! word as a value (`=`, or decimal digits only, saturating past 2^64 - 1), the soft
//! limit it gives under a hard limit (never above it), and the whole command line
//! through `read_options` as 0.76's `subgetopt` reads `a:c:d:f:l:m:o:p:r:s:t:`, with a
//! value that is not one refusing its letter.
#![no_main]

use dt_core::rlimit::{LETTERS, Value, resources, soft, value};
use dt_core::options::{OptionError, read_options};
use libfuzzer_sys::fuzz_target;

fn model_value(text: &[u8]) -> Option<Value> {
    if text == b"=" {
        return Some(Value::Hard);
    }
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &text[text.iter().take_while(|&&c| c == b'0').count()..];
    if significant.len() > 20 {
        return Some(Value::At(u64::MAX));
    }
    let n: u128 = std::str::from_utf8(significant).ok()?.parse().unwrap_or(0);
    Some(Value::At(u64::try_from(n).unwrap_or(u64::MAX)))
}

type Settings = Vec<(u8, Value)>;

/// The options as `subgetopt` with every letter taking a value reads them: the settings
/// made (in order) and where the child's name is, or why the line is refused.
fn subgetopt(args: &[&[u8]]) -> (Settings, Result<usize, OptionError>) {
    let mut settings = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let letter = match arg {
            [b'-', b'-', ..] => return (settings, Ok(i + 1)),
            [b'-', letter, ..] => *letter,
            _ => break,
        };
        if !LETTERS.contains(&letter) {
            return (settings, Err(OptionError::Unknown(letter)));
        }
        let text = if arg.len() > 2 {
            i += 1;
            &arg[2..]
        } else {
            i += 2;
            match args.get(i - 1) {
                Some(next) => next,
                None => return (settings, Err(OptionError::MissingValue(letter))),
            }
        };
        match model_value(text) {
            Some(v) => settings.push((letter, v)),
            None => return (settings, Err(OptionError::Unknown(letter))),
        }
    }
    (settings, Ok(i))
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    for (i, word) in args.iter().enumerate() {
        let v = value(word);
        assert_eq!(v, model_value(word));
        let hard = args.get(i + 1).map_or(u64::MAX, |h| {
            h.iter().fold(0u64, |n, &c| n.rotate_left(8) ^ u64::from(c))
        });
        match v {
            Some(Value::Hard) => assert_eq!(soft(Value::Hard, hard), hard),
            Some(Value::At(n)) => assert_eq!(soft(Value::At(n), hard), n.min(hard)),
            None => {}
        }
    }

    let mut settings = Vec::new();
    let result = read_options(args.iter().copied(), LETTERS, |letter, text| {
        let v = text.and_then(value).ok_or(())?;
        assert!(!resources(letter).is_empty());
        settings.push((letter, v));
        Ok(())
    });
    assert_eq!((settings, result), subgetopt(&args));
});
