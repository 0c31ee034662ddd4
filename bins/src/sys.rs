//! The raw syscalls rustix lacks or gets wrong: `signalfd4`, `dup3` onto a chosen
//! number, `rt_sigaction` for the default action (rustix's MIPS sigaction path crashed a
//! forked child under qemu), `clock_gettime` without the vDSO (smaller), and for
//! svscan as process 1 `kill(-1)` and `reboot` (rustix has them only behind features
//! this crate does not enable, or not for every process), and `fstatat` for a file's
//! type, links and owner (rustix's 32-bit path goes through `statx` and converts).
//! One `asm!` per architecture.
//!
//! # Safety
//! Each `syscall4` block follows the kernel's syscall convention of its architecture
//! (registers, clobbers, MIPS's error flag in `$a3`), as rustix's own `linux_raw`
//! backend does, except on MIPS, where both also keep `$at` across the call (rustix
//! through `targets/patches/rustix-mips-at.diff`); the callers pass valid pointers and
//! lengths.

use core::arch::asm;

use core::ffi::CStr;

use crate::runtime::KernelSigSet;
use rustix::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use rustix::fs::{AtFlags, FileType};
use rustix::io::Errno;

/// A file descriptor that reads the given (blocked) signals: `signalfd4(-1, mask,
/// sizeof mask, SFD_NONBLOCK | SFD_CLOEXEC)`.
pub fn signalfd(mask: &KernelSigSet) -> Result<OwnedFd, Errno> {
    let flags = (libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) as usize;
    let mask_ptr = core::ptr::from_ref(mask) as usize;
    // SAFETY: KernelSigSet is repr(transparent) over the kernel's sigset_t, whose size
    // is what the kernel expects as the third argument; the kernel only reads it.
    let ret = unsafe {
        syscall4(
            libc::SYS_signalfd4 as usize,
            usize::MAX,
            mask_ptr,
            size_of::<KernelSigSet>(),
            flags,
        )
    };
    let fd = result(ret)?;
    // SAFETY: a non-negative result is a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Waits at most `ms` milliseconds (`None`: until one comes) for an event on `fds`; the
/// number of descriptors with news. 32-bit boards use the old `poll`, whose timeout is in
/// milliseconds (no `timespec`, no 2038 limit; at most 24.8 days, after which the callers
/// only wait again): rustix's `poll` there picks `ppoll` or `ppoll_time64` by the timeout,
/// about 300 bytes at each call. 64-bit ones use `ppoll` (aarch64 and riscv64 have no
/// `poll`), without a signal mask.
pub fn poll(fds: &mut [rustix::event::PollFd<'_>], ms: Option<u64>) -> Result<usize, Errno> {
    let fds_ptr = fds.as_mut_ptr() as usize;
    #[cfg(target_pointer_width = "32")]
    // SAFETY: PollFd is the kernel's struct pollfd (rustix's linux_raw type); the kernel
    // reads and writes `fds.len()` of them.
    let ret = unsafe {
        let ms = ms.map_or(-1, |ms| i32::try_from(ms).unwrap_or(i32::MAX));
        syscall4(libc::SYS_poll as usize, fds_ptr, fds.len(), ms as usize, 0)
    };
    #[cfg(target_pointer_width = "64")]
    let ret = {
        // struct __kernel_timespec: tv_sec, tv_nsec
        let mut t = ms.map(|ms| [(ms / 1000) as i64, (ms % 1000 * 1_000_000) as i64]);
        let timeout = t.as_mut().map_or(0, |t| core::ptr::from_mut(t) as usize);
        // SAFETY: as above; with a timeout the kernel reads (and updates) the 16-byte
        // timespec `t`; no signal mask, so the mask size is not read.
        unsafe { syscall4(libc::SYS_ppoll as usize, fds_ptr, fds.len(), timeout, 0) }
    };
    result(ret)
}

/// Gives `signal` its default action: `rt_sigaction(signal, &zeros, NULL, sizeof mask)`.
/// An all-zero `struct sigaction` (SIG_DFL, no flags, empty mask) has the same bytes in
/// every architecture's layout; no old action is read back.
pub fn default_action(signal: rustix::process::Signal) -> Result<(), Errno> {
    let zeros = [0u64; 8]; // larger than any architecture's struct sigaction
    let ptr = core::ptr::from_ref(&zeros) as usize;
    let number = signal.as_raw() as usize;
    // SAFETY: the kernel reads one struct sigaction from `zeros`, which is big enough,
    // and writes nothing (old action NULL); the mask size is the kernel's sigset size.
    let ret = unsafe {
        syscall4(
            libc::SYS_rt_sigaction as usize,
            number,
            ptr,
            0,
            size_of::<KernelSigSet>(),
        )
    };
    result(ret).map(drop)
}

/// Makes `fd` the descriptor `target` without close-on-exec: `dup3(fd, target, 0)`, or
/// for a descriptor that already has that number, `fcntl(F_SETFD, 0)`.
pub fn dup3(fd: OwnedFd, target: i32) -> Result<(), Errno> {
    use rustix::fd::{AsFd, IntoRawFd};
    copy_fd(fd.as_fd(), target)?;
    if fd.as_raw_fd() == target {
        let _ = fd.into_raw_fd(); // stays open under its number, for the program to exec
    }
    Ok(())
}

/// [`dup3`] that leaves `fd` open as it was (two descriptors unless the numbers are
/// the same).
pub fn copy_fd(fd: BorrowedFd<'_>, target: i32) -> Result<(), Errno> {
    if fd.as_raw_fd() == target {
        return rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::empty());
    }
    // SAFETY: dup3 takes two descriptor numbers and flags; `fd` is open, and whatever
    // `target` referred to is replaced, as the caller asks.
    let ret = unsafe {
        syscall4(
            libc::SYS_dup3 as usize,
            fd.as_raw_fd() as usize,
            target as usize,
            0,
            0,
        )
    };
    result(ret).map(drop)
}

/// Sends `signal` to every process it may, except the caller and process 1: `kill(-1,
/// signal)`. Only svscan's shutdown as process 1 calls it.
pub fn kill_all(signal: rustix::process::Signal) {
    let all = -1isize as usize;
    // SAFETY: kill takes a pid and a signal number; nothing is read or written.
    unsafe { syscall4(libc::SYS_kill as usize, all, signal.as_raw() as usize, 0, 0) };
}

/// What [`reboot`] asks of the kernel.
#[derive(Clone, Copy)]
pub enum RebootCommand {
    /// Restart at once (`RB_AUTOBOOT`).
    Restart = libc::LINUX_REBOOT_CMD_RESTART as isize,
    /// Stop the system (`RB_HALT_SYSTEM`).
    Halt = libc::LINUX_REBOOT_CMD_HALT as isize,
    /// Remove power if the machine can (`RB_POWER_OFF`).
    PowerOff = libc::LINUX_REBOOT_CMD_POWER_OFF as isize,
    /// Ctrl-Alt-Del sends INT to process 1 instead of restarting (`RB_DISABLE_CAD`).
    CadOff = libc::LINUX_REBOOT_CMD_CAD_OFF as isize,
}

/// `reboot(2)`: returns only for [`RebootCommand::CadOff`] or on failure (`EPERM`
/// without `CAP_SYS_BOOT`). The caller syncs first: the kernel does not.
pub fn reboot(command: RebootCommand) -> Result<(), Errno> {
    // SAFETY: reboot takes two magic numbers, a command and an argument that these
    // commands do not read; nothing in this process is read or written.
    let ret = unsafe {
        syscall4(
            libc::SYS_reboot as usize,
            libc::LINUX_REBOOT_MAGIC1 as u32 as usize,
            libc::LINUX_REBOOT_MAGIC2 as usize,
            command as u32 as usize,
            0,
        )
    };
    result(ret).map(drop)
}

/// What the tools ask of a file's status: its type and permissions, links, owner and
/// identity.
#[derive(Clone, Copy)]
pub struct FileStatus {
    /// `st_mode`.
    pub mode: u32,
    /// `st_nlink`.
    pub nlink: u32,
    /// `st_uid`.
    pub uid: u32,
    /// `st_dev` and `st_ino`: which file it is.
    pub id: (u64, u64),
}

impl FileStatus {
    /// The file's type.
    pub fn file_type(self) -> FileType {
        FileType::from_raw_mode(self.mode)
    }
}

/// The kernel's stat call and structure: `fstatat64` and `struct stat64` on the 32-bit
/// boards, `newfstatat` and `struct stat` on the 64-bit ones.
#[cfg(target_pointer_width = "32")]
use linux_raw_sys::general::{__NR_fstatat64 as NR_FSTATAT, stat64 as KernelStat};
#[cfg(target_pointer_width = "64")]
use linux_raw_sys::general::{__NR_newfstatat as NR_FSTATAT, stat as KernelStat};

/// `fstatat(dir, path, flags)`; with `AtFlags::EMPTY_PATH` and an empty path, the
/// status of `dir` itself (`fstat`). One syscall on every board: rustix's 32-bit
/// `stat` asks `statx` (for 64-bit times, which no caller here reads), falls back to
/// the old call and converts, about a kilobyte of each binary.
pub fn fstatat(dir: BorrowedFd<'_>, path: &CStr, flags: AtFlags) -> Result<FileStatus, Errno> {
    // SAFETY: the structure is plain integers, for which all zeros is a value.
    let mut st: KernelStat = unsafe { core::mem::zeroed() };
    let st_ptr = core::ptr::from_mut(&mut st) as usize;
    // SAFETY: `path` is a C string that outlives the call; the kernel writes one
    // structure of its own layout (`KernelStat`, from linux-raw-sys) to `st`.
    let ret = unsafe {
        syscall4(
            NR_FSTATAT as usize,
            dir.as_raw_fd() as usize,
            path.as_ptr() as usize,
            st_ptr,
            flags.bits() as usize,
        )
    };
    result(ret)?;
    Ok(FileStatus {
        mode: st.st_mode as u32,
        nlink: st.st_nlink as u32,
        uid: st.st_uid as u32,
        id: (st.st_dev as u64, st.st_ino as u64),
    })
}

/// A raw syscall's return value as a result: -4095..=-1 is `-errno`.
fn result(ret: isize) -> Result<usize, Errno> {
    if ret < 0 && ret > -4096 {
        Err(Errno::from_raw_os_error(-ret as i32))
    } else {
        Ok(ret as usize)
    }
}

/// `clock_gettime64` on the 32-bit boards (a 64-bit `time_t`, past 2038), absent from
/// the `libc` crate's tables there.
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
const SYS_CLOCK_GETTIME64: usize = 403;
#[cfg(target_arch = "mips")]
const SYS_CLOCK_GETTIME64: usize = 4403;

/// The time of `clock` (`CLOCK_REALTIME`, `CLOCK_MONOTONIC`) as (seconds, nanoseconds).
/// A plain syscall, not the vDSO: the tools read the clock once per read of input or
/// per event, where the difference cannot be measured, and rustix's vDSO lookup is a
/// kilobyte or more of every binary. 32-bit boards ask `clock_gettime64` and fall back
/// to the 32-bit call on kernels before 5.1.
pub fn clock_gettime(clock: u32) -> (i64, u32) {
    let mut t = [0i64; 2]; // struct __kernel_timespec: tv_sec, tv_nsec
    let ptr = core::ptr::from_mut(&mut t) as usize;
    #[cfg(target_pointer_width = "64")]
    // SAFETY: the kernel writes one 16-byte timespec to `t`.
    let ret = unsafe { syscall4(libc::SYS_clock_gettime as usize, clock as usize, ptr, 0, 0) };
    #[cfg(target_pointer_width = "32")]
    // SAFETY: the kernel writes one 16-byte __kernel_timespec to `t`.
    let ret = unsafe { syscall4(SYS_CLOCK_GETTIME64, clock as usize, ptr, 0, 0) };
    #[cfg(target_pointer_width = "32")]
    if ret == -(libc::ENOSYS as isize) {
        let mut old = [0i32; 2]; // the 32-bit struct timespec
        let ptr = core::ptr::from_mut(&mut old) as usize;
        // SAFETY: the kernel writes one 8-byte timespec to `old`.
        unsafe { syscall4(libc::SYS_clock_gettime as usize, clock as usize, ptr, 0, 0) };
        return (i64::from(old[0]), old[1] as u32);
    }
    let _ = ret; // the clocks asked for always exist
    (t[0], t[1] as u32)
}

/// A raw 4-argument syscall; returns the kernel's value (`-errno` on failure).
///
/// # Safety
/// The arguments must be valid for syscall `nr`.
#[cfg(target_arch = "x86_64")]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: x86_64 convention: rax = number, rdi rsi rdx r10 = arguments; the
    // kernel clobbers rcx and r11.
    unsafe {
        asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

#[cfg(target_arch = "x86")]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: i386 convention: eax = number, ebx ecx edx esi = arguments, `int 0x80`;
    // esi is swapped in and out because LLVM may not hand it to asm directly.
    unsafe {
        asm!("xchg esi, {a3}", "int 0x80", "xchg esi, {a3}", a3 = in(reg) a3,
             inlateout("eax") nr as isize => ret, in("ebx") a0, in("ecx") a1, in("edx") a2,
             options(nostack, preserves_flags));
    }
    ret
}

#[cfg(target_arch = "aarch64")]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: aarch64 convention: x8 = number, x0-x3 = arguments, result in x0.
    unsafe {
        asm!("svc 0", in("x8") nr, inlateout("x0") a0 as isize => ret, in("x1") a1,
             in("x2") a2, in("x3") a3, options(nostack, preserves_flags));
    }
    ret
}

