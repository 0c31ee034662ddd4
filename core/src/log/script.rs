//! multilog's script: the words after `multilog`, read as daemontools 0.76 reads them.
//!
//! - A first word starting with `t`: prefix each line with a TAI64N label.
//! - `+pattern` / `-pattern`: select / deselect lines that match.
//! - `e`: copy selected lines to stderr. `=file`: keep the last selected line in `file`.
//! - `sSIZE` (clamped to 4096..=16777215, default 99999), `nNUM` (at least 2, default
//!   10), `!processor`: settings for the log directories that follow.
//! - A word starting with `.` or `/`: a log directory, with the settings then in force.
//!
//! Numbers read like C's `scan_ulong` (leading digits; none is 0). Any other word is
//! ignored, as by the original; the caller is told so it can warn.

/// Most directives one script holds (the original has no limit; 64 log directories and
/// patterns are far beyond any real script).
pub const MAX_DIRECTIVES: usize = 64;
/// Default and limits of `s`.
pub const SIZE_DEFAULT: u32 = 99_999;
/// Smallest `s`.
pub const SIZE_MIN: u32 = 4096;
/// Largest `s`.
pub const SIZE_MAX: u32 = 16_777_215;
/// Default `n`.
pub const NUM_DEFAULT: u32 = 10;
/// Smallest `n`.
pub const NUM_MIN: u32 = 2;

/// A log directory and the settings in force where it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogDir<'a> {
    /// Its path, as written.
    pub path: &'a [u8],
    /// Rotate `current` before it exceeds this many bytes.
    pub size: u32,
    /// Keep at most this many archived files.
    pub num: u32,
    /// Command that processes each archived file (`None` without `!`, or for a lone `!`).
    pub processor: Option<&'a [u8]>,
}

/// One step of a script, applied to every line in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directive<'a> {
    /// `+pattern`: a matching line becomes selected.
    Select(&'a [u8]),
    /// `-pattern`: a matching line becomes deselected.
    Deselect(&'a [u8]),
    /// `e`: a selected line goes to stderr.
    Alert,
    /// `=file`: a selected line is kept in `file`.
    Status(&'a [u8]),
    /// A log directory: a selected line is appended to it.
    Directory(LogDir<'a>),
}

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script<'a> {
    /// Whether lines get a TAI64N label.
    pub timestamp: bool,
    /// The directives, in order.
    pub actions: heapless::Vec<Directive<'a>, MAX_DIRECTIVES>,
}

/// Why a script was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// More than [`MAX_DIRECTIVES`] directives.
    TooManyActions,
}

/// C `scan_ulong`: the value of the leading decimal digits (0 if none), saturating.
fn scan_number(text: &[u8]) -> u32 {
    text.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0u32, |n, &c| {
            n.saturating_mul(10).saturating_add(u32::from(c - b'0'))
        })
}

/// Reads a script. `ignored` is called with each word the original would ignore.
pub fn parse<'a>(
    words: impl IntoIterator<Item = &'a [u8]>,
    ignored: impl FnMut(&'a [u8]),
) -> Result<Script<'a>, ScriptError> {
    let mut script = Script::new();
    script.read(words, ignored)?;
    Ok(script)
}

impl<'a> Script<'a> {
    /// The empty script: no label, no directives. A `const fn`, so that a script can
    /// live in static memory and be [read](Script::read) in place (multilog's 3 KiB
    /// of directives then never pass through its stack).
    pub const fn new() -> Self {
        Script {
            timestamp: false,
            actions: heapless::Vec::new(),
        }
    }

