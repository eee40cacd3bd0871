//! One rate budget per installation. Clockify allows an add-on 50 requests per second in a
//! workspace (PLATFORM.md §4.2); bootstrap, flows and the explorer all draw from that one
//! budget, and bootstrap additionally stays within its configured share. New FREE-plan
//! workspaces get 30 requests per hour in all, enforced here as an exact rolling window.
//!
//! The budget lives in this process: several instances serving one workspace each keep their
//! own, so run one instance per workspace set or lower the shares.

use std::{
    collections::{HashMap, VecDeque},
    num::NonZeroU32,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Clockify's limit per add-on per workspace (PLATFORM.md §0.2).
pub const CLOCKIFY_REQUESTS_PER_SECOND: u32 = 50;
/// The whole-workspace budget of a new FREE-plan workspace (PLATFORM.md §0.2).
pub const FREE_PLAN_REQUESTS_PER_HOUR: u32 = 30;

/// Who is asking: bootstrap also respects its own share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Flows and the explorer: the whole budget.
    Interactive,
    /// The data pull: at most its configured requests per second.
    Bootstrap,
}

/// Every installation's budget, created on first use.
#[derive(Debug)]
pub struct RateBudgets {
    per_second: u32,
    budgets: Mutex<HashMap<(String, String), Arc<WorkspaceBudget>>>,
}

impl RateBudgets {
    /// Budgets of `per_second` requests per second each (Clockify's 50 in production).
    pub fn new(per_second: u32) -> Self {
        RateBudgets {
            per_second: per_second.max(1),
            budgets: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(String, String), Arc<WorkspaceBudget>>> {
        self.budgets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The budget of add-on `addon_key` in `workspace_id`.
    pub fn for_workspace(&self, addon_key: &str, workspace_id: &str) -> Arc<WorkspaceBudget> {
        self.lock()
            .entry((addon_key.to_string(), workspace_id.to_string()))
            .or_insert_with(|| Arc::new(WorkspaceBudget::new(self.per_second)))
            .clone()
    }

    /// Drops a budget (after DELETED).
    pub fn forget(&self, addon_key: &str, workspace_id: &str) {
        self.lock().remove(&(addon_key.to_string(), workspace_id.to_string()));
    }
}

/// One installation's budget and what it has been used for.
#[derive(Debug)]
pub struct WorkspaceBudget {
    per_second: u32,
    total: DefaultDirectRateLimiter,
    bootstrap: Mutex<Arc<(u32, DefaultDirectRateLimiter)>>,
    hourly: Mutex<HourlyWindow>,
    requests: AtomicU64,
    rate_limited: AtomicU64,
}

/// A limiter that releases requests evenly: no bursts, so the receiving side never sees more
/// than `per_second` in any second.
fn even_limiter(per_second: u32) -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_second(rate).allow_burst(NonZeroU32::MIN))
}

impl WorkspaceBudget {
    fn new(per_second: u32) -> Self {
        WorkspaceBudget {
            per_second,
            total: even_limiter(per_second),
            bootstrap: Mutex::new(Arc::new((per_second, even_limiter(per_second)))),
            hourly: Mutex::new(HourlyWindow::new(None)),
            requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        }
    }

    /// The whole budget, requests per second.
    pub fn per_second(&self) -> u32 {
        self.per_second
    }

    /// Sets bootstrap's share (clamped to the whole budget); takes effect on the next request.
    pub fn set_bootstrap_share(&self, per_second: u32) {
        let share = per_second.clamp(1, self.per_second);
        let mut slot = self.bootstrap.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.0 != share {
            *slot = Arc::new((share, even_limiter(share)));
        }
    }

    /// Bootstrap's share, requests per second.
    pub fn bootstrap_share(&self) -> u32 {
        self.bootstrap.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).0
    }

