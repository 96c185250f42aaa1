//! What is said about a page that cannot be written: why no common file system
//! takes its path ([`path_problem`]) and which entity it shows ([`entity_of`]), so
//! the operator knows which upstream value is at fault. A build names its failed
//! pages with them (`renderer`), and `check` its unwritable ones (`unwritable`).

use super::short;
use crate::model::Section;
use crate::plan::{Feed, Page};

/// The longest file path (relative to the output folder) a build writes: Linux
/// takes 4,096 bytes for the whole path, the output folder's included.
pub const MAX_PATH: usize = 3_840;
/// The longest file or folder name common file systems take, in bytes.
const MAX_NAME: usize = 255;

/// Why no common file system takes the file path `file` (`None`: it fits).
pub fn path_problem(file: &str) -> Option<String> {
    if let Err(e) = crate::write::check_rel_path(file) {
        return Some(e.to_string());
    }
    if let Some(seg) = file.split('/').find(|s| s.len() > MAX_NAME) {
        return Some(format!(
            "a name in its path is {} bytes long, more than the {MAX_NAME} file systems take",
            seg.len()
        ));
    }
    if file.len() > MAX_PATH {
        return Some(format!(
            "its path is {} bytes long, more than file systems take (at most {MAX_PATH} \
             besides the output folder's)",
            file.len()
        ));
    }
    None
}

/// The entity a page shows, for a report: `copr 2002`, `pipeline 1000`, `project
/// github.com/packit/ogr`, `branch main of project …` (names shortened).
pub fn entity_of(page: &Page) -> String {
    let s = |v: &str| short(v).into_owned();
    match page {
        Page::JobDetail(l, id)
        | Page::Log(l, id, _)
        | Page::LogRaw(l, id, _)
        | Page::Alias(_, l, id) => format!("{} {id}", l.slug()),
        Page::Pipeline(id) => format!("pipeline {id}"),
        Page::Project(k)
        | Page::ProjectSection(k, ..)
        | Page::ProjectHistory(k, _)
        | Page::Badge(k, _)
        | Page::Feed(Feed::Project(k) | Feed::ProjectFailures(k)) => {
            format!("project {}", s(k))
        }
        Page::Trigger(k, section, name, _) => {
            let what = match section {
                Section::Prs => "pull request",
                Section::Branches => "branch",
                Section::Releases => "release",
                Section::Issues => "issue",
            };
            format!("{what} {} of project {}", s(name), s(k))
        }
        Page::Namespace(forge, ns, _) => format!("namespace {} on {}", s(ns), s(forge)),
        Page::Forge(forge, _) => format!("forge {}", s(forge)),
        Page::Api(kind, id) => format!("{kind} {}", s(id)),
        Page::ViewJson(inner) | Page::Redirect(_, inner) => entity_of(inner),
        Page::Content(name) => format!("content page {}", s(name)),
        _ => "the site".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobList;

    #[test]
    fn paths_too_long_for_file_systems() {
        assert_eq!(path_problem("jobs/copr/1/index.html"), None);
        let long_name = format!("projects/{}/index.html", "a".repeat(256));
        assert!(path_problem(&long_name).unwrap().contains("256 bytes"));
        let deep = format!("projects/{}index.html", "ab/".repeat(2000));
        assert!(path_problem(&deep).unwrap().contains("6019 bytes"));
        assert!(path_problem("../x").is_some());
    }

    #[test]
    fn pages_name_their_entities() {
        assert_eq!(entity_of(&Page::JobDetail(JobList::Copr, 7)), "copr 7");
        let key: std::sync::Arc<str> = format!("github.com/a/{}", "r".repeat(300)).into();
        let e = entity_of(&Page::Project(key));
        assert!(
            e.starts_with("project github.com/a/rrr") && e.len() < 160,
            "{e}"
        );
    }
}
