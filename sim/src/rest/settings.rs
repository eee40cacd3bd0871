//! `GET` and `PATCH /addon/workspaces/{workspaceId}/settings`: the calling add-on's structured
//! settings with current values.

use axum::{
    extract::{rejection::JsonRejection, Path, State},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use super::AddonAuth;
use crate::{
    error::{Error, Result},
    install,
    settings::SettingUpdate,
    state::AppState,
};

/// Settings routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/addon/workspaces/{workspaceId}/settings",
        get(get_settings).patch(patch_settings),
    )
}

async fn get_settings(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
) -> Result<Json<Value>> {
    auth.check_workspace(&sim, &workspace_id)?;
    Ok(Json(auth.0.settings.unwrap_or_else(|| json!({ "tabs": [] }))))
}

async fn patch_settings(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    body: Result<Json<Vec<SettingUpdate>>, JsonRejection>,
) -> Result<Json<Value>> {
    auth.check_workspace(&sim, &workspace_id)?;
    let Json(updates) = body.map_err(|rejection| Error::BadRequest(rejection.body_text()))?;
    let installation = install::store_settings(&sim, &auth.0.key, &updates)?;
    let current = installation.settings.clone().unwrap_or_else(|| json!({ "tabs": [] }));
    // Deliver SETTINGS_UPDATED after answering: the add-on may be waiting on this PATCH while
    // it would handle the lifecycle call.
    tokio::spawn(async move {
        install::send_settings_updated(&sim, &installation).await;
    });
    Ok(Json(current))
}
