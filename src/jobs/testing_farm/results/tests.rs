//! Every variant of `tests/fixtures/testing-farm/` read into its model, with what
//! is archived of it and the first error lines of its logs.

use super::*;

/// The artifacts root the fixtures' relative links resolve under.
const WEB: &str = "https://artifacts.dev.testing-farm.io/7d6a6cbf-3cd5-49fb-aca1-f76ffa0734aa";

pub(super) fn fixture(path: &str) -> String {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/testing-farm/");
    std::fs::read_to_string(format!("{p}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(variant: &str) -> Results {
    parse(fixture(&format!("{variant}/results.xml")).as_bytes(), WEB)
        .unwrap_or_else(|e| panic!("{variant}: {e}"))
}

fn url(rel: &str) -> String {
    format!("{WEB}/{rel}")
}

/// (name, role) of what is archived of a run.
fn plan_of(r: &Results) -> Vec<(String, Role)> {
    fetch_plan(WEB, Known::Read(r))
        .into_iter()
        .map(|a| {
            assert!(a.url.starts_with("https://artifacts.dev.testing-farm.io/"));
            (a.name, a.role)
        })
        .collect()
}

fn names(list: &[(&str, Role)]) -> Vec<(String, Role)> {
    list.iter().map(|(n, r)| (n.to_string(), *r)).collect()
}

fn results() -> (String, Role) {
    ("results.xml".into(), Role::Results)
}

#[test]
fn tmt_pass() {
    let r = read("tmt-single-pass");
    assert_eq!(r.overall, Outcome::Passed);
    let p = &r.plans[0];
    assert_eq!(
        (p.name.as_str(), &p.result),
        ("/plans/all", &Outcome::Passed)
    );
    assert_eq!(p.reproducer, Some(url("work-allw5U7yu/tmt-reproducer.sh")));
    assert_eq!(p.workdir, Some(url("work-allw5U7yu")));
    assert_eq!(p.failed_stage, None);
    let t = &p.tests[0];
    assert_eq!((t.name.as_str(), &t.result), ("/tests", &Outcome::Passed));
    assert_eq!(t.notes, vec!["original result: fail".to_string()]);
    let env = &t.environment;
    assert_eq!(
        (env.arch.as_deref(), env.compose.as_deref()),
        (Some("x86_64"), Some("Fedora-37"))
    );
    assert_eq!(p.environment, t.environment);
    let out = t.output_log().unwrap();
    assert_eq!(
        out.url,
        url("work-allw5U7yu/plans/all/execute/data/tests/output.txt")
    );
    assert_eq!(out.archive_name, "test-tests-testout.log");
    assert_eq!(
        t.log_dir,
        Some(url("work-allw5U7yu/plans/all/execute/data/tests"))
    );
    // a passed run keeps its results.xml only
    assert_eq!(plan_of(&r), vec![results()]);
    assert_eq!(r.failures().count(), 0);
}

#[test]
fn tmt_fail_with_notes_checks_and_subresults() {
    let r = read("tmt-single-fail");
    assert_eq!(r.overall, Outcome::Failed);
    let t = &r.plans[0].tests[0];
    assert_eq!(t.result, Outcome::Failed);
    assert_eq!(
        t.notes,
        vec![
            "check 'dmesg' failed".to_string(),
            "original test result: pass".to_string()
        ]
    );
    // the logs of checks and subresults are not the test's own
    assert_eq!(t.logs.len(), 2);
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-tests-testout.log", Role::TestOutput)
        ])
    );
}

#[test]
fn two_failed_tests_sharing_one_output_fetch_it_once() {
    let r = read("tmt-2-fails");
    let failed: Vec<&str> = r.failures().map(|(_, t)| t.name.as_str()).collect();
    assert_eq!(failed, ["/tests1", "/tests2"]);
    let outs: Vec<&str> = r
        .failures()
        .map(|(_, t)| t.output_log().unwrap().archive_name.as_str())
        .collect();
    assert_eq!(outs, ["test-tests1-testout.log", "test-tests1-testout.log"]);
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-tests1-testout.log", Role::TestOutput)
        ])
    );
    let text = fixture("tmt-2-fails/work-allw5U7yu/plans/all/execute/data/tests/output.txt");
    let got: Vec<usize> = output_errors(&text).iter().map(|l| l.0).collect();
    assert_eq!(got, [22, 26, 27]);
    // the rule is the one the failure box's `first_errors` would take
    assert_eq!(
        crate::jobs::picked_lines(&text, output_error),
        output_errors(&text)
    );
    assert!(
        output_errors(&text)[0]
            .1
            .starts_with("E       AssertionError")
    );
}

