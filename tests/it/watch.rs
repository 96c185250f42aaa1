//! `watch` and `serve`: a theme edit while the watcher runs rewrites only the pages
//! that use the edited template; the server serves the site with the live-reload
//! script (only in what it serves) and announces rebuilds.

use crate::support;

use packit_pages::serve::{EVENTS_PATH, RELOAD_SCRIPT, Server};
use packit_pages::site::BuildOptions;
use packit_pages::watch::{WatchOptions, watch};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};
use support::TempDir;

fn files(dir: &Path) -> BTreeMap<PathBuf, (SystemTime, Vec<u8>)> {
    support::site_mtimes(dir)
        .into_iter()
        .map(|(p, t)| {
            let bytes = std::fs::read(&p).unwrap();
            (p, (t, bytes))
        })
        .collect()
}

fn demo_site(tag: &str) -> (TempDir, BuildOptions) {
    let dir = TempDir::new(tag);
    let archive = dir.join("demo.sqlite");
    support::demo_archive(&archive, 30, 3);
    let theme = dir.join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    let default =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/pipeline.html");
    std::fs::copy(&default, theme.join("templates/pipeline.html")).unwrap();
    let opts = BuildOptions {
        theme: Some(theme),
        ..support::build_options(archive, dir.join("public"))
    };
    (dir, opts)
}

#[test]
fn theme_edit_rewrites_only_the_pages_using_the_template() {
    let (_dir, build) = demo_site("watch-theme");
    let archive = build.archive.clone();
    let template = build
        .theme
        .as_ref()
        .unwrap()
        .join("templates/pipeline.html");
    let out = build.out.clone();
    let mut opts = WatchOptions::new(build);
    opts.debounce = Duration::from_millis(150);
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let flag = stop.clone();
    let watcher = std::thread::spawn(move || {
        watch(&opts, &flag, |r| {
            let written = r
                .result
                .as_ref()
                .map(|b| b.write.written)
                .map_err(|e| e.to_string());
            tx.send((r.changed.to_vec(), written)).unwrap();
        })
        .unwrap();
    });
    let (changed, first) = rx.recv_timeout(Duration::from_secs(120)).unwrap();
    assert!(changed.is_empty());
    assert!(first.unwrap() > 100, "the first build writes the site");
    let before = files(&out);
    let pipelines = before
        .keys()
        .filter(|p| {
            let rel = p.strip_prefix(&out).unwrap().to_string_lossy().to_string();
            rel.starts_with("pipeline/")
                && rel.ends_with("/index.html")
                && rel
                    .trim_start_matches("pipeline/")
                    .split('/')
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .is_ok()
        })
        .count();
    assert!(pipelines >= 20, "{pipelines} pipeline pages");
    std::thread::sleep(Duration::from_millis(50));
    // an editor's save: several writes in a burst
    let text = std::fs::read_to_string(&template).unwrap();
    let edited = text.replacen(
        "<header class=\"head\">",
        "<header class=\"head\"><p class=\"edited\">Edited pipeline template</p>",
        1,
    );
    assert_ne!(text, edited);
    for _ in 0..3 {
        std::fs::write(&template, &edited).unwrap();
    }
    let (changed, written) = rx.recv_timeout(Duration::from_secs(120)).unwrap();
    assert!(
        !changed.is_empty()
            && changed
                .iter()
                .all(|p| p.ends_with("templates/pipeline.html")),
        "{changed:?}"
    );
    let written = written.unwrap();
    // no second build for the same burst
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "one rebuild per burst"
    );
    let after_theme = files(&out);
    // a write to the archive (as sync or listen make) is a rebuild too
    {
        let mut a = packit_pages::archive::Archive::open(&archive).unwrap();
        let w = a.write().unwrap();
        w.set_meta("watch-test", "1").unwrap();
        w.commit().unwrap();
    }
    let (archive_changed, archive_written) = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(
        !archive_changed.is_empty()
            && archive_changed
                .iter()
                .all(|p| p.to_string_lossy().contains("demo.sqlite")),
        "{archive_changed:?}"
    );
    assert_eq!(archive_written.unwrap(), 0, "nothing on the pages changed");
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    let after = files(&out);
    assert_eq!(after, after_theme);
    let mut rewritten = Vec::new();
    for (p, (t, bytes)) in &after {
        let (t0, b0) = &before[p];
        if t != t0 {
            rewritten.push(p.strip_prefix(&out).unwrap().to_string_lossy().to_string());
            assert_ne!(bytes, b0, "rewritten with the same bytes: {}", p.display());
        }
    }
    assert_eq!(rewritten.len() as u64, written);
    assert_eq!(rewritten.len(), pipelines, "{rewritten:?}");
    for rel in &rewritten {
        assert!(rel.starts_with("pipeline/"), "not a pipeline page: {rel}");
        let html = String::from_utf8(after[&out.join(rel)].1.clone()).unwrap();
        assert!(html.contains("Edited pipeline template"), "{rel}");
        assert!(
            !html.contains("EventSource"),
            "no reload script in built files"
        );
    }
}

