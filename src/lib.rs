//! packit-pages: an embeddable static-site generator for Packit CI result pages.
//!
//! The data flows one way through one module per stage:
//!
//! `api` (typed client and response models) → `archive` (durable SQLite store)
//! → `model` (typed views over the archive) → `plan` (which pages exist and what
//! each depends on) → `render` (Tera themes) → `write` (atomic, skip-unchanged output).
//!
//! Triggers sit on top: `sync` (pull from the API into the archive), `listen` (keep it
//! current from the Fedora message bus) and `watch` / `serve` (rebuild on edits).
//! `demo` produces a deterministic synthetic upstream data set and `content` renders
//! the markdown pages (FAQ, about). See ARCHITECTURE.md.

pub mod api;
pub mod archive;
pub mod config;
pub mod content;
pub mod demo;
pub mod listen;
pub mod model;
pub mod plan;
pub mod render;
pub mod serve;
pub mod site;
pub mod sync;
pub mod time;
pub mod watch;
pub mod write;
