//! The supervise state machine: commands, child exits and deadlines in; spawns,
//! signals, status writes and exit out.
//!
//! Contract: [`Supervisor::step`] handles every (child state, event) pair in one
//! exhaustive `match`, never does I/O and never reads a clock (the time comes in as
//! [`Now`]); [`Supervisor::deadline`] says when it must be called again. It asks for a
//! status write only when the status really changed (and, after a failed write, again
//! [`STATUS_RETRY_MS`] later), starts the service at most once per
//! [`RESTART_INTERVAL_MS`], and backs off [`FORK_RETRY_MS`] after a failed fork. A spawn
//! reported after the service was told to go down is stopped at once.
//!
//! The opt-in files of the service directory ([`Settings`], s6's names) add, and only
//! when present: `./finish` run after `./run` ends (the next start waits for it, KILL
//! after `timeout-finish`), the signal `svc -d` sends (`down-signal`), and KILL
//! `timeout-kill` after it, readiness (`notification-fd`: [`Event::Ready`]), and ours: a
//! restart that backs off after quick deaths (`restart-backoff`) and gives up after too
//! many (`give-up`, and s6's `./finish` exit code 125); `svc -u` (or `-o`) clears both.
//! With none of them the machine is daemontools 0.76's.
//!
//! After each change that a waiter may wait for, the status write (if any) comes first,
//! then [`Action::Announce`] with the change's letters ([`crate::event`]).

use crate::control::Command;
use crate::event::{self, Announcement};
use crate::settings::{MAX_DEATHS, Settings};
use crate::status::{Beyond, Status, Want};
use crate::tai64::Tai64N;

/// Least time between two starts (the original sleeps this long after every start).
pub const RESTART_INTERVAL_MS: u64 = 1_000;
/// Wait after a failed fork before trying again (as the original).
pub const FORK_RETRY_MS: u64 = 60_000;
/// Wait after a failed status write before writing again.
pub const STATUS_RETRY_MS: u64 = 1_000;

/// A reading of the monotonic clock, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(pub u64);

impl Instant {
    fn after(self, ms: u64) -> Instant {
        Instant(self.0.saturating_add(ms))
    }
}

/// The time of an event on both clocks: monotonic for deadlines, wall for the status.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    /// Monotonic clock.
    pub mono: Instant,
    /// Wall clock, for the status file's stamp.
    pub wall: Tai64N,
}

/// What the supervised process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Child {
    /// No child, and no start due.
    Stopped,
    /// No child; a start is due at this instant (a quick restart waits for the restart
    /// interval; a failed fork backs off).
    StartDue(Instant),
    /// [`Action::Spawn`] was asked for; its outcome has not been reported yet.
    Starting,
    /// `./run` ended and [`Action::SpawnFinish`] was asked for; its outcome has not been
    /// reported yet.
    FinishStarting,
    /// `./finish` runs (the service is down; the next start waits for it).
    Finishing {
        /// Its process id.
        pid: u32,
    },
    /// The child runs.
    Running {
        /// Its process id.
        pid: u32,
        /// Whether it was stopped with `p` (and not continued since).
        paused: bool,
    },
}

/// Signals supervise sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGSTOP
    Stop,
    /// SIGCONT
    Continue,
    /// SIGHUP
    Hangup,
    /// SIGALRM
    Alarm,
    /// SIGINT
    Interrupt,
    /// SIGQUIT
    Quit,
    /// SIGUSR1
    User1,
    /// SIGUSR2
    User2,
    /// SIGTERM
    Terminate,
    /// SIGKILL
    Kill,
}

/// Something that happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A byte from the control FIFO.
    Command(Command),
    /// A child process was reaped.
    ChildExited {
        /// Its process id.
        pid: u32,
        /// How it ended.
        ended: Ended,
    },
    /// The child asked for with [`Action::Spawn`] was forked.
    Spawned {
        /// Its process id.
        pid: u32,
    },
    /// The fork asked for with [`Action::Spawn`] failed.
    SpawnFailed,
    /// The status asked for with [`Action::WriteStatus`] could not be written.
    StatusWriteFailed,
    /// The instant given by [`Supervisor::deadline`] has come.
    Deadline,
    /// `./run` wrote a newline on its `notification-fd`.
    Ready,
    /// The new supervise of [`Action::Upgrade`] could not be executed.
    UpgradeFailed,
}

/// How a child ended, as `wait` tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(u8),
    /// This signal (the kernel's number) killed it.
    Killed(u8),
    /// Not known: an adopted process that is not supervise's child ends without telling
    /// how.
    Unknown,
}

impl Ended {
    /// The arguments `./finish` gets (s6's convention): the exit code, or 256 if a signal
    /// killed `./run`; then the signal's number, or 0 (also for [`Ended::Unknown`]).
    pub fn finish_args(self) -> (u16, u8) {
        match self {
            Ended::Exited(code) => (u16::from(code), 0),
            Ended::Killed(signal) => (256, signal),
            Ended::Unknown => (256, 0),
        }
    }

    /// [`Ended::finish_args`] as the C strings of an argv, one after the other in `out`
    /// (`256\0` then `9\0`); returns where the second starts.
    pub fn finish_argv(self, out: &mut [u8; FINISH_ARGV_LEN]) -> usize {
        let (code, signal) = self.finish_args();
        let split = put_decimal(code, out, 0);
        put_decimal(u16::from(signal), out, split);
        split
    }
}

/// Room for [`Ended::finish_argv`]: three digits and a NUL, twice.
pub const FINISH_ARGV_LEN: usize = 8;

/// Writes `n` (at most 999) in decimal and a NUL at `out[at..]`; returns the index after.
fn put_decimal(n: u16, out: &mut [u8; FINISH_ARGV_LEN], at: usize) -> usize {
    let n = n.min(999);
    let digits = [n / 100, n / 10 % 10, n % 10];
    let skip = if n >= 100 {
        0
    } else if n >= 10 {
        1
    } else {
        2
    };
    let mut i = at;
    for d in &digits[skip..] {
        if let Some(slot) = out.get_mut(i) {
            *slot = b'0' + *d as u8;
        }
        i += 1;
    }
    if let Some(slot) = out.get_mut(i) {
        *slot = 0;
    }
    i + 1
}

/// Something the caller must do, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Fork and execute `./run`, then report [`Event::Spawned`] or [`Event::SpawnFailed`].
    /// Always the last action of its step, after its announcement and a
    /// [`Action::KillCgroup`] at most.
    Spawn,
    /// Fork and execute `./finish` with the arguments of [`Ended::finish_args`] (and the
    /// service directory as supervise got it), then report [`Event::Spawned`] or
    /// [`Event::SpawnFailed`]. Always the last action of its step.
    SpawnFinish(Ended),
    /// Send a signal to the child.
    Signal {
        /// The child.
        pid: u32,
        /// The signal.
        signal: Signal,
    },
    /// Send a signal to the child's process group (`down-group`: the child leads it).
    SignalGroup {
        /// The child, the group's leader.
        pid: u32,
        /// The signal.
        signal: Signal,
    },
    /// Write [`Supervisor::status`] (atomically) to `supervise/status`; report
    /// [`Event::StatusWriteFailed`] if that fails. At most one per step, and the machine
    /// does not change before it is performed (only signals and `KillCgroup` precede it).
    WriteStatus,
    /// Tell the waiters in `supervise/event/` these letters.
    Announce(Announcement),
    /// Exit supervise (status 0).
    Exit,
    /// Kill what is left in the service's cgroup (`cgroup`: `./run` has ended).
    KillCgroup,
    /// Execute supervise anew, keeping the child (`svc -X`): the status file says all
    /// the next one needs ([`Supervisor::adopt`]). Always last; it comes only while the
    /// status written is current and nothing is due but a start (the child runs with no
    /// KILL pending, or is stopped). If it fails, report [`Event::UpgradeFailed`].
    Upgrade,
}

/// Most actions one event causes: the down signal, CONT, a status write, the
/// announcement of a start and an upgrade (and never an exit then).
pub const MAX_ACTIONS: usize = 6;

/// The actions of one step.
pub type Actions = heapless::Vec<Action, MAX_ACTIONS>;

/// What a step's announcement compares with: the machine as the step found it.
#[derive(Clone, Copy)]
struct Before {
    child: Child,
    ready: Option<Tai64N>,
    given_up: bool,
}

/// The supervisor of one service directory.
#[derive(Clone, Debug)]
pub struct Supervisor {
    child: Child,
    want: Want,
    exiting: bool,
    last_start: Option<Instant>,
    since: Tai64N,
    written: Option<Status>,
    /// After a failed status write: when to write again.
    status_retry: Option<Instant>,
    /// When the process that was told to stop (`./run` after `svc -d`, or `./finish` that
    /// ran too long) gets KILL.
    kill_at: Option<Instant>,
    /// How `./run` ended, for the `./finish` about to be spawned.
    finish_with: Option<Ended>,
    /// When the running `./run` said it was ready.
    ready: Option<Tai64N>,
    /// The wait before the due start after quick deaths (`restart-backoff`; 0: none).
    backoff_ms: u64,
    /// When that start is due, on the wall clock (for the status).
    next_start: Option<Tai64N>,
    /// The last deaths counted for `give-up`.
    deaths: heapless::Deque<Instant, MAX_DEATHS>,
    /// Left down after too many deaths, until a start.
    given_up: bool,
    /// `svc -X` asked for an upgrade, not done yet.
    upgrade: bool,
    settings: Settings,
}

impl Supervisor {
    /// A supervisor starting at `now`: the service is wanted up unless the directory has
    /// a `down` file. Returns the first actions (status write, and the start if wanted).
    pub fn new(normally_up: bool, now: Now) -> (Supervisor, Actions) {
        let mut s = Supervisor::blank(if normally_up { Want::Up } else { Want::Down }, now);
        if normally_up {
            s.start(now);
        }
        let before = Before {
            child: Child::Stopped,
            ready: None,
            given_up: false,
        };
        let actions = s.finish_step(before);
        (s, actions)
    }

