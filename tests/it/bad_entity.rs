//! One bad entity never takes the site down (issue 22): path segments every common
//! file system accepts, commands on pages that are safe to paste, names with
//! bidirectional controls shown isolated, builds that report a page they cannot
//! write instead of aborting, syncs that do not retry what cannot succeed.

use packit_pages::api::Kind;
use packit_pages::plan::api_path;
use packit_pages::urls::{decode_segment, encode_segment, project_path, trigger_page_path};
use std::collections::HashMap;

/// A splitmix64 stream: the seeded generator of the property tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    fn pick(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Pieces random names are made of: reserved words, separators, odd characters.
const PIECES: [&str; 32] = [
    "a", "Z", "0", "-", "_", ".", "..", "+", " ", "~", "/", "\\", ":", "*", "?", "\"", "<", ">",
    "|", "\0", "\u{7f}", "\t", "é", "ß", "\u{202e}", "\u{200d}", "🦀", "CON", "nul", "Com1",
    "lpt9", "page",
];

/// A random name: a few pieces, or sometimes a long run of one piece.
fn random_name(rng: &mut Rng) -> String {
    let mut s = String::new();
    let n = match rng.below(10) {
        0 => 60 + rng.below(300),
        1..=3 => 0,
        _ => rng.below(8),
    };
    if rng.below(4) == 0 {
        s.push_str(rng.pick(&[
            "CON",
            "aux",
            "Prn",
            "NUL",
            "com3",
            "LPT1",
            "prs",
            "index.html",
        ]));
    }
    for _ in 0..n {
        s.push_str(rng.pick(&PIECES));
    }
    if rng.below(6) == 0 {
        s.push_str(rng.pick(&[".", " ", ".txt", ". ", ".json"]));
    }
    s
}

/// Why `seg` is not a valid file name on Linux or Windows (`None` when it is).
fn invalid_segment(seg: &str) -> Option<&'static str> {
    if seg.is_empty() || seg == "." || seg == ".." {
        return Some("empty or dot");
    }
    if seg.len() > 255 {
        return Some("longer than 255 bytes");
    }
    if seg.contains('/') || seg.contains('\0') {
        return Some("Linux separator or NUL");
    }
    if seg
        .chars()
        .any(|c| (c as u32) < 0x20 || "<>:\"\\|?*".contains(c))
    {
        return Some("character Windows refuses");
    }
    if seg.ends_with('.') || seg.ends_with(' ') {
        return Some("trailing dot or space");
    }
    let stem = seg.split('.').next().unwrap_or(seg).to_ascii_lowercase();
    let reserved = ["con", "prn", "aux", "nul"].contains(&stem.as_str())
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        return Some("Windows device name");
    }
    None
}

#[test]
fn every_name_maps_to_a_valid_unique_segment() {
    let mut rng = Rng(22);
    let mut seen: HashMap<String, String> = HashMap::new();
    for _ in 0..20_000 {
        let name = random_name(&mut rng);
        let seg = encode_segment(&name);
        if let Some(why) = invalid_segment(&seg) {
            panic!("{name:?} → {seg:?}: {why}");
        }
        assert!(seg.len() <= 160, "{name:?} → {} bytes", seg.len());
        assert_eq!(encode_segment(&name), seg, "stable");
        // The JSON mirror appends `.json` to the last segment.
        let json = format!("{seg}.json");
        assert_eq!(invalid_segment(&json), None, "{json:?}");
        if let Some(other) = seen.insert(seg.clone(), name.clone()) {
            assert_eq!(other, name, "two names share the segment {seg:?}");
        }
        // A segment that decodes gives the name back.
        if let Some(back) = decode_segment(&seg) {
            assert_eq!(back, name);
        } else {
            assert!(seg.len() > 120, "{name:?} → {seg:?} does not decode");
        }
    }
    assert!(seen.len() > 10_000, "the generator makes varied names");
}

#[test]
fn ordinary_names_keep_their_urls_and_odd_ones_fit() {
    assert_eq!(encode_segment("packit"), "packit");
    assert_eq!(encode_segment("v1.0.0"), "v1.0.0");
    assert_eq!(encode_segment("feature/x"), "~666561747572652f78");
    assert_eq!(encode_segment("CON"), "~434f4e");
    assert_eq!(encode_segment("nul.txt"), "~6e756c2e747874");
    assert_eq!(encode_segment("console"), "console");
    assert_eq!(encode_segment("v1."), "~76312e");
    let long = "r".repeat(300);
    let seg = encode_segment(&long);
    assert_eq!(seg.len(), 120 + 1 + 16);
    assert!(seg.starts_with(&"r".repeat(120)));
    assert_ne!(seg, encode_segment(&"r".repeat(301)));
    let ns = "é".repeat(100);
    let path = project_path(&format!("github.com/{ns}/{long}"));
    assert!(path.split('/').all(|s| s.len() <= 160), "{path}");
    let trig = trigger_page_path("github.com/a/b", "branches", &"b".repeat(300));
    assert!(trig.split('/').all(|s| s.len() <= 160), "{trig}");
    let api = api_path(Kind::ProjectBranch, &format!("github.com/a/{long}:{long}"));
    assert!(api.split('/').all(|s| s.len() <= 200), "{api}");
    assert_eq!(
        api_path(Kind::ProjectBranch, "github.com/a/b:main"),
        "api/list/projects/github.com/a/b/branches/main.json"
    );
}
