//! The Overview's Activity card: is the add-on receiving and acting? Events stored per hour over
//! the last 24 hours (a small bar chart), the busiest event types, the newest event, rejected
//! deliveries and flow runs by outcome.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{loaded, thousands, Card},
    session::SessionView,
};

/// Hours the chart spans.
pub const HOURS: usize = 24;

/// Most event types named.
const TOP_TYPES: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Events stored per hour, oldest first; the last is the hour that is running.
    pub hourly: Vec<i64>,
    /// The first hour's start, unix minutes.
    pub first_minute: i64,
    pub total: i64,
    /// The busiest event types of the 24 hours with their counts, most first.
    pub top_types: Vec<(String, i64)>,
    /// The newest stored event, e.g. `NEW_TAG at 2026-11-30 17:05 UTC` (any age).
    pub last_event: Option<String>,
    /// Rejected deliveries since the installation, and the last one's time (unix ms).
    pub rejected: i64,
    pub last_rejected_at: Option<i64>,
    /// Flow runs since the installation, by outcome.
    pub runs_succeeded: i64,
    pub runs_failed: i64,
    pub runs_dead: i64,
    pub runs_active: i64,
}

impl Activity {
    /// Sums the store's rows: `events` are `(minute, event type, count)` (as the log's chart
    /// reads them), `rejections` `(count, last at)`, `runs` `(status, count)`. `now_minute` is
    /// the running minute. The newest event is read apart (`last_event` stays `None`).
    pub fn summarize(
        events: &[(i64, String, i64)],
        rejections: &[(i64, i64)],
        runs: &[(String, i64)],
        now_minute: i64,
    ) -> Activity {
        let hours = HOURS as i64;
        let first_minute = now_minute - hours * 60 + 1;
        let mut hourly = vec![0i64; HOURS];
        let mut types: Vec<(String, i64)> = Vec::new();
        for (minute, event_type, count) in events {
            if !(first_minute..=now_minute).contains(minute) || *count <= 0 {
                continue;
            }
            // Hour buckets end with the running minute, so the last one is never partial.
            let hour = ((minute - first_minute) / 60).clamp(0, hours - 1) as usize;
            hourly[hour] += count;
            match types.iter_mut().find(|(name, _)| name == event_type) {
                Some((_, total)) => *total += count,
                None => types.push((event_type.clone(), *count)),
            }
        }
        types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        types.truncate(TOP_TYPES);
        let count_of = |wanted: &[&str]| -> i64 {
            runs.iter()
                .filter(|(status, _)| wanted.contains(&status.as_str()))
                .map(|(_, count)| count)
                .sum()
        };
        Activity {
            total: hourly.iter().sum(),
            hourly,
            first_minute,
            top_types: types,
            last_event: None,
            rejected: rejections.iter().map(|(count, _)| count).sum(),
            last_rejected_at: rejections.iter().map(|(_, at)| *at).max(),
            runs_succeeded: count_of(&["succeeded"]),
            runs_failed: count_of(&["failed"]),
            runs_dead: count_of(&["dead"]),
            runs_active: count_of(&["queued", "running", "retrying"]),
        }
    }
}

/// What the card shows, for the session's add-on and workspace.
#[server]
pub async fn load_activity(session: String) -> Result<Activity, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use addon_core::store::events::{EventFilter, CLOCKIFY_SOURCE};

    use crate::backend::{authenticate, format_time, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let store = &backend.store;
    let now = now_millis();
    let since = now - (HOURS as i64) * 3_600_000;
    let events = store
        .events_per_minute(profile.key, &session.workspace_id, since)
        .await
        .map_err(to_server_error)?;
    let rejections: Vec<(i64, i64)> = store
        .rejection_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .into_iter()
        .filter(|rejection| profile.features.custom_sources || rejection.source == CLOCKIFY_SOURCE)
        .map(|rejection| (rejection.count, rejection.last_at))
        .collect();
    let runs: Vec<(String, i64)> = store
        .flow_run_stats(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .into_iter()
        .map(|stats| (stats.status, stats.count))
        .collect();
    // API Studio sees Clockify's events only, as in its log.
    let newest = EventFilter {
        source: (!profile.features.custom_sources).then(|| CLOCKIFY_SOURCE.to_string()),
        ..EventFilter::default()
    };
    let last_event = store
        .events(profile.key, &session.workspace_id, &newest, 0, 1)
        .await
        .map_err(to_server_error)?
        .items
        .into_iter()
        .next()
        .map(|event| format!("{} at {}", event.event_type, format_time(event.received_at)));
    Ok(Activity {
        last_event,
        ..Activity::summarize(&events, &rejections, &runs, now.div_euclid(60_000))
    })
}

/// Unix minutes as `17:05 UTC`.
fn clock(minute: i64) -> String {
    let minute_of_day = minute.rem_euclid(1440);
    format!("{:02}:{:02} UTC", minute_of_day / 60, minute_of_day % 60)
}

#[component]
pub fn ActivityCard() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let activity = Resource::new(move || session.token.clone(), load_activity);
    loaded(
        activity,
        "The activity could not be loaded",
        |data| view! { <ActivityBody data/> },
    )
}

