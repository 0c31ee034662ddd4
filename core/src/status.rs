//! The `supervise/status` file: 18 bytes that `svstat` and the other tools read, and what
//! our supervise appends when an opt-in file of the service directory asks for more.
//!
//! Layout (daemontools 0.76): bytes 0-11 the TAI64N stamp of the last start or stop,
//! 12-15 the child's pid little-endian (0 when down), 16 paused (1/0), 17 what is
//! wanted: `u` up, `d` down, 0 once. Files longer than 18 bytes (other suites append)
//! are read by their first 18 bytes.
//!
//! Our extension ([`Beyond`], only with an opt-in file that it tells about): byte 18 the
//! mark [`BEYOND_MARK`], byte 19 flags (bit 0 ready, bit 1 `./finish` runs, bit 2 backing
//! off, bit 3 given up), bytes 20-31 a TAI64N stamp: when it became ready (bit 0), or
//! when the next start is due (bit 2), else zero. The original tools read the first 18
//! bytes and see what they always saw.

use crate::tai64::Tai64N;

/// Size of the status file as daemontools' supervise writes it.
pub const STATUS_LEN: usize = 18;
/// Size with our extension.
pub const STATUS_MAX: usize = 32;
/// Byte 18 of a status with our extension.
pub const BEYOND_MARK: u8 = 0xda;

/// What supervise is asked to keep the service doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// Keep it running: restart whenever it stops (`u`).
    Up,
    /// Keep it stopped (`d`).
    Down,
    /// Run it once: do not restart it when it stops (byte 0, or any other byte read).
    Once,
}

/// The contents of a status file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// When the child last started or stopped.
    pub since: Tai64N,
    /// The running child, if any.
    pub pid: Option<u32>,
    /// Whether the running child was paused with `svc -p`.
    pub paused: bool,
    /// What is wanted.
    pub want: Want,
    /// What our supervise adds when an opt-in file asks for it (`None`: 18 bytes).
    pub beyond: Option<Beyond>,
}

/// The state the original status cannot tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Beyond {
    /// When the running `./run` said it was ready (`notification-fd`).
    pub ready: Option<Tai64N>,
    /// `./finish` runs: the service is down, but not yet finished.
    pub finishing: bool,
    /// Down after quick deaths: the next start is due then (`restart-backoff`).
    pub next_start: Option<Tai64N>,
    /// Left down after too many deaths (`give-up`), until `svc -u`.
    pub given_up: bool,
}

impl Status {
    /// The bytes of the file: `STATUS_LEN` of them, or `STATUS_MAX` with [`Beyond`].
    pub fn pack(&self) -> ([u8; STATUS_MAX], usize) {
        let mut out = [0u8; STATUS_MAX];
        let (head, tail) = out.split_at_mut(STATUS_LEN);
        head[..12].copy_from_slice(&self.since.pack());
        head[12..16].copy_from_slice(&self.pid.unwrap_or(0).to_le_bytes());
        head[16] = u8::from(self.paused && self.pid.is_some());
        head[17] = match self.want {
            Want::Up => b'u',
            Want::Down => b'd',
            Want::Once => 0,
        };
        let Some(beyond) = self.beyond else {
            return (out, STATUS_LEN);
        };
        tail[0] = BEYOND_MARK;
        tail[1] = u8::from(beyond.ready.is_some())
            | u8::from(beyond.finishing) << 1
            | u8::from(beyond.next_start.is_some()) << 2
            | u8::from(beyond.given_up) << 3;
        if let Some(stamp) = beyond.ready.or(beyond.next_start) {
            tail[2..].copy_from_slice(&stamp.pack());
        }
        (out, STATUS_MAX)
    }

