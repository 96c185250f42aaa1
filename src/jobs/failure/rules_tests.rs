//! Unit tests of the tool patterns (`rules.rs`) and of the ranking, details and
//! deduplication of the extraction (`extract.rs`), one tool at a time, on lines
//! written as each tool prints them.

use super::extract::causes;
use super::rules::{Class, Follow, body, classify, exception};

fn class(line: &str) -> Class {
    classify(body(line)).class
}

fn assert_class(want: Class, lines: &[&str]) {
    for l in lines {
        assert_eq!(class(l), want, "{l}");
    }
}

/// The (line, text) of each listed cause.
fn listed(log: &str) -> Vec<(usize, String)> {
    causes(log)
        .0
        .into_iter()
        .map(|c| (c.line, c.text))
        .collect()
}

#[test]
fn wrappers_and_summaries() {
    assert_class(
        Class::Wrapper,
        &[
            "error: Bad exit status from /var/tmp/rpm-tmp.ZXqsEU (%build)",
            "    Bad exit status from /var/tmp/rpm-tmp.ZXqsEU (%build)",
            "RPM build errors:",
            "ERROR: Exception(/var/lib/copr-rpmbuild/results/x.src.rpm) Config(fedora-41-x86_64) 1 minutes 5 seconds",
            "ERROR: Command failed:",
            "collect2: error: ld returned 1 exit status",
            "make[1]: *** [Makefile:42: all] Error 1",
            "make: *** [Makefile:149: all] Error 2",
            "make[2]: Target 'all' not remade because of errors.",
            "ninja: build stopped: subcommand failed.",
            "error: could not compile `foo` (lib) due to 2 previous errors",
            "test result: FAILED. 3 passed; 1 failed; 0 ignored",
            "error: test failed, to rerun pass `--lib`",
            "FAIL\tgithub.com/x/y\t0.178s",
            "FAIL",
            "Errors while running CTest",
            "Copr build error: Build failed",
            "Not all dependencies satisfied",
            "Error: Unable to find a match: wait-for-copr",
            "cc1plus: some warnings being treated as errors",
            "=========== 1 failed, 20 passed in 3.21s ===========",
            "126 tests, 284 assertions, 1 failures, 0 errors",
            "1 packages and 0 specfiles checked; 2 errors, 0 warnings.",
            "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin",
            "Gem::Ext::BuildError: ERROR: Failed to build gem native extension.",
            "h02-ch2c failed \"build wyrmgus.spec\" at Tue Jun 10 11:41:19 UTC 2025.",
        ],
    );
}

#[test]
fn rpmbuild() {
    assert_class(
        Class::Cause,
        &[
            "    File not found: /builddir/build/BUILDROOT/x-1-1.fc41.x86_64/usr/lib/x.so",
            "error: Installed (but unpackaged) file(s) found:",
            "Hunk #1 FAILED at 52.",
            "1 out of 1 hunk FAILED -- saving rejects to file Makefile.rej",
            "can't find file to patch at input line 5",
            "error: line 12: Unknown tag: Reqires: foo",
            "error: Bad source: /builddir/build/SOURCES/x-1.tar.gz: No such file or directory",
            "error: Failed build dependencies:",
            "\tpython3-devel is needed by x-1-1.fc41.x86_64",
        ],
    );
    assert_class(
        Class::Noise,
        &[
            "Hunk #1 succeeded at 581 (offset 20 lines).",
            "+ echo 'error: no'",
        ],
    );
}

#[test]
fn dnf_and_mock() {
    assert_class(
        Class::Cause,
        &[
            "No matching package to install: 'python3-specfile >= 0.21.0'",
            "No match for argument: python3-foo",
            "Problem: conflicting requests",
            "Problem 2: package x requires y, but none of the providers can be installed",
            "  - nothing provides libfoo.so.1()(64bit) needed by x-1-1.fc41.x86_64 from copr_base",
            "Cannot find a valid baseurl for repo: epel/x86_64",
            "DEBUG util.py:446:  No matching package to install: 'golang(x)'",
        ],
    );
    assert_class(Class::Weak, &["Failed to resolve the transaction:"]);
    // dnf5: the arguments, not the header, come first; `Problem:` keeps its providers
    let log = "Updating and loading repositories:\nRepositories loaded.\nFailed to resolve the transaction:\nNo match for argument: python3-foo\nProblem: conflicting requests\n  - nothing provides bar needed by baz-1-1.noarch from fedora\nYou can try to add to command line:\n  --skip-unavailable to skip unavailable packages\n";
    let (found, _) = causes(log);
    assert_eq!(found[0].text, "No match for argument: python3-foo");
    assert_eq!(found[1].line, 5);
    assert_eq!(found[1].details[0].0, 6);
    assert!(found[1].details[0].1.contains("nothing provides bar"));
    assert_eq!(found[2].class, Class::Weak);
}

