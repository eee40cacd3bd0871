//! The four lifecycle endpoints of each add-on. Verification and storage live in
//! `addon_core::lifecycle`; this module maps HTTP to it and starts background work.

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
    Router::new()
        .route("/{addon}/lifecycle/installed", post(installed))
        .route("/{addon}/lifecycle/deleted", post(deleted))
        .route("/{addon}/lifecycle/status-changed", post(status_changed))
        .route("/{addon}/lifecycle/settings-updated", post(settings_updated))
}

/// The lifecycle token: `X-Addon-Lifecycle-Token`, or `Clockify-Signature` as older add-ons read.
fn lifecycle_token(headers: &HeaderMap) -> Option<&str> {
    ["x-addon-lifecycle-token", "clockify-signature"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|value| value.to_str().ok()))
}

async fn installed(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Error> {
    let profile = profile_for(&addon)?;
    let installation = state.lifecycle().installed(profile, lifecycle_token(&headers), &body).await?;
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => "INSTALLED").increment(1);
    tokio::spawn(fetch_workspace_details(state.clone(), installation.clone()));
    Ok(Json(json!({ "status": "installed", "workspaceId": installation.workspace_id })))
}

async fn deleted(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Error> {
    let profile = profile_for(&addon)?;
    let rows = state.lifecycle().deleted(profile, lifecycle_token(&headers), &body).await?;
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => "DELETED").increment(1);
    Ok(Json(json!({ "status": "deleted", "rowsRemoved": rows })))
}

async fn status_changed(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Error> {
    let profile = profile_for(&addon)?;
    let status = state.lifecycle().status_changed(profile, lifecycle_token(&headers), &body).await?;
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => "STATUS_CHANGED").increment(1);
    Ok(Json(json!({ "status": status })))
}

async fn settings_updated(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Error> {
    let profile = profile_for(&addon)?;
    state.lifecycle().settings_updated(profile, lifecycle_token(&headers), &body).await?;
    metrics::counter!("lifecycle_events_total", "addon" => profile.key, "event" => "SETTINGS_UPDATED").increment(1);
    Ok(Json(json!({ "status": "saved" })))
}

/// After INSTALLED: the workspace's name and plan and the installer's name, for the Overview.
async fn fetch_workspace_details(state: AppState, installation: Installation) {
    let outcome = async {
        let token = state.secrets.decrypt(&installation.token_ciphertext)?;
        let base = state
            .config
            .clockify_api_base_url
            .clone()
            .unwrap_or_else(|| installation.backend_url.clone());
        let client = ClockifyClient::new(state.http.clone(), &base, token);
        let workspace = client.get_json(&format!("/v1/workspaces/{}", installation.workspace_id)).await?;
        let installer_name = match &installation.installed_by {
            Some(user) => client
                .get_json(&format!("/v1/workspaces/{}/member-profile/{user}", installation.workspace_id))
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
            .save_workspace_details(&installation.addon_key, &installation.workspace_id, &details, now_millis())
            .await
    }
    .await;
    if let Err(error) = outcome {
        tracing::warn!(addon = %installation.addon_key, workspace = %installation.workspace_id, %error, "workspace details not fetched");
    }
}
