//! Unit tests of markdown rendering: front matter, headings and anchors,
//! admonitions, escaping, links and descriptions.

use super::page::DESCRIPTION_MAX_CHARS;
use super::*;

const FAQ_BASE: &str = "https://packit.dev/docs/faq";

fn render(source: &str) -> ContentPage {
    render_markdown("test", source, FAQ_BASE).expect("renders")
}

#[test]
fn front_matter_is_parsed_as_strings() {
    let page = render(
        "---\ntitle: \"Quoted: title\"\ndate: 2019-07-24\nsidebar_position: 100\n\
         description: 'It''s short'\n# a comment\ntags:\n  - a\n- b\nslug: /faq\n---\n\nBody.\n",
    );
    let fm = &page.front_matter;
    assert_eq!(fm["title"], "Quoted: title");
    assert_eq!(fm["date"], "2019-07-24");
    assert_eq!(fm["sidebar_position"], "100");
    assert_eq!(fm["description"], "It's short");
    assert_eq!(fm["tags"], "");
    assert_eq!(fm["slug"], "/faq");
    assert_eq!(fm.len(), 6);
    assert_eq!(page.title, "Quoted: title");
    assert_eq!(page.description, "It's short");
    assert_eq!(page.html.trim(), "<p>Body.</p>");
}

#[test]
fn missing_front_matter_is_fine_and_crlf_is_accepted() {
    let page = render("# Hello\n\nWorld.\n");
    assert!(page.front_matter.is_empty());
    assert_eq!(page.title, "Hello");
    assert_eq!(page.description, "World.");
    let page = render("---\r\ntitle: T\r\n---\r\ntext\r\n");
    assert_eq!(page.front_matter["title"], "T");
    assert_eq!(page.html.trim(), "<p>text</p>");
}

#[test]
fn unclosed_front_matter_is_an_error_naming_the_file() {
    let err = render_markdown("broken", "---\ntitle: x\n\n# Body\n", FAQ_BASE).unwrap_err();
    assert!(matches!(err, ContentError::UnclosedFrontMatter { ref file } if file == "broken"));
    assert!(err.to_string().starts_with("broken: "), "{err}");
}

