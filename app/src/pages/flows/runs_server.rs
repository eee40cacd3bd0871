//! The server functions of the runs views and of the draft test. Every one verifies the
//! session first and reads or changes runs of the session's add-on and workspace only.
//!
//! - [`load_runs`]: a page of runs (one flow's or all), counts per status, the flows to filter on.
//! - [`load_run`]: one run with its steps grouped by attempt and the event's body.
//! - [`retry_flow_run`] (failed or dead runs, resuming at the failed step) and
//!   [`rerun_flow_run`] (any finished run, a new run from the first step); both wake the runtime.
//! - [`test_flow_draft`]: what the draft and the published version would do with the last N
//!   stored events their triggers match. Nothing is sent.

use std::collections::BTreeSet;

use addon_core::flows::{
    condition::ConditionsResult,
    evaluate::{Preview, RenderedStep},
    model::FlowDefinition,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// Runs per page.
pub const RUNS_PAGE_SIZE: i64 = 25;

/// Events a draft test uses when the page does not say.
pub const DEFAULT_TEST_EVENTS: i64 = 10;

/// The most events one draft test uses.
pub const MAX_TEST_EVENTS: i64 = 50;

/// Statuses in the order the page shows them (see `addon_core::store::flows::run_status`).
pub const STATUSES: [&str; 6] = ["queued", "running", "retrying", "succeeded", "failed", "dead"];

/// Whether a run in this status may still change (the page polls while one is shown).
pub fn is_active(status: &str) -> bool {
    matches!(status, "queued" | "running" | "retrying")
}

/// Whether "Retry" applies: the run failed or was dead-lettered.
pub fn can_retry(status: &str) -> bool {
    matches!(status, "failed" | "dead")
}

/// Whether "Re-run" applies: the run has ended.
pub fn can_rerun(status: &str) -> bool {
    matches!(status, "succeeded" | "failed" | "dead")
}

/// A flow to filter on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowOption {
    pub id: String,
    pub name: String,
}

/// Runs in one status (of the flow shown, or of all flows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// One row of the runs table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    /// When the run was created (queued), `2026-11-28 23:45:07 UTC`.
    pub time: String,
    pub flow_id: String,
    pub flow_name: String,
    pub flow_version: i64,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    /// Attempts that ended in a retryable failure (since the last manual retry).
    pub attempts: i64,
    /// Attempts made or in progress (see [`tries`]).
    pub tries: i64,
    /// From queued to finished; `None` while it has not finished.
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
}

/// A page of runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunsView {
    pub items: Vec<RunSummary>,
    /// Runs matching the filters.
    pub total: i64,
    /// From 1.
    pub page: i64,
    pub pages: i64,
    /// Every status (see [`STATUSES`]) with its count for the flow filter (not the status one).
    pub counts: Vec<StatusCount>,
    /// The installation's flows, by name.
    pub flows: Vec<FlowOption>,
    /// Some run of the flow filter is queued, running or retrying.
    pub active: bool,
}

/// One step of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// From 0.
    pub index: i64,
    pub step_id: String,
    /// `clockify`, `http`, or `render` (the templates could not be rendered; nothing was sent).
    pub kind: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The rendered request, pretty JSON (secrets masked); `None` when nothing was rendered.
    pub request: Option<String>,
    pub http_status: Option<i64>,
    /// The response's headers, pretty JSON.
    pub response_headers: Option<String>,
    /// The response's body, pretty when it is JSON.
    pub response_body: Option<String>,
    /// The recorded body was cut.
    pub truncated: bool,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub started: String,
}

/// The steps of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    /// From 1.
    pub attempt: i64,
    pub steps: Vec<StepView>,
}

/// One run, for the detail panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDetail {
    pub run: RunSummary,
    /// The step the next attempt starts at (from 0).
    pub next_step: i64,
    /// Oldest first.
    pub attempts: Vec<AttemptView>,
    /// When a retrying run is due.
    pub retry_at: Option<String>,
    pub finished: Option<String>,
    /// The event's body (pretty when JSON); `None` when the event is no longer stored.
    pub event_body: Option<String>,
    pub event_source: String,
}

/// What a retry or a re-run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunActionOutcome {
    /// The run that is queued now (the same run for a retry, a new one for a re-run).
    pub run_id: String,
    pub message: String,
}

/// One rule's result in a draft test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    /// `$.body.billable equals true`.
    pub label: String,
    pub matched: bool,
    /// The first value the path found, as JSON text.
    pub actual: Option<String>,
    pub error: Option<String>,
}

