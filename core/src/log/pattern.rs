//! multilog's patterns, as in daemontools 0.76: a pattern matches a whole line; `*`
//! stands for any run of characters that does not contain the pattern character after
//! it (a `*` at the end stands for the rest of the line); every other character stands
//! for itself. Only the first [`MATCH_MAX`] bytes of a line are looked at.

/// Bytes of a line that patterns see.
pub const MATCH_MAX: usize = 1000;

/// Whether `pattern` matches `line` (of which only the first [`MATCH_MAX`] bytes count).
pub fn matches(pattern: &[u8], line: &[u8]) -> bool {
    let mut line = &line[..line.len().min(MATCH_MAX)];
    let mut rest = pattern;
    loop {
        match rest {
            [] => return line.is_empty(),
            [b'*', tail @ ..] => {
                let Some(next) = tail.first() else {
                    return true; // a `*` at the end: the rest of the line
                };
                // Skip to the next occurrence of the character after the star.
                match line.iter().position(|c| c == next) {
                    Some(i) => line = line.get(i..).unwrap_or_default(),
                    None => return false,
                }
                rest = tail;
            }
            [c, tail @ ..] => {
                match line.split_first() {
                    Some((first, after)) if first == c => line = after,
                    _ => return false,
                }
                rest = tail;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, line, matches), each checked against daemontools 0.76's multilog.
    const CASES: &[(&str, &str, bool)] = &[
        ("a*", "abc", true),
        ("a*", "a", true),
        ("a*", "xc", false),
        ("a*", "", false),
        ("*", "", true),
        ("*", "anything", true),
        ("a*c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "a", false),
        ("*c", "xc", true),
        ("*c", "a", false),
        ("ab", "ab", true),
        ("ab", "abc", false),
        ("ab", "a", false),
        ("", "", true),
        ("", "x", false),
        // The star stops at the first occurrence of the next character.
        ("*b", "abab", false),
        ("*b*", "abab", true),
        ("* fatal: *", "dns: fatal: oops", true),
        ("* fatal: *", "warning", false),
        // Two stars: the second is a literal character to look for.
        ("a**", "ab*c", true),
    ];

    #[test]
    fn like_the_original() {
        for &(pattern, line, want) in CASES {
            assert_eq!(
                matches(pattern.as_bytes(), line.as_bytes()),
                want,
                "{pattern:?} ~ {line:?}"
            );
        }
    }

    #[test]
    fn only_the_first_1000_bytes_count() {
        let mut line = vec![b'x'; MATCH_MAX];
        line.extend(b"tail");
        assert!(matches(b"*", &line));
        assert!(!matches(b"*tail", &line));
        assert!(matches(&[b'x'; MATCH_MAX], &line));
    }
}
