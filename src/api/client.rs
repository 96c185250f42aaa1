//! The HTTP client of the Packit API: polite (one request at a time by default, a
//! requests-per-second limit, a User-Agent naming packit-pages), persistent (retries
//! with exponential back-off and jitter on 5xx, timeouts, resets and truncated or
//! non-JSON bodies, honouring `Retry-After`), and exact: list pages are parsed as
//! `Vec<Box<RawValue>>`, so every item's raw text reaches the archive unchanged.
//! Typed helpers parse the raw text into the models of [`crate::api::types`].

use crate::api::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!(
    "packit-pages/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/packit/packit-pages)"
);

/// Items per list page; the largest value the API accepts.
pub const PER_PAGE: u32 = 50;

/// Errors of one API request, after retries. Each names the URL it concerns.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an unexpected HTTP status (after retries for 5xx).
    #[error("GET {url}: HTTP {status}: {}", snippet(body))]
    Status {
        /// Requested URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// Response body (may be an HTML error page).
        body: String,
    },
    /// 404: the entity does not exist (or no longer exists) upstream.
    #[error("GET {url}: not found: {message}")]
    NotFound {
        /// Requested URL.
        url: String,
        /// The API's `error` message, or the raw body.
        message: String,
    },
    /// The connection failed, timed out, was reset or the body was cut short.
    #[error("GET {url}: {message}")]
    Transport {
        /// Requested URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The body is not the JSON expected (after retries: a truncated body is retried).
    #[error("GET {url}: response is not the expected JSON: {source}")]
    Json {
        /// Requested URL.
        url: String,
        /// Parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A path that cannot be requested faithfully (a `.` or `..` segment, which URL
    /// normalisation would resolve to another resource).
    #[error("{path}: cannot be requested: {reason}")]
    UnsafePath {
        /// The API path.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// The base URL is not a valid http(s) URL.
    #[error("invalid API base URL {0:?}")]
    BadBase(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Build(#[source] reqwest::Error),
}

impl ClientError {
    /// Whether this is a 404 answer.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::NotFound { .. })
    }
}

fn snippet(body: &str) -> String {
    let one: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    one.trim().to_string()
}

/// Settings of the client.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// API base URL, e.g. `https://prod.packit.dev/api` (no trailing slash needed).
    pub base_url: String,
    /// Requests in flight at most (1 = strictly one at a time).
    pub concurrency: usize,
    /// Requests started per second at most; 0 or less = no limit.
    pub requests_per_second: f64,
    /// Timeout of one request, body included.
    pub timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// First back-off delay; doubles with each retry (with jitter).
    pub backoff_base: Duration,
    /// Largest back-off delay.
    pub backoff_max: Duration,
    /// Largest `Retry-After` honoured (longer requests are cut to this).
    pub retry_after_max: Duration,
    /// User-Agent header.
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: crate::api::DEFAULT_API.to_string(),
            concurrency: 1,
            requests_per_second: 5.0,
            timeout: Duration::from_secs(60),
            max_retries: 6,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            retry_after_max: Duration::from_secs(300),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

/// Per-endpoint request counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestStats {
    /// HTTP requests made (retries included).
    pub requests: u64,
    /// Retries (requests beyond the first attempt).
    pub retries: u64,
    /// Requests that failed for good (after retries; 404 included).
    pub errors: u64,
}

/// One list page.
#[derive(Debug)]
pub struct Page {
    /// Page number requested (1-based).
    pub page: u32,
    /// HTTP status (206, or 200 for an empty projects list).
    pub status: u16,
    /// The `Content-Range` header, if sent.
    pub content_range: Option<String>,
    /// The items, each exactly as the server sent its text.
    pub items: Vec<Box<RawValue>>,
}

impl Page {
    /// Parses every item as `T`, keeping the raw text beside it.
    pub fn parse<T: DeserializeOwned>(self) -> Result<Vec<Item<T>>, serde_json::Error> {
        self.items
            .into_iter()
            .map(|raw| {
                let value = serde_json::from_str(raw.get())?;
                Ok(Item { raw, value })
            })
            .collect()
    }
}

/// A response object: its exact raw text and its typed parse.
#[derive(Debug)]
pub struct Item<T> {
    /// Raw JSON text as received.
    pub raw: Box<RawValue>,
    /// Parsed model.
    pub value: T,
}

/// A raw HTTP answer.
struct Answer {
    status: u16,
    body: String,
    content_range: Option<String>,
    retry_after: Option<Duration>,
}

/// Outcome of one attempt.
enum Attempt<T> {
    Done(T),
    Retry(ClientError, Option<Duration>),
    Fail(ClientError),
}

/// Decompresses gzip data, reading at most `limit` bytes of output. A truncated or
/// corrupt stream yields what could be decoded. Returns (text, whether more than
/// `limit` bytes were there).
pub fn gunzip_capped(data: &[u8], limit: u64) -> (Vec<u8>, bool) {
    use std::io::Read;
    let mut out = Vec::new();
    let mut d = flate2::read::MultiGzDecoder::new(data).take(limit + 1);
    let mut buf = [0u8; 64 * 1024];
    loop {
        match d.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let over = out.len() as u64 > limit;
    out.truncate(limit as usize);
    (out, over)
}

/// A fetched log: its text (at most the cap) and whether there was more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedLog {
    /// The text as read, cut to the cap.
    pub text: Vec<u8>,
    /// Whether the log was longer than the cap.
    pub capped: bool,
}

/// The Packit API client. Cheap to share by reference between tasks.
pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    base: String,
    slots: tokio::sync::Semaphore,
    pacer: tokio::sync::Mutex<Option<Instant>>,
    stats: Mutex<BTreeMap<String, RequestStats>>,
    rng: AtomicU64,
}

/// Installs rustls' ring crypto provider as the process default (once; an already
/// installed provider is kept).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Percent-encodes one path segment: everything but `A-Z a-z 0-9 - . _ ~` is escaped.
fn encode_segment(seg: &str, out: &mut String) {
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Encodes an API path (segments separated by `/`) so that the server sees exactly
/// these segments. Refuses `.` and `..` segments, which any URL library resolves away.
pub fn encode_path(path: &str) -> Result<String, ClientError> {
    let mut out = String::with_capacity(path.len() + 8);
    for (i, seg) in path.split('/').enumerate() {
        if seg == "." || seg == ".." {
            return Err(ClientError::UnsafePath {
                path: path.to_string(),
                reason: "it has a `.` or `..` segment",
            });
        }
        if i > 0 {
            out.push('/');
        }
        encode_segment(seg, &mut out);
    }
    Ok(out)
}

/// JSON text exactly as the Packit API (Flask's default provider) writes it: keys
/// sorted, compact separators, every character outside printable ASCII escaped as
/// `\uXXXX` (`ensure_ascii`). The stub server and the demo archive use it, so that
/// stored raw text looks like what the real server sends.
pub fn flask_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_flask(v, &mut out);
    out
}

fn write_flask(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_flask_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_flask(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_flask_str(k, out);
                out.push(':');
                write_flask(&m[k], out);
            }
            out.push('}');
        }
    }
}

