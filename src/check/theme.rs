//! Checks of the theme: every template (built-in, overridden or added) parses, every
//! `{% extends %}` and `{% include %}` names a template that exists, and the theme
//! loads as a whole.

use super::Problem;
use crate::render::{DEFAULT_TEMPLATES, DEFAULT_TEXT_TEMPLATES, Theme};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A template of the theme: its name, source, and the file it came from (`None` for
/// built-in templates).
struct Source {
    text: String,
    file: Option<PathBuf>,
}

/// `{% extends "x" %}` / `{% include "x" %}` in `text`: (line, tag, target).
pub fn references(text: &str) -> Vec<(usize, &'static str, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(i) = rest.find("{%") {
        let start = offset + i;
        let after = &text[start + 2..];
        let inner = after.trim_start_matches('-').trim_start();
        let tag = ["extends", "include"]
            .into_iter()
            .find(|t| inner.starts_with(t) && inner[t.len()..].starts_with(char::is_whitespace));
        if let Some(tag) = tag {
            let arg = inner[tag.len()..].trim_start();
            if let Some(q) = arg.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))
                && let Some(end) = arg[1..].find(q)
            {
                let line = text[..start].matches('\n').count() + 1;
                out.push((line, tag, arg[1..1 + end].to_string()));
            }
        }
        offset = start + 2;
        rest = &text[offset..];
    }
    out
}

/// Checks the theme (built-in templates with the overrides of `dir`); returns the
/// number of templates and the problems.
pub fn check_theme(dir: Option<&Path>) -> (usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut sources: BTreeMap<String, Source> = DEFAULT_TEMPLATES
        .iter()
        .chain(DEFAULT_TEXT_TEMPLATES.iter())
        .map(|(n, t)| {
            (
                n.to_string(),
                Source {
                    text: t.to_string(),
                    file: None,
                },
            )
        })
        .collect();
    if let Some(dir) = dir {
        if !dir.is_dir() {
            problems.push(Problem::warning(
                dir,
                "theme folder does not exist; the built-in theme is used",
            ));
        }
        let tdir = dir.join("templates");
        if tdir.is_dir() {
            for entry in walkdir::WalkDir::new(&tdir).follow_links(false) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        problems.push(Problem::error(&tdir, None, e.to_string()));
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&tdir)
                    .expect("walkdir stays below its root")
                    .to_string_lossy()
                    .replace('\\', "/");
                match std::fs::read(entry.path()) {
                    Ok(b) => match String::from_utf8(b) {
                        Ok(text) => {
                            sources.insert(
                                rel,
                                Source {
                                    text,
                                    file: Some(entry.path().to_path_buf()),
                                },
                            );
                        }
                        Err(_) => {
                            problems.push(Problem::error(entry.path(), None, "not valid UTF-8"))
                        }
                    },
                    Err(e) => problems.push(Problem::error(entry.path(), None, e.to_string())),
                }
            }
        }
    }
    let file_of = |name: &str, s: &Source| -> PathBuf {
        s.file
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("(built-in) templates/{name}")))
    };
    let mut syntax_ok = true;
    for (name, s) in &sources {
        // each template alone: only syntax errors count here (missing parents and
        // includes are reported below with their line)
        let mut tera = tera::Tera::new();
        if let Err(e) = tera.add_raw_template(name, &s.text)
            && let tera::ErrorKind::SyntaxError(report) = e.kind()
        {
            syntax_ok = false;
            problems.push(Problem::error(
                file_of(name, s),
                Some(report.span().start_line),
                format!("template does not parse: {}", report.message()),
            ));
        }
        for (line, tag, target) in references(&s.text) {
            if !sources.contains_key(&target) {
                syntax_ok = false;
                problems.push(Problem::error(
                    file_of(name, s),
                    Some(line),
                    format!("`{tag}` names template \"{target}\", which does not exist"),
                ));
            }
        }
    }
    if syntax_ok && let Err(e) = Theme::load(dir) {
        // whatever else keeps the theme from loading (unknown filters, blocks missing
        // from the parent, cycles); Tera's report names the template and line
        problems.push(Problem::error(
            dir.map(|d| d.join("templates"))
                .unwrap_or_else(|| "(built-in theme)".into()),
            None,
            format!("the theme does not load: {e}"),
        ));
    }
    (sources.len(), problems)
}

#[cfg(test)]
mod tests {
    use super::super::tests::tmp;
    use super::*;

    #[test]
    fn finds_references_with_lines() {
        let r = references("{% extends \"base.html\" %}\n\n{%- include '_x.html' -%}\n{% if a %}");
        assert_eq!(
            r,
            vec![
                (1, "extends", "base.html".to_string()),
                (3, "include", "_x.html".to_string())
            ]
        );
    }

    #[test]
    fn the_built_in_theme_is_clean() {
        let (n, problems) = check_theme(None);
        assert!(n > 20);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn broken_and_dangling_templates_are_reported_with_file_and_line() {
        let d = tmp("theme");
        std::fs::create_dir_all(d.join("templates")).unwrap();
        std::fs::write(
            d.join("templates/home.html"),
            "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ oops </p>\n{% endblock content %}\n",
        )
        .unwrap();
        std::fs::write(
            d.join("templates/job.html"),
            "{% extends \"base.html\" %}\n{% block content %}\n\n{% include \"_nope.html\" %}\n{% endblock content %}\n",
        )
        .unwrap();
        let (_, problems) = check_theme(Some(&d));
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{text:?}");
        let home = d.join("templates/home.html").display().to_string();
        let job = d.join("templates/job.html").display().to_string();
        assert!(
            text[0].starts_with(&format!("{home}:3: error: template does not parse")),
            "{text:?}"
        );
        assert!(
            text[1].starts_with(&format!(
                "{job}:4: error: `include` names template \"_nope.html\""
            )),
            "{text:?}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_theme_that_does_not_load_is_reported() {
        let d = tmp("filter");
        std::fs::create_dir_all(d.join("templates")).unwrap();
        std::fs::write(
            d.join("templates/404.html"),
            "{% extends \"base.html\" %}{% block content %}{{ 1 | no_such_filter }}{% endblock content %}",
        )
        .unwrap();
        let (_, problems) = check_theme(Some(&d));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("no_such_filter"),
            "{problems:?}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