#[test]
fn malformed_front_matter_line_is_an_error() {
    let err = render_markdown("bad", "---\ntitle: x\nnot a pair\n---\n", FAQ_BASE).unwrap_err();
    match &err {
        ContentError::MalformedFrontMatter { file, line, text } => {
            assert_eq!(
                (file.as_str(), *line, text.as_str()),
                ("bad", 3, "not a pair")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("bad: front matter line 3"));
}

#[test]
fn invalid_base_is_an_error() {
    let err = render_markdown("x", "text", "/docs/faq").unwrap_err();
    assert!(matches!(err, ContentError::InvalidBase { .. }));
}

#[test]
fn headings_get_ids_anchors_and_toc() {
    let page =
        render("# Title\n\n## It's `.packit.yaml`\n\n### Sub [link](/x) *em*\n\n#### Deep\n");
    assert!(
        page.html.contains(
            "<h2 id=\"its-packityaml\">It's <code>.packit.yaml</code> \
         <a class=\"anchor\" href=\"#its-packityaml\" \
         aria-label=\"Link to this section: It&#39;s .packit.yaml\">#</a></h2>"
        ),
        "{}",
        page.html
    );
    assert!(page.html.contains("<h3 id=\"sub-link-em\">Sub <a href=\"https://packit.dev/x\">link</a> <em>em</em> <a class=\"anchor\" href=\"#sub-link-em\""), "{}", page.html);
    assert!(page.html.contains("<h4 id=\"deep\">"));
    assert_eq!(
        page.toc,
        vec![
            TocEntry {
                level: 2,
                text: "It's .packit.yaml".into(),
                id: "its-packityaml".into()
            },
            TocEntry {
                level: 3,
                text: "Sub link em".into(),
                id: "sub-link-em".into()
            },
        ]
    );
    assert_eq!(page.title, "Title");
}

#[test]
fn duplicate_headings_get_suffixes() {
    let page = render("## Setup\n\n## Setup\n\n### Setup\n\n## Setup 1\n");
    let ids: Vec<_> = page.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["setup", "setup-1", "setup-2", "setup-1-1"]);
}

#[test]
fn explicit_heading_ids_are_used_and_removed_from_text() {
    let page = render("## Custom heading {#my-id}\n\n## Custom heading\n\n## `code` {#c_2}\n");
    assert_eq!(page.toc[0].id, "my-id");
    assert_eq!(page.toc[0].text, "Custom heading");
    assert_eq!(page.toc[1].id, "custom-heading");
    assert_eq!(page.toc[2].id, "c_2");
    assert_eq!(page.toc[2].text, "code");
    assert!(page.html.contains("<h2 id=\"my-id\">Custom heading <a"));
    assert!(!page.html.contains("{#"));
    // Not an id: characters outside [A-Za-z0-9_-] keep the text as written.
    let page = render("## Set {#a b}\n");
    assert_eq!(page.toc[0].id, "set-a-b");
}

#[test]
fn admonitions_of_every_kind_with_default_titles() {
    for (kind, title) in [
        ("note", "Note"),
        ("tip", "Tip"),
        ("info", "Info"),
        ("caution", "Caution"),
        ("warning", "Warning"),
        ("danger", "Danger"),
    ] {
        let page = render(&format!(
            "Before.\n\n:::{kind}\n\nBody *text*.\n\n:::\n\nAfter.\n"
        ));
        let expected = format!(
            "<aside class=\"admonition admonition-{kind}\" role=\"note\">\
             <p class=\"admonition-title\">{title}</p>\n<p>Body <em>text</em>.</p>\n</aside>\n"
        );
        assert!(page.html.contains(&expected), "{kind}: {}", page.html);
        assert!(page.html.ends_with("<p>After.</p>\n"), "{}", page.html);
    }
}

#[test]
fn admonitions_with_titles_in_both_syntaxes() {
    for kind in ["note", "tip", "info", "caution", "warning", "danger"] {
        let page = render(&format!(":::{kind} CentOS Stream <support>\nBody\n:::\n"));
        assert!(
            page.html.contains(&format!(
                "<aside class=\"admonition admonition-{kind}\" role=\"note\">\
             <p class=\"admonition-title\">CentOS Stream &lt;support&gt;</p>\n<p>Body</p>\n</aside>"
            )),
            "{}",
            page.html
        );
        let page = render(&format!(":::{kind}[Bracket title]\nBody\n:::\n"));
        assert!(
            page.html
                .contains("<p class=\"admonition-title\">Bracket title</p>"),
            "{}",
            page.html
        );
    }
}

#[test]
fn admonition_bodies_are_markdown() {
    let page =
        render(":::tip\n- one [link](/docs/guide)\n- two\n\n```yaml\nkey: value\n```\n:::\n");
    let html = &page.html;
    assert!(
        html.contains("<ul>\n<li>one <a href=\"https://packit.dev/docs/guide\">link</a></li>"),
        "{html}"
    );
    assert!(
        html.contains("<pre><code class=\"language-yaml\">key: value\n</code></pre>\n</aside>"),
        "{html}"
    );
}

#[test]
fn fenced_code_containing_colons_does_not_confuse_admonitions() {
    let page =
        render(":::info\n\n````md\n:::tip\nnot a tip\n:::\n````\n\nstill info\n\n:::\n\noutside\n");
    let html = &page.html;
    assert_eq!(html.matches("<aside").count(), 1, "{html}");
    assert!(
        html.contains("<pre><code class=\"language-md\">:::tip\nnot a tip\n:::\n</code></pre>"),
        "{html}"
    );
    assert!(
        html.contains("<p>still info</p>\n</aside>\n<p>outside</p>"),
        "{html}"
    );
}

#[test]
fn nested_admonitions_with_more_colons() {
    let page = render("::::note Outer\n:::tip\ninner\n:::\nouter\n::::\n");
    let html = &page.html;
    assert!(
        html.contains(
            "<p class=\"admonition-title\">Outer</p>\n<aside class=\"admonition admonition-tip\""
        ),
        "{html}"
    );
    assert!(
        html.contains("<p>inner</p>\n</aside>\n<p>outer</p>\n</aside>"),
        "{html}"
    );
}

#[test]
fn unknown_directives_stay_plain_text() {
    let page = render(":::foo\nbar\n:::\n");
    assert!(!page.html.contains("<aside"));
    assert_eq!(page.html.trim(), "<p>:::foo\nbar\n:::</p>");
}

#[test]
fn unclosed_or_misplaced_admonitions_keep_html_balanced() {
    let page = render(":::warning\nnever closed\n");
    assert!(
        page.html
            .trim_end()
            .ends_with("<p>never closed</p>\n</aside>"),
        "{}",
        page.html
    );
    // Opened inside a list item, "closed" outside it: the aside closes with the item.
    let page = render("- item\n\n  :::tip\n  inside\n\n:::\n");
    let html = &page.html;
    assert!(html.contains("<p>inside</p>\n</aside>\n</li>"), "{html}");
    assert!(html.contains("<p>:::</p>"), "{html}");
}

#[test]
fn raw_html_is_escaped() {
    let page = render(
        "<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> end.\n\n## Head <b>x</b>\n",
    );
    let html = &page.html;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains(
            "<pre class=\"raw-html\"><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"
        ),
        "{html}"
    );
    assert!(
        html.contains("Text &lt;img src=x onerror=alert(1)&gt; end."),
        "{html}"
    );
    // The slug ignores raw HTML, as Docusaurus does.
    assert_eq!(page.toc[0].id, "head-x");
    // A comment that looks like an admonition marker is not one.
    let page = render("<!-- admonition -->\n\ntext\n");
    assert!(!page.html.contains("<aside"));
    assert!(page.html.contains("&lt;!-- admonition --&gt;"));
}

