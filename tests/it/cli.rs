//! The command line around a site folder: `init`, `build` in the new folder, theme
//! overrides, `check`, configuration precedence (flag > environment > file > default),
//! shell completions and man pages.

use crate::support;

use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use std::path::Path;
use std::process::{Command, Output};
use support::stub::Stub;
use support::{TempDir, mini_dataset};

/// The binary with a clean environment (no PACKIT_PAGES_* from the caller), run in `dir`.
fn bin(dir: &Path) -> Command {
    let mut c = support::packit_pages();
    c.current_dir(dir);
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("run packit-pages")
}

use support::output_text as text;

const PIPELINES: &str = "30";

#[test]
fn init_then_build_demo_and_a_template_override_changes_the_output() {
    let tmp = TempDir::new("cli-init");
    let site = tmp.join("site");
    let o = run(bin(tmp.path()).args(["init", "site"]));
    assert!(o.status.success(), "{}", text(&o));
    for f in [
        "packit-pages.toml",
        "content/faq.md",
        "content/about.md",
        "theme/README.md",
    ] {
        assert!(site.join(f).is_file(), "{f}");
    }
    assert!(site.join("theme/templates").is_dir());

    let o = run(bin(&site).args(["build", "--demo", "--pipelines", PIPELINES]));
    assert!(o.status.success(), "{}", text(&o));
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(!home.contains("OVERRIDDEN-HOME"));
    // the content pages of the scaffold are part of the site
    let faq = std::fs::read_to_string(site.join("public/faq/index.html")).unwrap();
    assert!(faq.contains("<h1"), "{faq}");
    assert!(site.join("public/about/index.html").is_file());

    std::fs::write(
        site.join("theme/templates/home.html"),
        "{% extends \"base.html\" %}\n{% block content %}<h1>OVERRIDDEN-HOME</h1>{% endblock content %}\n",
    )
    .unwrap();
    let o = run(bin(&site).args(["build", "--demo", "--pipelines", PIPELINES]));
    assert!(o.status.success(), "{}", text(&o));
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("OVERRIDDEN-HOME"), "{home}");

    // init refuses to overwrite the folder, and says which files exist
    let o = run(bin(tmp.path()).args(["init", "site"]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("packit-pages.toml"), "{}", text(&o));
    assert!(site.join("theme/templates/home.html").is_file());
}

