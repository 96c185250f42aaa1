//! Hostile `results.xml` files: entity expansion, external entities, huge, deep,
//! links to other origins and schemes, hostile test names, too many failures, a
//! hostile directory listing. Each gives a clear error naming the run, or safe
//! output.

use super::fetch::{MAX_LISTED, MAX_OUTPUTS};
use super::*;

const WEB: &str = "https://artifacts.dev.testing-farm.io/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

fn err(xml: &str) -> ResultsError {
    let e = parse(xml.as_bytes(), WEB).unwrap_err();
    assert!(e.to_string().contains(WEB), "the error names the run: {e}");
    e
}

/// A results.xml of one plan with the given test cases.
fn with_tests(cases: &str) -> String {
    format!(
        "<testsuites overall-result=\"failed\"><testsuite name=\"/plans/p\" result=\"failed\">\
         {cases}</testsuite></testsuites>"
    )
}

fn case(name: &str, result: &str, href: &str) -> String {
    format!(
        "<testcase name=\"{name}\" result=\"{result}\"><logs>\
         <log href=\"{href}\" name=\"testout.log\"/></logs></testcase>"
    )
}

#[test]
fn entity_expansion_is_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE testsuites [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuites overall-result="passed"><testsuite name="&lol3;"/></testsuites>"#;
    assert!(matches!(err(laughs), ResultsError::Dtd { .. }));
    assert!(err(laughs).to_string().contains("DTD"));
}

#[test]
fn external_entities_are_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE testsuites [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<testsuites overall-result="passed"><testsuite name="&x;"/></testsuites>"#;
    assert!(matches!(err(xxe), ResultsError::Dtd { .. }));
    let public = r#"<!DOCTYPE testsuites PUBLIC "-//x//EN" "https://evil.example/x.dtd">
<testsuites/>"#;
    assert!(matches!(err(public), ResultsError::Dtd { .. }));
    // even an empty one
    let empty = "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuites>\n<testsuites/>";
    assert!(matches!(err(empty), ResultsError::Dtd { .. }));
    // an entity without a DTD is just not well-formed
    let undeclared = r#"<testsuites><testsuite name="&x;"/></testsuites>"#;
    assert!(matches!(err(undeclared), ResultsError::Xml { .. }));
}

#[test]
fn huge_files_are_refused_before_parsing() {
    let mut xml = String::from("<testsuites>");
    xml.push_str(&" ".repeat(MAX_BYTES));
    xml.push_str("</testsuites>");
    match err(&xml) {
        ResultsError::TooLarge { size, max, .. } => assert_eq!((size, max), (xml.len(), MAX_BYTES)),
        e => panic!("{e}"),
    }
}

#[test]
fn too_many_nodes_are_refused() {
    let n = MAX_NODES as usize + 10;
    let xml = format!("<testsuites>{}</testsuites>", "<p/>".repeat(n));
    assert!(xml.len() < MAX_BYTES);
    let e = err(&xml);
    assert!(matches!(e, ResultsError::TooBig { .. }), "{e}");
    assert!(e.to_string().contains("nodes"), "{e}");
}

#[test]
fn deep_files_are_refused() {
    let d = 10_000;
    let xml = format!(
        "<testsuites><testsuite>{}{}</testsuite></testsuites>",
        "<x>".repeat(d),
        "</x>".repeat(d)
    );
    let e = err(&xml);
    assert!(e.to_string().contains("nested more than"), "{e}");
    // real files nest 7 deep: well under the cap
    let ok = format!(
        "<testsuites>{}{}</testsuites>",
        "<x>".repeat(20),
        "</x>".repeat(20)
    );
    assert!(parse(ok.as_bytes(), WEB).is_ok());
}

#[test]
fn not_xml_or_not_results() {
    assert!(matches!(
        parse(b"<testsuites>\xff</testsuites>", WEB).unwrap_err(),
        ResultsError::NotUtf8 { .. }
    ));
    // a truncated file (a capped download)
    let e = err("<testsuites overall-result=\"failed\"><testsuite name=\"/pl");
    assert!(matches!(e, ResultsError::Xml { .. }), "{e}");
    assert!(matches!(
        err("<html><body>404</body></html>"),
        ResultsError::NotResults { .. }
    ));
    let bad_web = parse(b"<testsuites/>", "javascript:alert(1)").unwrap_err();
    assert!(matches!(bad_web, ResultsError::WebUrl { .. }));
    assert!(fetch_plan("file:///etc", Known::NotFetched).is_empty());
    // a byte-order mark is fine
    assert!(parse("\u{feff}<testsuites/>".as_bytes(), WEB).is_ok());
}