#[test]
fn passed_failed_errored_and_pending_tests_with_durations() {
    let r = read("gluetool-error");
    let tests = &r.plans[0].tests;
    let got: Vec<(&str, &Outcome, Option<u64>, Option<u32>)> = tests
        .iter()
        .map(|t| (t.name.as_str(), &t.result, t.duration, t.serial))
        .collect();
    assert_eq!(
        got,
        [
            ("/install", &Outcome::Passed, Some(5025), Some(1)),
            ("/update", &Outcome::Failed, Some(5025), Some(2)),
            ("/remove", &Outcome::Error, None, Some(3)),
            ("/todo", &Outcome::Pending, None, Some(4)),
        ]
    );
    assert_eq!(tests[0].guest.as_deref(), Some("default-0"));
    // the provisioned environment names no arch: the requested one is not mixed in
    assert_eq!(
        tests[0].environment.compose.as_deref(),
        Some("guest-compose")
    );
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-update-testout.log", Role::TestOutput),
            ("test-remove-testout.log", Role::TestOutput),
        ])
    );
    assert_eq!(
        r.plans[0].tests[1].output_log().unwrap().url,
        url("work-errorXq3u7e/error/execute/logs/update/out.log")
    );
}

#[test]
fn info_is_a_pass_and_warn_a_failure() {
    let r = read("tmt-single-info");
    assert_eq!(r.overall, Outcome::Info);
    assert_eq!(r.plans[0].tests[0].result, Outcome::Info);
    assert_eq!(plan_of(&r), vec![results()]);

    let r = read("tmt-warn");
    let t = &r.plans[0].tests[0];
    assert_eq!((&t.result, t.result.label()), (&Outcome::Warn, "warn"));
    assert_eq!(t.duration, Some(75));
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-tests-cleanup-testout.log", Role::TestOutput)
        ])
    );
    let text = fixture("tmt-warn/work-allw5U7yu/plans/all/execute/data/tests/cleanup/output.txt");
    let got: Vec<usize> = output_errors(&text).iter().map(|l| l.0).collect();
    assert_eq!(got, [20]);
}

#[test]
fn skipped_tests_are_not_applicable() {
    let r = read("gluetool-skipped");
    let t = &r.plans[0].tests;
    assert_eq!(t[0].result, Outcome::NotApplicable);
    assert_eq!(t[0].result.label(), "not applicable");
    assert_eq!(t[1].notes, vec!["original result: fail".to_string()]);
    assert_eq!(plan_of(&r), vec![results()]);
}

#[test]
fn a_running_request_has_pending_tests_and_no_failed_stage() {
    let r = read("tmt-inprogress-pending");
    assert_eq!(r.overall, Outcome::Undefined);
    let p = &r.plans[0];
    assert_eq!(p.stage.as_deref(), Some("guest_provisioning"));
    assert_eq!(p.failed_stage, None);
    let serials: Vec<Option<u32>> = p.tests.iter().map(|t| t.serial).collect();
    assert_eq!(serials, [Some(1), Some(2), Some(3)]);
    assert!(p.tests.iter().all(|t| t.result == Outcome::Pending));
    assert_eq!(p.environment.compose.as_deref(), Some("Fedora-Rawhide"));
}

#[test]
fn several_plans() {
    let r = read("tmt-mixed");
    let plans: Vec<(&str, &Outcome, usize)> = r
        .plans
        .iter()
        .map(|p| (p.name.as_str(), &p.result, p.tests.len()))
        .collect();
    assert_eq!(
        plans,
        [
            ("/plans/features/basic", &Outcome::Failed, 5),
            ("/plans/integration", &Outcome::Passed, 2),
            ("/plans/sanity/lint", &Outcome::Passed, 2),
        ]
    );
    let failed: Vec<(&str, &str)> = r
        .failures()
        .map(|(p, t)| (p.name.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        failed,
        [("/plans/features/basic", "/tests/discover/distgit")]
    );
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-tests-discover-distgit-testout.log", Role::TestOutput)
        ])
    );
    let text = fixture(
        "tmt-mixed/work-basic_WExhR/plans/features/basic/execute/data/tests/discover/distgit/output.txt",
    );
    let got: Vec<usize> = output_errors(&text).iter().map(|l| l.0).collect();
    assert_eq!(got, [21, 22, 23]);
    assert!(
        output_errors(&text)[0]
            .1
            .starts_with("    fail: Failed to fetch")
    );
}

