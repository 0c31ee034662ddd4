//! `/proc/PID/stat` lines, whose command name is the service's to choose (up to 64 bytes
//! through `prctl(PR_SET_NAME)` or the name of the file it runs: spaces, parentheses,
//! newlines, anything but NUL). Arbitrary bytes never panic [`ProcStat::parse`]; a line as
//! the kernel writes it, with any such name, reads back the state, parent and start time
//! it holds, whatever fields the name seems to hold.
#![no_main]

use dt_core::procstat::ProcStat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ProcStat::parse(data);
    let Some((head, name)) = data.split_at_checked(14) else {
        return;
    };
    let name: Vec<u8> = name.iter().copied().filter(|&b| b != 0).take(64).collect();
    let state = b"RSDZTtXIP"[usize::from(head[0] % 9)];
    let parent = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
    // The kernel's start time: clock ticks after boot, never 19 digits.
    let start = u64::from_le_bytes([
        head[5], head[6], head[7], head[8], head[9], head[10], head[11], head[12],
    ]) % 1_000_000_000_000_000_000;
    let mut line = format!("{} (", u16::from(head[13]) + 1).into_bytes();
    line.extend_from_slice(&name);
    line.extend_from_slice(format!(") {} {parent}", state as char).as_bytes());
    // Fields 5 to 21, then 22 (the start), then the rest of the kernel's line.
    for field in 5..=21 {
        line.extend_from_slice(format!(" {field}").as_bytes());
    }
    line.extend_from_slice(format!(" {start} 5595136 200 18446744073709551615\n").as_bytes());
    assert_eq!(
        ProcStat::parse(&line),
        Some(ProcStat {
            state,
            parent,
            start_ticks: start,
        }),
        "{:?}",
        String::from_utf8_lossy(&line)
    );
});
