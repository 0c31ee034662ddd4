//! The opt-in files of a service directory, with s6's names and formats: `down-signal`
//! (the signal `svc -d` sends instead of TERM), `timeout-kill` (milliseconds after it
//! before KILL), `finish` (run after `./run` ends), `timeout-finish` (milliseconds
//! `./finish` may take before KILL, default 5000) and `notification-fd` (the descriptor on
//! which `./run` says it is ready); and three of ours, for what s6 lacks: `restart-backoff`
//! (the longest wait between quick restarts, milliseconds), `give-up` (deaths and a
//! window: `5 60000`), `down-group` (present: stop signals go to the process group) and
//! `cgroup` (a cgroup v2 directory for `./run`, emptied with `cgroup.kill` when it ends).
//!
//! Contract: a directory without these files gets [`Settings::default`], which is
//! daemontools 0.76's behaviour; a file whose contents cannot be read as its format is
//! ignored (the default stays), as s6 ignores it. Parsing only: the caller reads the
//! files.

use crate::supervisor::Signal;

/// `./finish` may run this long by default (s6's default).
pub const FINISH_TIMEOUT_MS: u64 = 5_000;

/// What the opt-in files ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Sent by `svc -d` (then CONT).
    pub down_signal: Signal,
    /// KILL this long after the down signal if the service still runs (`None`: never).
    pub timeout_kill: Option<u64>,
    /// `./finish` exists.
    pub finish: bool,
    /// KILL `./finish` if it runs this long (`None`: it may run for ever).
    pub timeout_finish: Option<u64>,
    /// `./run` gets a pipe on this descriptor; a newline written there means ready.
    pub notification_fd: Option<u16>,
    /// `restart-backoff`: quick deaths double the wait before the next start, from 1 s
    /// to this many milliseconds.
    pub restart_backoff: Option<u64>,
    /// `give-up`: this many deaths within this many milliseconds and the service is
    /// left down.
    pub give_up: Option<GiveUp>,
    /// `down-group`: `./run` leads a process group of its own, and the down signal, its
    /// CONT and the KILL of `timeout-kill` go to the whole group.
    pub down_group: bool,
    /// `cgroup`: `./run` runs in the cgroup the file names, and whatever is left there
    /// when it ends (children that left its process group too) is killed.
    pub cgroup: bool,
}

/// The `give-up` file: stop restarting after `deaths` deaths within `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GiveUp {
    /// How many deaths (1 to [`MAX_DEATHS`]).
    pub deaths: u8,
    /// Within how many milliseconds.
    pub window_ms: u64,
}

/// Most deaths `give-up` may count (the machine remembers this many).
pub const MAX_DEATHS: usize = 16;

impl Settings {
    /// Whether the status file carries our extension (readiness, `./finish` running):
    /// only when a file asks for what it tells.
    pub fn extended(&self) -> bool {
        self.finish
            || self.notification_fd.is_some()
            || self.restart_backoff.is_some()
            || self.give_up.is_some()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            down_signal: Signal::Terminate,
            timeout_kill: None,
            finish: false,
            timeout_finish: Some(FINISH_TIMEOUT_MS),
            notification_fd: None,
            restart_backoff: None,
            give_up: None,
            down_group: false,
            cgroup: false,
        }
    }
}

/// The first line of a file, without white space around it (a path: `cgroup`).
pub fn first_line(text: &[u8]) -> &[u8] {
    let end = crate::search::find_byte(b'\n', text).unwrap_or(text.len());
    text.get(..end).unwrap_or_default().trim_ascii()
}

/// A signal as `down-signal` names it: `SIGHUP`, `HUP` or the number. Only numbers that
/// are the same on every Linux architecture are taken (HUP 1, INT 2, QUIT 3, KILL 9,
/// ALRM 14, TERM 15: USR1, USR2, STOP and CONT differ on MIPS); the others by name.
pub fn signal(text: &[u8]) -> Option<Signal> {
    let word = first_line(text);
    let name = word.strip_prefix(b"SIG").unwrap_or(word);
    // A table, not a `match` on the names: that compiles to a comparison tree several
    // times larger (650 bytes of supervise on MIPS).
    SIGNALS
        .iter()
        .find(|(n, number, _)| name == *n || (!number.is_empty() && name == *number))
        .map(|&(_, _, signal)| signal)
}

/// The signals [`signal`] knows: the name without `SIG`, and the number where it is the
/// same on every architecture (empty where it is not).
const SIGNALS: [(&[u8], &[u8], Signal); 10] = [
    (b"HUP", b"1", Signal::Hangup),
    (b"INT", b"2", Signal::Interrupt),
    (b"QUIT", b"3", Signal::Quit),
    (b"KILL", b"9", Signal::Kill),
    (b"USR1", b"", Signal::User1),
    (b"USR2", b"", Signal::User2),
    (b"ALRM", b"14", Signal::Alarm),
    (b"TERM", b"15", Signal::Terminate),
    (b"STOP", b"", Signal::Stop),
    (b"CONT", b"", Signal::Continue),
];

