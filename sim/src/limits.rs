//! The two counting devices behind Clockify's limits: a token bucket (per-second rate) and a
//! sliding window of recent events (hourly budget, busiest second).

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

/// A token bucket holding up to `rate` tokens and refilling `rate` tokens per second: bursts
/// of up to `rate` requests pass, and a client spacing requests evenly at `rate` per second
/// never runs dry.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: u32, now: Instant) -> TokenBucket {
        TokenBucket {
            rate: f64::from(rate),
            tokens: f64::from(rate),
            updated: now,
        }
    }

    /// Takes a token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.updated = now.max(self.updated);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The times of the events of the last `span`.
#[derive(Debug, Clone)]
pub struct SlidingWindow {
    span: Duration,
    events: VecDeque<Instant>,
}

impl SlidingWindow {
    /// An empty window over `span`.
    pub fn new(span: Duration) -> SlidingWindow {
        SlidingWindow {
            span,
            events: VecDeque::new(),
        }
    }

    /// Forgets events at least `span` before `now`, and answers how many are left.
    pub fn count(&mut self, now: Instant) -> usize {
        while self
            .events
            .front()
            .is_some_and(|&event| now.saturating_duration_since(event) >= self.span)
        {
            self.events.pop_front();
        }
        self.events.len()
    }

    /// Records an event at `now` and answers how many the window then holds.
    pub fn record(&mut self, now: Instant) -> usize {
        self.events.push_back(now);
        self.count(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_the_refill_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(5, start);
        assert_eq!((0..8).filter(|_| bucket.try_take(start)).count(), 5);
        assert!(!bucket.try_take(start + Duration::from_millis(100)));
        assert!(bucket.try_take(start + Duration::from_millis(200)));
        assert!(!bucket.try_take(start + Duration::from_millis(250)));
    }

    #[test]
    fn evenly_spaced_requests_at_the_rate_always_pass() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(50, start);
        for step in 0..10_000u32 {
            assert!(bucket.try_take(start + Duration::from_millis(20) * step), "{step}");
        }
    }

    #[test]
    fn a_window_forgets_old_events() {
        let start = Instant::now();
        let mut window = SlidingWindow::new(Duration::from_secs(1));
        assert_eq!(window.record(start), 1);
        assert_eq!(window.record(start + Duration::from_millis(500)), 2);
        assert_eq!(window.record(start + Duration::from_millis(1000)), 2);
        assert_eq!(window.count(start + Duration::from_millis(2000)), 0);
    }
}
