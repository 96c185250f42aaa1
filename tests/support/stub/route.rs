//! What the stub answers: the route of a request to its list page, detail or 404 in
//! the real server's words, and the log files tests point jobs at.

use super::*;

/// A list body with the `builds` and `tests` arrays of each item shuffled (Fisher-Yates
/// from a draw of `seed` and `n`), in the server's JSON form.
pub(super) fn shuffle_pr_arrays(body: &str, seed: u64, n: u64) -> String {
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
pub(super) async fn serve_log(sock: &mut TcpStream, target: &str, head_only: bool) -> Option<u16> {
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

pub(super) fn route(data: &Served, target: &str) -> Answer {
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
