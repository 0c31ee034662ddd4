//! svscan's service table: which service directories are known, which `supervise`
//! processes (main and log) run for them, and what a scan of the directory asks for.
//!
//! Contract: services are told apart by device and inode, as in daemontools 0.76, so a
//! renamed directory is the same service; at most [`MAX_SERVICES`] are kept (a new one
//! beyond is refused, not a panic); a service whose directory has gone is forgotten once
//! neither of its supervise processes runs, and its log pipe `P` is handed back to be
//! closed. The table does no I/O: the caller stats, forks and closes.

/// Most services svscan keeps, as the original.
pub const MAX_SERVICES: usize = 1000;

/// How long a service directory made in place must have been left alone before it is
/// started: a script that makes `run`, `log/` and `log/run` in any order within this
/// time gets its logger connected, as if the directory had been complete when seen.
pub const SETTLE_MS: i64 = 1_000;

/// Whether a new service directory (made in place, not linked in) whose newest change
/// (the ctime of the directory, `run`, `log` or `log/run`) was at `changed_ms` is still
/// being made at `now_ms` (both wall-clock milliseconds): changed within the last
/// [`SETTLE_MS`]. A change further ahead than that is the clock having gone back, not a
/// directory being made.
pub fn settling(changed_ms: i64, now_ms: i64) -> bool {
    changed_ms > now_ms.saturating_sub(SETTLE_MS) && changed_ms <= now_ms.saturating_add(SETTLE_MS)
}

/// A directory's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
}

/// One known service. `P` is the caller's pipe between the service and its logger.
#[derive(Debug)]
pub struct Service<P> {
    id: DirId,
    /// The log pipe, if the service has a `log` directory.
    pub log_pipe: Option<P>,
    /// `supervise` for the service, if running.
    pub main: Option<u32>,
    /// `supervise` for its `log`, if running.
    pub log: Option<u32>,
    seen: bool,
}

impl<P> Service<P> {
    /// Whether `supervise` must be started for the service.
    pub fn needs_main(&self) -> bool {
        self.main.is_none()
    }

    /// Whether `supervise log` must be started.
    pub fn needs_log(&self) -> bool {
        self.log_pipe.is_some() && self.log.is_none()
    }
}

/// Why a directory could not be taken on.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// [`MAX_SERVICES`] are known already.
    TooMany,
    /// The caller could not set the new service up (its log could not be checked or
    /// its pipe made); the next scan tries again.
    Setup,
}

/// The services of one scan directory.
#[derive(Debug)]
pub struct ScanTable<P> {
    services: heapless::Vec<Service<P>, MAX_SERVICES>,
}

impl<P> Default for ScanTable<P> {
    fn default() -> Self {
        ScanTable {
            services: heapless::Vec::new(),
        }
    }
}

impl<P> ScanTable<P> {
    /// Starts a scan: every service is unseen until [`ScanTable::visit`] sees it.
    pub fn begin_scan(&mut self) {
        for s in &mut self.services {
            s.seen = false;
        }
    }

    /// Whether the directory `id` is a known service.
    pub fn contains(&self, id: DirId) -> bool {
        self.services.iter().any(|s| s.id == id)
    }

    /// Marks the directory `id` as present and returns its entry; a new service is
    /// added with the result of `log_pipe` (the caller's pipe when the directory has
    /// `log/`, `Ok(None)` when it has none, `Err(())` when that failed).
    pub fn visit(
        &mut self,
        id: DirId,
        log_pipe: impl FnOnce() -> Result<Option<P>, ()>,
    ) -> Result<&mut Service<P>, Refused> {
        let index = match self.services.iter().position(|s| s.id == id) {
            Some(i) => i,
            None => {
                if self.services.is_full() {
                    return Err(Refused::TooMany);
                }
                let service = Service {
                    id,
                    log_pipe: log_pipe().map_err(|()| Refused::Setup)?,
                    main: None,
                    log: None,
                    seen: false,
                };
                let _ = self.services.push(service); // not full: checked above
                self.services.len() - 1
            }
        };
        let service = &mut self.services[index];
        service.seen = true;
        Ok(service)
    }

    /// A child process ended: if it was a supervise of ours, it no longer runs.
    pub fn child_exited(&mut self, pid: u32) {
        for s in &mut self.services {
            if s.main == Some(pid) {
                s.main = None;
            }
            if s.log == Some(pid) {
                s.log = None;
            }
        }
    }