/// What one version does with one event (trigger and conditions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideView {
    pub triggered: bool,
    pub conditions_matched: bool,
    /// Triggered, conditions hold and the definition has no problems: a run would start.
    pub would_run: bool,
    pub rules: Vec<RuleView>,
}

/// One step as a version would render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSide {
    /// Pretty JSON of the rendered request (secrets as `••••`).
    pub request: Option<String>,
    pub error: Option<String>,
}

/// The step of one id in both versions (a side is `None` when that version has no such step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepPair {
    pub id: String,
    pub draft: Option<StepSide>,
    pub published: Option<StepSide>,
    pub differs: bool,
}

/// Draft and published side by side for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventComparison {
    pub event_id: String,
    pub time: String,
    pub event_type: String,
    pub source: String,
    pub draft: SideView,
    /// `None` when the flow has no published version.
    pub published: Option<SideView>,
    pub steps: Vec<StepPair>,
    pub trigger_differs: bool,
    pub conditions_differ: bool,
    /// One version would start a run and the other would not.
    pub outcome_differs: bool,
    /// Anything differs (always false without a published version).
    pub differs: bool,
}

/// The result of a draft test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftTestView {
    /// Newest first.
    pub events: Vec<EventComparison>,
    /// How many events were asked for.
    pub requested: i64,
    pub published_version: Option<i64>,
    /// Problems of the draft (`field: message`); a draft with problems cannot be published.
    pub draft_problems: Vec<String>,
    pub published_problems: Vec<String>,
    /// Events where the versions differ.
    pub differing: i64,
}

/// Attempts a run has made (or is making) since it was queued or last retried by hand:
/// `attempts` counts only the retryable failures, so a run that ended (succeeded or failed)
/// or is running has one more.
pub fn tries(status: &str, attempts: i64) -> i64 {
    match status {
        "succeeded" | "failed" | "running" => attempts + 1,
        _ => attempts,
    }
}

/// `850 ms`, `1.2 s`, `2 min 5 s`, `3 h 4 min`.
pub fn format_duration(millis: i64) -> String {
    let millis = millis.max(0);
    if millis < 1_000 {
        format!("{millis} ms")
    } else if millis < 60_000 {
        format!("{:.1} s", millis as f64 / 1000.0)
    } else if millis < 3_600_000 {
        format!("{} min {} s", millis / 60_000, (millis % 60_000) / 1000)
    } else {
        format!("{} h {} min", millis / 3_600_000, (millis % 3_600_000) / 60_000)
    }
}

/// Pretty JSON of a JSON text, or the text itself.
pub fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| text.to_string())
}

/// The draft test's event count, from what the page sent (0 or less means the default).
pub fn test_event_count(requested: i64) -> i64 {
    if requested <= 0 {
        DEFAULT_TEST_EVENTS
    } else {
        requested.min(MAX_TEST_EVENTS)
    }
}

/// A version's trigger and condition results for one event.
fn side_view(def: &FlowDefinition, preview: &Preview) -> SideView {
    let conditions_matched = preview.conditions.as_ref().is_some_and(|result| result.matched);
    SideView {
        triggered: preview.triggered,
        conditions_matched,
        would_run: preview.triggered && conditions_matched && preview.problems.is_empty(),
        rules: rule_views(def, preview.conditions.as_ref()),
    }
}

fn rule_views(def: &FlowDefinition, result: Option<&ConditionsResult>) -> Vec<RuleView> {
    let mut views = Vec::new();
    for (group_index, group) in def.conditions.groups.iter().enumerate() {
        for (rule_index, rule) in group.rules.iter().enumerate() {
            let outcome = result
                .and_then(|result| result.groups.get(group_index))
                .and_then(|group| group.rules.get(rule_index));
            let label = if rule.operator.takes_value() {
                format!("{} {} {}", rule.path, rule.operator.label(), rule.value)
            } else {
                format!("{} {}", rule.path, rule.operator.label())
            };
            views.push(RuleView {
                label,
                matched: outcome.is_some_and(|outcome| outcome.matched),
                actual: outcome
                    .and_then(|outcome| outcome.actual.as_ref())
                    .map(|actual| actual.to_string()),
                error: outcome.and_then(|outcome| outcome.error.clone()),
            });
        }
    }
    views
}

fn step_side(rendered: Option<&RenderedStep>, error: Option<&String>) -> StepSide {
    StepSide {
        request: rendered
            .and_then(|rendered| serde_json::to_value(rendered).ok())
            .and_then(|value| serde_json::to_string_pretty(&value).ok()),
        error: error.cloned(),
    }
}

