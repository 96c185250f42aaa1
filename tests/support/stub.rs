//! A stub of the Packit service API for tests and benchmarks: serves a [`Dataset`] over
//! HTTP/1.1 on 127.0.0.1 the way the real server does (REFERENCE §1.3–§1.4, §6): 206 and
//! `Content-Range: <unit> a-b/*` on lists, the `per_page` whitelist and its 400 body,
//! `page` < 1 clamped, per-endpoint 404 messages, the 500 HTML page of broken
//! `/runs/<id>`, sorted keys with Python's ASCII escaping, `koji-builds?scratch=`,
//! 200 on empty project lists and `Access-Control-Allow-Origin: *`.
//!
//! Faults (5xx with optional `Retry-After`, connection resets, truncated bodies, added
//! latency) are injected deterministically from a seed and the request number. Every
//! request is logged. The data set can be replaced while the server runs.
//!
//! Hand-written on tokio's `TcpListener` (keep-alive, no server crate). Used by the
//! integration tests, the `stub_server` example and the benchmarks.

use crate::padding::{Padded, Padding};
use packit_pages::api::client::flask_json;
use packit_pages::jobs::LISTS;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

mod route;
pub use route::log_text;
use route::{route, serve_log, shuffle_pr_arrays};

pub use packit_pages::demo::Dataset;

/// The body of the real server's 500 answer (Flask's default page).
pub const ERROR_500_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";

const NOT_FOUND_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

/// Serialises JSON as Flask's default provider does (see [`flask_json`]).
pub fn py_json(v: &Value) -> String {
    flask_json(v)
}

/// Faults to inject; all rates are fractions of requests (0.0–1.0), drawn from
/// `(seed, request number)`.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Seed of the fault draw.
    pub seed: u64,
    /// Share answered 500 (plain text body).
    pub status_500: f64,
    /// Share answered 503.
    pub status_503: f64,
    /// `Retry-After` seconds sent with the 5xx answers.
    pub retry_after: Option<u32>,
    /// Share whose connection is reset (RST) without an answer.
    pub reset: f64,
    /// Share whose body is cut in half (Content-Length promises more), then closed.
    pub truncate: f64,
    /// Delay added before every answer.
    pub latency: Duration,
    /// Delay added before answers whose decoded path (without `/api/`) starts with
    /// the prefix: a slow list, a slow poll.
    pub slow_paths: Vec<(String, Duration)>,
    /// Only requests numbered below this (counted from server start) are faulted.
    pub first_n: Option<u64>,
    /// Requests whose decoded path (without `/api/`) equals one of these always get a
    /// 500 answer.
    pub fail_paths: Vec<String>,
}

impl Faults {
    /// No faults, no latency.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// `rate` of all requests faulted, split evenly over 500, 503, resets and
    /// truncated bodies.
    pub fn mixed(rate: f64, seed: u64) -> Faults {
        Faults {
            seed,
            status_500: rate / 4.0,
            status_503: rate / 4.0,
            reset: rate / 4.0,
            truncate: rate / 4.0,
            retry_after: Some(0),
            ..Faults::default()
        }
    }

    /// Only latency.
    pub fn latency(ms: u64) -> Faults {
        Faults {
            latency: Duration::from_millis(ms),
            ..Faults::default()
        }
    }

    fn draw(&self, n: u64, path: &str) -> Option<Fault> {
        if self.fail_paths.iter().any(|p| p == path) {
            return Some(Fault::Status(500));
        }
        if self.first_n.is_some_and(|f| n >= f) {
            return None;
        }
        let mut x = self
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(n.wrapping_mul(0xBF58_476D_1CE4_E5B9));
        x ^= x >> 31;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 29;
        let u = (x >> 11) as f64 / (1u64 << 53) as f64;
        let mut edge = self.status_500;
        if u < edge {
            return Some(Fault::Status(500));
        }
        edge += self.status_503;
        if u < edge {
            return Some(Fault::Status(503));
        }
        edge += self.reset;
        if u < edge {
            return Some(Fault::Reset);
        }
        edge += self.truncate;
        if u < edge {
            return Some(Fault::Truncate);
        }
        None
    }
}

/// An injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A 5xx answer.
    Status(u16),
    /// Connection reset, no answer.
    Reset,
    /// Body cut short.
    Truncate,
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// HTTP method.
    pub method: String,
    /// Path and query as received (still percent-encoded).
    pub target: String,
    /// Status sent (0 for a reset).
    pub status: u16,
    /// Injected fault, if any.
    pub fault: Option<Fault>,
    /// The User-Agent header, if sent.
    pub user_agent: Option<String>,
}

impl LogEntry {
    /// The path without `/api/` and without query, percent-decoded.
    pub fn path(&self) -> String {
        let p = self.target.split('?').next().unwrap_or("");
        decode(p.strip_prefix("/api/").unwrap_or(p))
    }

