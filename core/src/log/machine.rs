//! multilog as one machine: input bytes, signals and the outcomes of file operations in;
//! writes, rotations, processor runs, `e` lines, status files, pauses and the exit out.
//!
//! Contract: the machine never does I/O and never reads a clock (the time of a read comes
//! in with it; a pause is a length, which the caller waits out). [`Multilog::next_action`]
//! says what to do next and [`Multilog::step`] takes what happened, in one exhaustive
//! `match (state, event)`. It alone tracks where lines
//! begin and end: each line gets its label once, its route once (from its head, the
//! first [`HEAD_MAX`] bytes), its `e` and `=file` copies once, and then goes to every
//! receiving directory's ring, byte for byte, in order. A byte leaves the input only once
//! every receiving ring has taken it, and leaves a ring only once a write reports it
//! written ([`super::writer`]); a failed write, processor or status write pauses
//! ([`PAUSE_MS`], [`PROCESSOR_PAUSE_MS`]) and is retried, so nothing is lost or written
//! twice. Input is asked for ([`Action::Read`]) only when everything read before is
//! written out, so a quiet service's lines reach the disk at once.

use super::notice::{self, HEAD_MAX, STATUS_LEN};
use super::route::{Route, is_fixed, route};
use super::script::{Directive, MAX_DIRECTIVES, Script};
use super::writer::Writer;
use crate::copy;
use crate::search::find_byte;
use crate::tai64::{LABEL_LEN, Tai64N};

/// Pause after a failed write or status write.
pub const PAUSE_MS: u32 = 1_000;
/// Pause after a failed processor.
pub const PROCESSOR_PAUSE_MS: u32 = 5_000;

/// Something that happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `len` bytes were read into [`Multilog::input`] at `now`.
    Input {
        /// How many.
        len: usize,
        /// When: the label of the lines they begin.
        now: Tai64N,
    },
    /// End of input.
    End,
    /// Reading the input failed (multilog then closes and exits 111).
    ReadFailed,
    /// SIGALRM: rotate every directory at the end of the line in progress.
    Alarm,
    /// SIGTERM: finish the line in progress, then close and exit.
    Terminate,
    /// The [`Action::Write`] wrote this many bytes (maybe fewer than asked).
    Wrote(usize),
    /// The action asked for is done: [`Action::Rotate`], [`Action::Process`],
    /// [`Action::Finish`], [`Action::Alert`] (whatever came of it: `e` lines are never
    /// retried) or [`Action::Status`].
    Done,
    /// The [`Action::Write`], [`Action::Process`] or [`Action::Status`] failed: it is
    /// tried again after a pause.
    Failed,
    /// The [`Action::Pause`] is over.
    Resumed,
}

/// What the caller must do next, then report with the matching [`Event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// Wait for input or a signal; report [`Event::Alarm`], [`Event::Terminate`] and
    /// then what reading [`Multilog::input`] gave.
    Read,
    /// Write these bytes (in order) to `current` of directory `dir`.
    Write {
        /// The directory, counted from 0 in the script's order.
        dir: usize,
        /// The bytes.
        data: [&'a [u8]; 2],
    },
    /// `current` of directory `dir` is complete and written: rotate it (fsync, rename to
    /// `previous`, open a new `current`; archive `previous` unless the directory has a
    /// processor).
    Rotate {
        /// The directory.
        dir: usize,
    },
    /// Run directory `dir`'s processor on `previous` and archive its output.
    Process {
        /// The directory.
        dir: usize,
    },
    /// Directory `dir` is written out for good: fsync `current` and mark it closed.
    Finish {
        /// The directory.
        dir: usize,
    },
    /// Write this `e` line to stderr, in one write.
    Alert([&'a [u8]; 2]),
    /// Write these bytes over the status file of script action `action` (`=file`).
    Status {
        /// The `=file` action's index in the script.
        action: usize,
        /// Its name, as the script gives it.
        name: &'a [u8],
        /// The whole file.
        file: &'a [u8; STATUS_LEN],
    },
    /// Do nothing (read no input, take no signal) for this many milliseconds.
    Pause {
        /// How long.
        ms: u32,
    },
    /// Exit: 0, or 111 when `failed`.
    Exit {
        /// Reading the input failed.
        failed: bool,
    },
}

/// Which rings a flush writes out, and what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    /// Only the rings that take nothing more; then route the rest of the input.
    Blocked,
    /// Every ring; then read on, or close once TERM or the end of input came and no
    /// line is in progress.
    All,
    /// Every ring, each then finished; then exit.
    Close,
}

/// What the machine is doing.
///
/// `repr(u8)` puts the tag first with [`State::Idle`] as 0: without it, 32-bit targets
/// store `Idle` as a niche value, and [`Multilog::empty`] (a static of about 5 KB) would
/// leave `.bss` for `.data`, in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Everything read is written out: waiting for input or a signal.
    Idle,
    /// Routing the input into the rings.
    Feeding,
    /// Copying the new line's head to its `e` and `=file` receivers, from script action
    /// `at` on.
    Notifying {
        /// The script action being served.
        at: usize,
    },
    /// Writing out directory `dir` (and rotating it when due).
    Flushing {
        /// The directory.
        dir: usize,
        /// Why.
        flush: Flush,
    },
    /// Running directory `dir`'s processor.
    Processing {
        /// The directory.
        dir: usize,
        /// The flush it belongs to.
        flush: Flush,
    },
    /// Waiting after a failure, then trying again.
    Paused {
        /// How long.
        ms: u32,
        /// What to try again.
        then: Retry,
    },
    /// Done.
    Exited,
}

