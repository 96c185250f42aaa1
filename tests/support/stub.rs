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

/// A list body with the `builds` and `tests` arrays of each item shuffled (Fisher-Yates
/// from a draw of `seed` and `n`), in the server's JSON form.
fn shuffle_pr_arrays(body: &str, seed: u64, n: u64) -> String {
    let Ok(Value::Array(mut items)) = serde_json::from_str::<Value>(body) else {
        return body.to_string();
    };
    let mut x = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for item in &mut items {
        for field in ["builds", "tests"] {
            if let Some(Value::Array(a)) = item.get_mut(field) {
                for i in (1..a.len()).rev() {
                    let j = (next() % (i as u64 + 1)) as usize;
                    a.swap(i, j);
                }
            }
        }
    }
    let parts: Vec<String> = items.iter().map(py_json).collect();
    format!("[{}]\n", parts.join(","))
}

/// The text of the stub's log `name`: a few lines with ANSI colours, an error line and
/// characters that need escaping in HTML.
pub fn log_text(name: &str) -> String {
    format!(
        "Log {name}\n\u{1b}[32mINFO\u{1b}[0m building <pkg> & \"friends\"\nstep 3\nerror: compilation failed in {name}\nstep 5\nFAILED: 1 test\nlast line\n"
    )
}

/// Bytes of the stub's big log (`/logs/big/<mb>`) of `mb` MiB: numbered lines.
fn big_log_chunk(start_line: u64, bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 64);
    let mut n = start_line;
    while out.len() < bytes {
        out.extend_from_slice(
            format!("line {n:08} of a very long build log ..........\n").as_bytes(),
        );
        n += 1;
    }
    out.truncate(bytes);
    out
}

/// Serves the log files the tests point jobs at (paths under `/logs/`):
/// `/logs/text/<name>` (plain), `/logs/gz/<name>.gz` (gzip data, `.gz` URL),
/// `/logs/enc/<name>` (gzip with `Content-Encoding: gzip`), `/logs/big/<mb>` (`mb`
/// MiB generated while sending), `/logs/gone/…` (404), `/logs/fail/…` (500). Returns
/// the status sent, None when the connection broke.
async fn serve_log(sock: &mut TcpStream, target: &str, head_only: bool) -> Option<u16> {
    use std::io::Write;
    let path = target.split('?').next().unwrap_or("");
    let rest = path.strip_prefix("/logs/").unwrap_or("");
    let (kind, name) = rest.split_once('/').unwrap_or((rest, ""));
    let gzip = |t: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(t.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let (status, extra, body, big): (u16, &str, Vec<u8>, u64) = match kind {
        "text" if name.ends_with(".gz") => {
            (200, "", gzip(&log_text(name.trim_end_matches(".gz"))), 0)
        }
        "text" => (200, "", log_text(name).into_bytes(), 0),
        "gz" => (200, "", gzip(&log_text(name.trim_end_matches(".gz"))), 0),
        "enc" => (200, "Content-Encoding: gzip\r\n", gzip(&log_text(name)), 0),
        "big" => (200, "", Vec::new(), name.parse::<u64>().unwrap_or(1) << 20),
        "gone" => (404, "", b"not found".to_vec(), 0),
        _ => (500, "", b"server error".to_vec(), 0),
    };
    let len = if big > 0 { big } else { body.len() as u64 };
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len}\r\n{extra}Connection: keep-alive\r\n\r\n",
        reason(status)
    );
    sock.write_all(head.as_bytes()).await.ok()?;
    if head_only {
        return Some(status);
    }
    if big == 0 {
        sock.write_all(&body).await.ok()?;
        return Some(status);
    }
    // generated chunk by chunk: never the whole log in memory
    let mut sent = 0u64;
    let mut line = 0u64;
    while sent < big {
        let n = (big - sent).min(256 * 1024) as usize;
        let chunk = big_log_chunk(line, n);
        line += (n / 50) as u64 + 1;
        if sock.write_all(&chunk).await.is_err() {
            // the client stopped reading (capped): fine
            return None;
        }
        sent += n as u64;
    }
    Some(status)
}

fn not_found(msg: &str) -> Answer {
    Answer::json(
        404,
        format!("{}\n", py_json(&serde_json::json!({ "error": msg }))),
    )
}

fn bad_arg(arg: &str, help: &str, msg: String) -> Answer {
    let body = serde_json::json!({
        "errors": { arg: format!("{help} {msg}") },
        "message": "Input payload validation failed",
    });
    Answer::json(400, format!("{}\n", py_json(&body)))
}

/// The 404 message of a detail path.
fn missing_message(path: &str) -> &'static str {
    let first = path.split('/').next().unwrap_or("");
    if path.contains("/groups/") {
        return "No info about group stored in DB";
    }
    match first {
        "copr-builds" | "koji-builds" | "srpm-builds" | "testing-farm" => {
            "No info about build stored in DB"
        }
        "runs" => "No run has been found in DB",
        "propose-downstream" => "No info about propose downstream target stored in DB",
        "pull-from-upstream" => "No info about pull from upstream target stored in DB",
        "bodhi-updates" => "No info about update stored in DB",
        "koji-tag-requests" => "No info about tagging request stored in DB",
        "openscanhub-scans" => "No info about scan stored in DB",
        "log-detective" => "No info about Log Detective run stored in DB",
        "projects" => "No info about project stored in DB",
        _ => "",
    }
}

