//! What happens to an `/api` request before its handler runs: counting, the per-token rate
//! limit, the workspace's hourly budget and injected failures; and after: malformed bodies.
//! [`crate::rest::gate`] applies it to every request.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::{
    error::{Error, Result},
    faults::Faults,
    limits::{SlidingWindow, TokenBucket},
    stats::{Stats, StatsSnapshot},
};

/// The span of the hourly budget.
pub const BUDGET_SPAN: Duration = Duration::from_secs(3600);

/// Limits, faults and statistics of the `/api` endpoints.
#[derive(Debug)]
pub struct Traffic {
    defaults: Faults,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    faults: Faults,
    /// One bucket per installation token.
    buckets: HashMap<String, TokenBucket>,
    /// Admitted add-on calls of the last hour (the workspace's budget).
    budget: SlidingWindow,
    stats: Stats,
    /// Decides which requests fail or come back malformed; seeded, so a sequence of
    /// requests meets the same faults every run.
    rng: StdRng,
}

impl Traffic {
    /// Starts with `defaults` (also what `PUT /sim/faults` falls back to); `seed` drives the
    /// fault injection.
    pub fn new(defaults: Faults, seed: u64) -> Traffic {
        Traffic {
            inner: Mutex::new(Inner {
                faults: defaults.clone(),
                buckets: HashMap::new(),
                budget: SlidingWindow::new(BUDGET_SPAN),
                stats: Stats::default(),
                rng: StdRng::seed_from_u64(seed),
            }),
            defaults,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change below is complete before anything can panic, so a poisoned lock is
        // still consistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The start-up faults.
    pub fn defaults(&self) -> &Faults {
        &self.defaults
    }

    /// The current faults.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Replaces the faults (valid ones: see [`Faults::problems`]); every token's bucket starts
    /// full again at the new rate.
    pub fn set_faults(&self, faults: Faults) {
        let mut inner = self.lock();
        inner.faults = faults;
        inner.buckets.clear();
    }

    /// The delay to add before answering.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.lock().faults.latency_ms)
    }

    /// Counts a request to route template `path` and decides whether it may proceed: `token`
    /// is the caller's installation token if it is a live one (only those are limited).
    /// Errors: [`Error::TooManyRequests`] over the token's rate or the hourly budget,
    /// [`Error::Injected`] when the error-rate fault strikes.
    pub fn admit(&self, path: &str, token: Option<&str>) -> Result<()> {
        let now = Instant::now();
        let mut inner = self.lock();
        let inner = &mut *inner;
        inner.stats.request(path, token, now);
        if let Some(token) = token {
            let rate = inner.faults.rate_limit;
            let bucket = inner
                .buckets
                .entry(token.to_string())
                .or_insert_with(|| TokenBucket::new(rate, now));
            if !bucket.try_take(now) {
                return Err(Error::TooManyRequests);
            }
            if let Some(budget) = inner.faults.hourly_budget {
                if inner.budget.count(now) >= budget as usize {
                    return Err(Error::TooManyRequests);
                }
                inner.budget.record(now);
            }
        }
        let error_rate = inner.faults.error_rate;
        if error_rate > 0.0 && inner.rng.gen_bool(error_rate) {
            inner.stats.injected_error();
            let status = if inner.rng.gen_bool(0.5) { 503 } else { 500 };
            return Err(Error::Injected(status));
        }
        Ok(())
    }

    /// Counts an answer with `status`.
    pub fn answered(&self, status: u16) {
        self.lock().stats.answer(status);
    }

    /// Whether to cut this 200 answer short (the malformed-rate fault); counts it if so.
    pub fn malform(&self) -> bool {
        let mut inner = self.lock();
        let rate = inner.faults.malformed_rate;
        let malform = rate > 0.0 && inner.rng.gen_bool(rate);
        if malform {
            inner.stats.malformed();
        }
        malform
    }

    /// The statistics so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.lock().stats.snapshot()
    }

    /// Starts the statistics from zero (limits and budget are unaffected).
    pub fn reset_stats(&self) {
        self.lock().stats.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::TrafficConfig;

    #[test]
    fn budget_counts_admitted_calls_of_every_token() {
        let traffic = Traffic::new(
            Faults {
                hourly_budget: Some(3),
                ..TrafficConfig::default().initial_faults("PRO")
            },
            1,
        );
        assert!(traffic.admit("/a", Some("one")).is_ok());
        assert!(traffic.admit("/a", Some("two")).is_ok());
        assert!(
            traffic.admit("/a", None).is_ok(),
            "unauthenticated calls are not limited"
        );
        assert!(traffic.admit("/a", Some("one")).is_ok());
        assert!(matches!(traffic.admit("/a", Some("two")), Err(Error::TooManyRequests)));
        let stats = traffic.stats();
        assert_eq!((stats.requests, stats.by_path["/a"]), (5, 5));
        assert_eq!(stats.max_requests_in_one_second, 2);
    }

    #[test]
    fn all_requests_fail_at_error_rate_one() {
        let traffic = Traffic::new(
            Faults {
                error_rate: 1.0,
                ..TrafficConfig::default().initial_faults("PRO")
            },
            1,
        );
        for _ in 0..10 {
            assert!(matches!(traffic.admit("/a", None), Err(Error::Injected(500 | 503))));
        }
        assert_eq!(traffic.stats().injected_errors, 10);
        traffic.reset_stats();
        assert_eq!(traffic.stats(), StatsSnapshot::default());
    }
}