/// Puts what the draft and the published version do with one event side by side; the steps
/// are paired by id (draft order first, then steps only the published version has).
pub fn compare(
    draft_def: &FlowDefinition,
    draft: &Preview,
    published: Option<(&FlowDefinition, &Preview)>,
) -> (SideView, Option<SideView>, Vec<StepPair>) {
    let draft_side = side_view(draft_def, draft);
    let published_side = published.map(|(def, preview)| side_view(def, preview));
    let mut ids: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let published_steps = published.map(|(_, preview)| preview.steps.as_slice()).unwrap_or(&[]);
    for step in draft.steps.iter().chain(published_steps) {
        if seen.insert(step.id.clone()) {
            ids.push(step.id.clone());
        }
    }
    let steps = ids
        .into_iter()
        .map(|id| {
            let draft_step = draft.steps.iter().find(|step| step.id == id);
            let published_step = published_steps.iter().find(|step| step.id == id);
            let differs = published.is_some()
                && match (draft_step, published_step) {
                    (Some(a), Some(b)) => a.rendered != b.rendered || a.error != b.error,
                    _ => true,
                };
            StepPair {
                draft: draft_step.map(|step| step_side(step.rendered.as_ref(), step.error.as_ref())),
                published: published
                    .is_some()
                    .then(|| published_step.map(|step| step_side(step.rendered.as_ref(), step.error.as_ref())))
                    .flatten(),
                differs,
                id,
            }
        })
        .collect();
    (draft_side, published_side, steps)
}

