//! What to archive of a finished Testing Farm run (pure: no network): its
//! `results.xml` (else its `pipeline.log`), then the output of every failed,
//! errored or warn test and, for a plan that errored before its tests, the log of
//! the stage that failed (`pipeline.log` when results.xml names none). A passed run
//! keeps its results.xml only. Every artifact has its archive log name and a URL
//! under the run's origin; one URL is listed once. A stage log that is a directory
//! (the artifact installation's) is a [`Role::Listing`]: [`listing`] reads the
//! index page fetched from it into the text logs it lists.

use super::links::Links;
use super::names::{PIPELINE, RESULTS, compose};
use super::{Results, Stage};
use std::collections::HashSet;

/// Test outputs listed per run at most (a hostile results.xml can name thousands).
pub const MAX_OUTPUTS: usize = 50;
/// Files read from one directory listing at most.
pub const MAX_LISTED: usize = 20;

/// What an artifact is to the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `results.xml`.
    Results,
    /// `pipeline.log`: Testing Farm's own log of the request.
    Pipeline,
    /// The output of a failed, errored or warn test.
    TestOutput,
    /// The log of the stage a plan failed in before its tests.
    StageLog,
    /// A directory of stage logs: fetch its index page, then [`listing`].
    Listing,
}

/// One artifact to archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// Archive log name (`[a-z0-9._-]`, unique and stable per run).
    pub name: String,
    /// Absolute URL under the run's origin.
    pub url: String,
    /// What it is.
    pub role: Role,
}

/// What is known of a run's results.xml.
#[derive(Clone, Copy, Debug)]
pub enum Known<'a> {
    /// Not fetched yet.
    NotFetched,
    /// Fetched and missing (404) or unreadable: `pipeline.log` is what tells.
    Missing,
    /// Fetched and read.
    Read(&'a Results),
}

/// The artifacts to archive of the finished run whose artifacts root is `web_url`,
/// given what is known of its results.xml; empty unless `web_url` is http(s).
pub fn fetch_plan(web_url: &str, known: Known<'_>) -> Vec<Artifact> {
    let Some(links) = Links::new(web_url) else {
        return Vec::new();
    };
    let mut out = vec![Artifact {
        name: RESULTS.into(),
        url: links.results_url().into(),
        role: Role::Results,
    }];
    let pipeline = Artifact {
        name: PIPELINE.into(),
        url: links.pipeline_url(),
        role: Role::Pipeline,
    };
    let r = match known {
        Known::NotFetched => return out,
        Known::Missing => {
            out.push(pipeline);
            return out;
        }
        Known::Read(r) => r,
    };
    let mut seen: HashSet<String> = out.iter().map(|a| a.url.clone()).collect();
    let mut push = |out: &mut Vec<Artifact>, a: Artifact| {
        if seen.insert(a.url.clone()) {
            out.push(a);
        }
    };
    let mut outputs = 0;
    for (_, t) in r.failures() {
        if let Some(log) = t.output_log()
            && outputs < MAX_OUTPUTS
        {
            outputs += 1;
            let role = if log.archive_name == PIPELINE {
                Role::Pipeline
            } else {
                Role::TestOutput
            };
            push(
                &mut out,
                Artifact {
                    name: log.archive_name.clone(),
                    url: log.url.clone(),
                    role,
                },
            );
        }
    }
    let mut needs_pipeline = r.plans.is_empty() && r.overall.is_failure();
    for p in &r.plans {
        let Some(f) = p.failed_stage else { continue };
        match f.log.and_then(|i| p.logs.get(i)) {
            Some(log) => {
                let role = if f.stage == Stage::ArtifactInstallation && !is_file(&log.url) {
                    Role::Listing
                } else {
                    Role::StageLog
                };
                push(
                    &mut out,
                    Artifact {
                        name: log.archive_name.clone(),
                        url: log.url.clone(),
                        role,
                    },
                );
            }
            None => needs_pipeline = true,
        }
    }
    if needs_pipeline {
        push(&mut out, pipeline);
    }
    out
}

/// Whether a URL names a file (its last segment has an extension), not a directory.
fn is_file(url: &str) -> bool {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    !url.ends_with('/') && last.contains('.')
}

/// The text logs (`.txt`, `.log`) an index page fetched from the [`Role::Listing`]
/// artifact `dir` links to, in its order: only files of that directory under the
/// run's origin, each named `<dir's name>-<file>`; at most [`MAX_LISTED`].
pub fn listing(web_url: &str, dir: &Artifact, html: &str) -> Vec<Artifact> {
    let Some(links) = Links::new(web_url) else {
        return Vec::new();
    };
    let Some(base) = links.directory(&dir.url) else {
        return Vec::new();
    };
    let mut out: Vec<Artifact> = Vec::new();
    for href in hrefs(html) {
        let href = href.replace("&amp;", "&");
        let text = href.ends_with(".txt") || href.ends_with(".log");
        if !text || href.contains('/') || href.contains('?') || href.starts_with('.') {
            continue;
        }
        let Some(url) = links.resolve_against(&base, &href) else {
            continue;
        };
        if out.iter().any(|a| a.url == url) {
            continue;
        }
        out.push(Artifact {
            name: compose(&dir.name, &[&href]),
            url,
            role: Role::StageLog,
        });
        if out.len() == MAX_LISTED {
            break;
        }
    }
    out
}

/// The values of the `href="…"` attributes of an index page.
fn hrefs(html: &str) -> impl Iterator<Item = &str> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(v, _)| v))
}
