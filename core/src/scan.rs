//! The svscan machine: which service directories are known, which `supervise`
//! processes (main and log) run for them, when to scan, and how to shut the tree down.
//!
//! Contract: [`Scanner::step`] handles every (state, event) pair in one exhaustive
//! `match`, never does I/O and never reads a clock (the time comes in as an
//! [`Instant`]); [`Scanner::deadline`] says when it must be called again with
//! [`Event::Timer`]. The caller scans when asked ([`Action::Scan`]): it reports
//! [`Event::ScanBegins`], one [`Event::Entry`] per directory found, and
//! [`Event::ScanEnds`]; the facts that need system calls are gathered only when the
//! machine asks for them ([`Action::SetUp`], [`Action::Start`]) or when
//! [`Scanner::knows`] says a directory is new.
//!
//! What it guarantees, as svscan always did:
//! - services are told apart by device and inode, as in daemontools 0.76, so a renamed
//!   directory is the same service; at most [`MAX_SERVICES`] are kept (a new one beyond
//!   is refused with [`Warning::TooMany`], not a panic);
//! - a scan every [`SCAN_INTERVAL_MS`], at once after a change in the directory, and
//!   every [`SETTLE_SCAN_MS`] while a directory made in place settles ([`settling`]);
//! - a supervise is started for a service (and for its `log`) only when none of ours
//!   runs; a failed fork or setup is tried again at the next scan;
//! - a service whose directory has gone is forgotten once neither of its supervise
//!   processes runs, and its log pipe `P` is handed back to be closed;
//! - TERM or INT stops every service, then (once their supervise processes have gone,
//!   or after [`STOP_PHASE_MS`]) every logger, then exits; nothing else ever exits.
//!
//! As process 1 (the caller reports [`Event::Boot`] first, and a stop with an
//! [`Ending`] other than [`Ending::Exit`]) it also runs the boot hook before the first
//! scan and, after the loggers, the shutdown hook (each waited for at most
//! [`HOOK_MS`]), then TERM to every process, [`GRACE_MS`] (less once none is left),
//! KILL to the rest, and the reboot, halt or power-off: it never exits. A process 1
//! that cannot enter its scan directory (the caller reports [`Event::NoDirectory`]
//! instead of [`Event::Boot`]) does not exit either: it tries again every
//! [`ENTER_RETRY_MS`] ([`Action::Enter`]) and boots once it is in; a stop meanwhile
//! skips what needs the directory (its services, its hooks).
//!
//! An in-place upgrade ([`Event::Upgrade`]: svscan executes itself again, keeping its
//! pid, its children and the pipes they hold) is asked for with [`Action::Upgrade`] at
//! the end of a scan, so that every supervise wanted runs and holds its end of its log
//! pipe, where the new image finds it; after a scan that started one, the next scan
//! ([`SETTLE_SCAN_MS`] later) is awaited, so that the new supervise has set up. The new
//! image learns its children from the scan ([`Event::Adopted`]). During a shutdown an
//! upgrade is not done.
//!
//! A supervise of ours that exits is started again by a scan at once, though at most
//! once every [`RESTART_MS`] after the last scan (a supervise that cannot start at all
//! does not make svscan loop).

pub use crate::supervisor::Instant;

/// Most services svscan keeps, as the original.
pub const MAX_SERVICES: usize = 1000;

/// The periodic scan, as the original.
pub const SCAN_INTERVAL_MS: u64 = 5_000;

/// The next scan while a directory made in place settles.
pub const SETTLE_SCAN_MS: u64 = 100;

/// The scan that restarts a supervise of ours that exited comes at once, but not sooner
/// than this after the end of the last scan.
pub const RESTART_MS: u64 = 1_000;

/// Longest wait for each phase of a shutdown (services, then loggers).
pub const STOP_PHASE_MS: u64 = 10_000;

/// Longest wait for a hook (`.svscan/boot`, `.svscan/shutdown`) of process 1; one
/// still running then is left running (the shutdown's TERM reaches it).
pub const HOOK_MS: u64 = 60_000;

/// Between TERM and KILL to every process left, as process 1 shuts down.
pub const GRACE_MS: u64 = 3_000;

/// Between tries of a process 1 to enter a scan directory it could not enter.
pub const ENTER_RETRY_MS: u64 = 1_000;

/// Of the failed tries to enter the scan directory, every this many is warned about
/// (once a minute), besides the first (the caller's): the console does not fill up.
pub const ENTER_WARN_EVERY: u32 = 60;

/// How long a service directory made in place must have been left alone before it is
/// started: a script that makes `run`, `log/` and `log/run` in any order within this
/// time gets its logger connected, as if the directory had been complete when seen.
pub const SETTLE_MS: i64 = 1_000;

/// Whether a new service directory (made in place, not linked in) whose newest change
/// (the ctime of the directory, `run`, `log` or `log/run`) was at `changed_ms` is still
/// being made at `now_ms` (both wall-clock milliseconds): changed within the last
/// [`SETTLE_MS`], and not before `first_scan_ms`, when svscan's first scan began (after
/// the boot hook): what was there then is taken as complete, so the directories an
/// initramfs unpacked or the boot hook made start at once. `first_scan_ms` is read from
/// the coarse clock the kernel stamps files with, so a change after it never reads as
/// older (one in the same millisecond settles). A change further ahead than
/// [`SETTLE_MS`] is the clock having gone back, not a directory being made.
pub fn settling(changed_ms: i64, now_ms: i64, first_scan_ms: i64) -> bool {
    changed_ms > now_ms.saturating_sub(SETTLE_MS)
        && changed_ms <= now_ms.saturating_add(SETTLE_MS)
        && changed_ms >= first_scan_ms
}

/// A directory's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
}

/// Which supervise of a service: for the service itself, or for its `log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// `supervise name`, its standard output the write end of the log pipe.
    Main,
    /// `supervise log` in `name`, its standard input the read end of the log pipe.
    Log,
}

/// Warnings the machine asks for (the caller's own failures it warns about itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A new service was found with [`MAX_SERVICES`] known already.
    TooMany,
}

/// How a shutdown ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// svscan exits 0 (not process 1: TERM or INT).
    Exit,
    /// The system restarts (process 1: TERM or INT).
    Reboot,
    /// The system halts (process 1: USR1).
    Halt,
    /// The system powers off (process 1: USR2).
    PowerOff,
}

/// A hook of process 1: an executable in `.svscan/` of the scan directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// `.svscan/boot`, before the first scan.
    Boot,
    /// `.svscan/shutdown`, after the loggers have stopped; told how the shutdown ends.
    Shutdown(Ending),
}

/// Something that happened. `P` is the caller's pipe between a service and its logger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<P> {
    /// A scan asked for with [`Action::Scan`] begins.
    ScanBegins,
    /// The scan found the directory `id`. `settling`: it is new ([`Scanner::knows`] said
    /// no), made in place and changed within [`SETTLE_MS`] (see [`settling`]).
    Entry {
        /// The directory.
        id: DirId,
        /// Whether it is a new directory still being made.
        settling: bool,
    },
    /// The outcome of [`Action::SetUp`]: the pipe when the directory has a `log`
    /// directory, `None` when it has none, `Err(())` when that could not be told or the
    /// pipe could not be made (the caller has warned).
    SetUp(Result<Option<P>, ()>),
    /// The supervise asked for with [`Action::Start`] (or the hook asked for with
    /// [`Action::RunHook`]) was forked.
    Spawned {
        /// Its process id.
        pid: u32,
    },
    /// [`Action::Start`] found a supervise running there already (an earlier svscan
    /// started it): nothing was started.
    AlreadyRunning,
    /// [`Action::Start`] found a supervise running there that is svscan's own child:
    /// the image before an in-place upgrade started it. Nothing was started; it counts
    /// as started.
    Adopted {
        /// Its process id.
        pid: u32,
    },
    /// The fork asked for with [`Action::Start`] or [`Action::RunHook`] failed (the
    /// caller has warned).
    SpawnFailed,
    /// The scan ends; `complete` unless reading the directory failed (then nothing is
    /// taken to have vanished).
    ScanEnds {
        /// Whether every entry was read.
        complete: bool,
    },
    /// The pipe handed back with [`Action::Close`] is closed.
    Closed,
    /// A child process was reaped (a supervise of ours, or any orphan as process 1).
    ChildExited {
        /// Its process id.
        pid: u32,
    },
    /// The scan directory changed (inotify).
    Changed,
    /// The instant given by [`Scanner::deadline`] has come.
    Timer,
    /// A signal came: stop the tree, then end this way.
    Stop(Ending),
    /// Process 1 starts: the boot hook runs before the first scan.
    Boot,
    /// Process 1 has no child left (`wait` says so): every other process has gone (an
    /// orphan becomes its child), so none is left for KILL.
    Alone,
    /// Process 1 starts but could not enter its scan directory (missing, not a
    /// directory, no permission; the caller has warned): it tries again, then boots.
    NoDirectory,
    /// The outcome of [`Action::Enter`]: whether svscan is in the scan directory now.
    Entered(bool),
    /// An in-place upgrade is asked for (SIGURG): done at the end of the next scan (or
    /// of the one after, see the module's doc); not during a shutdown.
    Upgrade,
}

