//! The integration tests, compiled as one test binary (`cargo test --test it`): one
//! compile and one link instead of one per file, and `cargo test` runs the slow
//! scenarios of different stages side by side. Each module was a `tests/*.rs` file
//! of its own; `cargo test --test it sync::` runs one of them.
//!
//! Shared set-up is the test kit crate (`tests/support`: the stub API, the broker,
//! temp dirs, fixture archives and sites), which the examples and benchmarks use too;
//! `support` below is the kit plus what only this test binary can know.

/// The test kit, plus the binary under test.
mod support {
    pub use packit_pages_testkit::*;
    use std::process::Command;

    /// The `packit-pages` binary, with `RUST_LOG=warn` and none of the caller's
    /// `PACKIT_PAGES_*` variables (they would override flags and config files).
    pub fn packit_pages() -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_packit-pages"));
        c.env("RUST_LOG", "warn");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PACKIT_PAGES_") {
                c.env_remove(k);
            }
        }
        c
    }
}

mod answers;
mod answers_more;
mod answers_pipeline;
mod architecture;
mod bad_entity;
mod beyond;
mod cli;
mod content;
mod demo;
mod demo_keys;
mod deploy;
mod drift;
mod drift_property;
mod embed;
mod faithful;
mod hostile;
mod incremental;
mod incremental_live;
mod listen;
mod listen_faults;
mod listen_flow;
mod listen_tls;
mod logs;
mod refresh;
mod registry;
mod scoped;
mod serve;
mod site;
mod site_checks;
mod sync;
mod watch;
mod write_order;
