//! The two copies of a line's head that multilog hands out besides the log directories:
//! the `e` alert line on stderr and the `=file` status file.
//!
//! Both see the head as patterns do: the label (with `t`) and the line's first bytes, at
//! most [`HEAD_MAX`], without the newline.

use super::pattern::MATCH_MAX;
use crate::copy;

/// A line's first bytes, as patterns, `e` and `=file` see them (label included).
pub const HEAD_MAX: usize = MATCH_MAX;
/// Bytes of a line that `e` copies before `...`.
pub const ALERT_MAX: usize = 200;
/// Size of a status file: the head, padded with newlines.
pub const STATUS_LEN: usize = HEAD_MAX + 1;

/// The `e` line for a head (`ended`: the head holds the whole line): its first
/// [`ALERT_MAX`] bytes, then a newline, or `...` and a newline when the line is longer.
/// At most 204 bytes, written with one `writev`, so even to a pipe it is never torn.
pub fn alert(head: &[u8], ended: bool) -> [&[u8]; 2] {
    let n = head.len().min(ALERT_MAX);
    let tail: &'static [u8] = if head.len() > ALERT_MAX || !ended {
        b"...\n"
    } else {
        b"\n"
    };
    [&head[..n], tail]
}

/// The contents of a status file for a head, written into `file`: the head (at most
/// [`HEAD_MAX`] bytes), padded with newlines to [`STATUS_LEN`] bytes.
pub fn status(file: &mut [u8; STATUS_LEN], head: &[u8]) {
    let n = copy::prefix(file, head.get(..HEAD_MAX).unwrap_or(head));
    file.get_mut(n..).unwrap_or_default().fill(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert_bytes(head: &[u8], ended: bool) -> Vec<u8> {
        alert(head, ended).concat()
    }

    #[test]
    fn a_short_line_alerts_whole_with_its_newline() {
        assert_eq!(
            alert_bytes(b"dns: fatal: oops", true),
            b"dns: fatal: oops\n"
        );
        assert_eq!(alert_bytes(b"", true), b"\n");
    }

    #[test]
    fn a_line_over_200_bytes_alerts_its_first_200_and_dots() {
        let head = [b'x'; 201];
        let mut want = vec![b'x'; 200];
        want.extend_from_slice(b"...\n");
        assert_eq!(alert_bytes(&head, true), want);
        assert_eq!(
            alert_bytes(&head[..200], true),
            [&[b'x'; 200][..], b"\n"].concat()
        );
    }

    #[test]
    fn a_head_cut_before_the_line_ended_alerts_with_dots() {
        assert_eq!(alert_bytes(b"abc", false), b"abc...\n");
    }

    fn status_bytes(head: &[u8]) -> [u8; STATUS_LEN] {
        let mut file = [b'x'; STATUS_LEN]; // whatever the last status left
        status(&mut file, head);
        file
    }

    #[test]
    fn a_status_file_is_the_head_padded_with_newlines_to_1001_bytes() {
        let file = status_bytes(b"hello");
        assert_eq!(file.len(), 1001);
        assert_eq!(&file[..6], b"hello\n");
        assert!(file[5..].iter().all(|&b| b == b'\n'));
        let full = [b'y'; HEAD_MAX];
        let file = status_bytes(&full);
        assert_eq!(&file[..HEAD_MAX], &full[..]);
        assert_eq!(file[HEAD_MAX], b'\n');
        assert_eq!(status_bytes(b""), [b'\n'; STATUS_LEN]);
    }
}
