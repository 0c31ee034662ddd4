//! readproctitle's window: the last bytes of its input, shown in its own argument so
//! that `ps` displays them.
//!
//! Contract (daemontools 0.76): the argument must be at least [`MIN_TITLE`] bytes; its
//! first three bytes stay as they are, and the rest shows the most recent input bytes,
//! scrolling left as new ones arrive.

/// Shortest usable argument.
pub const MIN_TITLE: usize = 5;
/// Leading bytes that never scroll.
const KEPT: usize = 3;

/// Scrolls `bytes` into the window of `title` (which must be [`MIN_TITLE`] or longer).
pub fn scroll(title: &mut [u8], bytes: &[u8]) {
    let Some(window) = title.get_mut(KEPT..) else {
        return;
    };
    let n = bytes.len().min(window.len());
    window.copy_within(n.., 0);
    // The last n bytes of the input into the last n of the window.
    for (slot, &b) in window.iter_mut().rev().zip(bytes.iter().rev()) {
        *slot = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(title: &str, inputs: &[&[u8]]) -> String {
        let mut t = title.as_bytes().to_vec();
        for input in inputs {
            scroll(&mut t, input);
        }
        String::from_utf8_lossy(&t).into_owned()
    }

    #[test]
    fn like_the_original() {
        assert_eq!(after(".....", &[b"abcdefg"]), "...fg");
        assert_eq!(after(".....", &[b"ab"]), "...ab");
        assert_eq!(after(".....", &[b""]), ".....");
        assert_eq!(after("..........", &[b"hello\nworld"]), "...o\nworld");
    }

    #[test]
    fn pieces_scroll_as_one_stream() {
        let whole = after("............", &[b"the quick brown fox"]);
        assert_eq!(
            after("............", &[b"the q", b"uick", b" brown f", b"ox"]),
            whole
        );
        assert_eq!(after("......", &[b"a", b"b", b"c", b"d", b"e"]), "...cde");
    }
}
