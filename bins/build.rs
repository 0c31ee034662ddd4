//! MIPS only: discard `.pdr` and `.comment` with a tiny linker script (halves the files).
fn main() {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../targets/mips-discard.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("mips") {
        println!("cargo:rustc-link-arg-bins=-T{}", script.display());
    }
}
