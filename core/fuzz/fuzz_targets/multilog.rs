//! multilog's pure parts on arbitrary bytes: the script parser and pattern matcher never
//! panic and keep every directory's settings within the documented limits; the
//! ring-buffer writer, driven by random pushes, short writes and refused writes, hands
//! every byte out exactly once, in order, and never lets `current` exceed its size;
//! archive names read from a directory never make a new archive sort before them; the
//! whole multilog machine, fed the input in random pieces with random alarms, short and
//! refused writes and failing processors, gives every directory exactly the lines a
//! simple model routes to it (nothing lost, nothing twice, in order), never a `current`
//! over its size, one processor run per rotation, and the `e` lines and status files the
//! model expects.
#![no_main]

use dt_core::log::archive::{self, Census, Kind};
use dt_core::log::machine::{Action, Event, Multilog};
use dt_core::log::notice::{self, HEAD_MAX, STATUS_LEN};
use dt_core::log::pattern::matches;
use dt_core::log::route::route;
use dt_core::log::script::{Directive, NUM_MIN, SIZE_MAX, SIZE_MIN, Script, parse};
use dt_core::log::writer::Writer;
use dt_core::tai64::Tai64N;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Words separated by NUL, as on a command line; the last word doubles as a line.
    let words: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    if let Ok(script) = parse(words.iter().copied(), |_| {}) {
        for action in &script.actions {
            if let Directive::Directory(dir) = action {
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
    drive_machine(data);
});

/// Scripts for the whole machine: patterns, labels, `e`, `=file`, processors, sizes.
const SCRIPTS: [&[&str]; 5] = [
    &["./a"],
    &["t", "s4096", "./a", "-*", "+*x*", "s5000", "n3", "./b"],
    &[
        "e", "-a*", "=st", "!p", "s4096", "./a", "+*", "./b", "-*b*", "./c",
    ],
    &["t", "-*", "+@*", "./a", "e", "=st"],
    &["s4096", "./a", "./b", "./c", "./d"],
];

/// The first three bytes choose the script, the ring space per directory and the input
/// buffer; then each op byte reads a piece of input (its bytes follow), or rings the
/// alarm, or sets how much a write takes, how many writes fail, how many processors
/// fail. The end of input comes last.
fn drive_machine(data: &[u8]) {
    let [pick, ring, buf, ops @ ..] = data else {
        return;
    };
    let words = SCRIPTS[usize::from(*pick) % SCRIPTS.len()];
    let script = parse(words.iter().map(|w| w.as_bytes()), |_| {}).unwrap();
    let sizes: Vec<usize> = script
        .actions
        .iter()
        .filter_map(|a| match a {
            Directive::Directory(d) => Some(d.size as usize),
            _ => None,
        })
        .collect();
    let mut space = vec![0u8; (1 + usize::from(*ring) * 17) * sizes.len().max(1)];
    let input_len = 1 + usize::from(*buf);
    let mut input = vec![0u8; input_len];
    let mut m = Multilog::new(&script, &mut space, &mut input, &[]).unwrap();
    let mut w = World {
        files: vec![vec![Vec::new()]; sizes.len()],
        write_limit: usize::MAX,
        ..World::default()
    };
    let mut reads: Vec<Vec<u8>> = Vec::new();
    let mut ops = ops;
    while let [op, rest @ ..] = ops {
        ops = rest;
        match op % 8 {
            0..=3 => {
                let n = (usize::from(op / 8) * 3 + 1).min(input_len).min(ops.len());
                if n == 0 {
                    continue;
                }
                let (piece, rest) = ops.split_at(n);
                ops = rest;
                w.run(&mut m);
                if w.exit.is_some() {
                    break;
                }
                m.input()[..n].copy_from_slice(piece);
                m.step(Event::Input {
                    len: n,
                    now: at(reads.len()),
                });
                reads.push(piece.to_vec());
            }
            4 => {
                w.run(&mut m);
                m.step(Event::Alarm);
            }
            5 => w.write_limit = usize::from(op / 8) + 1,
            6 => w.refuse = usize::from(op / 8) % 4,
            _ => w.processor_refuse = usize::from(op / 8) % 3,
        }
    }
    w.run(&mut m);
    if w.exit.is_none() {
        m.step(Event::End);
        w.run(&mut m);
    }
    assert_eq!(w.exit, Some(false));
    check(&script, &reads, &sizes, &w);
}

/// The time of read `i`: each read labels its lines differently.
fn at(i: usize) -> Tai64N {
    Tai64N::from_unix(1_000_000_000 + i as i64, 7)
}

/// What the directories, stderr and status files must hold: each line (a last one
/// without its newline gets one) with the label of the read it began in, routed by its
/// head.
fn check(script: &Script<'_>, reads: &[Vec<u8>], sizes: &[usize], w: &World) {
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut at_start = true;
    for (i, piece) in reads.iter().enumerate() {
        for &b in piece {
            if at_start {
                lines.push((i, Vec::new()));
            }
            lines.last_mut().unwrap().1.push(b);
            at_start = b == b'\n';
        }
    }
    if let Some((_, line)) = lines.last_mut() {
        if line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
    }
    let mut want = vec![Vec::new(); sizes.len()];
    let mut alerts = Vec::new();
    let mut statuses: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut exact_head = false;
    for (i, line) in &lines {
        let mut full = Vec::new();
        if script.timestamp {
            full.extend_from_slice(&at(*i).label());
            full.push(b' ');
        }
        full.extend_from_slice(line);
        let content = &full[..full.len() - 1];
        let head = &content[..content.len().min(HEAD_MAX)];
        exact_head |= content.len() == HEAD_MAX; // whole or not depends on the reads
        let receivers = route(script, head);
        let mut dir = 0;
        for (k, action) in script.actions.iter().enumerate() {
            let receives = receivers >> k & 1 != 0;
            match action {
                Directive::Directory(_) => {
                    if receives {
                        want[dir].extend_from_slice(&full);
                    }
                    dir += 1;
                }
                Directive::Alert if receives => {
                    alerts.extend(notice::alert(head, content.len() <= HEAD_MAX).concat())
                }
                Directive::Status(_) if receives => {
                    let mut file = [0u8; STATUS_LEN];
                    notice::status(&mut file, head);
                    statuses.push((k, file.to_vec()));
                }
                _ => {}
            }
        }
    }
    for (k, files) in w.files.iter().enumerate() {
        assert_eq!(files.concat(), want[k], "directory {k}");
        assert!(
            files.iter().all(|f| f.len() <= sizes[k]),
            "directory {k} over its size"
        );
    }
    let rotations: usize = w.files.iter().map(|f| f.len() - 1).sum();
    let processed: usize = script
        .actions
        .iter()
        .filter_map(|a| match a {
            Directive::Directory(d) => Some(d.processor.is_some()),
            _ => None,
        })
        .zip(&w.files)
        .map(|(p, f)| if p { f.len() - 1 } else { 0 })
        .sum();
    assert_eq!(w.processed, processed, "{rotations} rotations");
    if !exact_head {
        assert_eq!(w.alerts, alerts);
        assert_eq!(w.statuses, statuses);
    }
}

/// The machine's world: directories as lists of files, stderr, status files written.
#[derive(Default)]
struct World {
    files: Vec<Vec<Vec<u8>>>,
    alerts: Vec<u8>,
    statuses: Vec<(usize, Vec<u8>)>,
    processed: usize,
    write_limit: usize,
    refuse: usize,
    processor_refuse: usize,
    exit: Option<bool>,
}

impl World {
    /// Performs actions until the machine asks for input or exits.
    fn run(&mut self, m: &mut Multilog<'_, '_>) {
        let mut processing = None;
        loop {
            let event = match m.next_action() {
                Action::Read => return,
                Action::Exit { failed } => {
                    self.exit = Some(failed);
                    return;
                }
                Action::Write { .. } if self.refuse > 0 => {
                    self.refuse -= 1;
                    Event::Failed
                }
                Action::Write { dir, data } => {
                    let all = data.concat();
                    assert!(!all.is_empty(), "an empty write");
                    let n = all.len().min(self.write_limit);
                    self.files[dir]
                        .last_mut()
                        .unwrap()
                        .extend_from_slice(&all[..n]);
                    Event::Wrote(n)
                }
                Action::Rotate { dir } => {
                    self.files[dir].push(Vec::new());
                    processing = Some(dir);
                    Event::Done
                }
                Action::Process { .. } if self.processor_refuse > 0 => {
                    self.processor_refuse -= 1;
                    Event::Failed
                }
                Action::Process { dir } => {
                    assert_eq!(
                        processing.take(),
                        Some(dir),
                        "a processor without a rotation"
                    );
                    self.processed += 1;
                    Event::Done
                }
                Action::Finish { .. } => Event::Done,
                Action::Alert(line) => {
                    self.alerts.extend_from_slice(&line.concat());
                    Event::Done
                }
                Action::Status { action, file, .. } => {
                    self.statuses.push((action, file.to_vec()));
                    Event::Done
                }
                Action::Pause { ms } => {
                    assert!(ms == 1_000 || ms == 5_000);
                    Event::Resumed
                }
            };
            m.step(event);
        }
    }
}

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
                    writer.alarm(op & 0x40 != 0); // mid-line or not: either way nothing is lost
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
