//! `POST /{addon}/lifecycle/{event}` for the four lifecycle events. Verification and storage
//! live in `addon_core::lifecycle`; this module maps HTTP to it and starts background work.

use addon_core::{
    clockify::ClockifyClient,
    lifecycle::now_millis,
    store::{Installation, WorkspaceDetails},
    Error,
};
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
    let lifecycle = state.lifecycle();
    let (kind, answer) = match event.as_str() {
        "installed" => {
            let installation = lifecycle.installed(profile, token, &body).await?;
            let answer = json!({ "status": "installed", "workspaceId": installation.workspace_id });
            tokio::spawn(fetch_workspace_details(state.clone(), installation));
            ("INSTALLED", answer)
        }
        "deleted" => {
            let rows = lifecycle.deleted(profile, token, &body).await?;
            ("DELETED", json!({ "status": "deleted", "rowsRemoved": rows }))
        }
        "status-changed" => {
            let status = lifecycle.status_changed(profile, token, &body).await?;
            ("STATUS_CHANGED", json!({ "status": status }))
        }
        "settings-updated" => {
            lifecycle.settings_updated(profile, token, &body).await?;
            ("SETTINGS_UPDATED", json!({ "status": "saved" }))
        }
        other => return Err(Error::NotFound(format!("there is no lifecycle event {other:?}"))),
    };
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => kind).increment(1);
    Ok(Json(answer))
}

/// After INSTALLED: the workspace's name and plan and the installer's name, for the Overview.
async fn fetch_workspace_details(state: AppState, installation: Installation) {
    let outcome = async {
        let client = ClockifyClient::for_installation(
            state.http.clone(),
            &installation,
            &state.secrets,
            state.config.clockify_api_base_url.as_deref(),
        )?;
        let workspace = client
            .get_json(&format!("/v1/workspaces/{}", installation.workspace_id))
            .await?;
        let installer_name = match &installation.installed_by {
            Some(user) => client
                .get_json(&format!(
                    "/v1/workspaces/{}/member-profile/{user}",
                    installation.workspace_id
                ))
                .await
                .ok()
                .and_then(|profile| profile.get("name").and_then(Value::as_str).map(String::from)),
            None => None,
        };
        let details = WorkspaceDetails {
            name: workspace.get("name").and_then(Value::as_str).map(String::from),
            plan: workspace
                .get("featureSubscriptionType")
                .and_then(Value::as_str)
                .map(String::from),
            installer_name,
        };
        state
            .store
            .save_workspace_details(
                &installation.addon_key,
                &installation.workspace_id,
                &details,
                now_millis(),
            )
            .await
    }
    .await;
    if let Err(error) = outcome {
        tracing::warn!(addon = %installation.addon_key, workspace = %installation.workspace_id, %error, "workspace details not fetched");
    }
}