fn get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    // one request: the server keeps a connection open for more unless told
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

#[test]
fn server_serves_with_reload_script_and_announces_rebuilds() {
    let dir = TempDir::new("serve");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<html><body><p>home</p></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("a/index.html"), "<html><body>a</body></html>").unwrap();
    std::fs::write(dir.join("404.html"), "<html><body>missing</body></html>").unwrap();
    std::fs::write(dir.join("style.css"), "p{}").unwrap();
    let mut server = Server::start(dir.path(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = server.addr();
    assert!(addr.ip().is_loopback());
    let (head, body) = get(addr, "/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/html"));
    assert!(
        body.contains("<p>home</p>") && body.contains(RELOAD_SCRIPT),
        "{body}"
    );
    assert!(
        !std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains("EventSource")
    );
    let (head, body) = get(addr, "/a/");
    assert!(
        head.starts_with("HTTP/1.1 200") && body.contains("<body>a<script"),
        "{body}"
    );
    let (head, body) = get(addr, "/style.css");
    assert!(head.contains("text/css") && body == "p{}", "{head}{body}");
    let (head, body) = get(addr, "/nope/");
    assert!(head.starts_with("HTTP/1.1 404") && body.contains("missing"));
    let (head, _) = get(addr, "/../../etc/passwd");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    // the event stream announces a rebuild
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {EVENTS_PATH} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while !String::from_utf8_lossy(&buf).contains("retry:") {
        let n = s.read(&mut chunk).unwrap();
        buf.extend_from_slice(&chunk[..n]);
    }
    assert!(String::from_utf8_lossy(&buf).contains("text/event-stream"));
    server.reload();
    while !String::from_utf8_lossy(&buf).contains("event: reload") {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "stream closed");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn config_edit_reloads_the_options() {
    let (dir, build) = demo_site("watch-config");
    let config = dir.join("packit-pages.toml");
    std::fs::write(&config, "base_url = \"https://one.example/\"\n").unwrap();
    let out = build.out.clone();
    let mut opts = WatchOptions::new(BuildOptions {
        base_url: Some("https://one.example/".into()),
        ..build.clone()
    });
    opts.config = Some(config.clone());
    let base = build.clone();
    let cfg = config.clone();
    // what the binary does: read the file again and merge it into the options
    let reload: packit_pages::watch::Reload = Arc::new(move || {
        let c = packit_pages::config::Config::load(&cfg).map_err(|e| e.to_string())?;
        Ok(BuildOptions {
            base_url: c.base_url,
            ..base.clone()
        })
    });
    opts.reload = Some(reload);
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let flag = stop.clone();
    let watcher = std::thread::spawn(move || {
        watch(&opts, &flag, |r| {
            tx.send((r.changed.to_vec(), r.result.is_ok())).unwrap();
        })
        .unwrap();
    });
    assert!(rx.recv_timeout(Duration::from_secs(120)).unwrap().1);
    let sitemap = || std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap().contains("https://one.example/"));
    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(&config, "base_url = \"https://two.example/\"\n").unwrap();
    let (changed, ok) = rx.recv_timeout(Duration::from_secs(120)).unwrap();
    assert!(
        ok && changed.contains(&std::path::absolute(&config).unwrap()),
        "{changed:?}"
    );
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    assert!(sitemap().contains("https://two.example/"), "{}", sitemap());
}
