//! Renders the real packit.dev FAQ (`content/faq.md`) and the about page, and
//! checks anchors, links and text against what packit.dev's Docusaurus produces.

use std::path::Path;

use packit_pages::content::{ContentPage, load_dir, render_markdown};

fn faq() -> ContentPage {
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("content/faq.md"))
            .expect("content/faq.md is readable");
    render_markdown("faq", &source, "https://packit.dev/docs/faq").expect("FAQ renders")
}

/// Every heading of the FAQ with the id Docusaurus gives it (github-slugger:
/// lowercase, drop punctuation and symbols, spaces to hyphens), derived by hand.
const FAQ_HEADINGS: &[(u8, &str, &str)] = &[
    (1, "FAQ", "faq"),
    (
        2,
        "Can I use the packit service as soon as I install it into my repository?",
        "can-i-use-the-packit-service-as-soon-as-i-install-it-into-my-repository",
    ),
    (
        2,
        "Can I use packit service for any GitHub repository?",
        "can-i-use-packit-service-for-any-github-repository",
    ),
    (2, "How can I contact you?", "how-can-i-contact-you"),
    (
        2,
        "Why do I have to maintain .packit.yaml and a spec file upstream?",
        "why-do-i-have-to-maintain-packityaml-and-a-spec-file-upstream",
    ),
    (2, "But what are the benefits?", "but-what-are-the-benefits"),
    (2, "Why Fedora?", "why-fedora"),
    (
        2,
        "How is Packit different from other services?",
        "how-is-packit-different-from-other-services",
    ),
    (
        2,
        "Can we use Packit with Gitlab?",
        "can-we-use-packit-with-gitlab",
    ),
    (
        2,
        "How can I download RPM spec file if it is not part of upstream repository?",
        "how-can-i-download-rpm-spec-file-if-it-is-not-part-of-upstream-repository",
    ),
    (
        2,
        "I have a template of a spec file in my repo: can packit work with it?",
        "i-have-a-template-of-a-spec-file-in-my-repo-can-packit-work-with-it",
    ),
    (
        2,
        "Can I use CentOS Stream with packit service?",
        "can-i-use-centos-stream-with-packit-service",
    ),
    (
        2,
        "After adding tests I see error 'No FMF metadata found.'",
        "after-adding-tests-i-see-error-no-fmf-metadata-found",
    ),
    (
        2,
        "Does packit work with rpmautospec?",
        "does-packit-work-with-rpmautospec",
    ),
    (
        2,
        "How do I install dependencies for my commands in packit-service?",
        "how-do-i-install-dependencies-for-my-commands-in-packit-service",
    ),
    (
        2,
        "A command failed in packit-service: how do I reproduce it locally?",
        "a-command-failed-in-packit-service-how-do-i-reproduce-it-locally",
    ),
    (
        2,
        "Why you should use Packit instead of external devices directly?",
        "why-you-should-use-packit-instead-of-external-devices-directly",
    ),
];

#[test]
fn every_faq_heading_has_the_docusaurus_id() {
    let page = faq();
    for (level, _, id) in FAQ_HEADINGS {
        let open = format!("<h{level} id=\"{id}\">");
        assert_eq!(page.html.matches(&open).count(), 1, "missing {open}");
        let anchor = format!("<a class=\"anchor\" href=\"#{id}\"");
        assert_eq!(page.html.matches(&anchor).count(), 1, "missing {anchor}");
    }
    assert_eq!(page.html.matches("<h1").count(), 1);
    assert_eq!(page.html.matches("<h2").count(), 16);
}