/// What a pause retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// A write (in [`State::Flushing`]).
    Write {
        /// The directory.
        dir: usize,
        /// Its flush.
        flush: Flush,
    },
    /// A processor (in [`State::Processing`]).
    Process {
        /// The directory.
        dir: usize,
        /// Its flush.
        flush: Flush,
    },
    /// A status write (in [`State::Notifying`]).
    Status {
        /// The `=file` action.
        at: usize,
    },
}

impl Retry {
    fn state(self) -> State {
        match self {
            Retry::Write { dir, flush } => State::Flushing { dir, flush },
            Retry::Process { dir, flush } => State::Processing { dir, flush },
            Retry::Status { at } => State::Notifying { at },
        }
    }
}

/// The buffers given to [`Multilog::new`] or [`Multilog::start`] are too small: the ring space needs a byte per
/// directory, the input a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoRoom;

/// A log directory's share of the machine.
#[derive(Debug)]
struct Dir<'b> {
    /// Its bit in a [`Route`] (1 << its index among the script's actions).
    bit: Route,
    writer: Writer<'b>,
    /// It has a processor.
    processed: bool,
}

/// The line in progress: its head (label and first bytes) and how far it has gone out.
#[derive(Debug)]
struct Line {
    /// The next byte starts a new line.
    at_start: bool,
    /// Label and first bytes, and the newline when the line ended within them.
    head: [u8; HEAD_MAX + 1],
    len: usize,
    /// Head bytes handed to the directories so far.
    sent: usize,
    /// Some of its bytes are in its receivers' rings.
    begun: bool,
    /// Its receivers, once the head is known.
    route: Option<Route>,
    /// The head holds the whole line.
    ended: bool,
}

impl Line {
    /// Begins a new line, with its label if there is one.
    fn start(&mut self, label: &[u8]) {
        self.len = copy::prefix(&mut self.head, label);
        self.sent = 0;
        self.begun = false;
        self.route = None;
        self.ended = false;
        self.at_start = false;
    }

    /// Adds bytes of `input` to the head, up to its end or the line's; returns how many.
    fn gather(&mut self, input: &[u8]) -> usize {
        let room = self.head.get_mut(self.len..HEAD_MAX).unwrap_or_default();
        let part = input.get(..room.len()).unwrap_or(input);
        let (text, ended) = match find_byte(b'\n', part).and_then(|i| part.split_at_checked(i)) {
            Some((text, _)) => (text, true),
            None => (part, false),
        };
        let n = copy::prefix(room, text);
        self.len += n;
        if ended || (self.len == HEAD_MAX && input.get(n) == Some(&b'\n')) {
            // The head has a byte past HEAD_MAX for this newline.
            if let Some(newline) = self.head.get_mut(self.len) {
                *newline = b'\n';
                self.len += 1;
            }
            self.ended = true;
            return n + 1;
        }
        n
    }

    /// The head without its newline: what patterns, `e` and `=file` see.
    fn content(&self) -> &[u8] {
        let len = self.len - usize::from(self.ended);
        self.head.get(..len).unwrap_or_default()
    }
}

/// How far routing the input got.
enum Fed {
    /// All of it is in the rings (or in the head of a line still unrouted).
    Done,
    /// A ring takes nothing more.
    Stalled,
    /// A line was routed to `e` or `=file` receivers.
    Routed,
}

/// multilog's script at work.
#[derive(Debug)]
pub struct Multilog<'s, 'b> {
    /// `None` until [`Multilog::start`] (so that [`Multilog::empty`] is all zero bytes:
    /// `.bss`, no bytes in the file).
    script: Option<&'s Script<'s>>,
    /// Every line goes to every directory and nothing looks at it.
    fixed: bool,
    /// The script's `e` and `=file` actions.
    notified: Route,
    dirs: heapless::Vec<Dir<'b>, MAX_DIRECTIVES>,
    line: Line,
    /// `None` until [`Multilog::start`].
    input: Option<&'b mut [u8]>,
    /// The input not routed yet: `input[at..end]`.
    at: usize,
    end: usize,
    /// The label of the last read, and a space.
    label: [u8; LABEL_LEN + 1],
    /// TERM or the end of input came: exit once no line is in progress.
    stopping: bool,
    /// Reading the input failed: exit 111.
    read_failed: bool,
    /// The status file being written.
    status: [u8; STATUS_LEN],
    state: State,
}

impl<'s, 'b> Multilog<'s, 'b> {
    /// The machine for `script`, its directories' rings sharing `space` evenly, reading
    /// into `input`; `current_sizes[k]` is what directory `k`'s `current` holds already.
    pub fn new(
        script: &'s Script<'s>,
        space: &'b mut [u8],
        input: &'b mut [u8],
        current_sizes: &[u32],
    ) -> Result<Self, NoRoom> {
        let mut machine = Multilog::empty();
        machine.start(script, space, input, current_sizes)?;
        Ok(machine)
    }

    /// A machine with no script and no buffers yet, to be [started](Multilog::start)
    /// in place. A `const fn`, so that the machine (6 KiB on 64-bit targets) can live in
    /// static memory and never pass through a small stack (multilog runs in 32 KiB); all
    /// zero bytes (`State::Idle` included), so it takes no room in the file.
    pub const fn empty() -> Self {
        Multilog {
            script: None,
            fixed: false,
            notified: 0,
            dirs: heapless::Vec::new(),
            line: Line {
                at_start: false,
                head: [0; HEAD_MAX + 1],
                len: 0,
                sent: 0,
                begun: false,
                route: None,
                ended: false,
            },
            input: None,
            at: 0,
            end: 0,
            label: [0; LABEL_LEN + 1],
            stopping: false,
            read_failed: false,
            status: [0; STATUS_LEN], // written whole before each use
            state: State::Idle,
        }
    }