#[test]
fn multihost_tests_name_their_guest() {
    let r = read("tmt-multihost-pass");
    let p = &r.plans[0];
    assert_eq!(p.tests.len(), 5);
    let b: Vec<(Option<&str>, Option<&str>, Option<&str>)> = p
        .tests
        .iter()
        .filter(|t| t.name == "/tests/testing-farm/tests/multihost/B")
        .map(|t| {
            (
                t.guest.as_deref(),
                t.environment.arch.as_deref(),
                t.environment.compose.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        b,
        [
            (Some("server"), Some("x86_64"), Some("Fedora-Rawhide")),
            (Some("client"), Some("aarch64"), Some("Fedora-40")),
        ]
    );
    // the same test on two guests: two outputs, two names
    let outs: Vec<&str> = p
        .tests
        .iter()
        .filter_map(|t| t.output_log())
        .map(|l| l.archive_name.as_str())
        .collect();
    let unique: std::collections::HashSet<&&str> = outs.iter().collect();
    assert_eq!(unique.len(), 5);
    assert_eq!(plan_of(&r), vec![results()]);
}

#[test]
fn sti_results() {
    let r = read("sti-fail");
    let t = &r.plans[0].tests[0];
    assert_eq!((t.name.as_str(), &t.result), ("ansible", &Outcome::Failed));
    assert_eq!(t.output_log().unwrap().name, "ansible-output.txt");
    assert_eq!(t.environment.compose.as_deref(), Some("CentOS-Stream-9"));
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("test-ansible-ansible-output.txt", Role::TestOutput)
        ])
    );

    let r = read("sti-pass");
    let t = &r.plans[0].tests[0];
    assert_eq!(t.result, Outcome::Passed);
    assert_eq!(
        t.output_log().unwrap().name,
        "PASS-str_pyproject_rpm_macros.log"
    );
}

#[test]
fn an_uninstallable_build_fails_the_artifact_installation() {
    for (variant, files) in [("tmt-failed-install", 7), ("copr-install-error", 2)] {
        let r = read(variant);
        assert_eq!(r.overall, Outcome::Error);
        let p = &r.plans[0];
        let f = p.failed_stage.unwrap();
        assert_eq!(f.stage, Stage::ArtifactInstallation, "{variant}");
        assert_eq!(f.stage.label(), "artifact installation");
        let log = &p.logs[f.log.unwrap()];
        assert_eq!(log.setup_stage.as_deref(), Some("artifact_installation"));
        let plan = fetch_plan(WEB, Known::Read(&r));
        assert_eq!(plan.len(), 2, "{variant}");
        assert_eq!(plan[1].role, Role::Listing);
        assert_eq!(plan[1].url, log.url);
        let dir = &log.url[log.url.find("guest-setup-").unwrap()..];
        let html = fixture(&format!("{variant}/{dir}/index.html"));
        let listed = listing(WEB, &plan[1], &html);
        assert_eq!(listed.len(), files, "{variant}");
        let last = listed.last().unwrap();
        assert!(
            last.url.starts_with(&format!("{}/", log.url)),
            "{}",
            last.url
        );
        assert!(last.name.starts_with(&plan[1].name), "{}", last.name);
        assert_eq!(last.role, Role::StageLog);
    }
    let r = read("copr-install-error");
    let p = &r.plans[0];
    assert_eq!(
        p.logs[p.failed_stage.unwrap().log.unwrap()].archive_name,
        "stage-plans-upstream-artifact_installation"
    );
    let dir = "copr-install-error/guest-setup-4e2b8c1d-9a7f-4d3e-b6c5-0f1e2d3c4b5a/artifact-installation-4e2b8c1d-9a7f-4d3e-b6c5-0f1e2d3c4b5a";
    let got = output_errors(&fixture(&format!("{dir}/1-Install-packages.txt")));
    let lines: Vec<usize> = got.iter().map(|l| l.0).collect();
    assert_eq!(lines, [16, 17]);
    assert!(got[0].1.starts_with("No match for argument: python3-ogr"));
    let dir = "tmt-failed-install/guest-setup-2f53d6d4-ef46-42af-a3d1-c87db9490f27/artifact-installation-2f53d6d4-ef46-42af-a3d1-c87db9490f27";
    let got = output_errors(&fixture(&format!("{dir}/5-Install-packages.txt")));
    let texts: Vec<&str> = got.iter().map(|l| l.1.trim()).collect();
    assert_eq!(
        texts,
        [
            "Error:",
            "Problem: conflicting requests",
            "- nothing provides pkgconfig(binutils-devel) needed by annobin-libannocheck-10.87-2.fc38.x86_64"
        ]
    );
}

