//! The server functions of the Webhooks page. Every one verifies the session first and reads
//! or changes data of the session's add-on and workspace only; the sources functions also
//! require the add-on to have custom sources and re-validate every input.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::chart::ChartData;

/// Rows per page of the log.
pub const PAGE_SIZE: i64 = 25;

/// The most events one "Replay all matching" queues.
pub const MAX_REPLAY: i64 = 5_000;

/// The most events one export writes.
pub const MAX_EXPORT_EVENTS: i64 = 10_000;

/// The most bytes one export writes (it travels to the browser whole, then to a file).
pub const MAX_EXPORT_BYTES: usize = 32 * 1024 * 1024;

/// Most custom sources per workspace.
pub const MAX_SOURCES: usize = 100;

/// Longest grace period of a rotated secret, in hours (30 days).
pub const MAX_GRACE_HOURS: i64 = 720;

/// The log's filters as the page sends them; empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    pub event_type: String,
    /// `clockify` or a custom source's id.
    pub source: String,
    /// `accepted` or `duplicate`.
    pub status: String,
    /// `1h`, `24h`, `7d`; anything else is "all".
    pub range: String,
    /// Text the body contains.
    pub text: String,
}

impl LogQuery {
    /// How far back the range reaches, in milliseconds.
    pub fn range_millis(&self) -> Option<i64> {
        match self.range.as_str() {
            "1h" => Some(3_600_000),
            "24h" => Some(86_400_000),
            "7d" => Some(7 * 86_400_000),
            _ => None,
        }
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub time: String,
    pub source: String,
    pub source_name: String,
    pub event_type: String,
    pub status: String,
}

/// Deliveries of one source by outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCounts {
    pub source: String,
    pub name: String,
    pub accepted: i64,
    pub duplicate: i64,
    pub rejected: i64,
}

/// One page of the log with the counts above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogView {
    pub items: Vec<EventRow>,
    /// Events matching the filters.
    pub total: i64,
    /// From 1.
    pub page: i64,
    pub pages: i64,
    /// Every source's counts, Clockify first.
    pub counts: Vec<SourceCounts>,
    /// Rejected deliveries of the source filtered on (or of all sources).
    pub rejected: i64,
    /// The same rejected deliveries by source and reason, the latest first.
    pub rejections: Vec<RejectionRow>,
}

/// Rejected deliveries of one source for one reason: they are counted, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionRow {
    pub source_name: String,
    /// The stable code, e.g. `bad_signature`.
    pub reason: String,
    /// What the reason means and what to check.
    pub explanation: String,
    pub count: i64,
    /// When the last one came.
    pub last: String,
}

/// A source to filter on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOption {
    pub id: String,
    pub name: String,
}

/// What changes slowly: the sources and event types to filter on, and the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMeta {
    /// Custom sources (Clockify is always there).
    pub sources: Vec<SourceOption>,
    /// Event types seen in the last 7 days that are not Clockify events of this add-on.
    pub custom_event_types: Vec<String>,
    pub chart: ChartData,
    /// Days events are kept (the effective `webhook_log_retention_days`, read per request, so
    /// a settings change shows at once).
    pub retention_days: i64,
}

/// One event, for the detail view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub id: String,
    pub time: String,
    pub source: String,
    pub source_name: String,
    pub event_type: String,
    pub status: String,
    pub dedupe_key: String,
    /// Header name and value, secrets already redacted at ingestion.
    pub headers: Vec<(String, String)>,
    pub query: String,
    /// Pretty-printed when it is JSON, else as received.
    pub body: String,
    pub body_is_json: bool,
    /// The flow runs this event started, newest first (at most [`EVENT_RUNS_SHOWN`]).
    pub runs: Vec<EventRun>,
}

/// The most runs an event's detail lists.
pub const EVENT_RUNS_SHOWN: i64 = 20;

/// A flow run an event started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRun {
    pub id: String,
    /// `Tag new entries (version 3)`; a deleted flow shows its id.
    pub flow: String,
    pub status: String,
    pub started: String,
    pub error: Option<String>,
}

/// What a replay did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayOutcome {
    /// Flow jobs queued.
    pub queued: u64,
    /// Events that matched.
    pub matched: i64,
}

impl ReplayOutcome {
    /// What the page says.
    pub fn message(&self) -> String {
        let queued = self.queued;
        if i64::try_from(queued).unwrap_or(i64::MAX) < self.matched {
            format!(
                "{queued} queued (of {} matching; at most {MAX_REPLAY} per replay)",
                self.matched
            )
        } else {
            format!("{queued} queued")
        }
    }
}

/// An export of the events matching the log's filters: JSON Lines, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogExport {
    /// e.g. `universal-webhook-events-20261130-1705.jsonl`.
    pub filename: String,
    /// One JSON object per line (see `ssr::export_line`).
    pub content: String,
    /// Events written.
    pub exported: i64,
    /// Events that matched.
    pub matched: i64,
    /// Whether a limit stopped the export before the oldest matching events.
    pub truncated: bool,
}

impl crate::components::ExportFile for LogExport {
    fn filename(&self) -> &str {
        &self.filename
    }

    fn mime(&self) -> &str {
        "application/x-ndjson"
    }

    fn content(&self) -> &str {
        &self.content
    }