#[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: ARM EABI convention: r7 = number, r0-r3 = arguments, result in r0.
    unsafe {
        asm!("svc 0", in("r7") nr, inlateout("r0") a0 as isize => ret, in("r1") a1,
             in("r2") a2, in("r3") a3, options(nostack, preserves_flags));
    }
    ret
}

#[cfg(all(target_arch = "arm", target_feature = "thumb-mode"))]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: as above, but in Thumb code r7 is the frame pointer, which asm may not name
    // as an operand: the number goes through another register and r7 is restored after.
    unsafe {
        asm!("mov {tmp}, r7", "mov r7, {nr}", "svc 0", "mov r7, {tmp}", nr = in(reg) nr,
             tmp = out(reg) _, inlateout("r0") a0 as isize => ret, in("r1") a1, in("r2") a2,
             in("r3") a3, options(nostack, preserves_flags));
    }
    ret
}

#[cfg(target_arch = "riscv64")]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: RISC-V convention: a7 = number, a0-a3 = arguments, result in a0.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a0 as isize => ret, in("a1") a1,
             in("a2") a2, in("a3") a3, options(nostack, preserves_flags));
    }
    ret
}

#[cfg(target_arch = "mips")]
unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let value: usize;
    let failed: usize;
    // SAFETY: MIPS o32 convention: v0 = number, a0-a3 = arguments; the kernel returns
    // the value in v0 and a3 != 0 on error (v0 then holds the positive errno), and
    // may clobber v1, t0-t9 and $at. Rust cannot name $at ($1) as a clobber, yet LLVM
    // keeps values there, so it is saved in s0 ($16, declared clobbered) around the
    // `syscall` (targets/check-mips-at.py checks every binary for reads after it).
    unsafe {
        asm!(".set push", ".set noat", "move $16, $1", "syscall", "move $1, $16", ".set pop",
             inlateout("$2") nr => value, lateout("$3") _, in("$4") a0, in("$5") a1,
             in("$6") a2, inlateout("$7") a3 => failed, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, lateout("$24") _, lateout("$25") _,
             options(nostack, preserves_flags));
    }
    if failed != 0 {
        -(value as isize)
    } else {
        value as isize
    }
}
