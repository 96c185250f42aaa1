//! Build script: derives the generator identity recorded in every site's build
//! state from the library's own sources, so that any program linking the same
//! code (the `packit-pages` binary, an embedding program, the examples) agrees on
//! what a built site was made with, and a changed program renders everything anew.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut all = Vec::new();
    for d in ["src", "themes"] {
        files(&root.join(d), &mut all);
        println!("cargo:rerun-if-changed={d}");
    }
    all.push(root.join("Cargo.lock"));
    println!("cargo:rerun-if-changed=Cargo.lock");
    all.sort();
    // FNV-1a, 64 bits, over every file's relative path and bytes
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in &all {
        eat(p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .as_bytes());
        eat(&[0]);
        eat(&std::fs::read(p).unwrap_or_default());
        eat(&[0]);
    }
    println!("cargo:rustc-env=PACKIT_PAGES_SOURCE_HASH={h:016x}");
}
