//! packit-pages: an embeddable static-site generator for Packit CI result pages.
//!
//! Another Rust program (a Packit worker, a CI job, an archiving service) can mirror
//! Packit into a local archive and render it as a static site with a few calls:
//!
//! ```no_run
//! use packit_pages::{BuildOptions, SyncOptions, sync::NoProgress};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // 1. Mirror one project from the Packit API into an archive (one SQLite file).
//! let mut sync = SyncOptions::new("packit-archive.sqlite", packit_pages::api::DEFAULT_API);
//! sync.scope.add_project("github.com/packit/ogr")?;
//! let report = tokio::runtime::Runtime::new()?.block_on(packit_pages::sync(&sync, &NoProgress))?;
//! eprint!("{}", report.summary());
//!
//! // 2. Render the archive as a site. Call it again after the next sync: unchanged
//! //    files are not rewritten.
//! let built = packit_pages::build(&BuildOptions {
//!     archive: sync.archive.clone(),
//!     out: "public".into(),
//!     ..BuildOptions::default()
//! })?;
//! println!("{} pages, {} files written", built.pages, built.write.written);
//! # Ok(())
//! # }
//! ```
//!
//! The main types are re-exported at the crate root:
//!
//! - [`Archive`] opens the archive ([`Archive::open`], [`Archive::open_read_only`]).
//! - [`sync()`] with [`SyncOptions`] pulls from the API and returns a [`SyncReport`].
//! - [`build`] with [`BuildOptions`] renders the site and returns a [`BuildReport`]
//!   (pages by kind, files written / unchanged / removed, timings). Call it again after
//!   a sync or a theme or content change: unchanged files are not rewritten.
//! - [`plan::Plan::build`] lists the pages of a site without rendering them, from a
//!   [`model::Catalog`] of the archive; [`plan::Page::inputs`] says what each page
//!   reads.
//! - [`Config`] reads `packit-pages.toml`; [`check::check`] validates a site folder
//!   and [`scaffold::init`] creates one.
//!
//! Every error is a typed enum ([`SyncError`], [`SiteError`], [`ArchiveError`],
//! [`ConfigError`], ...); nothing in the library returns `anyhow`.
//!
//! The data flows one way through one module per stage:
//!
//! `api` (typed client and response models) → `jobs` (what each job kind is:
//! its extracted keys, references, logs, list rows and detail views) → `archive`
//! (durable SQLite store, the only SQL) → `model` (typed views over the archive)
//! → `plan` (which pages exist and what each depends on) → `pages` (one renderer
//! per page kind, on `render`'s Tera themes) → `write` (atomic, skip-unchanged
//! output), driven by `site`.
//!
//! Triggers sit on top: `sync` (pull from the API into the archive), `listen` (keep it
//! current from the Fedora message bus) and `watch` / `serve` (rebuild on edits).
//! `demo` produces a deterministic synthetic upstream data set and writes it into an
//! archive as a sync would (cargo feature `demo`, on by default); `content` renders
//! the markdown pages (FAQ, about). See ARCHITECTURE.md.

#![warn(missing_docs)]

pub mod api;
pub mod archive;
pub mod check;
pub mod config;
pub mod content;
#[cfg(feature = "demo")]
pub mod demo;
pub mod html;
pub mod jobs;
pub mod listen;
pub mod model;
pub mod pages;
pub mod plan;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod sync;
pub mod time;
pub mod urls;
pub mod view;
pub mod watch;
pub mod write;

pub use archive::{Archive, ArchiveError};
pub use config::{Config, ConfigError};
pub use site::{BuildOptions, BuildReport, SiteError, build};
pub use sync::{SyncError, SyncOptions, SyncReport, sync};
