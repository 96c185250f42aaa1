//! The integration tests, compiled as one test binary (`cargo test --test it`): one
//! compile and one link instead of one per file, and `cargo test` runs the slow
//! scenarios of different stages side by side. Each module was a `tests/*.rs` file
//! of its own; `cargo test --test it sync::` runs one of them.
//!
//! Shared set-up lives in `tests/support` (the stub API, the broker, temp dirs,
//! demo archives and sites) and `tests/common` (a small synthetic archive); the
//! benchmarks and examples include those files by path too.

#[path = "../common/mod.rs"]
mod common;
#[path = "../support/mod.rs"]
mod support;

mod beyond;
mod cli;
mod content;
mod demo;
mod deploy;
mod embed;
mod incremental;
mod listen;
mod logs;
mod refresh;
mod site;
mod site_checks;
mod sync;
mod watch;
