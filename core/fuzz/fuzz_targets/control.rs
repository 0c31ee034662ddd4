//! The control protocol on arbitrary bytes, against simple models: `Command::from_byte`
//! against the table of the twelve letters (0.76's eleven and our `X`); `CommandBytes` fed every byte against a
//! list that keeps each letter's first occurrence (other bytes refused, nothing
//! changed); and svc's command line (NUL-separated words) through `read_flags` into
//! `CommandBytes`, against a transcription of 0.76's `subgetopt`.
#![no_main]

use dt_core::control::{Command, CommandBytes, LETTERS};
use dt_core::options::read_flags;
use libfuzzer_sys::fuzz_target;

const TABLE: [(u8, Command); 12] = [
    (b'u', Command::Up),
    (b'd', Command::Down),
    (b'o', Command::Once),
    (b'p', Command::Pause),
    (b'c', Command::Continue),
    (b'h', Command::Hangup),
    (b'a', Command::Alarm),
    (b'i', Command::Interrupt),
    (b't', Command::Terminate),
    (b'k', Command::Kill),
    (b'x', Command::Exit),
    (b'X', Command::Upgrade),
];

/// svc's options as 0.76's `subgetopt` reads them: the letters given (in order, repeats
/// included) and where the operands start, or the first unknown letter.
fn subgetopt(args: &[&[u8]]) -> (Vec<u8>, Result<usize, u8>) {
    let mut letters = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        match arg {
            [b'-', b'-', ..] => return (letters, Ok(i + 1)),
            [b'-', cluster @ ..] if !cluster.is_empty() => {
                for &c in cluster {
                    if !LETTERS.contains(&c) {
                        return (letters, Err(c));
                    }
                    letters.push(c);
                }
            }
            _ => return (letters, Ok(i)),
        }
    }
    (letters, Ok(args.len()))
}

fuzz_target!(|data: &[u8]| {
    assert_eq!(TABLE.map(|(l, _)| l), *LETTERS);
    for &byte in data {
        let expected = TABLE.iter().find(|(l, _)| *l == byte).map(|&(_, c)| c);
        assert_eq!(Command::from_byte(byte), expected);
    }

    let mut set = CommandBytes::default();
    let mut model: Vec<u8> = Vec::new();
    for &byte in data {
        if LETTERS.contains(&byte) {
            assert_eq!(set.add(byte), Ok(()));
            if !model.contains(&byte) {
                model.push(byte);
            }
        } else {
            assert_eq!(set.add(byte), Err(byte));
        }
        assert_eq!(set.as_bytes(), model);
    }

    let args: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let mut commands = CommandBytes::default();
    let mut given = Vec::new();
    let result = read_flags(args.iter().copied(), |l| {
        given.push(l);
        commands.add(l).map_err(|_| ())
    });
    let (letters, expected) = subgetopt(&args);
    assert_eq!(result, expected);
    // The refused letter is offered too, then reported.
    if let Err(refused) = result {
        assert_eq!(given.pop(), Some(refused));
    }
    assert_eq!(given, letters);
    let mut once = Vec::new();
    for l in letters {
        if !once.contains(&l) {
            once.push(l);
        }
    }
    assert_eq!(commands.as_bytes(), once);
});