#[test]
fn check_reports_a_broken_template_and_an_unknown_key_with_file_and_line() {
    let tmp = TempDir::new("cli-check");
    let site = tmp.join("site");
    assert!(run(bin(tmp.path()).args(["init", "site"])).status.success());
    let o = run(bin(&site).arg("check"));
    assert!(
        o.status.success(),
        "a fresh site checks clean: {}",
        text(&o)
    );
    assert!(text(&o).contains("check: ok"), "{}", text(&o));

    // a broken template
    std::fs::write(
        site.join("theme/templates/job.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock content %}\n",
    )
    .unwrap();
    let o = run(bin(&site).arg("check"));
    let log = text(&o);
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert!(
        log.contains("theme/templates/job.html:3: error: template does not parse"),
        "{log}"
    );

    // an unknown key in the config, with the template still broken: both reported
    let cfg = std::fs::read_to_string(site.join("packit-pages.toml")).unwrap();
    let cfg = cfg.replacen("out = \"public\"\n", "out = \"public\"\nouput = \"x\"\n", 1);
    let line = cfg.lines().position(|l| l.starts_with("ouput")).unwrap() + 1;
    std::fs::write(site.join("packit-pages.toml"), &cfg).unwrap();
    let o = run(bin(&site).arg("check"));
    let log = text(&o);
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert!(
        log.contains(&format!("packit-pages.toml:{line}: error:")),
        "{log}"
    );
    assert!(log.contains("ouput"), "{log}");
    assert!(log.contains("job.html:3: error"), "{log}");

    // the other commands refuse a config with an unknown key, naming it
    let o = run(bin(&site).args(["build", "--demo", "--pipelines", PIPELINES]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains(&format!("packit-pages.toml:{line}:")) && text(&o).contains("ouput"),
        "{}",
        text(&o)
    );

    // a corrupt archive named by --archive
    std::fs::write(
        site.join("packit-pages.toml"),
        cfg.replace("ouput = \"x\"\n", ""),
    )
    .unwrap();
    std::fs::remove_file(site.join("theme/templates/job.html")).unwrap();
    std::fs::write(site.join("bad.sqlite"), vec![b'x'; 8192]).unwrap();
    let o = run(bin(&site).args(["check", "--archive", "bad.sqlite"]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("bad.sqlite: error:"), "{}", text(&o));
}

#[test]
fn flags_override_environment_override_config_override_defaults() {
    let tmp = TempDir::new("cli-precedence");
    let site = tmp.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("packit-pages.toml"), "out = \"from-config\"\n").unwrap();
    let build = |c: &mut Command| {
        let o = run(c);
        assert!(o.status.success(), "{}", text(&o));
    };
    let demo = ["build", "--demo", "--pipelines", PIPELINES];
    build(bin(&site).args(demo));
    assert!(site.join("from-config/index.html").is_file());
    build(bin(&site).env("PACKIT_PAGES_OUT", "from-env").args(demo));
    assert!(site.join("from-env/index.html").is_file());
    build(
        bin(&site)
            .env("PACKIT_PAGES_OUT", "from-env2")
            .args(demo)
            .args(["--out", "from-flag"]),
    );
    assert!(site.join("from-flag/index.html").is_file());
    assert!(!site.join("from-env2").exists());
    // --config from elsewhere: paths relative to the config file's folder
    std::fs::remove_dir_all(site.join("from-config")).unwrap();
    build(
        bin(tmp.path())
            .args(["--config", "site/packit-pages.toml"])
            .args(demo),
    );
    assert!(site.join("from-config/index.html").is_file());
    assert!(!tmp.join("from-config").exists());
    // PACKIT_PAGES_CONFIG names the file too
    std::fs::write(tmp.join("other.toml"), "out = \"via-env-config\"\n").unwrap();
    build(
        bin(&site)
            .env("PACKIT_PAGES_CONFIG", tmp.join("other.toml"))
            .args(demo),
    );
    assert!(tmp.join("via-env-config/index.html").is_file());
    // no config at all: the default
    let bare = tmp.join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    build(bin(&bare).args(demo));
    assert!(bare.join("public/index.html").is_file());
}

#[test]
fn completions_and_man_pages_name_the_subcommands() {
    let tmp = TempDir::new("cli-gen");
    let subcommands = ["sync", "build", "init", "check", "completions", "man"];
    for shell in ["bash", "zsh", "fish"] {
        let o = run(bin(tmp.path()).args(["completions", shell]));
        assert!(o.status.success(), "{shell}: {}", text(&o));
        let s = String::from_utf8(o.stdout).unwrap();
        for sub in subcommands {
            assert!(s.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(s.contains("config"), "{shell}");
    }
    let o = run(bin(tmp.path()).arg("man"));
    assert!(o.status.success(), "{}", text(&o));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH packit-pages 1"),
        "{page}"
    );
    for sub in subcommands {
        assert!(
            page.contains(&format!("packit\\-pages\\-{sub}(1)")),
            "man lacks {sub}"
        );
    }
    let o = run(bin(tmp.path()).args(["man", "--dir", "man"]));
    assert!(o.status.success(), "{}", text(&o));
    for sub in subcommands {
        let p = tmp.join(&format!("man/packit-pages-{sub}.1"));
        assert!(p.is_file(), "{}", p.display());
    }
    let build = std::fs::read_to_string(tmp.join("man/packit-pages-build.1")).unwrap();
    assert!(build.contains("\\-\\-theme"), "{build}");
}

#[test]
fn sync_takes_api_archive_scope_and_rate_from_the_config_and_flags_override_it() {
    let stub = Stub::start(&mini_dataset(6));
    let tmp = TempDir::new("cli-sync-config");
    let site = tmp.join("site");
    std::fs::create_dir_all(site.join("data")).unwrap();
    std::fs::write(
        site.join("packit-pages.toml"),
        format!(
            "api = \"{}\"\narchive = \"data/a.sqlite\"\nrate = 0.0\n\n[scope]\nprojects = [\"github.com/org1/repo1\"]\n",
            stub.base_url()
        ),
    )
    .unwrap();
    let sync = |c: &mut Command, extra: &[&str]| {
        let o = run(c
            .args(["sync", "--progress", "none", "--no-usage", "--retries", "0"])
            .args(extra));
        assert!(o.status.success(), "{}", text(&o));
    };
    // run from elsewhere: the archive path is relative to the config file
    sync(
        bin(tmp.path()).args(["--config", "site/packit-pages.toml"]),
        &[],
    );
    let archive = site.join("data/a.sqlite");
    let pipelines = || {
        Archive::open_read_only(&archive)
            .unwrap()
            .count(Kind::Pipeline)
            .unwrap()
    };
    // mini_dataset(6): pipeline i belongs to github.com/org{i % 3}/repo{i % 2}
    assert_eq!(pipelines(), 1, "only org1/repo1 (i = 1) is in scope");
    assert!(stub.request_count() > 0);
    // a scope flag replaces the config's scope
    sync(&mut bin(&site), &["--project", "github.com/org0/repo0"]);
    assert_eq!(pipelines(), 2, "org0/repo0 (i = 0) added");
    // the API named by the environment wins over the config: a dead address fails
    let o = run(bin(&site)
        .env("PACKIT_PAGES_API", "http://127.0.0.1:9/api")
        .args([
            "sync",
            "--progress",
            "none",
            "--no-usage",
            "--retries",
            "0",
            "--timeout",
            "2",
        ]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}
