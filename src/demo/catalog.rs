//! The fixed catalogue of synthetic projects (git forges and Anitya) and the hostile strings.

/// One git project as Packit stores it (`GitProjectModel`).
#[derive(Debug, Clone)]
pub(crate) struct GitProject {
    /// Forge host name: `github.com`, `gitlab.com` or `src.fedoraproject.org`.
    pub forge: &'static str,
    pub namespace: String,
    pub repo: String,
    /// RPM package name (used for NVRs, Copr project and dist-git links).
    pub package: String,
    /// A dist-git repository (`src.fedoraproject.org/rpms/*`).
    pub downstream: bool,
    /// Release tags carry a `v` prefix.
    pub v_prefix: bool,
}

impl GitProject {
    /// A project without a `v` tag prefix; a dist-git one when on `src.fedoraproject.org`.
    fn new(forge: &'static str, namespace: &str, repo: &str, package: &str) -> GitProject {
        GitProject {
            forge,
            namespace: namespace.to_string(),
            repo: repo.to_string(),
            package: package.to_string(),
            downstream: forge == "src.fedoraproject.org",
            v_prefix: false,
        }
    }

    /// `https://<forge>/<namespace>/<repo>`.
    pub fn url(&self) -> String {
        format!("https://{}/{}/{}", self.forge, self.namespace, self.repo)
    }
}

/// One Anitya (release-monitoring.org) project, a non-git upstream.
#[derive(Debug, Clone)]
pub(crate) struct AnityaProject {
    pub id: i64,
    pub name: &'static str,
    pub package: &'static str,
}

/// The Anitya projects used by pull-from-upstream.
pub(crate) const ANITYA: &[AnityaProject] = &[
    AnityaProject {
        id: 4064,
        name: "requests",
        package: "python-requests",
    },
    AnityaProject {
        id: 1315,
        name: "htop",
        package: "htop",
    },
    AnityaProject {
        id: 381,
        name: "curl",
        package: "curl",
    },
    AnityaProject {
        id: 12_970,
        name: "fzf",
        package: "fzf",
    },
];

/// The named catalogue projects: (forge, namespace, repo, package).
#[rustfmt::skip]
const BASE: &[(&str, &str, &str, &str)] = &[
    ("github.com",            "packit",                   "ogr",                  "python-ogr"),
    ("github.com",            "packit",                   "packit",               "packit"),
    ("src.fedoraproject.org", "rpms",                     "python-ogr",           "python-ogr"),
    ("github.com",            "packit",                   "specfile",             "python-specfile"),
    ("github.com",            "systemd",                  "systemd",              "systemd"),
    ("github.com",            "containers",               "podman",               "podman"),
    ("github.com",            "containers",               "buildah",              "buildah"),
    ("gitlab.com",            "redhat/centos-stream/src", "dnf",                  "dnf"),
    ("src.fedoraproject.org", "rpms",                     "packit",               "packit"),
    ("github.com",            "cockpit-project",          "cockpit",              "cockpit"),
    ("github.com",            "containers",               "crun",                 "crun"),
    ("github.com",            "rpm-software-management",  "dnf",                  "dnf"),
    ("github.com",            "rpm-software-management",  "rpmlint",              "rpmlint"),
    ("gitlab.com",            "libvirt",                  "libvirt",              "libvirt"),
    ("src.fedoraproject.org", "rpms",                     "podman",               "podman"),
    ("github.com",            "teemtee",                  "fmf",                  "python-fmf"),
    ("github.com",            "teemtee",                  "tmt",                  "tmt"),
    ("github.com",            "fedora-infra",             "bodhi",                "bodhi"),
    ("github.com",            "rhinstaller",              "anaconda",             "anaconda"),
    ("gitlab.com",            "cki-project",              "kernel-ark",           "kernel"),
    ("src.fedoraproject.org", "rpms",                     "tmt",                  "tmt"),
    ("github.com",            "OpenSCAP",                 "openscap",             "openscap"),
    ("github.com",            "osbuild",                  "osbuild",              "osbuild"),
    ("github.com",            "osbuild",                  "osbuild-composer",     "osbuild-composer"),
    ("github.com",            "keylime",                  "keylime",              "keylime"),
    ("gitlab.com",            "redhat/centos-stream/src", "bash",                 "bash"),
    ("src.fedoraproject.org", "rpms",                     "python-specfile",      "python-specfile"),
    ("github.com",            "ComplianceAsCode",         "content",              "scap-security-guide"),
    ("github.com",            "storaged-project",         "udisks",               "udisks2"),
    ("github.com",            "linux-system-roles",       "network",              "linux-system-roles"),
    ("github.com",            "python-distro",            "distro",               "python-distro"),
    ("gitlab.com",            "packit-service",           "hello-world",          "hello-world"),
    ("src.fedoraproject.org", "rpms",                     "crun",                 "crun"),
    ("github.com",            "candlepin",                "subscription-manager", "subscription-manager"),
    ("github.com",            "rpm-software-management",  "libdnf",               "libdnf"),
    ("github.com",            "containers",               "toolbox",              "toolbox"),
    ("src.fedoraproject.org", "rpms",                     "buildah",              "buildah"),
    ("gitlab.com",            "fedora/infra",             "fedora-messaging",     "python-fedora-messaging"),
    ("src.fedoraproject.org", "rpms",                     "python-requests",      "python-requests"),
    ("src.fedoraproject.org", "rpms",                     "htop",                 "htop"),
];