#[test]
fn links_elsewhere_never_become_links() {
    let cases = [
        case("/a", "failed", "https://evil.example/output.txt"),
        case("/b", "failed", "//evil.example/output.txt"),
        case("/c", "failed", "javascript:alert(document.cookie)"),
        case("/d", "failed", "data:text/plain,boom"),
        case("/e", "failed", "file:///etc/passwd"),
        case(
            "/f",
            "failed",
            "http://artifacts.dev.testing-farm.io/other/output.txt",
        ),
        case(
            "/g",
            "failed",
            "https://user:pw@artifacts.dev.testing-farm.io/x.txt",
        ),
        case("/h", "failed", "./run/h/output.txt"),
    ]
    .concat();
    let xml = format!(
        "<testsuites overall-result=\"failed\"><testsuite name=\"/plans/p\" result=\"failed\">\
         <logs><log href=\"https://evil.example/r.sh\" name=\"tmt-reproducer\"/>\
         <log href=\"vbscript:x\" name=\"workdir\"/></logs>{cases}</testsuite></testsuites>"
    );
    let r = parse(xml.as_bytes(), WEB).unwrap();
    let p = &r.plans[0];
    assert_eq!((&p.reproducer, &p.workdir), (&None, &None));
    assert!(p.logs.is_empty());
    let kept: Vec<(&str, usize)> = p
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.logs.len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(kept, [("/h", 1)]);
    assert!(p.tests[0].output_log().is_none());
    let plan = fetch_plan(WEB, Known::Read(&r));
    let urls: Vec<&str> = plan.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("{WEB}/results.xml"),
            format!("{WEB}/run/h/output.txt")
        ]
    );
}

#[test]
fn hostile_test_names_map_to_safe_stable_names() {
    let long = "/t/".to_string() + &"é".repeat(200);
    let hostile = [
        "../../../../etc/passwd",
        "/tests/a\u{1}b\u{7f}c\u{1b}[31m",
        "/tests/\u{202e}txt.exe\u{2066}",
        long.as_str(),
        "/tests/CON",
        "",
    ];
    let cases: String = hostile
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = n.replace('\u{1}', "&#1;").replace('\u{7f}', "&#127;");
            let n = n.replace('\u{1b}', "&#27;");
            case(&n, "failed", &format!("./t{i}/output.txt"))
        })
        .collect();
    // control characters XML 1.0 forbids are refused as not well-formed
    let e = err(&with_tests(&cases));
    assert!(matches!(e, ResultsError::Xml { .. }), "{e}");

    let cases: String = hostile
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = n.replace('\u{1}', "").replace('\u{1b}', "&#x9;");
            case(&n, "failed", &format!("./t{i}/output.txt"))
        })
        .collect();
    let xml = with_tests(&cases);
    let r = parse(xml.as_bytes(), WEB).unwrap();
    assert_eq!(r.plans[0].tests[2].name, "/tests/\u{202e}txt.exe\u{2066}");
    assert!(r.plans[0].tests[3].name.len() > 300);
    let plan = fetch_plan(WEB, Known::Read(&r));
    assert_eq!(plan.len(), 1 + hostile.len());
    for a in &plan {
        assert!(
            a.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
            "{}",
            a.name
        );
        assert!(a.name.len() <= 160, "{}", a.name);
        assert_eq!(crate::urls::encode_segment(&a.name), a.name);
        assert!(!a.name.starts_with('.'));
    }
    let got: Vec<&str> = plan[1..].iter().map(|a| a.name.as_str()).collect();
    assert_eq!(got[0], "test-etc-passwd-testout.log");
    assert_eq!(got[2], "test-tests--txt.exe-testout.log");
    // stable: the same file gives the same names
    let again = fetch_plan(WEB, Known::Read(&parse(xml.as_bytes(), WEB).unwrap()));
    assert_eq!(plan, again);
}

#[test]
fn many_failures_are_capped() {
    let cases: String = (0..MAX_OUTPUTS + 30)
        .map(|i| case(&format!("/t/{i}"), "error", &format!("./t{i}/output.txt")))
        .collect();
    let r = parse(with_tests(&cases).as_bytes(), WEB).unwrap();
    assert_eq!(r.failures().count(), MAX_OUTPUTS + 30);
    assert_eq!(fetch_plan(WEB, Known::Read(&r)).len(), 1 + MAX_OUTPUTS);
}

#[test]
fn a_hostile_listing_yields_its_own_text_files_only() {
    let dir = Artifact {
        name: "stage-plans-ci-artifact_installation".into(),
        url: format!("{WEB}/guest-setup-1/artifact-installation-1"),
        role: Role::Listing,
    };
    let mut html = String::from(
        r#"<a href="../">../</a>
<a href="../../secret.txt">x</a><a href="https://evil.example/a.txt">x</a>
<a href="javascript:alert(1).txt">x</a><a href="/root.txt">x</a><a href="sub/dir.txt">x</a>
<a href=".hidden.txt">x</a><a href="image.png">x</a><a href="0-Install.txt">x</a>
<a href="0-Install.txt">again</a><a href="1-Verify.log">x</a>"#,
    );
    let got = listing(WEB, &dir, &html);
    let urls: Vec<&str> = got.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("{}/0-Install.txt", dir.url),
            format!("{}/1-Verify.log", dir.url)
        ]
    );
    assert_eq!(
        got[0].name,
        "stage-plans-ci-artifact_installation-0-install.txt"
    );
    for i in 0..100 {
        html.push_str(&format!("<a href=\"{i}.txt\">x</a>"));
    }
    assert_eq!(listing(WEB, &dir, &html).len(), MAX_LISTED);
    let elsewhere = Artifact {
        url: "https://evil.example/dir".into(),
        ..dir
    };
    assert!(listing(WEB, &elsewhere, &html).is_empty());
}
