//! The ring-buffer writer of one log directory: it batches the bytes bound for `current`
//! into large writes, decides where `current` is rotated, and knows exactly which bytes
//! have reached the file.
//!
//! Contract: the caller offers bytes ([`Writer::acceptable`], then [`Writer::push`]),
//! writes what [`Writer::pending`] shows and reports how much the kernel took
//! ([`Writer::wrote`]); nothing else removes bytes, so a failed write is simply tried
//! again later: no byte is lost or written twice. Bytes are taken only up to the next
//! rotation point ([`super::rotation`], or the end of the line after [`Writer::alarm`]);
//! once everything before it is written, [`Writer::rotation_due`] says so, and
//! [`Writer::rotated`] starts the next file.

use super::rotation::next_chunk;
use crate::copy;
use crate::search::find_byte;

/// Buffered bytes for `current`, in a caller-provided ring.
#[derive(Debug)]
pub struct Writer<'b> {
    ring: &'b mut [u8],
    /// Index of the oldest unwritten byte.
    start: usize,
    /// Unwritten bytes, from `start` on (wrapping).
    len: usize,
    /// The directory's size limit for `current`.
    size: u32,
    /// Bytes of `current`: written to the file or buffered.
    in_file: u32,
    /// Rotate at the end of the line in progress (SIGALRM).
    alarm: bool,
    /// Take nothing more until `current` has been rotated.
    rotate_due: bool,
}

impl<'b> Writer<'b> {
    /// A writer for a `current` that already holds `in_file` bytes, rotated before it
    /// exceeds `size`, buffering in `ring` (any non-zero length).
    pub fn new(ring: &'b mut [u8], size: u32, in_file: u32) -> Self {
        Writer {
            ring,
            start: 0,
            len: 0,
            size,
            in_file,
            alarm: false,
            rotate_due: false,
        }
    }

    /// How many leading bytes of `bytes` it takes now: as many as fit in the ring and
    /// belong in this `current` (0 once a rotation is due).
    pub fn acceptable(&self, bytes: &[u8]) -> usize {
        self.chunk(bytes).0
    }

    /// The bytes to take of `bytes` and whether `current` is complete after them.
    fn chunk(&self, bytes: &[u8]) -> (usize, bool) {
        if self.rotate_due {
            return (0, false);
        }
        let free = self.ring.len() - self.len;
        let chunk = next_chunk(self.in_file, self.size, bytes);
        let (mut take, mut rotate) = (chunk.take, chunk.rotate);
        if self.alarm {
            if let Some(i) = bytes.get(..take).and_then(|b| find_byte(b'\n', b)) {
                (take, rotate) = (i + 1, true);
            }
        }
        if take > free {
            (take, rotate) = (free, false);
        }
        (take, rotate)
    }