    /// A query parameter, decoded.
    pub fn query(&self, key: &str) -> Option<String> {
        let q = self.target.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k) == key).then(|| decode(v))
        })
    }

    /// Whether it was a real answer (no injected fault).
    pub fn clean(&self) -> bool {
        self.fault.is_none()
    }
}

/// Pre-serialised data.
#[derive(Default)]
struct Served {
    lists: HashMap<String, Vec<Arc<str>>>,
    /// `scratch` flag of each `koji-builds` item.
    koji_scratch: Vec<Option<bool>>,
    details: HashMap<String, Arc<str>>,
    merged: BTreeMap<i64, Arc<str>>,
    broken_runs: BTreeSet<i64>,
    project_keys: HashSet<String>,
    /// Other projects' items after the data set's own ([`Padding`]).
    padded: Padded,
}

impl Served {
    fn new(ds: &Dataset, padding: Option<Padding>) -> Served {
        let mut s = Served {
            broken_runs: ds.broken_runs.clone(),
            padded: padding.map(|p| Padded::new(ds, p)).unwrap_or_default(),
            ..Served::default()
        };
        for (path, items) in &ds.lists {
            if path == "koji-builds" {
                s.koji_scratch = items
                    .iter()
                    .map(|i| i.get("scratch").and_then(Value::as_bool))
                    .collect();
            }
            s.lists.insert(
                path.clone(),
                items.iter().map(|i| Arc::from(py_json(i))).collect(),
            );
        }
        for (path, body) in &ds.details {
            let text: Arc<str> = Arc::from(format!("{}\n", py_json(body)));
            if let Some(id) = path
                .strip_prefix("runs/merged/")
                .and_then(|i| i.parse::<i64>().ok())
            {
                s.merged.insert(id, text.clone());
            }
            if let Some(k) = path.strip_prefix("projects/") {
                s.project_keys.insert(k.to_string());
            }
            s.details.insert(path.clone(), text);
        }
        s
    }
}

struct State {
    data: RwLock<Arc<Served>>,
    padding: Option<Padding>,
    faults: RwLock<Faults>,
    log: Mutex<Vec<LogEntry>>,
    counter: AtomicU64,
    unstable_order: RwLock<Option<u64>>,
}

/// A running stub server. Dropping it stops the server.
pub struct Stub {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    /// Starts serving `ds` on 127.0.0.1 with an ephemeral port, on its own runtime
    /// thread (usable from sync and async tests alike).
    pub fn start(ds: &Dataset) -> Stub {
        Stub::start_on(ds, 0)
    }

    /// Like [`Stub::start`], every Packit-wide list padded with the items of
    /// `padding.pipelines` pipelines of other projects, generated on request.
    pub fn start_padded(ds: &Dataset, padding: Padding) -> Stub {
        Stub::start_with(ds, 0, Some(padding))
    }

    /// Like [`Stub::start`] on a given port (0 = ephemeral).
    pub fn start_on(ds: &Dataset, port: u16) -> Stub {
        Stub::start_with(ds, port, None)
    }