const SUB_LISTS: [(&str, &str); 4] = [
    ("/prs", "git-project-prs"),
    ("/branches", "git-project-branches"),
    ("/releases", "git-project-releases"),
    ("/issues", "git-project-issues"),
];

/// The `Content-Range` unit of a list path, if the path is a list.
fn list_unit(path: &str, data: &Served) -> Option<&'static str> {
    if let Some(l) = LISTS.iter().find(|l| l.path == path) {
        return Some(l.unit);
    }
    let rest = path.strip_prefix("projects/")?;
    for (suffix, unit) in SUB_LISTS {
        if rest.ends_with(suffix) && !data.project_keys.contains(rest) {
            return Some(unit);
        }
    }
    // `projects/<forge>` and `projects/<forge>/<namespace>` (a namespace may hold
    // slashes; anything stored as a list, or of one or two segments, is a list).
    if data.lists.contains_key(path)
        || (!data.project_keys.contains(rest) && rest.split('/').count() <= 2)
    {
        return Some("git-projects");
    }
    None
}

fn route(data: &Served, target: &str) -> Answer {
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(path) = raw_path.strip_prefix("/api/") else {
        return Answer::html(404, NOT_FOUND_HTML);
    };
    let path = decode(path);
    let path = path.trim_end_matches('/');
    let params: Vec<(String, String)> = query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect();
    let param = |k: &str| {
        params
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };

    if let Some(unit) = list_unit(path, data) {
        let per_page = match param("per_page") {
            None => 10,
            Some(v) => match v.trim().parse::<i64>() {
                Err(_) => {
                    return bad_arg(
                        "per_page",
                        "Results per page",
                        format!("invalid literal for int() with base 10: '{v}'"),
                    );
                }
                Ok(n) if [2, 10, 20, 30, 40, 50].contains(&n) => n,
                Ok(n) => {
                    return bad_arg(
                        "per_page",
                        "Results per page",
                        format!("The value '{n}' is not a valid choice for 'per_page'."),
                    );
                }
            },
        };
        let page = match param("page") {
            None => 1,
            Some(v) => match v.trim().parse::<i64>() {
                Err(_) => {
                    return bad_arg(
                        "page",
                        "Page number",
                        format!("invalid literal for int() with base 10: '{v}'"),
                    );
                }
                Ok(n) => n.max(1),
            },
        };
        let first = ((page - 1) * per_page) as usize;
        let last = (page * per_page) as usize;
        let empty = Vec::new();
        let all = data.lists.get(path).unwrap_or(&empty);
        let items: Vec<Arc<str>> = if path == "koji-builds" {
            let want = param("scratch").map(|s| s.eq_ignore_ascii_case("true"));
            all.iter()
                .zip(data.koji_scratch.iter())
                .filter(|(_, s)| match want {
                    None => true,
                    Some(true) => **s == Some(true),
                    Some(false) => **s != Some(true),
                })
                .map(|(i, _)| i.clone())
                .skip(first)
                .take(last - first)
                .collect()
        } else {
            all.iter().skip(first).take(last - first).cloned().collect()
        };
        // the rest of Packit, after the data set's own items
        let pad = data.padded.count(path);
        let items: Vec<Arc<str>> = if pad > 0 && items.len() < last - first {
            let from = first.max(all.len()) - all.len();
            let to = (last - all.len()).min(pad);
            let extra = (from..to).map(|k| Arc::from(data.padded.item(path, k)));
            items.into_iter().chain(extra).collect()
        } else {
            items
        };
        let mut body = String::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 3);
        body.push('[');
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(it);
        }
        body.push_str("]\n");
        let status = if items.is_empty() && path.starts_with("projects") {
            200
        } else {
            206
        };
        let mut a = Answer::json(status, body);
        a.content_range = Some(format!("{unit} {}-{last}/*", first + 1));
        return a;
    }

    if let Some(id) = path.strip_prefix("runs/merged/") {
        let Ok(id) = id.parse::<i64>() else {
            return Answer::html(404, NOT_FOUND_HTML);
        };
        // the real lookup takes the first merged group within id..=id+100
        return match data.merged.range(id..=id + 100).next() {
            Some((_, body)) => Answer {
                status: 200,
                body: body.clone(),
                html: false,
                content_range: None,
            },
            None => not_found(missing_message("runs")),
        };
    }
    if let Some(id) = path
        .strip_prefix("runs/")
        .and_then(|i| i.parse::<i64>().ok())
        && data.broken_runs.contains(&id)
    {
        return Answer::html(500, ERROR_500_HTML);
    }
    if let Some(body) = data.details.get(path) {
        return Answer {
            status: 200,
            body: body.clone(),
            html: false,
            content_range: None,
        };
    }
    let msg = missing_message(path);
    let numeric_tail = path
        .rsplit('/')
        .next()
        .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    if msg.is_empty() || (!path.starts_with("projects/") && !numeric_tail) {
        Answer::html(404, NOT_FOUND_HTML)
    } else {
        not_found(msg)
    }
}
