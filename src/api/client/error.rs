//! What can go wrong with a request ([`ClientError`]) and how an answer is classified:
//! accepted, retried (5xx, 408, 429, a body that does not parse) or failed.

use std::time::Duration;

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
    /// The URL cannot be requested at all (never retried: it cannot succeed).
    #[error("GET {}: not a valid URL ({} bytes): {message}", snippet(url), url.len())]
    InvalidUrl {
        /// Requested URL.
        url: String,
        /// What the HTTP client said.
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

/// A raw HTTP answer.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: String,
    pub(super) content_range: Option<String>,
    pub(super) retry_after: Option<Duration>,
}

/// Outcome of one attempt.
pub(super) enum Attempt<T> {
    Done(T),
    Retry(ClientError, Option<Duration>),
    Fail(ClientError),
}

/// The outcome of one answer to a GET of `url`; `accept` parses a successful body.
pub(super) fn classify<T>(
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
pub(super) fn describe(e: &reqwest::Error) -> String {
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