    /// A supervisor that carries on from `found`, the status file as an earlier
    /// supervise left it, with the process it names as running, `running` (the caller
    /// checks that it is still that process), or none: after `svc -X`, or with a process
    /// after that supervise was killed. The want, pause, start stamp, readiness and
    /// give-up are the status file's; a service wanted up with no process starts. The
    /// status is written again only if `settings` make it differ; nothing is announced.
    pub fn adopt(
        found: Status,
        running: Option<u32>,
        settings: Settings,
        now: Now,
    ) -> (Supervisor, Actions) {
        let mut s = Supervisor::blank(found.want, now);
        // Counted as a start: the restart interval holds across the change of supervise.
        s.last_start = Some(now.mono);
        s.since = found.since;
        s.settings = settings;
        s.written = Some(found);
        s.given_up = found.beyond.is_some_and(|b| b.given_up);
        if let Some(pid) = running {
            s.child = Child::Running {
                pid,
                paused: found.paused,
            };
            s.ready = found.beyond.and_then(|b| b.ready);
        }
        let before = Before {
            child: s.child,
            ready: s.ready,
            given_up: s.given_up,
        };
        if running.is_none() && s.want == Want::Up {
            s.start(now);
        }
        let actions = s.finish_step(before);
        (s, actions)
    }

    /// A supervisor with no child, wanting `want`.
    fn blank(want: Want, now: Now) -> Supervisor {
        Supervisor {
            child: Child::Stopped,
            want,
            exiting: false,
            last_start: None,
            since: now.wall,
            written: None,
            status_retry: None,
            kill_at: None,
            finish_with: None,
            ready: None,
            backoff_ms: 0,
            next_start: None,
            deaths: heapless::Deque::new(),
            given_up: false,
            upgrade: false,
            settings: Settings::default(),
        }
    }

    /// Takes the opt-in files as they are now (read before each start); they apply from
    /// the next event on.
    pub fn configure(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// The child's state.
    pub fn child(&self) -> Child {
        self.child
    }

    /// The status as it stands.
    pub fn status(&self) -> Status {
        let (pid, paused) = match self.child {
            Child::Running { pid, paused } => (Some(pid), paused),
            Child::Stopped
            | Child::StartDue(_)
            | Child::Starting
            | Child::FinishStarting
            | Child::Finishing { .. } => (None, false),
        };
        let finishing = matches!(self.child, Child::FinishStarting | Child::Finishing { .. });
        Status {
            since: self.since,
            pid,
            paused,
            want: self.want,
            beyond: self.settings.extended().then_some(Beyond {
                ready: self.ready,
                finishing,
                next_start: self
                    .next_start
                    .filter(|_| matches!(self.child, Child::StartDue(_))),
                given_up: self.given_up,
            }),
        }
    }

    /// When [`Event::Deadline`] is due, if ever: a due start, a KILL, or a status write
    /// to retry, whichever comes first.
    pub fn deadline(&self) -> Option<Instant> {
        let start = match self.child {
            Child::StartDue(at) => Some(at),
            Child::Stopped
            | Child::Starting
            | Child::Running { .. }
            | Child::FinishStarting
            | Child::Finishing { .. } => None,
        };
        earliest(earliest(start, self.kill_at), self.status_retry)
    }

    /// Handles one event that happened at `now`.
    pub fn step(&mut self, event: Event, now: Now) -> Actions {
        use Child::{FinishStarting, Finishing, Running, StartDue, Starting, Stopped};
        use Command as C;
        let before = Before {
            child: self.child,
            ready: self.ready,
            given_up: self.given_up,
        };
        let mut actions = Actions::new();
        let a = &mut actions;
        match (before.child, event) {
            // Wanting up or once starts a stopped service (a start already due stays due;
            // after `./finish`, once it is done).
            (Stopped, Event::Command(C::Up)) => {
                self.want = Want::Up;
                self.forget_deaths();
                self.start(now);
            }
            (Stopped, Event::Command(C::Once)) => {
                self.want = Want::Once;
                self.forget_deaths();
                self.start(now);
            }
            // Up while backing off: the start comes as soon as the interval allows.
            (StartDue(_), Event::Command(C::Up)) if self.backoff_ms > 0 => {
                self.want = Want::Up;
                self.forget_deaths();
                self.start(now);
            }
            (
                StartDue(_) | Starting | Running { .. } | FinishStarting | Finishing { .. },
                Event::Command(C::Up),
            ) => self.want = Want::Up,
            (
                StartDue(_) | Starting | Running { .. } | FinishStarting | Finishing { .. },
                Event::Command(C::Once),
            ) => self.want = Want::Once,
            // Down: the down signal then CONT (a stopped process must wake to die), and
            // KILL after `timeout-kill` if set; a due start is off.
            (Running { pid, .. }, Event::Command(C::Down)) => {
                self.want = Want::Down;
                self.stop(a, pid, now);
                self.child = Running { pid, paused: false };
            }
            (StartDue(_), Event::Command(C::Down)) => {
                self.want = Want::Down;
                self.child = Stopped;
            }
            (Stopped | Starting | FinishStarting | Finishing { .. }, Event::Command(C::Down)) => {
                self.want = Want::Down
            }
            // Pause and continue.
            (Running { pid, .. }, Event::Command(C::Pause)) => {
                signal(a, pid, Signal::Stop);
                self.child = Running { pid, paused: true };
            }
            (Running { pid, .. }, Event::Command(C::Continue)) => {
                signal(a, pid, Signal::Continue);
                self.child = Running { pid, paused: false };
            }
            // Plain signals go to a running `./run` only (never to `./finish`).
            (Running { pid, .. }, Event::Command(C::Hangup)) => signal(a, pid, Signal::Hangup),
            (Running { pid, .. }, Event::Command(C::Alarm)) => signal(a, pid, Signal::Alarm),
            (Running { pid, .. }, Event::Command(C::Interrupt)) => {
                signal(a, pid, Signal::Interrupt)
            }
            (Running { pid, .. }, Event::Command(C::Terminate)) => {
                signal(a, pid, Signal::Terminate)
            }
            (Running { pid, .. }, Event::Command(C::Kill)) => signal(a, pid, Signal::Kill),
            (
                Stopped | StartDue(_) | Starting | FinishStarting | Finishing { .. },
                Event::Command(
                    C::Pause
                    | C::Continue
                    | C::Hangup
                    | C::Alarm
                    | C::Interrupt
                    | C::Terminate
                    | C::Kill,
                ),
            ) => {}
            // Exit once down (checked below, after every event; `./finish` first ends).
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::Command(C::Exit),
            ) => self.exiting = true,
            // An upgrade waits until nothing but a start is due (see `upgradable`).
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::Command(C::Upgrade),
            ) => self.upgrade = true,
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::UpgradeFailed,
            ) => self.upgrade = false,
            // `./run` ended: `./finish` if there is one, else restart it if wanted up, at
            // most once per interval.
            (Running { pid, .. }, Event::ChildExited { pid: exited, ended }) if pid == exited => {
                self.since = now.wall;
                self.kill_at = None;
                self.ready = None;
                if self.settings.cgroup {
                    push(a, Action::KillCgroup);
                }
                if self.settings.finish {
                    self.child = FinishStarting;
                    self.finish_with = Some(ended);
                } else {
                    self.finished(now);
                }
            }
            // `./finish` ended; its exit code 125 means "do not restart" (s6's permanent
            // failure).
            (Finishing { pid }, Event::ChildExited { pid: exited, ended }) if pid == exited => {
                self.kill_at = None;
                if ended == Ended::Exited(125) && self.want == Want::Up {
                    self.give_up();
                }
                self.finished(now);
            }
            // Some other process (not ours, or already handled).
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::ChildExited { .. },
            ) => {}
            // The outcome of a spawn; wanted down meanwhile, it is stopped at once.
            (Starting, Event::Spawned { pid }) => {
                self.child = Running { pid, paused: false };
                self.last_start = Some(now.mono);
                self.since = now.wall;
                if self.want == Want::Down {
                    self.stop(a, pid, now);
                }
            }
            (Starting, Event::SpawnFailed) if self.want == Want::Down => self.child = Stopped,
            (Starting, Event::SpawnFailed) => self.child = StartDue(now.mono.after(FORK_RETRY_MS)),
            // The outcome of `./finish`'s spawn (a failed one counts as finished).
            (FinishStarting, Event::Spawned { pid }) => {
                self.child = Finishing { pid };
                self.kill_at = self.settings.timeout_finish.map(|ms| now.mono.after(ms));
            }
            (FinishStarting, Event::SpawnFailed) => self.finished(now),
            (
                Stopped | StartDue(_) | Running { .. } | Finishing { .. },
                Event::Spawned { .. } | Event::SpawnFailed,
            ) => {}
            // A failed status write: written again after a pause (not at once: it would
            // only fail again).
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::StatusWriteFailed,
            ) => {
                self.written = None;
                self.status_retry = Some(now.mono.after(STATUS_RETRY_MS));
            }
            // A due start, a due KILL, a due status write.
            (StartDue(at), Event::Deadline) if now.mono >= at => {
                self.status_retry_due(now);
                self.child = Stopped;
                self.start(now);
            }
            (Running { pid, .. }, Event::Deadline)
                if self.kill_at.is_some_and(|at| now.mono >= at) =>
            {
                self.kill_at = None;
                self.status_retry_due(now);
                self.stop_signal(a, pid, Signal::Kill);
            }
            (Finishing { pid }, Event::Deadline)
                if self.kill_at.is_some_and(|at| now.mono >= at) =>
            {
                self.kill_at = None;
                self.status_retry_due(now);
                signal(a, pid, Signal::Kill);
            }
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::Deadline,
            ) => self.status_retry_due(now),
            // Readiness: the first newline of the running `./run` (the caller stops
            // reading after it); anything else comes too late.
            (Running { .. }, Event::Ready) if self.ready.is_none() => self.ready = Some(now.wall),
            (
                Stopped
                | StartDue(_)
                | Starting
                | Running { .. }
                | FinishStarting
                | Finishing { .. },
                Event::Ready,
            ) => {}
        }
        for action in self.finish_step(before) {
            push(&mut actions, action);
        }
        actions
    }

    /// Tells `./run` to stop: the down signal, then CONT (a stopped process must wake to
    /// die), and KILL `timeout-kill` later if set (a second `d` does not move it).
    fn stop(&mut self, a: &mut Actions, pid: u32, now: Now) {
        self.stop_signal(a, pid, self.settings.down_signal);
        self.stop_signal(a, pid, Signal::Continue);
        if self.kill_at.is_none() {
            self.kill_at = self.settings.timeout_kill.map(|ms| now.mono.after(ms));
        }
    }

    /// A signal that stops `./run`: to its process group with `down-group`.
    fn stop_signal(&self, a: &mut Actions, pid: u32, signal: Signal) {
        if self.settings.down_group {
            push(a, Action::SignalGroup { pid, signal });
        } else {
            push(a, Action::Signal { pid, signal });
        }
    }

    /// The service is down for good (`./run` ended, and `./finish` if any): restart it if
    /// wanted up, at most once per interval.
    fn finished(&mut self, now: Now) {
        self.child = Child::Stopped;
        if self.want != Want::Up || self.exiting {
            return;
        }
        if self.death_gives_up(now) {
            self.give_up();
            return;
        }
        let wait = self.backoff(now);
        self.start(now);
        if wait > 0 {
            // Backing off: the start waits `wait` from now (and the interval, as ever).
            let due = match self.child {
                Child::StartDue(at) => at.max(now.mono.after(wait)),
                _ => now.mono.after(wait),
            };
            self.child = Child::StartDue(due);
            self.next_start = Some(later(now.wall, due.0 - now.mono.0));
        }
    }

    /// Counts a death for `give-up`: true if it is one too many.
    fn death_gives_up(&mut self, now: Now) -> bool {
        let Some(limit) = self.settings.give_up else {
            return false;
        };
        if self.deaths.is_full() {
            self.deaths.pop_front();
        }
        let _ = self.deaths.push_back(now.mono);
        let since = Instant(now.mono.0.saturating_sub(limit.window_ms));
        while self.deaths.front().is_some_and(|&t| t < since) {
            self.deaths.pop_front();
        }
        self.deaths.len() >= usize::from(limit.deaths)
    }

    /// Leaves the service down for good: wanted down, so `svc -u` starts it again.
    fn give_up(&mut self) {
        self.given_up = true;
        self.want = Want::Down;
    }

    /// Forgets the deaths, the backoff and a give-up (`svc -u` or `-o`).
    fn forget_deaths(&mut self) {
        self.deaths.clear();
        self.backoff_ms = 0;
        self.next_start = None;
        self.given_up = false;
    }

    /// The wait before the next start with `restart-backoff`: 1 s after a quick death,
    /// doubled after each further one up to the cap; none after a run longer than the cap.
    fn backoff(&mut self, now: Now) -> u64 {
        let Some(cap) = self.settings.restart_backoff else {
            return 0;
        };
        let ran = self
            .last_start
            .map_or(u64::MAX, |t| now.mono.0.saturating_sub(t.0));
        self.backoff_ms = match self.backoff_ms {
            _ if ran > cap => 0,
            0 => RESTART_INTERVAL_MS.min(cap),
            wait => wait.saturating_mul(2).min(cap),
        };
        self.backoff_ms
    }

    /// Ends the pause after a failed status write if it is over: the step then writes.
    fn status_retry_due(&mut self, now: Now) {
        if self.status_retry.is_some_and(|at| now.mono >= at) {
            self.status_retry = None;
        }
    }

    /// Starts now, or arms the start for the end of the restart interval.
    fn start(&mut self, now: Now) {
        let earliest = self.last_start.map(|t| t.after(RESTART_INTERVAL_MS));
        self.child = match earliest {
            Some(at) if now.mono < at => Child::StartDue(at),
            _ => Child::Starting,
        };
    }

    /// The actions every step ends with: the status write if the status changed, the
    /// announcement of the change, then exit if asked for and down; or, if this step
    /// began a start, the announcement and the spawn. The status then goes straight from
    /// the old child to the new one when the spawn is reported (a failed fork writes
    /// "down" then): one write less per restart, and the fork comes sooner.
    fn finish_step(&mut self, before: Before) -> Actions {
        let mut actions = Actions::new();
        let exit = self.exiting && matches!(self.child, Child::Stopped | Child::StartDue(_));
        let mut news = self.news(before);
        if exit {
            news.push(event::EXITING);
        }
        if self.child == Child::Starting && before.child != Child::Starting {
            announce(&mut actions, news);
            push(&mut actions, Action::Spawn);
            return actions;
        }
        let status = self.status();
        if self.written != Some(status) && self.status_retry.is_none() {
            self.written = Some(status);
            push(&mut actions, Action::WriteStatus);
        }
        announce(&mut actions, news);
        if let (Child::FinishStarting, Some(ended)) = (self.child, self.finish_with.take()) {
            push(&mut actions, Action::SpawnFinish(ended));
            return actions;
        }
        if exit {
            push(&mut actions, Action::Exit);
        } else if self.upgrade && self.upgradable() {
            push(&mut actions, Action::Upgrade);
        }
        actions
    }

    /// Whether the status file tells the next supervise all it needs: the child runs
    /// with no KILL due, or none runs and no start is due; the status written is current.
    fn upgradable(&self) -> bool {
        let settled = match self.child {
            Child::Running { .. } => self.kill_at.is_none(),
            Child::Stopped => true,
            Child::StartDue(_)
            | Child::Starting
            | Child::FinishStarting
            | Child::Finishing { .. } => false,
        };
        settled && !self.exiting && self.status_retry.is_none()
    }

    /// The letters of the change from `before` to now.
    fn news(&self, before: Before) -> Announcement {
        let (was_ready, was_given_up, before) = (before.ready, before.given_up, before.child);
        let up = |child| matches!(child, Child::Running { .. });
        let finishing = |child| matches!(child, Child::FinishStarting | Child::Finishing { .. });
        let mut news = Announcement::default();
        if up(before) && !up(self.child) {
            news.push(event::ENDED);
        }
        if (up(before) || finishing(before)) && !up(self.child) && !finishing(self.child) {
            news.push(event::FINISHED);
        }
        if !up(before) && up(self.child) {
            news.push(event::STARTED);
        }
        if was_ready.is_none() && self.ready.is_some() {
            news.push(event::READY);
        }
        if !was_given_up && self.given_up {
            news.push(event::FAILED);
        }
        news
    }
}