const EXTRA_NS: &[&str] = &[
    "fedora-python",
    "sclorg",
    "ansible",
    "rhel-lightspeed",
    "copr",
    "abrt",
    "cockpit-project",
    "oamg",
    "fedora-iot",
    "RedHatQE",
    "networkmanager",
    "stratis-storage",
];
const EXTRA_REPO: &[&str] = &[
    "pyproject-rpm-macros",
    "s2i-base",
    "ansible-lint",
    "command-line-assistant",
    "copr-cli",
    "retrace-server",
    "cockpit-podman",
    "leapp",
    "greenboot",
    "widgetastic",
    "nmstate",
    "stratisd",
    "python-blivet",
    "libbytesize",
    "sssd",
    "tuned",
    "rear",
    "dracut",
];

/// Upper bound of git projects, whatever the data set size.
pub(crate) const MAX_PROJECTS: usize = 400;

/// How many git projects exist once `pipelines` pipelines were generated.
pub(crate) fn projects_available(pipelines: u64) -> usize {
    (40 + (pipelines / 500) as usize).min(MAX_PROJECTS)
}

/// The first `count` catalogue projects (hostile names substituted when asked).
pub(crate) fn git_projects(count: usize, hostile: bool) -> Vec<GitProject> {
    let mut out: Vec<GitProject> = Vec::with_capacity(count);
    let mut seen = std::collections::BTreeSet::new();
    for &(forge, ns, repo, pkg) in BASE {
        seen.insert((forge.to_string(), ns.to_string(), repo.to_string()));
        out.push(GitProject::new(forge, ns, repo, pkg));
    }
    let mut k = 0usize;
    while out.len() < MAX_PROJECTS {
        let repo = EXTRA_REPO[(k + k / EXTRA_REPO.len()) % EXTRA_REPO.len()];
        let (forge, ns) = match k % 5 {
            3 => ("gitlab.com", EXTRA_NS[(k / 5) % EXTRA_NS.len()]),
            4 => ("src.fedoraproject.org", "rpms"),
            _ => ("github.com", EXTRA_NS[k % EXTRA_NS.len()]),
        };
        k += 1;
        if seen.insert((forge.to_string(), ns.to_string(), repo.to_string())) {
            out.push(GitProject::new(forge, ns, repo, repo));
        }
        if k > 100_000 {
            break;
        }
    }
    for (n, p) in out.iter_mut().enumerate() {
        p.v_prefix = rng_bit(n);
    }
    if hostile {
        for &(pos, field, value) in HOSTILE_PROJECTS {
            if let Some(p) = out.get_mut(pos) {
                match field {
                    Field::Namespace => p.namespace = value.to_string(),
                    Field::Repo => p.repo = value.to_string(),
                }
            }
        }
    }
    out.truncate(count);
    out
}

