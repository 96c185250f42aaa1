//! Trigger: shows the site on `127.0.0.1` while [`crate::watch`] rebuilds it, and
//! reloads open browser tabs after each rebuild.
//!
//! A small HTTP/1.1 server on tokio's `TcpListener` (GET and HEAD, one request per
//! connection): files of the output directory, `index.html` for directories, the
//! site's `404.html` for what does not exist, nothing outside the directory. Live
//! reload is a server-sent-events stream at [`EVENTS_PATH`] plus a small script that
//! the server adds to the HTML it *serves*; the built files never contain it.

use crate::site::BuildReport;
use crate::watch::{Rebuild, WatchError, WatchOptions};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// The server-sent-events endpoint that announces rebuilds.
pub const EVENTS_PATH: &str = "/__packit-pages/events";

/// The script added before `</body>` of served HTML pages.
pub const RELOAD_SCRIPT: &str = "<script>(function(){var s=new EventSource(\"/__packit-pages/events\");s.addEventListener(\"reload\",function(){location.reload()});})();</script>";

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The watcher failed.
    #[error(transparent)]
    Watch(#[from] WatchError),
}

/// A running file server (stopped when dropped).
pub struct Server {
    addr: SocketAddr,
    reload: broadcast::Sender<u64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    generation: u64,
}

impl Server {
    /// Serves `root` on `addr` (use port 0 for any free port) on its own thread.
    pub fn start(root: &Path, addr: SocketAddr) -> Result<Server, ServeError> {
        let std_listener = std::net::TcpListener::bind(addr)
            .map_err(|source| ServeError::Bind { addr, source })?;
        std_listener
            .set_nonblocking(true)
            .map_err(|source| ServeError::Bind { addr, source })?;
        let addr = std_listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(ServeError::Runtime)?;
        let (reload, _) = broadcast::channel(16);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let root = root.to_path_buf();
        let events = reload.clone();
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                let accept = async {
                    loop {
                        let Ok((sock, _)) = listener.accept().await else {
                            continue;
                        };
                        let root = root.clone();
                        let events = events.subscribe();
                        tokio::spawn(async move {
                            if let Err(e) = handle(sock, &root, events).await {
                                tracing::debug!(error = %e, "serve: connection ended");
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = rx => {}
                }
            });
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        Ok(Server {
            addr,
            reload,
            stop: Some(tx),
            thread: Some(thread),
            generation: 0,
        })
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tells every open page to reload.
    pub fn reload(&mut self) {
        self.generation += 1;
        let _ = self.reload.send(self.generation);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves the output directory of `opts` on `addr` and rebuilds on changes (see
/// [`crate::watch::watch`]); open pages reload after every successful rebuild. Runs
/// until `stop` is set. `on_start` gets the bound address once the server listens.
pub fn serve(
    opts: &WatchOptions,
    addr: SocketAddr,
    stop: &AtomicBool,
    on_start: impl FnOnce(SocketAddr),
    mut on_build: impl FnMut(Rebuild<'_>),
) -> Result<(), ServeError> {
    std::fs::create_dir_all(&opts.build.out).map_err(|source| ServeError::Bind { addr, source })?;
    let mut server = Server::start(&opts.build.out, addr)?;
    on_start(server.addr());
    crate::watch::watch(opts, stop, |r| {
        let ok = r.result.is_ok();
        on_build(r);
        if ok {
            server.reload();
        }
    })?;
    Ok(())
}

/// A one-line summary of a build for the console.
pub fn summary(r: &BuildReport) -> String {
    format!(
        "{} files: {} written, {} unchanged, {} removed in {} ms",
        r.files, r.write.written, r.write.unchanged, r.write.removed, r.millis
    )
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file under `root` a request path names, if it is a safe relative path.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    let mut p = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(s) => p.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if p.is_dir() {
        p.push("index.html");
    }
    Some(p)
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Adds the reload script to an HTML page (before the last `</body>`, else at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let needle = b"</body>";
    let pos = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + RELOAD_SCRIPT.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(RELOAD_SCRIPT.as_bytes());
    out.extend_from_slice(&html[pos..]);
    out
}

async fn handle(
    mut sock: TcpStream,
    root: &Path,
    mut events: broadcast::Receiver<u64>,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut chunk))
            .await
            .map_err(|_| std::io::Error::other("request timeout"))??;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n") {
            break;
        }
        if buf.len() > 16 * 1024 {
            return respond(
                &mut sock,
                431,
                "text/plain",
                b"request head too large",
                false,
            )
            .await;
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(&mut sock, 405, "text/plain", b"method not allowed", false).await;
    }
    if target.split('?').next() == Some(EVENTS_PATH) {
        sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\nretry: 1000\n\n")
            .await?;
        loop {
            let msg = tokio::select! {
                r = events.recv() => match r {
                    Ok(n) => format!("event: reload\ndata: {n}\n\n"),
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
                _ = tokio::time::sleep(Duration::from_secs(15)) => ": ping\n\n".to_string(),
            };
            sock.write_all(msg.as_bytes()).await?;
        }
    }
    let Some(path) = resolve(root, target) else {
        return respond(&mut sock, 400, "text/plain", b"bad path", head_only).await;
    };
    let (status, path) = if path.is_file() {
        (200, path)
    } else {
        (404, root.join("404.html"))
    };
    let body = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(_) => return respond(&mut sock, 404, "text/plain", b"not found", head_only).await,
    };
    let ct = content_type(&path);
    let body = if ct.starts_with("text/html") {
        inject(&body)
    } else {
        body
    };
    respond(&mut sock, status, ct, &body, head_only).await
}

async fn respond(
    sock: &mut TcpStream,
    status: u16,
    ct: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    if !head_only {
        sock.write_all(body).await?;
    }
    sock.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let root = std::env::temp_dir();
        assert_eq!(resolve(&root, "/a/b.css?x=1"), Some(root.join("a/b.css")));
        assert_eq!(resolve(&root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(&root, "/../x"), None);
        assert_eq!(resolve(&root, "/a%00b"), None);
        assert_eq!(resolve(&root, "/a%5cb"), None);
        assert_eq!(resolve(&root, "/%zz"), None);
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
    }

    #[test]
    fn script_goes_before_body_end() {
        let out = inject(b"<html><body><p>x</p></body></html>");
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.ends_with(&format!("{RELOAD_SCRIPT}</body></html>")),
            "{s}"
        );
        let s = String::from_utf8(inject(b"<p>no body")).unwrap();
        assert!(s.ends_with(RELOAD_SCRIPT));
    }
}
