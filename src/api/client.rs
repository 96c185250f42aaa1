//! The HTTP client of the Packit API: polite (one request at a time by default, a
//! requests-per-second limit, a User-Agent naming packit-pages), persistent (retries
//! with exponential back-off and jitter on 5xx, timeouts, resets and truncated or
//! non-JSON bodies, honouring `Retry-After`), and exact: list pages are parsed as
//! `Vec<Box<RawValue>>`, so every item's raw text reaches the archive unchanged.
//! Typed access parses the raw text into the models of [`crate::api::types`]
//! ([`Client::detail_item`], [`Client::list_items`]).
//!
//! Errors and the retry classification are in `error`, the wire formats (path
//! encoding, Flask-style JSON, gzip) in `wire`.

mod error;
mod pacer;
mod wire;

pub use self::pacer::{Hold, Pacer};

pub use self::error::ClientError;
use self::error::{Answer, Attempt, classify, describe};
pub use self::wire::{CUT_MARKER, HeadTail, encode_path, flask_json, gunzip_capped, head_and_tail};
use self::wire::{encode_segment, parse_retry_after};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!(
    "packit-pages/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/packit/packit-pages)"
);

/// Items per list page; the largest value the API accepts.
pub const PER_PAGE: u32 = 50;

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
    /// The politeness budget shared with other clients (`None`: one of its own).
    pub pacer: Option<Pacer>,
    /// Whether this client's requests go before those of non-urgent clients that
    /// share its pacer (a message's refresh before a poll).
    pub urgent: bool,
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
            pacer: None,
            urgent: false,
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
/// A fetched log: its text (at most the cap) and whether there was more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedLog {
    /// The text as read; when capped, its head, a [`CUT_MARKER`] line and its tail.
    pub text: Vec<u8>,
    /// Whether the log was longer than the cap.
    pub capped: bool,
    /// Bytes of text read (the whole log unless reading stopped at
    /// [`LOG_READ_FACTOR`] times the cap).
    pub size: u64,
}

/// A log is read up to this many times the log cap (then only its head and tail
/// are kept); beyond, reading stops.
pub const LOG_READ_FACTOR: u64 = 32;

/// The Packit API client. Cheap to share by reference between tasks.
pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    base: String,
    slots: tokio::sync::Semaphore,
    pacer: Pacer,
    stats: Mutex<BTreeMap<String, RequestStats>>,
    rng: AtomicU64,
}

/// Installs rustls' ring crypto provider as the process default (once; an already
/// installed provider is kept).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
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
            pacer: cfg.pacer.clone().unwrap_or_default(),
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
        self.pacer
            .pace(self.cfg.requests_per_second, self.cfg.urgent)
            .await;
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
        let resp = self.http.get(url).send().await.map_err(|e| {
            if e.is_builder() {
                ClientError::InvalidUrl {
                    url: url.to_string(),
                    message: snippet_of(&describe(&e)),
                }
            } else {
                transport(e)
            }
        })?;
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
                    Err(e @ ClientError::InvalidUrl { .. }) => Attempt::Fail(e),
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
        let lower = url.to_ascii_lowercase();
        let path = lower.split(['?', '#']).next().unwrap_or("");
        // the whole log is read (its errors are at its end) but only its head and
        // tail are kept; reading stops at LOG_READ_FACTOR times the cap
        let limit = cap.saturating_mul(LOG_READ_FACTOR);
        let mut plain = HeadTail::new(cap);
        let mut gz: Option<flate2::write::MultiGzDecoder<HeadTail>> = None;
        let mut first = true;
        let mut raw_read = 0u64;
        let mut stopped = false;
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if first {
                first = false;
                if gzip_header || path.ends_with(".gz") || chunk.starts_with(&[0x1f, 0x8b]) {
                    let sink = std::mem::replace(&mut plain, HeadTail::new(cap));
                    gz = Some(flate2::write::MultiGzDecoder::new(sink));
                }
            }
            raw_read += chunk.len() as u64;
            match &mut gz {
                Some(d) => {
                    use std::io::Write;
                    // a corrupt stream keeps what could be decoded
                    if d.write_all(&chunk).is_err() {
                        break;
                    }
                    if d.get_ref().total() > limit {
                        stopped = true;
                        break;
                    }
                }
                None => plain.push(&chunk),
            }
            if raw_read > limit {
                stopped = true;
                break;
            }
        }
        let sink = match gz {
            Some(mut d) => {
                // a truncated stream keeps what could be decoded
                let _ = d.try_finish();
                std::mem::replace(d.get_mut(), HeadTail::new(cap))
            }
            None => plain,
        };
        let size = sink.total();
        let (text, cut) = sink.finish();
        Ok(FetchedLog {
            capped: cut || stopped,
            text,
            size,
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
        self.detail_with_retries(label, path, self.cfg.max_retries)
            .await
    }

    /// [`Client::detail`] with at most `max_retries` retries instead of the configured
    /// number (e.g. `/runs/<id>`, which the server answers for some pipelines with a
    /// 500 HTML page, deterministically).
    pub async fn detail_with_retries(
        &self,
        label: &str,
        path: &str,
        max_retries: u32,
    ) -> Result<Box<RawValue>, ClientError> {
        self.get_with(label, path, &[], max_retries, |a| {
            serde_json::from_str::<Box<RawValue>>(&a.body)
        })
        .await
    }

    /// A detail endpoint's body parsed as `T` (a model of [`crate::api::types`]),
    /// beside its raw text.
    pub async fn detail_item<T: DeserializeOwned>(
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

    /// One list page's items parsed as `T`, each beside its raw text.
    pub async fn list_items<T: DeserializeOwned>(
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
}

/// The first 200 characters of a client error message (it may quote the URL).
fn snippet_of(s: &str) -> String {
    s.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_the_program_and_version() {
        assert!(USER_AGENT.starts_with("packit-pages/"));
        assert!(USER_AGENT.contains(env!("CARGO_PKG_VERSION")));
    }

    #[tokio::test]
    async fn an_invalid_url_is_not_a_transport_error_and_its_message_is_short() {
        let c = Client::new(ClientConfig::default()).unwrap();
        let url = format!("http://a b/{}", "x".repeat(100_000));
        let e = c.once(&url).await.err().expect("fails");
        assert!(matches!(e, ClientError::InvalidUrl { .. }), "{e}");
        assert!(e.to_string().len() < 600, "{} bytes", e.to_string().len());
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