/// The package of the catalogue project at `url` (`https://<forge>/<ns>/<repo>`,
/// hostile names too).
pub(crate) fn package_of(url: &str) -> Option<String> {
    let url = url.trim_end_matches('/').trim_end_matches(".git");
    [false, true]
        .into_iter()
        .flat_map(|hostile| git_projects(MAX_PROJECTS, hostile))
        .find(|p| p.url() == url)
        .map(|p| p.package)
}

fn rng_bit(n: usize) -> bool {
    super::rng::mix(n as u64 ^ 0x7e57) & 1 == 1
}

#[derive(Clone, Copy)]
enum Field {
    Namespace,
    Repo,
}

/// `<script>` injection.
pub const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";
/// Quotes and an already-escaped entity.
pub const HOSTILE_QUOTES: &str = "\"quotes' &amp;";
/// Path traversal.
pub const HOSTILE_TRAVERSAL: &str = "../../etc/passwd";
/// Encoded dot-dot.
pub const HOSTILE_ENCODED_DOTS: &str = "%2e%2e";
/// Control characters (no NUL) including an ANSI escape.
pub const HOSTILE_CONTROL: &str = "ctl\u{1}\u{7}\u{8}\u{1b}[31mred\u{1b}[0m\u{7f}";
/// Right-to-left text, an RTL override and emoji.
pub const HOSTILE_RTL: &str = "\u{5e9}\u{5dc}\u{5d5}\u{5dd}-\u{645}\u{631}\u{62d}\u{628}\u{627}-\u{202e}txt.exe-\u{1f389}\u{1f4a9}-\u{fc}n\u{ef}c\u{f6}d\u{e9}";

const HOSTILE_PROJECTS: &[(usize, Field, &str)] = &[
    (3, Field::Namespace, HOSTILE_SCRIPT),
    (6, Field::Repo, HOSTILE_QUOTES),
    (9, Field::Namespace, HOSTILE_TRAVERSAL),
    (12, Field::Repo, ".."),
    (15, Field::Repo, HOSTILE_ENCODED_DOTS),
    (18, Field::Namespace, HOSTILE_CONTROL),
    (21, Field::Repo, HOSTILE_RTL),
    (24, Field::Repo, "name/with/slashes"),
    (26, Field::Repo, HOSTILE_SCRIPT),
];

/// Hostile branch names, used instead of the last ordinary branch choice.
pub(crate) const HOSTILE_BRANCHES: &[&str] = &[
    HOSTILE_SCRIPT,
    HOSTILE_TRAVERSAL,
    "feature/%2e%2e/..",
    HOSTILE_QUOTES,
    HOSTILE_RTL,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_unique_and_covers_forges() {
        let all = git_projects(MAX_PROJECTS, false);
        assert_eq!(all.len(), MAX_PROJECTS);
        let urls: std::collections::BTreeSet<String> = all.iter().map(GitProject::url).collect();
        assert_eq!(urls.len(), all.len());
        let first = git_projects(40, false);
        for forge in ["github.com", "gitlab.com", "src.fedoraproject.org"] {
            assert!(first.iter().any(|p| p.forge == forge), "{forge}");
        }
        assert!(first.iter().any(|p| p.namespace.contains('/')));
    }

    #[test]
    fn hostile_only_renames() {
        let a = git_projects(40, false);
        let b = git_projects(40, true);
        assert_eq!(a.len(), b.len());
        assert!(b.iter().any(|p| p.namespace == HOSTILE_SCRIPT));
        let changed = a.iter().zip(&b).filter(|(x, y)| x.url() != y.url()).count();
        assert_eq!(changed, HOSTILE_PROJECTS.len());
    }
}
