//! The patterns by which the failure box's extraction (`extract.rs`) sorts the
//! lines of a build log: what each tool of the field prints when something broke
//! (a cause), what it prints around a cause (the detail lines that follow), what
//! only wraps or sums up a failure (rpmbuild's `Bad exit status`, make's `***`,
//! mock's `ERROR: Exception(…)`), and everything else (noise). Pure functions of
//! one line, without allocation: a general rule set per tool, not a list of lines.

/// What a line is to a reader looking for why a build failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Everything else.
    Noise,
    /// A line that only wraps or sums up a failure told elsewhere.
    Wrapper,
    /// Generic error wording: shown after the causes.
    Weak,
    /// A tool's own wording for what broke.
    Cause,
}

/// Which lines after a cause belong to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// None.
    Nothing,
    /// The compiler's source excerpt (`  12 |  code`, `     |  ^~~`, `--> file:1:2`).
    Excerpt,
    /// A header: the next lines up to a blank line (the test and its message, the
    /// missing providers, the files).
    Block,
    /// A pytest section header: the `E   …` lines of its section.
    Pytest,
    /// Python's `Traceback (most recent call last):`: the cause is the exception
    /// line that ends the traceback.
    Traceback,
}

/// The class of a line and which lines belong to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub class: Class,
    pub follow: Follow,
}

const NOISE: Rule = rule(Class::Noise, Follow::Nothing);
const WRAPPER: Rule = rule(Class::Wrapper, Follow::Nothing);
const WEAK: Rule = rule(Class::Weak, Follow::Nothing);
const CAUSE: Rule = rule(Class::Cause, Follow::Nothing);

const fn rule(class: Class, follow: Follow) -> Rule {
    Rule { class, follow }
}

/// The line without the prefix its log system adds: the Open Build Service's
/// `[  12s] `, a CI runner's ISO time stamp, mock's `DEBUG util.py:446:  `.
pub fn body(line: &str) -> &str {
    let b = line.as_bytes();
    if b.first() == Some(&b'[') {
        let digits = b[1..]
            .iter()
            .take_while(|c| **c == b' ' || c.is_ascii_digit())
            .count();
        if digits > 0 && b[1 + digits..].starts_with(b"s] ") {
            return &line[digits + 4..];
        }
    }
    if b.len() > 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b'T'
        && let Some(z) = line.get(..40).unwrap_or(line).find("Z ")
    {
        return &line[z + 2..];
    }
    for level in ["DEBUG ", "INFO ", "WARNING ", "ERROR "] {
        if let Some(rest) = line.strip_prefix(level)
            && let Some(colon) = rest.find(".py:")
            && let Some(end) = rest[colon + 4..].find(":  ")
            && rest[colon + 4..colon + 4 + end]
                .bytes()
                .all(|c| c.is_ascii_digit())
        {
            return &rest[colon + 4 + end + 3..];
        }
    }
    line
}

/// Whether `body` starts an rpmbuild section (`Executing(%build): …`): causes
/// printed before the last one come from a section that succeeded.
pub fn phase_start(body: &str) -> bool {
    body.starts_with("Executing(%")
}

/// A line and the set of bytes in it: a pattern with a byte the line lacks is
/// not searched for (one pass over the line instead of one per pattern).
struct Line<'a> {
    text: &'a str,
    bytes: [u64; 4],
}

