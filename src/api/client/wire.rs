//! The wire formats of the API: path and query encoding, JSON written as Flask writes
//! it, the `Retry-After` header and gzip-compressed logs.

use super::ClientError;
use std::time::Duration;

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

/// The line put where a capped log was cut; it does not look like an error.
pub const CUT_MARKER: &str = "[packit-pages: the middle of this log was cut to fit the size cap]";

/// Keeps the first and the last half of `cap` bytes of a stream of any length (the
/// errors of a build log are at its end). [`HeadTail::finish`] joins them at line
/// boundaries with a [`CUT_MARKER`] line between.
#[derive(Debug)]
pub struct HeadTail {
    half: usize,
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    total: u64,
}

impl HeadTail {
    /// A sink for a log capped at `cap` bytes.
    pub fn new(cap: u64) -> HeadTail {
        let half = usize::try_from(cap / 2).unwrap_or(usize::MAX / 4).max(1);
        HeadTail {
            half,
            head: Vec::new(),
            tail: std::collections::VecDeque::new(),
            total: 0,
        }
    }

    /// Takes the next bytes of the stream.
    pub fn push(&mut self, mut b: &[u8]) {
        self.total += b.len() as u64;
        let room = self.half.saturating_sub(self.head.len());
        let n = room.min(b.len());
        self.head.extend_from_slice(&b[..n]);
        b = &b[n..];
        if b.len() >= self.half {
            self.tail.clear();
            b = &b[b.len() - self.half..];
        }
        let over = (self.tail.len() + b.len()).saturating_sub(self.half);
        self.tail.drain(..over);
        self.tail.extend(b);
    }

    /// Bytes pushed so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept text and whether anything was cut: the whole stream when it fit,
    /// else its head up to its last whole line, the marker line and its tail from
    /// its first whole line.
    pub fn finish(self) -> (Vec<u8>, bool) {
        let tail: Vec<u8> = self.tail.into_iter().collect();
        let kept = self.head.len() as u64 + tail.len() as u64;
        if kept >= self.total {
            let mut all = self.head;
            all.extend_from_slice(&tail);
            return (all, false);
        }
        let mut head = self.head;
        if let Some(nl) = head.iter().rposition(|&c| c == b'\n') {
            head.truncate(nl + 1);
        } else {
            head.push(b'\n');
        }
        let from = tail.iter().position(|&c| c == b'\n').map_or(0, |i| i + 1);
        head.extend_from_slice(CUT_MARKER.as_bytes());
        head.push(b'\n');
        head.extend_from_slice(&tail[from..]);
        (head, true)
    }
}

impl std::io::Write for HeadTail {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `text` capped at `cap` bytes as [`HeadTail`] keeps it.
pub fn head_and_tail(text: &[u8], cap: u64) -> (Vec<u8>, bool) {
    let mut h = HeadTail::new(cap);
    h.push(text);
    h.finish()
}

/// Percent-encodes one path segment: everything but `A-Z a-z 0-9 - . _ ~` is escaped.
pub(super) fn encode_segment(seg: &str, out: &mut String) {
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

/// The delay of a `Retry-After` header given in seconds (an HTTP date is ignored).
pub(super) fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
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
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn head_and_tail_keep_both_ends() {
        let text: String = (1..=1000).map(|i| format!("line {i}\n")).collect();
        let (all, cut) = head_and_tail(text.as_bytes(), 1 << 20);
        assert!(!cut);
        assert_eq!(all, text.as_bytes());
        let (kept, cut) = head_and_tail(text.as_bytes(), 200);
        let kept = String::from_utf8(kept).unwrap();
        assert!(cut);
        assert!(kept.starts_with("line 1\nline 2\n"), "{kept}");
        assert!(kept.ends_with("line 999\nline 1000\n"), "{kept}");
        assert!(kept.contains(&format!("\n{CUT_MARKER}\n")));
        assert!(
            kept.lines()
                .all(|l| l == CUT_MARKER || l.starts_with("line "))
        );
        // pushed in small pieces, the same
        let mut h = HeadTail::new(200);
        for c in text.as_bytes().chunks(7) {
            h.push(c);
        }
        assert_eq!(h.total(), text.len() as u64);
        assert_eq!(String::from_utf8(h.finish().0).unwrap(), kept);
    }
}