#[test]
fn a_failed_tmt_prepare_points_at_tmts_log() {
    let r = read("tmt-failed-prepare");
    let p = &r.plans[0];
    assert_eq!(p.name, "CentOS-Stream-8:x86_64:/plans/features/advanced");
    let f = p.failed_stage.unwrap();
    assert_eq!(f.stage, Stage::Tmt);
    let log = &p.logs[f.log.unwrap()];
    assert_eq!(log.url, url("work-advancedlnc1jou2/tmt-run.log"));
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            (log.archive_name.as_str(), Role::StageLog)
        ])
    );
    let got = output_errors(&fixture(
        "tmt-failed-prepare/work-advancedlnc1jou2/tmt-run.log",
    ));
    assert!(
        got[0].1.trim().starts_with("fail: Command 'rpm -q"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|l| l.1.trim() == "Error: Unable to find a match: tmt-all")
    );
}

#[test]
fn a_failed_guest_setup_or_provisioning() {
    let r = read("guest-setup-error");
    let p = &r.plans[0];
    let f = p.failed_stage.unwrap();
    assert_eq!(f.stage, Stage::GuestSetup);
    assert_eq!(p.environment.arch.as_deref(), Some("aarch64"));
    let plan = fetch_plan(WEB, Known::Read(&r));
    assert_eq!(plan[1].role, Role::StageLog);
    assert!(
        plan[1]
            .url
            .ends_with("guest-setup-output-pre-artifact-installation.txt")
    );
    let got = output_errors(&fixture(
        "guest-setup-error/guest-setup-6a0d3c1e-2b7f-4c55-8e9a-1f4d2c6b7a30/guest-setup-output-pre-artifact-installation.txt",
    ));
    assert_eq!(got.len(), 1);
    assert!(got[0].1.starts_with("fatal: [default-0]: FAILED!"));

    let r = read("provisioning-error");
    let f = r.plans[0].failed_stage.unwrap();
    assert_eq!((f.stage, f.log), (Stage::Provisioning, None));
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("pipeline.log", Role::Pipeline)
        ])
    );
    let got: Vec<usize> = output_errors(&fixture("provisioning-error/pipeline.log"))
        .iter()
        .map(|l| l.0)
        .collect();
    assert_eq!(got, [3, 4]);

    // errored, its tests never ran, and nothing says where: pipeline.log tells
    let r = read("tmt-error-pending");
    let f = r.plans[0].failed_stage.unwrap();
    assert_eq!((f.stage, f.log), (Stage::Unknown, None));
    assert_eq!(plan_of(&r).last().unwrap().0, "pipeline.log");
}

#[test]
fn an_error_testing_farm_writes_itself_names_pipeline_log_once() {
    let r = read("tf-synthetic-error");
    let t = &r.plans[0].tests[0];
    assert_eq!((t.name.as_str(), &t.result), ("failure", &Outcome::Error));
    assert_eq!(
        plan_of(&r),
        names(&[
            ("results.xml", Role::Results),
            ("pipeline.log", Role::Pipeline)
        ])
    );
    let r = read("tf-error-show-passed");
    assert_eq!(r.overall, Outcome::Error);
    assert_eq!(r.plans[0].tests[0].result, Outcome::Passed);
    assert_eq!(plan_of(&r).len(), 2);
}

#[test]
fn no_results_xml_yet() {
    let plan = fetch_plan(WEB, Known::NotFetched);
    assert_eq!(
        plan.iter().map(|a| (&*a.url, a.role)).collect::<Vec<_>>(),
        [(&*url("results.xml"), Role::Results)]
    );
    let plan = fetch_plan(&format!("{WEB}/"), Known::Missing);
    assert_eq!(
        plan.iter().map(|a| (&*a.url, a.role)).collect::<Vec<_>>(),
        [
            (&*url("results.xml"), Role::Results),
            (&*url("pipeline.log"), Role::Pipeline)
        ]
    );
    let log = fixture("inprogress-no-results-xml/pipeline.log");
    assert_eq!(output_errors(&log).len(), 0);
}
