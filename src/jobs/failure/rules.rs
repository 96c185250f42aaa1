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
    if b.first() == Some(&b'[')
        && let Some(end) = line.find("s] ")
        && end > 1
        && b[1..end].iter().all(|c| *c == b' ' || c.is_ascii_digit())
    {
        return &line[end + 3..];
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

/// The class of a line (without its log system's prefix, see [`body`]).
pub fn classify(body: &str) -> Rule {
    let t = body.trim();
    if t.len() < 3 || t.starts_with("+ ") {
        // shell trace (`set -x`): a command, not its outcome
        return NOISE;
    }
    if let Some(r) = wrapper(t) {
        return r;
    }
    if let Some(r) = infrastructure(t) {
        return r;
    }
    if let Some(r) = build_system(t) {
        return r;
    }
    if let Some(r) = compiler(t) {
        return r;
    }
    if let Some(r) = packaging(t) {
        return r;
    }
    if let Some(r) = tests(body, t) {
        return r;
    }
    generic(t)
}

/// Lines that wrap or sum up a failure told on other lines.
fn wrapper(t: &str) -> Option<Rule> {
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
    if (make && t.contains(": *** ") && !t.contains("No rule to make target"))
        || (make && t.contains("not remade because of errors"))
        || t.contains("ld returned 1 exit status")
        || t.contains("some warnings being treated as errors")
        || (t.starts_with("The command \"") && t.contains("\" exited with"))
        || t.contains(" failed \"build ")
        || (t.starts_with("> Task :") && t.ends_with(" FAILED"))
    {
        return Some(WRAPPER);
    }
    // test runners' and rpmlint's summaries
    if (t.starts_with('=') && (t.contains(" failed") || t.contains(" error")))
        || (t.contains(" assertions, ") && t.contains(" failures"))
        || (t.contains(" examples, ") && t.contains(" failure"))
        || (t.contains(" packages and ") && t.contains(" specfiles checked"))
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
fn build_system(t: &str) -> Option<Rule> {
    if t.contains("No rule to make target")
        || t.starts_with("configure: error:")
        || t.contains("ERROR: Dependency")
        || (t.contains(".build:") && t.contains(": ERROR:"))
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
fn compiler(t: &str) -> Option<Rule> {
    let excerpt = rule(Class::Cause, Follow::Excerpt);
    if t.starts_with("error[E") || t.contains("fatal error:") {
        return Some(excerpt);
    }
    if let Some(at) = t.find(": error:").or_else(|| t.find(": error ")) {
        // `file.c:12:5: error: …`, `src/x.ts(3,4): error TS2304: …`, `[ERROR] X.java:[1,2] …`
        return Some(if located(&t[..at]) { excerpt } else { WEAK });
    }
    if t.contains("undefined reference to")
        || t.contains("multiple definition of")
        || t.contains("ld: cannot find -l")
        || t.contains(": undefined symbol: ")
        || (t.starts_with("[ERROR]") && t.contains(".java:["))
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
fn packaging(t: &str) -> Option<Rule> {
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
    if t.starts_with("Hunk #") && !t.contains("FAILED") {
        // `Hunk #1 succeeded at 581 (offset 20 lines).`
        return Some(NOISE);
    }
    if t.contains("Installed (but unpackaged) file(s) found")
        || t.starts_with("error: Failed build dependencies")
        || t.starts_with("Problem:")
        || (t.starts_with("Problem ") && t[8..].starts_with(|c: char| c.is_ascii_digit()))
    {
        return Some(rule(Class::Cause, Follow::Block));
    }
    if t.starts_with("Failed to resolve the transaction") {
        return Some(rule(Class::Weak, Follow::Block));
    }
    if CAUSES.iter().any(|p| t.contains(p))
        || (t.starts_with("error: line ") && t[12..].starts_with(|c: char| c.is_ascii_digit()))
        || (t.starts_with("No package ") && t.ends_with(" available."))
    {
        return Some(CAUSE);
    }
    // rpmlint: `pkg.x86_64: E: check-name details`
    if let Some(at) = t.find(": E: ")
        && !t[..at].contains(' ')
    {
        return Some(CAUSE);
    }
    None
}

/// Test runners and interpreters: pytest, unittest, Python tracebacks, minitest,
/// rspec, rubocop, go test, cargo test, node, TAP, ctest, perl.
fn tests(body: &str, t: &str) -> Option<Rule> {
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
    if t.starts_with("rspec ./") && t.contains(" # ") {
        return Some(CAUSE);
    }
    // rubocop: `lib/x.rb:158:17: C: Cop/Name: message`
    for sev in [": C: ", ": W: ", ": F: "] {
        if let Some(at) = t.find(sev)
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
    if t.starts_with("panic: ") || (t.starts_with("thread '") && t.contains("' panicked at")) {
        return Some(rule(Class::Cause, Follow::Excerpt));
    }
    if t.starts_with("---- ") && t.ends_with(" stdout ----") {
        return Some(block);
    }
    // ctest
    if t.contains("Test #")
        && (t.contains("***Failed")
            || t.contains("***Exception")
            || t.contains("Subprocess aborted"))
    {
        return Some(CAUSE);
    }
    if t.starts_with("The following tests FAILED") {
        return Some(block);
    }
    // node, TAP, perl, ruby
    if t.contains("Cannot find module")
        || (t.starts_with("not ok ") && t[7..].starts_with(|c: char| c.is_ascii_digit()))
        || t.starts_with("Can't locate ")
        || t.starts_with("An error occurred while ")
        || t.contains("Could not find gem")
        || t.starts_with("Exception in thread")
        || (t.contains(" > ") && t.ends_with(" FAILED"))
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
fn infrastructure(t: &str) -> Option<Rule> {
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
        || CAUSES.iter().any(|p| t.contains(p))
    {
        return Some(CAUSE);
    }
    if t.starts_with("Error: building at STEP") || (t.starts_with("Task ") && t.contains(" failed"))
    {
        return Some(WEAK);
    }
    None
}

/// Generic error wording, shown after the tools' own.
fn generic(t: &str) -> Rule {
    const STARTS: &[&str] = &[
        "error:", "Error:", "ERROR:", "ERROR ", "error ", "fatal:", "FATAL", "npm ERR!", "[ ERROR",
    ];
    if STARTS.iter().any(|s| t.starts_with(s))
        || t.contains(": error:")
        || t.contains("No such file or directory")
        || t.contains("command not found")
        || t.contains("command failed")
        || t.contains("Permission denied")
        || t.contains("timed out")
        || t.contains("HTTP Error ")
        || t.contains("Could not resolve host")
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
