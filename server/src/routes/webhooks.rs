//! Webhook ingestion over HTTP: `POST /{addon}/webhooks/clockify` for Clockify's deliveries and
//! `POST /ingest/{token}` for custom sources. Verification and storage live in
//! `addon_core::ingest` and `addon_core::sources`; this module maps HTTP to them, reads the body
//! under the size limit and counts every outcome. A 2xx is sent only after the commit.

use std::time::Instant;

use addon_core::{
    ingest::{self, clockify, headers::redacted_json, MAX_BODY_BYTES},
    lifecycle::now_millis,
    profile::find_profile,
    settings::EffectiveSettings,
    sources::{self, Scheme, Secrets},
    store::{
        events::{NewEvent, RecordedEvent, SourceRow, CLOCKIFY_SOURCE},
        new_id,
    },
    workspace_log::workspace_span,
    Error,
};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, Uri},
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};
use tracing::Instrument;

use super::manifests::profile_for;
use crate::{telemetry::redact_query, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{addon}/webhooks/clockify", post(clockify_delivery))
        .route("/ingest/{token}", post(source_delivery))
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|value| (name.as_str().to_string(), value.to_string()))
        })
        .collect()
}

async fn read_body(body: Body) -> Result<axum::body::Bytes, Error> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Error::TooLarge(format!("the body is larger than {} KiB", MAX_BODY_BYTES / 1024)))
}

fn dedupe_window_hours(settings: &EffectiveSettings) -> i64 {
    settings
        .value("dedupe_window_hours")
        .and_then(Value::as_i64)
        .unwrap_or(ingest::DEFAULT_DEDUPE_HOURS)
}

fn answer(recorded: RecordedEvent) -> Json<Value> {
    Json(json!({ "status": recorded.status, "id": recorded.id, "duplicateOf": recorded.duplicate_of }))
}

fn count(addon: &str, source: &str, event_type: &str, outcome: &'static str, started: Instant) {
    metrics::counter!("webhook_deliveries_total", "addon" => addon.to_string(), "source" => source.to_string(),
        "event_type" => event_type.to_string(), "outcome" => outcome)
    .increment(1);
    metrics::histogram!("webhook_ingest_duration_seconds", "addon" => addon.to_string())
        .record(started.elapsed().as_secs_f64());
}

fn count_rejection(addon: &str, source: &str, reason: &str) {
    metrics::counter!("webhook_rejections_total", "addon" => addon.to_string(), "source" => source.to_string(),
        "reason" => reason.to_string())
    .increment(1);
}

async fn clockify_delivery(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Json<Value>, Error> {
    let started = Instant::now();
    let profile = profile_for(&addon)?;
    let header_list = header_pairs(&headers);
    let verified = clockify::verify_signature(
        state.store.as_ref(),
        &state.verifier,
        &state.signatures,
        profile,
        &state.config.setting_overrides,
        ingest::headers::header(&header_list, clockify::SIGNATURE_HEADER),
    )
    .await
    .inspect_err(|error| count_rejection(profile.key, CLOCKIFY_SOURCE, clockify::rejection_reason(error)))?;
    let workspace_id = verified.installation.workspace_id.as_str();
    let reject = |error: Error| {
        let state = state.clone();
        async move {
            let reason = clockify::rejection_reason(&error);
            count_rejection(profile.key, CLOCKIFY_SOURCE, reason);
            let _ = state
                .store
                .record_rejection(profile.key, workspace_id, CLOCKIFY_SOURCE, reason, now_millis())
                .await;
            error
        }
    };
    let event_type = match clockify::check_event(
        profile,
        &verified,
        ingest::headers::header(&header_list, clockify::EVENT_TYPE_HEADER),
    ) {
        Ok(event_type) => event_type,
        Err(error) => return Err(reject(error).await),
    };
    let bytes = match read_body(body).await {
        Ok(bytes) => bytes,
        Err(error) => return Err(reject(error).await),
    };
    // Checked without building the JSON tree (the body is stored as text).
    let Some(text) = std::str::from_utf8(&bytes)
        .ok()
        .filter(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok())
    else {
        return Err(reject(Error::bad_request("invalid_json", "the body is not valid JSON")).await);
    };
    let now = now_millis();
    let event = NewEvent {
        id: new_id(),
        addon_key: profile.key.to_string(),
        workspace_id: workspace_id.to_string(),
        source: CLOCKIFY_SOURCE.to_string(),
        dedupe_key: ingest::content_hash(&[event_type.as_bytes(), &bytes]),
        dedupe_since: now - dedupe_window_hours(&verified.settings) * 3_600_000,
        event_type: event_type.to_string(),
        received_at: now,
        headers: redacted_json(&header_list, &[]),
        query: uri.query().map(redact_query).unwrap_or_default(),
        body: text.to_string(),
        queue_flow: verified.settings.flag("flows_enabled"),
    };
    let span = workspace_span(profile.key, workspace_id, &verified.settings);
    let recorded = state.ingest.submit(event).instrument(span.clone()).await?;
    if recorded.job_queued {
        state.flows.events_queued();
    }
    span.in_scope(|| log_recorded(event_type, &recorded));
    count(
        profile.key,
        CLOCKIFY_SOURCE,
        event_type,
        status_label(&recorded),
        started,
    );
    Ok(answer(recorded))
}

/// One debug line per delivery, inside its workspace's span (so its `log_level` applies).
fn log_recorded(event_type: &str, recorded: &RecordedEvent) {
    match &recorded.duplicate_of {
        Some(original) => tracing::debug!(event_type, original = %original, "webhook delivery was a duplicate"),
        None => tracing::debug!(event_type, event = %recorded.id, "webhook event accepted"),
    }
}

fn status_label(recorded: &RecordedEvent) -> &'static str {
    if recorded.duplicate_of.is_some() {
        "duplicate"
    } else {
        "accepted"
    }
}