    /// Reads a status file's bytes; `None` if there are fewer than 18. [`Beyond`] is read
    /// when the file is long enough and carries the mark.
    pub fn unpack(bytes: &[u8]) -> Option<Status> {
        let b: &[u8; STATUS_LEN] = bytes.first_chunk()?;
        let mut stamp = [0u8; 12];
        stamp.copy_from_slice(&b[..12]);
        let pid = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
        let beyond = match bytes.get(STATUS_LEN..) {
            Some([BEYOND_MARK, flags, stamp @ ..]) => {
                stamp.first_chunk::<12>().map(|stamp| Beyond {
                    ready: (flags & 1 != 0).then(|| Tai64N::unpack(*stamp)),
                    finishing: flags & 2 != 0,
                    next_start: (flags & 5 == 4).then(|| Tai64N::unpack(*stamp)),
                    given_up: flags & 8 != 0,
                })
            }
            _ => None,
        };
        Some(Status {
            since: Tai64N::unpack(stamp),
            pid: (pid != 0).then_some(pid),
            paused: b[16] != 0 && pid != 0,
            want: match b[17] {
                b'u' => Want::Up,
                b'd' => Want::Down,
                _ => Want::Once,
            },
            beyond,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The golden vector of docs/COMPAT.md: Unix time 0, pid 0x12345678, up, not paused.
    const GOLDEN: [u8; 18] = [
        0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0, b'u',
    ];

    fn golden() -> Status {
        Status {
            since: Tai64N::from_unix(0, 0),
            pid: Some(0x1234_5678),
            paused: false,
            want: Want::Up,
            beyond: None,
        }
    }

    /// The 18 bytes of a status without [`Beyond`].
    fn pack18(status: &Status) -> [u8; STATUS_LEN] {
        let (bytes, len) = status.pack();
        assert_eq!(len, STATUS_LEN);
        *bytes.first_chunk().unwrap()
    }

    #[test]
    fn golden_vector() {
        assert_eq!(pack18(&golden()), GOLDEN);
        assert_eq!(Status::unpack(&GOLDEN), Some(golden()));
    }

    #[test]
    fn down_paused_and_once() {
        let down = Status {
            pid: None,
            paused: true,
            want: Want::Down,
            ..golden()
        };
        let bytes = pack18(&down);
        assert_eq!(&bytes[12..], &[0, 0, 0, 0, 0, b'd']); // paused only shows with a pid
        assert_eq!(
            Status::unpack(&bytes),
            Some(Status {
                paused: false,
                ..down
            })
        );
        let paused_once = Status {
            paused: true,
            want: Want::Once,
            ..golden()
        };
        assert_eq!(&pack18(&paused_once)[16..], &[1, 0]);
        assert_eq!(Status::unpack(&pack18(&paused_once)), Some(paused_once));
    }

    #[test]
    fn longer_files_read_by_their_first_18_bytes() {
        let mut runit = GOLDEN.to_vec();
        runit.extend([0xff, 0xee]); // runit's 20-byte variant
        assert_eq!(Status::unpack(&runit), Some(golden()));
    }

    #[test]
    fn short_or_foreign_files() {
        assert_eq!(Status::unpack(&GOLDEN[..17]), None);
        assert_eq!(Status::unpack(&[]), None);
        let mut odd = GOLDEN;
        odd[17] = b'x';
        assert_eq!(Status::unpack(&odd).map(|s| s.want), Some(Want::Once));
    }

    /// Golden bytes of the extension: up since Unix time 0, ready at time 1.
    #[test]
    fn beyond_golden_vector() {
        let status = Status {
            beyond: Some(Beyond {
                ready: Some(Tai64N::from_unix(1, 0)),
                ..Beyond::default()
            }),
            ..golden()
        };
        let (bytes, len) = status.pack();
        assert_eq!(len, STATUS_MAX);
        assert_eq!(bytes[..STATUS_LEN], GOLDEN);
        assert_eq!(
            bytes[STATUS_LEN..],
            [0xda, 1, 0x40, 0, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0]
        );
        assert_eq!(Status::unpack(&bytes), Some(status));
    }

    #[test]
    fn beyond_finishing_and_not_ready() {
        let status = Status {
            pid: None,
            beyond: Some(Beyond {
                finishing: true,
                ..Beyond::default()
            }),
            ..golden()
        };
        let (bytes, len) = status.pack();
        assert_eq!(
            bytes[STATUS_LEN..len],
            [0xda, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(Status::unpack(&bytes[..len]), Some(status));
    }

    #[test]
    fn beyond_needs_its_mark_and_all_its_bytes() {
        let status = Status {
            beyond: Some(Beyond::default()),
            ..golden()
        };
        let (bytes, _) = status.pack();
        assert_eq!(Status::unpack(&bytes[..STATUS_MAX - 1]), Some(golden()));
        let mut foreign = bytes;
        foreign[STATUS_LEN] = 0;
        assert_eq!(Status::unpack(&foreign), Some(golden()));
    }

    #[test]
    fn beyond_backing_off_and_given_up() {
        let status = Status {
            pid: None,
            beyond: Some(Beyond {
                next_start: Some(Tai64N::from_unix(2, 0)),
                ..Beyond::default()
            }),
            ..golden()
        };
        let (bytes, len) = status.pack();
        assert_eq!(
            bytes[STATUS_LEN..len],
            [0xda, 4, 0x40, 0, 0, 0, 0, 0, 0, 0x0c, 0, 0, 0, 0]
        );
        assert_eq!(Status::unpack(&bytes[..len]), Some(status));
        let given_up = Status {
            beyond: Some(Beyond {
                given_up: true,
                ..Beyond::default()
            }),
            ..status
        };
        let (bytes, len) = given_up.pack();
        assert_eq!(bytes[STATUS_LEN + 1], 8);
        assert_eq!(Status::unpack(&bytes[..len]), Some(given_up));
    }
}
