//! The raw file-write limit: writes the same files, with the same sizes, as a built
//! site, with nothing else to do (no archive, no templates) — one `write` per file
//! into a fresh directory tree, on all cores. `scripts/bench` compares a site build
//! with it.
//!
//! `cargo run --release --example raw_writer -- SITE OUT`: prints files, bytes and
//! seconds. SITE is a built site, or a list of its files (`size<TAB>path` lines,
//! as `find SITE -type f -printf '%s\t%P\n'` prints them) so that the site need
//! not stay on the disk beside the copy.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, out] = args.as_slice() else {
        return Err("usage: raw_writer SITE OUT".into());
    };
    let site = Path::new(site);
    let mut files: Vec<(PathBuf, u64)> = Vec::new();
    if site.is_file() {
        for line in std::fs::read_to_string(site)?.lines() {
            let (size, rel) = line
                .split_once('\t')
                .ok_or("list lines are size<TAB>path")?;
            if !rel.starts_with(".packit-pages") {
                files.push((PathBuf::from(rel), size.parse()?));
            }
        }
    } else {
        for e in walkdir::WalkDir::new(site) {
            let e = e?;
            let rel = e.path().strip_prefix(site)?;
            if e.file_type().is_file() && !rel.starts_with(".packit-pages") {
                files.push((rel.to_path_buf(), e.metadata()?.len()));
            }
        }
    }
    let out = Path::new(out);
    let _ = std::fs::remove_dir_all(out);
    let t = Instant::now();
    // directories first (a site writer creates them too), level by level, each level
    // on all cores (one thread making 2 million folders at 100,000 pipelines was slower
    // than packit-pages, which makes them while it renders), then the files in parallel
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .flat_map(|(p, _)| p.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()))
        .map(Path::to_path_buf)
        .collect();
    dirs.sort();
    dirs.dedup();
    std::fs::create_dir_all(out)?;
    let depth = |d: &Path| d.components().count();
    let max = dirs.iter().map(|d| depth(d)).max().unwrap_or(0);
    for level in 1..=max {
        dirs.par_iter()
            .filter(|d| depth(d) == level)
            .try_for_each(|d| std::fs::create_dir(out.join(d)))?;
    }
    let filler = vec![b'x'; files.iter().map(|f| f.1).max().unwrap_or(0) as usize];
    files
        .par_iter()
        .try_for_each(|(rel, len)| std::fs::write(out.join(rel), &filler[..*len as usize]))?;
    let secs = t.elapsed().as_secs_f64();
    let bytes: u64 = files.iter().map(|f| f.1).sum();
    println!(
        "raw_writer files={} bytes={bytes} seconds={secs:.3}",
        files.len()
    );
    Ok(())
}
