//! Switchable faults and limits of the `/api` endpoints (`GET`/`PUT /sim/faults`), and the
//! start-up configuration they begin from.

use serde::{Deserialize, Deserializer, Serialize};

/// Clockify's documented limit: 50 requests per second per add-on and workspace.
pub const DEFAULT_RATE_LIMIT: u32 = 50;
/// Clockify's documented budget of a new FREE workspace: 30 API calls per hour, all add-ons
/// together.
pub const DEFAULT_FREE_HOURLY_BUDGET: u32 = 30;
/// The largest `latencyMs` accepted.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// How the `/api` endpoints misbehave. The JSON of `GET`/`PUT /sim/faults`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    /// Share (0–1) of `/api` requests answered 503 or 500 with a JSON error body.
    pub error_rate: f64,
    /// Delay added to every `/api` request, in milliseconds.
    pub latency_ms: u64,
    /// Requests per second per installation token (token bucket of this capacity).
    pub rate_limit: u32,
    /// Add-on calls the workspace may make per rolling hour (all tokens together); `None` =
    /// unlimited.
    pub hourly_budget: Option<u32>,
    /// Share (0–1) of 200 answers whose body is cut short (invalid JSON).
    pub malformed_rate: f64,
}

impl Faults {
    /// Problems with the values, one readable line each (empty when valid).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, rate) in [("errorRate", self.error_rate), ("malformedRate", self.malformed_rate)] {
            if !(0.0..=1.0).contains(&rate) {
                problems.push(format!("{name} must be between 0 and 1"));
            }
        }
        if self.latency_ms > MAX_LATENCY_MS {
            problems.push(format!("latencyMs must be at most {MAX_LATENCY_MS}"));
        }
        if self.rate_limit == 0 {
            problems.push("rateLimit must be at least 1".into());
        }
        problems
    }
}

/// The body of `PUT /sim/faults`: every field optional; one left out takes its start-up value
/// (so `{}` resets everything). `hourlyBudget: null` removes the budget.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultsUpdate {
    /// See [`Faults::error_rate`].
    pub error_rate: Option<f64>,
    /// See [`Faults::latency_ms`].
    pub latency_ms: Option<u64>,
    /// See [`Faults::rate_limit`].
    pub rate_limit: Option<u32>,
    /// See [`Faults::hourly_budget`]; `Some(None)` is an explicit `null`.
    #[serde(default, deserialize_with = "present")]
    pub hourly_budget: Option<Option<u32>>,
    /// See [`Faults::malformed_rate`].
    pub malformed_rate: Option<f64>,
}

/// Tells a field that is present (possibly `null`) from one left out.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

impl FaultsUpdate {
    /// The faults this update sets, starting from `defaults`.
    pub fn apply_to(&self, defaults: &Faults) -> Faults {
        Faults {
            error_rate: self.error_rate.unwrap_or(defaults.error_rate),
            latency_ms: self.latency_ms.unwrap_or(defaults.latency_ms),
            rate_limit: self.rate_limit.unwrap_or(defaults.rate_limit),
            hourly_budget: self.hourly_budget.unwrap_or(defaults.hourly_budget),
            malformed_rate: self.malformed_rate.unwrap_or(defaults.malformed_rate),
        }
    }
}

/// Start-up values of the limits and faults (from the command line).
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficConfig {
    /// Requests per second per installation token.
    pub rate_limit: u32,
    /// Calls per rolling hour of a FREE workspace.
    pub free_hourly_budget: u32,
    /// See [`Faults::error_rate`].
    pub error_rate: f64,
    /// See [`Faults::latency_ms`].
    pub latency_ms: u64,
    /// See [`Faults::malformed_rate`].
    pub malformed_rate: f64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            rate_limit: DEFAULT_RATE_LIMIT,
            free_hourly_budget: DEFAULT_FREE_HOURLY_BUDGET,
            error_rate: 0.0,
            latency_ms: 0,
            malformed_rate: 0.0,
        }
    }
}

impl TrafficConfig {
    /// The faults a workspace on `plan` starts with: the hourly budget only on `FREE`.
    pub fn initial_faults(&self, plan: &str) -> Faults {
        Faults {
            error_rate: self.error_rate,
            latency_ms: self.latency_ms,
            rate_limit: self.rate_limit,
            hourly_budget: (plan == "FREE").then_some(self.free_hourly_budget),
            malformed_rate: self.malformed_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_start_from_the_defaults_and_tell_null_from_missing() {
        let defaults = TrafficConfig::default().initial_faults("FREE");
        assert_eq!(defaults.hourly_budget, Some(30));
        let update: FaultsUpdate = serde_json::from_str(r#"{"errorRate": 0.5}"#).unwrap();
        let faults = update.apply_to(&defaults);
        assert_eq!((faults.error_rate, faults.hourly_budget), (0.5, Some(30)));
        let update: FaultsUpdate = serde_json::from_str(r#"{"hourlyBudget": null}"#).unwrap();
        assert_eq!(update.apply_to(&defaults).hourly_budget, None);
        assert!(serde_json::from_str::<FaultsUpdate>(r#"{"errorrate": 0.5}"#).is_err());
        assert!(serde_json::from_str::<FaultsUpdate>(r#"{"latencyMs": -1}"#).is_err());
    }

    #[test]
    fn problems_are_listed() {
        let mut faults = TrafficConfig::default().initial_faults("PRO");
        assert!(faults.problems().is_empty());
        faults.error_rate = 1.5;
        faults.malformed_rate = f64::NAN;
        faults.rate_limit = 0;
        faults.latency_ms = MAX_LATENCY_MS + 1;
        assert_eq!(faults.problems().len(), 4);
    }
}
