//! When multilog rotates `current`, as measured on daemontools 0.76 (with input arriving
//! line by line; with bulk input the original's own output buffering shifts the points
//! by up to a buffer, which nothing relies on).
//!
//! - `current` never exceeds the directory's size: a longer line is cut at exactly the
//!   size and goes on in the next file.
//! - At the end of a line, `current` is rotated once it holds at least size - 2000
//!   bytes ([`NEWLINE_WINDOW`]).

/// Within this many bytes of the size, a newline ends the file.
pub const NEWLINE_WINDOW: u32 = 2000;

/// What to do with the next bytes for a log directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// How many of the pending bytes go into `current` now.
    pub take: usize,
    /// Whether `current` is to be rotated after them.
    pub rotate: bool,
}

/// The next chunk of `pending` for a `current` that holds `written` bytes, with the
/// directory's `size` (at least [`super::script::SIZE_MIN`]).
pub fn next_chunk(written: u32, size: u32, pending: &[u8]) -> Chunk {
    let room = size.saturating_sub(written) as usize;
    let window_start = size.saturating_sub(NEWLINE_WINDOW);
    let fits = pending.get(..room).unwrap_or(pending);
    let mut at = 0;
    while let Some(i) = fits
        .get(at..)
        .and_then(|f| crate::search::find_byte(b'\n', f))
    {
        let end = at + i + 1;
        if written as usize + end >= window_start as usize {
            return Chunk {
                take: end,
                rotate: true,
            };
        }
        at = end;
    }
    if pending.len() >= room {
        Chunk {
            take: room,
            rotate: true,
        }
    } else {
        Chunk {
            take: pending.len(),
            rotate: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` through `next_chunk` as one stream; returns the sizes of the files.
    fn files(size: u32, input: &[u8]) -> Vec<usize> {
        let (mut files, mut written, mut rest) = (Vec::new(), 0u32, input);
        while !rest.is_empty() {
            let chunk = next_chunk(written, size, rest);
            written += chunk.take as u32;
            rest = &rest[chunk.take..];
            if chunk.rotate {
                files.push(written as usize);
                written = 0;
            }
        }
        files.push(written as usize);
        files
    }

    fn lines(count: usize, length: usize) -> Vec<u8> {
        (0..count)
            .flat_map(|_| [vec![b'x'; length - 1], vec![b'\n']].concat())
            .collect()
    }

    // Each case was measured with Debian's multilog, input written line by line.
    #[test]
    fn hundred_byte_lines_at_4096_rotate_every_2100() {
        assert_eq!(files(4096, &lines(60, 100)), [2100, 2100, 1800]);
    }

    #[test]
    fn the_window_starts_at_size_minus_2000_inclusive() {
        assert_eq!(files(4100, &lines(45, 100)), [2100, 2100, 300]);
    }

    #[test]
    fn a_line_longer_than_the_size_is_cut_at_the_size() {
        let mut input = vec![b'y'; 4000];
        input.extend(vec![b'z'; 200]);
        input.extend(b"\nafter\n");
        assert_eq!(files(4096, &input), [4096, 111]);
    }

    #[test]
    fn long_lines_end_a_file_each_once_past_the_window() {
        assert_eq!(files(4096, &lines(3, 3006)), [3006, 3006, 3006, 0]);
        assert_eq!(files(4096, &lines(7, 1000)), [3000, 3000, 1000]);
    }

    #[test]
    fn a_partial_line_waits_for_more_input() {
        assert_eq!(
            next_chunk(0, 4096, b"no newline yet"),
            Chunk {
                take: 14,
                rotate: false
            }
        );
        assert_eq!(
            next_chunk(4090, 4096, b"no newline yet"),
            Chunk {
                take: 6,
                rotate: true
            }
        );
        assert_eq!(
            next_chunk(4096, 4096, b"x"),
            Chunk {
                take: 0,
                rotate: true
            }
        );
    }
}
