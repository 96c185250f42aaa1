//! Upstream projects and the events that trigger pipelines: project properties
//! (chroots, tests), the trigger and project-info blocks, and the per-PR and
//! per-branch sub-lists of a project (`projects/<forge>/<ns>/<repo>/prs`, `/branches`).

use serde_json::{Map, Value, json};

use super::shared::{Ctx, RefSet, Trig, tf_enum_str};
use super::vocab::CHROOT_POOL;
use super::{COPR, DASHBOARD, Gen, KOJI, P_CHROOTS, P_PROJECT, TF};
use crate::demo::catalog::ANITYA;
use crate::demo::rng::Rng;

impl Gen<'_> {
    pub(super) fn project_chroots(&self, p: usize) -> Vec<&'static str> {
        let mut r = Rng::new(self.spec.seed, p as u64, P_CHROOTS);
        let n = r.range(1, 4) as usize;
        let mut pool: Vec<&'static str> = CHROOT_POOL.to_vec();
        let mut out = vec!["fedora-rawhide-x86_64"];
        for _ in 0..n {
            let k = r.below(pool.len() as u64) as usize;
            out.push(pool.remove(k));
        }
        out
    }

    pub(super) fn project_tests(&self, p: usize) -> usize {
        let mut r = Rng::new(self.spec.seed, p as u64, P_PROJECT);
        if r.chance(0.7) {
            r.range(1, 3) as usize
        } else {
            0
        }
    }

    pub(super) fn info_block(
        &self,
        git: Option<usize>,
        anitya: Option<usize>,
        trig: &Trig,
    ) -> Map<String, Value> {
        let mut m = Map::new();
        if git.is_none() && anitya.is_none() {
            return m;
        }
        m.insert("pr_id".into(), trig.pr_id());
        m.insert("issue_id".into(), trig.issue_id());
        m.insert("branch_name".into(), trig.branch_name());
        m.insert("release".into(), trig.release());
        m.insert("anitya_version".into(), trig.anitya_version());
        self.project_info(git, anitya, &mut m);
        m
    }

    /// `get_project_info`: the seven project keys (all null for no project).
    pub(super) fn project_info(
        &self,
        git: Option<usize>,
        anitya: Option<usize>,
        m: &mut Map<String, Value>,
    ) {
        let (mut ns, mut name, mut url) = (Value::Null, Value::Null, Value::Null);
        let (mut aid, mut aname, mut apkg) = (Value::Null, Value::Null, Value::Null);
        if let Some(p) = git {
            let p = &self.projects[p];
            ns = json!(p.namespace);
            name = json!(p.repo);
            url = json!(p.url());
        } else if let Some(a) = anitya {
            let a = &ANITYA[a];
            aid = json!(a.id);
            aname = json!(a.name);
            apkg = json!(a.package);
            url = json!(format!("https://release-monitoring.org/project/{}", a.id));
        }
        m.insert("repo_namespace".into(), ns);
        m.insert("repo_name".into(), name);
        m.insert("project_url".into(), url);
        m.insert("anitya_project_id".into(), aid);
        m.insert("anitya_project_name".into(), aname);
        m.insert("anitya_package".into(), apkg);
        m.insert(
            "non_git_upstream".into(),
            json!(anitya.is_some() && git.is_none()),
        );
    }

    /// `project_url`, `repo_namespace`, `repo_name` added to some list items when a git project exists.
    pub(super) fn add_project_keys(&self, c: &Ctx, v: &mut Value) {
        if let (Some(p), Value::Object(m)) = (c.git, v) {
            let p = &self.projects[p];
            m.insert("project_url".into(), json!(p.url()));
            m.insert("repo_namespace".into(), json!(p.namespace));
            m.insert("repo_name".into(), json!(p.repo));
        }
    }

    pub(super) fn refs(&mut self, c: &Ctx) -> Option<&mut RefSet> {
        let p = c.git?;
        match &c.trig {
            Trig::Pr(n) => Some(self.pr_refs.entry((p, *n)).or_default()),
            Trig::Branch(b) => Some(self.branch_refs.entry((p, b.clone())).or_default()),
            _ => None,
        }
    }

    pub(super) fn sub_endpoint(&self, p: usize, what: &str) -> String {
        let p = &self.projects[p];
        format!("projects/{}/{}/{}/{what}", p.forge, p.namespace, p.repo)
    }

    pub(super) fn flush_prs(&mut self) {
        let prs = std::mem::take(&mut self.pr_refs);
        for ((p, pr), set) in prs {
            let ep = self.sub_endpoint(p, "prs");
            let mut item = self.refset_json(&set, true);
            if let Value::Object(m) = &mut item {
                m.insert("pr_id".into(), json!(pr));
            }
            self.emit_list(&ep, item);
        }
    }

    pub(super) fn refset_json(&self, set: &RefSet, pr: bool) -> Value {
        let builds: Vec<Value> = set
            .copr
            .iter()
            .map(|r| json!({"build_id": r.ext.to_string(), "chroot": r.chroot, "status": r.status, "web_url": format!("{COPR}/coprs/build/{}/", r.ext)}))
            .collect();
        let koji: Vec<Value> = set
            .koji
            .iter()
            .map(|r| json!({"task_id": r.ext.to_string(), "chroot": r.chroot, "status": r.status, "web_url": format!("{KOJI}{}", r.ext)}))
            .collect();
        let srpm: Vec<Value> = set
            .srpm
            .iter()
            .map(|(id, s)| json!({"srpm_build_id": id, "status": s, "log_url": format!("{DASHBOARD}/jobs/srpm/{id}")}))
            .collect();
        let tests: Vec<Value> = set
            .tests
            .iter()
            .map(|r| {
                let uuid = (r.status != "new").then(|| self.tf_uuid(r.ext as i64));
                let status = if pr { tf_enum_str(r.status) } else { r.status.to_string() };
                json!({"pipeline_id": uuid, "chroot": r.chroot, "status": status, "web_url": uuid.as_ref().map(|u| format!("{TF}/{u}"))})
            })
            .collect();
        json!({"builds": builds, "koji_builds": koji, "srpm_builds": srpm, "tests": tests})
    }
}