    /// How many supervise processes run: for loggers (`log`) or for the services.
    pub fn running(&self, log: bool) -> usize {
        self.services
            .iter()
            .filter(|s| {
                if log {
                    s.log.is_some()
                } else {
                    s.main.is_some()
                }
            })
            .count()
    }

    /// Ends a scan: services not seen in it and with nothing running are forgotten;
    /// `closed` gets each of their log pipes.
    pub fn end_scan(&mut self, mut closed: impl FnMut(P)) {
        let mut i = 0;
        while i < self.services.len() {
            let s = &self.services[i];
            if s.seen || s.main.is_some() || s.log.is_some() {
                i += 1;
                continue;
            }
            let gone = self.services.swap_remove(i);
            if let Some(pipe) = gone.log_pipe {
                closed(pipe);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ino: u64) -> DirId {
        DirId { dev: 1, ino }
    }

    #[test]
    fn new_service_needs_main_and_log() {
        let mut t = ScanTable::<&str>::default();
        let s = t.visit(id(1), || Ok(Some("pipe"))).unwrap();
        assert!(s.needs_main() && s.needs_log());
        s.main = Some(10);
        s.log = Some(11);
        let s = t
            .visit(id(1), || -> Result<Option<&str>, ()> {
                panic!("a known service makes no new pipe")
            })
            .unwrap();
        assert!(!s.needs_main() && !s.needs_log());
    }

    #[test]
    fn service_without_log_never_needs_one() {
        let mut t = ScanTable::<&str>::default();
        assert!(!t.visit(id(1), || Ok(None)).unwrap().needs_log());
    }

    #[test]
    fn exited_supervise_is_restarted_on_the_next_visit() {
        let mut t = ScanTable::<&str>::default();
        t.visit(id(1), || Ok(Some("p"))).unwrap().main = Some(10);
        t.visit(id(1), || Ok(None)).unwrap().log = Some(11);
        assert_eq!((t.running(false), t.running(true)), (1, 1));
        t.child_exited(10);
        assert_eq!((t.running(false), t.running(true)), (0, 1));
        assert!(t.visit(id(1), || Ok(None)).unwrap().needs_main());
    }

    #[test]
    fn vanished_service_is_kept_while_running_then_forgotten() {
        let mut t = ScanTable::<&str>::default();
        t.visit(id(1), || Ok(Some("pipe-1"))).unwrap().main = Some(10);
        t.visit(id(2), || Ok(None)).unwrap();
        t.begin_scan();
        t.visit(id(2), || Ok(None)).unwrap();
        let mut closed = Vec::new();
        t.end_scan(|p| closed.push(p));
        assert_eq!(
            (t.services.len(), closed.len()),
            (2, 0),
            "still running: kept"
        );
        t.child_exited(10);
        t.begin_scan();
        t.visit(id(2), || Ok(None)).unwrap();
        t.end_scan(|p| closed.push(p));
        assert_eq!((t.services.len(), closed), (1, vec!["pipe-1"]));
    }

    #[test]
    fn failed_setup_is_not_remembered() {
        let mut t = ScanTable::<&str>::default();
        assert_eq!(t.visit(id(1), || Err(())).err(), Some(Refused::Setup));
        assert!(
            t.visit(id(1), || Ok(Some("p"))).unwrap().needs_log(),
            "tried again"
        );
    }

    #[test]
    fn at_most_max_services() {
        let mut t = ScanTable::<u32>::default();
        for i in 0..MAX_SERVICES as u64 {
            t.visit(id(i), || Ok(None)).unwrap();
        }
        assert_eq!(
            t.visit(id(5_000), || Ok(None)).err(),
            Some(Refused::TooMany)
        );
        assert!(
            t.visit(id(7), || Ok(None)).is_ok(),
            "known ones still visit"
        );
    }

    #[test]
    fn settling_within_the_last_second_only() {
        assert!(settling(10_000, 10_000));
        assert!(settling(9_001, 10_000));
        assert!(!settling(9_000, 10_000));
        assert!(!settling(0, 10_000));
        assert!(settling(11_000, 10_000)); // a coarse ctime a little ahead
        assert!(!settling(11_001, 10_000)); // the clock went back
    }

    #[test]
    fn contains_only_visited_directories() {
        let mut table = ScanTable::<()>::default();
        let id = DirId { dev: 1, ino: 2 };
        assert!(!table.contains(id));
        assert!(table.visit(id, || Ok(None)).is_ok());
        assert!(table.contains(id));
        assert!(!table.contains(DirId { dev: 1, ino: 3 }));
    }
}