#[test]
fn toc_lists_the_sixteen_questions_in_order() {
    let page = faq();
    let expected: Vec<(u8, &str, &str)> = FAQ_HEADINGS
        .iter()
        .copied()
        .filter(|(level, _, _)| *level == 2)
        .collect();
    assert_eq!(expected.len(), 16);
    let got: Vec<(u8, &str, &str)> = page
        .toc
        .iter()
        .map(|t| (t.level, t.text.as_str(), t.id.as_str()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn faq_metadata() {
    let page = faq();
    assert_eq!(page.name, "faq");
    assert_eq!(page.title, "FAQ");
    assert_eq!(page.front_matter["date"], "2019-07-24");
    assert_eq!(page.front_matter["sidebar_position"], "100");
    assert!(
        page.description.starts_with(
            "Thanks for your interest in Packit Service! In order to start using the service,"
        ),
        "{}",
        page.description
    );
    assert!(page.description.ends_with('…'));
    assert!(page.description.chars().count() <= 161);
    assert!(!page.html.contains("sidebar_position"));
}

#[test]
fn faq_links_of_all_four_kinds() {
    let html = faq().html;
    // External links stay.
    assert!(html.contains(
        "<a href=\"https://fedoraproject.org/wiki/Account_System\">Fedora Account System</a>"
    ));
    assert!(html.contains(
        "<a href=\"https://github.com/packit/packit-service/issues/new\">upstream issue</a>"
    ));
    // Site-absolute links point at packit.dev.
    assert!(html.contains("<a href=\"https://packit.dev/#contact\">contact us</a>"));
    assert!(html.contains("<a href=\"https://packit.dev/posts/copr-srpms\">here</a>"));
    assert!(
        html.contains("<a href=\"https://packit.dev/docs/guide#gitlab\">Packit Service page</a>")
    );
    assert!(html.contains(
        "<a href=\"https://packit.dev/docs/testing-farm\">Testing Farm documentation</a>"
    ));
    // ... also with a fragment.
    assert!(html.contains("<a href=\"https://packit.dev/docs/guide/#2-approval\">here</a>"));
    assert!(html.contains("<a href=\"https://packit.dev/docs/configuration/#srpm_build_deps\"><code>srpm_build_deps</code></a>"));
    // The bare relative link resolves next to /docs/faq.
    assert!(html.contains(
        "<a href=\"https://packit.dev/docs/reproduce-locally\">this document on how to reproduce locally</a>"
    ));
    // No site-absolute or relative hrefs are left.
    assert!(!html.contains("href=\"/"));
    assert!(!html.contains("href=\"reproduce"));
}

#[test]
fn faq_code_lists_and_text() {
    let html = faq().html;
    assert_eq!(
        html.matches("<pre><code class=\"language-yaml\">").count(),
        3
    );
    assert!(html.contains(
        "<pre><code>generate-spec:\n    sed -e 's/@@VERSION@@/$(VERSION)/g' my-project.spec.template &gt;my-project.spec\n</code></pre>"
    ));
    assert!(
        html.contains(
            "<pre><code>Release:  %{?autorelease}%{!?autorelease:1%{?dist}}\n</code></pre>"
        )
    );
    assert!(
        html.contains("<ol>\n<li><code>autorelease</code> — to populate <code>Release</code></li>")
    );
    assert!(html.contains("we ❤ Fedora"));
    assert!(html.contains("Testing Farm, Copr, Koji, Bodhi…"));
    assert!(html.contains("and  therefore"), "double space kept");
    assert!(html.contains("<li>the build in Copr is created automatically"));
}

#[test]
fn content_dir_loads_about_and_faq() {
    let pages = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let names: Vec<_> = pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["about", "faq"]);
    let about = &pages[0];
    assert_eq!(about.title, "About this site");
    assert!(about.description.contains("without JavaScript"));
    assert!(
        about
            .html
            .contains("<a href=\"https://packit.dev/docs/faq\">Packit FAQ</a>")
    );
    assert_eq!(
        about.toc.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["where-the-data-comes-from", "questions-and-problems"]
    );
    // The FAQ without packit_path gets https://packit.dev/docs/faq as its base.
    assert!(
        pages[1]
            .html
            .contains("https://packit.dev/docs/reproduce-locally")
    );
}