/// Sets a comparison's difference flags from its sides and steps.
pub fn flag_differences(comparison: &mut EventComparison) {
    if let Some(published) = &comparison.published {
        let draft = &comparison.draft;
        comparison.trigger_differs = draft.triggered != published.triggered;
        comparison.conditions_differ = draft.conditions_matched != published.conditions_matched;
        comparison.outcome_differs = draft.would_run != published.would_run;
        comparison.differs = comparison.trigger_differs
            || comparison.conditions_differ
            || comparison.outcome_differs
            || comparison.steps.iter().any(|step| step.differs);
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::collections::{BTreeSet, HashMap};

    use addon_core::{
        flows::model::Trigger,
        profile::Profile,
        session::Session,
        settings::EffectiveSettings,
        store::{
            events::{event_status, EventFilter, StoredEvent, CLOCKIFY_SOURCE},
            flows::{RunRow, StepRow},
            Installation,
        },
    };
    use leptos::prelude::ServerFnError;
    use serde_json::Value;

    use super::{pretty_json, tries, AttemptView, RunSummary, StepView};
    use crate::backend::{to_server_error, UiBackend};

    /// Unix ms as `2026-11-28 23:45:07 UTC`.
    pub fn format_seconds(millis: i64) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .ok()
            .and_then(|moment| moment.format(&format).ok())
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn summary(run: RunRow, names: &HashMap<String, String>) -> RunSummary {
        RunSummary {
            tries: tries(&run.status, run.attempts),
            time: format_seconds(run.created_at),
            flow_name: names
                .get(&run.flow_id)
                .cloned()
                .unwrap_or_else(|| "(deleted flow)".to_string()),
            duration_ms: run.finished_at.map(|finished| (finished - run.created_at).max(0)),
            id: run.id,
            flow_id: run.flow_id,
            flow_version: run.flow_version,
            event_id: run.event_id,
            event_type: run.event_type,
            status: run.status,
            attempts: run.attempts,
            error: run.error,
        }
    }

    /// Steps grouped by attempt, oldest attempt first, steps in order.
    pub fn attempts(mut steps: Vec<StepRow>) -> Vec<AttemptView> {
        steps.sort_by_key(|step| (step.attempt, step.step_index, step.started_at));
        let mut attempts: Vec<AttemptView> = Vec::new();
        for step in steps {
            let view = step_view(&step);
            match attempts.last_mut() {
                Some(last) if last.attempt == step.attempt => last.steps.push(view),
                _ => attempts.push(AttemptView {
                    attempt: step.attempt,
                    steps: vec![view],
                }),
            }
        }
        attempts
    }

    fn step_view(step: &StepRow) -> StepView {
        let request = serde_json::from_str::<Value>(&step.request)
            .ok()
            .filter(|value| !value.is_null())
            .map(|value| serde_json::to_string_pretty(&value).unwrap_or_else(|_| step.request.clone()));
        let response = step
            .response
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok());
        let response_headers = response
            .as_ref()
            .and_then(|response| response.get("headers"))
            .and_then(|headers| serde_json::to_string_pretty(headers).ok());
        let response_body = response
            .as_ref()
            .and_then(|response| response.get("body"))
            .map(|body| match body {
                Value::String(text) => pretty_json(text),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            });
        let truncated = response
            .as_ref()
            .and_then(|response| response.get("truncated"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        StepView {
            index: step.step_index,
            step_id: step.step_id.clone(),
            kind: step.kind.clone(),
            status: step.status.clone(),
            request,
            http_status: step.http_status,
            response_headers,
            response_body,
            truncated,
            duration_ms: step.duration_ms,
            error: step.error.clone(),
            started: format_seconds(step.started_at),
        }
    }

    /// Flow id → name of the installation's flows.
    pub async fn flow_names(
        backend: &UiBackend,
        profile: &Profile,
        session: &Session,
    ) -> Result<Vec<(String, String)>, ServerFnError> {
        let mut flows: Vec<(String, String)> = backend
            .store
            .flows(profile.key, &session.workspace_id)
            .await
            .map_err(to_server_error)?
            .into_iter()
            .map(|flow| (flow.id, flow.name))
            .collect();
        flows.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(&b.0)));
        Ok(flows)
    }

    /// The installation's effective settings.
    pub fn settings(backend: &UiBackend, profile: &'static Profile, installation: &Installation) -> EffectiveSettings {
        EffectiveSettings::resolve(
            profile.key,
            profile.settings,
            &installation.settings,
            &backend.setting_overrides,
        )
    }

    /// Exact `(source, event type)` queries whose union is every event one of the triggers
    /// starts on. A profile without custom sources asks for Clockify's events only.
    pub fn trigger_queries(triggers: &[&Trigger], custom_sources: bool) -> BTreeSet<(String, Option<String>)> {
        let mut queries = BTreeSet::new();
        for trigger in triggers {
            for event_type in &trigger.event_types {
                queries.insert((CLOCKIFY_SOURCE.to_string(), Some(event_type.clone())));
            }
            if !custom_sources {
                continue;
            }
            for source in &trigger.sources {
                if trigger.event_types.is_empty() {
                    queries.insert((source.clone(), None));
                } else {
                    for event_type in &trigger.event_types {
                        queries.insert((source.clone(), Some(event_type.clone())));
                    }
                }
            }
        }
        queries
    }

    /// The most queries one draft test makes (trigger lists are short in practice).
    const MAX_QUERIES: usize = 200;

    /// The newest `limit` accepted events that one of the triggers starts on, newest first.
    pub async fn recent_events(
        backend: &UiBackend,
        profile: &Profile,
        workspace_id: &str,
        triggers: &[&Trigger],
        limit: i64,
    ) -> Result<Vec<StoredEvent>, ServerFnError> {
        let mut found: HashMap<String, StoredEvent> = HashMap::new();
        for (source, event_type) in trigger_queries(triggers, profile.features.custom_sources)
            .into_iter()
            .take(MAX_QUERIES)
        {
            let filter = EventFilter {
                event_type,
                source: Some(source),
                status: Some(event_status::ACCEPTED.to_string()),
                since: None,
                text: None,
            };
            let page = backend
                .store
                .events(profile.key, workspace_id, &filter, 0, limit)
                .await
                .map_err(to_server_error)?;
            for event in page.items {
                found.entry(event.id.clone()).or_insert(event);
            }
        }
        let mut events: Vec<StoredEvent> = found.into_values().collect();
        events.sort_by(|a, b| b.received_at.cmp(&a.received_at).then_with(|| b.id.cmp(&a.id)));
        events.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(events)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn step(attempt: i64, index: i64, status: &str) -> StepRow {
            StepRow {
                run_id: "r".into(),
                attempt,
                step_index: index,
                step_id: format!("s{index}"),
                kind: "clockify".into(),
                status: status.into(),
                request: r#"{"kind":"clockify","path":"/v1/x"}"#.into(),
                response: Some(
                    r#"{"status":404,"headers":{"content-type":"application/json"},"body":"{\"message\":\"nope\"}","truncated":false}"#
                        .into(),
                ),
                http_status: Some(404),
                duration_ms: 12,
                error: None,
                started_at: attempt * 1000 + index,
            }
        }

        #[test]
        fn steps_are_grouped_by_attempt() {
            let grouped = attempts(vec![
                step(2, 0, "failed"),
                step(1, 1, "failed"),
                step(1, 0, "succeeded"),
            ]);
            let shape: Vec<(i64, Vec<i64>)> = grouped
                .iter()
                .map(|attempt| (attempt.attempt, attempt.steps.iter().map(|step| step.index).collect()))
                .collect();
            assert_eq!(shape, [(1, vec![0, 1]), (2, vec![0])]);
            let first = &grouped[0].steps[0];
            assert!(first
                .request
                .as_deref()
                .is_some_and(|r| r.contains("\"path\": \"/v1/x\"")));
            assert_eq!(first.response_body.as_deref(), Some("{\n  \"message\": \"nope\"\n}"));
            assert!(first
                .response_headers
                .as_deref()
                .is_some_and(|h| h.contains("application/json")));
        }

        #[test]
        fn a_step_that_did_not_render_has_no_request() {
            let mut row = step(1, 0, "failed");
            row.kind = "render".into();
            row.request = "null".into();
            row.response = None;
            let view = &attempts(vec![row])[0].steps[0];
            assert_eq!(view.request, None);
            assert_eq!(view.response_body, None);
        }

        #[test]
        fn queries_cover_the_triggers_exactly() {
            let clockify = Trigger {
                event_types: vec!["NEW_TIME_ENTRY".into(), "NEW_TAG".into()],
                sources: vec![],
            };
            let custom = Trigger {
                event_types: vec![],
                sources: vec!["src1".into()],
            };
            let typed = Trigger {
                event_types: vec!["order.paid".into()],
                sources: vec!["src2".into()],
            };
            let queries: Vec<_> = trigger_queries(&[&clockify, &custom, &typed, &clockify], true)
                .into_iter()
                .collect();
            let some = |text: &str| Some(text.to_string());
            assert_eq!(
                queries,
                [
                    ("clockify".to_string(), some("NEW_TAG")),
                    ("clockify".to_string(), some("NEW_TIME_ENTRY")),
                    ("clockify".to_string(), some("order.paid")),
                    ("src1".to_string(), None),
                    ("src2".to_string(), some("order.paid")),
                ]
            );
            assert_eq!(trigger_queries(&[&custom], false).len(), 0);
        }

        #[test]
        fn times() {
            assert_eq!(format_seconds(1_764_373_507_000), "2025-11-28 23:45:07 UTC");
        }
    }
}