#[test]
fn javascript_urls_are_neutralised() {
    let page = render(
        "[a](javascript:alert(1)) [b](<JAVASCRIPT:alert(2)>) ![c](javascript:x) <javascript:alert(3)>\n\n[d]: javascript:y\n\n[ref][d]\n",
    );
    let html = &page.html;
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("href=\"javascript"), "{html}");
    assert!(!lower.contains("src=\"javascript"), "{html}");
    assert_eq!(html.matches("href=\"#\"").count(), 4, "{html}");
    assert!(html.contains("<a href=\"#\">a</a>"), "{html}");
    assert!(html.contains("<img src=\"\" alt=\"c\" />"), "{html}");
}

#[test]
fn links_and_images_are_rewritten() {
    let page = render(
        "[a](/docs/guide/#2-approval) [b](reproduce-locally) [c](#why-fedora) \
         [d](https://copr.fedorainfracloud.org) ![i](img/x.png \"T\") <mail@example.org>\n",
    );
    let html = &page.html;
    assert!(
        html.contains("<a href=\"https://packit.dev/docs/guide/#2-approval\">a</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://packit.dev/docs/reproduce-locally\">b</a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#why-fedora\">c</a>"), "{html}");
    assert!(
        html.contains("<a href=\"https://copr.fedorainfracloud.org\">d</a>"),
        "{html}"
    );
    assert!(
        html.contains("<img src=\"https://packit.dev/docs/img/x.png\" alt=\"i\" title=\"T\" />"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"mailto:mail@example.org\">"),
        "{html}"
    );
    // The base is per page.
    let page = render_markdown("p", "[x](sub/page)", "https://packit.dev/posts/").unwrap();
    assert!(
        page.html
            .contains("href=\"https://packit.dev/posts/sub/page\"")
    );
}

#[test]
fn code_blocks_are_escaped_with_language_classes() {
    let page = render("```yaml\na: \"<b>&\"\n```\n\n    indented <i>\n");
    assert!(
        page.html
            .contains("<pre><code class=\"language-yaml\">a: \"&lt;b&gt;&amp;\"\n</code></pre>"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("<pre><code>indented &lt;i&gt;\n</code></pre>"),
        "{}",
        page.html
    );
}

#[test]
fn gfm_extensions_on_smart_punctuation_off() {
    let page = render(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n\n\"quotes\" -- and ... 'single'\n",
    );
    let html = &page.html;
    assert!(html.contains("<table>"), "{html}");
    assert!(html.contains("<del>gone</del>"), "{html}");
    assert!(html.contains("type=\"checkbox\" checked=\"\""), "{html}");
    assert!(
        html.contains("<p>\"quotes\" -- and ... 'single'</p>"),
        "{html}"
    );
}

#[test]
fn non_ascii_is_preserved() {
    let page = render("## Straße ❤\n\nWe ❤ Fedora — really… 日本\n");
    assert!(page.html.contains("We ❤ Fedora — really… 日本"));
    assert_eq!(page.toc[0].id, "straße-");
    assert_eq!(page.toc[0].text, "Straße ❤");
    assert!(page.html.contains("<h2 id=\"straße-\">Straße ❤ <a"));
}

#[test]
fn description_is_the_first_paragraph_truncated() {
    let long = "word ".repeat(60);
    let page = render(&format!("# T\n\n{long}\n\nsecond\n"));
    assert!(page.description.ends_with('…'));
    assert!(page.description.chars().count() <= DESCRIPTION_MAX_CHARS + 1);
    assert!(page.description.starts_with("word word"));
    assert!(!page.description.contains("  "));
    let page = render("Some `code` and [a link](/x)\nover lines.\n");
    assert_eq!(page.description, "Some code and a link over lines.");
    assert_eq!(page.title, "test");
}

#[test]
fn load_dir_reads_sorted_md_files_with_bases() {
    let dir = std::env::temp_dir().join(format!("packit-pages-content-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.md"), "[x](other)\n").unwrap();
    std::fs::write(
        dir.join("a.md"),
        "---\npackit_path: /posts/a/\n---\n[x](other)\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let pages = load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let names: Vec<_> = pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(pages[0].html.contains("https://packit.dev/posts/a/other"));
    assert!(pages[1].html.contains("https://packit.dev/docs/other"));
    let err = load_dir(Path::new("does-not-exist-dir")).unwrap_err();
    assert!(matches!(err, ContentError::Io { .. }));
}