/// `wall` plus `ms` milliseconds.
/// (At most 2^32 - 1 ms, as every time in the opt-in files: 32-bit division.)
fn later(wall: Tai64N, ms: u64) -> Tai64N {
    let ms = u32::try_from(ms).unwrap_or(u32::MAX);
    let nanos = wall.nanos.min(999_999_999) + ms % 1000 * 1_000_000;
    Tai64N {
        secs: wall
            .secs
            .saturating_add(u64::from(ms / 1000 + nanos / 1_000_000_000)),
        nanos: nanos % 1_000_000_000,
    }
}

/// The earlier of two optional instants.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn announce(actions: &mut Actions, news: Announcement) {
    if !news.is_empty() {
        push(actions, Action::Announce(news));
    }
}

fn signal(actions: &mut Actions, pid: u32, signal: Signal) {
    push(actions, Action::Signal { pid, signal });
}

/// Adds an action. No event produces more than [`MAX_ACTIONS`] (the tests check every
/// pair), so nothing is ever dropped.
fn push(actions: &mut Actions, action: Action) {
    let _ = actions.push(action);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Now {
        Now {
            mono: Instant(ms),
            wall: Tai64N::from_unix(1_000_000 + (ms / 1000) as i64, 0),
        }
    }

    fn up(ms: u64) -> Supervisor {
        let (mut s, actions) = Supervisor::new(true, at(0));
        assert_eq!(actions.last(), Some(&Action::Spawn));
        s.step(Event::Spawned { pid: 42 }, at(ms));
        s
    }

    fn cmd(c: Command) -> Event {
        Event::Command(c)
    }

    /// The announcement of these letters.
    fn news(letters: &[u8]) -> Action {
        let mut a = Announcement::default();
        for &l in letters {
            a.push(l);
        }
        Action::Announce(a)
    }

    fn signals(actions: &Actions) -> Vec<Signal> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Signal { signal, .. } => Some(*signal),
                _ => None,
            })
            .collect()
    }

    /// The status `actions` write, if they write one: the machine's as the step left it.
    fn wrote(s: &Supervisor, actions: &Actions) -> Option<Status> {
        actions.contains(&Action::WriteStatus).then(|| s.status())
    }

    /// The status the step writes, if it writes one.
    fn step_wrote(s: &mut Supervisor, event: Event, now: Now) -> Option<Status> {
        let actions = s.step(event, now);
        wrote(s, &actions)
    }

    #[test]
    fn new_normally_up_spawns_first_and_writes_with_the_pid() {
        let (mut s, actions) = Supervisor::new(true, at(0));
        assert_eq!(s.child(), Child::Starting);
        assert_eq!(actions.as_slice(), &[Action::Spawn]);
        let status = step_wrote(&mut s, Event::Spawned { pid: 42 }, at(1)).unwrap();
        assert_eq!((status.pid, status.want), (Some(42), Want::Up));
    }

    #[test]
    fn new_normally_up_fork_failure_writes_down() {
        let (mut s, _) = Supervisor::new(true, at(0));
        let status = step_wrote(&mut s, Event::SpawnFailed, at(1)).unwrap();
        assert_eq!((status.pid, status.want), (None, Want::Up));
    }

    #[test]
    fn new_normally_down_only_writes_status() {
        let (s, actions) = Supervisor::new(false, at(0));
        assert_eq!(s.child(), Child::Stopped);
        assert_eq!(actions.len(), 1);
        assert_eq!(wrote(&s, &actions).unwrap().want, Want::Down);
    }

    #[test]
    fn starting_spawned_runs_and_writes_pid() {
        let (mut s, _) = Supervisor::new(true, at(0));
        let actions = s.step(Event::Spawned { pid: 42 }, at(5));
        assert_eq!(
            s.child(),
            Child::Running {
                pid: 42,
                paused: false
            }
        );
        let status = wrote(&s, &actions).unwrap();
        assert_eq!((status.pid, status.since), (Some(42), at(5).wall));
    }

    #[test]
    fn starting_spawn_failed_backs_off_then_deadline_spawns() {
        let (mut s, _) = Supervisor::new(true, at(0));
        assert!(!s.step(Event::SpawnFailed, at(10)).contains(&Action::Spawn));
        assert_eq!(s.deadline(), Some(Instant(10 + FORK_RETRY_MS)));
        assert!(
            s.step(Event::Deadline, at(10 + FORK_RETRY_MS - 1))
                .is_empty()
        );
        assert_eq!(
            s.step(Event::Deadline, at(10 + FORK_RETRY_MS)).as_slice(),
            &[Action::Spawn]
        );
    }

    #[test]
    fn starting_spawned_when_wanted_down_meanwhile_stops_the_child() {
        let (mut s, _) = Supervisor::new(true, at(0));
        assert!(signals(&s.step(cmd(Command::Down), at(1))).is_empty());
        let actions = s.step(Event::Spawned { pid: 42 }, at(2));
        assert_eq!(signals(&actions), [Signal::Terminate, Signal::Continue]);
        let status = wrote(&s, &actions).unwrap();
        assert_eq!((status.pid, status.want), (Some(42), Want::Down));
    }

    #[test]
    fn starting_spawn_failed_when_wanted_down_meanwhile_stays_down() {
        let (mut s, _) = Supervisor::new(true, at(0));
        s.step(cmd(Command::Down), at(1));
        s.step(Event::SpawnFailed, at(2));
        assert_eq!(s.child(), Child::Stopped);
        assert_eq!(s.deadline(), None, "no start is due");
    }

    #[test]
    fn running_status_write_failed_writes_again_after_the_pause() {
        let mut s = up(0);
        assert!(s.step(Event::StatusWriteFailed, at(100)).is_empty());
        assert_eq!(s.deadline(), Some(Instant(100 + STATUS_RETRY_MS)));
        // Other events meanwhile do not write (it would only fail again).
        assert_eq!(step_wrote(&mut s, cmd(Command::Pause), at(200)), None);
        assert!(
            s.step(Event::Deadline, at(100 + STATUS_RETRY_MS - 1))
                .is_empty()
        );
        let status = step_wrote(&mut s, Event::Deadline, at(100 + STATUS_RETRY_MS)).unwrap();
        assert_eq!(status, s.status());
        assert!(status.paused, "the status as it stands now");
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn start_due_status_write_failed_keeps_the_earlier_deadline() {
        let mut s = up(0);
        assert_eq!(
            s.step(
                Event::ChildExited {
                    pid: 42,
                    ended: Ended::Exited(0)
                },
                at(10)
            )
            .as_slice()
            .len(),
            2,
            "the status and the announcement"
        );
        assert_eq!(s.deadline(), Some(Instant(RESTART_INTERVAL_MS)));
        s.step(Event::StatusWriteFailed, at(20));
        assert_eq!(s.deadline(), Some(Instant(RESTART_INTERVAL_MS)));
        assert_eq!(
            s.step(Event::Deadline, at(RESTART_INTERVAL_MS)).as_slice(),
            &[Action::Spawn]
        );
        assert_eq!(s.deadline(), Some(Instant(20 + STATUS_RETRY_MS)));
    }

    fn with(settings: Settings) -> Supervisor {
        let (mut s, _) = Supervisor::new(true, at(0));
        s.configure(settings);
        s.step(Event::Spawned { pid: 42 }, at(0));
        s
    }

    fn finishing() -> Settings {
        Settings {
            finish: true,
            ..Settings::default()
        }
    }

    fn notifying() -> Settings {
        Settings {
            notification_fd: Some(3),
            ..Settings::default()
        }
    }

    #[test]
    fn running_ready_writes_the_stamp_then_announces_ready() {
        let mut s = with(notifying());
        let actions = s.step(Event::Ready, at(2_500));
        let status = wrote(&s, &actions).unwrap();
        let ready = status.beyond.unwrap().ready;
        assert_eq!(ready, Some(at(2_500).wall));
        assert_eq!(status.since, at(0).wall, "the start's stamp stays");
        assert_eq!(actions.as_slice(), &[Action::WriteStatus, news(b"U")]);
        assert!(
            s.step(Event::Ready, at(3_000)).is_empty(),
            "the first newline counts"
        );
    }

    #[test]
    fn running_ready_without_notification_fd_writes_the_original_status() {
        let mut s = up(0);
        let actions = s.step(Event::Ready, at(10));
        assert_eq!(actions.as_slice(), &[news(b"U")]);
        assert_eq!(s.status().beyond, None, "18 bytes, as the original");
    }

    #[test]
    fn stopped_finishing_and_starting_ready_is_too_late() {
        let (mut s, _) = Supervisor::new(false, at(0));
        assert!(s.step(Event::Ready, at(10)).is_empty());
        let mut s = with(Settings {
            finish: true,
            notification_fd: Some(3),
            ..Settings::default()
        });
        let exited = Event::ChildExited {
            pid: 42,
            ended: Ended::Exited(0),
        };
        s.step(exited, at(10));
        assert_eq!(s.child(), Child::FinishStarting);
        assert!(s.step(Event::Ready, at(11)).is_empty());
        s.step(Event::Spawned { pid: 50 }, at(12));
        assert!(
            s.step(Event::Ready, at(13)).is_empty(),
            "./finish is no service"
        );
    }

    #[test]
    fn running_child_exited_forgets_readiness() {
        let mut s = with(notifying());
        s.step(Event::Ready, at(10));
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Killed(9),
            },
            at(500),
        );
        assert_eq!(actions.as_slice(), &[Action::WriteStatus, news(b"dD")]);
        let status = wrote(&s, &actions).unwrap();
        assert_eq!(status.beyond.unwrap().ready, None);
        s.step(Event::Deadline, at(RESTART_INTERVAL_MS));
        let status = step_wrote(&mut s, Event::Spawned { pid: 43 }, at(1_001)).unwrap();
        assert_eq!(
            status.beyond.unwrap().ready,
            None,
            "the new run is not ready yet"
        );
    }

    #[test]
    fn finishing_shows_in_the_extended_status_and_ends_with_finished() {
        let mut s = with(finishing());
        let exited = |pid| Event::ChildExited {
            pid,
            ended: Ended::Exited(0),
        };
        let actions = s.step(exited(42), at(5_000));
        assert!(wrote(&s, &actions).unwrap().beyond.unwrap().finishing);
        assert_eq!(actions[1], news(b"d"), "ended, not finished");
        s.step(Event::Spawned { pid: 50 }, at(5_000));
        let actions = s.step(exited(50), at(5_100));
        assert_eq!(actions.as_slice(), &[news(b"D"), Action::Spawn]);
    }

    fn exited(pid: u32) -> Event {
        Event::ChildExited {
            pid,
            ended: Ended::Exited(1),
        }
    }

    /// Runs `./run` that dies `lived` ms after each start, `times` times, following the
    /// machine's starts; returns the waits between a death and the next start.
    fn crash_loop(s: &mut Supervisor, mut t: u64, lived: u64, times: usize) -> (Vec<u64>, u64) {
        let mut waits = Vec::new();
        for i in 0..times {
            let Child::Running { pid, .. } = s.child() else {
                panic!("not running: {:?}", s.child());
            };
            t += lived;
            s.step(exited(pid), at(t));
            let died = t;
            if let Child::StartDue(Instant(due)) = s.child() {
                t = due;
                s.step(Event::Deadline, at(t));
            }
            assert_eq!(s.child(), Child::Starting, "death {i}");
            s.step(
                Event::Spawned {
                    pid: 100 + i as u32,
                },
                at(t),
            );
            waits.push(t - died);
        }
        (waits, t)
    }

    #[test]
    fn running_child_exited_quickly_backs_off_doubling_to_the_cap() {
        let mut s = with(Settings {
            restart_backoff: Some(10_000),
            ..Settings::default()
        });
        let (waits, _) = crash_loop(&mut s, 0, 100, 7);
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    }

    #[test]
    fn running_child_exited_after_a_run_longer_than_the_cap_starts_again_at_once() {
        let mut s = with(Settings {
            restart_backoff: Some(5_000),
            ..Settings::default()
        });
        let (waits, t) = crash_loop(&mut s, 0, 100, 3);
        assert_eq!(waits, [1_000, 2_000, 4_000]);
        let (waits, _) = crash_loop(&mut s, t, 6_000, 2);
        assert_eq!(waits, [0, 0], "a long run resets the backoff");
    }

    #[test]
    fn start_due_backing_off_shows_the_next_start_and_up_clears_it() {
        let mut s = with(Settings {
            restart_backoff: Some(60_000),
            ..Settings::default()
        });
        let (_, t) = crash_loop(&mut s, 0, 100, 3);
        let actions = s.step(exited(102), at(t + 100));
        let next = wrote(&s, &actions).unwrap().beyond.unwrap().next_start;
        assert_eq!(
            next,
            Some(at(t + 100 + 8_000).wall),
            "the fourth quick death waits 8 s"
        );
        assert_eq!(s.deadline(), Some(Instant(t + 8_100)));
        let actions = s.step(cmd(Command::Up), at(t + 1_000));
        assert_eq!(
            actions.as_slice(),
            &[Action::Spawn],
            "svc -u: as soon as the interval allows"
        );
    }

    #[test]
    fn running_child_exited_nth_time_within_the_window_gives_up() {
        let mut s = with(Settings {
            give_up: Some(crate::settings::GiveUp {
                deaths: 3,
                window_ms: 10_000,
            }),
            ..Settings::default()
        });
        let (_, t) = crash_loop(&mut s, 0, 100, 2);
        let actions = s.step(exited(101), at(t + 100));
        assert_eq!(s.child(), Child::Stopped);
        let status = wrote(&s, &actions).unwrap();
        assert_eq!(status.want, Want::Down);
        assert!(status.beyond.unwrap().given_up);
        assert_eq!(actions.last(), Some(&news(b"dDF")));
        assert_eq!(s.deadline(), None, "no start, ever");
        let actions = s.step(cmd(Command::Up), at(t + 1_100));
        assert_eq!(
            actions.as_slice(),
            &[Action::Spawn],
            "svc -u starts it again"
        );
        s.step(Event::Spawned { pid: 200 }, at(t + 1_100));
        assert!(!s.status().beyond.unwrap().given_up);
    }

    #[test]
    fn running_child_exited_rarely_never_gives_up() {
        let mut s = with(Settings {
            give_up: Some(crate::settings::GiveUp {
                deaths: 3,
                window_ms: 10_000,
            }),
            ..Settings::default()
        });
        let (waits, _) = crash_loop(&mut s, 0, 6_000, 6);
        assert_eq!(waits, [0; 6], "two deaths in any ten seconds");
    }

    #[test]
    fn finishing_exit_125_gives_up_as_s6() {
        let mut s = with(finishing());
        s.step(exited(42), at(5_000));
        s.step(Event::Spawned { pid: 50 }, at(5_000));
        let actions = s.step(
            Event::ChildExited {
                pid: 50,
                ended: Ended::Exited(125),
            },
            at(5_100),
        );
        assert_eq!(s.child(), Child::Stopped);
        assert!(!actions.contains(&Action::Spawn));
        assert!(wrote(&s, &actions).unwrap().beyond.unwrap().given_up);
        assert_eq!(actions.last(), Some(&news(b"DF")));
    }

    #[test]
    fn running_command_down_with_down_group_signals_the_group_then_kills_it() {
        let mut s = with(Settings {
            down_group: true,
            timeout_kill: Some(300),
            ..Settings::default()
        });
        let group = |signal| Action::SignalGroup { pid: 42, signal };
        let actions = s.step(cmd(Command::Down), at(100));
        assert_eq!(
            actions[..2],
            [group(Signal::Terminate), group(Signal::Continue)]
        );
        assert_eq!(
            s.step(cmd(Command::Terminate), at(150)).as_slice(),
            &[Action::Signal {
                pid: 42,
                signal: Signal::Terminate
            }],
            "svc -t: the process only, as ever"
        );
        assert_eq!(
            s.step(Event::Deadline, at(400)).as_slice(),
            &[group(Signal::Kill)]
        );
    }

    #[test]
    fn running_command_down_sends_the_down_signal_then_kill_after_timeout_kill() {
        let mut s = with(Settings {
            down_signal: Signal::Hangup,
            timeout_kill: Some(300),
            ..Settings::default()
        });
        let actions = s.step(cmd(Command::Down), at(1_000));
        assert_eq!(signals(&actions), [Signal::Hangup, Signal::Continue]);
        assert_eq!(s.deadline(), Some(Instant(1_300)));
        // A second `d` neither delays nor repeats the KILL.
        s.step(cmd(Command::Down), at(1_200));
        assert!(s.step(Event::Deadline, at(1_299)).is_empty());
        assert_eq!(signals(&s.step(Event::Deadline, at(1_300))), [Signal::Kill]);
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn running_child_exited_before_timeout_kill_cancels_the_kill() {
        let mut s = with(Settings {
            timeout_kill: Some(300),
            ..Settings::default()
        });
        s.step(cmd(Command::Down), at(1_000));
        let exited = Event::ChildExited {
            pid: 42,
            ended: Ended::Killed(15),
        };
        s.step(exited, at(1_100));
        assert_eq!(s.deadline(), None);
        assert!(s.step(Event::Deadline, at(1_300)).is_empty());
    }

    #[test]
    fn running_child_exited_with_finish_spawns_finish_with_the_exit_code() {
        let mut s = with(finishing());
        let exited = Event::ChildExited {
            pid: 42,
            ended: Ended::Exited(3),
        };
        let actions = s.step(exited, at(2_000));
        assert_eq!(
            wrote(&s, &actions).map(|st| st.pid),
            Some(None),
            "down first"
        );
        assert_eq!(actions.last(), Some(&Action::SpawnFinish(Ended::Exited(3))));
        assert_eq!(s.child(), Child::FinishStarting);
        assert_eq!(Ended::Exited(3).finish_args(), (3, 0));
        assert_eq!(Ended::Killed(9).finish_args(), (256, 9));
        let argv = |ended: Ended| {
            let mut out = [0xff; FINISH_ARGV_LEN];
            let split = ended.finish_argv(&mut out);
            (out, split)
        };
        assert_eq!(argv(Ended::Killed(9)), (*b"256\09\0\xff\xff", 4));
        assert_eq!(argv(Ended::Exited(0)), (*b"0\x000\0\xff\xff\xff\xff", 2));
        assert_eq!(argv(Ended::Exited(255)), (*b"255\x000\0\xff\xff", 4));
        assert_eq!(argv(Ended::Killed(64)), (*b"256\x0064\0\xff", 4));
    }

    #[test]
    fn finishing_child_exited_restarts_after_the_interval() {
        let mut s = with(finishing());
        let exited = |pid| Event::ChildExited {
            pid,
            ended: Ended::Exited(0),
        };
        s.step(exited(42), at(100));
        assert!(s.step(Event::Spawned { pid: 50 }, at(100)).is_empty());
        assert_eq!(s.child(), Child::Finishing { pid: 50 });
        assert!(
            s.step(cmd(Command::Kill), at(150)).is_empty(),
            "no signal to finish"
        );
        let actions = s.step(exited(50), at(200));
        assert!(
            !actions.contains(&Action::Spawn),
            "the start waits for the interval"
        );
        let written = wrote(&s, &actions).and_then(|s| s.beyond).unwrap();
        assert!(!written.finishing, "finished: written, then announced");
        assert_eq!(actions.last(), Some(&news(b"D")));
        assert_eq!(s.deadline(), Some(Instant(RESTART_INTERVAL_MS)));
        assert_eq!(
            s.step(Event::Deadline, at(RESTART_INTERVAL_MS)).as_slice(),
            &[Action::Spawn]
        );
    }

    #[test]
    fn finishing_deadline_after_timeout_finish_kills_finish() {
        let mut s = with(Settings {
            timeout_finish: Some(5_000),
            ..finishing()
        });
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Killed(9),
            },
            at(100),
        );
        s.step(Event::Spawned { pid: 50 }, at(100));
        assert_eq!(s.deadline(), Some(Instant(5_100)));
        assert_eq!(signals(&s.step(Event::Deadline, at(5_100))), [Signal::Kill]);
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn finishing_command_down_then_exit_waits_for_finish() {
        let mut s = with(finishing());
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(100),
        );
        s.step(Event::Spawned { pid: 50 }, at(100));
        s.step(cmd(Command::Down), at(150));
        assert!(!s.step(cmd(Command::Exit), at(160)).contains(&Action::Exit));
        let actions = s.step(
            Event::ChildExited {
                pid: 50,
                ended: Ended::Exited(0),
            },
            at(200),
        );
        assert_eq!(actions.last(), Some(&Action::Exit));
        assert!(!actions.contains(&Action::Spawn));
    }

    #[test]
    fn finish_starting_spawn_failed_counts_as_finished() {
        let mut s = with(finishing());
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(1),
            },
            at(5_000),
        );
        assert_eq!(
            s.step(Event::SpawnFailed, at(5_000)).as_slice(),
            &[news(b"D"), Action::Spawn]
        );
    }

    #[test]
    fn running_child_exited_after_interval_restarts_at_once() {
        let mut s = up(0);
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(5_000),
        );
        assert_eq!(
            actions.as_slice(),
            &[news(b"dD"), Action::Spawn],
            "no status write before the fork"
        );
        let status = step_wrote(&mut s, Event::Spawned { pid: 43 }, at(5_001)).unwrap();
        assert_eq!((status.pid, status.since), (Some(43), at(5_001).wall));
    }

    #[test]
    fn running_child_exited_quickly_restarts_after_the_interval() {
        let mut s = up(100);
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(300),
        );
        assert!(!actions.contains(&Action::Spawn));
        assert_eq!(s.deadline(), Some(Instant(100 + RESTART_INTERVAL_MS)));
        assert_eq!(
            s.step(Event::Deadline, at(1_100)).as_slice(),
            &[Action::Spawn]
        );
    }

    #[test]
    fn crash_loop_starts_at_most_once_per_interval() {
        let mut s = up(0);
        let mut starts = vec![0];
        let mut pid = 42;
        for ms in (0..20_000).step_by(50) {
            let mut actions = s.step(
                Event::ChildExited {
                    pid,
                    ended: Ended::Exited(0),
                },
                at(ms),
            );
            if s.deadline().is_some_and(|d| d.0 <= ms) {
                actions = s.step(Event::Deadline, at(ms));
            }
            if actions.contains(&Action::Spawn) {
                pid += 1;
                s.step(Event::Spawned { pid }, at(ms));
                starts.push(ms);
            }
        }
        assert!(
            starts
                .windows(2)
                .all(|w| w[1] - w[0] >= RESTART_INTERVAL_MS),
            "{starts:?}"
        );
        assert!(starts.len() >= 19, "{starts:?}");
    }

    #[test]
    fn start_due_down_cancels_the_start() {
        let mut s = up(100);
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(200),
        );
        let actions = s.step(cmd(Command::Down), at(300));
        assert_eq!(s.child(), Child::Stopped);
        assert_eq!(s.deadline(), None);
        assert_eq!(wrote(&s, &actions).unwrap().want, Want::Down);
        assert!(s.step(Event::Deadline, at(5_000)).is_empty());
    }

    #[test]
    fn start_due_exit_exits_at_once() {
        let mut s = up(100);
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(200),
        );
        assert_eq!(
            s.step(cmd(Command::Exit), at(300)).last(),
            Some(&Action::Exit)
        );
    }

    #[test]
    fn running_down_sends_term_then_cont_and_clears_pause() {
        let mut s = up(0);
        s.step(cmd(Command::Pause), at(10));
        let actions = s.step(cmd(Command::Down), at(20));
        assert_eq!(signals(&actions), [Signal::Terminate, Signal::Continue]);
        let status = wrote(&s, &actions).unwrap();
        assert_eq!(
            (status.paused, status.want, status.pid),
            (false, Want::Down, Some(42))
        );
        // It stops, and stays down.
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(5_000),
        );
        assert!(!actions.contains(&Action::Spawn));
        assert_eq!(s.child(), Child::Stopped);
    }

    #[test]
    fn running_once_does_not_restart() {
        let mut s = up(0);
        let actions = s.step(cmd(Command::Once), at(10));
        assert_eq!(wrote(&s, &actions).unwrap().want, Want::Once);
        assert!(
            !s.step(
                Event::ChildExited {
                    pid: 42,
                    ended: Ended::Exited(0)
                },
                at(5_000)
            )
            .contains(&Action::Spawn)
        );
    }

    #[test]
    fn stopped_up_and_once_start() {
        let (mut s, _) = Supervisor::new(false, at(0));
        assert_eq!(
            s.step(cmd(Command::Up), at(10)).last(),
            Some(&Action::Spawn)
        );
        let (mut s, _) = Supervisor::new(false, at(0));
        assert_eq!(
            s.step(cmd(Command::Once), at(10)).as_slice(),
            &[Action::Spawn]
        );
        let status = step_wrote(&mut s, Event::Spawned { pid: 42 }, at(11)).unwrap();
        assert_eq!((status.pid, status.want), (Some(42), Want::Once));
    }

    #[test]
    fn running_pause_and_continue() {
        let mut s = up(0);
        let actions = s.step(cmd(Command::Pause), at(10));
        assert_eq!(signals(&actions), [Signal::Stop]);
        assert!(wrote(&s, &actions).unwrap().paused);
        let actions = s.step(cmd(Command::Continue), at(20));
        assert_eq!(signals(&actions), [Signal::Continue]);
        assert!(!wrote(&s, &actions).unwrap().paused);
    }

    #[test]
    fn running_plain_signals_do_not_touch_the_status() {
        let mut s = up(0);
        for (c, sig) in [
            (Command::Hangup, Signal::Hangup),
            (Command::Alarm, Signal::Alarm),
            (Command::Interrupt, Signal::Interrupt),
            (Command::Terminate, Signal::Terminate),
            (Command::Kill, Signal::Kill),
        ] {
            let actions = s.step(cmd(c), at(10));
            assert_eq!(
                actions.as_slice(),
                &[Action::Signal {
                    pid: 42,
                    signal: sig
                }]
            );
        }
    }

    #[test]
    fn stopped_signals_and_pause_do_nothing() {
        let (mut s, _) = Supervisor::new(false, at(0));
        for c in [
            Command::Pause,
            Command::Continue,
            Command::Hangup,
            Command::Kill,
            Command::Down,
        ] {
            assert!(s.step(cmd(c), at(10)).is_empty(), "{c:?}");
        }
    }

    #[test]
    fn running_up_again_writes_nothing() {
        let mut s = up(0);
        assert!(s.step(cmd(Command::Up), at(10)).is_empty());
    }

    #[test]
    fn running_exit_waits_for_the_child() {
        let mut s = up(0);
        assert!(s.step(cmd(Command::Exit), at(10)).is_empty());
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(5_000),
        );
        assert!(!actions.contains(&Action::Spawn));
        assert_eq!(actions.last(), Some(&Action::Exit));
        assert_eq!(wrote(&s, &actions).unwrap().pid, None);
    }

    #[test]
    fn stopped_exit_exits() {
        let (mut s, _) = Supervisor::new(false, at(0));
        assert_eq!(
            s.step(cmd(Command::Exit), at(10)).as_slice(),
            &[news(b"x"), Action::Exit]
        );
    }

    #[test]
    fn running_other_child_exited_is_ignored() {
        let mut s = up(0);
        assert!(
            s.step(
                Event::ChildExited {
                    pid: 7,
                    ended: Ended::Exited(0)
                },
                at(10)
            )
            .is_empty()
        );
        assert_eq!(
            s.child(),
            Child::Running {
                pid: 42,
                paused: false
            }
        );
    }

    #[test]
    fn stray_spawn_reports_and_early_deadlines_are_ignored() {
        let mut s = up(0);
        assert!(s.step(Event::Spawned { pid: 9 }, at(10)).is_empty());
        assert!(s.step(Event::SpawnFailed, at(10)).is_empty());
        assert!(s.step(Event::Deadline, at(10)).is_empty());
        assert_eq!(
            s.child(),
            Child::Running {
                pid: 42,
                paused: false
            }
        );
    }

    #[test]
    fn running_upgrade_execs_at_once_the_status_being_current() {
        let mut s = up(0);
        assert_eq!(
            s.step(cmd(Command::Upgrade), at(10)).as_slice(),
            &[Action::Upgrade]
        );
    }

    #[test]
    fn running_upgrade_failed_forgets_it() {
        let mut s = up(0);
        s.step(cmd(Command::Upgrade), at(10));
        assert!(s.step(Event::UpgradeFailed, at(11)).is_empty());
        assert!(s.step(cmd(Command::Hangup), at(12)).as_slice() == [signal_to(42, Signal::Hangup)]);
    }

    fn signal_to(pid: u32, signal: Signal) -> Action {
        Action::Signal { pid, signal }
    }

    #[test]
    fn running_upgrade_waits_for_a_due_kill_then_for_the_start() {
        let mut s = with(Settings {
            timeout_kill: Some(500),
            ..Settings::default()
        });
        s.step(cmd(Command::Down), at(10));
        assert!(
            !s.step(cmd(Command::Upgrade), at(20))
                .contains(&Action::Upgrade),
            "a KILL is due: the next supervise would not know"
        );
        let actions = s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Killed(15),
            },
            at(30),
        );
        assert_eq!(actions.last(), Some(&Action::Upgrade));
        assert_eq!(wrote(&s, &actions).unwrap().pid, None, "written before");
    }

    #[test]
    fn start_due_and_finishing_upgrade_waits_for_the_child() {
        let mut s = up(0);
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(1),
            },
            at(100),
        );
        assert!(matches!(s.child(), Child::StartDue(_)));
        assert!(s.step(cmd(Command::Upgrade), at(200)).is_empty());
        assert_eq!(
            s.step(Event::Deadline, at(1_000)).as_slice(),
            &[Action::Spawn]
        );
        assert_eq!(
            s.step(Event::Spawned { pid: 43 }, at(1_001)).last(),
            Some(&Action::Upgrade)
        );
        let mut s = with(finishing());
        s.step(
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            at(10),
        );
        s.step(Event::Spawned { pid: 50 }, at(11));
        assert!(s.step(cmd(Command::Upgrade), at(12)).is_empty());
        let actions = s.step(
            Event::ChildExited {
                pid: 50,
                ended: Ended::Exited(0),
            },
            at(13),
        );
        assert!(!actions.contains(&Action::Upgrade), "a start is due first");
    }

    #[test]
    fn exiting_upgrade_is_not_done() {
        let mut s = up(0);
        s.step(cmd(Command::Exit), at(1));
        assert!(s.step(cmd(Command::Upgrade), at(2)).is_empty());
        let (mut s, _) = Supervisor::new(false, at(0));
        assert_eq!(
            s.step(cmd(Command::Upgrade), at(1)).as_slice(),
            &[Action::Upgrade],
            "stopped: nothing due"
        );
    }

    #[test]
    fn status_write_failed_upgrade_waits_for_the_write() {
        let mut s = up(0);
        s.step(Event::StatusWriteFailed, at(10));
        assert!(s.step(cmd(Command::Upgrade), at(20)).is_empty());
        let actions = s.step(Event::Deadline, at(10 + STATUS_RETRY_MS));
        assert!(matches!(
            actions.as_slice(),
            [Action::WriteStatus, Action::Upgrade]
        ));
    }

    fn found(pid: Option<u32>, want: Want) -> Status {
        Status {
            since: at(3_000).wall,
            pid,
            paused: pid.is_some(),
            want,
            beyond: Some(Beyond {
                ready: pid.map(|_| at(4_000).wall),
                finishing: false,
                next_start: None,
                given_up: false,
            }),
        }
    }

    #[test]
    fn adopt_running_takes_the_status_file_and_writes_nothing() {
        let (s, actions) = Supervisor::adopt(
            found(Some(77), Want::Down),
            Some(77),
            notifying(),
            at(9_000),
        );
        assert!(actions.is_empty(), "{actions:?}");
        assert_eq!(s.status(), found(Some(77), Want::Down));
        assert_eq!(
            s.child(),
            Child::Running {
                pid: 77,
                paused: true
            }
        );
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn adopt_running_with_other_settings_writes_once() {
        let (s, actions) = Supervisor::adopt(
            found(Some(77), Want::Up),
            Some(77),
            Settings::default(),
            at(9_000),
        );
        let status = wrote(&s, &actions).unwrap();
        assert_eq!(status.beyond, None, "no opt-in file left: 18 bytes");
        assert_eq!(actions.len(), 1);
        assert_eq!(status, s.status());
    }

    #[test]
    fn adopt_running_child_exited_restarts_no_sooner_than_the_interval() {
        let (mut s, _) =
            Supervisor::adopt(found(Some(77), Want::Up), Some(77), notifying(), at(9_000));
        let actions = s.step(
            Event::ChildExited {
                pid: 77,
                ended: Ended::Unknown,
            },
            at(9_100),
        );
        assert_eq!(actions.last(), Some(&news(b"dD")));
        assert_eq!(s.deadline(), Some(Instant(9_000 + RESTART_INTERVAL_MS)));
        assert_eq!(
            s.step(Event::Deadline, at(10_000)).as_slice(),
            &[Action::Spawn]
        );
    }

    #[test]
    fn adopt_running_down_signals_the_adopted_process() {
        let (mut s, _) = Supervisor::adopt(
            found(Some(77), Want::Up),
            Some(77),
            Settings::default(),
            at(0),
        );
        let actions = s.step(cmd(Command::Down), at(10));
        assert_eq!(
            &actions[..2],
            &[
                signal_to(77, Signal::Terminate),
                signal_to(77, Signal::Continue)
            ]
        );
    }

    #[test]
    fn adopt_stopped_keeps_it_down_or_starts_it_if_wanted_up() {
        let mut down = found(None, Want::Down);
        down.beyond = Some(Beyond {
            given_up: true,
            ..Beyond::default()
        });
        let gave_up = Settings {
            give_up: Some(crate::settings::GiveUp {
                deaths: 3,
                window_ms: 1_000,
            }),
            ..Settings::default()
        };
        let (s, actions) = Supervisor::adopt(down, None, gave_up, at(0));
        assert!(actions.is_empty());
        assert_eq!(s.status(), down, "still given up");
        let (s, actions) = Supervisor::adopt(found(None, Want::Up), None, notifying(), at(0));
        assert!(actions.is_empty());
        assert!(matches!(s.child(), Child::StartDue(_)), "{:?}", s.child());
    }

    #[test]
    fn unknown_end_gives_finish_256_and_0() {
        let mut out = [0u8; FINISH_ARGV_LEN];
        let split = Ended::Unknown.finish_argv(&mut out);
        assert_eq!(&out[..split], b"256\0");
        assert_eq!(&out[split..split + 2], b"0\0");
    }

    #[test]
    fn running_child_exited_with_cgroup_kills_the_rest_before_the_restart() {
        let mut s = with(Settings {
            cgroup: true,
            ..Settings::default()
        });
        let ended = Event::ChildExited {
            pid: 42,
            ended: Ended::Exited(0),
        };
        let actions = s.step(ended, at(5_000));
        assert_eq!(actions.first(), Some(&Action::KillCgroup));
        assert_eq!(actions.last(), Some(&Action::Spawn));
        let mut s = up(0);
        assert!(
            !s.step(ended, at(5_000)).contains(&Action::KillCgroup),
            "without the file"
        );
    }

    #[test]
    fn every_state_and_event_fits_the_action_list() {
        let commands = crate::control::LETTERS.map(|b| Command::from_byte(b).unwrap());
        let events = commands.iter().map(|&c| Event::Command(c)).chain([
            Event::ChildExited {
                pid: 42,
                ended: Ended::Exited(0),
            },
            Event::Spawned { pid: 43 },
            Event::SpawnFailed,
            Event::Deadline,
        ]);
        for event in events {
            for mut s in [
                Supervisor::new(false, at(0)).0,
                Supervisor::new(true, at(0)).0,
                up(0),
                {
                    let mut s = up(100);
                    s.step(
                        Event::ChildExited {
                            pid: 42,
                            ended: Ended::Exited(0),
                        },
                        at(200),
                    );
                    s
                },
            ] {
                let before = s.child();
                let actions = s.step(event, at(50_000));
                assert!(
                    actions.len() < MAX_ACTIONS,
                    "{before:?} {event:?}: {actions:?}"
                );
            }
        }
    }

    /// xorshift64* (Marsaglia; Vigna): a seeded generator small enough to live here, so
    /// a failing sequence replays from its seed.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            // Spread small seeds over the bits; never 0, where xorshift stays.
            Rng(seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }

        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        /// A number in `0..n` (the modulo bias does not matter here).
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// What happened in a run of random sequences, to show the run reached every part of
    /// the machine.
    #[derive(Default)]
    struct Tally {
        spawns: u32,
        failed_spawns: u32,
        signals: u32,
        exits: u32,
        deferred_starts: u32,
        due_starts: u32,
        given_up: u32,
        stray_events: u32,
        upgrades: u32,
    }

    /// The world around one supervisor: the child that really runs, the spawn asked for,
    /// the status file. It performs the actions of every step and checks the machine.
    struct World<'t> {
        seed: u64,
        s: Supervisor,
        /// The monotonic clock, in ms.
        now: u64,
        /// The forked child not yet reaped.
        child: Option<u32>,
        /// An [`Action::Spawn`] not yet reported.
        spawning: bool,
        /// Children already reaped.
        reaped: Vec<u32>,
        next_pid: u32,
        /// When the last child was forked (the machine's start: [`Event::Spawned`]).
        last_start: Option<u64>,
        /// The contents of `supervise/status`.
        disk: Option<Status>,
        /// The opt-in files.
        settings: Settings,
        /// The letters announced so far.
        announced: Vec<u8>,
        /// Whether the machine's child ran after the last step.
        machine_up: bool,
        exited: bool,
        history: Vec<(u64, Event)>,
        tally: &'t mut Tally,
    }

    impl<'t> World<'t> {
        fn new(seed: u64, normally_up: bool, now: u64, tally: &'t mut Tally) -> World<'t> {
            let (s, actions) = Supervisor::new(normally_up, at(now));
            let mut world = World {
                seed,
                s,
                now,
                child: None,
                spawning: false,
                reaped: Vec::new(),
                next_pid: 100,
                last_start: None,
                disk: None,
                settings: Settings::default(),
                announced: Vec::new(),
                machine_up: false,
                exited: false,
                history: Vec::new(),
                tally,
            };
            world.perform(&actions);
            world
        }

        /// [`Action::Upgrade`]: mostly a new machine from the status file (and the child
        /// that runs, as supervise finds it), which must carry on as if nothing happened;
        /// sometimes a failed exec.
        fn upgrade(&mut self, actions: &Actions) {
            self.tally.upgrades += 1;
            if self.next_pid % 4 == 0 {
                self.step(Event::UpgradeFailed);
                return;
            }
            let Some(found) = self.disk else {
                self.fail("upgrade before any status was written", actions);
            };
            if found.pid != self.child {
                self.fail("the status file does not name the running child", actions);
            }
            let (s, next) = Supervisor::adopt(found, self.child, self.settings, at(self.now));
            if s.status() != self.s.status() {
                self.fail("the adopting machine's status differs", &next);
            }
            self.s = s;
            self.perform(&next);
        }

        fn fail(&self, what: &str, actions: &Actions) -> ! {
            panic!(
                "seed {}: {what}\nevents (ms, event): {:?}\nlast actions: {actions:?}\n{:?}",
                self.seed, self.history, self.s
            )
        }

        /// Lets the event happen out here, hands it to the machine, performs the actions.
        fn step(&mut self, event: Event) {
            self.history.push((self.now, event));
            let due = self.s.deadline().is_some_and(|Instant(d)| d <= self.now);
            let lagging = self.disk != Some(self.s.status());
            let stray = match event {
                Event::ChildExited {
                    pid,
                    ended: Ended::Exited(0),
                } if self.child == Some(pid) => {
                    self.child = None;
                    self.reaped.push(pid);
                    false
                }
                Event::Spawned { pid } if self.spawning => {
                    self.spawning = false;
                    self.child = Some(pid);
                    self.last_start = Some(self.now);
                    false
                }
                Event::SpawnFailed if self.spawning => {
                    self.spawning = false;
                    self.tally.failed_spawns += 1;
                    false
                }
                Event::Deadline => !due,
                Event::ChildExited { .. } | Event::Spawned { .. } | Event::SpawnFailed => true,
                Event::Command(_) | Event::StatusWriteFailed | Event::UpgradeFailed => false,
                Event::Ready => true, // no notification-fd: never reported
            };
            let actions = self.s.step(event, at(self.now));
            if stray {
                self.tally.stray_events += 1;
                // Events that are not ours and deadlines not yet due change nothing (a
                // stray report in Starting cannot happen: that one is the real report),
                // except that a status left unwritten by a spawn may be written now.
                let catch_up = lagging && matches!(actions.as_slice(), [Action::WriteStatus]);
                if !actions.is_empty() && !catch_up {
                    self.fail("a stray event or an early deadline acted", &actions);
                }
            }
            if due && event == Event::Deadline {
                self.tally.due_starts += 1;
            }
            self.perform(&actions);
        }

        fn perform(&mut self, actions: &Actions) {
            let status = self.s.status();
            if actions.len() >= MAX_ACTIONS {
                self.fail("the action list filled up", actions);
            }
            let spawns = actions.last() == Some(&Action::Spawn);
            let (was_up, up) = (
                self.machine_up,
                matches!(self.s.child(), Child::Running { .. }),
            );
            self.machine_up = up;
            let mut upgrade = false;
            for (i, &action) in actions.iter().enumerate() {
                match action {
                    Action::Spawn => {
                        if self.child.is_some() || self.spawning {
                            self.fail("spawn while a child runs or is being spawned", actions);
                        }
                        if i + 1 != actions.len()
                            || actions
                                .iter()
                                .any(|a| !matches!(a, Action::Spawn | Action::Announce(_)))
                        {
                            self.fail("spawn with more than its announcement", actions);
                        }
                        if self
                            .last_start
                            .is_some_and(|t| self.now < t + RESTART_INTERVAL_MS)
                        {
                            self.fail("two starts within the restart interval", actions);
                        }
                        self.spawning = true;
                        self.tally.spawns += 1;
                    }
                    Action::Signal { pid, .. } | Action::SignalGroup { pid, .. } => {
                        if self.child != Some(pid) {
                            self.fail("a signal to a process not the current child", actions);
                        }
                        self.tally.signals += 1;
                    }
                    Action::WriteStatus => {
                        if actions[i + 1..].contains(&Action::WriteStatus) {
                            self.fail("two status writes in one step", actions);
                        }
                        self.disk = Some(status);
                    }
                    Action::Announce(news) => {
                        let after_write = !actions[i..]
                            .iter()
                            .any(|a| matches!(a, Action::WriteStatus));
                        if !after_write {
                            self.fail("an announcement before the status write", actions);
                        }
                        self.announce(news.as_bytes(), actions);
                        if news.as_bytes().contains(&event::FAILED) {
                            self.tally.given_up += 1;
                        }
                    }
                    Action::SpawnFinish(_) => {
                        self.fail("./finish without a finish file (default settings)", actions)
                    }
                    Action::KillCgroup => {
                        self.fail("a cgroup without a cgroup file (default settings)", actions)
                    }
                    Action::Upgrade => {
                        if self.spawning || i + 1 != actions.len() {
                            self.fail("upgrade while spawning, or not last", actions);
                        }
                        upgrade = true;
                    }
                    Action::Exit => {
                        if self.child.is_some() || self.spawning || i + 1 != actions.len() {
                            self.fail("exit with a child, or not last", actions);
                        }
                        if self.announced.last() != Some(&event::EXITING) {
                            self.fail("exit not announced", actions);
                        }
                        self.exited = true;
                        self.tally.exits += 1;
                    }
                }
            }
            // Every start and every end of the child is announced, in this step.
            if was_up != up {
                let letter = if up { event::STARTED } else { event::ENDED };
                let told = actions
                    .iter()
                    .any(|a| matches!(a, Action::Announce(n) if n.as_bytes().contains(&letter)));
                if !told {
                    self.fail("a start or an end not announced", actions);
                }
            }
            // The one write a restart saves: the status follows when the spawn is reported.
            if !spawns && self.disk != Some(status) {
                self.fail("the status file differs from status()", actions);
            }
            if let Some(Instant(d)) = self.s.deadline() {
                if d <= self.now {
                    self.fail("deadline() not after the step", actions);
                }
            }
            let agrees = match self.s.child() {
                Child::Running { pid, .. } => self.child == Some(pid) && !self.spawning,
                Child::Starting => self.child.is_none() && self.spawning,
                Child::Stopped | Child::StartDue(_) => self.child.is_none() && !self.spawning,
                Child::FinishStarting | Child::Finishing { .. } => false,
            };
            if !agrees {
                self.fail("the machine's child is not the world's", actions);
            }
            if upgrade {
                self.upgrade(actions);
            }
            if matches!(self.s.child(), Child::StartDue(_)) {
                self.tally.deferred_starts += 1;
            }
        }

        /// Checks the letters against those before: starts and ends alternate, each end
        /// is followed by "finished" (no `./finish` here), and nothing after an exit.
        fn announce(&mut self, letters: &[u8], actions: &Actions) {
            for &l in letters {
                let last = self.announced.last().copied();
                let fits = match l {
                    event::STARTED => {
                        matches!(last, None | Some(event::FINISHED | event::FAILED))
                    }
                    event::ENDED => last == Some(event::STARTED),
                    event::FINISHED => last == Some(event::ENDED),
                    event::FAILED => last == Some(event::FINISHED),
                    event::EXITING => last != Some(event::STARTED),
                    _ => false,
                };
                if !fits || last == Some(event::EXITING) {
                    self.fail("letters out of order", actions);
                }
                self.announced.push(l);
            }
        }

        /// A pid for a child exit: the current child's, a reaped one's, or a stranger's.
        fn exit_pid(&self, rng: &mut Rng) -> u32 {
            match (self.child, rng.below(4)) {
                (Some(pid), 0 | 1) => pid,
                _ if !self.reaped.is_empty() && rng.below(2) == 0 => {
                    self.reaped[rng.below(self.reaped.len() as u64) as usize]
                }
                _ => 1 + rng.below(5) as u32,
            }
        }

        /// The report of the spawn asked for: mostly a new pid, sometimes a reaped one
        /// again (the kernel reuses pids), sometimes a failed fork.
        fn report_spawn(&mut self, rng: &mut Rng) {
            let event = match rng.below(8) {
                0 => Event::SpawnFailed,
                1 if !self.reaped.is_empty() => Event::Spawned {
                    pid: self.reaped[rng.below(self.reaped.len() as u64) as usize],
                },
                _ => {
                    self.next_pid += 1;
                    Event::Spawned { pid: self.next_pid }
                }
            };
            self.step(event);
        }
    }

    /// 3000 seeded random sequences of events against a model of the processes: commands
    /// of every letter; exits of the child, of reaped and of unknown pids; spawn reports at
    /// once (as supervise does) or later, failed forks, stray reports; deadlines due (on
    /// the dot or late) and early; time moving by 0 ms to two fork retries. After every
    /// step: no spawn while a child runs or is being spawned; no start within
    /// [`RESTART_INTERVAL_MS`] of the last one (counted from [`Event::Spawned`], as the
    /// machine counts); signals only to the current child; every status written equal to
    /// `status()`, and the file current after every step but a spawn; `deadline()` after
    /// now; exit only without a child; stray events and early deadlines change nothing;
    /// the machine's child is the model's. A failure prints its seed and its events.
    #[test]
    fn random_event_sequences_keep_the_invariants() {
        let commands = crate::control::LETTERS.map(|b| Command::from_byte(b).unwrap());
        let mut tally = Tally::default();
        for seed in 0..3_000 {
            let mut rng = Rng::new(seed);
            let mut w = World::new(seed, rng.below(2) == 0, rng.below(1 << 40), &mut tally);
            // A third with daemontools' defaults, a third backing off, a third giving up.
            w.settings = match seed % 3 {
                0 => Settings::default(),
                1 => Settings {
                    restart_backoff: Some(1 + rng.below(30_000)),
                    ..Settings::default()
                },
                _ => Settings {
                    give_up: Some(crate::settings::GiveUp {
                        deaths: 1 + rng.below(4) as u8,
                        window_ms: 1 + rng.below(10_000),
                    }),
                    ..Settings::default()
                },
            };
            w.s.configure(w.settings);
            for _ in 0..400 {
                if w.exited {
                    break;
                }
                // As the tools do: a due deadline is handled before anything else.
                if w.s.deadline().is_some_and(|Instant(d)| d <= w.now) {
                    w.step(Event::Deadline);
                    continue;
                }
                // supervise reports a spawn at once; the machine must not rely on it.
                if w.spawning && rng.below(2) == 0 {
                    w.report_spawn(&mut rng);
                    continue;
                }
                match rng.below(10) {
                    0..=2 => {
                        w.now += match (w.s.deadline(), rng.below(8)) {
                            (Some(Instant(d)), 0) => d - w.now,     // on the dot
                            (Some(Instant(d)), 1) => d - w.now - 1, // a millisecond early
                            (_, 2) => rng.below(2 * FORK_RETRY_MS),
                            (_, 3 | 4) => rng.below(2 * RESTART_INTERVAL_MS),
                            _ => rng.below(20),
                        }
                    }
                    3..=5 => {
                        // Exit ends the sequence: rarer, so that sequences run long.
                        let c = commands[rng.below(commands.len() as u64) as usize];
                        if c != Command::Exit || rng.below(8) == 0 {
                            w.step(Event::Command(c));
                        }
                    }
                    6 | 7 => {
                        let pid = w.exit_pid(&mut rng);
                        w.step(Event::ChildExited {
                            pid,
                            ended: Ended::Exited(0),
                        });
                    }
                    8 if w.spawning => w.report_spawn(&mut rng),
                    8 => w.step(if rng.below(2) == 0 {
                        Event::SpawnFailed
                    } else {
                        Event::Spawned { pid: 7 }
                    }),
                    _ => w.step(Event::Deadline), // never due here: early
                }
            }
        }
        // Every part of the machine was reached, many times.
        for (what, n) in [
            ("spawns", tally.spawns),
            ("failed spawns", tally.failed_spawns),
            ("signals", tally.signals),
            ("exits of supervise", tally.exits),
            ("deferred starts", tally.deferred_starts),
            ("give-ups", tally.given_up),
            ("due starts", tally.due_starts),
            ("stray events", tally.stray_events),
            ("upgrades", tally.upgrades),
        ] {
            assert!(n >= 500, "only {n} {what}");
        }
    }
}