/// A page of runs: of one flow when `flow_id` is not empty, in one status when `status` is
/// not empty.
#[server]
pub async fn load_runs(session: String, flow_id: String, status: String, page: i64) -> Result<RunsView, ServerFnError> {
    use std::collections::HashMap;

    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let flows = ssr::flow_names(&backend, profile, &session).await?;
    let flow_id = flow_id.trim();
    let flow_filter = (!flow_id.is_empty()).then_some(flow_id);
    if let Some(id) = flow_filter {
        if !flows.iter().any(|(flow, _)| flow == id) {
            return Err(ServerFnError::new("this flow does not exist (any more)"));
        }
    }
    let status = status.trim();
    let status_filter = STATUSES.iter().copied().find(|known| *known == status);
    let page = page.clamp(1, 1_000_000);
    let (rows, total) = backend
        .store
        .runs(
            profile.key,
            &session.workspace_id,
            flow_filter,
            status_filter,
            (page - 1) * RUNS_PAGE_SIZE,
            RUNS_PAGE_SIZE,
        )
        .await
        .map_err(to_server_error)?;
    let stats = backend
        .store
        .flow_run_stats(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let counts: Vec<StatusCount> = STATUSES
        .iter()
        .map(|status| StatusCount {
            status: status.to_string(),
            count: stats
                .iter()
                .filter(|stat| stat.status == *status && flow_filter.is_none_or(|id| stat.flow_id == id))
                .map(|stat| stat.count)
                .sum(),
        })
        .collect();
    let active = counts.iter().any(|count| is_active(&count.status) && count.count > 0);
    let names: HashMap<String, String> = flows.iter().cloned().collect();
    Ok(RunsView {
        items: rows.into_iter().map(|run| ssr::summary(run, &names)).collect(),
        total,
        page,
        pages: ((total + RUNS_PAGE_SIZE - 1) / RUNS_PAGE_SIZE).max(1),
        counts,
        flows: flows.into_iter().map(|(id, name)| FlowOption { id, name }).collect(),
        active,
    })
}

/// One run with its steps and the event's body.
#[server]
pub async fn load_run(session: String, run_id: String) -> Result<RunDetail, ServerFnError> {
    use std::collections::HashMap;

    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let store = &backend.store;
    let run = store
        .run(profile.key, &session.workspace_id, &run_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("this run does not exist (any more)"))?;
    let steps = store
        .run_steps(profile.key, &session.workspace_id, &run.id)
        .await
        .map_err(to_server_error)?;
    let event = store
        .event(profile.key, &session.workspace_id, &run.event_id)
        .await
        .map_err(to_server_error)?;
    let names: HashMap<String, String> = store
        .flow(profile.key, &session.workspace_id, &run.flow_id)
        .await
        .map_err(to_server_error)?
        .map(|flow| (flow.id, flow.name))
        .into_iter()
        .collect();
    let retry_at =
        (run.status == addon_core::store::flows::run_status::RETRYING).then(|| ssr::format_seconds(run.run_after));
    let finished = run.finished_at.map(ssr::format_seconds);
    let next_step = run.next_step;
    Ok(RunDetail {
        next_step,
        attempts: ssr::attempts(steps),
        retry_at,
        finished,
        event_source: event.as_ref().map(|event| event.source.clone()).unwrap_or_default(),
        event_body: event.map(|event| pretty_json(&event.body)),
        run: ssr::summary(run, &names),
    })
}

/// Queues a failed or dead run again; it resumes at the step that failed.
#[server]
pub async fn retry_flow_run(session: String, run_id: String) -> Result<RunActionOutcome, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    session_installation(&backend, &session).await?;
    let run = backend
        .store
        .run(profile.key, &session.workspace_id, &run_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("this run does not exist (any more)"))?;
    if !can_retry(&run.status) {
        return Err(ServerFnError::new(format!(
            "only failed or dead runs can be retried; this one is {}",
            run.status
        )));
    }
    let retried = backend
        .store
        .retry_run(profile.key, &session.workspace_id, &run.id, now_millis())
        .await
        .map_err(to_server_error)?;
    if !retried {
        return Err(ServerFnError::new(
            "the run changed meanwhile and is no longer failed or dead; reload to see it",
        ));
    }
    backend.flows.wake();
    Ok(RunActionOutcome {
        message: format!("Queued again; it resumes at step {}.", run.next_step + 1),
        run_id: run.id,
    })
}