    fn hourly(&self) -> MutexGuard<'_, HourlyWindow> {
        self.hourly.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Caps all requests at `per_hour` (at most [`MAX_HOURLY_CAP`]) in any rolling hour (FREE
    /// plan), or lifts the cap. Requests sent before the cap was set count too.
    pub fn set_hourly_cap(&self, per_hour: Option<u32>) {
        self.hourly().cap = per_hour.map(|cap| cap.clamp(1, MAX_HOURLY_CAP));
    }

    /// The hourly cap, if one is in force.
    pub fn hourly_cap(&self) -> Option<u32> {
        self.hourly().cap
    }

    /// How long until the hourly cap lets the next request through (zero when it would now).
    pub fn hourly_wait(&self) -> Duration {
        self.hourly().wait(Instant::now())
    }

    /// Waits until `lane` may send one request, then counts it.
    pub async fn acquire(&self, lane: Lane) {
        loop {
            let wait = self.hourly().try_take(Instant::now());
            match wait {
                Ok(()) => break,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
        if lane == Lane::Bootstrap {
            let share = self
                .bootstrap
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            share.1.until_ready().await;
        }
        self.total.until_ready().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes a 429 from Clockify.
    pub fn record_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests sent through this budget so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// 429 answers seen so far.
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
}

/// The largest hourly cap the window can enforce (it remembers this many recent requests).
pub const MAX_HOURLY_CAP: u32 = 64;

/// At most `cap` requests in any rolling hour. The most recent requests are remembered even
/// without a cap, so a cap set later (once the plan is known) counts them.
#[derive(Debug)]
struct HourlyWindow {
    cap: Option<u32>,
    sent: VecDeque<Instant>,
}

const HOUR: Duration = Duration::from_secs(3600);

impl HourlyWindow {
    fn new(cap: Option<u32>) -> Self {
        HourlyWindow {
            cap,
            sent: VecDeque::new(),
        }
    }

    fn wait(&mut self, now: Instant) -> Duration {
        while self
            .sent
            .front()
            .is_some_and(|sent| now.saturating_duration_since(*sent) >= HOUR)
        {
            self.sent.pop_front();
        }
        let Some(cap) = self.cap else {
            return Duration::ZERO;
        };
        if self.sent.len() < cap as usize {
            return Duration::ZERO;
        }
        // The request that must leave the window before one more fits.
        let oldest_needed = self.sent.len() - cap as usize;
        self.sent
            .get(oldest_needed)
            .map_or(Duration::ZERO, |sent| (*sent + HOUR).saturating_duration_since(now))
    }

    fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        match self.wait(now) {
            wait if wait.is_zero() => {
                self.sent.push_back(now);
                if self.sent.len() > MAX_HOURLY_CAP as usize {
                    self.sent.pop_front();
                }
                Ok(())
            }
            wait => Err(wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hourly_window_allows_exactly_the_cap_per_rolling_hour() {
        let start = Instant::now();
        let mut window = HourlyWindow::new(None);
        // Requests before the cap is known count once it is set.
        assert_eq!(window.try_take(start), Ok(()));
        window.cap = Some(3);
        for _ in 0..2 {
            assert_eq!(window.try_take(start), Ok(()));
        }
        assert_eq!(
            window.try_take(start + Duration::from_secs(10)),
            Err(HOUR - Duration::from_secs(10))
        );
        // An hour later the three have left the window: three more fit, not a fourth.
        for _ in 0..3 {
            assert_eq!(window.try_take(start + HOUR), Ok(()));
        }
        assert!(window.try_take(start + HOUR).is_err());
    }

    #[test]
    fn budgets_are_per_installation() {
        let budgets = RateBudgets::new(50);
        let a = budgets.for_workspace("api-studio", "w1");
        let again = budgets.for_workspace("api-studio", "w1");
        let other = budgets.for_workspace("universal-webhook", "w1");
        assert!(Arc::ptr_eq(&a, &again));
        assert!(!Arc::ptr_eq(&a, &other));
        a.set_bootstrap_share(500);
        assert_eq!(a.bootstrap_share(), 50);
        a.set_bootstrap_share(10);
        assert_eq!(a.bootstrap_share(), 10);
    }

    #[tokio::test]
    async fn the_bootstrap_share_paces_requests_evenly() {
        let budget = WorkspaceBudget::new(50);
        budget.set_bootstrap_share(20);
        let started = Instant::now();
        for _ in 0..11 {
            budget.acquire(Lane::Bootstrap).await;
        }
        // 11 requests at 20/s: the first at once, then one every 50 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(480),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(budget.requests(), 11);
    }
}