    fn start_with(ds: &Dataset, port: u16, padding: Option<Padding>) -> Stub {
        let state = Arc::new(State {
            data: RwLock::new(Arc::new(Served::new(ds, padding))),
            padding,
            faults: RwLock::new(Faults::none()),
            log: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
            unstable_order: RwLock::new(None),
        });
        let std_listener =
            std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind stub listener");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).unwrap();
                let accept = async {
                    loop {
                        let Ok((sock, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = sock.set_nodelay(true);
                        tokio::spawn(serve_conn(st.clone(), sock));
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = rx => {}
                }
            });
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        Stub {
            addr,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    /// The server address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL (`http://127.0.0.1:<port>/api`).
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// Replaces the data set (requests in flight finish with the old one).
    pub fn set_dataset(&self, ds: &Dataset) {
        let served = Arc::new(Served::new(ds, self.state.padding));
        *self.state.data.write().unwrap() = served;
    }

    /// Replaces the fault settings.
    pub fn set_faults(&self, f: Faults) {
        *self.state.faults.write().unwrap() = f;
    }

    /// Serves the `builds` and `tests` arrays of every `/projects/<key>/prs` item in
    /// another order on each request, drawn from `seed` and the request number (`None`:
    /// the data set's order), as the real server does: its query has no `ORDER BY`.
    pub fn set_unstable_order(&self, seed: Option<u64>) {
        *self.state.unstable_order.write().unwrap() = seed;
    }

    /// The request log so far.
    pub fn log(&self) -> Vec<LogEntry> {
        self.state.log.lock().unwrap().clone()
    }

    /// Number of requests logged so far.
    pub fn request_count(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    /// Empties the request log.
    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Percent-decodes (no `+` handling: the API client never sends `+` for spaces).
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Request {
    method: String,
    target: String,
    close: bool,
    user_agent: Option<String>,
}

/// Reads one request head (and skips any body). `None` at EOF or on garbage.
async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_string();
            let target = first.next()?.to_string();
            let version = first.next().unwrap_or("HTTP/1.1");
            let mut close = version == "HTTP/1.0";
            let mut body_len = 0usize;
            let mut user_agent = None;
            for l in lines {
                let Some((k, v)) = l.split_once(':') else {
                    continue;
                };
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "connection" {
                    close = v.eq_ignore_ascii_case("close");
                } else if k == "user-agent" {
                    user_agent = Some(v.to_string());
                } else if k == "content-length" {
                    body_len = v.parse().unwrap_or(0);
                }
            }
            let total = end + 4 + body_len;
            while buf.len() < total {
                let mut chunk = [0u8; 8192];
                let n = sock.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..total);
            return Some(Request {
                method,
                target,
                close,
                user_agent,
            });
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// An answer before fault injection.
struct Answer {
    status: u16,
    body: Arc<str>,
    html: bool,
    content_range: Option<String>,
}

impl Answer {
    fn json(status: u16, body: String) -> Answer {
        Answer {
            status,
            body: Arc::from(body),
            html: false,
            content_range: None,
        }
    }
    fn html(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: Arc::from(body),
            html: true,
            content_range: None,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "PARTIAL CONTENT",
        400 => "BAD REQUEST",
        404 => "NOT FOUND",
        500 => "INTERNAL SERVER ERROR",
        503 => "SERVICE UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

async fn serve_conn(state: Arc<State>, mut sock: TcpStream) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut sock, &mut buf).await {
        let n = state.counter.fetch_add(1, Ordering::SeqCst);
        let faults = state.faults.read().unwrap().clone();
        if !faults.latency.is_zero() {
            tokio::time::sleep(faults.latency).await;
        }
        let path = LogEntry {
            method: String::new(),
            target: req.target.clone(),
            status: 0,
            fault: None,
            user_agent: None,
        }
        .path();
        if let Some((_, d)) = faults.slow_paths.iter().find(|(p, _)| path.starts_with(p)) {
            tokio::time::sleep(*d).await;
        }
        if req.target.starts_with("/logs/") {
            let status = serve_log(&mut sock, &req.target, req.method == "HEAD").await;
            state.log.lock().unwrap().push(LogEntry {
                method: req.method.clone(),
                target: req.target.clone(),
                status: status.unwrap_or(0),
                fault: None,
                user_agent: req.user_agent.clone(),
            });
            if status.is_none() || req.close {
                let _ = sock.shutdown().await;
                return;
            }
            continue;
        }
        let fault = faults.draw(n, &path);
        let data = state.data.read().unwrap().clone();
        let mut answer = if req.method == "GET" || req.method == "HEAD" {
            route(&data, &req.target)
        } else {
            Answer::html(405, "method not allowed")
        };
        let unstable = *state.unstable_order.read().unwrap();
        if let Some(seed) = unstable
            && answer.content_range.is_some()
            && path.starts_with("projects/")
            && path.ends_with("/prs")
        {
            answer.body = Arc::from(shuffle_pr_arrays(&answer.body, seed, n));
        }
        let status = match fault {
            Some(Fault::Status(s)) => s,
            Some(Fault::Reset) => 0,
            _ => answer.status,
        };
        state.log.lock().unwrap().push(LogEntry {
            method: req.method.clone(),
            target: req.target.clone(),
            status,
            fault,
            user_agent: req.user_agent.clone(),
        });
        let (answer, extra) = match fault {
            Some(Fault::Reset) => {
                let _ = sock.set_zero_linger();
                return;
            }
            Some(Fault::Status(s)) => (
                Answer::html(s, "injected fault\n"),
                faults
                    .retry_after
                    .map(|r| format!("Retry-After: {r}\r\n"))
                    .unwrap_or_default(),
            ),
            _ => (answer, String::new()),
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\n{}",
            answer.status,
            reason(answer.status),
            if answer.html {
                "text/html; charset=utf-8"
            } else {
                "application/json"
            },
            answer.body.len(),
            extra
        );
        if let Some(cr) = &answer.content_range {
            head.push_str(&format!("Content-Range: {cr}\r\n"));
        }
        head.push_str(if req.close {
            "Connection: close\r\n\r\n"
        } else {
            "Connection: keep-alive\r\n\r\n"
        });
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let body = answer.body.as_bytes();
        if fault == Some(Fault::Truncate) {
            let _ = sock.write_all(&body[..body.len() / 2]).await;
            let _ = sock.flush().await;
            let _ = sock.shutdown().await;
            return;
        }
        if req.method != "HEAD" && sock.write_all(body).await.is_err() {
            return;
        }
        if req.close {
            let _ = sock.shutdown().await;
            return;
        }
    }
}
