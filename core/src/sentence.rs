//! The sentence `svstat` prints after a directory's name, in the original's words:
//! `: up (pid 123) 45 seconds, normally down, paused, want down` and a newline, or
//! `: down 12 seconds, normally up, want up` and a newline.
//!
//! Contract: [`emit`] writes the whole rest of the line (from the colon to the newline)
//! into a fixed buffer of [`SENTENCE_MAX`] bytes, byte for byte as daemontools 0.76's
//! `svstat`: whole TAI seconds since the last change (a stamp in the future reads as 0),
//! then the notes that apply, in this order: `normally down` (up, but a `down` file),
//! `normally up` (down, no `down` file), `paused` (up), `want up` (down),
//! `want down` (up).
//!
//! A status with our extension (an opt-in file: `notification-fd`, `finish`) adds, right
//! after the seconds, `, ready N seconds` (up, and `./run` said it was ready N seconds
//! ago), `, finishing` (down, `./finish` runs), `, backing off, next start in N seconds`
//! (down after quick deaths) or `, given up` (down after too many). Without it the words
//! are the original's.

use crate::decimal::{Digits, U64_MAX_DIGITS};
use crate::status::{Status, Want};
use crate::tai64::Tai64N;

/// Longest sentence: up with a 10-digit pid, 20 digits of seconds and all three notes.
pub const SENTENCE_MAX: usize = b": up (pid ".len()
    + 10
    + b") ".len()
    + U64_MAX_DIGITS
    + b" seconds".len()
    + b", backing off, next start in ".len()
    + U64_MAX_DIGITS
    + b" seconds".len()
    + b", normally down".len()
    + b", paused".len()
    + b", want down".len()
    + 1;

