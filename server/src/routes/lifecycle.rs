//! `POST /{addon}/lifecycle/{event}` for the four lifecycle events. Verification and storage
//! live in `addon_core::lifecycle`; this module maps HTTP to it and starts background work.

use addon_core::{store::bootstrap::job_status, Error};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::HeaderMap,
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

use super::manifests::profile_for;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/{addon}/lifecycle/{event}", post(lifecycle_event))
}

/// The lifecycle token: `X-Addon-Lifecycle-Token`, or `Clockify-Signature` as older add-ons read.
fn lifecycle_token(headers: &HeaderMap) -> Option<&str> {
    ["x-addon-lifecycle-token", "clockify-signature"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|value| value.to_str().ok()))
}

async fn lifecycle_event(
    State(state): State<AppState>,
    Path((addon, event)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Error> {
    let profile = profile_for(&addon)?;
    let token = lifecycle_token(&headers);
    // Whatever changes, webhook deliveries and flow runs re-read their installation from now on.
    state.signatures.clear();
    state.flows.forget_workspaces();
    let lifecycle = state.lifecycle();
    let (kind, answer) = match event.as_str() {
        "installed" => {
            let installation = lifecycle.installed(profile, token, &body).await?;
            // The bootstrap learns the workspace's name and plan first, then pulls its data.
            state
                .bootstrap
                .start(&installation.addon_key, &installation.workspace_id, true)
                .await;
            // Universal Webhook's events beyond the manifest's 20: after answering, since
            // Clockify may not accept API calls for an installation it is still completing.
            let (reconcile_state, addon_key, workspace_id) = (
                state.clone(),
                installation.addon_key.clone(),
                installation.workspace_id.clone(),
            );
            tokio::spawn(async move {
                reconcile_state.reconcile_subscriptions(&addon_key, &workspace_id).await;
            });
            let answer = json!({ "status": "installed", "workspaceId": installation.workspace_id });
            ("INSTALLED", answer)
        }
        "deleted" => {
            let (workspace_id, mut rows) = lifecycle.deleted(profile, token, &body).await?;
            // Stop the bootstrap, then remove what it may have written meanwhile.
            state.bootstrap.stop(profile.key, &workspace_id, None).await;
            rows += state.store.delete_installation(profile.key, &workspace_id).await?;
            ("DELETED", json!({ "status": "deleted", "rowsRemoved": rows }))
        }
        "status-changed" => {
            let (workspace_id, status) = lifecycle.status_changed(profile, token, &body).await?;
            if status == "INACTIVE" {
                state
                    .bootstrap
                    .stop(profile.key, &workspace_id, Some(job_status::STOPPED))
                    .await;
            } else {
                state.bootstrap.start(profile.key, &workspace_id, false).await;
                let (reconcile_state, workspace) = (state.clone(), workspace_id.clone());
                tokio::spawn(async move {
                    reconcile_state.reconcile_subscriptions(profile.key, &workspace).await;
                });
            }
            ("STATUS_CHANGED", json!({ "status": status }))
        }
        "settings-updated" => {
            let (workspace_id, problems) = lifecycle.settings_updated(profile, token, &body).await?;
            // The valid values take effect at once (the bootstrap's share of the rate budget).
            state.bootstrap.apply_settings(profile.key, &workspace_id).await?;
            if !problems.is_empty() {
                return Err(Error::bad_request("invalid_settings", problems.join("; ")));
            }
            ("SETTINGS_UPDATED", json!({ "status": "saved" }))
        }
        other => return Err(Error::NotFound(format!("there is no lifecycle event {other:?}"))),
    };
    // Again after the change, in case a delivery or a run cached the old state meanwhile.
    state.signatures.clear();
    state.flows.forget_workspaces();
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => kind).increment(1);
    Ok(Json(answer))
}