    fn message(&self) -> String {
        if self.truncated {
            format!(
                "Exported the newest {} of {} matching events (at most {MAX_EXPORT_EVENTS} events or {} MiB per file; narrow the filters for the rest)",
                self.exported,
                self.matched,
                MAX_EXPORT_BYTES / (1024 * 1024)
            )
        } else {
            format!("Exported {} events to {}", self.exported, self.filename)
        }
    }
}

/// A custom source as the page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceView {
    pub id: String,
    pub name: String,
    /// `standard_webhooks`, `hmac`, `basic_auth`, `api_key`, `none`; `invalid` when unreadable.
    pub scheme_kind: String,
    /// A readable description of the scheme.
    pub scheme: String,
    pub ingest_url: String,
    pub enabled: bool,
    pub event_type_from: String,
    pub dedupe_from: String,
    /// The first characters of the secret (see `addon_core::sources::secret_hint`).
    pub secret_hint: String,
    /// When the secret before the last rotation stops working, if it still works.
    pub previous_until: Option<String>,
    pub created: String,
    pub accepted: i64,
    pub duplicate: i64,
    pub rejected: i64,
}

/// The Sources tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcesView {
    /// The workspace setting `custom_sources_enabled`.
    pub enabled: bool,
    pub sources: Vec<SourceView>,
}

/// The "New source" form, as typed; the server checks everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceForm {
    pub name: String,
    /// A `Scheme` kind.
    pub scheme: String,
    pub tolerance_seconds: String,
    pub hmac_header: String,
    pub hmac_algorithm: String,
    pub hmac_encoding: String,
    pub hmac_prefix: String,
    pub basic_username: String,
    pub api_key_header: String,
    /// `jsonpath`, `header` or `fixed`.
    pub event_type_from: String,
    pub event_type_value: String,
    /// `default`, `header`, `jsonpath` or `body-hash`.
    pub dedupe_from: String,
    pub dedupe_value: String,
    /// "I understand anyone with the URL can post events" (required for scheme `none`).
    pub confirm_unverified: bool,
}

impl Default for SourceForm {
    fn default() -> Self {
        SourceForm {
            name: String::new(),
            scheme: "standard_webhooks".into(),
            tolerance_seconds: "300".into(),
            hmac_header: "x-signature".into(),
            hmac_algorithm: "sha256".into(),
            hmac_encoding: "hex".into(),
            hmac_prefix: String::new(),
            basic_username: String::new(),
            api_key_header: "x-api-key".into(),
            event_type_from: "jsonpath".into(),
            event_type_value: "$.type".into(),
            dedupe_from: "default".into(),
            dedupe_value: String::new(),
            confirm_unverified: false,
        }
    }
}

/// A form field's problem; `field` is the form field's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A secret to show once, with how to use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedSecret {
    pub source_id: String,
    pub source_name: String,
    /// `created` or `rotated`.
    pub action: String,
    /// `None` for scheme `none`.
    pub secret: Option<String>,
    pub ingest_url: String,
    /// A curl command that posts a valid example event.
    pub curl: String,
    /// How long the example stays valid, when it expires.
    pub curl_note: String,
    /// After a rotation: until when the old secret still works.
    pub previous_until: Option<String>,
}

/// What the server's own test delivery to a source got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDelivery {
    /// The HTTP status; 0 when the URL could not be reached.
    pub status: u16,
    /// Whether the source took it in (accepted or duplicate).
    pub taken: bool,
    pub message: String,
}

impl TestDelivery {
    /// Reads the ingest URL's answer: `{status, id}` when taken, `{code, message}` when refused.
    pub fn from_answer(status: u16, answer: &serde_json::Value) -> TestDelivery {
        let text = |key: &str| {
            answer
                .get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let taken = (200..300).contains(&status);
        let message = match (taken, text("status").as_str()) {
            (true, "accepted") => format!("Accepted ({status}): the example event is in the log."),
            (true, "duplicate") => format!(
                "Taken in as a duplicate ({status}): an event with the same dedupe key came before, so no flow runs."
            ),
            (true, _) => format!("Answered {status}."),
            (false, _) if !text("code").is_empty() => {
                format!("Refused ({status} {}): {}", text("code"), text("message"))
            }
            (false, _) => format!("Refused ({status})."),
        };
        TestDelivery { status, taken, message }
    }
}

/// The answer to "create" or "rotate": the secret, or which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretOutcome {
    Revealed(RevealedSecret),
    Invalid(FieldError),
}

#[cfg(feature = "ssr")]
pub use ssr::custom_sources_setting;

