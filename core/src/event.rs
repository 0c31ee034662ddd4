//! What supervise tells the processes waiting on a service (`svc -w`), and the waiter's
//! side: does this status, or this event, mean the wait is over?
//!
//! Protocol: a waiter makes a FIFO in `supervise/event/` and reads it; after every change
//! supervise writes the change's letters (s6's) to each FIFO there, after the status file
//! that shows the change: `u` `./run` started, `U` it said it is ready
//! (`notification-fd`), `d` it ended, `D` the service is down and finished (`./finish`
//! ended too, or there is none), `F` it was left down for good (`give-up`; ours), `x`
//! supervise exits. A waiter subscribes first, then
//! reads the status, so it misses nothing: what happened before is in the status, what
//! happens after arrives as letters.

use crate::status::Status;

/// `./run` started.
pub const STARTED: u8 = b'u';
/// `./run` said it is ready.
pub const READY: u8 = b'U';
/// `./run` ended.
pub const ENDED: u8 = b'd';
/// The service is down and `./finish`, if any, has ended.
pub const FINISHED: u8 = b'D';
/// The service was left down after too many deaths (`give-up`, or `./finish` exited
/// 125).
pub const FAILED: u8 = b'F';
/// supervise exits.
pub const EXITING: u8 = b'x';

/// The letters of one change (at most four: `d`, `D`, `F` and `x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Announcement {
    letters: [u8; 4],
    len: u8,
}

impl Announcement {
    /// Adds a letter (room for four, as many as one change has at most).
    pub fn push(&mut self, letter: u8) {
        if let Some(slot) = self.letters.get_mut(usize::from(self.len)) {
            *slot = letter;
            self.len += 1;
        }
    }

    /// The letters, in order.
    pub fn as_bytes(&self) -> &[u8] {
        self.letters
            .get(..usize::from(self.len))
            .unwrap_or_default()
    }

    /// No letter.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What a waiter waits for (`svc -w` and the letter, s6-svc's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// `-wu`: up.
    Up,
    /// `-wU`: up and ready.
    Ready,
    /// `-wd`: down.
    Down,
    /// `-wD`: down and finished.
    Finished,
    /// `-wr`: started again (after the wait began).
    Restarted,
    /// `-wR`: started again and ready.
    RestartedReady,
}

impl Goal {
    /// The goal of `-w` and this letter.
    pub fn from_letter(letter: u8) -> Option<Goal> {
        Some(match letter {
            b'u' => Goal::Up,
            b'U' => Goal::Ready,
            b'd' => Goal::Down,
            b'D' => Goal::Finished,
            b'r' => Goal::Restarted,
            b'R' => Goal::RestartedReady,
            _ => return None,
        })
    }
}

/// Where a wait stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Not there yet.
    Waiting,
    /// The goal is reached.
    Reached,
    /// supervise exited first.
    Gone,
    /// The service was left down for good while the goal needed it up.
    Failed,
}

/// One waiter's machine: the status read after subscribing, then each letter read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    goal: Goal,
    /// A start was announced since the wait began (for [`Goal::RestartedReady`]).
    started: bool,
    progress: Progress,
}

impl Waiter {
    /// A wait for `goal`.
    pub fn new(goal: Goal) -> Waiter {
        Waiter {
            goal,
            started: false,
            progress: Progress::Waiting,
        }
    }

    /// Where the wait stands.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Whether the goal is a state of a running service.
    fn needs_up(&self) -> bool {
        matches!(
            self.goal,
            Goal::Up | Goal::Ready | Goal::Restarted | Goal::RestartedReady
        )
    }

    /// The status as read after subscribing: the goals that are states may be reached
    /// already; a restart never is.
    pub fn status(&mut self, status: &Status) -> Progress {
        let up = status.pid.is_some();
        let ready = status.beyond.is_some_and(|b| b.ready.is_some());
        let finishing = status.beyond.is_some_and(|b| b.finishing);
        if status.beyond.is_some_and(|b| b.given_up) && self.needs_up() {
            self.progress = Progress::Failed;
            return self.progress;
        }
        let reached = match self.goal {
            Goal::Up => up,
            Goal::Ready => up && ready,
            Goal::Down => !up,
            Goal::Finished => !up && !finishing,
            Goal::Restarted | Goal::RestartedReady => false,
        };
        if reached && self.progress == Progress::Waiting {
            self.progress = Progress::Reached;
        }
        self.progress
    }

