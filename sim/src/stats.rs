//! Request statistics of the `/api` endpoints (`GET /sim/stats`, `POST /sim/stats/reset`).

use std::{
    collections::{BTreeMap, HashMap},
    time::{Duration, Instant},
};

use serde::Serialize;

use crate::limits::SlidingWindow;

/// What `GET /sim/stats` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsSnapshot {
    /// Every `/api` request.
    pub requests: u64,
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Answers with 429 (rate limit or hourly budget).
    pub too_many_requests: u64,
    /// Failures injected by the `errorRate` fault.
    pub injected_errors: u64,
    /// 200 answers cut short by the `malformedRate` fault.
    pub malformed: u64,
    /// The most requests one installation token made within any one second (a sliding window,
    /// rejected requests included).
    pub max_requests_in_one_second: u64,
    /// Requests per route template, e.g. `/v1/workspaces/{workspaceId}/users` (relative to
    /// the backend URL; `(unmatched)` for unknown paths).
    pub by_path: BTreeMap<String, u64>,
}

/// The counters behind [`StatsSnapshot`].
#[derive(Debug, Default)]
pub struct Stats {
    snapshot: StatsSnapshot,
    per_token: HashMap<String, SlidingWindow>,
}

impl Stats {
    /// Counts a request to `path` (a route template) by `token` (if it is a live one).
    pub fn request(&mut self, path: &str, token: Option<&str>, now: Instant) {
        self.snapshot.requests += 1;
        *self.snapshot.by_path.entry(path.to_string()).or_default() += 1;
        if let Some(token) = token {
            let in_last_second = self
                .per_token
                .entry(token.to_string())
                .or_insert_with(|| SlidingWindow::new(Duration::from_secs(1)))
                .record(now);
            let in_last_second = u64::try_from(in_last_second).unwrap_or(u64::MAX);
            self.snapshot.max_requests_in_one_second = self.snapshot.max_requests_in_one_second.max(in_last_second);
        }
    }

    /// Counts an answer with `status`.
    pub fn answer(&mut self, status: u16) {
        match status {
            200..=299 => self.snapshot.ok += 1,
            429 => self.snapshot.too_many_requests += 1,
            _ => {}
        }
    }

    /// Counts an injected failure.
    pub fn injected_error(&mut self) {
        self.snapshot.injected_errors += 1;
    }

    /// Counts a malformed answer.
    pub fn malformed(&mut self) {
        self.snapshot.malformed += 1;
    }

    /// The current numbers.
    pub fn snapshot(&self) -> StatsSnapshot {
        self.snapshot.clone()
    }

    /// Starts counting from zero.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