/// Something the caller must do, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Action<'a, P> {
    /// Scan the directory: report [`Event::ScanBegins`], an [`Event::Entry`] for each
    /// directory in it, then [`Event::ScanEnds`]. Always the only action of its step.
    Scan,
    /// The current entry is a new service: find out whether it has a `log` directory
    /// and make (or adopt) its pipe, then report [`Event::SetUp`]. Always last.
    SetUp,
    /// Start supervise for the current entry, unless one runs there already; report
    /// [`Event::Spawned`], [`Event::AlreadyRunning`] or [`Event::SpawnFailed`]. Always
    /// last.
    Start {
        /// For the service or for its logger.
        role: Role,
        /// The service's log pipe, if it has a logger: [`Role::Main`] writes to it,
        /// [`Role::Log`] reads from it.
        pipe: Option<&'a P>,
    },
    /// Print this warning about the current entry.
    Warn(Warning),
    /// Close this pipe (its service has gone), then report [`Event::Closed`]. Always
    /// last.
    Close(P),
    /// Write `dx` to the control FIFO of every service (`name/supervise/control`) or of
    /// every logger (`name/log/supervise/control`) in the directory.
    StopAll(Role),
    /// Run the hook; report [`Event::Spawned`] or [`Event::SpawnFailed`]. Always last.
    RunHook(Hook),
    /// Send TERM (`false`) or KILL (`true`) to every process but svscan (`kill(-1)`).
    SignalAll {
        /// KILL rather than TERM.
        kill: bool,
    },
    /// Exit svscan (status 0), or sync and reboot, halt or power off.
    End(Ending),
    /// Try to enter the scan directory again (and watch it for changes once in); report
    /// [`Event::Entered`]. `warn`: say why if it fails. Always last.
    Enter {
        /// Whether a failure is to be warned about.
        warn: bool,
    },
    /// Execute svscan again in place, with the same pid, arguments and children; if
    /// that fails, warn and go on (nothing to report).
    Upgrade,
}

/// Most actions one event causes: both stop phases and the exit (or the shutdown hook).
pub const MAX_ACTIONS: usize = 3;

/// The actions of one step.
pub type Actions<'a, P> = heapless::Vec<Action<'a, P>, MAX_ACTIONS>;

/// Where a scan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// Between entries.
    Open,
    /// [`Action::SetUp`] was asked for this new directory.
    SettingUp(DirId),
    /// [`Action::Start`] was asked for the service at this place in the table (places
    /// change only between scans, when vanished services are forgotten).
    Starting(usize, Role),
}

/// What svscan is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting; the next scan is due at this instant.
    Idle(Instant),
    /// Scanning.
    Scanning {
        /// Whether a new directory was found still being made (next scan sooner).
        settling: bool,
        /// The current entry.
        visit: Visit,
    },
    /// Process 1 runs a hook (its pid once forked) until it has exited or until this
    /// instant; then comes the first scan ([`Hook::Boot`]) or TERM to every process.
    Hooked(Hook, Option<u32>, Instant),
    /// Shutting down: `dx` went to every supervise of this role; the next phase (or the
    /// end) comes when none of ours runs or at this instant.
    Stopping(Role, Instant, Ending),
    /// Process 1 shutting down: TERM went to every process; KILL and the end come when
    /// none is left or at this instant.
    Killing(Instant, Ending),
    /// Process 1 outside its scan directory, which it could not enter: it tries again at
    /// this instant; the count of failed tries so far.
    Entering(Instant, u32),
}

/// One known service.
#[derive(Debug)]
struct Service<P> {
    id: DirId,
    /// The log pipe, if the service has a `log` directory.
    pipe: Option<P>,
    /// Our `supervise` for the service, if it runs.
    main: Option<u32>,
    /// Our `supervise` for its `log`, if it runs.
    log: Option<u32>,
    /// Found by the current (or last complete) scan.
    seen: bool,
}

impl<P> Service<P> {
    /// The first supervise to start from `role` on: its own if not running, then the
    /// logger's if there is a log directory.
    fn next_start(&self, role: Role) -> Option<Role> {
        match role {
            Role::Main if self.main.is_none() => Some(Role::Main),
            Role::Main | Role::Log if self.pipe.is_some() && self.log.is_none() => Some(Role::Log),
            Role::Main | Role::Log => None,
        }
    }

    fn runs(&self, role: Role) -> bool {
        match role {
            Role::Main => self.main.is_some(),
            Role::Log => self.log.is_some(),
        }
    }
}

/// Where an asked-for upgrade stands (beside the state: a shutdown drops it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Upgrade {
    /// None asked for.
    No,
    /// Asked for: done at the end of the current or next scan, unless it starts a
    /// supervise.
    Asked,
    /// Asked for, and the current scan started a supervise: the next scan comes after
    /// [`SETTLE_SCAN_MS`].
    Started,
    /// Done at the end of the next scan, whatever it starts.
    Last,
}

/// The services of one scan directory and what svscan does with them.
#[derive(Debug)]
pub struct Scanner<P> {
    state: State,
    services: heapless::Vec<Service<P>, MAX_SERVICES>,
    upgrade: Upgrade,
}

impl<P> Scanner<P> {
    /// A scanner with no services; its first scan is due at `now`.
    pub const fn new(now: Instant) -> Scanner<P> {
        Scanner {
            state: State::Idle(now),
            services: heapless::Vec::new(),
            upgrade: Upgrade::No,
        }
    }

    /// What it is doing.
    pub fn state(&self) -> State {
        self.state
    }