#[test]
fn compilers_and_linkers() {
    assert_class(
        Class::Cause,
        &[
            "src/x.c:12:5: error: 'foo' undeclared (first use in this function)",
            "../src/pulse_info_ui.cpp:182:21: error: 'ipstream' is not a member of 'boost::process'",
            "core/rtw_cmd.c:17:10: fatal error: drv_types.h: No such file or directory",
            "/usr/bin/ld: x.o: in function `main': x.c:(.text+0x1a): undefined reference to `bar'",
            "error[E0425]: cannot find value `CURSOR` in this scope",
            "src/a.ts(3,4): error TS2304: Cannot find name 'x'.",
            "./main.go:12:3: undefined: foo",
            "[ERROR] /b/src/X.java:[233,39] cannot find symbol",
            "ImportError: /lib64/libx.so.1: undefined symbol: PyObject_DelAttr",
        ],
    );
    assert_class(
        Class::Weak,
        &[
            "error: something went wrong",
            "gcc: error: unrecognized option",
        ],
    );
    assert_class(
        Class::Noise,
        &[
            "gcc -O2 -Werror=format-security -c x.c",
            "checking for strerror_r... yes",
            "[ 22%] Building CXX object src/Error.cpp.o",
        ],
    );
    // the source excerpt belongs to the error
    let log = "x.c:3:1: error: expected ';' before '}' token\n    3 | }\n      | ^\nmake: *** [all] Error 1\n";
    let (found, _) = causes(log);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].details,
        vec![(2, "    3 | }".into()), (3, "      | ^".into())]
    );
}

#[test]
fn build_systems() {
    assert_class(
        Class::Cause,
        &[
            "make[2]: *** No rule to make target 'foo.c', needed by 'foo.o'.  Stop.",
            "configure: error: Failed to find OpenSSL library",
            "CMake Error at CMakeLists.txt:12 (find_package):",
            "meson.build:20:0: ERROR: Dependency \"glib-2.0\" not found, tried pkgconfig",
        ],
    );
    assert_class(Class::Weak, &["FAILED: src/x.p/y.cpp.o "]);
    let (found, _) = causes(
        "CMake Error at x.cmake:138 (message):\n  Could NOT find Halide (missing: HALIDE_ROOT_DIR)\nCall Stack (most recent call first):\n",
    );
    assert_eq!(
        found[0].details[0].1,
        "  Could NOT find Halide (missing: HALIDE_ROOT_DIR)"
    );
}

#[test]
fn python() {
    assert_class(
        Class::Cause,
        &[
            "FAILED tests/test_api.py::test_timeout - AssertionError: assert 504 == 200",
            "E   ModuleNotFoundError: No module named 'google.cloud'",
            "ERROR t/unit/backends/test_gcs.py",
            "FAIL: test_parse (tests.test_x.TestParse)",
            "_________________ ERROR collecting t/unit/backends/test_gcs.py _________________",
        ],
    );
    assert_eq!(classify("______ test_x ______").follow, Follow::Pytest);
    assert!(exception(
        "subprocess.CalledProcessError: Command '['x']' returned 1"
    ));
    assert!(!exception("Error: Command failed"));
    assert!(!exception("Note: something"));
    // the exception that ends a traceback is the cause, its innermost frame the detail
    let log = "Traceback (most recent call last):\n  File \"/a.py\", line 3, in <module>\n    import b\n  File \"/b.py\", line 1, in <module>\n    from c import d\nImportError: cannot import name 'd'\n";
    let (found, _) = causes(log);
    assert_eq!(found[0].line, 6);
    assert_eq!(
        found[0].details[0],
        (4, "  File \"/b.py\", line 1, in <module>".into())
    );
    // mock's own traceback only wraps the build's failure
    let log = "Traceback (most recent call last):\n  File \"/usr/lib/python3/site-packages/mockbuild/util.py\", line 3, in do\n    raise exception.Error(x)\nmockbuild.exception.Error: Command failed\n";
    assert_eq!(causes(log).0[0].class, Class::Wrapper);
    // pytest: a section header takes its `E` lines
    let log = "____ test_x ____\n\n    def test_x():\n>       assert f() == 2\nE       assert 1 == 2\nE        +  where 1 = f()\n\ntests/t.py:4: AssertionError\n";
    let (found, _) = causes(log);
    assert_eq!(found[0].details.len(), 2);
    assert_eq!(found.iter().filter(|c| c.text.starts_with('E')).count(), 0);
}

#[test]
fn ruby() {
    assert_class(
        Class::Cause,
        &[
            "Failure:",
            "  1) Error:",
            "Failure/Error: expect(x).to eq(1)",
            "rspec ./spec/models/user_spec.rb:12 # User is valid",
            "lib/jekyll/excerpt.rb:158:17: C: Performance/RegexpMatch: Use match? instead of =~",
            "An error occurred while installing nokogiri (1.12.5), and Bundler cannot",
        ],
    );
    let log = "Error:\nClientTest#test_unsubscribe_client:\nRuntimeError: 1 messages unprocessed\n    /x/client_test.rb:170:in `close'\n\n";
    let (found, _) = causes(log);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].details[0].1, "ClientTest#test_unsubscribe_client:");
    assert_eq!(
        found[0].details[1].1,
        "RuntimeError: 1 messages unprocessed"
    );
}

