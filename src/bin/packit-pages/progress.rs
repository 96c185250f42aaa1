//! The progress display of `sync`: an indicatif spinner per resource on a terminal,
//! else the library's log lines or nothing (`--progress`).

use packit_pages::sync::{LogProgress, NoProgress, Progress};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

/// The progress display `--progress how` asks for (`auto`: bars on a terminal, log
/// lines otherwise).
pub(crate) fn progress(how: &str) -> Box<dyn Progress> {
    match how {
        "bars" => Box::new(BarProgress::default()),
        "log" => Box::new(LogProgress::default()),
        "none" => Box::new(NoProgress),
        _ if std::io::stderr().is_terminal() => Box::new(BarProgress::default()),
        _ => Box::new(LogProgress::default()),
    }
}

/// An indicatif spinner per resource with items and rate (for a terminal).
struct BarProgress {
    multi: indicatif::MultiProgress,
    bars: Mutex<HashMap<String, indicatif::ProgressBar>>,
}

impl Default for BarProgress {
    fn default() -> Self {
        BarProgress {
            multi: indicatif::MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }
}

impl BarProgress {
    fn bar(&self, resource: &str) -> indicatif::ProgressBar {
        let mut m = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(resource.to_string())
            .or_insert_with(|| {
                let style = indicatif::ProgressStyle::with_template(
                    "{spinner} {prefix:<30} {pos:>8} items  {per_sec:>12}  {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
                let b = self
                    .multi
                    .add(indicatif::ProgressBar::new_spinner().with_style(style));
                b.set_prefix(resource.to_string());
                b.enable_steady_tick(std::time::Duration::from_millis(200));
                b
            })
            .clone()
    }
}

impl Progress for BarProgress {
    fn begin(&self, resource: &str) {
        self.bar(resource);
    }
    fn advance(&self, resource: &str, items: u64) {
        self.bar(resource).inc(items);
    }
    fn end(&self, resource: &str) {
        let b = self.bar(resource);
        b.disable_steady_tick();
        b.tick();
    }
}
