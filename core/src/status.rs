//! The `supervise/status` file: 18 bytes that `svstat` and the other tools read.
//!
//! Layout (daemontools 0.76): bytes 0-11 the TAI64N stamp of the last start or stop,
//! 12-15 the child's pid little-endian (0 when down), 16 paused (1/0), 17 what is
//! wanted: `u` up, `d` down, 0 once. Files longer than 18 bytes (other suites append)
//! are read by their first 18 bytes.

use crate::tai64::Tai64N;

/// Size of the status file as supervise writes it.
pub const STATUS_LEN: usize = 18;

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
}

impl Status {
    /// The 18 bytes of the file.
    pub fn pack(&self) -> [u8; STATUS_LEN] {
        let mut out = [0u8; STATUS_LEN];
        out[..12].copy_from_slice(&self.since.pack());
        out[12..16].copy_from_slice(&self.pid.unwrap_or(0).to_le_bytes());
        out[16] = u8::from(self.paused && self.pid.is_some());
        out[17] = match self.want {
            Want::Up => b'u',
            Want::Down => b'd',
            Want::Once => 0,
        };
        out
    }

    /// Reads a status file's bytes; `None` if there are fewer than 18.
    pub fn unpack(bytes: &[u8]) -> Option<Status> {
        let b: &[u8; STATUS_LEN] = bytes.first_chunk()?;
        let mut stamp = [0u8; 12];
        stamp.copy_from_slice(&b[..12]);
        let pid = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
        Some(Status {
            since: Tai64N::unpack(stamp),
            pid: (pid != 0).then_some(pid),
            paused: b[16] != 0 && pid != 0,
            want: match b[17] {
                b'u' => Want::Up,
                b'd' => Want::Down,
                _ => Want::Once,
            },
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
        }
    }

    #[test]
    fn golden_vector() {
        assert_eq!(golden().pack(), GOLDEN);
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
        let bytes = down.pack();
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
        assert_eq!(&paused_once.pack()[16..], &[1, 0]);
        assert_eq!(Status::unpack(&paused_once.pack()), Some(paused_once));
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
}
