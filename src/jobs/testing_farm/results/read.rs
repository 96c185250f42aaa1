//! The reading of `results.xml` into [`Results`]: caps first (size, UTF-8, no DTD,
//! nodes, depth), then one walk over `testsuites > testsuite > testcase`.

use super::links::Links;
use super::names::Names;
use super::{
    Environment, FailedStage, Log, MAX_BYTES, MAX_DEPTH, MAX_NODES, Outcome, Plan, Results,
    ResultsError, Stage, TestCase,
};
use crate::urls::shorten;
use roxmltree::{Document, Node, ParsingOptions};

/// Reads the `results.xml` of the run whose artifacts root is `web_url` (links are
/// resolved against `<web_url>/results.xml` and kept under its origin).
pub fn parse(xml: &[u8], web_url: &str) -> Result<Results, ResultsError> {
    let web = || shorten(web_url, 200);
    let links = Links::new(web_url).ok_or_else(|| ResultsError::WebUrl { web_url: web() })?;
    if xml.len() > MAX_BYTES {
        return Err(ResultsError::TooLarge {
            web_url: web(),
            size: xml.len(),
            max: MAX_BYTES,
        });
    }
    let text = std::str::from_utf8(xml).map_err(|_| ResultsError::NotUtf8 { web_url: web() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // no DTD (roxmltree refuses one with declarations; an empty one is refused below),
    // so no entity is ever expanded and no external entity is ever resolved
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        entity_resolver: None,
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => ResultsError::Dtd { web_url: web() },
        roxmltree::Error::NodesLimitReached => ResultsError::TooBig {
            web_url: web(),
            what: format!("more than {MAX_NODES} nodes"),
        },
        e => ResultsError::Xml {
            web_url: web(),
            message: e.to_string(),
        },
    })?;
    if depth(doc.root()) > MAX_DEPTH {
        return Err(ResultsError::TooBig {
            web_url: web(),
            what: format!("elements nested more than {MAX_DEPTH} deep"),
        });
    }
    let root = doc.root_element();
    if text[..root.range().start].contains("<!DOCTYPE") {
        return Err(ResultsError::Dtd { web_url: web() });
    }
    if root.tag_name().name() != "testsuites" {
        return Err(ResultsError::NotResults {
            web_url: web(),
            root: shorten(root.tag_name().name(), 40),
        });
    }
    let mut names = Names::new(links.results_url(), &links.pipeline_url());
    let overall = root
        .attribute("overall-result")
        .map(Outcome::of)
        .or_else(|| property(root, "baseosci.overall-result").map(Outcome::of))
        .unwrap_or(Outcome::Undefined);
    let finished = matches!(overall, Outcome::Error | Outcome::Failed);
    let plans = children(root, "testsuite")
        .map(|s| plan(s, &links, &mut names, finished))
        .collect();
    Ok(Results { overall, plans })
}

/// The deepest element nesting under `n` (without recursion).
fn depth(n: Node<'_, '_>) -> usize {
    let mut max = 0;
    let mut stack = vec![(n, 0usize)];
    while let Some((n, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(n.children().filter(Node::is_element).map(|c| (c, d + 1)));
    }
    max
}

fn children<'a, 'i>(n: Node<'a, 'i>, tag: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(move |c| c.has_tag_name(tag))
}

fn child<'a, 'i>(n: Node<'a, 'i>, tag: &'static str) -> Option<Node<'a, 'i>> {
    children(n, tag).next()
}

/// `<properties><property name=… value=…/>` of `n`.
fn property<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(n, "properties")?
        .children()
        .find(|p| p.has_tag_name("property") && p.attribute("name") == Some(name))?
        .attribute("value")
}

