//! multilog's script parser and pattern matcher on arbitrary bytes: never panic, and
//! every directory's settings stay within the documented limits.
#![no_main]

use dt_core::log::pattern::matches;
use dt_core::log::script::{Action, NUM_MIN, SIZE_MAX, SIZE_MIN, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Words separated by NUL, as on a command line; the last word doubles as a line.
    let words: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    if let Ok(script) = parse(words.iter().copied(), |_| {}) {
        for action in &script.actions {
            if let Action::Directory(dir) = action {
                assert!((SIZE_MIN..=SIZE_MAX).contains(&dir.size) && dir.num >= NUM_MIN);
            }
        }
    }
    if let [pattern, .., line] = words.as_slice() {
        let _ = matches(pattern, line);
    }
});
