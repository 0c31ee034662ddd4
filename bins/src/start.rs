//! Program entry without libc: `_start` for each architecture hands the initial stack
//! pointer to [`rust_start`], which reads argc, argv and envp and runs the tool.
//!
//! The kernel starts a static executable with `sp -> [argc, argv[0..argc], NULL,
//! envp.., NULL, auxv..]`. Each `_start` clears the frame pointer, passes `sp` as the
//! first argument, aligns the stack as the C ABI wants, and calls `rust_start`.

use core::arch::global_asm;

use crate::{Args, Env};

/// Reads the initial stack and runs the tool; never returns.
///
/// # Safety
/// `sp` must be the stack pointer the kernel handed to `_start`.
unsafe extern "C" fn rust_start(sp: *const usize) -> ! {
    // SAFETY: per the ELF process start-up ABI, sp points at argc, followed by argc
    // argument pointers and a NULL, then the environment pointers and a NULL.
    let (argc, argv, envp) = unsafe {
        let argc = *sp;
        let argv = sp.add(1).cast::<*const u8>();
        (argc, argv, argv.add(argc + 1))
    };
    // SAFETY: envp is the process's environment as the kernel laid it out, followed by
    // the auxiliary vector, which rustix reads to find the vDSO (fast clock_gettime).
    unsafe { rustix::param::init(envp.cast_mut().cast()) };
    // SAFETY: the pointers come straight from the kernel's layout described above.
    let (args, env) = unsafe { (Args::from_raw(argc, argv), Env::from_raw(envp)) };
    crate::io::open_standard_descriptors();
    crate::run(args, env)
}

#[cfg(target_arch = "x86_64")]
global_asm!(
    ".text", ".globl _start", ".type _start,@function", "_start:",
    "  xor ebp, ebp",
    "  mov rdi, rsp",
    "  and rsp, -16",
    "  call {entry}",
    "  ud2",
    entry = sym rust_start,
);

#[cfg(target_arch = "x86")]
global_asm!(
    ".text", ".globl _start", ".type _start,@function", "_start:",
    "  xor ebp, ebp",
    "  mov eax, esp",
    "  and esp, -16",
    "  sub esp, 12",
    "  push eax",
    "  call {entry}",
    "  ud2",
    entry = sym rust_start,
);

#[cfg(target_arch = "aarch64")]
global_asm!(
    ".text", ".globl _start", ".type _start,%function", "_start:",
    "  mov x29, xzr",
    "  mov x30, xzr",
    "  mov x0, sp",
    "  bl {entry}",
    "  brk #1",
    entry = sym rust_start,
);

#[cfg(target_arch = "arm")]
global_asm!(
    ".text", ".syntax unified", ".arm", ".globl _start", ".type _start,%function", "_start:",
    "  mov r11, #0",
    "  mov lr, #0",
    "  mov r0, sp",
    "  bic r1, r0, #15",
    "  mov sp, r1",
    "  bl {entry}",
    "1: b 1b",
    entry = sym rust_start,
);

// MIPS: lld's default entry symbol is `__start`; $gp must be set up for static code.
#[cfg(target_arch = "mips")]
global_asm!(
    ".text", ".set push", ".set noreorder",
    ".globl _start", ".globl __start", ".type _start,@function", ".ent _start",
    "_start:", "__start:",
    "  move $fp, $zero",
    "  lui $gp, %hi(_gp)",
    "  addiu $gp, $gp, %lo(_gp)",
    "  move $a0, $sp",
    "  li $t0, -8",
    "  and $sp, $sp, $t0",
    "  addiu $sp, $sp, -16",
    "  jal {entry}",
    "  nop",
    "  break",
    ".end _start", ".set pop",
    entry = sym rust_start,
);

#[cfg(target_arch = "riscv64")]
global_asm!(
    ".text", ".globl _start", ".type _start,@function", "_start:",
    "  .option push", "  .option norelax",
    "  lla gp, __global_pointer$",
    "  .option pop",
    "  mv a0, sp",
    "  andi sp, sp, -16",
    "  call {entry}",
    "  unimp",
    entry = sym rust_start,
);