/// A non-blank attribute.
fn attr(n: Node<'_, '_>, name: &str) -> Option<String> {
    n.attribute(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Arch and compose of the `provisioned` environment among `n`'s
/// `testing-environment` children (or those of its `guest`), else the `requested` one.
fn environment(n: Node<'_, '_>) -> Environment {
    let envs: Vec<Node<'_, '_>> = children(n, "testing-environment")
        .chain(children(n, "guest").flat_map(|g| children(g, "testing-environment")))
        .collect();
    let pick = |which: &str| envs.iter().find(|e| e.attribute("name") == Some(which));
    let Some(e) = pick("provisioned").or_else(|| pick("requested")) else {
        return Environment::default();
    };
    let prop = |name: &str| {
        children(*e, "property")
            .find(|p| p.attribute("name") == Some(name))
            .and_then(|p| attr(p, "value"))
            .filter(|v| v != "None")
    };
    Environment {
        arch: prop("arch"),
        compose: prop("compose"),
    }
}

/// The logs of `n` (`<logs><log name href/>`), links kept, each with its archive name
/// (`name` is given the URL and the log's setup stage, else its name).
fn logs(n: Node<'_, '_>, links: &Links, name: &mut impl FnMut(&str, &str) -> String) -> Vec<Log> {
    let Some(logs) = child(n, "logs") else {
        return Vec::new();
    };
    children(logs, "log")
        .filter_map(|l| {
            let url = links.resolve(l.attribute("href")?)?;
            let log_name = attr(l, "name").unwrap_or_else(|| "log".into());
            let setup_stage = attr(l, "guest-setup-stage");
            Some(Log {
                archive_name: name(&url, setup_stage.as_deref().unwrap_or(&log_name)),
                name: log_name,
                url,
                setup_stage,
            })
        })
        .collect()
}

fn plan(s: Node<'_, '_>, links: &Links, names: &mut Names, finished: bool) -> Plan {
    let name = s.attribute("name").unwrap_or_default().to_string();
    let result = s
        .attribute("result")
        .or_else(|| property(s, "baseosci.result"))
        .map(Outcome::of)
        .unwrap_or(Outcome::Undefined);
    let plan_logs = logs(s, links, &mut |url, log| {
        names.name(url, "stage", &[&name, log])
    });
    let tests: Vec<TestCase> = children(s, "testcase")
        .map(|c| test(c, links, names))
        .collect();
    let find = |n: &str| {
        plan_logs
            .iter()
            .find(|l| l.name == n)
            .map(|l| l.url.clone())
    };
    let mut environment = environment(s);
    if environment == Environment::default()
        && let Some(t) = tests.first()
    {
        environment = t.environment.clone();
    }
    let stage = attr(s, "stage");
    let errored_before_tests = finished
        && !matches!(result, Outcome::Passed | Outcome::Skipped | Outcome::Info)
        && !tests.iter().any(|t| t.result.ran());
    let failed_stage = errored_before_tests.then(|| failed_stage(&plan_logs, stage.as_deref()));
    Plan {
        reproducer: find("tmt-reproducer"),
        workdir: find("workdir"),
        name,
        result,
        stage,
        environment,
        logs: plan_logs,
        tests,
        failed_stage,
    }
}

/// Which stage a plan that never ran its tests failed in, and its log: tmt's log
/// when tmt ran (verbose, else plain, else discover), else the latest guest-setup
/// stage that left a log, else what the plan's `stage` says (no log).
fn failed_stage(logs: &[Log], stage: Option<&str>) -> FailedStage {
    let named = |n: &str| logs.iter().position(|l| l.name == n);
    let tmt = named("tmt-verbose-log")
        .or_else(|| named("tmt-log"))
        .or_else(|| named("tmt-discover-log"));
    if let Some(i) = tmt {
        return FailedStage {
            stage: Stage::Tmt,
            log: Some(i),
        };
    }
    let setup = [
        ("post_artifact_installation", Stage::PostInstallation),
        ("artifact_installation", Stage::ArtifactInstallation),
        ("pre_artifact_installation", Stage::GuestSetup),
    ];
    for (key, stage) in setup {
        if let Some(i) = logs
            .iter()
            .position(|l| l.setup_stage.as_deref() == Some(key))
        {
            return FailedStage {
                stage,
                log: Some(i),
            };
        }
    }
    let stage = match stage {
        Some("created" | "ready" | "guest_provisioning" | "guest_provisioned") => {
            Stage::Provisioning
        }
        Some("guest_setup") => Stage::GuestSetup,
        _ => Stage::Unknown,
    };
    FailedStage { stage, log: None }
}

fn test(c: Node<'_, '_>, links: &Links, names: &mut Names) -> TestCase {
    let name = c.attribute("name").unwrap_or_default().to_string();
    let result = match c.attribute("result") {
        Some(r) => Outcome::of(r),
        None if child(c, "error").is_some() => Outcome::Error,
        None if child(c, "failure").is_some() => Outcome::Failed,
        None if child(c, "skipped").is_some() => Outcome::Skipped,
        None => Outcome::Undefined,
    };
    let logs = logs(c, links, &mut |url, log| {
        names.name(url, "test", &[&name, log])
    });
    let rank = |l: &Log| match l.name.as_str() {
        "testout.log" => Some(0),
        n if n.contains("-str_") => Some(1),
        "ansible-output.txt" => Some(2),
        "pipeline.log" => Some(3),
        _ => None,
    };
    let output = logs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| rank(l).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i);
    let log_dir = logs
        .iter()
        .find(|l| l.name == "log_dir")
        .map(|l| l.url.clone());
    let mut notes: Vec<String> = children(c, "note")
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    notes.extend(attr(c, "note"));
    TestCase {
        duration: c.attribute("time").and_then(seconds),
        serial: c
            .attribute("serial-number")
            .and_then(|s| s.trim().parse().ok()),
        guest: child(c, "guest").and_then(|g| attr(g, "name")),
        environment: environment(c),
        name,
        result,
        notes,
        logs,
        output,
        log_dir,
    }
}

/// Whole seconds of a `time` attribute (`22`, `12.5`); nonsense is no duration.
fn seconds(s: &str) -> Option<u64> {
    let v: f64 = s.trim().parse().ok()?;
    (v.is_finite() && (0.0..1e9).contains(&v)).then(|| v.round() as u64)
}