/// Runs a finished run's flow version again on the same event, from the first step, as a
/// new run.
#[server]
pub async fn rerun_flow_run(session: String, run_id: String) -> Result<RunActionOutcome, ServerFnError> {
    use addon_core::{
        lifecycle::now_millis,
        store::{flows::NewRun, new_id},
    };

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    session_installation(&backend, &session).await?;
    let store = &backend.store;
    let run = store
        .run(profile.key, &session.workspace_id, &run_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("this run does not exist (any more)"))?;
    if !can_rerun(&run.status) {
        return Err(ServerFnError::new(format!(
            "only finished runs can be run again; this one is {}",
            run.status
        )));
    }
    store
        .event(profile.key, &session.workspace_id, &run.event_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("the event of this run is no longer stored, so it cannot run again"))?;
    store
        .flow(profile.key, &session.workspace_id, &run.flow_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("the flow of this run was deleted"))?;
    let new_run = NewRun {
        id: new_id(),
        addon_key: profile.key.to_string(),
        workspace_id: session.workspace_id.clone(),
        flow_id: run.flow_id.clone(),
        flow_version: run.flow_version,
        event_id: run.event_id.clone(),
        event_type: run.event_type.clone(),
    };
    store
        .insert_runs(std::slice::from_ref(&new_run), now_millis())
        .await
        .map_err(to_server_error)?;
    backend.flows.wake();
    Ok(RunActionOutcome {
        message: format!("Queued as a new run of version {}.", run.flow_version),
        run_id: new_run.id,
    })
}