    /// Sets the machine up, in place, as [`Multilog::new`] builds it. A machine that
    /// ran before starts afresh; after `Err` it is not to be used (as `new` gives none).
    pub fn start(
        &mut self,
        script: &'s Script<'s>,
        space: &'b mut [u8],
        input: &'b mut [u8],
        current_sizes: &[u32],
    ) -> Result<(), NoRoom> {
        // Field by field: a whole new value would be built on the stack first.
        self.dirs.clear();
        self.input = None;
        self.label = [b' '; LABEL_LEN + 1];
        (self.at, self.end) = (0, 0);
        self.line.at_start = true;
        (self.stopping, self.read_failed) = (false, false);
        self.state = State::Idle;
        let dir_count = script
            .actions
            .iter()
            .filter(|a| matches!(a, Directive::Directory(_)))
            .count();
        if space.len() < dir_count || input.is_empty() {
            return Err(NoRoom);
        }
        let mut rings = space.chunks_mut((space.len() / dir_count.max(1)).max(1));
        let mut notified = 0;
        for (i, action) in script.actions.iter().enumerate() {
            match action {
                Directive::Directory(settings) => {
                    let ring = rings.next().ok_or(NoRoom)?;
                    let size = current_sizes.get(self.dirs.len()).copied().unwrap_or(0);
                    let dir = Dir {
                        bit: 1 << i,
                        writer: Writer::new(ring, settings.size, size),
                        processed: settings.processor.is_some(),
                    };
                    self.dirs.push(dir).map_err(|_| NoRoom)?; // at most one per action
                }
                Directive::Alert | Directive::Status(_) => notified |= 1 << i,
                Directive::Select(_) | Directive::Deselect(_) => {}
            }
        }
        self.script = Some(script);
        self.fixed = is_fixed(script) && notified == 0;
        self.notified = notified;
        self.input = Some(input);
        Ok(())
    }

    /// What it is doing.
    pub fn state(&self) -> State {
        self.state
    }

    /// Where to read input to, after [`Action::Read`].
    pub fn input(&mut self) -> &mut [u8] {
        self.input.as_deref_mut().unwrap_or_default()
    }

