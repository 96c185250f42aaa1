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

/// Splits one shell command line into words by the POSIX quoting rules; an error
/// for anything a shell would not take as plain words (operators, expansions,
/// globs, comments, unterminated quotes).
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut it = line.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match it.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated ' in {line:?}")),
                    }
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match it.next() {
                        Some('"') => break,
                        Some('\\') => match it.next() {
                            Some(c @ ('$' | '`' | '"' | '\\')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("unterminated \"".into()),
                        },
                        Some(c @ ('$' | '`')) => return Err(format!("expansion {c} in {line:?}")),
                        Some(c) => w.push(c),
                        None => return Err(format!("unterminated \" in {line:?}")),
                    }
                }
            }
            '\\' => match it.next() {
                Some(c) => cur.get_or_insert_with(String::new).push(c),
                None => return Err("trailing backslash".into()),
            },
            ';' | '&' | '|' | '<' | '>' | '(' | ')' | '$' | '`' | '*' | '?' | '[' | '\n' | '\r' => {
                return Err(format!("unquoted {c:?} in {line:?}"));
            }
            '#' | '~' if cur.is_none() => return Err(format!("word starts with {c:?}")),
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = cur {
        words.push(w);
    }
    Ok(words)
}

#[test]
fn the_shell_word_parser_follows_posix_quoting() {
    assert_eq!(
        shell_words(r#"dnf install 'a b' "c\$d" e\;f 'x'\''y'"#).unwrap(),
        ["dnf", "install", "a b", "c$d", "e;f", "x'y"]
    );
    for bad in ["a;b", "$(id)", "a|b", "'open", "a > b", "~/x", "`id`", "a*"] {
        assert!(shell_words(bad).is_err(), "{bad}");
    }
}

/// The text of HTML with the entities the minifier and the escaper write decoded.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').expect("entity end");
        let ent = &rest[1..end];
        let c = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&ent[2..], 16).unwrap()).unwrap()
            }
            _ if ent.starts_with('#') => char::from_u32(ent[1..].parse().unwrap()).unwrap(),
            _ => panic!("entity {ent}"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every command line of a page: the lines of its `<pre class="cmd"><code>` blocks
/// (the minifier drops the quotes).
fn commands(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let html = html.replace("<pre class=cmd><code>", "<pre class=\"cmd\"><code>");
    for part in html.split("<pre class=\"cmd\"><code>").skip(1) {
        let block = part.split("</code>").next().unwrap();
        out.extend(
            unescape(block)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    out
}

#[test]
fn commands_on_pages_parse_into_the_intended_words() {
    use serde_json::json;
    let d = crate::support::fresh_dir("bad-entity-commands");
    let a = d.join("archive.sqlite");
    let out = d.join("site");
    crate::support::synthetic_archive(&a, 12, true);
    let pkg = |name: &str, epoch: i64, version: &str| json!([{"arch": "noarch", "epoch": epoch, "name": name, "release": "1.fc43", "version": version}]);
    let hostile = [
        ("2000", "copr_project", json!("p;rm -rf ~")),
        ("2004", "copr_owner", json!("$(id)")),
        ("2006", "built_packages", pkg("x'y", 0, "1")),
        (
            "2008",
            "chroot",
            json!("fedora-rawhide-x86_64 && curl x|sh"),
        ),
        ("2010", "built_packages", pkg("ok", 0, "1`id`")),
        ("2012", "copr_owner", json!("<b>\"q\"</b>")),
    ];
    for (id, field, v) in &hostile {
        crate::support::set_fields(&a, Kind::Copr, id, &[(field, v.clone())]);
    }
    crate::support::set_fields(
        &a,
        Kind::Copr,
        "2002",
        &[
            ("copr_owner", json!("@copr-group")),
            ("built_packages", pkg("python3-ogr", 2, "1.0~rc1^git")),
        ],
    );
    packit_pages::build(&packit_pages::BuildOptions {
        archive: a.clone(),
        out: out.clone(),
        ..Default::default()
    })
    .unwrap();
    let page =
        |id: &str| std::fs::read_to_string(out.join(format!("jobs/copr/{id}/index.html"))).unwrap();
    // Hostile values: no command, the values shown as text.
    for (id, _, _) in &hostile {
        let html = page(id);
        assert!(commands(&html).is_empty(), "{id}: {:?}", commands(&html));
        assert!(html.contains("No command is shown"), "{id}");
    }
    // Odd but valid values: commands with the exact words.
    let lines = commands(&page("2002"));
    let words: Vec<Vec<String>> = lines.iter().map(|l| shell_words(l).unwrap()).collect();
    assert_eq!(
        words,
        [
            vec!["dnf", "install", "dnf*-command(copr)"],
            vec![
                "dnf",
                "copr",
                "enable",
                "@copr-group/packit-p1",
                "fedora-rawhide-x86_64"
            ],
            vec!["dnf", "install", "python3-ogr-2:1.0~rc1^git-1.fc43.noarch"],
        ]
    );
    // Every command on every page parses into plain words.
    let mut seen = 0;
    for e in walkdir::WalkDir::new(&out) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            let html = std::fs::read_to_string(e.path()).unwrap();
            for l in commands(&html) {
                let w =
                    shell_words(&l).unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
                assert_eq!(w[0], "dnf", "{l}");
                seen += 1;
            }
        }
    }
    assert!(seen > 10, "{seen} commands");
}

#[test]
fn a_page_that_cannot_be_written_is_reported_and_the_rest_published() {
    let d = crate::support::fresh_dir("bad-entity-build");
    let a = d.join("archive.sqlite");
    let out = d.join("site");
    let report = d.join("report.json");
    crate::support::synthetic_archive(&a, 12, false);
    let build = || {
        crate::support::packit_pages()
            .args(["build", "--archive"])
            .arg(&a)
            .arg("--out")
            .arg(&out)
            .arg("--report-json")
            .arg(&report)
            .output()
            .unwrap()
    };
    let o = build();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // the page of Copr build 2002 cannot be written: a folder with a file is in its way
    let page = out.join("jobs/copr/2002/index.html");
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir_all(page.join("in-the-way")).unwrap();
    crate::support::set_status(&a, Kind::Copr, "2002", "error");
    crate::support::set_status(&a, Kind::Copr, "2004", "error");
    let o = build();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("page not written: jobs/copr/2002/index.html"),
        "{err}"
    );
    assert!(err.contains("1 page(s) could not be written"), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["failed_pages"][0]["file"], "jobs/copr/2002/index.html");
    assert!(r["write"]["written"].as_u64().unwrap() > 0, "{r}");
    // the other changed job page was written
    let other = std::fs::read_to_string(out.join("jobs/copr/2004/index.html")).unwrap();
    assert!(other.contains("rror"), "2004 shows its new status");

    // the cause goes; nothing in the archive changed, yet the next incremental build
    // writes the page (the last build recorded it as failed)
    std::fs::remove_dir_all(&page).unwrap();
    let o = build();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["mode"], "incremental", "{r}");
    assert!(std::fs::read_to_string(&page).unwrap().contains("rror"));

    // the same after a full build (whose manifest is started before it knows)
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir_all(page.join("in-the-way")).unwrap();
    let o = crate::support::packit_pages()
        .args(["build", "--full", "--archive"])
        .arg(&a)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(&page).unwrap();
    let o = build();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["mode"], "incremental", "{r}");
    assert_eq!(r["rendered"], 1, "only the page that failed: {r}");
    assert!(page.is_file());
    // and once written, it is not rendered again
    let o = build();
    assert!(o.status.success());
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["rendered"], 0, "{r}");
}

