//! multilog's pure parts on arbitrary bytes: the script parser and pattern matcher never
//! panic and keep every directory's settings within the documented limits; the
//! ring-buffer writer, driven by random pushes, short writes and refused writes, hands
//! every byte out exactly once, in order, and never lets `current` exceed its size;
//! archive names read from a directory never make a new archive sort before them.
#![no_main]

use dt_core::log::archive::{self, Census, Kind};
use dt_core::log::pattern::matches;
use dt_core::log::route::route;
use dt_core::log::script::{Action, NUM_MIN, SIZE_MAX, SIZE_MIN, parse};
use dt_core::log::writer::Writer;
use dt_core::tai64::Tai64N;
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
        let _ = route(&script, words.last().copied().unwrap_or_default());
    }
    if let [pattern, .., line] = words.as_slice() {
        let _ = matches(pattern, line);
    }
    drive_writer(data);
    archive_names(&words);
});

/// Each word as a directory entry; the first 12 bytes of the input are the clock. A new
/// archive's name sorts after every archive name of our form seen, and its stamp reads
/// back from it.
fn archive_names(words: &[&[u8]]) {
    let mut census = Census::default();
    for word in words {
        census.see(word);
    }
    let mut clock = [0u8; 12];
    let head = words.first().copied().unwrap_or_default();
    let n = head.len().min(12);
    clock[..n].copy_from_slice(&head[..n]);
    let now = Tai64N::unpack(clock);
    let stamp = census.stamp_after(now);
    let name = archive::name(stamp, Kind::Safe);
    assert_eq!(archive::stamp_of(&name), Some(stamp));
    for word in words {
        if let Some(seen) = archive::stamp_of(word) {
            assert!(stamp > seen || (seen.secs == u64::MAX && seen.nanos >= 999_999_999));
            assert!(name[..25] > word[..25] || stamp.secs < seen.secs);
        }
    }
}

/// The first bytes choose the ring size and the size limit; each later byte is either a
/// piece of input or a disk event.
fn drive_writer(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let mut ring = vec![0u8; 1 + usize::from(*a) * 7];
    let size = SIZE_MIN + u32::from(*b) * 13;
    let mut writer = Writer::new(&mut ring, size, 0);
    let (mut files, mut file) = (Vec::new(), Vec::new());
    let mut sent = Vec::new();
    for chunk in rest.chunks(5) {
        let (&op, bytes) = chunk.split_first().unwrap();
        match op % 4 {
            0 | 1 => {
                let n = writer.push(bytes);
                sent.extend_from_slice(&bytes[..n]);
            }
            2 => writer.wrote(0), // a refused write changes nothing
            _ => {
                let (x, y) = writer.pending();
                let both = [x, y].concat();
                let n = both.len().min(usize::from(op));
                file.extend_from_slice(&both[..n]);
                writer.wrote(n);
                if op & 0x80 != 0 {
                    writer.alarm();
                }
            }
        }
        if writer.rotation_due() {
            assert!(file.len() <= size as usize);
            files.push(std::mem::take(&mut file));
            writer.rotated();
        }
    }
    let (x, y) = writer.pending();
    file.extend_from_slice(&[x, y].concat());
    assert!(file.len() <= size as usize);
    files.push(file);
    assert_eq!(files.concat(), sent);
}