/// Reads `from` (`header:<name>`, `jsonpath:<path>`, `fixed:<text>`) from a request.
pub fn read_field(from: &str, headers: &[(String, String)], json: Option<&Value>) -> Option<String> {
    let (kind, argument) = from.split_once(':')?;
    match kind {
        "header" => ingest::headers::header(headers, argument).map(String::from),
        "fixed" => Some(argument.to_string()),
        "jsonpath" => {
            use jsonpath_rust::JsonPath;
            let found = json?.query(argument).ok()?;
            found.first().map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
        }
        _ => None,
    }
}

async fn source_delivery(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<Json<Value>, Error> {
    let started = Instant::now();
    let source = state
        .store
        .source_by_ingest_token(&token)
        .await?
        .ok_or_else(|| Error::NotFound("there is no webhook source at this URL".into()))?;
    let outcome = ingest_from_source(&state, &source, headers, uri, body).await;
    match outcome {
        Ok((recorded, event_type)) => {
            count(
                &source.addon_key,
                "custom",
                &event_type,
                status_label(&recorded),
                started,
            );
            Ok(answer(recorded))
        }
        Err(error) => {
            let reason = match &error {
                Error::Unauthorized { code, .. } | Error::BadRequest { code, .. } => code,
                other => clockify::rejection_reason(other),
            };
            count_rejection(&source.addon_key, "custom", reason);
            let _ = state
                .store
                .record_rejection(
                    &source.addon_key,
                    &source.workspace_id,
                    &source.id,
                    reason,
                    now_millis(),
                )
                .await;
            Err(error)
        }
    }
}

async fn ingest_from_source(
    state: &AppState,
    source: &SourceRow,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Result<(RecordedEvent, String), Error> {
    let profile = find_profile(&source.addon_key)
        .ok_or_else(|| Error::NotFound("there is no webhook source at this URL".into()))?;
    let installation = state
        .store
        .installation(profile.key, &source.workspace_id)
        .await?
        .filter(|installation| installation.status == "ACTIVE")
        .ok_or_else(|| Error::Gone(format!("{} is not active in this workspace", profile.name)))?;
    let settings = EffectiveSettings::resolve(
        profile.key,
        profile.settings,
        &installation.settings,
        &state.config.setting_overrides,
    );
    if !profile.features.custom_sources || !settings.flag("custom_sources_enabled") {
        return Err(Error::Gone(
            "custom webhook sources are turned off in this workspace".into(),
        ));
    }
    if !source.enabled {
        return Err(Error::Gone("this webhook source is disabled".into()));
    }
    let bytes = read_body(body).await?;
    // An unknown or broken scheme fails closed.
    let scheme: Scheme = serde_json::from_str(&source.scheme).map_err(|_| {
        Error::unauthorized(
            "source_misconfigured",
            "this source's verification scheme is not understood",
        )
    })?;
    let current = state.secrets.decrypt(&source.secret_ciphertext)?;
    let now = now_millis();
    let previous = match (&source.previous_ciphertext, source.previous_until) {
        (Some(ciphertext), Some(until)) if until > now => Some(state.secrets.decrypt(ciphertext)?),
        _ => None,
    };
    let header_list = header_pairs(&headers);
    let secrets = Secrets {
        current: &current,
        previous: previous.as_deref(),
    };
    let verified = sources::verify(&scheme, secrets, &header_list, &bytes, now / 1000)
        .map_err(|rejection| Error::unauthorized(rejection.reason.code(), rejection.message))?;
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    let event_type = read_field(&source.event_type_from, &header_list, json.as_ref())
        .filter(|name| !name.is_empty() && name.len() <= 200)
        .ok_or_else(|| {
            Error::bad_request(
                "missing_event_type",
                format!("the event type was not found at {}", source.event_type_from),
            )
        })?;
    let dedupe_key = match source.dedupe_from.as_str() {
        "body-hash" => None,
        from => read_field(from, &header_list, json.as_ref()),
    }
    .or(verified.message_id)
    .unwrap_or_else(|| ingest::content_hash(&[&bytes]));
    let secret_headers: Vec<&str> = match &scheme {
        Scheme::ApiKey { header } | Scheme::Hmac { header, .. } => vec![header.as_str()],
        _ => Vec::new(),
    };
    let event = NewEvent {
        id: new_id(),
        addon_key: profile.key.to_string(),
        workspace_id: source.workspace_id.clone(),
        source: source.id.clone(),
        event_type: event_type.clone(),
        dedupe_key,
        dedupe_since: now - dedupe_window_hours(&settings) * 3_600_000,
        received_at: now,
        headers: redacted_json(&header_list, &secret_headers),
        query: uri.query().map(redact_query).unwrap_or_default(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        queue_flow: settings.flag("flows_enabled"),
    };
    let span = workspace_span(profile.key, &source.workspace_id, &settings);
    let recorded = state.ingest.submit(event).instrument(span.clone()).await?;
    if recorded.job_queued {
        state.flows.events_queued();
    }
    span.in_scope(|| log_recorded(&event_type, &recorded));
    Ok((recorded, event_type))
}