    /// When [`Event::Timer`] is due: the next scan or the end of a shutdown phase
    /// (`None` during a scan).
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Idle(at)
            | State::Hooked(_, _, at)
            | State::Stopping(_, at, _)
            | State::Killing(at, _)
            | State::Entering(at, _) => Some(at),
            State::Scanning { .. } => None,
        }
    }

    /// Whether the directory `id` is a known service (if not, the caller finds out
    /// whether it is still being made before reporting it).
    pub fn knows(&self, id: DirId) -> bool {
        self.find(id).is_some()
    }

    /// How many supervise processes of ours run for this role.
    pub fn running(&self, role: Role) -> usize {
        self.services.iter().filter(|s| s.runs(role)).count()
    }

    fn find(&self, id: DirId) -> Option<usize> {
        self.services.iter().position(|s| s.id == id)
    }

    /// Handles one event that happened at `now`.
    #[inline(never)] // inlined into svscan's one caller it costs 200 bytes more
    pub fn step(&mut self, event: Event<P>, now: Instant) -> Actions<'_, P> {
        use State::{Entering, Hooked, Idle, Killing, Scanning, Stopping};
        use Visit::{Open, SettingUp, Starting};
        let mut actions = Actions::new();
        // A start to ask for once the state is settled: (service, role).
        let mut start = None;
        let a = &mut actions;
        match (self.state, event) {
            // Scans: when due, or at once after a change.
            (Idle(due), Event::Timer) if now >= due => push(a, Action::Scan),
            (Idle(_), Event::Changed) => push(a, Action::Scan),
            (Idle(_), Event::Timer) => {}
            (
                Scanning { .. } | Hooked(..) | Stopping(..) | Killing(..) | Entering(..),
                Event::Changed,
            ) => {}
            (Scanning { .. }, Event::Timer) => {}
            (Idle(_) | Scanning { .. }, Event::ScanBegins) => {
                for s in &mut self.services {
                    s.seen = false;
                }
                self.state = Scanning {
                    settling: false,
                    visit: Open,
                };
            }
            // An entry: a known service starts what is missing; a new one settles, is
            // refused, or is set up.
            (
                Scanning {
                    settling,
                    visit: Open,
                },
                Event::Entry { id, settling: new },
            ) => match self.find(id) {
                Some(i) => {
                    if let Some(s) = self.services.get_mut(i) {
                        s.seen = true;
                    }
                    start = self.start(i, Role::Main);
                }
                None if new => {
                    self.state = Scanning {
                        settling: true,
                        visit: Open,
                    }
                }
                None if self.services.is_full() => push(a, Action::Warn(Warning::TooMany)),
                None => {
                    self.state = Scanning {
                        settling,
                        visit: SettingUp(id),
                    };
                    push(a, Action::SetUp);
                }
            },
            (
                Scanning {
                    settling,
                    visit: SettingUp(id),
                },
                Event::SetUp(Ok(pipe)),
            ) => {
                let service = Service {
                    id,
                    pipe,
                    main: None,
                    log: None,
                    seen: true,
                };
                self.state = Scanning {
                    settling,
                    visit: Open,
                };
                match self.services.push(service) {
                    Ok(()) => start = self.start(self.services.len() - 1, Role::Main),
                    // Not full: checked at the entry. Were it, the pipe goes back.
                    Err(refused) => close(a, refused.pipe),
                }
            }
            (
                Scanning {
                    settling,
                    visit: SettingUp(_),
                },
                Event::SetUp(Err(())),
            ) => {
                self.state = Scanning {
                    settling,
                    visit: Open,
                }
            }
            // The outcome of a start: after the service's own, its logger's.
            (
                Scanning {
                    settling,
                    visit: Starting(i, role),
                },
                started @ (Event::Spawned { .. } | Event::AlreadyRunning | Event::Adopted { .. }),
            ) => {
                self.state = Scanning {
                    settling,
                    visit: Open,
                };
                if let (Event::Spawned { .. }, Upgrade::Asked) = (&started, self.upgrade) {
                    self.upgrade = Upgrade::Started;
                }
                if let (Some(s), Event::Spawned { pid } | Event::Adopted { pid }) =
                    (self.services.get_mut(i), started)
                {
                    match role {
                        Role::Main => s.main = Some(pid),
                        Role::Log => s.log = Some(pid),
                    }
                }
                if role == Role::Main {
                    start = self.start(i, Role::Log);
                }
            }
            // A failed fork: the next scan tries again (the logger too).
            (
                Scanning {
                    settling,
                    visit: Starting(..),
                },
                Event::SpawnFailed,
            ) => {
                self.state = Scanning {
                    settling,
                    visit: Open,
                }
            }
            // Out of turn: an entry during another's setup or start, outcomes with
            // nothing asked for, scans outside a scan. A stray pipe goes back.
            (
                Scanning {
                    visit: SettingUp(_) | Starting(..),
                    ..
                }
                | Idle(_)
                | Hooked(..)
                | Stopping(..)
                | Killing(..)
                | Entering(..),
                Event::Entry { .. },
            ) => {}
            (
                Scanning {
                    visit: Open | Starting(..),
                    ..
                }
                | Idle(_)
                | Hooked(..)
                | Stopping(..)
                | Killing(..)
                | Entering(..),
                Event::SetUp(pipe),
            ) => close(a, pipe.ok().flatten()),
            (
                Scanning {
                    visit: Open | SettingUp(_),
                    ..
                }
                | Idle(_)
                | Hooked(_, Some(_), _)
                | Stopping(..)
                | Killing(..)
                | Entering(..),
                Event::Spawned { .. } | Event::AlreadyRunning | Event::SpawnFailed,
            ) => {}
            (
                Scanning {
                    visit: Open | SettingUp(_),
                    ..
                }
                | Idle(_)
                | Hooked(..)
                | Stopping(..)
                | Killing(..)
                | Entering(..),
                Event::Adopted { .. },
            ) => {}
            (
                Hooked(..) | Stopping(..) | Killing(..) | Entering(..),
                Event::ScanBegins | Event::ScanEnds { .. },
            ) => {}
            (Idle(_), Event::ScanEnds { .. }) => {}
            // The end of a scan: the next one is due; what vanished and has nothing
            // running is forgotten, one pipe at a time.
            (Scanning { settling, .. }, Event::ScanEnds { complete }) => {
                if !complete {
                    for s in &mut self.services {
                        s.seen = true;
                    }
                }
                // An upgrade asked for: now, or after the next scan if this one started
                // a supervise (it sets up meanwhile).
                let interval = match self.upgrade {
                    Upgrade::Asked | Upgrade::Last => {
                        self.upgrade = Upgrade::No;
                        push(a, Action::Upgrade);
                        SCAN_INTERVAL_MS
                    }
                    Upgrade::Started => {
                        self.upgrade = Upgrade::Last;
                        SETTLE_SCAN_MS
                    }
                    Upgrade::No => SCAN_INTERVAL_MS,
                };
                let interval = if settling { SETTLE_SCAN_MS } else { interval };
                self.state = Idle(after(now, interval));
                self.forget(a);
            }
            (Idle(_), Event::Closed) => self.forget(a),
            (
                Scanning { .. } | Hooked(..) | Stopping(..) | Killing(..) | Entering(..),
                Event::Closed,
            ) => {}
            // Process 1's hooks: the boot hook before the first scan, the shutdown hook
            // after the loggers; each waited for at most HOOK_MS.
            (Idle(_), Event::Boot) => self.run_hook(a, Hook::Boot, now),
            (
                Scanning { .. } | Hooked(..) | Stopping(..) | Killing(..) | Entering(..),
                Event::Boot,
            ) => {}
            // Process 1 outside its scan directory: a try every ENTER_RETRY_MS (a warning
            // every ENTER_WARN_EVERY failures), and the boot once in.
            (Idle(_), Event::NoDirectory) => self.state = Entering(after(now, ENTER_RETRY_MS), 1),
            (Entering(at, failed), Event::Timer) if now >= at => push(
                a,
                Action::Enter {
                    warn: failed % ENTER_WARN_EVERY == 0,
                },
            ),
            (Entering(..), Event::Timer) => {}
            (Entering(_, failed), Event::Entered(false)) => {
                self.state = Entering(after(now, ENTER_RETRY_MS), failed.saturating_add(1))
            }
            (Entering(..), Event::Entered(true)) => self.run_hook(a, Hook::Boot, now),
            // A stop before it got in: nothing of the directory runs (no service, no
            // hook), so straight to TERM to every process (or the exit).
            (Entering(..), Event::Stop(ending)) => match ending {
                Ending::Exit => push(a, Action::End(Ending::Exit)),
                Ending::Reboot | Ending::Halt | Ending::PowerOff => {
                    push(a, Action::SignalAll { kill: false });
                    self.state = Killing(after(now, GRACE_MS), ending);
                }
            },
            (
                Scanning { .. } | Hooked(..) | Stopping(..) | Killing(..) | Entering(..),
                Event::NoDirectory,
            ) => {}
            (
                Idle(_) | Scanning { .. } | Hooked(..) | Stopping(..) | Killing(..),
                Event::Entered(_),
            ) => {}
            (Hooked(hook, None, until), Event::Spawned { pid }) => {
                self.state = Hooked(hook, Some(pid), until)
            }
            (Hooked(hook, None, _), Event::SpawnFailed | Event::AlreadyRunning) => {
                self.hook_done(a, hook, now)
            }
            (Hooked(hook, running, _), Event::ChildExited { pid }) => {
                self.exited(pid);
                if running == Some(pid) {
                    self.hook_done(a, hook, now);
                }
            }
            (Hooked(hook, _, until), Event::Timer) if now >= until => self.hook_done(a, hook, now),
            (Hooked(..), Event::Timer) => {}
            // Children: a supervise of ours no longer runs (orphans mean nothing); when
            // idle, the scan that starts it again comes at once, or RESTART_MS after the
            // last one ended.
            (Idle(due), Event::ChildExited { pid }) => {
                if self.exited(pid) {
                    let soon = due.0.saturating_sub(SCAN_INTERVAL_MS - RESTART_MS);
                    self.state = Idle(due.min(Instant(soon.max(now.0))));
                }
            }
            (Scanning { .. } | Killing(..) | Entering(..), Event::ChildExited { pid }) => {
                self.exited(pid);
            }
            (Stopping(role, _, ending), Event::ChildExited { pid }) => {
                self.exited(pid);
                if self.running(role) == 0 {
                    self.next_phase(a, role, now, ending);
                }
            }
            // Shutting down: services first, then loggers, each at most STOP_PHASE_MS.
            (Idle(_) | Scanning { .. } | Hooked(Hook::Boot, ..), Event::Stop(ending)) => {
                push(a, Action::StopAll(Role::Main));
                self.state = Stopping(Role::Main, after(now, STOP_PHASE_MS), ending);
                if self.running(Role::Main) == 0 {
                    self.next_phase(a, Role::Main, now, ending);
                }
            }
            (Stopping(role, until, ending), Event::Timer) if now >= until => {
                self.next_phase(a, role, now, ending)
            }
            (Stopping(..), Event::Timer) => {}
            (Stopping(..) | Hooked(Hook::Shutdown(_), ..) | Killing(..), Event::Stop(_)) => {}
            // Process 1 after the shutdown hook: TERM to every process, GRACE_MS (less
            // once none is left), KILL, and the end.
            (Killing(until, ending), Event::Timer) if now >= until => {
                push(a, Action::SignalAll { kill: true });
                push(a, Action::End(ending));
            }
            (Killing(..), Event::Timer) => {}
            (Killing(_, ending), Event::Alone) => push(a, Action::End(ending)),
            (
                Idle(_) | Scanning { .. } | Hooked(..) | Stopping(..) | Entering(..),
                Event::Alone,
            ) => {}
            // An upgrade: the scan that ends in it at once; after the boot or the entry,
            // at the end of the first scan; never during a shutdown.
            (Idle(_), Event::Upgrade) => {
                self.ask_upgrade();
                self.state = Idle(now);
            }
            (Scanning { .. } | Hooked(Hook::Boot, ..) | Entering(..), Event::Upgrade) => {
                self.ask_upgrade()
            }
            (Hooked(Hook::Shutdown(_), ..) | Stopping(..) | Killing(..), Event::Upgrade) => {}
        }
        if let (Some((i, role)), Scanning { settling, .. }) = (start, self.state) {
            self.state = Scanning {
                settling,
                visit: Starting(i, role),
            };
            let pipe = self.services.get(i).and_then(|s| s.pipe.as_ref());
            push(&mut actions, Action::Start { role, pipe });
        }
        actions
    }

    /// The start service `i` needs from `role` on, if any (the caller asks for it once
    /// the step is done).
    fn start(&self, i: usize, role: Role) -> Option<(usize, Role)> {
        Some((i, self.services.get(i)?.next_start(role)?))
    }

    /// Notes that `pid` exited; whether it was a supervise of ours.
    fn exited(&mut self, pid: u32) -> bool {
        let mut ours = false;
        for s in &mut self.services {
            if s.main == Some(pid) {
                s.main = None;
                ours = true;
            }
            if s.log == Some(pid) {
                s.log = None;
                ours = true;
            }
        }
        ours
    }

    /// An upgrade is asked for (again: one already asked for stands).
    fn ask_upgrade(&mut self) {
        if self.upgrade == Upgrade::No {
            self.upgrade = Upgrade::Asked;
        }
    }

    /// Forgets the first service that vanished and has nothing running; its pipe (if
    /// any) goes back to be closed, after which [`Event::Closed`] forgets the next.
    fn forget(&mut self, a: &mut Actions<'_, P>) {
        loop {
            let Some(i) = self
                .services
                .iter()
                .position(|s| !s.seen && s.main.is_none() && s.log.is_none())
            else {
                return;
            };
            if let Some(pipe) = self.services.swap_remove(i).pipe {
                return push(a, Action::Close(pipe));
            }
        }
    }

    /// Asks for `hook` to be run, and waits for it.
    fn run_hook(&mut self, a: &mut Actions<'_, P>, hook: Hook, now: Instant) {
        push(a, Action::RunHook(hook));
        self.state = State::Hooked(hook, None, after(now, HOOK_MS));
    }

    /// `hook` is done (or was never started, or is late): after the boot hook the first
    /// scan; after the shutdown hook TERM to every process, and KILL and the end after
    /// [`GRACE_MS`].
    fn hook_done(&mut self, a: &mut Actions<'_, P>, hook: Hook, now: Instant) {
        match hook {
            Hook::Boot => {
                self.state = State::Idle(now);
                push(a, Action::Scan);
            }
            Hook::Shutdown(ending) => {
                push(a, Action::SignalAll { kill: false });
                self.state = State::Killing(after(now, GRACE_MS), ending);
            }
        }
    }

    /// Ends the shutdown phase `role`: after the services, `dx` to the loggers (and the
    /// next step at once if none of ours runs); after the loggers, the exit, or as
    /// process 1 the shutdown hook.
    fn next_phase(&mut self, a: &mut Actions<'_, P>, role: Role, now: Instant, ending: Ending) {
        if role == Role::Main {
            push(a, Action::StopAll(Role::Log));
            self.state = State::Stopping(Role::Log, after(now, STOP_PHASE_MS), ending);
            if self.running(Role::Log) != 0 {
                return;
            }
        }
        match ending {
            Ending::Exit => push(a, Action::End(Ending::Exit)),
            Ending::Reboot | Ending::Halt | Ending::PowerOff => {
                self.run_hook(a, Hook::Shutdown(ending), now);
            }
        }
    }
}