/// What the draft and the published version of a flow would do with the last `count`
/// (1..=50, default 10) stored events their triggers start on. Nothing is sent. (JSON input:
/// a definition does not fit a form encoding.)
#[server(input = Json)]
pub async fn test_flow_draft(
    session: String,
    flow_id: String,
    draft: FlowDefinition,
    count: i64,
) -> Result<DraftTestView, ServerFnError> {
    use addon_core::flows::{
        document::EventContext,
        evaluate::preview,
        runtime::generic_http_on,
        validate::{Capabilities, Problem},
    };

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let installation = session_installation(&backend, &session).await?;
    let count = test_event_count(count);
    let store = &backend.store;
    let flow = store
        .flow(profile.key, &session.workspace_id, &flow_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("this flow does not exist (any more)"))?;
    let published: Option<FlowDefinition> = match &flow.published {
        Some(text) => Some(
            serde_json::from_str(text)
                .map_err(|error| ServerFnError::new(format!("the published version cannot be read: {error}")))?,
        ),
        None => None,
    };
    let settings = ssr::settings(&backend, profile, &installation);
    let generic_http = generic_http_on(profile, &settings);
    let source_ids: Vec<String> = if profile.features.custom_sources {
        store
            .sources(profile.key, &session.workspace_id)
            .await
            .map_err(to_server_error)?
            .into_iter()
            .map(|source| source.id)
            .collect()
    } else {
        Vec::new()
    };
    let draft_caps = Capabilities {
        profile,
        generic_http,
        source_ids,
    };
    // As the runtime does: a published version's sources may have been deleted since; its
    // trigger simply never matches them.
    let published_caps = Capabilities {
        profile,
        generic_http,
        source_ids: published
            .as_ref()
            .map(|def| def.trigger.sources.clone())
            .unwrap_or_default(),
    };
    let mut triggers = vec![&draft.trigger];
    if let Some(def) = &published {
        triggers.push(&def.trigger);
    }
    let events = ssr::recent_events(&backend, profile, &session.workspace_id, &triggers, count).await?;
    let describe = |problems: &[Problem]| -> Vec<String> {
        problems
            .iter()
            .map(|problem| {
                if problem.field.is_empty() {
                    problem.message.clone()
                } else {
                    format!("{}: {}", problem.field, problem.message)
                }
            })
            .collect()
    };
    let draft_problems = describe(&addon_core::flows::validate::validate(&draft, &draft_caps));
    let published_problems = published
        .as_ref()
        .map(|def| describe(&addon_core::flows::validate::validate(def, &published_caps)))
        .unwrap_or_default();
    let mut comparisons = Vec::with_capacity(events.len());
    for event in events {
        let context = EventContext::from_stored(
            &event.id,
            &session.workspace_id,
            &event.source,
            &event.event_type,
            event.received_at,
            &event.headers,
            &event.body,
        );
        let draft_preview = preview(&draft, &draft_caps, &context);
        let published_preview = published
            .as_ref()
            .map(|def| (def, preview(def, &published_caps, &context)));
        let (draft_side, published_side, steps) = compare(
            &draft,
            &draft_preview,
            published_preview.as_ref().map(|(def, preview)| (*def, preview)),
        );
        let mut comparison = EventComparison {
            event_id: event.id,
            time: ssr::format_seconds(event.received_at),
            event_type: event.event_type,
            source: event.source,
            draft: draft_side,
            published: published_side,
            steps,
            trigger_differs: false,
            conditions_differ: false,
            outcome_differs: false,
            differs: false,
        };
        flag_differences(&mut comparison);
        comparisons.push(comparison);
    }
    Ok(DraftTestView {
        differing: comparisons.iter().filter(|comparison| comparison.differs).count() as i64,
        events: comparisons,
        requested: count,
        published_version: flow.published_version,
        draft_problems,
        published_problems,
    })
}

#[cfg(test)]
mod tests {
    use addon_core::flows::{
        condition::{GroupResult, RuleResult},
        evaluate::StepPreview,
        model::{ConditionGroup, Conditions, Operator, Rule, Trigger},
    };
    use serde_json::json;

    use super::*;

    fn definition(rules: Vec<Rule>) -> FlowDefinition {
        FlowDefinition {
            name: "f".into(),
            trigger: Trigger {
                event_types: vec!["NEW_TIME_ENTRY".into()],
                sources: vec![],
            },
            conditions: Conditions {
                groups: vec![ConditionGroup {
                    rules,
                    ..ConditionGroup::default()
                }],
                ..Conditions::default()
            },
            ..FlowDefinition::default()
        }
    }

    fn http(id: &str, url: &str) -> StepPreview {
        StepPreview {
            id: id.into(),
            rendered: Some(RenderedStep::Http {
                id: id.into(),
                method: "POST".into(),
                url: url.into(),
                headers: Default::default(),
                body: None,
            }),
            error: None,
        }
    }

    fn preview(triggered: bool, matched: bool, steps: Vec<StepPreview>) -> Preview {
        Preview {
            problems: vec![],
            triggered,
            conditions: Some(ConditionsResult {
                matched,
                groups: vec![GroupResult {
                    matched,
                    rules: vec![RuleResult {
                        matched,
                        actual: Some(json!(true)),
                        error: None,
                    }],
                }],
            }),
            steps,
        }
    }