    /// What to do next. Routing the input and moving on to the next directory happen
    /// here; the same action is returned until its outcome is reported.
    #[inline(never)]
    pub fn next_action(&mut self) -> Action<'_> {
        loop {
            match self.state {
                State::Idle => return Action::Read,
                State::Feeding => match self.feed() {
                    Fed::Done => self.flush(Flush::All, 0),
                    Fed::Stalled => self.flush(Flush::Blocked, 0),
                    Fed::Routed => self.state = State::Notifying { at: 0 },
                },
                State::Notifying { at } => {
                    // The next receiver from `at` on.
                    let rest = (self.line.route.unwrap_or(0) & self.notified)
                        .checked_shr(at as u32)
                        .unwrap_or(0);
                    if rest == 0 {
                        self.state = State::Feeding;
                        continue;
                    }
                    let at = at + rest.trailing_zeros() as usize;
                    self.state = State::Notifying { at };
                    let content = self.line.content();
                    if let Some(&Directive::Status(name)) =
                        self.script.and_then(|s| s.actions.get(at))
                    {
                        notice::status(&mut self.status, content);
                        return Action::Status {
                            action: at,
                            name,
                            file: &self.status,
                        };
                    }
                    return Action::Alert(notice::alert(self.line.content(), self.line.ended));
                }
                State::Flushing { dir, flush } => {
                    let (pending, due) = match self.dirs.get(dir) {
                        Some(d) => (d.writer.has_pending(), d.writer.rotation_due()),
                        None => (false, false),
                    };
                    if pending {
                        return self.write(dir);
                    }
                    if due {
                        return Action::Rotate { dir };
                    }
                    if let (Flush::Close, true) = (flush, dir < self.dirs.len()) {
                        return Action::Finish { dir };
                    }
                    self.flush(flush, dir + 1);
                }
                State::Processing { dir, .. } => return Action::Process { dir },
                State::Paused { ms, .. } => return Action::Pause { ms },
                State::Exited => {
                    return Action::Exit {
                        failed: self.read_failed,
                    };
                }
            }
        }
    }

    /// The write of directory `dir`'s pending bytes.
    fn write(&self, dir: usize) -> Action<'_> {
        let (a, b) = self
            .dirs
            .get(dir)
            .map_or((&[][..], &[][..]), |d| d.writer.pending());
        Action::Write { dir, data: [a, b] }
    }

    /// Takes what happened.
    #[inline(never)]
    pub fn step(&mut self, event: Event) {
        use State::{Exited, Feeding, Flushing, Idle, Notifying, Paused, Processing};
        match (self.state, event) {
            // Input comes only when asked for.
            (Idle, Event::Input { len, now }) => {
                self.at = 0;
                self.end = len.min(self.input.as_deref().map_or(0, <[u8]>::len));
                let [label @ .., _space] = &mut self.label;
                *label = now.label();
                self.state = Feeding;
            }
            // TERM and the end of input: close once no line is in progress (checked
            // again after each read); a last line without its newline gets one, as in
            // the original.
            (Idle, Event::Terminate | Event::End) => {
                self.stopping = true;
                if self.line.at_start {
                    self.flush(Flush::Close, 0);
                } else if let (Event::End, Some(first)) = (event, self.input().first_mut()) {
                    // `new` refuses an empty input buffer.
                    *first = b'\n';
                    (self.at, self.end) = (0, 1);
                    self.state = Feeding;
                }
            }
            (Idle, Event::ReadFailed) => {
                self.read_failed = true;
                self.flush(Flush::Close, 0)
            }
            (
                Feeding
                | Notifying { .. }
                | Flushing { .. }
                | Processing { .. }
                | Paused { .. }
                | Exited,
                Event::Input { .. } | Event::End | Event::ReadFailed,
            ) => {}
            (
                Feeding
                | Notifying { .. }
                | Flushing { .. }
                | Processing { .. }
                | Paused { .. }
                | Exited,
                Event::Terminate,
            ) => self.stopping = true,
            // ALRM: every directory rotates at the end of its line in progress, at once
            // when idle.
            (
                Idle
                | Feeding
                | Notifying { .. }
                | Flushing { .. }
                | Processing { .. }
                | Paused { .. }
                | Exited,
                Event::Alarm,
            ) => {
                self.alarm();
                if matches!(self.state, Idle) {
                    self.flush(Flush::All, 0);
                }
            }
            // Writing out: bytes leave the ring only as the kernel takes them.
            (Flushing { dir, .. }, Event::Wrote(n)) => {
                if let Some(d) = self.dirs.get_mut(dir) {
                    d.writer.wrote(n);
                }
            }
            // Rotated (and the processor's turn if it has one), or finished.
            (Flushing { dir, flush }, Event::Done) => match self.dirs.get_mut(dir) {
                Some(d) if d.writer.rotation_due() => {
                    if d.processed {
                        self.state = Processing { dir, flush };
                    } else {
                        d.writer.rotated();
                    }
                }
                Some(_) | None => self.flush(flush, dir + 1),
            },
            (Processing { dir, flush }, Event::Done) => {
                if let Some(d) = self.dirs.get_mut(dir) {
                    d.writer.rotated();
                }
                self.state = Flushing { dir, flush };
            }
            // `e` and `=file`, one receiver after the other.
            (Notifying { at }, Event::Done) => self.state = Notifying { at: at + 1 },
            // Failures: a pause, then the same again.
            (Flushing { dir, flush }, Event::Failed) => {
                self.state = Paused {
                    ms: PAUSE_MS,
                    then: Retry::Write { dir, flush },
                }
            }
            (Processing { dir, flush }, Event::Failed) => {
                self.state = Paused {
                    ms: PROCESSOR_PAUSE_MS,
                    then: Retry::Process { dir, flush },
                }
            }
            (Notifying { at }, Event::Failed) => {
                self.state = Paused {
                    ms: PAUSE_MS,
                    then: Retry::Status { at },
                }
            }
            (Paused { then, .. }, Event::Resumed) => self.state = then.state(),
            // Outcomes of actions not asked for.
            (
                Idle | Feeding | Paused { .. } | Exited,
                Event::Wrote(_) | Event::Done | Event::Failed,
            )
            | (Notifying { .. } | Processing { .. }, Event::Wrote(_))
            | (
                Idle | Feeding | Notifying { .. } | Flushing { .. } | Processing { .. } | Exited,
                Event::Resumed,
            ) => {}
        }
    }

    /// Gives every directory SIGALRM's news, with whether its `current` ends in the
    /// middle of the line in progress.
    fn alarm(&mut self) {
        let line = &self.line;
        let receivers = match (line.at_start, line.begun, line.route) {
            (false, true, Some(r)) => r,
            _ => 0,
        };
        for d in self.dirs.iter_mut() {
            d.writer.alarm(receivers & d.bit != 0);
        }
    }

    /// Goes on with the flush `flush` at directory `from`: the next directory it writes
    /// out, or what follows it.
    fn flush(&mut self, flush: Flush, from: usize) {
        let mut dir = from;
        while let Some(d) = self.dirs.get(dir) {
            if flush != Flush::Blocked || d.writer.is_blocked() {
                self.state = State::Flushing { dir, flush };
                return;
            }
            dir += 1;
        }
        self.state = match flush {
            Flush::Blocked => State::Feeding,
            Flush::All if self.stopping && self.line.at_start => {
                return self.flush(Flush::Close, 0);
            }
            Flush::All => State::Idle,
            Flush::Close => State::Exited,
        }
    }

    /// Hands on as much of the input as the rings take.
    fn feed(&mut self) -> Fed {
        let Some(script) = self.script else {
            return Fed::Done; // not started: no input either
        };
        let input = self.input.as_deref().and_then(|i| i.get(self.at..self.end));
        let input = input.unwrap_or_default();
        let label: &[u8] = if script.timestamp { &self.label } else { &[] };
        let (used, fed) = take(
            script,
            self.fixed,
            self.notified,
            &mut self.dirs,
            &mut self.line,
            input,
            label,
        );
        self.at += used;
        fed
    }
}