/// Helpers only the server needs.
#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::{HashMap, HashSet};

    use addon_core::{
        profile::Profile,
        session::Session,
        settings::EffectiveSettings,
        store::{
            events::{event_status, EventFilter, RejectionCount, SourceRow, StoredEvent, CLOCKIFY_SOURCE},
            Installation,
        },
    };
    use leptos::prelude::ServerFnError;

    use super::{EventRow, LogQuery, RejectionRow, SourceCounts};
    use crate::backend::{to_server_error, UiBackend};

    /// The workspace setting `custom_sources_enabled` of a profile with custom sources.
    pub fn custom_sources_setting(backend: &UiBackend, profile: &'static Profile, installation: &Installation) -> bool {
        profile.features.custom_sources
            && EffectiveSettings::resolve(
                profile.key,
                profile.settings,
                &installation.settings,
                &backend.setting_overrides,
            )
            .flag("custom_sources_enabled")
    }

    /// The store filter for a query at `now` (unix ms). A profile without custom sources sees
    /// Clockify's events only.
    pub fn event_filter(query: &LogQuery, profile: &Profile, now: i64) -> EventFilter {
        let some = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_string())
        };
        let source = if profile.features.custom_sources {
            some(&query.source)
        } else {
            Some(CLOCKIFY_SOURCE.to_string())
        };
        let status =
            some(&query.status).filter(|status| status == event_status::ACCEPTED || status == event_status::DUPLICATE);
        EventFilter {
            event_type: some(&query.event_type),
            source,
            status,
            since: query.range_millis().map(|range| now - range),
            text: some(&query.text),
        }
    }

    /// Walks the events matching `filter`, newest first, as they stood at `now`, until `visit`
    /// returns false. Events received after `now` are skipped, and an event that the shifting
    /// pages show twice (new events push older ones onto later pages) is visited once. Returns
    /// how many events matched.
    pub async fn each_matching_event(
        backend: &UiBackend,
        profile: &Profile,
        session: &Session,
        filter: &EventFilter,
        now: i64,
        mut visit: impl FnMut(StoredEvent) -> bool,
    ) -> Result<i64, ServerFnError> {
        const BATCH: i64 = 200;
        let mut seen = HashSet::new();
        let mut matched = None;
        let mut offset = 0;
        loop {
            let page = backend
                .store
                .events(profile.key, &session.workspace_id, filter, offset, BATCH)
                .await
                .map_err(to_server_error)?;
            let total = *matched.get_or_insert(page.total);
            let count = page.items.len() as i64;
            for event in page.items {
                if event.received_at <= now && seen.insert(event.id.clone()) && !visit(event) {
                    return Ok(total);
                }
            }
            if count < BATCH {
                return Ok(total);
            }
            offset += BATCH;
        }
    }

    /// One event as a line of an export: a JSON object with its fields, the headers as an
    /// object (secrets were redacted at ingestion), and the body as JSON when it is JSON, else
    /// as the text received.
    pub fn export_line(event: StoredEvent, names: &HashMap<String, String>) -> String {
        use serde_json::{json, Value};
        let received_at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(event.received_at) * 1_000_000)
            .ok()
            .and_then(|moment| moment.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        let headers = serde_json::from_str::<Value>(&event.headers).unwrap_or(Value::String(event.headers));
        let body = serde_json::from_str::<Value>(&event.body).unwrap_or(Value::String(event.body));
        json!({
            "id": event.id,
            "received_at": received_at,
            "source": event.source,
            "source_name": source_name(names, &event.source),
            "event_type": event.event_type,
            "status": event.status,
            "dedupe_key": event.dedupe_key,
            "headers": headers,
            "query": event.query,
            "body": body,
        })
        .to_string()
    }

    /// Source id → name, Clockify included.
    pub async fn source_names(
        backend: &UiBackend,
        profile: &Profile,
        session: &Session,
    ) -> Result<(Vec<SourceRow>, HashMap<String, String>), ServerFnError> {
        let sources = if profile.features.custom_sources {
            backend
                .store
                .sources(profile.key, &session.workspace_id)
                .await
                .map_err(to_server_error)?
        } else {
            Vec::new()
        };
        let mut names: HashMap<String, String> = sources
            .iter()
            .map(|source| (source.id.clone(), source.name.clone()))
            .collect();
        names.insert(CLOCKIFY_SOURCE.to_string(), "Clockify".to_string());
        Ok((sources, names))
    }

    pub fn source_name(names: &HashMap<String, String>, source: &str) -> String {
        names.get(source).cloned().unwrap_or_else(|| source.to_string())
    }

    pub fn event_row(event: StoredEvent, names: &HashMap<String, String>) -> EventRow {
        EventRow {
            time: format_seconds(event.received_at),
            source_name: source_name(names, &event.source),
            id: event.id,
            source: event.source,
            event_type: event.event_type,
            status: event.status,
        }
    }

    /// Counts per source: Clockify first, then the sources in the order given, then any other
    /// source that has events (e.g. one from an older version).
    pub fn source_counts(
        order: &[(String, String)],
        events: &[(String, String, i64)],
        rejections: &[RejectionCount],
    ) -> Vec<SourceCounts> {
        let mut counts: Vec<SourceCounts> = order
            .iter()
            .map(|(source, name)| SourceCounts {
                source: source.clone(),
                name: name.clone(),
                accepted: 0,
                duplicate: 0,
                rejected: 0,
            })
            .collect();
        let mut entry = |source: &str| -> usize {
            match counts.iter().position(|count| count.source == source) {
                Some(index) => index,
                None => {
                    counts.push(SourceCounts {
                        source: source.to_string(),
                        name: source.to_string(),
                        accepted: 0,
                        duplicate: 0,
                        rejected: 0,
                    });
                    counts.len() - 1
                }
            }
        };
        let mut updates = Vec::new();
        for (source, status, count) in events {
            updates.push((entry(source), status.as_str(), *count));
        }
        let mut rejected = Vec::new();
        for rejection in rejections {
            rejected.push((entry(&rejection.source), rejection.count));
        }
        for (index, status, count) in updates {
            match status {
                event_status::ACCEPTED => counts[index].accepted += count,
                event_status::DUPLICATE => counts[index].duplicate += count,
                _ => {}
            }
        }
        for (index, count) in rejected {
            counts[index].rejected += count;
        }
        counts
    }

    /// Rejections as the log lists them: of `source` only when the log is filtered on one
    /// (API Studio's filter is always Clockify), the latest first, each with its explanation.
    pub fn rejection_rows(
        mut rejections: Vec<RejectionCount>,
        names: &HashMap<String, String>,
        source: Option<&str>,
    ) -> Vec<RejectionRow> {
        rejections.retain(|rejection| source.is_none_or(|source| rejection.source == source));
        rejections.sort_by_key(|rejection| std::cmp::Reverse(rejection.last_at));
        rejections
            .into_iter()
            .map(|rejection| RejectionRow {
                source_name: source_name(names, &rejection.source),
                explanation: addon_core::ingest::rejections::explain(&rejection.reason).to_string(),
                reason: rejection.reason,
                count: rejection.count,
                last: format_seconds(rejection.last_at),
            })
            .collect()
    }

    /// Unix ms as `2026-11-28 23:45:07 UTC`.
    pub fn format_seconds(millis: i64) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .ok()
            .and_then(|moment| moment.format(&format).ok())
            .unwrap_or_else(|| "unknown".into())
    }

    #[cfg(test)]
    mod tests {
        use addon_core::profile::{API_STUDIO, UNIVERSAL_WEBHOOK};

        use super::*;

        #[test]
        fn filters_from_the_query() {
            let query = LogQuery {
                event_type: "NEW_TAG".into(),
                source: " ".into(),
                status: "rejected".into(),
                range: "1h".into(),
                text: "  ada ".into(),
            };
            let filter = event_filter(&query, &UNIVERSAL_WEBHOOK, 10_000_000);
            assert_eq!(filter.event_type.as_deref(), Some("NEW_TAG"));
            assert_eq!(filter.source, None);
            assert_eq!(filter.status, None, "rejected deliveries are not stored");
            assert_eq!(filter.since, Some(10_000_000 - 3_600_000));
            assert_eq!(filter.text.as_deref(), Some("ada"));

            let query = LogQuery {
                source: "src_1".into(),
                status: "duplicate".into(),
                range: "all".into(),
                ..LogQuery::default()
            };
            let filter = event_filter(&query, &API_STUDIO, 0);
            assert_eq!(
                filter.source.as_deref(),
                Some("clockify"),
                "API Studio sees Clockify only"
            );
            assert_eq!(filter.status.as_deref(), Some("duplicate"));
            assert_eq!(filter.since, None);
            assert_eq!(
                event_filter(&query, &UNIVERSAL_WEBHOOK, 0).source.as_deref(),
                Some("src_1")
            );
        }

        #[test]
        fn counts_per_source() {
            let order = vec![
                ("clockify".to_string(), "Clockify".to_string()),
                ("s1".to_string(), "Stripe".to_string()),
                ("s2".to_string(), "Quiet".to_string()),
            ];
            let events = vec![
                ("clockify".to_string(), "accepted".to_string(), 5),
                ("clockify".to_string(), "duplicate".to_string(), 1),
                ("s1".to_string(), "accepted".to_string(), 2),
                ("gone".to_string(), "accepted".to_string(), 7),
            ];
            let rejection = |reason: &str, count, last_at| RejectionCount {
                source: "s1".into(),
                reason: reason.into(),
                count,
                last_at,
            };
            let rejections = vec![rejection("bad_signature", 3, 10), rejection("stale_timestamp", 1, 20)];
            let counts = source_counts(&order, &events, &rejections);
            let summary: Vec<_> = counts
                .iter()
                .map(|c| (c.name.as_str(), c.accepted, c.duplicate, c.rejected))
                .collect();
            assert_eq!(
                summary,
                [
                    ("Clockify", 5, 1, 0),
                    ("Stripe", 2, 0, 4),
                    ("Quiet", 0, 0, 0),
                    ("gone", 7, 0, 0)
                ]
            );
        }

        #[test]
        fn export_lines_keep_json_as_json_and_text_as_text() {
            let names = HashMap::from([("src_1".to_string(), "Stripe".to_string())]);
            let event = |body: &str| StoredEvent {
                id: "ev_1".into(),
                source: "src_1".into(),
                event_type: "invoice.paid".into(),
                dedupe_key: "msg_1".into(),
                status: "accepted".into(),
                received_at: 1_764_373_507_250,
                headers: r#"{"webhook-id":"msg_1","webhook-signature":"[redacted]"}"#.into(),
                query: "a=1".into(),
                body: body.into(),
            };
            let line: serde_json::Value = serde_json::from_str(&export_line(event(r#"{"amount":5}"#), &names)).unwrap();
            assert_eq!(line["id"], "ev_1");
            assert_eq!(line["received_at"], "2025-11-28T23:45:07.25Z");
            assert_eq!(line["source_name"], "Stripe");
            assert_eq!(line["event_type"], "invoice.paid");
            assert_eq!(line["status"], "accepted");
            assert_eq!(line["dedupe_key"], "msg_1");
            assert_eq!(line["headers"]["webhook-signature"], "[redacted]");
            assert_eq!(line["query"], "a=1");
            assert_eq!(line["body"]["amount"], 5);
            let text = export_line(event("plain text, not JSON"), &names);
            assert!(!text.contains('\n'), "one event, one line");
            let line: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(line["body"], "plain text, not JSON");
        }

        #[test]
        fn rejections_latest_first_explained_and_filtered_by_source() {
            let names = HashMap::from([
                ("s1".to_string(), "Stripe".to_string()),
                ("clockify".to_string(), "Clockify".to_string()),
            ]);
            let rejection = |source: &str, reason: &str, last_at| RejectionCount {
                source: source.into(),
                reason: reason.into(),
                count: 2,
                last_at,
            };
            let all = vec![
                rejection("clockify", "invalid_json", 1_764_373_507_000),
                rejection("s1", "bad_signature", 1_764_373_600_000),
            ];
            let rows = rejection_rows(all.clone(), &names, None);
            let summary: Vec<_> = rows
                .iter()
                .map(|row| (row.source_name.as_str(), row.reason.as_str()))
                .collect();
            assert_eq!(summary, [("Stripe", "bad_signature"), ("Clockify", "invalid_json")]);
            assert!(rows[0].explanation.contains("secret"), "{}", rows[0].explanation);
            assert_eq!(rows[1].last, "2025-11-28 23:45:07 UTC");
            let rows = rejection_rows(all, &names, Some("clockify"));
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].reason, "invalid_json");
        }

        #[test]
        fn test_delivery_answers_read_as_sentences() {
            use super::super::TestDelivery;
            let accepted = TestDelivery::from_answer(200, &serde_json::json!({ "status": "accepted", "id": "e1" }));
            assert!(accepted.taken);
            assert_eq!(accepted.message, "Accepted (200): the example event is in the log.");
            let duplicate = TestDelivery::from_answer(200, &serde_json::json!({ "status": "duplicate" }));
            assert!(duplicate.taken && duplicate.message.contains("duplicate"));
            let refused = TestDelivery::from_answer(
                410,
                &serde_json::json!({ "code": "gone", "message": "this webhook source is disabled" }),
            );
            assert!(!refused.taken);
            assert_eq!(refused.message, "Refused (410 gone): this webhook source is disabled");
            assert_eq!(
                TestDelivery::from_answer(502, &serde_json::Value::Null).message,
                "Refused (502)."
            );
        }

        #[test]
        fn seconds_format() {
            assert_eq!(format_seconds(1_764_373_507_000), "2025-11-28 23:45:07 UTC");
        }
    }
}