/// Writes the sentence for `status` (`normally_up`: the directory has no `down` file)
/// at the time `now`; returns its length.
pub fn emit(
    status: &Status,
    normally_up: bool,
    now: Tai64N,
    out: &mut [u8; SENTENCE_MAX],
) -> usize {
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if let Some(slot) = out.get_mut(len) {
                *slot = b;
                len += 1;
            }
        }
    };
    let up = status.pid.is_some();
    match status.pid {
        Some(pid) => {
            put(b": up (pid ");
            put(Digits::new(pid.into()).as_bytes());
            put(b") ");
        }
        None => put(b": down "),
    }
    put(Digits::new(now.secs.saturating_sub(status.since.secs)).as_bytes());
    put(b" seconds");
    if let Some(beyond) = status.beyond {
        match (up, beyond.ready) {
            (true, Some(ready)) => {
                put(b", ready ");
                put(Digits::new(now.secs.saturating_sub(ready.secs)).as_bytes());
                put(b" seconds");
            }
            (false, _) if beyond.finishing => put(b", finishing"),
            (false, _) => {
                if let Some(next) = beyond.next_start {
                    put(b", backing off, next start in ");
                    put(Digits::new(next.secs.saturating_sub(now.secs)).as_bytes());
                    put(b" seconds");
                }
                if beyond.given_up {
                    put(b", given up");
                }
            }
            (true, None) => {}
        }
    }
    let notes: [(bool, &[u8]); 5] = [
        (up && !normally_up, b", normally down"),
        (!up && normally_up, b", normally up"),
        (up && status.paused, b", paused"),
        (!up && status.want == Want::Up, b", want up"),
        (up && status.want == Want::Down, b", want down"),
    ];
    for (shown, note) in notes {
        if shown {
            put(note);
        }
    }
    put(b"\n");
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Beyond;

    const SINCE: u64 = 1_000_000;

    fn sentence(pid: Option<u32>, normally_up: bool, paused: bool, want: Want, age: u64) -> String {
        let status = Status {
            since: Tai64N::from_unix(SINCE as i64, 5),
            pid,
            paused,
            want,
            beyond: None,
        };
        let now = Tai64N::from_unix((SINCE + age) as i64, 0);
        let mut out = [0; SENTENCE_MAX];
        let n = emit(&status, normally_up, now, &mut out);
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    /// Every combination of up/down, `down` file, paused and wanted state.
    #[test]
    fn every_combination_golden() {
        use Want::{Down, Once, Up};
        let up = Some(123);
        let rows: [(Option<u32>, bool, bool, Want, &str); 24] = [
            (up, true, false, Up, ": up (pid 123) 45 seconds\n"),
            (up, true, false, Once, ": up (pid 123) 45 seconds\n"),
            (
                up,
                true,
                false,
                Down,
                ": up (pid 123) 45 seconds, want down\n",
            ),
            (up, true, true, Up, ": up (pid 123) 45 seconds, paused\n"),
            (up, true, true, Once, ": up (pid 123) 45 seconds, paused\n"),
            (
                up,
                true,
                true,
                Down,
                ": up (pid 123) 45 seconds, paused, want down\n",
            ),
            (
                up,
                false,
                false,
                Up,
                ": up (pid 123) 45 seconds, normally down\n",
            ),
            (
                up,
                false,
                false,
                Once,
                ": up (pid 123) 45 seconds, normally down\n",
            ),
            (
                up,
                false,
                false,
                Down,
                ": up (pid 123) 45 seconds, normally down, want down\n",
            ),
            (
                up,
                false,
                true,
                Up,
                ": up (pid 123) 45 seconds, normally down, paused\n",
            ),
            (
                up,
                false,
                true,
                Once,
                ": up (pid 123) 45 seconds, normally down, paused\n",
            ),
            (
                up,
                false,
                true,
                Down,
                ": up (pid 123) 45 seconds, normally down, paused, want down\n",
            ),
            (
                None,
                true,
                false,
                Up,
                ": down 45 seconds, normally up, want up\n",
            ),
            (None, true, false, Once, ": down 45 seconds, normally up\n"),
            (None, true, false, Down, ": down 45 seconds, normally up\n"),
            (
                None,
                true,
                true,
                Up,
                ": down 45 seconds, normally up, want up\n",
            ),
            (None, true, true, Once, ": down 45 seconds, normally up\n"),
            (None, true, true, Down, ": down 45 seconds, normally up\n"),
            (None, false, false, Up, ": down 45 seconds, want up\n"),
            (None, false, false, Once, ": down 45 seconds\n"),
            (None, false, false, Down, ": down 45 seconds\n"),
            (None, false, true, Up, ": down 45 seconds, want up\n"),
            (None, false, true, Once, ": down 45 seconds\n"),
            (None, false, true, Down, ": down 45 seconds\n"),
        ];
        for (pid, normally_up, paused, want, expected) in rows {
            assert_eq!(
                sentence(pid, normally_up, paused, want, 45),
                expected,
                "{pid:?} normally_up={normally_up} paused={paused} {want:?}"
            );
        }
    }

    #[test]
    fn seconds_golden() {
        assert_eq!(
            sentence(None, false, false, Want::Down, 0),
            ": down 0 seconds\n"
        );
        let future = Status {
            since: Tai64N::from_unix(SINCE as i64 + 60, 0),
            pid: None,
            paused: false,
            want: Want::Down,
            beyond: None,
        };
        let mut out = [0; SENTENCE_MAX];
        let n = emit(&future, false, Tai64N::from_unix(SINCE as i64, 0), &mut out);
        assert_eq!(&out[..n], b": down 0 seconds\n", "a stamp ahead reads as 0");
    }

    #[test]
    fn the_longest_sentences_fit() {
        let status = Status {
            since: Tai64N { secs: 0, nanos: 0 },
            pid: Some(u32::MAX),
            paused: true,
            want: Want::Down,
            beyond: Some(Beyond {
                ready: Some(Tai64N { secs: 0, nanos: 0 }),
                ..Beyond::default()
            }),
        };
        let mut out = [0; SENTENCE_MAX];
        let n = emit(
            &status,
            false,
            Tai64N {
                secs: u64::MAX,
                nanos: 0,
            },
            &mut out,
        );
        assert_eq!(
            &out[..n],
            &b": up (pid 4294967295) 18446744073709551615 seconds, ready 18446744073709551615 seconds, normally down, paused, want down\n"[..]
        );
        assert!(n <= SENTENCE_MAX);
        let down = Status {
            pid: None,
            want: Want::Up,
            beyond: Some(Beyond {
                next_start: Some(Tai64N {
                    secs: u64::MAX,
                    nanos: 0,
                }),
                given_up: true,
                ..Beyond::default()
            }),
            ..status
        };
        let n = emit(
            &down,
            true,
            Tai64N {
                secs: u64::MAX,
                nanos: 0,
            },
            &mut out,
        );
        assert!(n <= SENTENCE_MAX && out[n - 1] == b'\n');
    }

    #[test]
    fn beyond_ready_and_finishing_golden() {
        let at = |secs: u64| Tai64N::from_unix(secs as i64, 0);
        let ready = Status {
            since: at(SINCE),
            pid: Some(7),
            paused: false,
            want: Want::Up,
            beyond: Some(Beyond {
                ready: Some(at(SINCE + 2)),
                ..Beyond::default()
            }),
        };
        let mut out = [0; SENTENCE_MAX];
        let n = emit(&ready, true, at(SINCE + 45), &mut out);
        assert_eq!(&out[..n], b": up (pid 7) 45 seconds, ready 43 seconds\n");
        let not_ready = Status {
            beyond: Some(Beyond::default()),
            ..ready
        };
        let n = emit(&not_ready, true, at(SINCE + 45), &mut out);
        assert_eq!(&out[..n], b": up (pid 7) 45 seconds\n");
        let finishing = Status {
            pid: None,
            beyond: Some(Beyond {
                finishing: true,
                ..Beyond::default()
            }),
            ..ready
        };
        let n = emit(&finishing, true, at(SINCE + 3), &mut out);
        assert_eq!(
            &out[..n],
            b": down 3 seconds, finishing, normally up, want up\n"
        );
    }

    #[test]
    fn beyond_backing_off_and_given_up_golden() {
        let at = |secs: u64| Tai64N::from_unix(secs as i64, 0);
        let status = Status {
            since: at(SINCE),
            pid: None,
            paused: false,
            want: Want::Up,
            beyond: Some(Beyond {
                next_start: Some(at(SINCE + 8)),
                ..Beyond::default()
            }),
        };
        let mut out = [0; SENTENCE_MAX];
        let n = emit(&status, false, at(SINCE + 3), &mut out);
        assert_eq!(
            &out[..n],
            b": down 3 seconds, backing off, next start in 5 seconds, want up\n"
        );
        let given_up = Status {
            want: Want::Down,
            beyond: Some(Beyond {
                given_up: true,
                ..Beyond::default()
            }),
            ..status
        };
        let n = emit(&given_up, true, at(SINCE + 3), &mut out);
        assert_eq!(&out[..n], b": down 3 seconds, given up, normally up\n");
    }
}
