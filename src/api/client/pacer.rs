//! The politeness budget: request start times spaced by `1 / requests_per_second`,
//! shared by every client that holds the same [`Pacer`], with a priority lane.
//!
//! `listen` runs its periodic poll beside the refreshes that bus messages ask for.
//! Both draw on one budget (the API sees one polite client), and a message's requests
//! go first: while any [`Pacer::hold`] guard is alive, or an urgent request waits for
//! its slot, requests of the background lane wait before taking a slot. A background
//! request already given a slot keeps it, so a message waits at most one gap (and the
//! background request in flight, on a client of its own) behind the poll.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// A shared request pacer (cheap to clone: clones share the budget).
#[derive(Clone, Default)]
pub struct Pacer {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// When the next slot is free.
    next: tokio::sync::Mutex<Option<Instant>>,
    /// Urgent demand: holds plus urgent requests waiting for a slot.
    urgent: AtomicUsize,
    /// Wakes the background lane when urgent demand drops to zero.
    calm: tokio::sync::Notify,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("urgent", &self.inner.urgent.load(Ordering::Relaxed))
            .finish()
    }
}

/// Urgent demand on a [`Pacer`] while alive (see [`Pacer::hold`]).
pub struct Hold {
    inner: Arc<Inner>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.inner.release();
    }
}

impl Inner {
    fn release(&self) {
        if self.urgent.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.calm.notify_waiters();
        }
    }
}

impl Pacer {
    /// A pacer of its own.
    pub fn new() -> Pacer {
        Pacer::default()
    }

    /// Keeps the background lane waiting until the guard is dropped: taken for the
    /// whole of a message's refresh, so the poll cannot slip in between its requests.
    pub fn hold(&self) -> Hold {
        self.inner.urgent.fetch_add(1, Ordering::AcqRel);
        Hold {
            inner: self.inner.clone(),
        }
    }

    /// Whether urgent demand is waiting or held.
    pub fn busy(&self) -> bool {
        self.inner.urgent.load(Ordering::Acquire) > 0
    }

    /// Waits for a request slot at `requests_per_second` (no wait when 0 or less).
    /// Background requests (`urgent == false`) first wait until no urgent demand is
    /// held or waiting.
    pub async fn pace(&self, requests_per_second: f64, urgent: bool) {
        if requests_per_second <= 0.0 {
            return;
        }
        let gap = Duration::from_secs_f64(1.0 / requests_per_second);
        if urgent {
            self.inner.urgent.fetch_add(1, Ordering::AcqRel);
            let guard = Hold {
                inner: self.inner.clone(),
            };
            self.slot(gap).await;
            drop(guard);
        } else {
            loop {
                let calm = self.inner.calm.notified();
                tokio::pin!(calm);
                // registered before the check: a release between the two wakes it
                calm.as_mut().enable();
                if !self.busy() {
                    break;
                }
                calm.await;
            }
            self.slot(gap).await;
        }
    }

    async fn slot(&self, gap: Duration) {
        let mut next = self.inner.next.lock().await;
        let now = Instant::now();
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + gap);
        drop(next);
        if at > now {
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_by_the_rate() {
        let p = Pacer::new();
        let t0 = tokio::time::Instant::now();
        for _ in 0..5 {
            p.pace(5.0, false).await;
        }
        // the first starts at once, each next one 200 ms later
        assert_eq!(t0.elapsed(), Duration::from_millis(800));
    }

    #[tokio::test(start_paused = true)]
    async fn urgent_requests_go_first_and_share_the_budget() {
        let p = Pacer::new();
        let bg = p.clone();
        let started = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = started.clone();
        let t0 = tokio::time::Instant::now();
        // the background lane wants 20 slots
        let poll = tokio::spawn(async move {
            for _ in 0..20 {
                bg.pace(5.0, false).await;
                log.lock().unwrap().push(("poll", t0.elapsed()));
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        // a message arrives: it holds the lane for its three requests
        let hold = p.hold();
        for _ in 0..3 {
            p.pace(5.0, true).await;
            started.lock().unwrap().push(("msg", t0.elapsed()));
        }
        let msg_done = t0.elapsed();
        drop(hold);
        poll.await.unwrap();
        let s = started.lock().unwrap().clone();
        // one budget: no two starts closer than the gap
        let mut times: Vec<Duration> = s.iter().map(|x| x.1).collect();
        times.sort();
        assert!(
            times
                .windows(2)
                .all(|w| w[1] - w[0] >= Duration::from_millis(200))
        );
        // the message waited at most one background slot, then ran back to back
        assert!(
            msg_done <= Duration::from_millis(500 + 200 + 3 * 200),
            "{msg_done:?}"
        );
        let polls_during = s
            .iter()
            .filter(|(w, t)| *w == "poll" && *t > Duration::from_millis(700) && *t < msg_done)
            .count();
        assert_eq!(polls_during, 0, "{s:?}");
    }
}
