//! Status vocabularies and the fixed pools of targets and branches, with the
//! pick of a final status and the dist tags derived from targets.

use super::Gen;
use crate::demo::TF_STATUSES;
use crate::demo::rng::Rng;

pub(super) const CHROOT_POOL: &[&str] = &[
    "fedora-43-x86_64",
    "fedora-42-x86_64",
    "fedora-rawhide-aarch64",
    "fedora-42-aarch64",
    "epel-9-x86_64",
    "epel-10-x86_64",
    "centos-stream-10-x86_64",
    "centos-stream-9-x86_64",
    "fedora-rawhide-s390x",
    "fedora-rawhide-ppc64le",
];
pub(super) const KOJI_TARGETS: &[&str] = &["rawhide", "f43", "epel10"];
pub(super) const DIST_GIT_BRANCHES: &[&str] = &["rawhide", "f43", "f42", "epel10", "epel9"];
pub(super) const BODHI_BRANCHES: &[&str] = &["f43", "f42", "epel10", "epel9"];
pub(super) const UPSTREAM_BRANCHES: &[&str] = &[
    "main",
    "main",
    "main",
    "main",
    "stable",
    "release-1.x",
    "devel",
    "main",
    "rhel-10",
    "feature/ci",
];
pub(super) const VM_TARGETS: &[&str] = &[
    "fedora-43-x86_64",
    "fedora-43-aarch64",
    "fedora-rawhide-x86_64",
    "fedora-rawhide-aarch64",
];

/// A status vocabulary: the usual final value, the other final values, the failure rate.
pub(super) struct Vocab {
    ok: &'static str,
    fail: &'static [&'static str],
    rate: f64,
}

pub(super) const V_BUILD: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry"],
    rate: 0.08,
};
pub(super) const V_SRPM: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry"],
    rate: 0.04,
};
pub(super) const V_KOJI: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry", "skipped"],
    rate: 0.1,
};
pub(super) const V_TF: Vocab = Vocab {
    ok: "passed",
    // every final value but `passed`: the tail of the public vocabulary
    fail: TF_STATUSES.split_at(4).1,
    rate: 0.12,
};
pub(super) const V_SYNC: Vocab = Vocab {
    ok: "submitted",
    fail: &["error", "retry", "skipped"],
    rate: 0.1,
};
pub(super) const V_BODHI: Vocab = Vocab {
    ok: "success",
    fail: &["error", "retry", "skipped"],
    rate: 0.1,
};
pub(super) const V_VM: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error"],
    rate: 0.1,
};
pub(super) const V_OSH: Vocab = Vocab {
    ok: "succeeded",
    fail: &["failed", "canceled"],
    rate: 0.08,
};
pub(super) const V_LD: Vocab = Vocab {
    ok: "complete",
    fail: &["unknown", "error"],
    rate: 0.1,
};

pub(super) fn dist_tag(target: &str) -> String {
    if let Some(n) = target.strip_prefix("epel") {
        format!("el{n}")
    } else if let Some(n) = target.strip_prefix('f') {
        format!("fc{n}")
    } else {
        "fc44".to_string()
    }
}

pub(super) fn chroot_dist(chroot: &str) -> &'static str {
    if chroot.contains("rawhide") {
        "fc44"
    } else if chroot.contains("fedora-43") {
        "fc43"
    } else if chroot.contains("fedora-42") {
        "fc42"
    } else if chroot.contains("epel-9") || chroot.contains("stream-9") {
        "el9"
    } else {
        "el10"
    }
}

pub(super) fn chroot_arch(chroot: &str) -> &str {
    chroot.rsplit('-').next().unwrap_or("x86_64")
}

impl Gen<'_> {
    /// A final status: failure values cycle every 48 pipelines so all values appear.
    pub(super) fn pick_final(
        &self,
        v: &Vocab,
        r: &mut Rng,
        i: u64,
        salt: u64,
        j: usize,
    ) -> &'static str {
        let draw = r.next_u64();
        if (i / 6) % 8 == 7 {
            let k = ((i / 48) * 7 + salt * 3 + j as u64) as usize % v.fail.len();
            return v.fail[k];
        }
        if (draw >> 11) as f64 / (1u64 << 53) as f64 <= v.rate {
            v.fail[(draw % v.fail.len() as u64) as usize]
        } else {
            v.ok
        }
    }
}