    /// Takes the first [`Writer::acceptable`]`(bytes)` bytes of `bytes` (or of any
    /// prefix of them) into the ring; returns how many it took.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let (take, rotate) = self.chunk(bytes);
        let bytes = bytes.get(..take).unwrap_or_default(); // `chunk` takes at most `bytes`
        // From the end of the pending bytes on, then from the ring's start: `chunk` takes
        // no more than the free space, so it all fits.
        let end = self.wrap(self.start + self.len);
        let (before, after) = self.ring.split_at_mut_checked(end).unwrap_or_default();
        let first = copy::prefix(after, bytes);
        let take = first + copy::prefix(before, bytes.get(first..).unwrap_or_default());
        self.len += take;
        self.in_file += take as u32;
        if rotate {
            self.rotate_due = true;
            self.alarm = false;
        }
        take
    }

    /// The unwritten bytes, oldest first, as at most two slices (the ring wraps).
    pub fn pending(&self) -> (&[u8], &[u8]) {
        let (before, after) = self.ring.split_at_checked(self.start).unwrap_or_default();
        let first = after.get(..self.len).unwrap_or(after);
        let second = before.get(..self.len - first.len()).unwrap_or(before);
        (first, second)
    }

    /// Whether bytes wait to be written.
    pub fn has_pending(&self) -> bool {
        self.len > 0
    }

    /// Records that the first `n` pending bytes reached the file.
    pub fn wrote(&mut self, n: usize) {
        let n = n.min(self.len);
        self.len -= n;
        self.start = if self.len == 0 {
            0
        } else {
            self.wrap(self.start + n)
        };
    }

    /// Position `i` of the ring, counted on past its end (`i` is a position in the ring
    /// plus at most the ring's length, so less than twice that length: no division).
    fn wrap(&self, i: usize) -> usize {
        i.checked_sub(self.ring.len()).unwrap_or(i)
    }

    /// Whether `current` is complete and written: time to rotate it.
    pub fn rotation_due(&self) -> bool {
        self.rotate_due && self.len == 0
    }

    /// Whether the ring takes nothing more before it is written out or rotated.
    pub fn is_blocked(&self) -> bool {
        self.rotate_due || self.len == self.ring.len()
    }

    /// SIGALRM: rotate as soon as `current` is not empty and the line in progress has
    /// ended. `mid_line`: `current` ends with part of a line whose rest is still to come
    /// (the caller tracks lines; this writer only finds the newline that ends it). An
    /// empty `current` is not rotated.
    pub fn alarm(&mut self, mid_line: bool) {
        if self.in_file == 0 || self.rotate_due {
            return;
        }
        if !mid_line {
            self.rotate_due = true;
        } else {
            self.alarm = true;
        }
    }

    /// A new, empty `current` has replaced the rotated one.
    pub fn rotated(&mut self) {
        self.in_file = 0;
        self.rotate_due = false;
        self.alarm = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a writer like multilog does: offer, write out what is pending (the
    /// `disk` may refuse), rotate when due. Returns the files.
    struct Log<'b> {
        writer: Writer<'b>,
        files: Vec<Vec<u8>>,
    }

    impl<'b> Log<'b> {
        fn new(ring: &'b mut [u8], size: u32) -> Self {
            Log {
                writer: Writer::new(ring, size, 0),
                files: vec![Vec::new()],
            }
        }

        /// Writes at most `limit` pending bytes, as a kernel taking a short write.
        fn write_out(&mut self, limit: usize) {
            let (a, b) = self.writer.pending();
            let both: Vec<u8> = [a, b].concat();
            let n = both.len().min(limit);
            self.files.last_mut().unwrap().extend_from_slice(&both[..n]);
            self.writer.wrote(n);
            if self.writer.rotation_due() {
                self.writer.rotated();
                self.files.push(Vec::new());
            }
        }

        fn feed(&mut self, mut input: &[u8], write_limit: usize) {
            while !input.is_empty() {
                let n = self.writer.push(input);
                input = &input[n..];
                if n == 0 || self.writer.is_blocked() {
                    self.write_out(write_limit);
                }
            }
            while self.writer.has_pending() {
                self.write_out(write_limit);
            }
        }
    }

    fn lines(count: usize, length: usize) -> Vec<u8> {
        (0..count)
            .flat_map(|i| {
                let mut line = format!("{i:0width$}", width = length - 1).into_bytes();
                line.push(b'\n');
                line
            })
            .collect()
    }

    #[test]
    fn every_byte_arrives_once_in_order_whatever_the_ring_and_the_writes() {
        let input = lines(500, 100);
        for ring_len in [1, 7, 100, 4096, 65536] {
            for write_limit in [1, 3, 1000, usize::MAX] {
                let mut ring = vec![0u8; ring_len];
                let mut log = Log::new(&mut ring, 4096);
                log.feed(&input, write_limit);
                assert_eq!(
                    log.files.concat(),
                    input,
                    "ring {ring_len} writes {write_limit}"
                );
                let sizes: Vec<usize> = log.files.iter().map(Vec::len).collect();
                assert!(
                    sizes[..sizes.len() - 1].iter().all(|&s| s == 2100),
                    "{sizes:?}"
                );
            }
        }
    }

    #[test]
    fn a_refused_write_keeps_the_bytes_for_the_next_try() {
        let mut ring = [0u8; 16];
        let mut w = Writer::new(&mut ring, 4096, 0);
        assert_eq!(w.push(b"0123456789abcdefXYZ"), 16);
        assert!(w.is_blocked());
        w.wrote(0); // the disk is full
        assert_eq!(w.pending(), (&b"0123456789abcdef"[..], &b""[..]));
        w.wrote(10);
        assert_eq!(w.push(b"XYZ"), 3);
        assert_eq!(w.pending(), (&b"abcdef"[..], &b"XYZ"[..]));
        w.wrote(9);
        assert!(!w.has_pending());
    }

    #[test]
    fn the_size_rule_cuts_long_lines_and_rotates_at_newlines() {
        let mut ring = vec![0u8; 8192];
        let mut log = Log::new(&mut ring, 4096);
        let mut input = vec![b'y'; 4200];
        input.extend(b"\nafter\n");
        log.feed(&input, usize::MAX);
        let sizes: Vec<usize> = log.files.iter().map(Vec::len).collect();
        assert_eq!(sizes, [4096, 111]);
    }

    #[test]
    fn nothing_is_taken_while_a_rotation_waits() {
        let mut ring = [0u8; 8192];
        let mut w = Writer::new(&mut ring, 4096, 4000);
        assert_eq!(w.push(b"line\nmore\n"), 5);
        assert_eq!(w.acceptable(b"more\n"), 0);
        assert!(!w.rotation_due(), "the line is not written yet");
        w.wrote(5);
        assert!(w.rotation_due());
        w.rotated();
        assert_eq!(w.push(b"more\n"), 5);
    }

    #[test]
    fn an_alarm_rotates_at_the_end_of_the_line_in_progress() {
        let mut ring = [0u8; 64];
        let mut w = Writer::new(&mut ring, 4096, 0);
        w.alarm(false);
        assert!(!w.is_blocked(), "an empty current is not rotated");
        assert_eq!(w.push(b"one\npart"), 8);
        w.alarm(true);
        assert_eq!(w.push(b"ial\nnext\n"), 4);
        w.wrote(12);
        assert!(w.rotation_due());
        w.rotated();
        assert_eq!(w.push(b"next\n"), 5);
        w.alarm(false);
        assert!(w.is_blocked(), "at a line's end the rotation is immediate");
    }

    #[test]
    fn a_current_left_by_an_earlier_run_counts_toward_the_size() {
        let mut ring = [0u8; 64];
        let w = Writer::new(&mut ring, 4096, 4090);
        assert_eq!(w.acceptable(b"0123456789"), 6);
    }
}