    /// Reads a script into this one, replacing what it held (as [`parse`]).
    pub fn read(
        &mut self,
        words: impl IntoIterator<Item = &'a [u8]>,
        mut ignored: impl FnMut(&'a [u8]),
    ) -> Result<(), ScriptError> {
        let mut words = words.into_iter();
        let first = words.next();
        self.timestamp = matches!(first, Some([b't', ..]));
        self.actions.clear();
        // Not `Peekable::next_if`: it keeps an assertion that can panic.
        let words = first.filter(|_| !self.timestamp).into_iter().chain(words);
        let (mut size, mut num, mut processor) = (SIZE_DEFAULT, NUM_DEFAULT, None);
        for word in words {
            let action = match word {
                [b'+', pattern @ ..] => Directive::Select(pattern),
                [b'-', pattern @ ..] => Directive::Deselect(pattern),
                [b'e', ..] => Directive::Alert,
                [b'=', file @ ..] => Directive::Status(file),
                [b'.' | b'/', ..] => Directive::Directory(LogDir {
                    path: word,
                    size,
                    num,
                    processor,
                }),
                [b's', digits @ ..] => {
                    size = scan_number(digits).clamp(SIZE_MIN, SIZE_MAX);
                    continue;
                }
                [b'n', digits @ ..] => {
                    num = scan_number(digits).max(NUM_MIN);
                    continue;
                }
                [b'!', command @ ..] => {
                    processor = (!command.is_empty()).then_some(command);
                    continue;
                }
                _ => {
                    ignored(word);
                    continue;
                }
            };
            self.actions
                .push(action)
                .map_err(|_| ScriptError::TooManyActions)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(words: &[&str]) -> (Script<'static>, Vec<String>) {
        let words: Vec<&'static [u8]> = words
            .iter()
            .map(|w| &*Box::leak(w.as_bytes().to_vec().into_boxed_slice()))
            .collect();
        let mut ignored = Vec::new();
        let s = parse(words, |w| {
            ignored.push(String::from_utf8_lossy(w).into_owned())
        })
        .unwrap();
        (s, ignored)
    }

    fn dir<'a>(path: &'a str, size: u32, num: u32, processor: Option<&'a str>) -> Directive<'a> {
        Directive::Directory(LogDir {
            path: path.as_bytes(),
            size,
            num,
            processor: processor.map(str::as_bytes),
        })
    }

    #[test]
    fn the_usual_log_run() {
        let (s, ignored) = script(&["t", "./main"]);
        assert!(s.timestamp);
        assert_eq!(
            s.actions.as_slice(),
            &[dir("./main", SIZE_DEFAULT, NUM_DEFAULT, None)]
        );
        assert!(ignored.is_empty());
    }

    #[test]
    fn settings_apply_to_the_directories_after_them() {
        let (s, _) = script(&[
            "/a", "s1000000", "n20", "!gzip", "./b", "s100", "n1", "!", "./c",
        ]);
        assert!(!s.timestamp);
        assert_eq!(
            s.actions.as_slice(),
            &[
                dir("/a", SIZE_DEFAULT, NUM_DEFAULT, None),
                dir("./b", 1_000_000, 20, Some("gzip")),
                dir("./c", SIZE_MIN, NUM_MIN, None),
            ]
        );
    }

    #[test]
    fn selections_alerts_and_status_files_in_order() {
        let (s, _) = script(&["-*", "+* fatal: *", "e", "=last", "./errors"]);
        assert_eq!(
            s.actions.as_slice(),
            &[
                Directive::Deselect(b"*"),
                Directive::Select(b"* fatal: *"),
                Directive::Alert,
                Directive::Status(b"last"),
                dir("./errors", SIZE_DEFAULT, NUM_DEFAULT, None),
            ]
        );
    }

    #[test]
    fn numbers_read_like_scan_ulong_and_clamp() {
        let (s, _) = script(&["sabc", "n", "./a", "s99999999999", "n7x", "./b"]);
        assert_eq!(
            s.actions.as_slice(),
            &[
                dir("./a", SIZE_MIN, NUM_MIN, None),
                dir("./b", SIZE_MAX, 7, None)
            ]
        );
    }

    #[test]
    fn t_counts_only_first_and_unknown_words_are_reported() {
        let (s, ignored) = script(&["tfoo", "bogus", "t", "./a"]);
        assert!(s.timestamp);
        assert_eq!(ignored, ["bogus", "t"]);
        let (s, ignored) = script(&["s5000", "t", "./a"]);
        assert!(!s.timestamp);
        assert_eq!(ignored, ["t"]);
        let (s, _) = script(&[]);
        assert!(!s.timestamp && s.actions.is_empty());
    }

    #[test]
    fn too_many_actions_is_an_error_not_a_panic() {
        let words: Vec<&[u8]> = (0..=MAX_DIRECTIVES).map(|_| &b"e"[..]).collect();
        assert_eq!(
            parse(words, |_| {}).err(),
            Some(ScriptError::TooManyActions)
        );
    }
}
