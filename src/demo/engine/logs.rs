//! Free texts: the SRPM and sync-release logs, and the hostile suffix some error
//! messages get in hostile data sets.

use serde_json::{Value, json};

use super::shared::Ctx;
use super::{Gen, HUGE_LEN};
use crate::demo::catalog;

impl Gen<'_> {
    pub(super) fn hostile_suffix(&self, i: u64) -> String {
        if self.spec.hostile && i.is_multiple_of(3) {
            let h = [
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_QUOTES,
                catalog::HOSTILE_TRAVERSAL,
                catalog::HOSTILE_CONTROL,
                catalog::HOSTILE_RTL,
            ];
            format!(" {}", h[(i / 3) as usize % h.len()])
        } else {
            String::new()
        }
    }

    pub(super) fn srpm_log(&self, c: &Ctx, status: &str, nvr: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "2025-11-01 00:00:00.000 packit.utils.commands DEBUG   Running command: git clone {}\n",
            c.info
                .get("project_url")
                .and_then(Value::as_str)
                .unwrap_or("<unknown>")
        ));
        s.push_str(&format!("Checking out {}\n", c.sha));
        s.push_str("Running 'rpmbuild -bs' in the upstream repository.\n");
        s.push_str("setting SOURCE_DATE_EPOCH=1761955200\n");
        if status == "success" || status == "pending" {
            s.push_str(&format!(
                "Wrote: /builddir/build/SRPMS/{nvr}.src.rpm\nSRPM build finished.\n"
            ));
        } else {
            s.push_str(
                "error: Bad source: /builddir/build/SOURCES/missing.tar.gz: No such file or directory\n",
            );
            s.push_str(&format!("SRPM build failed: {status}\n"));
        }
        if self.spec.hostile && c.index.is_multiple_of(5) {
            s.push_str(&format!("hostile:{}\n", self.hostile_suffix(0)));
            s.push_str(&format!(
                "{} {} {}\n",
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_CONTROL,
                catalog::HOSTILE_RTL
            ));
        }
        s
    }

    pub(super) fn sync_logs(&self, c: &Ctx, branch: &str, status: &str, j: usize) -> Value {
        if status == "queued" {
            return Value::Null;
        }
        if self.spec.hostile && c.index == 4 && j == 0 {
            let line = format!(
                "{} {} {}\n",
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_TRAVERSAL,
                catalog::HOSTILE_RTL
            );
            let mut s = String::with_capacity(HUGE_LEN + line.len());
            while s.len() + line.len() <= HUGE_LEN {
                s.push_str(&line);
            }
            while s.len() < HUGE_LEN {
                s.push('x');
            }
            return json!(s);
        }
        let mut s = String::new();
        s.push_str(&format!(
            "\u{1b}[32m INFO\u{1b}[0m Syncing release {} to {branch}\n",
            c.version
        ));
        s.push_str(&format!(
            "\u{1b}[32m INFO\u{1b}[0m Cloning https://src.fedoraproject.org/rpms/{}.git\n",
            c.package
        ));
        s.push_str("\u{1b}[36mDEBUG\u{1b}[0m Running: fedpkg new-sources\n");
        match status {
            "error" => {
                s.push_str(&format!("\u{1b}[31mERROR\u{1b}[0m Failed to upload sources to the lookaside cache: 503 Service Unavailable{}\n", self.hostile_suffix(c.index)));
                s.push_str("\u{1b}[31mERROR\u{1b}[0m packit.exceptions.PackitException: Propose downstream failed\n");
            }
            "retry" => s.push_str(
                "\u{1b}[33m WARN\u{1b}[0m Pagure API timed out, the task will be retried\n",
            ),
            "skipped" => s.push_str(
                "\u{1b}[33m WARN\u{1b}[0m Branch already contains the release, skipping\n",
            ),
            "running" => s.push_str("\u{1b}[32m INFO\u{1b}[0m Creating the pull request...\n"),
            _ => s.push_str("\u{1b}[32m INFO\u{1b}[0m Pull request created.\n"),
        }
        json!(s)
    }
}
