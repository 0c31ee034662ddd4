//! tai64nlocal: replace the TAI64N label at the start of each line with local time,
//! `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, the way daemontools 0.76 prints it under glibc.
//! Lines without a readable label are copied unchanged. With `TZ` unset, the zone is
//! `/etc/TZ`'s first line if there is one (OpenWrt), else `/etc/localtime`.
#![no_std]
#![deny(unsafe_code)]
#![no_main]

use dt_core::decimal::{LOCAL_STAMP_MAX, local_stamp};
use dt_core::tai64::Scan;
use dt_core::tz::{PosixTz, Source, TzFile, Zone, etc_tz};
use platform::buffer::Buffer;
use platform::file::{PathBuf, read_whole};
use platform::io::read;
use platform::relabel::{Verdict, relabel};
use platform::{Args, EXIT_OK, Env};
use rustix::fs::{Mode, OFlags};

/// Largest zone file read (the biggest in tzdata, `right/` zones included, is ~4 KiB).
const ZONE_FILE_MAX: usize = 8 * 1024;
/// Space for it, off the stack.
static ZONE_FILE: Buffer<u8, ZONE_FILE_MAX> = Buffer::new(0);

/// Longest `/etc/TZ` read (a POSIX rule is under 100 bytes).
const ETC_TZ_MAX: usize = 256;

platform::tool!(b"tai64nlocal", run);

fn run(_args: Args, env: Env) -> i32 {
    // TZ unset: OpenWrt's /etc/TZ if it holds a line, else /etc/localtime.
    let mut etc = [0u8; ETC_TZ_MAX];
    let tz = env.get(b"TZ").or_else(|| {
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = rustix::fs::open(c"/etc/TZ", flags, Mode::empty()).ok()?;
        let n = read(&file, &mut etc).ok()?;
        etc_tz(etc.get(..n)?)
    });
    let source = Source::of(tz, env.get(b"TZDIR"));
    let mut zone = load(source, ZONE_FILE.take());
    let _ = relabel(|scan, out| {
        let Scan::Label { stamp, .. } = scan else {
            return Verdict::Keep;
        };
        // Where glibc's localtime fails (the original crashes) the line stays as it is.
        let Some(local) = zone.local(stamp.unix_secs()) else {
            return Verdict::Keep;
        };
        match out.first_chunk_mut::<LOCAL_STAMP_MAX>() {
            Some(text) => Verdict::Replace(local_stamp(&local, stamp.nanos, text)),
            None => Verdict::Keep,
        }
    });
    EXIT_OK
}

/// The zone the environment names: its TZif file if that reads and parses, else its
/// rule string (UTC when that does not parse either), as glibc decides.
fn load<'a>(source: Source<'a>, buf: &'a mut [u8]) -> Zone<'a> {
    let path = match source.dir {
        Some(dir) => PathBuf::join(&[dir, b"/", source.file]),
        None => PathBuf::join(&[source.file]),
    };
    let file = path.and_then(|p| read_whole(&p, buf));
    match file.ok().and_then(|n| buf.get(..n)).map(TzFile::parse) {
        Some(Ok(tzif)) => Zone::File(tzif),
        _ => Zone::Rule(PosixTz::parse(source.rule)),
    }
}
