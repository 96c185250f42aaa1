//! The cause extraction over the real failed build logs of
//! `tests/fixtures/real-logs/` (their origins in its SOURCE.md): the floor the
//! issue sets (the cause among the listed lines for at least 95 % of the logs,
//! first for at least 85 %) and the rank of each log's cause, so that a change of
//! the rules that loses a cause fails here. `cargo bench --bench extract` prints
//! the same rates and the throughput.

use super::causes;
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    log: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: String,
    tool: String,
    cause: Vec<String>,
}

fn corpus() -> Vec<(Entry, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real-logs/");
    let manifest = std::fs::read_to_string(format!("{dir}causes.toml")).unwrap();
    let m: Manifest = toml::from_str(&manifest).unwrap();
    m.log
        .into_iter()
        .map(|e| {
            let bytes = std::fs::read(format!("{dir}{}", e.file)).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (e, text)
        })
        .collect()
}

/// The 1-based rank of the first listed cause whose line or detail lines hold
/// one of `wanted`.
fn rank(text: &str, wanted: &[String]) -> Option<usize> {
    let (found, _) = causes(text);
    found
        .iter()
        .position(|c| {
            std::iter::once(&c.text)
                .chain(c.details.iter().map(|d| &d.1))
                .any(|l| wanted.iter().any(|w| l.contains(w.as_str())))
        })
        .map(|r| r + 1)
}

/// The rank each log's cause has now (0: not listed). A rule change may improve
/// a rank (then lower it here), never worsen one.
const RANKS: &[(&str, usize)] = &[
    ("obs-apache-arrow.log", 1),
    ("obs-cpupower.log", 1),
    ("obs-drbd.log", 1),
    ("obs-evdi.log", 1),
    ("obs-fooyin.log", 1),
    ("obs-kismet.log", 1),
    ("obs-leechcraft.log", 1),
    ("obs-libArcus.log", 1),
    ("obs-openafs.log", 1),
    ("obs-oqs-provider.log", 1),
    ("obs-pulseeffects.log", 1),
    ("obs-python-celery.log", 1),
    ("obs-python-pgmagick.log", 1),
    ("obs-rmt-server.log", 1),
    ("obs-rtl8812au.log", 1),
    ("obs-syslog-ng.log", 1),
    ("obs-wesnoth.log", 1),
    ("obs-wyrmgus.log", 1),
    ("obs-mariadb-image.log", 1),
    ("obs-libguestfs-tools-container.log", 1),
    ("obs-dnf-image-kiwi.log", 1),
    ("obs-openjdk-21-image.log", 1),
    ("mock-wget-check.log", 1),
    ("mock-wget-patch.log", 1),
    ("mock-unpackaged-file.log", 1),
    ("mock-file-not-found.log", 1),
    ("copr-pki-maven.log", 1),
    ("copr-scap-repo-503.log", 1),
    ("copr-specfile-builddep.log", 1),
    ("travis-ripgrep-build-script.log", 1),
    ("travis-alacritty-cargo-test.log", 1),
    ("travis-alacritty-rustc.log", 1),
    ("travis-go-ethereum-test.log", 1),
    ("travis-go-ethereum-cgo.log", 1),
    ("travis-awesome-go-test.log", 1),
    ("travis-thefuck-pytest-collect.log", 1),
    ("travis-scikit-learn-conda.log", 1),
    ("travis-rails-minitest-failure.log", 1),
    ("travis-rails-minitest-error.log", 1),
    ("travis-jekyll-rubocop.log", 1),
    ("travis-electron-node-module.log", 1),
    ("travis-caffe-cmake.log", 1),
    ("travis-typescript-mocha.log", 1),
];

#[test]
fn every_log_of_the_corpus_has_its_cause_and_rank() {
    let corpus = corpus();
    assert!(corpus.len() >= 30, "{} logs", corpus.len());
    for (e, _) in &corpus {
        assert!(!e.cause.is_empty() && !e.tool.is_empty(), "{}", e.file);
        assert!(
            RANKS.iter().any(|r| r.0 == e.file),
            "no rank held for {}",
            e.file
        );
    }
    assert_eq!(RANKS.len(), corpus.len());
}

#[test]
fn each_cause_keeps_its_rank() {
    let mut worse = Vec::new();
    for (e, text) in corpus() {
        let held = RANKS.iter().find(|r| r.0 == e.file).map_or(0, |r| r.1);
        let got = rank(&text, &e.cause).unwrap_or(0);
        if held != 0 && (got == 0 || got > held) {
            worse.push(format!("{} ({}): rank {got}, held {held}", e.file, e.tool));
        }
    }
    assert!(worse.is_empty(), "{}", worse.join("\n"));
}

#[test]
fn the_cause_is_listed_for_95_percent_and_first_for_85() {
    let corpus = corpus();
    let ranks: Vec<Option<usize>> = corpus.iter().map(|(e, t)| rank(t, &e.cause)).collect();
    let n = ranks.len() as f64;
    let hit = ranks.iter().filter(|r| r.is_some()).count() as f64 / n;
    let first = ranks.iter().filter(|r| **r == Some(1)).count() as f64 / n;
    assert!(
        hit >= 0.95,
        "cause listed for {:.0} % of the logs",
        hit * 100.0
    );
    assert!(
        first >= 0.85,
        "cause first for {:.0} % of the logs",
        first * 100.0
    );
}

/// Not a check: prints the causes listed for the logs whose file name contains
/// `$LOG` (`LOG=wesnoth cargo test --lib corpus_tests::show -- --ignored --nocapture`).
#[test]
#[ignore]
fn show() {
    for (e, text) in corpus() {
        if std::env::var("LOG").is_ok_and(|l| e.file.contains(&l)) {
            let (found, more) = causes(&text);
            println!("== {} (+{more})", e.file);
            for c in found {
                println!("{:?} {} {}", c.class, c.line, c.text);
                for d in c.details {
                    println!("      {} {}", d.0, d.1);
                }
            }
        }
    }
}