/// Routes lines of `input` and hands them to their directories until the input is used
/// up, a ring is full or a line needs its `e` and `=file` copies; returns how much of
/// `input` went.
fn take(
    script: &Script<'_>,
    fixed: bool,
    notified: Route,
    dirs: &mut [Dir<'_>],
    line: &mut Line,
    input: &[u8],
    label: &[u8],
) -> (usize, Fed) {
    let mut used = 0;
    loop {
        if line.at_start {
            if used == input.len() {
                return (used, Fed::Done);
            }
            line.start(label);
        }
        let receivers = match line.route {
            Some(r) => r,
            None if fixed => *line.route.insert(route(script, b"")),
            None => {
                used += line.gather(input.get(used..).unwrap_or_default());
                if !line.ended && line.len < HEAD_MAX {
                    return (used, Fed::Done); // the head is not complete yet
                }
                let r = *line.route.insert(route(script, line.content()));
                if r & notified != 0 {
                    return (used, Fed::Routed);
                }
                r
            }
        };
        while line.sent < line.len {
            let unsent = line.head.get(line.sent..line.len).unwrap_or_default();
            match deliver(dirs, receivers, unsent) {
                0 => return (used, Fed::Stalled),
                n => (line.sent, line.begun) = (line.sent + n, true),
            }
        }
        if line.ended {
            line.at_start = true;
            continue;
        }
        let rest = input.get(used..).unwrap_or_default();
        let (chunk, ends) = match find_byte(b'\n', rest).and_then(|i| rest.get(..=i)) {
            Some(line) => (line, true),
            None => (rest, false),
        };
        if chunk.is_empty() {
            return (used, Fed::Done);
        }
        let n = deliver(dirs, receivers, chunk);
        used += n;
        line.begun |= n > 0;
        if n < chunk.len() {
            return (used, Fed::Stalled);
        }
        line.at_start = ends;
    }
}

/// Gives `bytes` (or as many of them as every receiving ring takes) to the directories
/// in `receivers`; returns how many went. Bytes no directory receives count as gone.
fn deliver(dirs: &mut [Dir<'_>], receivers: Route, bytes: &[u8]) -> usize {
    let receives = |d: &Dir<'_>| receivers & d.bit != 0;
    let n = dirs
        .iter()
        .filter(|d| receives(d))
        .fold(bytes.len(), |n, d| n.min(d.writer.acceptable(bytes)));
    for d in dirs.iter_mut().filter(|d| receives(d)) {
        d.writer.push(bytes.get(..n).unwrap_or_default()); // n is at most bytes.len()
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::script::parse;

    fn script(words: &[&str]) -> Script<'static> {
        let words: Vec<&'static [u8]> = words
            .iter()
            .map(|w| &*Box::leak(w.as_bytes().to_vec().into_boxed_slice()))
            .collect();
        parse(words, |_| {}).unwrap()
    }

    const NOW: Tai64N = Tai64N::from_unix(1_700_000_000, 5);

    fn label() -> Vec<u8> {
        let mut l = NOW.label().to_vec();
        l.push(b' ');
        l
    }

    /// A world for the machine: directories as lists of files, stderr, status files;
    /// writes take at most `write_limit` bytes, and `refuse` writes fail first.
    #[derive(Default)]
    struct World {
        files: Vec<Vec<Vec<u8>>>,
        alerts: Vec<u8>,
        statuses: Vec<(usize, Vec<u8>)>,
        finished: Vec<usize>,
        processed: Vec<usize>,
        write_limit: usize,
        refuse: usize,
        processor_refuse: usize,
        paused: u64,
        exit: Option<bool>,
    }

    impl World {
        fn new(dirs: usize) -> World {
            World {
                files: vec![vec![Vec::new()]; dirs],
                write_limit: usize::MAX,
                ..World::default()
            }
        }

        /// Performs actions until the machine asks for input (or exits).
        fn run(&mut self, m: &mut Multilog<'_, '_>) {
            for _ in 0..1_000_000 {
                let event = match m.next_action() {
                    Action::Read => return,
                    Action::Exit { failed } => {
                        self.exit = Some(failed);
                        return;
                    }
                    Action::Write { dir, data } if self.refuse > 0 => {
                        let _ = (dir, data);
                        self.refuse -= 1;
                        Event::Failed
                    }
                    Action::Write { dir, data } => {
                        let all = data.concat();
                        let n = all.len().min(self.write_limit);
                        self.files[dir]
                            .last_mut()
                            .unwrap()
                            .extend_from_slice(&all[..n]);
                        Event::Wrote(n)
                    }
                    Action::Rotate { dir } => {
                        self.files[dir].push(Vec::new());
                        Event::Done
                    }
                    Action::Process { .. } if self.processor_refuse > 0 => {
                        self.processor_refuse -= 1;
                        Event::Failed
                    }
                    Action::Process { dir } => {
                        self.processed.push(dir);
                        Event::Done
                    }
                    Action::Finish { dir } => {
                        self.finished.push(dir);
                        Event::Done
                    }
                    Action::Alert(line) => {
                        self.alerts.extend_from_slice(&line.concat());
                        Event::Done
                    }
                    Action::Status { action, file, .. } => {
                        self.statuses.push((action, file.to_vec()));
                        Event::Done
                    }
                    Action::Pause { ms } => {
                        self.paused += u64::from(ms);
                        Event::Resumed
                    }
                };
                m.step(event);
            }
            panic!("the machine never settles");
        }

        /// Reads `chunk` (or the end of input, if empty) and runs.
        fn read(&mut self, m: &mut Multilog<'_, '_>, chunk: &[u8]) {
            assert_eq!(m.next_action(), Action::Read);
            if chunk.is_empty() {
                m.step(Event::End);
            } else {
                m.input()[..chunk.len()].copy_from_slice(chunk);
                m.step(Event::Input {
                    len: chunk.len(),
                    now: NOW,
                });
            }
            self.run(m);
        }

        /// Everything directory `dir` received, across its files.
        fn log(&self, dir: usize) -> Vec<u8> {
            self.files[dir].concat()
        }
    }

    /// Runs `input` through a machine for `words`, read in pieces of `chunk` bytes, then
    /// the end of input; returns the world.
    fn log(words: &[&str], ring: usize, chunk: usize, input: &[u8]) -> World {
        let s = script(words);
        let dirs = s
            .actions
            .iter()
            .filter(|a| matches!(a, Directive::Directory(_)))
            .count();
        let (mut space, mut buf) = (vec![0; ring * dirs.max(1)], vec![0; chunk]);
        let mut m = Multilog::new(&s, &mut space, &mut buf, &[]).unwrap();
        let mut w = World::new(dirs);
        for piece in input.chunks(chunk) {
            w.read(&mut m, piece);
        }
        w.read(&mut m, b"");
        assert_eq!(w.exit, Some(false));
        w
    }

    #[test]
    fn a_machine_started_in_place_after_a_run_starts_afresh() {
        let (first, second) = (script(&["t", "e", "./a"]), script(&["-x*", "./a", "./b"]));
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let (mut space2, mut input2) = ([0; 64], [0; 16]);
        let mut m = Multilog::empty();
        m.start(&first, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"partial");
        assert_eq!(w.alerts.len(), 0, "the head is not complete yet");
        m.start(&second, &mut space2, &mut input2, &[0, 10])
            .unwrap();
        let mut w = World::new(2);
        w.read(&mut m, b"xy\nab\n");
        w.read(&mut m, b"");
        assert_eq!((w.log(0), w.log(1)), (b"ab\n".to_vec(), b"ab\n".to_vec()));
        assert_eq!(w.exit, Some(false));
        let (mut space, mut input) = ([0; 1], [0; 1]);
        let mut m = Multilog::empty();
        assert_eq!(m.start(&second, &mut space, &mut input, &[]), Err(NoRoom));
    }

    // State x event.

    #[test]
    fn idle_input_routes_writes_everything_out_and_reads_again() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"one\ntw");
        assert_eq!(m.state(), State::Idle);
        assert_eq!(w.log(0), b"one\ntw", "a partial line is written at once");
        w.read(&mut m, b"o\n");
        assert_eq!(w.log(0), b"one\ntwo\n");
    }

    #[test]
    fn idle_end_at_a_line_start_finishes_every_directory_and_exits_0() {
        let w = log(&["./a", "./b"], 64, 8, b"x\n");
        assert_eq!(w.finished, [0, 1]);
        assert_eq!(w.exit, Some(false));
    }

    #[test]
    fn idle_end_mid_line_adds_the_newline() {
        let w = log(&["./a"], 64, 8, b"x\nlast");
        assert_eq!(w.log(0), b"x\nlast\n");
    }

    #[test]
    fn idle_read_failed_closes_without_ending_the_line_and_exits_111() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"half");
        m.step(Event::ReadFailed);
        w.run(&mut m);
        assert_eq!(
            (w.log(0), w.exit, w.finished),
            (b"half".to_vec(), Some(true), vec![0])
        );
    }

    #[test]
    fn idle_terminate_at_a_line_start_closes_at_once() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"done\n");
        m.step(Event::Terminate);
        w.run(&mut m);
        assert_eq!(w.exit, Some(false));
    }

    #[test]
    fn idle_terminate_mid_line_reads_on_until_the_line_ends() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 32]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"half");
        m.step(Event::Terminate);
        w.run(&mut m);
        assert_eq!(w.exit, None);
        w.read(&mut m, b" and end\nnext");
        assert_eq!(w.exit, None, "a read ending mid-line starts another");
        w.read(&mut m, b"\n");
        assert_eq!(w.exit, Some(false));
        assert_eq!(w.log(0), b"half and end\nnext\n");
    }

    #[test]
    fn idle_alarm_rotates_each_directory_at_the_end_of_its_line() {
        let s = script(&["./a", "-*", "+b*", "./b"]);
        let (mut space, mut input) = ([0; 4096], [0; 2048]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(2);
        let long = [b'x'; 1200]; // routed (the head is complete) and half written
        w.read(
            &mut m,
            &[
                &b"b1
"[..],
                &long,
            ]
            .concat(),
        );
        m.step(Event::Alarm);
        w.run(&mut m);
        // ./b holds whole lines: rotated at once; ./a holds part of the x line.
        assert_eq!(w.files[1], [b"b1\n".to_vec(), vec![]]);
        assert_eq!(w.files[0], [[&b"b1\n"[..], &long].concat()]);
        w.read(&mut m, b"x\nmore\n");
        assert_eq!(w.files[0][1], b"more\n");
        assert_eq!(w.files[0][0].len(), 3 + 1200 + 2);
        m.step(Event::Alarm);
        w.run(&mut m);
        assert_eq!(w.files[1].len(), 2, "an empty current is not rotated");
        assert_eq!(w.files[0].len(), 3);
    }

    #[test]
    fn idle_alarm_before_a_line_is_routed_rotates_at_once() {
        // The first bytes of a line wait for its head: nothing of it is in `current`.
        let s = script(&["-x*", "./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        let mut w = World::new(1);
        w.read(&mut m, b"one\ntw");
        m.step(Event::Alarm);
        w.run(&mut m);
        w.read(&mut m, b"o\n");
        assert_eq!(w.files[0], [b"one\n".to_vec(), b"two\n".to_vec()]);
    }

    #[test]
    fn flushing_write_failed_pauses_a_second_then_writes_the_same_bytes() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        m.input()[..3].copy_from_slice(b"ab\n");
        m.step(Event::Input { len: 3, now: NOW });
        let data = [&b"ab\n"[..], &b""[..]];
        assert_eq!(m.next_action(), Action::Write { dir: 0, data });
        m.step(Event::Failed);
        assert_eq!(m.next_action(), Action::Pause { ms: 1_000 });
        m.step(Event::Resumed);
        assert_eq!(m.next_action(), Action::Write { dir: 0, data });
        m.step(Event::Wrote(1));
        let data = [&b"b\n"[..], &b""[..]];
        assert_eq!(m.next_action(), Action::Write { dir: 0, data });
        m.step(Event::Wrote(2));
        assert_eq!(m.next_action(), Action::Read);
    }

    #[test]
    fn flushing_done_after_a_rotation_runs_the_processor_and_retries_it_every_5_seconds() {
        let s = script(&["!cat", "s4096", "./a"]);
        let (mut space, mut input) = ([0; 8192], [0; 8192]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[4095]).unwrap();
        m.input()[..2].copy_from_slice(b"x\n");
        m.step(Event::Input { len: 2, now: NOW });
        assert!(matches!(m.next_action(), Action::Write { dir: 0, .. }));
        m.step(Event::Wrote(1));
        assert_eq!(m.next_action(), Action::Rotate { dir: 0 });
        m.step(Event::Done);
        assert_eq!(m.next_action(), Action::Process { dir: 0 });
        m.step(Event::Failed);
        assert_eq!(m.next_action(), Action::Pause { ms: 5_000 });
        m.step(Event::Resumed);
        assert_eq!(m.next_action(), Action::Process { dir: 0 });
        m.step(Event::Done);
        assert!(
            matches!(m.next_action(), Action::Write { dir: 0, .. }),
            "the newline"
        );
    }

    #[test]
    fn flushing_done_on_close_finishes_each_directory_in_turn() {
        let s = script(&["./a", "./b"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        m.step(Event::Terminate);
        assert_eq!(m.next_action(), Action::Finish { dir: 0 });
        m.step(Event::Done);
        assert_eq!(m.next_action(), Action::Finish { dir: 1 });
        m.step(Event::Done);
        assert_eq!(m.next_action(), Action::Exit { failed: false });
    }

    #[test]
    fn notifying_alerts_and_status_files_in_script_order_and_retries_a_failed_status() {
        let s = script(&["e", "=st", "./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        m.input()[..4].copy_from_slice(b"hey\n");
        m.step(Event::Input { len: 4, now: NOW });
        assert_eq!(m.next_action(), Action::Alert([b"hey", b"\n"]));
        m.step(Event::Done);
        let Action::Status {
            action: 1,
            name: b"st",
            file,
        } = m.next_action()
        else {
            panic!("status expected")
        };
        assert_eq!(file[..4], *b"hey\n");
        m.step(Event::Failed);
        assert_eq!(m.next_action(), Action::Pause { ms: PAUSE_MS });
        m.step(Event::Resumed);
        assert!(matches!(m.next_action(), Action::Status { action: 1, .. }));
        m.step(Event::Done);
        assert!(matches!(m.next_action(), Action::Write { dir: 0, .. }));
    }

    #[test]
    fn outcomes_not_asked_for_change_nothing() {
        let s = script(&["./a"]);
        let (mut space, mut input) = ([0; 64], [0; 16]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[]).unwrap();
        for event in [Event::Wrote(5), Event::Done, Event::Failed, Event::Resumed] {
            m.step(event);
            assert_eq!(m.state(), State::Idle, "{event:?}");
        }
        m.input()[..2].copy_from_slice(b"x\n");
        m.step(Event::Input { len: 2, now: NOW });
        m.next_action();
        for event in [
            Event::Input { len: 1, now: NOW },
            Event::End,
            Event::ReadFailed,
            Event::Resumed,
        ] {
            m.step(event);
            assert!(
                matches!(m.state(), State::Flushing { dir: 0, .. }),
                "{event:?}"
            );
        }
    }

    #[test]
    fn too_little_room_is_an_error() {
        let s = script(&["./a", "./b"]);
        let (mut space, mut input) = ([0; 1], [0; 16]);
        assert_eq!(
            Multilog::new(&s, &mut space, &mut input, &[]).err(),
            Some(NoRoom)
        );
        let (mut space, mut input) = ([0; 2], [0; 0]);
        assert_eq!(
            Multilog::new(&s, &mut space, &mut input, &[]).err(),
            Some(NoRoom)
        );
    }

    // Fan-out.

    #[test]
    fn each_directory_gets_the_lines_its_patterns_select() {
        let input = b"dns: fatal: oops\ndns: ok\nweb: fatal: down\n";
        let w = log(
            &["./all", "-*", "+* fatal: *", "./fatal", "-web*", "./dns"],
            256,
            7,
            input,
        );
        assert_eq!(w.log(0), input);
        assert_eq!(w.log(1), b"dns: fatal: oops\nweb: fatal: down\n");
        assert_eq!(w.log(2), b"dns: fatal: oops\n");
    }

    #[test]
    fn labels_are_part_of_each_line_and_of_what_patterns_see() {
        let w = log(
            &["t", "-*", "+@*", "./a", "-*", "+hello", "./b", "e"],
            256,
            3,
            b"hello\n",
        );
        let mut want = label();
        want.extend_from_slice(b"hello\n");
        assert_eq!(w.log(0), want);
        assert_eq!(w.log(1), b"");
        assert!(w.alerts.is_empty(), "deselected before e");
    }

    #[test]
    fn a_full_ring_in_one_directory_holds_the_others_back_without_losing_a_byte() {
        // ./small rotates every 4096 bytes; ./big keeps everything in one file.
        let input: Vec<u8> = (0..300)
            .flat_map(|i| format!("line {i:05} {}\n", "x".repeat(i % 90)).into_bytes())
            .collect();
        for ring in [1, 7, 100, 2000] {
            for chunk in [1, 13, 4096] {
                let w = log(
                    &["s4096", "./small", "s1000000", "./big"],
                    ring,
                    chunk,
                    &input,
                );
                assert_eq!(w.log(0), input, "ring {ring} chunk {chunk}");
                assert_eq!(w.log(1), input, "ring {ring} chunk {chunk}");
                assert!(w.files[0].len() > 3 && w.files[0].iter().all(|f| f.len() <= 4096));
                assert_eq!(w.files[1].len(), 1);
            }
        }
    }

    #[test]
    fn a_current_left_by_the_last_run_counts_toward_the_size_of_its_directory_only() {
        let s = script(&["s4096", "./a", "./b"]);
        let (mut space, mut input) = ([0; 8192], [0; 64]);
        let mut m = Multilog::new(&s, &mut space, &mut input, &[4090, 0]).unwrap();
        let mut w = World::new(2);
        w.read(&mut m, b"0123456789\n");
        assert_eq!(w.files[0], [b"012345".to_vec(), b"6789\n".to_vec()]);
        assert_eq!(w.files[1], [b"0123456789\n".to_vec()]);
    }

    // `e` and `=file`.

    #[test]
    fn e_and_status_files_see_the_head_once_per_line() {
        let long = "y".repeat(1500);
        let input = format!("short\n{long}\n");
        let w = log(&["e", "=st", "./a"], 256, 100, input.as_bytes());
        let mut want = b"short\n".to_vec();
        want.extend_from_slice(&[b'y'; 200]);
        want.extend_from_slice(b"...\n");
        assert_eq!(w.alerts, want);
        assert_eq!(w.statuses.len(), 2);
        assert_eq!(w.statuses[1].1, [&[b'y'; 1000][..], b"\n"].concat());
        assert_eq!(w.log(0), input.as_bytes());
    }

    #[test]
    fn a_line_ending_exactly_at_the_head_is_whole_when_its_newline_came_with_it() {
        let line = [b'z'; HEAD_MAX];
        let input = [&line[..], b"\n"].concat();
        let w = log(&["e", "./a"], 64, 2000, &input);
        assert_eq!(w.alerts, [&line[..200], b"...\n"].concat());
        let w = log(&["e", "=s"], 64, 2000, &line[..200]);
        assert_eq!(
            w.alerts,
            [&line[..200], b"\n"].concat(),
            "the newline from the end"
        );
    }

    // Line cutting.

    #[test]
    fn every_chunking_of_long_lines_gives_the_same_files() {
        // Lines longer than the head, than the ring, than the size.
        let mut input = Vec::new();
        for (i, len) in [5, 999, 1000, 1001, 1500, 0, 4097, 3].iter().enumerate() {
            input.extend(std::iter::repeat_n(b'a' + i as u8, *len));
            input.push(b'\n');
        }
        let whole = log(
            &["t", "s4096", "./a", "-*", "+*c*", "./c"],
            300,
            input.len(),
            &input,
        );
        let labelled = |lines: &[u8]| -> Vec<u8> {
            lines
                .split_inclusive(|&b| b == b'\n')
                .flat_map(|l| [label(), l.to_vec()].concat())
                .collect()
        };
        assert_eq!(whole.log(0), labelled(&input));
        assert!(whole.files[0].iter().all(|f| f.len() <= 4096));
        for chunk in 1..=64 {
            let w = log(
                &["t", "s4096", "./a", "-*", "+*c*", "./c"],
                300,
                chunk,
                &input,
            );
            assert_eq!(w.files, whole.files, "chunk {chunk}");
        }
        for at in 1..input.len() {
            // Two reads, cut at every offset.
            let s = script(&["t", "s4096", "./a", "-*", "+*c*", "./c"]);
            let (mut space, mut buf) = (vec![0; 600], vec![0; input.len()]);
            let mut m = Multilog::new(&s, &mut space, &mut buf, &[]).unwrap();
            let mut w = World::new(2);
            w.read(&mut m, &input[..at]);
            w.read(&mut m, &input[at..]);
            w.read(&mut m, b"");
            assert_eq!(w.files, whole.files, "cut at {at}");
        }
    }

    #[test]
    fn short_and_refused_writes_lose_and_repeat_nothing() {
        let input: Vec<u8> = (0..200)
            .flat_map(|i| format!("{i} {}\n", "q".repeat(i * 7 % 300)).into_bytes())
            .collect();
        for limit in [1, 5, 333] {
            let s = script(&["s4096", "!x", "./a", "./b"]);
            let (mut space, mut buf) = (vec![0; 1000], vec![0; 77]);
            let mut m = Multilog::new(&s, &mut space, &mut buf, &[]).unwrap();
            let mut w = World::new(2);
            w.write_limit = limit;
            for (i, piece) in input.chunks(77).enumerate() {
                w.refuse = i % 3;
                w.processor_refuse = i % 2;
                w.read(&mut m, piece);
            }
            w.read(&mut m, b"");
            assert_eq!(w.log(0), input);
            assert_eq!(w.log(1), input);
            assert_eq!(w.processed.len(), w.files[0].len() + w.files[1].len() - 2);
        }
    }
}
