//! The code's shape, checked (ARCHITECTURE.md, "Invariants"): SQL lives only in the
//! archive stage, and no stage of the library uses a later one. Reads the library's
//! sources as text: a `crate::<module>` path outside comments is a use of that module.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The library's top-level modules by stage: a module may use only modules of a
/// lower rank (same rank: neither uses the other). The binary (`src/bin/`) sits
/// above all of them.
const STAGES: &[(&str, u32)] = &[
    // foundations: no other module of the crate
    ("api", 0),
    ("config", 0),
    ("html", 0),
    ("time", 0),
    ("urls", 0),
    ("write", 0),
    // what the site shows
    ("content", 1),
    ("view", 1),
    // what each job kind is
    ("jobs", 2),
    // the archive stage: every SQL statement
    ("archive", 3),
    // views over the archive; the API → archive trigger
    ("model", 4),
    ("sync", 4),
    // the generated upstream data, ingested as a sync would store it (cargo feature
    // `demo`): no other module uses it (`only_the_demo_uses_the_demo`)
    ("demo", 5),
    // which pages exist; the theme engine
    ("plan", 5),
    ("render", 5),
    // one renderer per page kind
    ("pages", 6),
    // the build driver and the live session
    ("site", 7),
    // commands over a site
    ("check", 8),
    ("scaffold", 8),
    ("watch", 8),
    // triggers that keep a site current
    ("listen", 9),
    ("serve", 9),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file (not the binary) with its top-level module.
fn library_files() -> Vec<(String, PathBuf)> {
    let root = src();
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(&root) {
        let e = e.unwrap();
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = p.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "bin" || module == "lib" || module == "main" {
            continue;
        }
        out.push((module, p.to_path_buf()));
    }
    out.sort();
    out
}

/// The lines of a file that are code: comments (`//`, `///`, `//!`) left out.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The crate modules a line names as `crate::<module>`.
fn modules_named(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = &rest[..i];
        rest = &rest[i + "crate::".len()..];
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `other_crate::`
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn rank(module: &str) -> Option<u32> {
    STAGES.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

#[test]
fn every_library_module_has_a_stage() {
    let modules: BTreeSet<String> = library_files().into_iter().map(|(m, _)| m).collect();
    let unknown: Vec<&String> = modules.iter().filter(|m| rank(m).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "modules without a stage in tests/it/architecture.rs: {unknown:?}"
    );
}

#[test]
fn no_stage_uses_a_later_one() {
    let mut wrong = Vec::new();
    for (module, path) in library_files() {
        let Some(own) = rank(&module) else { continue };
        for (n, line) in code_lines(&path) {
            for used in modules_named(&line) {
                if used == module {
                    continue;
                }
                if let Some(r) = rank(&used)
                    && r >= own
                {
                    wrong.push(format!(
                        "{}:{n}: {module} (stage {own}) uses {used} (stage {r})",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies that point the wrong way:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn sql_only_in_the_archive_stage() {
    const SQL: &[&str] = &[
        "rusqlite",
        "\"SELECT ",
        "\"INSERT ",
        "\"UPDATE ",
        "\"DELETE ",
        "\"CREATE ",
        "\"PRAGMA ",
        "\"WITH ",
    ];
    let mut wrong = Vec::new();
    for (module, path) in library_files() {
        if module == "archive" {
            continue;
        }
        for (n, line) in code_lines(&path) {
            if let Some(s) = SQL.iter().find(|s| line.contains(**s)) {
                wrong.push(format!("{}:{n}: {s}", path.display()));
            }
        }
    }
    let bin = src().join("bin");
    for e in walkdir::WalkDir::new(&bin) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "rs") {
            for (n, line) in code_lines(e.path()) {
                if let Some(s) = SQL.iter().find(|s| line.contains(**s)) {
                    wrong.push(format!("{}:{n}: {s}", e.path().display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "SQL outside the archive stage:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(
        modules_named("use crate::model::{Catalog}; x(crate::plan::Page); y(my_crate::site)"),
        ["model", "plan"]
    );
    assert!(rank("archive") < rank("model"));
    assert!(library_files().iter().any(|(m, _)| m == "archive"));
}

/// The demo (cargo feature `demo`) is a leaf: no other library module names it, so a
/// program embedding the library without the feature compiles no demo code.
#[test]
fn only_the_demo_uses_the_demo() {
    let mut wrong = Vec::new();
    for (module, path) in library_files() {
        if module == "demo" {
            continue;
        }
        for (n, line) in code_lines(&path) {
            if modules_named(&line).iter().any(|m| m == "demo") {
                wrong.push(format!("{}:{n}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "uses of the demo:\n{}", wrong.join("\n"));
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(
        lib.contains("#[cfg(feature = \"demo\")]\npub mod demo;"),
        "the demo module is behind the `demo` feature"
    );
}

/// The modules of `src/sync/` import each other one way: the `use super::<module>`
/// lines make no cycle, and none imports from `sync.rs` itself (which only
/// orchestrates the phases and re-exports).
#[test]
fn sync_modules_import_one_way() {
    use std::collections::BTreeMap;
    let dir = src().join("sync");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let used = uses.entry(name.clone()).or_default();
        for (n, line) in code_lines(&p) {
            let Some(rest) = line.trim_start().strip_prefix("use super::") else {
                continue;
            };
            let target: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if dir.join(format!("{target}.rs")).exists() {
                used.insert(target);
            } else if !line.contains("use super::*") {
                wrong.push(format!("{}:{n}: imports from sync.rs", p.display()));
            }
        }
    }
    // depth-first search for a cycle
    fn visit(
        m: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            cycles.push(format!("{} -> {m}", path[i..].join(" -> ")));
            return;
        }
        if !done.insert(m.to_string()) {
            return;
        }
        path.push(m.to_string());
        for u in uses.get(m).into_iter().flatten() {
            visit(u, uses, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for m in uses.keys() {
        visit(m, &uses, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(uses.len() > 10, "read the sync modules: {uses:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(cycles.is_empty(), "import cycles in src/sync/: {cycles:?}");
}
