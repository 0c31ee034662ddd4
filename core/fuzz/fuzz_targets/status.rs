//! The `supervise/status` codec on arbitrary bytes. Packing is not the exact inverse of
//! unpacking: the reader takes any paused byte as "paused" (and only with a pid) and any
//! want byte other than `u` and `d` as "once", so packing an unpacked status gives the
//! canonical 18 bytes (and our extension, when bytes 18-31 carry its mark, canonical
//! too: flags 0-3, the stamp only when ready): bytes 0-15 (stamp and pid) as read, byte 16 `1` exactly when the
//! paused byte was non-zero and the pid is not 0 (else `0`), byte 17 `u` or `d` as read,
//! else 0. Canonical bytes pack back exactly, and every status survives a pack and an
//! unpack (with `paused` dropped when there is no pid).
#![no_main]

use dt_core::status::{BEYOND_MARK, STATUS_LEN, STATUS_MAX, Status, Want};
use dt_core::tai64::Tai64N;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(status) = Status::unpack(data) else {
        assert!(data.len() < STATUS_LEN);
        return;
    };
    let b = &data[..STATUS_LEN];
    let pid = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
    assert_eq!(status.since.pack(), b[..12]);
    assert_eq!(status.pid, (pid != 0).then_some(pid));
    assert_eq!(status.paused, b[16] != 0 && pid != 0);
    let want = match b[17] {
        b'u' => Want::Up,
        b'd' => Want::Down,
        _ => Want::Once,
    };
    assert_eq!(status.want, want);
    let extended = data.len() >= STATUS_MAX && data[STATUS_LEN] == BEYOND_MARK;
    assert_eq!(status.beyond.is_some(), extended);
    if let Some(beyond) = status.beyond {
        let flags = data[STATUS_LEN + 1];
        assert_eq!(beyond.finishing, flags & 2 != 0);
        assert_eq!(beyond.ready.is_some(), flags & 1 != 0);
        if let Some(ready) = beyond.ready {
            assert_eq!(ready.pack(), data[STATUS_LEN + 2..STATUS_MAX]);
        }
    }
    let (packed, len) = status.pack();
    assert_eq!(len, if extended { STATUS_MAX } else { STATUS_LEN });
    assert_eq!(Status::unpack(&packed[..len]), Some(status));
    let status = Status {
        beyond: None,
        ..status
    };

    let mut canonical = [0u8; STATUS_LEN];
    canonical.copy_from_slice(b);
    canonical[16] = u8::from(status.paused);
    if !matches!(b[17], b'u' | b'd') {
        canonical[17] = 0;
    }
    assert_eq!(status.pack().0[..STATUS_LEN], canonical);
    assert_eq!(Status::unpack(&canonical), Some(status));

    // A status built from the same bytes field by field, with any paused flag.
    let built = Status {
        since: Tai64N {
            secs: u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            nanos: u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
        },
        pid: (pid & 1 == 0).then_some(pid >> 1),
        paused: b[16] & 1 == 1,
        want,
        beyond: None,
    };
    let expected = Status {
        paused: built.paused && built.pid.is_some_and(|p| p != 0),
        pid: built.pid.filter(|&p| p != 0),
        ..built
    };
    assert_eq!(Status::unpack(&built.pack().0[..STATUS_LEN]), Some(expected));
});