#[component]
fn ActivityBody(data: Activity) -> impl IntoView {
    // The webhook log, keeping the page's query (its token) as the top navigation does.
    let session = expect_context::<SessionView>();
    let location = leptos_router::hooks::use_location();
    let log_href = move || {
        let target = format!("/{}/ui/webhooks", session.addon_key);
        let search = location.search.get();
        if search.is_empty() {
            target
        } else {
            format!("{target}?{search}")
        }
    };
    let last_event = data.last_event.clone().unwrap_or_else(|| "none yet".to_string());
    let top = if data.top_types.is_empty() {
        String::new()
    } else {
        data.top_types
            .iter()
            .map(|(name, count)| format!("{name} {}", thousands(*count)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let rejected = match data.last_rejected_at {
        Some(at) if data.rejected > 0 => format!(
            "{} (the last at {})",
            thousands(data.rejected),
            clock(at.div_euclid(60_000))
        ),
        _ => "none".to_string(),
    };
    let runs = format!(
        "{} succeeded · {} failed · {} dead-lettered{}",
        thousands(data.runs_succeeded),
        thousands(data.runs_failed),
        thousands(data.runs_dead),
        if data.runs_active > 0 {
            format!(" · {} in progress", thousands(data.runs_active))
        } else {
            String::new()
        }
    );
    view! {
        <Card title="Activity">
            <div class="grid gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]" data-testid="activity">
                <div>
                    <p class="text-xs text-slate-500 dark:text-slate-400">"Events stored, last 24 hours"</p>
                    <p class="text-2xl font-semibold text-slate-900 dark:text-white" data-testid="activity-events"
                       data-total=data.total.to_string()>{thousands(data.total)}</p>
                    <HourlyBars hourly=data.hourly.clone() first_minute=data.first_minute/>
                </div>
                <dl class="grid content-start gap-2 text-sm">
                    <div>
                        <dt class="text-xs text-slate-500 dark:text-slate-400">"Newest event"</dt>
                        <dd class="font-medium text-slate-900 dark:text-slate-100">
                            <span data-testid="activity-last-event">{last_event}</span>
                            " "
                            <a href=log_href data-testid="activity-open-log"
                               class="whitespace-nowrap text-xs font-semibold text-[#0288d1] hover:underline dark:text-[#4fc3f7]">
                                "Open the log →"
                            </a>
                        </dd>
                    </div>
                    <div>
                        <dt class="text-xs text-slate-500 dark:text-slate-400">"Busiest event types"</dt>
                        <dd class="font-mono text-xs text-slate-800 dark:text-slate-200" data-testid="activity-top-types">
                            {if top.is_empty() { "—".to_string() } else { top }}
                        </dd>
                    </div>
                    <div>
                        <dt class="text-xs text-slate-500 dark:text-slate-400">"Rejected deliveries, since installed"</dt>
                        <dd class="text-slate-900 dark:text-slate-100" data-testid="activity-rejected"
                            data-count=data.rejected.to_string()>{rejected}</dd>
                    </div>
                    <div>
                        <dt class="text-xs text-slate-500 dark:text-slate-400">"Flow runs, since installed"</dt>
                        <dd class="text-slate-900 dark:text-slate-100" data-testid="activity-runs"
                            data-succeeded=data.runs_succeeded.to_string() data-failed=(data.runs_failed + data.runs_dead).to_string()>
                            {runs}
                        </dd>
                    </div>
                </dl>
            </div>
        </Card>
    }
}

/// 24 bars, one an hour, oldest on the left; each says its hour and count on hover.
#[component]
fn HourlyBars(hourly: Vec<i64>, first_minute: i64) -> impl IntoView {
    const WIDTH: i64 = 240;
    const HEIGHT: i64 = 48;
    let bar = WIDTH / HOURS as i64;
    let peak = hourly.iter().copied().max().unwrap_or(0).max(1);
    let bars = hourly
        .iter()
        .enumerate()
        .map(|(index, count)| {
            let height = if *count > 0 { (count * HEIGHT / peak).max(2) } else { 0 };
            let start = first_minute + index as i64 * 60;
            let title = format!("{}–{}: {} events", clock(start), clock(start + 59), thousands(*count));
            view! {
                <g data-testid="activity-hour" data-count=count.to_string()>
                    <title>{title}</title>
                    <rect x=(index as i64 * bar).to_string() y="0" width=bar.to_string() height=HEIGHT.to_string() fill="transparent"/>
                    <rect x=(index as i64 * bar + 1).to_string() y=(HEIGHT - height).to_string()
                          width=(bar - 2).to_string() height=height.to_string() rx="1" fill="#03a9f4"/>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 1) class="mt-2 h-12 w-full max-w-sm" role="img"
             aria-label="Events stored per hour over the last 24 hours" data-testid="activity-chart">
            <line x1="0" y1=HEIGHT.to_string() x2=WIDTH.to_string() y2=HEIGHT.to_string()
                  class="stroke-slate-300 dark:stroke-slate-600" stroke-width="1"/>
            {bars}
        </svg>
        <p class="flex max-w-sm justify-between text-[10px] text-slate-500 dark:text-slate-400">
            <span>"24 hours ago"</span>
            <span>"now"</span>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_types_newest_rejections_and_runs() {
        let now = 10_000;
        let first = now - 24 * 60 + 1;
        let events = vec![
            (first - 1, "TOO_OLD".to_string(), 9),
            (first, "NEW_TAG".to_string(), 2),
            (first + 59, "NEW_TAG".to_string(), 1),
            (first + 60, "NEW_PROJECT".to_string(), 4),
            (now, "NEW_TIME_ENTRY".to_string(), 3),
            (now - 1, "NEW_TAG".to_string(), 1),
            (now + 1, "FUTURE".to_string(), 5),
        ];
        let rejections = vec![(2, 1_000), (3, 5_000)];
        let runs = vec![
            ("succeeded".to_string(), 7),
            ("failed".to_string(), 1),
            ("dead".to_string(), 2),
            ("retrying".to_string(), 1),
            ("queued".to_string(), 1),
        ];
        let activity = Activity::summarize(&events, &rejections, &runs, now);
        assert_eq!(activity.hourly.len(), 24);
        assert_eq!(activity.hourly[0], 3, "the first hour: minutes first..first+59");
        assert_eq!(activity.hourly[1], 4);
        assert_eq!(activity.hourly[23], 4, "the running hour");
        assert_eq!(activity.total, 11, "only the 24 hours");
        assert_eq!(
            activity.top_types,
            [
                ("NEW_PROJECT".to_string(), 4),
                ("NEW_TAG".to_string(), 4),
                ("NEW_TIME_ENTRY".to_string(), 3)
            ]
        );
        assert_eq!((activity.rejected, activity.last_rejected_at), (5, Some(5_000)));
        assert_eq!(
            (
                activity.runs_succeeded,
                activity.runs_failed,
                activity.runs_dead,
                activity.runs_active
            ),
            (7, 1, 2, 2)
        );
        let quiet = Activity::summarize(&[], &[], &[], now);
        assert_eq!((quiet.total, quiet.last_rejected_at), (0, None));
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock(0), "00:00 UTC");
        assert_eq!(clock(1_440 * 3 + 17 * 60 + 5), "17:05 UTC");
    }
}
