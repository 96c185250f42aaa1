//! Writes the synthetic test archive (the test kit's `synthetic_archive`) to a file:
//! `cargo run --example synthetic_archive -- FILE PIPELINES [--hostile]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .expect("usage: synthetic_archive FILE PIPELINES [--hostile]");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let _ = std::fs::remove_file(file);
    packit_pages_testkit::synthetic_archive(
        std::path::Path::new(file),
        n,
        args.iter().any(|a| a == "--hostile"),
    );
}