impl<'a> Line<'a> {
    fn new(text: &'a str) -> Self {
        let mut bytes = [0u64; 4];
        for b in text.bytes() {
            bytes[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        Line { text, bytes }
    }

    /// Whether the line contains `pattern`.
    fn has(&self, pattern: &str) -> bool {
        pattern
            .bytes()
            .all(|b| self.bytes[usize::from(b >> 6)] >> (b & 63) & 1 == 1)
            && self.text.contains(pattern)
    }
}

/// Bytes of a line the rules look at.
const HEAD: usize = 240;

/// The first `n` bytes of `s` (fewer, at a character boundary).
fn head(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The class of a line (without its log system's prefix, see [`body`]).
pub fn classify(body: &str) -> Rule {
    // what a reader sees of a line (the box shows 300 characters): the rules
    // look at its head only, so that a long command line costs no more
    let body = head(body, HEAD);
    let t = body.trim();
    if t.len() < 3 || t.starts_with("+ ") {
        // shell trace (`set -x`): a command, not its outcome
        return NOISE;
    }
    let l = &Line::new(t);
    if let Some(r) = wrapper(l, t) {
        return r;
    }
    if let Some(r) = infrastructure(l, t) {
        return r;
    }
    if let Some(r) = build_system(l, t) {
        return r;
    }
    if let Some(r) = compiler(l, t) {
        return r;
    }
    if let Some(r) = packaging(l, t) {
        return r;
    }
    if let Some(r) = tests(l, body, t) {
        return r;
    }
    generic(l, t)
}

/// Lines that wrap or sum up a failure told on other lines.
fn wrapper(l: &Line<'_>, t: &str) -> Option<Rule> {
    const STARTS: &[&str] = &[
        "Bad exit status from",
        "error: Bad exit status from",
        "RPM build errors:",
        "ERROR: Exception(",
        "ERROR: Command failed",
        "EXCEPTION:",
        "Error: Command failed",
        "Child return code was",
        "Copr build error:",
        "Errors while running CTest",
        "ninja: build stopped",
        "error: could not compile",
        "test result: FAILED",
        "error: test failed, to rerun pass",
        "Not all dependencies satisfied",
        "Error: Some packages could not be found",
        "Error: Unable to find a match",
        "You can try to add to command line",
        "podman build command failed",
        "Gem::Ext::BuildError:",
        "npm ERR! code ",
        "npm ERR! errno",
        "npm ERR! Failed at the",
        "npm ERR! A complete log",
        "npm ERR! This is probably not a problem",
        "Error: Process completed with exit code",
        "Done. Your build exited with",
        "[ERROR] Failed to execute goal",
        "[ERROR] -> [Help",
        "BUILD FAILED",
        "FAILURE: Build failed",
        "FAIL\t",
        "!!!!",
        "error: Command failed",
    ];
    if STARTS.iter().any(|s| t.starts_with(s)) || t == "FAIL" {
        return Some(WRAPPER);
    }
    let make = t.starts_with("make") || t.starts_with("gmake");
    if (make && l.has(": *** ") && !l.has("No rule to make target"))
        || (make && l.has("not remade because of errors"))
        || l.has("ld returned 1 exit status")
        || l.has("some warnings being treated as errors")
        || (t.starts_with("The command \"") && l.has("\" exited with"))
        || l.has(" failed \"build ")
        || (t.starts_with("> Task :") && t.ends_with(" FAILED"))
    {
        return Some(WRAPPER);
    }
    // test runners' and rpmlint's summaries
    if (t.starts_with('=') && (l.has(" failed") || l.has(" error")))
        || (l.has(" assertions, ") && l.has(" failures"))
        || (l.has(" examples, ") && l.has(" failure"))
        || (l.has(" packages and ") && l.has(" specfiles checked"))
    {
        return Some(WRAPPER);
    }
    // maven's boilerplate around its errors
    if let Some(rest) = t.strip_prefix("[ERROR]") {
        const BOILERPLATE: &[&str] = &[
            "To see",
            "Re-run",
            "For more information",
            "After correcting",
            "mvn ",
            "[Help",
            "symbol:",
            "location:",
            "COMPILATION ERROR",
        ];
        let r = rest.trim_start();
        if r.is_empty() || BOILERPLATE.iter().any(|b| r.starts_with(b)) {
            return Some(NOISE);
        }
    }
    None
}

/// make, configure, cmake, meson, ninja.
fn build_system(l: &Line<'_>, t: &str) -> Option<Rule> {
    if l.has("No rule to make target")
        || t.starts_with("configure: error:")
        || l.has("ERROR: Dependency")
        || (l.has(".build:") && l.has(": ERROR:"))
    {
        return Some(CAUSE);
    }
    if t.starts_with("CMake Error") {
        return Some(rule(Class::Cause, Follow::Block));
    }
    if let Some(target) = t.strip_prefix("FAILED: ")
        && !target.split(' ').next().is_some_and(|w| w.ends_with(':'))
    {
        // ninja's failed target (not Koji's `FAILED: BuildError: …`): the
        // compiler's lines after it say why
        return Some(WEAK);
    }
    None
}

/// gcc, clang, ld, rustc, javac, tsc, go.
fn compiler(l: &Line<'_>, t: &str) -> Option<Rule> {
    let excerpt = rule(Class::Cause, Follow::Excerpt);
    if t.starts_with("error[E") || l.has("fatal error:") {
        return Some(excerpt);
    }
    if l.has(": error")
        && let Some(at) = t.find(": error:").or_else(|| t.find(": error "))
    {
        // `file.c:12:5: error: …`, `src/x.ts(3,4): error TS2304: …`, `[ERROR] X.java:[1,2] …`
        return Some(if located(&t[..at]) { excerpt } else { WEAK });
    }
    if l.has("undefined reference to")
        || l.has("multiple definition of")
        || l.has("ld: cannot find -l")
        || l.has(": undefined symbol: ")
        || (t.starts_with("[ERROR]") && l.has(".java:["))
    {
        return Some(CAUSE);
    }
    // go's compiler: `./x.go:12:3: undefined: foo`
    let first = t.split(' ').next().unwrap_or(t);
    if first.contains(".go:")
        && first.ends_with(':')
        && first.matches(':').count() >= 3
        && located(&first[..first.len() - 1])
    {
        return Some(excerpt);
    }
    None
}

/// Whether `prefix` ends in a source location: `file:12`, `file:12:5`,
/// `file(3,4)`, `File.java:[1,2]` (a path without spaces).
fn located(prefix: &str) -> bool {
    let p = prefix.trim_end().trim_end_matches([')', ']']);
    if !p.ends_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let head = p.trim_end_matches(|c: char| c.is_ascii_digit() || c == ',' || c == ':');
    let marked = p[head.len()..].starts_with(':') || head.ends_with('(') || head.ends_with(":[");
    let path = head.trim_end_matches(['(', '[', ':']);
    marked && !path.is_empty() && !path.contains(' ')
}

/// rpmbuild (spec, %prep patches, %files), dnf and yum.
fn packaging(l: &Line<'_>, t: &str) -> Option<Rule> {
    const CAUSES: &[&str] = &[
        "File not found:",
        "Directory not found:",
        "Hunk #",
        "hunk FAILED",
        "hunks FAILED",
        "can't find file to patch",
        "No file to patch",
        "Reversed (or previously applied) patch detected",
        "Unknown tag:",
        "Bad source:",
        "Empty %files file",
        "Could not open %files file",
        "No matching package to install:",
        "No match for argument:",
        "Packages for argument",
        "nothing provides",
        "Cannot find a valid baseurl for repo",
        "Failed to download metadata for repo",
        "Status code: 404",
        "conflicts with file from package",
        "is needed by",
        "Unable to find a match:",
    ];
    if t.starts_with("Hunk #") && !l.has("FAILED") {
        // `Hunk #1 succeeded at 581 (offset 20 lines).`
        return Some(NOISE);
    }
    if l.has("Installed (but unpackaged) file(s) found")
        || t.starts_with("error: Failed build dependencies")
        || t.starts_with("Problem:")
        || (t.starts_with("Problem ") && t[8..].starts_with(|c: char| c.is_ascii_digit()))
    {
        return Some(rule(Class::Cause, Follow::Block));
    }
    if t.starts_with("Failed to resolve the transaction") {
        return Some(rule(Class::Weak, Follow::Block));
    }
    if CAUSES.iter().any(|p| l.has(p))
        || (t.starts_with("error: line ") && t[12..].starts_with(|c: char| c.is_ascii_digit()))
        || (t.starts_with("No package ") && t.ends_with(" available."))
    {
        return Some(CAUSE);
    }
    // rpmlint: `pkg.x86_64: E: check-name details`
    if l.has(": E: ")
        && let Some(at) = t.find(": E: ")
        && !t[..at].contains(' ')
    {
        return Some(CAUSE);
    }
    None
}

/// Test runners and interpreters: pytest, unittest, Python tracebacks, minitest,
/// rspec, rubocop, go test, cargo test, node, TAP, ctest, perl.
fn tests(l: &Line<'_>, body: &str, t: &str) -> Option<Rule> {
    let block = rule(Class::Cause, Follow::Block);
    if t.starts_with("Traceback (most recent call last)") {
        return Some(rule(Class::Cause, Follow::Traceback));
    }
    // pytest: `____ test_x ____` opens a failure's section; `E   …` is its message
    if t.len() > 10 && t.starts_with("___") && t.ends_with("___") && t.trim_matches('_').len() > 1 {
        return Some(rule(Class::Cause, Follow::Pytest));
    }
    if t.starts_with("E   ") || t.starts_with("FAILED ") || t.starts_with("ERROR collecting") {
        return Some(CAUSE);
    }
    if let Some(rest) = t.strip_prefix("ERROR ")
        && (rest.contains("::") || rest.contains(".py"))
    {
        return Some(CAUSE);
    }
    // unittest: `FAIL: test_x (mod.Class)`
    if (t.starts_with("FAIL: ") || t.starts_with("ERROR: test")) && t.ends_with(')') {
        return Some(CAUSE);
    }
    // minitest `Failure:` / `Error:` / `1) Failure:`; rspec `Failure/Error:`
    let numbered = t.trim_start_matches(|c: char| c.is_ascii_digit());
    let numbered = numbered.strip_prefix(") ").unwrap_or(t);
    if matches!(numbered, "Failure:" | "Error:") || t.starts_with("Failure/Error:") {
        return Some(block);
    }
    if t.starts_with("rspec ./") && l.has(" # ") {
        return Some(CAUSE);
    }
    // rubocop: `lib/x.rb:158:17: C: Cop/Name: message`
    for sev in [": C: ", ": W: ", ": F: "] {
        if l.has(sev)
            && let Some(at) = t.find(sev)
            && located(&t[..at])
            && t[at + 5..]
                .split(' ')
                .next()
                .is_some_and(|c| c.contains('/'))
        {
            return Some(CAUSE);
        }
    }
    // go test, cargo test
    if t.starts_with("--- FAIL:") {
        return Some(block);
    }
    if t.starts_with("panic: ") || (t.starts_with("thread '") && l.has("' panicked at")) {
        return Some(rule(Class::Cause, Follow::Excerpt));
    }
    if t.starts_with("---- ") && t.ends_with(" stdout ----") {
        return Some(block);
    }
    // ctest
    if l.has("Test #")
        && (l.has("***Failed") || l.has("***Exception") || l.has("Subprocess aborted"))
    {
        return Some(CAUSE);
    }
    if t.starts_with("The following tests FAILED") {
        return Some(block);
    }
    // node, TAP, perl, ruby
    if l.has("Cannot find module")
        || (t.starts_with("not ok ") && t[7..].starts_with(|c: char| c.is_ascii_digit()))
        || t.starts_with("Can't locate ")
        || t.starts_with("An error occurred while ")
        || l.has("Could not find gem")
        || t.starts_with("Exception in thread")
        || (l.has(" > ") && t.ends_with(" FAILED"))
    {
        return Some(CAUSE);
    }
    if exception(body.trim_start()) {
        return Some(CAUSE);
    }
    None
}

/// Whether `t` is an exception as Python, node and ruby print it:
/// `ModuleNotFoundError: No module named 'x'`, `AssertionError: expected 1`.
pub fn exception(t: &str) -> bool {
    let name = t.split(':').next().unwrap_or(t);
    let rest = &t[name.len()..];
    let last = name.rsplit('.').next().unwrap_or(name);
    !name.is_empty()
        && (rest.is_empty() || rest.starts_with(": "))
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        && last.starts_with(|c: char| c.is_ascii_uppercase())
        && last.len() > "Error".len()
        && (last.ends_with("Error") || last.ends_with("Exception") || last.ends_with("Exit"))
}

/// The build systems' and services' own failures: Koji, Copr, OBS, kiwi, the
/// kernel (out of memory, disk full).
fn infrastructure(l: &Line<'_>, t: &str) -> Option<Rule> {
    const CAUSES: &[&str] = &[
        "FAILED: BuildError",
        "missing packages",
        "Copr timeout",
        "Backend process error",
        "Giving up waiting for",
        "KiwiScriptFailed",
        "No space left on device",
        "Out of memory",
        "oom-kill",
        "Segmentation fault",
    ];
    if t.starts_with("BuildError:")
        || t.starts_with("GenericError:")
        || t.starts_with("BuildrootError")
        || CAUSES.iter().any(|p| l.has(p))
    {
        return Some(CAUSE);
    }
    if t.starts_with("Error: building at STEP") || (t.starts_with("Task ") && l.has(" failed")) {
        return Some(WEAK);
    }
    None
}

/// Generic error wording, shown after the tools' own.
fn generic(l: &Line<'_>, t: &str) -> Rule {
    const STARTS: &[&str] = &[
        "error:", "Error:", "ERROR:", "ERROR ", "error ", "fatal:", "FATAL", "npm ERR!", "[ ERROR",
    ];
    if STARTS.iter().any(|s| t.starts_with(s))
        || l.has(": error:")
        || l.has("No such file or directory")
        || l.has("command not found")
        || l.has("command failed")
        || l.has("Permission denied")
        || l.has("timed out")
        || l.has("HTTP Error ")
        || l.has("Could not resolve host")
    {
        return WEAK;
    }
    NOISE
}

/// Whether `line` is part of a compiler's source excerpt under a diagnostic.
pub fn excerpt(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("--> ") || t.starts_with("= ") {
        return true;
    }
    let gutter = t
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    gutter.starts_with('|') && line.starts_with(' ')
}

/// Whether `line` is only an excerpt's empty gutter (`   |`).
pub fn bare_gutter(line: &str) -> bool {
    line.trim() == "|"
}