/// One page of the log.
#[server]
pub async fn load_log(session: String, query: LogQuery, page: i64) -> Result<LogView, ServerFnError> {
    use addon_core::{lifecycle::now_millis, store::events::CLOCKIFY_SOURCE};

    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let store = &backend.store;
    let (sources, names) = ssr::source_names(&backend, profile, &session).await?;
    let filter = ssr::event_filter(&query, profile, now_millis());
    let page = page.clamp(1, 1_000_000);
    let found = store
        .events(
            profile.key,
            &session.workspace_id,
            &filter,
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await
        .map_err(to_server_error)?;
    let events = store
        .event_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let rejections = store
        .rejection_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let mut order = vec![(CLOCKIFY_SOURCE.to_string(), "Clockify".to_string())];
    order.extend(sources.iter().map(|source| (source.id.clone(), source.name.clone())));
    let mut counts = ssr::source_counts(&order, &events, &rejections);
    if !profile.features.custom_sources {
        counts.retain(|count| count.source == CLOCKIFY_SOURCE);
    }
    let rejected = counts
        .iter()
        .filter(|count| filter.source.as_ref().is_none_or(|source| &count.source == source))
        .map(|count| count.rejected)
        .sum();
    let rejections = ssr::rejection_rows(rejections, &names, filter.source.as_deref());
    Ok(LogView {
        items: found
            .items
            .into_iter()
            .map(|event| ssr::event_row(event, &names))
            .collect(),
        total: found.total,
        page,
        pages: ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        counts,
        rejected,
        rejections,
    })
}

/// The sources and event types to filter on, and the chart of the last 24 hours.
#[server]
pub async fn load_log_meta(session: String) -> Result<LogMeta, ServerFnError> {
    use std::collections::BTreeSet;

    use addon_core::lifecycle::now_millis;

    use super::chart::{bucket, CHART_MINUTES};
    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let (sources, _) = ssr::source_names(&backend, profile, &session).await?;
    let now = now_millis();
    let week = backend
        .store
        .events_per_minute(profile.key, &session.workspace_id, now - 7 * 86_400_000)
        .await
        .map_err(to_server_error)?;
    let known = profile.events();
    let custom_event_types: BTreeSet<String> = week
        .iter()
        .filter(|(_, event_type, _)| !known.contains(&event_type.as_str()))
        .map(|(_, event_type, _)| event_type.clone())
        .collect();
    let retention_days = match backend
        .store
        .installation(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
    {
        Some(installation) => addon_core::ingest::retention::retention_days(
            profile.key,
            &installation.settings,
            &backend.setting_overrides,
        ),
        None => addon_core::ingest::retention::retention_days(profile.key, "{}", &backend.setting_overrides),
    };
    let now_minute = now.div_euclid(60_000);
    let day: Vec<(i64, String, i64)> = week
        .into_iter()
        .filter(|(minute, _, _)| *minute > now_minute - CHART_MINUTES)
        .collect();
    Ok(LogMeta {
        sources: sources
            .into_iter()
            .map(|source| SourceOption {
                id: source.id,
                name: source.name,
            })
            .collect(),
        custom_event_types: custom_event_types.into_iter().collect(),
        chart: bucket(&day, now_minute),
        retention_days,
    })
}

/// One event with its body, headers and query.
#[server]
pub async fn load_event(session: String, id: String) -> Result<EventDetail, ServerFnError> {
    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let event = backend
        .store
        .event(profile.key, &session.workspace_id, &id)
        .await
        .map_err(to_server_error)?
        .filter(|event| profile.features.custom_sources || event.source == addon_core::store::events::CLOCKIFY_SOURCE)
        .ok_or_else(|| ServerFnError::new("this event is not in the log (any more)"))?;
    let (_, names) = ssr::source_names(&backend, profile, &session).await?;
    let headers: Vec<(String, String)> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&event.headers)
            .map(|object| {
                object
                    .into_iter()
                    .map(|(name, value)| {
                        let value = match value {
                            serde_json::Value::String(text) => text,
                            other => other.to_string(),
                        };
                        (name, value)
                    })
                    .collect()
            })
            .unwrap_or_default();
    let pretty = serde_json::from_str::<serde_json::Value>(&event.body)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok());
    let flow_names: std::collections::HashMap<String, String> =
        crate::pages::flows::runs_server::ssr::flow_names(&backend, profile, &session)
            .await?
            .into_iter()
            .collect();
    let runs = backend
        .store
        .event_runs(profile.key, &session.workspace_id, &event.id, EVENT_RUNS_SHOWN)
        .await
        .map_err(to_server_error)?
        .into_iter()
        .map(|run| EventRun {
            flow: format!(
                "{} (version {})",
                flow_names
                    .get(&run.flow_id)
                    .cloned()
                    .unwrap_or_else(|| run.flow_id.clone()),
                run.flow_version
            ),
            started: ssr::format_seconds(run.created_at),
            id: run.id,
            status: run.status,
            error: run.error,
        })
        .collect();
    Ok(EventDetail {
        time: ssr::format_seconds(event.received_at),
        source_name: ssr::source_name(&names, &event.source),
        body_is_json: pretty.is_some(),
        body: pretty.unwrap_or(event.body),
        headers,
        id: event.id,
        source: event.source,
        event_type: event.event_type,
        status: event.status,
        dedupe_key: event.dedupe_key,
        query: event.query,
        runs,
    })
}

