//! Every target: discard what a static binary without unwinding never reads, with a tiny
//! linker script (targets/discard.ld): MIPS's `.pdr` (halves the files there), the
//! compiler's `.comment`, the leftover `.eh_frame` and ARM's `.ARM.exidx`. The ARM and
//! RISC-V attribute sections stay: disassemblers read the instruction set from them.
fn main() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../targets/discard.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-T{}", script.display());
    }
}
