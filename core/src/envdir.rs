//! The value `envdir` takes from a file, as daemontools 0.76 does: an empty file removes
//! the variable; otherwise the first line, with trailing spaces and tabs removed and NUL
//! bytes turned into newlines, is the value.

/// What a file's first bytes mean for its variable.
#[derive(Debug, PartialEq, Eq)]
pub enum Setting {
    /// The file is empty: remove the variable.
    Remove,
    /// Set the variable to the first `len` bytes of the buffer, now rewritten in place.
    Set(usize),
}

/// Reads a file's contents (at least up to its first newline, or all of it) from `buf`
/// and rewrites its first line in place into the value.
pub fn setting(buf: &mut [u8]) -> Setting {
    if buf.is_empty() {
        return Setting::Remove;
    }
    let line = buf.split_mut(|&c| c == b'\n').next().unwrap_or_default();
    let blanks = line.iter().rev().take_while(|c| matches!(c, b' ' | b'\t'));
    let len = line.len() - blanks.count();
    for c in line.iter_mut().take(len) {
        if *c == 0 {
            *c = b'\n';
        }
    }
    Setting::Set(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &[u8]) -> Option<Vec<u8>> {
        let mut buf = text.to_vec();
        match setting(&mut buf) {
            Setting::Remove => None,
            Setting::Set(n) => Some(buf[..n].to_vec()),
        }
    }

    #[test]
    fn like_the_original() {
        assert_eq!(value(b""), None);
        assert_eq!(value(b"\n"), Some(vec![]));
        assert_eq!(value(b"value\nsecond line\n"), Some(b"value".to_vec()));
        assert_eq!(value(b"trailing \t \t\n"), Some(b"trailing".to_vec()));
        assert_eq!(value(b"  lead kept"), Some(b"  lead kept".to_vec()));
        assert_eq!(value(b"a\0b\0\n"), Some(b"a\nb\n".to_vec()));
        assert_eq!(value(b"no newline  "), Some(b"no newline".to_vec()));
        assert_eq!(value(b" \t"), Some(vec![]));
    }
}