/// Queues one event for the flows again.
#[server]
pub async fn replay_event(session: String, id: String) -> Result<ReplayOutcome, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    session_installation(&backend, &session).await?;
    let event = backend
        .store
        .event(profile.key, &session.workspace_id, &id)
        .await
        .map_err(to_server_error)?
        .filter(|event| profile.features.custom_sources || event.source == addon_core::store::events::CLOCKIFY_SOURCE)
        .ok_or_else(|| ServerFnError::new("this event is not in the log (any more)"))?;
    let queued = backend
        .store
        .enqueue_replays(profile.key, &session.workspace_id, &[event.id], now_millis())
        .await
        .map_err(to_server_error)?;
    backend.flows.wake();
    Ok(ReplayOutcome { queued, matched: 1 })
}

/// Queues every event matching the filters (newest first, at most [`MAX_REPLAY`]).
#[server]
pub async fn replay_matching(session: String, query: LogQuery) -> Result<ReplayOutcome, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    session_installation(&backend, &session).await?;
    let now = now_millis();
    let filter = ssr::event_filter(&query, profile, now);
    let mut ids: Vec<String> = Vec::new();
    let matched = ssr::each_matching_event(&backend, profile, &session, &filter, now, |event| {
        ids.push(event.id);
        (ids.len() as i64) < MAX_REPLAY
    })
    .await?;
    let queued = backend
        .store
        .enqueue_replays(profile.key, &session.workspace_id, &ids, now)
        .await
        .map_err(to_server_error)?;
    backend.flows.wake();
    Ok(ReplayOutcome { queued, matched })
}

