//! `serve` speaks HTTP as the library it runs on does: several requests on one
//! connection, HEAD, conditional GET (304), byte ranges (206) and percent-encoded
//! paths, while HTML still gets the reload script and what is missing the site's
//! 404 page. (The reload stream and the path-traversal refusal: `watch.rs`.)

use crate::support::TempDir;

use packit_pages::serve::{RELOAD_SCRIPT, Server};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One response as read from the connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Header names in lower case.
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// A client connection that sends requests one after the other.
struct Client(BufReader<TcpStream>);

impl Client {
    fn connect(server: &Server) -> Client {
        let s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client(BufReader::new(s))
    }

    /// Sends `method path` with `headers` and reads the one response (its body by
    /// `Content-Length`; none for HEAD and 304).
    fn ask(&mut self, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        self.0.get_mut().write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line: {line:?}"));
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            self.0.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
        }
        let len: usize = match headers.get("content-length") {
            Some(n) if method != "HEAD" && status != 304 => n.parse().unwrap(),
            _ => 0,
        };
        let mut body = vec![0; len];
        self.0.read_exact(&mut body).unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// A small site: a home page, a stylesheet, a log under a name that needs
/// percent-encoding, and the 404 page.
fn site(tag: &str) -> (TempDir, Server) {
    let dir = TempDir::new(tag);
    std::fs::write(
        dir.join("index.html"),
        "<html><body><p>home</p></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("style.css"), "p{color:red}").unwrap();
    std::fs::create_dir_all(dir.join("logs/a b")).unwrap();
    std::fs::write(dir.join("logs/a b/büild.txt"), "línea 1\n").unwrap();
    std::fs::write(dir.join("404.html"), "<html><body>missing</body></html>").unwrap();
    let server = Server::start(dir.path(), "127.0.0.1:0".parse().unwrap()).unwrap();
    (dir, server)
}

#[test]
fn one_connection_carries_several_requests() {
    let (_dir, server) = site("serve-keepalive");
    let mut c = Client::connect(&server);
    let css = c.ask("GET", "/style.css", &[]);
    assert_eq!((css.status, css.text().as_str()), (200, "p{color:red}"));
    let home = c.ask("GET", "/", &[]);
    assert_eq!(home.status, 200, "{home:?}");
    assert!(home.text().contains("<p>home</p>") && home.text().contains(RELOAD_SCRIPT));
    let missing = c.ask("GET", "/nope/", &[]);
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("missing"), "{missing:?}");
    let again = c.ask("GET", "/style.css", &[]);
    assert_eq!(again.status, 200);
}

#[test]
fn head_answers_the_headers_of_a_get() {
    let (_dir, server) = site("serve-head");
    let mut c = Client::connect(&server);
    let head = c.ask("HEAD", "/style.css", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), "12");
    assert!(
        head.header("content-type").starts_with("text/css"),
        "{head:?}"
    );
    // an HTML page: the length of what a GET answers, the script included
    let head = c.ask("HEAD", "/", &[]);
    let get = c.ask("GET", "/", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), get.body.len().to_string());
    assert_eq!(head.header("content-type"), get.header("content-type"));
    // the missing page: a 404 with the 404 page's length
    let head = c.ask("HEAD", "/nope/", &[]);
    let get = c.ask("GET", "/nope/", &[]);
    assert_eq!((head.status, get.status), (404, 404));
    assert_eq!(head.header("content-length"), get.body.len().to_string());
}

#[test]
fn a_conditional_get_of_an_unchanged_file_is_answered_304() {
    let (_dir, server) = site("serve-304");
    let mut c = Client::connect(&server);
    for path in ["/style.css", "/"] {
        let first = c.ask("GET", path, &[]);
        let stamp = first.header("last-modified").to_string();
        assert!(!stamp.is_empty(), "{first:?}");
        let again = c.ask("GET", path, &[("If-Modified-Since", &stamp)]);
        assert_eq!(again.status, 304, "{path}: {again:?}");
        assert!(again.body.is_empty());
        let older = c.ask(
            "GET",
            path,
            &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        );
        assert_eq!(older.status, 200, "{path}");
    }
    // what does not exist is the 404 page, whatever the client has
    let missing = c.ask(
        "GET",
        "/nope/",
        &[("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")],
    );
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("missing"));
}

#[test]
fn a_range_request_is_answered_206_except_for_html() {
    let (_dir, server) = site("serve-range");
    let mut c = Client::connect(&server);
    let part = c.ask("GET", "/style.css", &[("Range", "bytes=2-6")]);
    assert_eq!(part.status, 206, "{part:?}");
    assert_eq!(part.text(), "color");
    assert_eq!(part.header("content-range"), "bytes 2-6/12");
    // a page is served whole: a range of it with the script would not be one of the file
    let page = c.ask("GET", "/", &[("Range", "bytes=0-3")]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(RELOAD_SCRIPT));
}

#[test]
fn percent_encoded_paths_name_their_files() {
    let (_dir, server) = site("serve-percent");
    let mut c = Client::connect(&server);
    let log = c.ask("GET", "/logs/a%20b/b%C3%BCild.txt", &[]);
    assert_eq!(log.status, 200, "{log:?}");
    assert_eq!(log.text(), "línea 1\n");
    assert_eq!(log.header("content-type"), "text/plain; charset=utf-8");
    // an encoded `..` is refused like a plain one
    let up = c.ask("GET", "/logs/%2e%2e/%2e%2e/etc/passwd", &[]);
    assert_eq!(up.status, 400);
}