    fn comparison(draft: SideView, published: Option<SideView>, steps: Vec<StepPair>) -> EventComparison {
        let mut comparison = EventComparison {
            event_id: "e".into(),
            time: String::new(),
            event_type: "NEW_TIME_ENTRY".into(),
            source: "clockify".into(),
            draft,
            published,
            steps,
            trigger_differs: false,
            conditions_differ: false,
            outcome_differs: false,
            differs: false,
        };
        flag_differences(&mut comparison);
        comparison
    }

    #[test]
    fn sides_and_steps_are_compared() {
        let rule = Rule {
            path: "$.body.billable".into(),
            operator: Operator::Equals,
            value: "true".into(),
        };
        let def = definition(vec![rule]);
        let draft = preview(
            true,
            true,
            vec![http("a", "https://x.test/1"), http("b", "https://x.test/b")],
        );
        let published = preview(
            true,
            false,
            vec![http("a", "https://x.test/2"), http("c", "https://x.test/c")],
        );
        let (draft_side, published_side, steps) = compare(&def, &draft, Some((&def, &published)));
        assert!(draft_side.would_run);
        assert_eq!(draft_side.rules[0].label, "$.body.billable equals true");
        assert_eq!(draft_side.rules[0].actual.as_deref(), Some("true"));
        let published_side = published_side.unwrap();
        assert!(!published_side.would_run);
        let pairs: Vec<(&str, bool, bool, bool)> = steps
            .iter()
            .map(|pair| {
                (
                    pair.id.as_str(),
                    pair.draft.is_some(),
                    pair.published.is_some(),
                    pair.differs,
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", true, true, true),
                ("b", true, false, true),
                ("c", false, true, true)
            ]
        );
        assert!(steps[0]
            .draft
            .as_ref()
            .unwrap()
            .request
            .as_deref()
            .unwrap()
            .contains("https://x.test/1"));
        let compared = comparison(draft_side, Some(published_side), steps);
        assert!(!compared.trigger_differs);
        assert!(compared.conditions_differ && compared.outcome_differs && compared.differs);
    }

    #[test]
    fn equal_versions_do_not_differ_and_without_a_published_version_nothing_does() {
        let def = definition(vec![Rule {
            path: "$.body.id".into(),
            operator: Operator::Exists,
            value: String::new(),
        }]);
        let same = preview(true, true, vec![http("a", "https://x.test/1")]);
        let (draft_side, published_side, steps) = compare(&def, &same, Some((&def, &same)));
        assert_eq!(draft_side.rules[0].label, "$.body.id exists");
        let compared = comparison(draft_side, published_side, steps);
        assert!(!compared.differs);

        let (draft_side, published_side, steps) = compare(&def, &same, None);
        assert!(published_side.is_none());
        assert!(steps.iter().all(|pair| !pair.differs && pair.published.is_none()));
        assert!(!comparison(draft_side, None, steps).differs);
    }

    #[test]
    fn a_draft_with_problems_would_not_run() {
        let def = definition(vec![]);
        let mut broken = preview(true, true, vec![]);
        broken.problems = vec![addon_core::flows::validate::Problem::new(
            "name",
            "Give the flow a name.",
        )];
        let (side, _, _) = compare(&def, &broken, None);
        assert!(side.triggered && side.conditions_matched && !side.would_run);
    }

    #[test]
    fn small_helpers() {
        assert_eq!(format_duration(850), "850 ms");
        assert_eq!(format_duration(1_240), "1.2 s");
        assert_eq!(format_duration(125_000), "2 min 5 s");
        assert_eq!(format_duration(3_840_000), "1 h 4 min");
        assert_eq!(format_duration(-5), "0 ms");
        assert_eq!(pretty_json(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_json("plain"), "plain");
        assert_eq!(test_event_count(0), DEFAULT_TEST_EVENTS);
        assert_eq!(test_event_count(7), 7);
        assert_eq!(test_event_count(500), MAX_TEST_EVENTS);
        assert!(can_retry("dead") && !can_retry("succeeded"));
        assert!(can_rerun("succeeded") && !can_rerun("retrying"));
        assert!(is_active("queued") && !is_active("failed"));
        assert_eq!(tries("succeeded", 0), 1);
        assert_eq!(tries("failed", 2), 3);
        assert_eq!(tries("running", 1), 2);
        assert_eq!(tries("retrying", 1), 1);
        assert_eq!(tries("dead", 4), 4);
        assert_eq!(tries("queued", 0), 0);
    }
}