/// The events matching the filters as a JSON Lines file, oldest first: at most
/// [`MAX_EXPORT_EVENTS`] events and [`MAX_EXPORT_BYTES`], the newest ones when more match.
#[server]
pub async fn export_log(session: String, query: LogQuery) -> Result<LogExport, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, session_profile};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let (_, names) = ssr::source_names(&backend, profile, &session).await?;
    let now = now_millis();
    let filter = ssr::event_filter(&query, profile, now);
    let mut lines: Vec<String> = Vec::new();
    let mut bytes = 0;
    let mut truncated = false;
    let matched = ssr::each_matching_event(&backend, profile, &session, &filter, now, |event| {
        let line = ssr::export_line(event, &names);
        if lines.len() as i64 >= MAX_EXPORT_EVENTS || bytes + line.len() + 1 > MAX_EXPORT_BYTES {
            truncated = true;
            return false;
        }
        bytes += line.len() + 1;
        lines.push(line);
        true
    })
    .await?;
    lines.reverse();
    let mut content = lines.join("\n");
    if !content.is_empty() {
        content.push('\n');
    }
    Ok(LogExport {
        filename: format!("{}-events-{}.jsonl", profile.key, crate::backend::file_stamp(now)),
        exported: lines.len() as i64,
        content,
        matched,
        truncated,
    })
}