fn write_flask_str(s: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl Client {
    /// Builds a client (installing the ring crypto provider if none is).
    pub fn new(cfg: ClientConfig) -> Result<Client, ClientError> {
        install_crypto_provider();
        let base = cfg.base_url.trim_end_matches('/').to_string();
        match reqwest::Url::parse(&base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => return Err(ClientError::BadBase(cfg.base_url.clone())),
        }
        let http = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(30)))
            .pool_max_idle_per_host(cfg.concurrency.max(1))
            .build()
            .map_err(ClientError::Build)?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            ^ (std::process::id() as u64) << 32;
        Ok(Client {
            http,
            slots: tokio::sync::Semaphore::new(cfg.concurrency.max(1)),
            pacer: tokio::sync::Mutex::new(None),
            stats: Mutex::new(BTreeMap::new()),
            rng: AtomicU64::new(seed | 1),
            base,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// Counters per endpoint label so far.
    pub fn stats(&self) -> BTreeMap<String, RequestStats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn count(&self, label: &str, f: impl FnOnce(&mut RequestStats)) {
        let mut m = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        f(m.entry(label.to_string()).or_default());
    }

    /// A number in [0, 1) for jitter (xorshift; no need for quality).
    fn jitter(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .cfg
            .backoff_base
            .saturating_mul(1u32 << retry.min(20))
            .min(self.cfg.backoff_max);
        // "equal jitter": between half and all of the exponential delay
        exp.mul_f64(0.5 + 0.5 * self.jitter())
    }

    async fn pace(&self) {
        if self.cfg.requests_per_second <= 0.0 {
            return;
        }
        let gap = Duration::from_secs_f64(1.0 / self.cfg.requests_per_second);
        let mut next = self.pacer.lock().await;
        let now = Instant::now();
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + gap);
        drop(next);
        if at > now {
            tokio::time::sleep_until(at.into()).await;
        }
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Result<String, ClientError> {
        let mut url = format!("{}/{}", self.base, encode_path(path)?);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            encode_segment(k, &mut url);
            url.push('=');
            encode_segment(v, &mut url);
        }
        Ok(url)
    }

    async fn once(&self, url: &str) -> Result<Answer, ClientError> {
        let transport = |e: reqwest::Error| ClientError::Transport {
            url: url.to_string(),
            message: describe(&e),
        };
        let resp = self.http.get(url).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_range = header("content-range");
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        let bytes = resp.bytes().await.map_err(transport)?;
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Answer {
            status,
            body,
            content_range,
            retry_after,
        })
    }

    /// GETs `path` (relative to the base URL) and hands a successful answer to
    /// `accept`, retrying retryable failures (including a body `accept` rejects as
    /// bad JSON). Counts the request under `label`.
    async fn get_with<T>(
        &self,
        label: &str,
        path: &str,
        query: &[(&str, String)],
        max_retries: u32,
        accept: impl Fn(Answer) -> Result<T, serde_json::Error>,
    ) -> Result<T, ClientError> {
        let url = self.url(path, query)?;
        let mut retry = 0u32;
        loop {
            let attempt = {
                let _slot = self.slots.acquire().await.expect("semaphore never closed");
                self.pace().await;
                self.count(label, |s| {
                    s.requests += 1;
                    if retry > 0 {
                        s.retries += 1;
                    }
                });
                match self.once(&url).await {
                    Err(e) => Attempt::Retry(e, None),
                    Ok(a) => classify(&url, a, &accept),
                }
            };
            match attempt {
                Attempt::Done(v) => return Ok(v),
                Attempt::Fail(e) => {
                    self.count(label, |s| s.errors += 1);
                    return Err(e);
                }
                Attempt::Retry(e, after) => {
                    if retry >= max_retries {
                        self.count(label, |s| s.errors += 1);
                        return Err(e);
                    }
                    let wait = match after {
                        Some(a) => a.min(self.cfg.retry_after_max),
                        None => self.backoff(retry),
                    };
                    tracing::debug!(%url, error = %e, ?wait, "retrying");
                    retry += 1;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// GETs a log file at an absolute http(s) `url` (not relative to the API), once,
    /// paced like every other request and counted under `label`. Reads at most
    /// `cap + 1` bytes of text: a gzip body (a `.gz` URL, a gzip `Content-Encoding` or
    /// the gzip magic bytes) is decompressed, its output capped the same way. 404 and
    /// 410 answers are [`ClientError::NotFound`].
    pub async fn fetch_log(
        &self,
        label: &str,
        url: &str,
        cap: u64,
    ) -> Result<FetchedLog, ClientError> {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(ClientError::UnsafePath {
                path: url.to_string(),
                reason: "only http and https log URLs are fetched",
            });
        }
        let _slot = self.slots.acquire().await.expect("semaphore never closed");
        self.pace().await;
        self.count(label, |s| s.requests += 1);
        let result = self.fetch_log_once(url, cap).await;
        if result.is_err() {
            self.count(label, |s| s.errors += 1);
        }
        result
    }

    async fn fetch_log_once(&self, url: &str, cap: u64) -> Result<FetchedLog, ClientError> {
        let transport = |e: reqwest::Error| ClientError::Transport {
            url: url.to_string(),
            message: describe(&e),
        };
        let mut resp = self.http.get(url).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        if status == 404 || status == 410 {
            return Err(ClientError::NotFound {
                url: url.to_string(),
                message: format!("HTTP {status}"),
            });
        }
        if !(200..=299).contains(&status) {
            return Err(ClientError::Status {
                url: url.to_string(),
                status,
                body: String::new(),
            });
        }
        let gzip_header = resp
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("gzip"));
        let mut raw: Vec<u8> = Vec::new();
        let mut more = false;
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            let room = (cap + 1).saturating_sub(raw.len() as u64) as usize;
            raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if raw.len() as u64 > cap {
                more = true;
                break;
            }
        }
        let lower = url.to_ascii_lowercase();
        let path = lower.split(['?', '#']).next().unwrap_or("");
        let gzip = gzip_header || path.ends_with(".gz") || raw.starts_with(&[0x1f, 0x8b]);
        let (mut text, over) = if gzip {
            let (t, over) = gunzip_capped(&raw, cap);
            // a capped download of compressed data yields less text, cut short
            (t, over || more)
        } else {
            (raw, more)
        };
        let read = text.len() as u64;
        text.truncate(cap as usize);
        Ok(FetchedLog {
            capped: over || read > cap,
            text,
        })
    }

    /// One page of a list endpoint (`per_page` = [`PER_PAGE`]). `query` adds filters
    /// such as `scratch`. The items keep their exact raw text.
    pub async fn list_page(
        &self,
        label: &str,
        path: &str,
        query: &[(&str, String)],
        page: u32,
    ) -> Result<Page, ClientError> {
        let mut q: Vec<(&str, String)> = query.to_vec();
        q.push(("page", page.to_string()));
        q.push(("per_page", PER_PAGE.to_string()));
        self.get_with(label, path, &q, self.cfg.max_retries, |a| {
            let items: Vec<Box<RawValue>> = serde_json::from_str(&a.body)?;
            Ok(Page {
                page,
                status: a.status,
                content_range: a.content_range,
                items,
            })
        })
        .await
    }

    /// A detail endpoint's body, exactly as received (any JSON value).
    pub async fn detail(&self, label: &str, path: &str) -> Result<Box<RawValue>, ClientError> {
        self.get_with(label, path, &[], self.cfg.max_retries, |a| {
            serde_json::from_str::<Box<RawValue>>(&a.body)
        })
        .await
    }

    async fn typed<T: DeserializeOwned>(
        &self,
        label: &str,
        path: &str,
    ) -> Result<Item<T>, ClientError> {
        let raw = self.detail(label, path).await?;
        let value = serde_json::from_str(raw.get()).map_err(|source| ClientError::Json {
            url: self.url(path, &[]).unwrap_or_else(|_| path.to_string()),
            source,
        })?;
        Ok(Item { raw, value })
    }

    async fn typed_page<T: DeserializeOwned>(
        &self,
        label: &str,
        path: &str,
        query: &[(&str, String)],
        page: u32,
    ) -> Result<Vec<Item<T>>, ClientError> {
        let p = self.list_page(label, path, query, page).await?;
        let url = self.url(path, query).unwrap_or_else(|_| path.to_string());
        p.parse()
            .map_err(|source| ClientError::Json { url, source })
    }

    /// `/copr-builds` page.
    pub async fn copr_builds(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::CoprBuildListItem>>, ClientError> {
        self.typed_page("copr-builds", "copr-builds", &[], page)
            .await
    }

    /// `/copr-builds/<id>`: one chroot target.
    pub async fn copr_build(&self, id: i64) -> Result<Item<types::CoprBuildTarget>, ClientError> {
        self.typed("copr-builds/{id}", &format!("copr-builds/{id}"))
            .await
    }

    /// `/koji-builds` page; `scratch`: `None` all, `Some(true)` scratch builds only,
    /// `Some(false)` downstream (non-scratch) builds only.
    pub async fn koji_builds(
        &self,
        page: u32,
        scratch: Option<bool>,
    ) -> Result<Vec<Item<types::KojiBuild>>, ClientError> {
        let q: Vec<(&str, String)> = scratch
            .map(|s| ("scratch", s.to_string()))
            .into_iter()
            .collect();
        self.typed_page("koji-builds", "koji-builds", &q, page)
            .await
    }

    /// `/koji-builds/<id>`.
    pub async fn koji_build(&self, id: i64) -> Result<Item<types::KojiBuild>, ClientError> {
        self.typed("koji-builds/{id}", &format!("koji-builds/{id}"))
            .await
    }

    /// `/srpm-builds` page.
    pub async fn srpm_builds(&self, page: u32) -> Result<Vec<Item<types::SrpmBuild>>, ClientError> {
        self.typed_page("srpm-builds", "srpm-builds", &[], page)
            .await
    }

    /// `/srpm-builds/<id>`.
    pub async fn srpm_build(&self, id: i64) -> Result<Item<types::SrpmBuild>, ClientError> {
        self.typed("srpm-builds/{id}", &format!("srpm-builds/{id}"))
            .await
    }

    /// `/testing-farm/results` page.
    pub async fn testing_farm_results(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::TestingFarmRun>>, ClientError> {
        self.typed_page("testing-farm/results", "testing-farm/results", &[], page)
            .await
    }

    /// `/testing-farm/<id>`.
    pub async fn testing_farm(&self, id: i64) -> Result<Item<types::TestingFarmRun>, ClientError> {
        self.typed("testing-farm/{id}", &format!("testing-farm/{id}"))
            .await
    }

    /// `/runs` page (pipelines merged by SRPM).
    pub async fn runs(&self, page: u32) -> Result<Vec<Item<types::Run>>, ClientError> {
        self.typed_page("runs", "runs", &[], page).await
    }

    /// `/runs/merged/<id>` (see REFERENCE §3.9 for its id-window quirk).
    pub async fn run_merged(&self, id: i64) -> Result<Item<types::Run>, ClientError> {
        self.typed("runs/merged/{id}", &format!("runs/merged/{id}"))
            .await
    }

    /// `/runs/<id>`: the raw pipeline. The server answers some of these with a 500 HTML
    /// page, deterministically; that comes back as [`ClientError::Status`] after at most
    /// one retry, never as a panic.
    pub async fn run(&self, id: i64) -> Result<Box<RawValue>, ClientError> {
        let path = format!("runs/{id}");
        self.get_with("runs/{id}", &path, &[], self.cfg.max_retries.min(1), |a| {
            serde_json::from_str::<Box<RawValue>>(&a.body)
        })
        .await
    }

    /// `/propose-downstream` page (runs).
    pub async fn propose_downstream_runs(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::SyncReleaseRunItem>>, ClientError> {
        self.typed_page("propose-downstream", "propose-downstream", &[], page)
            .await
    }

    /// `/propose-downstream/<target id>`.
    pub async fn propose_downstream(
        &self,
        id: i64,
    ) -> Result<Item<types::SyncReleaseTarget>, ClientError> {
        self.typed(
            "propose-downstream/{id}",
            &format!("propose-downstream/{id}"),
        )
        .await
    }

    /// `/pull-from-upstream` page (runs).
    pub async fn pull_from_upstream_runs(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::SyncReleaseRunItem>>, ClientError> {
        self.typed_page("pull-from-upstream", "pull-from-upstream", &[], page)
            .await
    }

    /// `/pull-from-upstream/<target id>`.
    pub async fn pull_from_upstream(
        &self,
        id: i64,
    ) -> Result<Item<types::SyncReleaseTarget>, ClientError> {
        self.typed(
            "pull-from-upstream/{id}",
            &format!("pull-from-upstream/{id}"),
        )
        .await
    }

    /// `/bodhi-updates` page.
    pub async fn bodhi_updates(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::BodhiUpdate>>, ClientError> {
        self.typed_page("bodhi-updates", "bodhi-updates", &[], page)
            .await
    }

    /// `/bodhi-updates/<id>`.
    pub async fn bodhi_update(&self, id: i64) -> Result<Item<types::BodhiUpdate>, ClientError> {
        self.typed("bodhi-updates/{id}", &format!("bodhi-updates/{id}"))
            .await
    }

    /// `/koji-tag-requests` page.
    pub async fn koji_tag_requests(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::KojiTagRequest>>, ClientError> {
        self.typed_page("koji-tag-requests", "koji-tag-requests", &[], page)
            .await
    }

    /// `/koji-tag-requests/<id>`.
    pub async fn koji_tag_request(
        &self,
        id: i64,
    ) -> Result<Item<types::KojiTagRequest>, ClientError> {
        self.typed("koji-tag-requests/{id}", &format!("koji-tag-requests/{id}"))
            .await
    }

    /// `/openscanhub-scans` page.
    pub async fn openscanhub_scans(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::OpenScanHubScan>>, ClientError> {
        self.typed_page("openscanhub-scans", "openscanhub-scans", &[], page)
            .await
    }

    /// `/openscanhub-scans/<id>`.
    pub async fn openscanhub_scan(
        &self,
        id: i64,
    ) -> Result<Item<types::OpenScanHubScan>, ClientError> {
        self.typed("openscanhub-scans/{id}", &format!("openscanhub-scans/{id}"))
            .await
    }

    /// `/log-detective` page.
    pub async fn log_detective_runs(
        &self,
        page: u32,
    ) -> Result<Vec<Item<types::LogDetectiveRun>>, ClientError> {
        self.typed_page("log-detective", "log-detective", &[], page)
            .await
    }

    /// `/log-detective/<id>`.
    pub async fn log_detective(
        &self,
        id: i64,
    ) -> Result<Item<types::LogDetectiveRun>, ClientError> {
        self.typed("log-detective/{id}", &format!("log-detective/{id}"))
            .await
    }

    /// `/projects` page (ordered by namespace).
    pub async fn projects(&self, page: u32) -> Result<Vec<Item<types::Project>>, ClientError> {
        self.typed_page("projects", "projects", &[], page).await
    }

    /// `/projects/<forge>` page.
    pub async fn projects_of_forge(
        &self,
        forge: &str,
        page: u32,
    ) -> Result<Vec<Item<types::Project>>, ClientError> {
        self.typed_page("projects/{forge}", &format!("projects/{forge}"), &[], page)
            .await
    }

    /// `/projects/<forge>/<namespace>` page (unordered).
    pub async fn projects_of_namespace(
        &self,
        forge: &str,
        namespace: &str,
        page: u32,
    ) -> Result<Vec<Item<types::Project>>, ClientError> {
        self.typed_page(
            "projects/{forge}/{namespace}",
            &format!("projects/{forge}/{namespace}"),
            &[],
            page,
        )
        .await
    }

    /// `/projects/<forge>/<namespace>/<repo>`; `key` is `forge/namespace/repo`.
    pub async fn project(&self, key: &str) -> Result<Item<types::Project>, ClientError> {
        self.typed("projects/{project}", &format!("projects/{key}"))
            .await
    }

    /// `/projects/<key>/prs` page.
    pub async fn project_prs(
        &self,
        key: &str,
        page: u32,
    ) -> Result<Vec<Item<types::ProjectTriggerItem>>, ClientError> {
        self.typed_page(
            "projects/{project}/prs",
            &format!("projects/{key}/prs"),
            &[],
            page,
        )
        .await
    }

    /// `/projects/<key>/branches` page.
    pub async fn project_branches(
        &self,
        key: &str,
        page: u32,
    ) -> Result<Vec<Item<types::ProjectTriggerItem>>, ClientError> {
        self.typed_page(
            "projects/{project}/branches",
            &format!("projects/{key}/branches"),
            &[],
            page,
        )
        .await
    }

    /// `/projects/<key>/releases` page.
    pub async fn project_releases(
        &self,
        key: &str,
        page: u32,
    ) -> Result<Vec<Item<types::ProjectRelease>>, ClientError> {
        self.typed_page(
            "projects/{project}/releases",
            &format!("projects/{key}/releases"),
            &[],
            page,
        )
        .await
    }

    /// `/projects/<key>/issues` page (bare issue numbers).
    pub async fn project_issues(
        &self,
        key: &str,
        page: u32,
    ) -> Result<Vec<Item<i64>>, ClientError> {
        self.typed_page(
            "projects/{project}/issues",
            &format!("projects/{key}/issues"),
            &[],
            page,
        )
        .await
    }

    /// `/usage` (heavy upstream; untyped).
    pub async fn usage(&self) -> Result<Item<serde_json::Value>, ClientError> {
        self.typed("usage", "usage").await
    }

    /// `/system`: service component versions.
    pub async fn system(&self) -> Result<Item<serde_json::Value>, ClientError> {
        self.typed("system", "system").await
    }
}

fn classify<T>(
    url: &str,
    a: Answer,
    accept: &impl Fn(Answer) -> Result<T, serde_json::Error>,
) -> Attempt<T> {
    match a.status {
        200..=299 => {
            let body_len = a.body.len();
            match accept(a) {
                Ok(v) => Attempt::Done(v),
                // A body that does not parse is most likely cut short: retry.
                Err(source) => {
                    tracing::debug!(url, body_len, "unparsable body");
                    Attempt::Retry(
                        ClientError::Json {
                            url: url.to_string(),
                            source,
                        },
                        None,
                    )
                }
            }
        }
        404 => {
            let message = serde_json::from_str::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or_else(|| snippet(&a.body));
            Attempt::Fail(ClientError::NotFound {
                url: url.to_string(),
                message,
            })
        }
        408 | 429 | 500..=599 => Attempt::Retry(
            ClientError::Status {
                url: url.to_string(),
                status: a.status,
                body: a.body,
            },
            a.retry_after,
        ),
        _ => Attempt::Fail(ClientError::Status {
            url: url.to_string(),
            status: a.status,
            body: a.body,
        }),
    }
}

/// A one-line description of a reqwest error, with its causes.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body cut short"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src: Option<&dyn Error> = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_segment_by_segment() {
        assert_eq!(
            encode_path("projects/github.com/a b/<x>").unwrap(),
            "projects/github.com/a%20b/%3Cx%3E"
        );
        assert_eq!(
            encode_path("projects/g/%2e%2e/r").unwrap(),
            "projects/g/%252e%252e/r"
        );
        assert_eq!(
            encode_path("projects/g/ns/ü").unwrap(),
            "projects/g/ns/%C3%BC"
        );
        assert!(matches!(
            encode_path("projects/g/../r"),
            Err(ClientError::UnsafePath { .. })
        ));
        assert!(encode_path("projects/g/./r").is_err());
    }

    #[test]
    fn flask_style_json() {
        let v = serde_json::json!({"b": 1, "a": ["é", "\u{7f}", "\"x\\", "\u{1f389}", "\u{1}", "a\nb"]});
        let text = flask_json(&v);
        assert_eq!(
            text,
            r#"{"a":["\u00e9","\u007f","\"x\\","\ud83c\udf89","\u0001","a\nb"],"b":1}"#
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }

    #[test]
    fn user_agent_names_the_program_and_version() {
        assert!(USER_AGENT.starts_with("packit-pages/"));
        assert!(USER_AGENT.contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn bad_base_is_rejected() {
        let cfg = ClientConfig {
            base_url: "not a url".into(),
            ..ClientConfig::default()
        };
        assert!(matches!(Client::new(cfg), Err(ClientError::BadBase(_))));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = Client::new(ClientConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..ClientConfig::default()
        })
        .unwrap();
        for _ in 0..50 {
            let d0 = c.backoff(0);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d3 = c.backoff(3);
            assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800));
            assert!(c.backoff(30) <= Duration::from_millis(1000));
        }
    }
}