#[test]
fn names_with_bidi_controls_are_shown_isolated() {
    use serde_json::json;
    let d = crate::support::fresh_dir("bad-entity-bidi");
    let a = d.join("archive.sqlite");
    let out = d.join("site");
    crate::support::synthetic_archive(&a, 12, false);
    crate::support::set_fields(
        &a,
        Kind::Copr,
        "2002",
        &[
            ("copr_project", json!("פרויקט")),
            ("copr_owner", json!("evil\u{202e}exe.txt")),
        ],
    );
    packit_pages::build(&packit_pages::BuildOptions {
        archive: a.clone(),
        out: out.clone(),
        ..Default::default()
    })
    .unwrap();
    let html = std::fs::read_to_string(out.join("jobs/copr/2002/index.html")).unwrap();
    // in text: isolated, the override shown as a marker, never raw
    assert!(html.contains("<bdi>evil⟨U+202E⟩exe.txt</bdi>"), "{html}");
    assert!(html.contains("<bdi>פרויקט</bdi>"), "{html}");
    assert!(!html.contains('\u{202e}'));
    // never inside a tag, and no bracket left behind
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap();
        assert!(
            !tag.contains("bdi") || tag == "bdi" || tag == "/bdi",
            "{tag}"
        );
    }
    assert!(!html.contains('\u{fdd0}') && !html.contains('\u{fdd1}'));
    // an ordinary page keeps its bytes: no bdi at all
    let plain = std::fs::read_to_string(out.join("jobs/copr/2004/index.html")).unwrap();
    assert!(!plain.contains("<bdi>"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_live_session_writes_a_page_that_failed_once_its_cause_is_gone() {
    let d = crate::support::fresh_dir("bad-entity-session");
    let a = d.join("archive.sqlite");
    let out = d.join("site");
    crate::support::synthetic_archive(&a, 12, false);
    let opts = crate::support::build_options(a.clone(), out.clone());
    let (mut session, _) = packit_pages::site::Session::open(&opts).unwrap();
    let page = out.join("jobs/copr/2002/index.html");
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir_all(page.join("in-the-way")).unwrap();
    crate::support::set_status(&a, Kind::Copr, "2002", "error");
    let r = session.update().unwrap();
    assert_eq!(r.failed_pages.len(), 1, "{:?}", r.failed_pages);
    assert_eq!(r.failed_pages[0].entity, "copr 2002");
    // the cause goes; the archive did not change, yet the next update writes it
    std::fs::remove_dir_all(&page).unwrap();
    let r = session.update().unwrap();
    assert!(r.failed_pages.is_empty(), "{:?}", r.failed_pages);
    assert!(std::fs::read_to_string(&page).unwrap().contains("rror"));
    // a page a session could not write is written by the next build, too
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir_all(page.join("in-the-way")).unwrap();
    crate::support::set_status(&a, Kind::Copr, "2002", "failure");
    assert_eq!(session.update().unwrap().failed_pages.len(), 1);
    drop(session);
    std::fs::remove_dir_all(&page).unwrap();
    let r = packit_pages::build(&opts).unwrap();
    assert!(r.failed_pages.is_empty(), "{:?}", r.failed_pages);
    assert!(page.is_file());
    // and then nothing is left to retry
    let r = packit_pages::build(&opts).unwrap();
    assert_eq!(r.rendered, 0, "{r:?}");
    std::fs::remove_dir_all(&d).unwrap();
}