/// The custom sources with their counts.
#[server]
pub async fn load_sources(session: String) -> Result<SourcesView, ServerFnError> {
    use addon_core::sources::secret_hint;

    use super::form::describe_scheme;
    use crate::backend::{authenticate, format_time, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let (profile, installation) = sources_context(&backend, &session).await?;
    let sources = backend
        .store
        .sources(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let events = backend
        .store
        .event_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let rejections = backend
        .store
        .rejection_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let order: Vec<(String, String)> = sources
        .iter()
        .map(|source| (source.id.clone(), source.name.clone()))
        .collect();
    let counts = ssr::source_counts(&order, &events, &rejections);
    let now = addon_core::lifecycle::now_millis();
    let views = sources
        .into_iter()
        .map(|source| {
            let count = counts.iter().find(|count| count.source == source.id);
            let scheme = serde_json::from_str::<addon_core::sources::Scheme>(&source.scheme).ok();
            let secret_hint = match &scheme {
                Some(scheme) if !scheme.uses_secret() => "no secret".to_string(),
                _ => backend
                    .secrets
                    .decrypt(&source.secret_ciphertext)
                    .map(|secret| secret_hint(&secret))
                    .unwrap_or_else(|_| "unreadable".to_string()),
            };
            SourceView {
                ingest_url: ingest_url(&backend.public_base_url, &source.ingest_token),
                scheme_kind: scheme.as_ref().map_or("invalid", |scheme| scheme.kind()).to_string(),
                scheme: scheme.as_ref().map_or_else(
                    || "unreadable scheme: every request is rejected".to_string(),
                    describe_scheme,
                ),
                enabled: source.enabled,
                secret_hint,
                previous_until: match (&source.previous_ciphertext, source.previous_until) {
                    (Some(_), Some(until)) if until > now => Some(format_time(until)),
                    _ => None,
                },
                created: format_time(source.created_at),
                accepted: count.map_or(0, |count| count.accepted),
                duplicate: count.map_or(0, |count| count.duplicate),
                rejected: count.map_or(0, |count| count.rejected),
                event_type_from: source.event_type_from,
                dedupe_from: source.dedupe_from,
                id: source.id,
                name: source.name,
            }
        })
        .collect();
    Ok(SourcesView {
        enabled: ssr::custom_sources_setting(&backend, profile, &installation),
        sources: views,
    })
}

/// The public URL a source posts to.
#[cfg(feature = "ssr")]
fn ingest_url(public_base_url: &str, ingest_token: &str) -> String {
    format!("{}/ingest/{ingest_token}", public_base_url.trim_end_matches('/'))
}

/// The session's profile (which must have custom sources) and its installation in the
/// session's workspace.
#[cfg(feature = "ssr")]
async fn sources_context(
    backend: &crate::backend::UiBackend,
    session: &addon_core::session::Session,
) -> Result<(&'static addon_core::profile::Profile, addon_core::store::Installation), ServerFnError> {
    use crate::backend::{session_installation, session_profile};

    let profile = session_profile(session)?;
    if !profile.features.custom_sources {
        return Err(ServerFnError::new(format!(
            "{} has no custom webhook sources",
            profile.name
        )));
    }
    let installation = session_installation(backend, session).await?;
    if installation.workspace_id != session.workspace_id || installation.addon_key != profile.key {
        return Err(ServerFnError::new("this installation belongs to another workspace"));
    }
    Ok((profile, installation))
}

/// Refuses changes while the workspace setting turns custom sources off.
#[cfg(feature = "ssr")]
fn require_enabled(
    backend: &crate::backend::UiBackend,
    profile: &'static addon_core::profile::Profile,
    installation: &addon_core::store::Installation,
) -> Result<(), ServerFnError> {
    if ssr::custom_sources_setting(backend, profile, installation) {
        Ok(())
    } else {
        Err(ServerFnError::new(
            "custom webhook sources are turned off in this workspace's settings",
        ))
    }
}

/// The secret, its URL and a working example request, to show once.
#[cfg(feature = "ssr")]
fn reveal(
    backend: &crate::backend::UiBackend,
    source: &addon_core::store::events::SourceRow,
    scheme: &addon_core::sources::Scheme,
    secret: &str,
    action: &str,
) -> Result<RevealedSecret, ServerFnError> {
    use super::form::example_request;
    use crate::backend::{format_time, now_seconds};

    let url = ingest_url(&backend.public_base_url, &source.ingest_token);
    let example = example_request(
        scheme,
        secret,
        &url,
        &source.event_type_from,
        &source.dedupe_from,
        now_seconds(),
    )
    .map_err(ServerFnError::new)?;
    Ok(RevealedSecret {
        source_id: source.id.clone(),
        source_name: source.name.clone(),
        action: action.to_string(),
        secret: scheme.uses_secret().then(|| secret.to_string()),
        ingest_url: url,
        curl: example.curl,
        curl_note: example.note,
        previous_until: match (&source.previous_ciphertext, source.previous_until) {
            (Some(_), Some(until)) => Some(format_time(until)),
            _ => None,
        },
    })
}

/// Creates a source from the form; answers the secret once, or the field that is wrong.
#[server]
pub async fn create_source(session: String, form: SourceForm) -> Result<SecretOutcome, ServerFnError> {
    use addon_core::{
        lifecycle::now_millis,
        sources::{generate_secret, Scheme},
        store::{events::SourceRow, new_id},
    };

    use super::form::parse_source_form;
    use crate::backend::{authenticate, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let (profile, installation) = sources_context(&backend, &session).await?;
    require_enabled(&backend, profile, &installation)?;
    let existing = backend
        .store
        .sources(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    if existing.len() >= MAX_SOURCES {
        return Ok(SecretOutcome::Invalid(FieldError {
            field: String::new(),
            message: format!("a workspace can have at most {MAX_SOURCES} sources; disable or reuse one"),
        }));
    }
    let names: Vec<String> = existing.iter().map(|source| source.name.clone()).collect();
    let parsed = match parse_source_form(&form, &names) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(SecretOutcome::Invalid(error)),
    };
    let secret = generate_secret(&parsed.scheme);
    let now = now_millis();
    let source = SourceRow {
        id: new_id(),
        addon_key: profile.key.to_string(),
        workspace_id: session.workspace_id.clone(),
        name: parsed.name,
        // 32 random bytes, URL-safe base64: the unguessable part of the URL.
        ingest_token: generate_secret(&Scheme::None),
        scheme: serde_json::to_string(&parsed.scheme).map_err(|error| ServerFnError::new(error.to_string()))?,
        event_type_from: parsed.event_type_from,
        dedupe_from: parsed.dedupe_from,
        secret_ciphertext: backend.secrets.encrypt(&secret).map_err(to_server_error)?,
        previous_ciphertext: None,
        previous_until: None,
        enabled: true,
        created_at: now,
        updated_at: now,
    };
    backend.store.save_source(&source).await.map_err(to_server_error)?;
    reveal(&backend, &source, &parsed.scheme, &secret, "created").map(SecretOutcome::Revealed)
}

/// Posts a signed example event to a source's own ingest URL, as the sending system would, and
/// says what came back: proof that the URL reaches this server and that the source takes the
/// request in (a disabled source answers 410).
#[server]
pub async fn send_test_event(session: String, id: String) -> Result<TestDelivery, ServerFnError> {
    use std::time::Duration;

    use addon_core::sources::Scheme;

    use super::form::example_request;
    use crate::backend::{authenticate, now_seconds, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let (profile, _) = sources_context(&backend, &session).await?;
    let source = find_source(&backend, profile, &session, &id).await?;
    let scheme: Scheme = serde_json::from_str(&source.scheme)
        .map_err(|_| ServerFnError::new("this source's verification scheme cannot be read; create the source again"))?;
    let secret = backend
        .secrets
        .decrypt(&source.secret_ciphertext)
        .map_err(to_server_error)?;
    let url = ingest_url(&backend.public_base_url, &source.ingest_token);
    let example = example_request(
        &scheme,
        &secret,
        &url,
        &source.event_type_from,
        &source.dedupe_from,
        now_seconds(),
    )
    .map_err(ServerFnError::new)?;
    let mut request = backend
        .http
        .post(&url)
        .timeout(Duration::from_secs(10))
        .body(example.body);
    for (name, value) in &example.headers {
        request = request.header(name, value);
    }
    Ok(match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            TestDelivery::from_answer(status, &answer)
        }
        Err(error) => TestDelivery {
            status: 0,
            taken: false,
            message: format!(
                "This server could not reach the source's URL ({}); check PUBLIC_BASE_URL.",
                error.without_url()
            ),
        },
    })
}

/// The session's source `id`, or an error.
#[cfg(feature = "ssr")]
async fn find_source(
    backend: &crate::backend::UiBackend,
    profile: &addon_core::profile::Profile,
    session: &addon_core::session::Session,
    id: &str,
) -> Result<addon_core::store::events::SourceRow, ServerFnError> {
    backend
        .store
        .sources(profile.key, &session.workspace_id)
        .await
        .map_err(crate::backend::to_server_error)?
        .into_iter()
        .find(|source| source.id == id)
        .ok_or_else(|| ServerFnError::new("there is no such source in this workspace"))
}

/// Gives a source a new secret; the old one keeps working for `grace_hours` (0 to 720).
#[server]
pub async fn rotate_source_secret(
    session: String,
    id: String,
    grace_hours: String,
) -> Result<SecretOutcome, ServerFnError> {
    use addon_core::{
        lifecycle::now_millis,
        sources::{generate_secret, Scheme},
    };

    use super::form::parse_grace_hours;
    use crate::backend::{authenticate, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let (profile, installation) = sources_context(&backend, &session).await?;
    require_enabled(&backend, profile, &installation)?;
    let grace = match parse_grace_hours(&grace_hours) {
        Ok(grace) => grace,
        Err(error) => return Ok(SecretOutcome::Invalid(error)),
    };
    let mut source = find_source(&backend, profile, &session, &id).await?;
    let scheme: Scheme = serde_json::from_str(&source.scheme)
        .map_err(|_| ServerFnError::new("this source's scheme is unreadable; create a new source instead"))?;
    if !scheme.uses_secret() {
        return Err(ServerFnError::new(
            "this source uses no secret (scheme none); there is nothing to rotate",
        ));
    }
    let secret = generate_secret(&scheme);
    let now = now_millis();
    let old = std::mem::replace(
        &mut source.secret_ciphertext,
        backend.secrets.encrypt(&secret).map_err(to_server_error)?,
    );
    if grace > 0 {
        source.previous_ciphertext = Some(old);
        source.previous_until = Some(now + grace * 3_600_000);
    } else {
        source.previous_ciphertext = None;
        source.previous_until = None;
    }
    source.updated_at = now;
    backend.store.save_source(&source).await.map_err(to_server_error)?;
    reveal(&backend, &source, &scheme, &secret, "rotated").map(SecretOutcome::Revealed)
}

/// Turns a source off (its URL answers 410) or on again.
#[server]
pub async fn set_source_enabled(session: String, id: String, enabled: bool) -> Result<(), ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let (profile, installation) = sources_context(&backend, &session).await?;
    // Turning a source off is always allowed; turning one on needs the setting.
    if enabled {
        require_enabled(&backend, profile, &installation)?;
    }
    let mut source = find_source(&backend, profile, &session, &id).await?;
    source.enabled = enabled;
    source.updated_at = now_millis();
    backend.store.save_source(&source).await.map_err(to_server_error)
}