    /// A letter read from the FIFO (others are ignored).
    pub fn letter(&mut self, letter: u8) -> Progress {
        if self.progress != Progress::Waiting {
            return self.progress;
        }
        let reached = match (self.goal, letter) {
            (Goal::Up | Goal::Restarted, STARTED) => true,
            (Goal::Ready, READY) => true,
            (Goal::RestartedReady, READY) => self.started,
            (Goal::Down, ENDED) => true,
            (Goal::Finished, FINISHED) => true,
            (_, EXITING) => {
                self.progress = Progress::Gone;
                return self.progress;
            }
            (_, FAILED) if self.needs_up() => {
                self.progress = Progress::Failed;
                return self.progress;
            }
            (_, STARTED) => {
                self.started = true;
                false
            }
            _ => false,
        };
        if reached {
            self.progress = Progress::Reached;
        }
        self.progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{Beyond, Want};
    use crate::tai64::Tai64N;

    fn status(pid: Option<u32>, ready: bool, finishing: bool) -> Status {
        Status {
            since: Tai64N::from_unix(0, 0),
            pid,
            paused: false,
            want: Want::Up,
            beyond: Some(Beyond {
                ready: ready.then(|| Tai64N::from_unix(1, 0)),
                finishing,
                ..Beyond::default()
            }),
        }
    }

    fn after(goal: Goal, status_now: Status, letters: &[u8]) -> Progress {
        let mut w = Waiter::new(goal);
        w.status(&status_now);
        for &l in letters {
            w.letter(l);
        }
        w.progress()
    }

    #[test]
    fn status_reaches_the_state_goals_at_once() {
        let up = status(Some(7), false, false);
        let ready = status(Some(7), true, false);
        let down = status(None, false, false);
        let finishing = status(None, false, true);
        assert_eq!(after(Goal::Up, up, b""), Progress::Reached);
        assert_eq!(after(Goal::Ready, up, b""), Progress::Waiting);
        assert_eq!(after(Goal::Ready, ready, b""), Progress::Reached);
        assert_eq!(after(Goal::Down, finishing, b""), Progress::Reached);
        assert_eq!(after(Goal::Finished, finishing, b""), Progress::Waiting);
        assert_eq!(after(Goal::Finished, down, b""), Progress::Reached);
        assert_eq!(after(Goal::Restarted, up, b""), Progress::Waiting);
        assert_eq!(after(Goal::RestartedReady, ready, b""), Progress::Waiting);
    }

    #[test]
    fn an_original_status_is_never_ready_and_never_finishing() {
        let plain = |pid| Status {
            beyond: None,
            ..status(pid, true, true)
        };
        assert_eq!(after(Goal::Ready, plain(Some(7)), b""), Progress::Waiting);
        assert_eq!(after(Goal::Finished, plain(None), b""), Progress::Reached);
    }

    #[test]
    fn waiting_letters_reach_their_goal() {
        let down = status(None, false, false);
        let up = status(Some(7), false, false);
        assert_eq!(after(Goal::Up, down, b"u"), Progress::Reached);
        assert_eq!(after(Goal::Ready, down, b"u"), Progress::Waiting);
        assert_eq!(after(Goal::Ready, down, b"uU"), Progress::Reached);
        assert_eq!(after(Goal::Down, up, b"u"), Progress::Waiting);
        assert_eq!(after(Goal::Down, up, b"d"), Progress::Reached);
        assert_eq!(after(Goal::Finished, up, b"d"), Progress::Waiting);
        assert_eq!(after(Goal::Finished, up, b"dD"), Progress::Reached);
        assert_eq!(after(Goal::Restarted, up, b"dDu"), Progress::Reached);
    }

    #[test]
    fn waiting_restarted_ready_needs_a_start_then_readiness() {
        let up = status(Some(7), false, false);
        assert_eq!(
            after(Goal::RestartedReady, up, b"U"),
            Progress::Waiting,
            "the old run's readiness"
        );
        assert_eq!(after(Goal::RestartedReady, up, b"dDu"), Progress::Waiting);
        assert_eq!(after(Goal::RestartedReady, up, b"dDuU"), Progress::Reached);
    }

    #[test]
    fn waiting_exit_is_gone_reached_stays_reached() {
        let up = status(Some(7), false, false);
        assert_eq!(after(Goal::Down, up, b"x"), Progress::Gone);
        assert_eq!(after(Goal::Down, up, b"dDx"), Progress::Reached);
        assert_eq!(after(Goal::Up, up, b"x"), Progress::Reached);
        assert_eq!(after(Goal::Down, up, b"xd"), Progress::Gone);
    }

    #[test]
    fn waiting_for_up_fails_when_the_service_gives_up() {
        let down = status(None, false, false);
        assert_eq!(after(Goal::Up, down, b"dDF"), Progress::Failed);
        assert_eq!(after(Goal::RestartedReady, down, b"F"), Progress::Failed);
        assert_eq!(after(Goal::Finished, down, b"F"), Progress::Reached);
        let given_up = Status {
            beyond: Some(Beyond {
                given_up: true,
                ..Beyond::default()
            }),
            ..down
        };
        assert_eq!(after(Goal::Up, given_up, b""), Progress::Failed);
        assert_eq!(after(Goal::Down, given_up, b""), Progress::Reached);
    }

    #[test]
    fn announcement_keeps_order_and_room() {
        let mut a = Announcement::default();
        assert!(a.is_empty());
        for l in *b"dDxyz" {
            a.push(l);
        }
        assert_eq!(a.as_bytes(), b"dDxy");
    }

    #[test]
    fn goal_letters_are_s6_svc_s() {
        let goals: Vec<_> = b"uUdDrRx".iter().map(|&l| Goal::from_letter(l)).collect();
        assert_eq!(
            goals,
            [
                Some(Goal::Up),
                Some(Goal::Ready),
                Some(Goal::Down),
                Some(Goal::Finished),
                Some(Goal::Restarted),
                Some(Goal::RestartedReady),
                None
            ]
        );
    }
}
