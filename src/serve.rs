//! Trigger: shows the site on `127.0.0.1` while [`crate::watch`] rebuilds it, and
//! reloads open browser tabs after each rebuild.
//!
//! HTTP is hyper's (HTTP/1.1, keep-alive, a timeout on reading a request head) and
//! the files are served by tower-http's [`ServeDir`]: `index.html` for directories,
//! HEAD, conditional GET (`Last-Modified`, 304), byte ranges (206) and
//! percent-decoded paths come from code that many servers run. Around it this
//! module adds what a preview needs: the site's `404.html` for what does not exist,
//! a 400 for a path that would leave the output directory (refused before the file
//! service sees it), `charset=utf-8` on text (the site writes only UTF-8),
//! `Cache-Control: no-store` (`Last-Modified` counts whole seconds: a page rebuilt
//! within the second it was served must not come back as 304), and live reload: a
//! server-sent-events stream at [`EVENTS_PATH`] plus a small script that the server
//! adds to the HTML it *serves*; the built files never contain it. HTML is always
//! served whole (a range of a page with the script added would not be a range of
//! the file).

use crate::site::BuildReport;
use crate::watch::{Rebuild, WatchError, WatchOptions};
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_status::SetStatus;

/// The server-sent-events endpoint that announces rebuilds.
pub const EVENTS_PATH: &str = "/__packit-pages/events";

/// How long a client may take to send a request head (also how long an idle
/// keep-alive connection is kept).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the event stream sends a comment, so that proxies and browsers keep it.
const PING: Duration = Duration::from_secs(15);

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
        let site = Arc::new(Site::new(root.to_path_buf(), reload.clone()));
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
                        tokio::spawn(connection(sock, site.clone()));
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

/// The file under `root` a request path names (`index.html` for a directory), if it
/// is a safe relative path: `None` for `..`, a backslash, a NUL byte, a malformed
/// percent escape or a name that is not UTF-8.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let escapes_ok = path.split('%').skip(1).all(|s| {
        s.as_bytes()
            .get(..2)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
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

/// A response body: a file, a page with the script, a message or the event stream.
type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// What every connection of a server shares.
struct Site {
    root: PathBuf,
    /// The output directory's files, the site's `404.html` (with status 404) for
    /// what is not there.
    files: ServeDir<SetStatus<ServeFile>>,
    events: broadcast::Sender<u64>,
}

/// Serves one connection (as many requests as the client sends on it).
async fn connection(sock: tokio::net::TcpStream, site: Arc<Site>) {
    let service = service_fn(move |req| {
        let site = site.clone();
        async move { Ok::<_, Infallible>(site.answer(req).await) }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(sock), service)
        .await;
    if let Err(e) = served {
        tracing::debug!(error = %e, "serve: connection ended");
    }
}

impl Site {
    fn new(root: PathBuf, events: broadcast::Sender<u64>) -> Site {
        let files = ServeDir::new(&root).not_found_service(ServeFile::new(root.join("404.html")));
        Site {
            root,
            files,
            events,
        }
    }

    /// The answer to one request, with the headers every answer carries.
    async fn answer(&self, req: Request<Incoming>) -> Response<Body> {
        let mut res = self.respond(req).await;
        let h = res.headers_mut();
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        if let Some(ct) = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
            let text = ct.starts_with("text/") || ct.ends_with("javascript");
            if text && !ct.contains("charset") {
                let ct = format!("{ct}; charset=utf-8");
                if let Ok(v) = HeaderValue::from_str(&ct) {
                    h.insert(header::CONTENT_TYPE, v);
                }
            }
        }
        res
    }

    async fn respond(&self, mut req: Request<Incoming>) -> Response<Body> {
        if req.method() == Method::GET && req.uri().path() == EVENTS_PATH {
            return self.event_stream();
        }
        let Some(path) = resolve(&self.root, req.uri().path()) else {
            return message(StatusCode::BAD_REQUEST, "bad path");
        };
        let file = path.is_file();
        let h = req.headers_mut();
        if !file || path.extension().is_some_and(|e| e == "html") {
            // HTML is served whole, with the script
            h.remove(header::RANGE);
            h.remove(header::IF_RANGE);
        }
        if !file {
            // the 404 page is always a 404 with the page, never a 304
            for name in [
                header::IF_MODIFIED_SINCE,
                header::IF_UNMODIFIED_SINCE,
                header::IF_NONE_MATCH,
                header::IF_MATCH,
            ] {
                h.remove(name);
            }
        }
        let head = req.method() == Method::HEAD;
        let res = match self.files.clone().try_call(req).await {
            Ok(res) => res,
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "serve: cannot read");
                return message(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file");
            }
        };
        let (mut parts, body) = res.into_parts();
        let html = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        if !html || !matches!(parts.status, StatusCode::OK | StatusCode::NOT_FOUND) {
            return Response::from_parts(parts, body.boxed_unsync());
        }
        parts.headers.remove(header::ACCEPT_RANGES);
        if head {
            // the length of what a GET answers: the file and the script
            let len = content_length(&parts.headers).map(|n| n + RELOAD_SCRIPT.len() as u64);
            set_length(&mut parts.headers, len);
            return Response::from_parts(parts, full(Bytes::new()));
        }
        let page = match body.collect().await {
            Ok(b) => inject(&b.to_bytes()),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "serve: cannot read");
                return message(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file");
            }
        };
        set_length(&mut parts.headers, Some(page.len() as u64));
        Response::from_parts(parts, full(Bytes::from(page)))
    }

    /// The server-sent events: `retry`, then a `reload` event per rebuild and a
    /// comment every [`PING`].
    fn event_stream(&self) -> Response<Body> {
        let rx = self.events.subscribe();
        let hello = Some(Bytes::from_static(b"retry: 1000\n\n"));
        let events = futures_util::stream::unfold((rx, hello), |(mut rx, hello)| async move {
            if let Some(b) = hello {
                return Some((Ok(Frame::data(b)), (rx, None)));
            }
            let text = loop {
                tokio::select! {
                    r = rx.recv() => match r {
                        Ok(n) => break format!("event: reload\ndata: {n}\n\n"),
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = tokio::time::sleep(PING) => break ": ping\n\n".to_string(),
                }
            };
            Some((Ok(Frame::data(Bytes::from(text))), (rx, None)))
        });
        let mut res = Response::new(StreamBody::new(events).boxed_unsync());
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        res
    }
}

fn full(b: Bytes) -> Body {
    Full::new(b).map_err(|e| match e {}).boxed_unsync()
}

/// A short plain-text answer.
fn message(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut res = Response::new(full(Bytes::from_static(text.as_bytes())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

fn content_length(h: &HeaderMap) -> Option<u64> {
    h.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

fn set_length(h: &mut HeaderMap, len: Option<u64>) {
    match len {
        Some(n) => {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        None => {
            h.remove(header::CONTENT_LENGTH);
        }
    }
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
