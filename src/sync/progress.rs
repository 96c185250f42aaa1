//! Progress reporting of a sync: the [`Progress`] trait the crawler calls, with a silent
//! and a `tracing` implementation (a terminal bar lives in the binary).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Progress of a sync, per resource (an endpoint label).
pub trait Progress: Send + Sync {
    /// A resource starts (may be called again for the same resource).
    fn begin(&self, resource: &str) {
        let _ = resource;
    }
    /// `items` more items of `resource` processed.
    fn advance(&self, resource: &str, items: u64) {
        let _ = (resource, items);
    }
    /// A resource is done for now.
    fn end(&self, resource: &str) {
        let _ = resource;
    }
}

/// No progress output.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Progress as `tracing` log lines (for non-terminal stderr).
#[derive(Default)]
pub struct LogProgress {
    state: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Progress for LogProgress {
    fn begin(&self, resource: &str) {
        let mut m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(resource.to_string())
            .or_insert_with(|| (0, Instant::now()));
    }
    fn advance(&self, resource: &str, items: u64) {
        let mut m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let e = m
            .entry(resource.to_string())
            .or_insert_with(|| (0, Instant::now()));
        e.0 += items;
        tracing::debug!(resource, items = e.0, "progress");
    }
    fn end(&self, resource: &str) {
        let m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, t)) = m.get(resource) {
            let secs = t.elapsed().as_secs_f64().max(1e-3);
            tracing::info!(
                resource,
                items = n,
                rate = format!("{:.1}/s", *n as f64 / secs),
                "done"
            );
        }
    }
}