/// A time as `timeout-kill` and `timeout-finish` give it: decimal milliseconds on the
/// first line, at most 2^32 - 1. `Some(None)` is 0, no limit (as in s6); `None` is
/// unreadable.
pub fn millis(text: &[u8]) -> Option<Option<u64>> {
    let digits = first_line(text);
    if digits.is_empty() {
        return None;
    }
    // At most 2^32 - 1 ms (49 days): 32-bit arithmetic is a fraction of the code on the
    // 32-bit boards.
    let mut ms: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        ms = ms.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
    }
    Some((ms != 0).then_some(u64::from(ms)))
}

/// A descriptor number as `notification-fd` gives it: decimal on the first line, 3 to
/// 1023 (0-2 are the service's standard descriptors; above 1023 the default limit).
pub fn descriptor(text: &[u8]) -> Option<u16> {
    let digits = first_line(text);
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    (3..1024).contains(&n).then_some(n)
}

/// `give-up` as written: two decimal numbers on the first line, the deaths (1 to
/// [`MAX_DEATHS`]) and the window in milliseconds (`5 60000`: five deaths within a
/// minute).
pub fn give_up(text: &[u8]) -> Option<GiveUp> {
    let line = first_line(text);
    let space = crate::search::find_byte(b' ', line)?;
    let (deaths, window) = (line.get(..space)?, line.get(space + 1..)?.trim_ascii());
    let deaths = match millis(deaths)? {
        Some(n) if n as usize <= MAX_DEATHS => n as u8,
        _ => return None,
    };
    Some(GiveUp {
        deaths,
        window_ms: millis(window)??,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names_with_and_without_sig_and_portable_numbers() {
        assert_eq!(signal(b"SIGHUP\n"), Some(Signal::Hangup));
        assert_eq!(signal(b"HUP"), Some(Signal::Hangup));
        assert_eq!(signal(b"1\n"), Some(Signal::Hangup));
        assert_eq!(signal(b"SIGUSR1\n"), Some(Signal::User1));
        assert_eq!(signal(b"QUIT \n"), Some(Signal::Quit));
        assert_eq!(signal(b"15"), Some(Signal::Terminate));
        assert_eq!(
            signal(b"10"),
            None,
            "USR1 on x86, BUS on MIPS: by name only"
        );
        assert_eq!(signal(b"sighup"), None);
        assert_eq!(signal(b"SIG"), None);
        assert_eq!(signal(b"STOP"), Some(Signal::Stop));
        assert_eq!(signal(b"CONT\n"), Some(Signal::Continue));
        assert_eq!(signal(b"ALRM"), Some(Signal::Alarm));
        assert_eq!(signal(b"14"), Some(Signal::Alarm));
        assert_eq!(signal(b"9"), Some(Signal::Kill));
        assert_eq!(signal(b"SIGKILL"), Some(Signal::Kill));
        assert_eq!(
            signal(b"SIG15"),
            Some(Signal::Terminate),
            "as the match read it"
        );
        assert_eq!(signal(b""), None);
        assert_eq!(signal(b"HUP\0"), None, "a NUL is part of the word");
        assert_eq!(signal(b"1\0"), None);
        assert_eq!(signal(b"USR"), None);
        assert_eq!(signal(b"TERMINATE"), None);
        assert_eq!(signal(b"SIGTERM15"), None);
        assert_eq!(signal(b"0"), None);
        assert_eq!(signal(b"\0"), None);
        assert_eq!(signal(b"\nTERM"), None, "the first line only");
    }

    #[test]
    fn millis_decimal_zero_is_no_limit() {
        assert_eq!(millis(b"300\n"), Some(Some(300)));
        assert_eq!(millis(b" 7 "), Some(Some(7)));
        assert_eq!(millis(b"0\n"), Some(None));
        assert_eq!(millis(b"-1"), None);
        assert_eq!(millis(b"5s"), None);
        assert_eq!(millis(b""), None);
        assert_eq!(millis(b"4294967295"), Some(Some(4_294_967_295)));
        assert_eq!(millis(b"4294967296"), None, "past 2^32 - 1 ms");
    }

    #[test]
    fn descriptor_three_to_1023() {
        assert_eq!(descriptor(b"3\n"), Some(3));
        assert_eq!(descriptor(b" 1023 "), Some(1023));
        assert_eq!(descriptor(b"2"), None, "a standard descriptor");
        assert_eq!(descriptor(b"1024"), None);
        assert_eq!(descriptor(b"99999"), None);
        assert_eq!(descriptor(b"4x"), None);
        assert_eq!(descriptor(b""), None);
    }

    #[test]
    fn give_up_deaths_and_window() {
        let five = GiveUp {
            deaths: 5,
            window_ms: 60_000,
        };
        assert_eq!(give_up(b"5 60000\n"), Some(five));
        assert_eq!(give_up(b" 5  60000 "), Some(five));
        assert_eq!(
            give_up(b"16 1"),
            Some(GiveUp {
                deaths: 16,
                window_ms: 1
            })
        );
        assert_eq!(give_up(b"17 1000"), None, "more than MAX_DEATHS");
        assert_eq!(give_up(b"0 1000"), None);
        assert_eq!(give_up(b"5 0"), None);
        assert_eq!(give_up(b"5"), None);
        assert_eq!(give_up(b"5 x"), None);
    }

    #[test]
    fn defaults_are_daemontools() {
        let d = Settings::default();
        assert_eq!(
            (d.down_signal, d.timeout_kill, d.finish),
            (Signal::Terminate, None, false)
        );
        assert_eq!(d.timeout_finish, Some(FINISH_TIMEOUT_MS));
    }
}