#[test]
fn go_rust_node_and_others() {
    assert_class(
        Class::Cause,
        &[
            "--- FAIL: TestSeparator (0.03s)",
            "panic: runtime error: index out of range [3] with length 3",
            "thread 'tests::parse' panicked at src/lib.rs:44:9:",
            "---- tests::one_result stdout ----",
            "Error: Cannot find module 'fast-deep-equal'",
            "not ok 3 - parses dates",
            "Can't locate HTTP/Daemon.pm in @INC (you may need to install the HTTP::Daemon module)",
            "x.x86_64: E: explicit-lib-dependency libfoo",
            "3/6 Test #3: oqs_groups .......................Subprocess aborted***Exception:   0.00 sec",
            "The following tests FAILED:",
            "io.reactivex.ObservableTest > publishNoLeak FAILED",
        ],
    );
    let (found, _) =
        causes("--- FAIL: TestSeparator (0.03s)\n    repo_test.go:75: expected entry\nFAIL\n");
    assert_eq!(found[0].details[0].1, "    repo_test.go:75: expected entry");
}

#[test]
fn infrastructure() {
    assert_class(
        Class::Cause,
        &[
            "FAILED: BuildError: error building package (arch x86_64), mock exited with status 1",
            "BuildError: error building package (arch x86_64)",
            "404 getbinaries: missing packages: container:opensuse-bci-init-20250610.0",
            "!! Copr timeout => sending INT",
            "[ ERROR   ]: 15:13:14 | KiwiScriptFailed: config.sh failed",
            "cc1plus: fatal error: Killed signal terminated program cc1plus",
            "/usr/bin/ld: final link failed: No space left on device",
        ],
    );
    assert_class(
        Class::Weak,
        &["Error: building at STEP \"RUN make\": exit status 1"],
    );
}

#[test]
fn log_prefixes_are_read_past() {
    assert_eq!(body("[  15s] configure: error: x"), "configure: error: x");
    assert_eq!(
        body("2025-07-06T00:44:46.6481394Z --- FAIL: TestX"),
        "--- FAIL: TestX"
    );
    assert_eq!(body("DEBUG util.py:446:  Problem: x"), "Problem: x");
    assert_eq!(
        body("[FAILED] Failed to start x"),
        "[FAILED] Failed to start x"
    );
}

#[test]
fn causes_first_then_generic_lines_then_wrappers_only_alone() {
    let log = "error: something generic\nfoo.c:1:1: error: real cause\nmake: *** [all] Error 1\nerror: Bad exit status from /var/tmp/rpm-tmp.1 (%build)\n";
    assert_eq!(
        listed(log),
        vec![
            (2, "foo.c:1:1: error: real cause".into()),
            (1, "error: something generic".into())
        ]
    );
    let log = "make: *** [all] Error 1\nerror: Bad exit status from /var/tmp/rpm-tmp.1 (%build)\n";
    let (found, _) = causes(log);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|c| c.class == Class::Wrapper));
    assert_eq!(causes("all good\n").0, vec![]);
}

#[test]
fn repeats_count_once_after_numbers_hashes_and_paths() {
    let mut log = String::new();
    for n in 0..8 {
        log.push_str(&format!(
            "core/rtw_{n}.c:17:10: fatal error: drv_types.h: No such file or directory\n"
        ));
        log.push_str("No matching package to install: 'golang(x)'\n");
    }
    let (found, more) = causes(&log);
    assert_eq!(found.len(), 2);
    assert_eq!(more, 0);
    assert_eq!(found[0].line, 1);
}

#[test]
fn at_most_five_with_the_count_of_the_rest() {
    let log: String = (0..9)
        .map(|n| format!("x.c:{n}:1: error: missing `v{}`\n", "z".repeat(n)))
        .collect();
    let (found, more) = causes(&log);
    assert_eq!(found.len(), 5);
    assert_eq!(more, 4);
}

#[test]
fn an_earlier_rpmbuild_section_ranks_after_the_last() {
    let log = "Executing(%build): /bin/sh -e /var/tmp/rpm-tmp.1\nx.c:1:1: error: tolerated\nExecuting(%check): /bin/sh -e /var/tmp/rpm-tmp.2\nFAILED tests/t.py::test_x - assert 1 == 2\n";
    assert_eq!(listed(log)[0].0, 4);
}

#[test]
fn numbering_matches_the_log_page() {
    let log = "ok\r\n\u{1b}[31merror:\u{1b}[0m x\nprogress 10%\rFAILED tests/a.py::t\n";
    assert_eq!(
        listed(log),
        vec![(3, "FAILED tests/a.py::t".into()), (2, "error: x".into())]
    );
}