/// `ms` milliseconds after `t`.
fn after(t: Instant, ms: u64) -> Instant {
    Instant(t.0.saturating_add(ms))
}

fn close<P>(actions: &mut Actions<'_, P>, pipe: Option<P>) {
    if let Some(pipe) = pipe {
        push(actions, Action::Close(pipe));
    }
}

/// Adds an action. No event produces more than [`MAX_ACTIONS`] (the tests check every
/// pair), so nothing is ever dropped.
#[inline(never)] // one copy instead of one per action pushed: the size budget
fn push<'a, P>(actions: &mut Actions<'a, P>, action: Action<'a, P>) {
    let _ = actions.push(action);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    type Pipe = &'static str;
    type S = Scanner<Pipe>;

    /// What an action asked for, owned (the pipe by value).
    #[derive(Clone, Debug, PartialEq, Eq)]
    enum Out {
        Scan,
        SetUp,
        Start(Role, Option<Pipe>),
        Warn(Warning),
        Close(Pipe),
        StopAll(Role),
        RunHook(Hook),
        SignalAll(bool),
        End(Ending),
        Enter(bool),
        Upgrade,
    }

    fn out(action: Action<'_, Pipe>) -> Out {
        match action {
            Action::Scan => Out::Scan,
            Action::SetUp => Out::SetUp,
            Action::Start { role, pipe } => Out::Start(role, pipe.copied()),
            Action::Warn(w) => Out::Warn(w),
            Action::Close(p) => Out::Close(p),
            Action::StopAll(role) => Out::StopAll(role),
            Action::RunHook(hook) => Out::RunHook(hook),
            Action::SignalAll { kill } => Out::SignalAll(kill),
            Action::End(ending) => Out::End(ending),
            Action::Enter { warn } => Out::Enter(warn),
            Action::Upgrade => Out::Upgrade,
        }
    }

    fn id(ino: u64) -> DirId {
        DirId { dev: 1, ino }
    }

    fn at(ms: u64) -> Instant {
        Instant(ms)
    }

    /// The binary's side, simulated: the log pipe of each directory, supervise
    /// processes started elsewhere, forks that fail.
    #[derive(Default)]
    struct World {
        /// Directories with a `log`: the pipe made for them (or a setup failure).
        logs: HashMap<u64, Result<Pipe, ()>>,
        elsewhere: HashSet<(u64, Role)>,
        /// Supervise processes running as our children that we did not fork (an image
        /// before an upgrade did): their pids.
        children: HashMap<(u64, Role), u32>,
        fork_fails: bool,
        next_pid: u32,
        /// Every supervise forked: (directory, role, pid).
        forked: Vec<(u64, Role, u32)>,
        /// Whether the hooks exist (else their fork fails), and every one forked.
        hooks: bool,
        hooks_run: Vec<(Hook, u32)>,
        /// Whether the scan directory can be entered (Enter's answer).
        dir: bool,
    }

    impl World {
        fn new() -> World {
            World {
                next_pid: 100,
                ..World::default()
            }
        }

        fn pid(&self, ino: u64, role: Role) -> u32 {
            let found = self.forked.iter().rev().find(|f| (f.0, f.1) == (ino, role));
            found.unwrap().2
        }
    }

    /// Steps like the binary: answers SetUp, Start and Close at once, for the entry
    /// `ino`; returns every action in order.
    fn feed(s: &mut S, w: &mut World, event: Event<Pipe>, ino: u64, now: u64) -> Vec<Out> {
        let mut all = Vec::new();
        let mut next = Some(event);
        while let Some(event) = next.take() {
            let actions = s.step(event, at(now));
            assert!(actions.len() <= MAX_ACTIONS);
            for action in actions {
                let action = out(action);
                next = match &action {
                    Out::SetUp => Some(Event::SetUp(match w.logs.get(&ino) {
                        None => Ok(None),
                        Some(Ok(p)) => Ok(Some(*p)),
                        Some(Err(())) => Err(()),
                    })),
                    Out::Start(role, _) if w.elsewhere.contains(&(ino, *role)) => {
                        Some(Event::AlreadyRunning)
                    }
                    Out::Start(role, _) if w.children.contains_key(&(ino, *role)) => {
                        Some(Event::Adopted {
                            pid: w.children[&(ino, *role)],
                        })
                    }
                    Out::Start(_, _) if w.fork_fails => Some(Event::SpawnFailed),
                    Out::Start(role, _) => {
                        w.next_pid += 1;
                        w.forked.push((ino, *role, w.next_pid));
                        Some(Event::Spawned { pid: w.next_pid })
                    }
                    Out::Close(_) => Some(Event::Closed),
                    Out::RunHook(_) if !w.hooks => Some(Event::SpawnFailed),
                    Out::RunHook(hook) => {
                        w.next_pid += 1;
                        w.hooks_run.push((*hook, w.next_pid));
                        Some(Event::Spawned { pid: w.next_pid })
                    }
                    Out::Enter(_) => Some(Event::Entered(w.dir)),
                    _ => next,
                };
                all.push(action);
            }
        }
        all
    }

    /// One whole scan of directories `(ino, settling)`, as the binary reports it (a
    /// directory's settling is told only when the machine does not know it).
    fn scan(s: &mut S, w: &mut World, dirs: &[(u64, bool)], now: u64) -> Vec<Out> {
        let mut all = feed(s, w, Event::ScanBegins, 0, now);
        for &(ino, settling) in dirs {
            let settling = settling && !s.knows(id(ino));
            all.extend(feed(
                s,
                w,
                Event::Entry {
                    id: id(ino),
                    settling,
                },
                ino,
                now,
            ));
        }
        all.extend(feed(s, w, Event::ScanEnds { complete: true }, 0, now));
        all
    }

    fn starts(outs: &[Out]) -> Vec<Out> {
        outs.iter()
            .filter(|o| matches!(o, Out::Start(..)))
            .cloned()
            .collect()
    }

    /// A scanner that has scanned once at 0: service 1 with a log, service 2 without.
    fn running() -> (S, World) {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("pipe-1"));
        scan(&mut s, &mut w, &[(1, false), (2, false)], 0);
        (s, w)
    }

    #[test]
    fn new_is_idle_with_the_first_scan_due_at_once() {
        let mut s = S::new(at(7));
        assert_eq!((s.state(), s.deadline()), (State::Idle(at(7)), Some(at(7))));
        let mut w = World::new();
        assert_eq!(feed(&mut s, &mut w, Event::Timer, 0, 7), [Out::Scan]);
    }

    #[test]
    fn idle_timer_before_due_does_nothing() {
        let (mut s, mut w) = running();
        assert_eq!(s.deadline(), Some(at(SCAN_INTERVAL_MS)));
        assert!(feed(&mut s, &mut w, Event::Timer, 0, SCAN_INTERVAL_MS - 1).is_empty());
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, SCAN_INTERVAL_MS),
            [Out::Scan]
        );
    }

    #[test]
    fn idle_changed_scans_at_once() {
        let (mut s, mut w) = running();
        assert_eq!(feed(&mut s, &mut w, Event::Changed, 0, 10), [Out::Scan]);
    }

    #[test]
    fn scanning_entry_new_sets_up_then_starts_main_then_log_with_the_pipe() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("pipe-1"));
        let outs = scan(&mut s, &mut w, &[(1, false)], 0);
        assert_eq!(
            outs,
            [
                Out::SetUp,
                Out::Start(Role::Main, Some("pipe-1")),
                Out::Start(Role::Log, Some("pipe-1")),
            ]
        );
        assert_eq!((s.running(Role::Main), s.running(Role::Log)), (1, 1));
    }

    #[test]
    fn scanning_entry_new_without_log_starts_main_only() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        let outs = scan(&mut s, &mut w, &[(2, false)], 0);
        assert_eq!(outs, [Out::SetUp, Out::Start(Role::Main, None)]);
    }

    #[test]
    fn scanning_entry_known_and_running_starts_nothing() {
        let (mut s, mut w) = running();
        assert!(scan(&mut s, &mut w, &[(1, false), (2, false)], 5_000).is_empty());
    }

    #[test]
    fn idle_child_exited_of_ours_scans_again_restart_ms_after_the_last_scan() {
        let (mut s, mut w) = running();
        let pid = w.pid(1, Role::Log);
        assert!(feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 400).is_empty());
        assert_eq!(s.running(Role::Log), 0);
        assert_eq!(s.deadline(), Some(at(RESTART_MS)), "not before RESTART_MS");
        assert!(feed(&mut s, &mut w, Event::Timer, 0, RESTART_MS - 1).is_empty());
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, RESTART_MS),
            [Out::Scan]
        );
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false)], RESTART_MS);
        assert_eq!(outs, [Out::Start(Role::Log, Some("pipe-1"))]);
        // Long after the last scan: at once.
        let pid = w.pid(2, Role::Main);
        let later = RESTART_MS + 3_000;
        feed(&mut s, &mut w, Event::ChildExited { pid }, 0, later);
        assert_eq!(s.deadline(), Some(at(later)));
    }

    #[test]
    fn idle_child_exited_orphan_changes_nothing() {
        let (mut s, mut w) = running();
        assert!(feed(&mut s, &mut w, Event::ChildExited { pid: 7 }, 0, 3_000).is_empty());
        assert_eq!((s.running(Role::Main), s.running(Role::Log)), (2, 1));
        assert_eq!(s.deadline(), Some(at(SCAN_INTERVAL_MS)), "no early scan");
    }

    #[test]
    fn scanning_adopted_counts_as_ours_for_restarts_and_the_stop() {
        // A new image after an upgrade: both supervise of service 1 are its children.
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("adopted"));
        w.children.insert((1, Role::Main), 40);
        w.children.insert((1, Role::Log), 41);
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false)], 0);
        assert_eq!(starts(&outs).len(), 3);
        assert_eq!(w.forked, [(2, Role::Main, 101)], "only service 2 forked");
        assert_eq!((s.running(Role::Main), s.running(Role::Log)), (2, 1));
        // Known now: not asked about again.
        assert!(scan(&mut s, &mut w, &[(1, false), (2, false)], 5_000).is_empty());
        // Its death is noticed (an early scan), and the stop waits for it.
        feed(&mut s, &mut w, Event::ChildExited { pid: 41 }, 0, 9_000);
        assert_eq!(s.deadline(), Some(at(9_000)));
        w.children.clear();
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false)], 9_000);
        assert_eq!(outs, [Out::Start(Role::Log, Some("adopted"))]);
        feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 9_100);
        feed(&mut s, &mut w, Event::ChildExited { pid: 101 }, 0, 9_200);
        assert!(matches!(s.state(), State::Stopping(Role::Main, ..)));
        let outs = feed(&mut s, &mut w, Event::ChildExited { pid: 40 }, 0, 9_300);
        assert_eq!(outs, [Out::StopAll(Role::Log)]);
    }

    #[test]
    fn adopted_out_of_turn_changes_nothing() {
        let (mut s, mut w) = running();
        let before = s.state();
        assert!(feed(&mut s, &mut w, Event::Adopted { pid: 9 }, 0, 10).is_empty());
        assert_eq!((s.state(), s.running(Role::Main)), (before, 2));
        feed(&mut s, &mut w, Event::ScanBegins, 0, 20);
        assert!(feed(&mut s, &mut w, Event::Adopted { pid: 9 }, 0, 20).is_empty());
        assert_eq!(s.running(Role::Main), 2);
    }

    #[test]
    fn idle_upgrade_scans_at_once_and_upgrades_at_its_end() {
        let (mut s, mut w) = running();
        assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 2_000).is_empty());
        assert_eq!(s.deadline(), Some(at(2_000)));
        assert_eq!(feed(&mut s, &mut w, Event::Timer, 0, 2_000), [Out::Scan]);
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false)], 2_000);
        assert_eq!(outs, [Out::Upgrade]);
        // Once: an upgrade that failed is not tried again by itself.
        assert!(scan(&mut s, &mut w, &[(1, false), (2, false)], 7_000).is_empty());
    }

    #[test]
    fn idle_upgrade_after_a_scan_that_started_a_supervise_waits_one_more_scan() {
        let (mut s, mut w) = running();
        feed(&mut s, &mut w, Event::Upgrade, 0, 2_000);
        // A new service in that scan: its supervise sets up before the upgrade.
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false), (3, false)], 2_000);
        assert_eq!(outs, [Out::SetUp, Out::Start(Role::Main, None)]);
        assert_eq!(s.deadline(), Some(at(2_000 + SETTLE_SCAN_MS)));
        // The next scan ends in the upgrade whatever it starts (a supervise that dies at
        // once does not hold it off for ever).
        let pid = w.pid(3, Role::Main);
        feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 2_050);
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false), (3, false)], 2_100);
        assert_eq!(outs, [Out::Start(Role::Main, None), Out::Upgrade]);
        assert_eq!(s.deadline(), Some(at(2_100 + SCAN_INTERVAL_MS)));
    }

    #[test]
    fn idle_upgrade_twice_is_one_upgrade() {
        let (mut s, mut w) = running();
        feed(&mut s, &mut w, Event::Upgrade, 0, 2_000);
        feed(&mut s, &mut w, Event::Upgrade, 0, 2_001);
        let outs = scan(&mut s, &mut w, &[(1, false), (2, false)], 2_001);
        assert_eq!(outs, [Out::Upgrade]);
    }

    #[test]
    fn scanning_upgrade_ends_that_scan() {
        let (mut s, mut w) = running();
        feed(&mut s, &mut w, Event::ScanBegins, 0, 5_000);
        assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 5_000).is_empty());
        let outs = feed(&mut s, &mut w, Event::ScanEnds { complete: true }, 0, 5_000);
        assert_eq!(outs, [Out::Upgrade]);
    }

    #[test]
    fn booting_upgrade_waits_for_the_first_scan_and_the_next() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        feed(&mut s, &mut w, Event::Boot, 0, 0);
        assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 10).is_empty());
        let hook = w.hooks_run[0].1;
        assert_eq!(
            feed(&mut s, &mut w, Event::ChildExited { pid: hook }, 0, 20),
            [Out::Scan]
        );
        let outs = scan(&mut s, &mut w, &[(1, false)], 20);
        assert!(!outs.contains(&Out::Upgrade), "{outs:?}");
        let outs = scan(&mut s, &mut w, &[(1, false)], 20 + SETTLE_SCAN_MS);
        assert_eq!(outs, [Out::Upgrade]);
    }

    #[test]
    fn entering_upgrade_waits_for_the_first_scan() {
        let (mut s, mut w) = outside();
        assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 10).is_empty());
        assert!(matches!(s.state(), State::Entering(..)));
        w.dir = true;
        feed(&mut s, &mut w, Event::Timer, 0, ENTER_RETRY_MS);
        let hook = w.hooks_run[0].1;
        feed(&mut s, &mut w, Event::ChildExited { pid: hook }, 0, 1_100);
        let outs = scan(&mut s, &mut w, &[], 1_100);
        assert_eq!(outs, [Out::Upgrade], "nothing started: at once");
    }

    #[test]
    fn stopping_hooking_and_killing_upgrade_is_dropped() {
        for ending in [Ending::Exit, Ending::Reboot] {
            let (mut s, mut w) = running();
            w.hooks = true;
            feed(&mut s, &mut w, Event::Stop(ending), 0, 1_000);
            let before = s.state();
            assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 1_000).is_empty());
            assert_eq!(s.state(), before);
            // Nothing left over for a scan: it never comes.
            for (ino, role) in [(1, Role::Main), (2, Role::Main), (1, Role::Log)] {
                let pid = w.pid(ino, role);
                for out in feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_100) {
                    assert_ne!(out, Out::Upgrade);
                }
            }
            if ending == Ending::Reboot {
                assert!(matches!(s.state(), State::Hooked(Hook::Shutdown(_), ..)));
                assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 1_200).is_empty());
                let hook = w.hooks_run.last().unwrap().1;
                feed(&mut s, &mut w, Event::ChildExited { pid: hook }, 0, 1_300);
                assert!(matches!(s.state(), State::Killing(..)));
                assert!(feed(&mut s, &mut w, Event::Upgrade, 0, 1_400).is_empty());
            }
        }
    }

    #[test]
    fn scanning_already_running_elsewhere_starts_only_what_is_missing() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("adopted"));
        w.elsewhere.insert((1, Role::Main));
        let outs = scan(&mut s, &mut w, &[(1, false)], 0);
        assert_eq!(starts(&outs).len(), 2, "asked for both, main found running");
        assert_eq!(w.forked, [(1, Role::Log, 101)]);
        // Not ours: asked about again at every scan, never started twice.
        let outs = scan(&mut s, &mut w, &[(1, false)], 5_000);
        assert_eq!(outs, [Out::Start(Role::Main, Some("adopted"))]);
        assert_eq!(w.forked.len(), 1);
    }

    #[test]
    fn scanning_spawn_failed_skips_the_log_and_is_retried_next_scan() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("pipe-1"));
        w.fork_fails = true;
        let outs = scan(&mut s, &mut w, &[(1, false)], 0);
        assert_eq!(outs, [Out::SetUp, Out::Start(Role::Main, Some("pipe-1"))]);
        w.fork_fails = false;
        let outs = scan(&mut s, &mut w, &[(1, false)], 5_000);
        assert_eq!(
            outs,
            [
                Out::Start(Role::Main, Some("pipe-1")),
                Out::Start(Role::Log, Some("pipe-1")),
            ],
            "the same pipe, no second setup"
        );
    }

    #[test]
    fn scanning_setup_failed_is_retried_next_scan() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Err(()));
        assert_eq!(scan(&mut s, &mut w, &[(1, false)], 0), [Out::SetUp]);
        assert!(!s.knows(id(1)));
        w.logs.insert(1, Ok("pipe-1"));
        assert_eq!(starts(&scan(&mut s, &mut w, &[(1, false)], 5_000)).len(), 2);
    }

    #[test]
    fn scanning_entry_settling_waits_and_scans_again_soon() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        assert!(scan(&mut s, &mut w, &[(1, true)], 0).is_empty());
        assert!(!s.knows(id(1)));
        assert_eq!(s.deadline(), Some(at(SETTLE_SCAN_MS)));
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, SETTLE_SCAN_MS),
            [Out::Scan]
        );
        // Settled: started, and the next scan is the periodic one again.
        let outs = scan(&mut s, &mut w, &[(1, false)], 1_100);
        assert_eq!(outs, [Out::SetUp, Out::Start(Role::Main, None)]);
        assert_eq!(s.deadline(), Some(at(1_100 + SCAN_INTERVAL_MS)));
    }

    #[test]
    fn scanning_entry_known_ignores_settling() {
        let (mut s, mut w) = running();
        let outs = feed(&mut s, &mut w, Event::ScanBegins, 0, 5_000);
        assert!(outs.is_empty());
        let entry = Event::Entry {
            id: id(2),
            settling: true,
        };
        feed(&mut s, &mut w, entry, 2, 5_000);
        feed(&mut s, &mut w, Event::ScanEnds { complete: true }, 0, 5_000);
        assert_eq!(s.deadline(), Some(at(5_000 + SCAN_INTERVAL_MS)));
    }

    #[test]
    fn scanning_entry_new_when_full_is_refused_with_a_warning() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        let all: Vec<(u64, bool)> = (0..MAX_SERVICES as u64).map(|i| (i, false)).collect();
        scan(&mut s, &mut w, &all, 0);
        assert_eq!(s.running(Role::Main), MAX_SERVICES);
        let mut more = all.clone();
        more.push((5_000, false));
        let outs = scan(&mut s, &mut w, &more, 5_000);
        assert_eq!(outs, [Out::Warn(Warning::TooMany)]);
        assert!(!s.knows(id(5_000)));
        // A new directory still being made settles first: no warning yet.
        more.pop();
        more.push((5_001, true));
        assert!(scan(&mut s, &mut w, &more, 10_000).is_empty());
        // Known ones are still restarted.
        let pid = w.pid(7, Role::Main);
        feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 10_050);
        let outs = scan(&mut s, &mut w, &all, 15_000);
        assert_eq!(outs, [Out::Start(Role::Main, None)]);
    }

    #[test]
    fn scan_ends_vanished_with_running_supervise_is_kept_then_forgotten() {
        let (mut s, mut w) = running();
        // Service 1 (with its pipe) vanished; its supervise processes still run.
        assert!(scan(&mut s, &mut w, &[(2, false)], 5_000).is_empty());
        assert!(s.knows(id(1)));
        let main = w.pid(1, Role::Main);
        let log = w.pid(1, Role::Log);
        feed(&mut s, &mut w, Event::ChildExited { pid: main }, 0, 6_000);
        assert!(scan(&mut s, &mut w, &[(2, false)], 10_000).is_empty());
        assert!(s.knows(id(1)), "its logger still runs");
        feed(&mut s, &mut w, Event::ChildExited { pid: log }, 0, 11_000);
        assert!(s.knows(id(1)), "forgotten at the end of a scan only");
        assert_eq!(
            scan(&mut s, &mut w, &[(2, false)], 15_000),
            [Out::Close("pipe-1")]
        );
        assert!(!s.knows(id(1)));
        assert!(s.knows(id(2)));
    }

    #[test]
    fn scan_ends_forgets_every_vanished_service_one_pipe_at_a_time() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.logs.insert(1, Ok("p1"));
        w.logs.insert(3, Ok("p3"));
        scan(&mut s, &mut w, &[(1, false), (2, false), (3, false)], 0);
        for (ino, role) in w.forked.clone().iter().map(|f| (f.0, f.1)) {
            let pid = w.pid(ino, role);
            feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 100);
        }
        let outs = scan(&mut s, &mut w, &[], 5_000);
        let mut closed: Vec<Out> = outs.clone();
        closed.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(closed, [Out::Close("p1"), Out::Close("p3")]);
        assert!(!s.knows(id(1)) && !s.knows(id(2)) && !s.knows(id(3)));
    }

    #[test]
    fn scan_ends_incomplete_forgets_nothing() {
        let (mut s, mut w) = running();
        for ino in [1, 2] {
            let pid = w.pid(ino, Role::Main);
            feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 100);
        }
        let pid = w.pid(1, Role::Log);
        feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 100);
        feed(&mut s, &mut w, Event::ScanBegins, 0, 5_000);
        let outs = feed(
            &mut s,
            &mut w,
            Event::ScanEnds { complete: false },
            0,
            5_000,
        );
        assert!(outs.is_empty());
        assert!(s.knows(id(1)) && s.knows(id(2)));
        assert_eq!(s.deadline(), Some(at(5_000 + SCAN_INTERVAL_MS)));
    }

    #[test]
    fn idle_stop_stops_services_then_loggers_then_exits() {
        let (mut s, mut w) = running();
        let outs = feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 1_000);
        assert_eq!(outs, [Out::StopAll(Role::Main)]);
        assert_eq!(
            s.state(),
            State::Stopping(Role::Main, at(1_000 + STOP_PHASE_MS), Ending::Exit)
        );
        let pid = w.pid(1, Role::Main);
        assert!(feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_100).is_empty());
        let pid = w.pid(2, Role::Main);
        let outs = feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_200);
        assert_eq!(
            outs,
            [Out::StopAll(Role::Log)],
            "the loggers once services are gone"
        );
        assert_eq!(s.deadline(), Some(at(1_200 + STOP_PHASE_MS)));
        let pid = w.pid(1, Role::Log);
        assert_eq!(
            feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_300),
            [Out::End(Ending::Exit)]
        );
    }

    #[test]
    fn idle_stop_with_nothing_running_exits_at_once() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        assert_eq!(
            feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 10),
            [
                Out::StopAll(Role::Main),
                Out::StopAll(Role::Log),
                Out::End(Ending::Exit)
            ]
        );
    }

    #[test]
    fn stopping_timer_ends_each_phase_after_ten_seconds() {
        let (mut s, mut w) = running();
        feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 1_000);
        let limit = 1_000 + STOP_PHASE_MS;
        assert!(feed(&mut s, &mut w, Event::Timer, 0, limit - 1).is_empty());
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, limit),
            [Out::StopAll(Role::Log)]
        );
        assert!(feed(&mut s, &mut w, Event::Timer, 0, limit + STOP_PHASE_MS - 1).is_empty());
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, limit + STOP_PHASE_MS),
            [Out::End(Ending::Exit)]
        );
    }

    #[test]
    fn stopping_ignores_changes_scans_and_another_stop() {
        let (mut s, mut w) = running();
        feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 1_000);
        let before = s.state();
        for event in [Event::Changed, Event::Stop(Ending::Exit), Event::ScanBegins] {
            assert!(feed(&mut s, &mut w, event, 0, 2_000).is_empty());
        }
        let entry = Event::Entry {
            id: id(9),
            settling: false,
        };
        assert!(feed(&mut s, &mut w, entry, 9, 2_000).is_empty());
        assert_eq!(s.state(), before);
    }

    /// A process 1 that has booted (with its hooks) and scanned once at 0, as
    /// [`running`]; the boot hook's pid is 100.
    fn process_1() -> (S, World) {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        w.logs.insert(1, Ok("pipe-1"));
        assert_eq!(
            feed(&mut s, &mut w, Event::Boot, 0, 0),
            [Out::RunHook(Hook::Boot)]
        );
        assert_eq!(s.state(), State::Hooked(Hook::Boot, Some(101), at(HOOK_MS)));
        assert_eq!(
            feed(&mut s, &mut w, Event::ChildExited { pid: 101 }, 0, 0),
            [Out::Scan]
        );
        scan(&mut s, &mut w, &[(1, false), (2, false)], 0);
        (s, w)
    }

    #[test]
    fn idle_boot_runs_the_hook_and_scans_once_it_has_exited() {
        let (s, w) = process_1();
        assert_eq!(w.hooks_run, [(Hook::Boot, 101)]);
        assert_eq!(s.running(Role::Main), 2, "started after the hook");
    }

    #[test]
    fn idle_boot_without_a_hook_scans_at_once() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        let outs = feed(&mut s, &mut w, Event::Boot, 0, 0);
        assert_eq!(outs, [Out::RunHook(Hook::Boot), Out::Scan]);
        assert_eq!(s.state(), State::Idle(at(0)));
    }

    #[test]
    fn booting_waits_hook_ms_at_most_and_ignores_other_events() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        feed(&mut s, &mut w, Event::Boot, 0, 0);
        let before = s.state();
        for event in [
            Event::Changed,
            Event::Boot,
            Event::Alone,
            Event::ScanBegins,
            Event::ChildExited { pid: 7 },
            Event::Timer,
        ] {
            assert!(feed(&mut s, &mut w, event, 0, HOOK_MS - 1).is_empty());
        }
        assert_eq!(s.state(), before);
        assert_eq!(feed(&mut s, &mut w, Event::Timer, 0, HOOK_MS), [Out::Scan]);
    }

    #[test]
    fn booting_stop_shuts_down_at_once() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        feed(&mut s, &mut w, Event::Boot, 0, 0);
        let outs = feed(&mut s, &mut w, Event::Stop(Ending::Halt), 0, 10);
        assert_eq!(
            outs,
            [
                Out::StopAll(Role::Main),
                Out::StopAll(Role::Log),
                Out::RunHook(Hook::Shutdown(Ending::Halt)),
            ]
        );
        assert_eq!(
            s.state(),
            State::Hooked(Hook::Shutdown(Ending::Halt), Some(102), at(10 + HOOK_MS))
        );
    }

    #[test]
    fn stop_as_process_1_services_loggers_hook_term_grace_kill_end() {
        for ending in [Ending::Reboot, Ending::Halt, Ending::PowerOff] {
            let (mut s, mut w) = process_1();
            let outs = feed(&mut s, &mut w, Event::Stop(ending), 0, 1_000);
            assert_eq!(outs, [Out::StopAll(Role::Main)]);
            for ino in [1, 2] {
                let pid = w.pid(ino, Role::Main);
                feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_100);
            }
            let pid = w.pid(1, Role::Log);
            let outs = feed(&mut s, &mut w, Event::ChildExited { pid }, 0, 1_200);
            assert_eq!(outs, [Out::RunHook(Hook::Shutdown(ending))]);
            let hook = w.hooks_run.last().unwrap().1;
            assert_eq!(
                s.state(),
                State::Hooked(Hook::Shutdown(ending), Some(hook), at(1_200 + HOOK_MS))
            );
            let outs = feed(&mut s, &mut w, Event::ChildExited { pid: hook }, 0, 1_300);
            assert_eq!(outs, [Out::SignalAll(false)]);
            assert_eq!(s.deadline(), Some(at(1_300 + GRACE_MS)));
            assert!(feed(&mut s, &mut w, Event::Timer, 0, 1_299 + GRACE_MS).is_empty());
            assert_eq!(
                feed(&mut s, &mut w, Event::Timer, 0, 1_300 + GRACE_MS),
                [Out::SignalAll(true), Out::End(ending)]
            );
        }
    }

    #[test]
    fn stop_as_process_1_with_nothing_running_and_no_hook() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        let outs = feed(&mut s, &mut w, Event::Stop(Ending::PowerOff), 0, 10);
        assert_eq!(
            outs,
            [
                Out::StopAll(Role::Main),
                Out::StopAll(Role::Log),
                Out::RunHook(Hook::Shutdown(Ending::PowerOff)),
                Out::SignalAll(false),
            ]
        );
        assert_eq!(
            s.state(),
            State::Killing(at(10 + GRACE_MS), Ending::PowerOff)
        );
    }

    #[test]
    fn stopping_timer_as_process_1_leads_to_the_hook() {
        let (mut s, mut w) = process_1();
        feed(&mut s, &mut w, Event::Stop(Ending::Reboot), 0, 1_000);
        let limit = 1_000 + STOP_PHASE_MS;
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, limit),
            [Out::StopAll(Role::Log)]
        );
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, limit + STOP_PHASE_MS),
            [Out::RunHook(Hook::Shutdown(Ending::Reboot))]
        );
    }

    #[test]
    fn hooking_waits_hook_ms_at_most_and_ignores_other_events() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        feed(&mut s, &mut w, Event::Stop(Ending::Reboot), 0, 0);
        let before = s.state();
        assert!(matches!(before, State::Hooked(_, Some(_), _)));
        for event in [
            Event::Changed,
            Event::Boot,
            Event::Alone,
            Event::Stop(Ending::Halt),
            Event::ScanBegins,
            Event::Spawned { pid: 9 },
            Event::ChildExited { pid: 7 },
            Event::Timer,
        ] {
            assert!(feed(&mut s, &mut w, event, 0, HOOK_MS - 1).is_empty());
        }
        assert_eq!(s.state(), before);
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, HOOK_MS),
            [Out::SignalAll(false)]
        );
    }

    #[test]
    fn killing_alone_ends_at_once_and_ignores_other_events() {
        let mut s = S::new(at(0));
        let mut w = World::new();
        feed(&mut s, &mut w, Event::Stop(Ending::Halt), 0, 0);
        let before = s.state();
        for event in [
            Event::Changed,
            Event::Boot,
            Event::Stop(Ending::Reboot),
            Event::ScanBegins,
            Event::ChildExited { pid: 7 },
            Event::Timer,
        ] {
            assert!(feed(&mut s, &mut w, event, 0, GRACE_MS - 1).is_empty());
        }
        assert_eq!(s.state(), before);
        assert_eq!(
            feed(&mut s, &mut w, Event::Alone, 0, 100),
            [Out::End(Ending::Halt)]
        );
    }

    #[test]
    fn alone_outside_a_shutdown_changes_nothing() {
        let (mut s, mut w) = running();
        assert!(feed(&mut s, &mut w, Event::Alone, 0, 10).is_empty());
        assert_eq!(s.state(), State::Idle(at(SCAN_INTERVAL_MS)));
    }

    #[test]
    fn idle_stray_setup_hands_the_pipe_back() {
        let (mut s, _) = running();
        let actions = s.step(Event::SetUp(Ok(Some("stray"))), at(10));
        assert_eq!(actions.as_slice(), &[Action::Close("stray")]);
        drop(actions);
        assert!(s.step(Event::Spawned { pid: 5 }, at(10)).is_empty());
        assert_eq!(s.running(Role::Main), 2);
    }

    /// Scanners with an upgrade asked for, mid-scan, before and after a start in that
    /// scan (apart: a scanner on the stack is large).
    fn upgrading() -> Vec<S> {
        let mut upgrading = running().0;
        upgrading.step(Event::Upgrade, at(5_000));
        upgrading.step(Event::ScanBegins, at(5_000));
        let mut upgrading_started = running().0;
        upgrading_started.step(Event::ChildExited { pid: 101 }, at(4_000));
        upgrading_started.step(Event::Upgrade, at(5_000));
        upgrading_started.step(Event::ScanBegins, at(5_000));
        upgrading_started.step(
            Event::Entry {
                id: id(1),
                settling: false,
            },
            at(5_000),
        );
        upgrading_started.step(Event::Spawned { pid: 600 }, at(5_000));
        vec![upgrading, upgrading_started]
    }

    #[test]
    fn every_state_and_event_fits_the_action_list() {
        let events = || {
            [
                Event::ScanBegins,
                Event::Entry {
                    id: id(1),
                    settling: false,
                },
                Event::Entry {
                    id: id(9),
                    settling: false,
                },
                Event::Entry {
                    id: id(9),
                    settling: true,
                },
                Event::SetUp(Ok(Some("p"))),
                Event::SetUp(Ok(None)),
                Event::SetUp(Err(())),
                Event::Spawned { pid: 500 },
                Event::AlreadyRunning,
                Event::SpawnFailed,
                Event::ScanEnds { complete: true },
                Event::ScanEnds { complete: false },
                Event::Closed,
                Event::ChildExited { pid: 101 },
                Event::Changed,
                Event::Timer,
                Event::Stop(Ending::Exit),
                Event::Stop(Ending::PowerOff),
                Event::Boot,
                Event::Alone,
                Event::NoDirectory,
                Event::Entered(true),
                Event::Entered(false),
                Event::Upgrade,
                Event::Adopted { pid: 501 },
            ]
        };
        let states = || -> Vec<S> {
            let idle = running().0;
            let mut scanning = running().0;
            scanning.step(Event::ScanBegins, at(5_000));
            let mut setting_up = running().0;
            setting_up.step(Event::ScanBegins, at(5_000));
            setting_up.step(
                Event::Entry {
                    id: id(9),
                    settling: false,
                },
                at(5_000),
            );
            let mut starting = running().0;
            starting.step(Event::ChildExited { pid: 101 }, at(4_000));
            starting.step(Event::ScanBegins, at(5_000));
            starting.step(
                Event::Entry {
                    id: id(1),
                    settling: false,
                },
                at(5_000),
            );
            let mut stopping = running().0;
            stopping.step(Event::Stop(Ending::Exit), at(5_000));
            let mut booting = S::new(at(0));
            booting.step(Event::Boot, at(0));
            let mut booting_hook = S::new(at(0));
            booting_hook.step(Event::Boot, at(0));
            booting_hook.step(Event::Spawned { pid: 101 }, at(0));
            let mut hooking = S::new(at(0));
            hooking.step(Event::Stop(Ending::Reboot), at(0));
            let mut hooking_hook = S::new(at(0));
            hooking_hook.step(Event::Stop(Ending::Reboot), at(0));
            hooking_hook.step(Event::Spawned { pid: 101 }, at(0));
            let mut killing = S::new(at(0));
            killing.step(Event::Stop(Ending::Reboot), at(0));
            killing.step(Event::SpawnFailed, at(0));
            let mut entering = S::new(at(0));
            entering.step(Event::NoDirectory, at(0));
            vec![
                entering,
                idle,
                scanning,
                setting_up,
                starting,
                stopping,
                booting,
                booting_hook,
                hooking,
                hooking_hook,
                killing,
            ]
        };
        for event in events() {
            for mut s in states().into_iter().chain(upgrading()) {
                let before = s.state();
                let actions = s.step(event.clone(), at(60_000));
                assert!(
                    actions.len() <= MAX_ACTIONS,
                    "{before:?} {event:?}: {actions:?}"
                );
            }
        }
    }

    /// A process 1 that could not enter its scan directory at 0, as the binary has it.
    fn outside() -> (S, World) {
        let mut s = S::new(at(0));
        let mut w = World::new();
        w.hooks = true;
        w.logs.insert(1, Ok("pipe-1"));
        assert!(feed(&mut s, &mut w, Event::NoDirectory, 0, 0).is_empty());
        assert_eq!(s.state(), State::Entering(at(ENTER_RETRY_MS), 1));
        (s, w)
    }

    #[test]
    fn idle_no_directory_tries_again_every_second_and_warns_once_a_minute() {
        let (mut s, mut w) = outside();
        assert_eq!(s.deadline(), Some(at(ENTER_RETRY_MS)));
        assert!(feed(&mut s, &mut w, Event::Timer, 0, ENTER_RETRY_MS - 1).is_empty());
        let mut warned = Vec::new();
        let mut now = ENTER_RETRY_MS;
        for _ in 0..2 * ENTER_WARN_EVERY {
            let outs = feed(&mut s, &mut w, Event::Timer, 0, now);
            let [Out::Enter(warn)] = outs[..] else {
                panic!("{outs:?}")
            };
            warned.push(warn);
            now += ENTER_RETRY_MS;
            assert_eq!(s.deadline(), Some(at(now)));
        }
        // the first failure was the caller's warning; then the tries after 60 and 120 failures
        let at_minutes: Vec<usize> = (0..warned.len()).filter(|&i| warned[i]).collect();
        assert_eq!(at_minutes, [59, 119]);
        assert!(w.forked.is_empty() && w.hooks_run.is_empty());
    }

    #[test]
    fn entering_entered_runs_the_boot_hook_then_scans() {
        let (mut s, mut w) = outside();
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, ENTER_RETRY_MS),
            [Out::Enter(false)]
        );
        w.dir = true;
        let now = 2 * ENTER_RETRY_MS;
        assert_eq!(
            feed(&mut s, &mut w, Event::Timer, 0, now),
            [Out::Enter(false), Out::RunHook(Hook::Boot)]
        );
        let hook = w.hooks_run[0].1;
        assert_eq!(
            s.state(),
            State::Hooked(Hook::Boot, Some(hook), at(now + HOOK_MS))
        );
        assert_eq!(
            feed(&mut s, &mut w, Event::ChildExited { pid: hook }, 0, now),
            [Out::Scan]
        );
        scan(&mut s, &mut w, &[(1, false)], now);
        assert_eq!((s.running(Role::Main), s.running(Role::Log)), (1, 1));
    }

    #[test]
    fn entering_stop_sends_term_to_every_process_without_hooks_or_services() {
        for ending in [Ending::Reboot, Ending::Halt, Ending::PowerOff] {
            let (mut s, mut w) = outside();
            assert_eq!(
                feed(&mut s, &mut w, Event::Stop(ending), 0, 500),
                [Out::SignalAll(false)]
            );
            assert_eq!(s.state(), State::Killing(at(500 + GRACE_MS), ending));
            assert_eq!(
                feed(&mut s, &mut w, Event::Alone, 0, 600),
                [Out::End(ending)]
            );
            assert!(w.hooks_run.is_empty());
        }
        let (mut s, mut w) = outside();
        assert_eq!(
            feed(&mut s, &mut w, Event::Stop(Ending::Exit), 0, 500),
            [Out::End(Ending::Exit)]
        );
    }

    #[test]
    fn entering_ignores_other_events_and_reaps() {
        let (mut s, mut w) = outside();
        let before = s.state();
        for event in [
            Event::Changed,
            Event::Boot,
            Event::NoDirectory,
            Event::Alone,
            Event::ScanBegins,
            Event::ScanEnds { complete: true },
            Event::Spawned { pid: 9 },
            Event::ChildExited { pid: 7 },
            Event::Closed,
            Event::Entered(true),
            Event::Timer,
        ] {
            // Entered out of turn (nothing asked) still boots: it is in, after all
            let outs = feed(&mut s, &mut w, event.clone(), 0, 10);
            if event == Event::Entered(true) {
                assert_eq!(outs, [Out::RunHook(Hook::Boot)]);
                return;
            }
            assert!(outs.is_empty(), "{event:?}: {outs:?}");
            assert_eq!(s.state(), before, "{event:?}");
        }
    }

    #[test]
    fn entered_outside_entering_changes_nothing() {
        let (mut s, mut w) = running();
        let before = s.state();
        assert!(feed(&mut s, &mut w, Event::Entered(true), 0, 10).is_empty());
        assert!(feed(&mut s, &mut w, Event::Entered(false), 0, 10).is_empty());
        assert_eq!(s.state(), before);
    }

    #[test]
    fn settling_within_the_last_second_only() {
        assert!(settling(10_000, 10_000, 0));
        assert!(settling(9_001, 10_000, 0));
        assert!(!settling(9_000, 10_000, 0));
        assert!(!settling(0, 10_000, 0));
        assert!(settling(11_000, 10_000, 0)); // a coarse ctime a little ahead
        assert!(!settling(11_001, 10_000, 0)); // the clock went back
        // Made before the first scan (an initramfs, the boot hook): complete.
        assert!(!settling(9_500, 10_000, 9_800));
        assert!(!settling(9_799, 10_000, 9_800));
        assert!(
            settling(9_800, 10_000, 9_800),
            "the same millisecond: settles"
        );
        assert!(settling(9_900, 10_000, 9_800), "made since: still settling");
    }
}
