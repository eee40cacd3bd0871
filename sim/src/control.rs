//! The simulator's own control API under `/sim`: install and manage add-ons, mint tokens,
//! read the key and the demo workspace, switch faults and read request statistics of the
//! `/api` endpoints, fire webhook events and read what was delivered. Not part of Clockify.

use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::header,
    response::IntoResponse,
    routing::{delete, get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    error::{Error, Result},
    faults::{Faults, FaultsUpdate},
    install::{self, Installed},
    lifecycle::Report,
    page::normalize_theme,
    settings::SettingUpdate,
    state::AppState,
    stats::StatsSnapshot,
    webhooks::{self, Delivery, Subscription},
};

/// Every `/sim` route (the caller nests this under `/sim`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/install", post(install_addon))
        .route("/addons", get(list_addons))
        .route("/addons/{key}", delete(delete_addon))
        .route("/addons/{key}/status", post(set_status))
        .route("/addons/{key}/settings", post(update_settings))
        .route("/token", get(user_token))
        .route("/public-key.pem", get(public_key))
        .route("/workspace", get(workspace))
        .route("/workspace/plan", post(set_plan))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/stats", get(stats))
        .route("/stats/reset", post(reset_stats))
        .route("/webhooks", get(list_webhooks))
        .route("/webhooks/fire", post(fire_webhook))
        .route("/webhooks/{id}", delete(delete_api_webhook))
        .route("/webhooks/deliveries", get(list_deliveries))
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T> {
    body.map(|Json(value)| value)
        .map_err(|rejection| Error::BadRequest(rejection.body_text()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstallRequest {
    manifest_url: String,
}

async fn install_addon(
    State(sim): State<AppState>,
    body: Result<Json<InstallRequest>, JsonRejection>,
) -> Result<Json<Installed>> {
    let request = json_body(body)?;
    Ok(Json(install::install(&sim, &request.manifest_url).await?))
}

async fn list_addons(State(sim): State<AppState>) -> Json<Vec<Value>> {
    Json(
        sim.installations()
            .into_iter()
            .map(|installation| {
                json!({
                    "key": installation.key,
                    "name": installation.name,
                    "addonId": installation.addon_id,
                    "baseUrl": installation.base_url,
                    "status": installation.status,
                    "components": installation.components(),
                })
            })
            .collect(),
    )
}

async fn delete_addon(State(sim): State<AppState>, Path(key): Path<String>) -> Result<Json<Report>> {
    Ok(Json(install::uninstall(&sim, &key).await?))
}

#[derive(Debug, Deserialize)]
struct StatusRequest {
    status: String,
}

async fn set_status(
    State(sim): State<AppState>,
    Path(key): Path<String>,
    body: Result<Json<StatusRequest>, JsonRejection>,
) -> Result<Json<Report>> {
    let request = json_body(body)?;
    Ok(Json(install::set_status(&sim, &key, &request.status).await?))
}

async fn update_settings(
    State(sim): State<AppState>,
    Path(key): Path<String>,
    body: Result<Json<Vec<SettingUpdate>>, JsonRejection>,
) -> Result<Json<Report>> {
    let updates = json_body(body)?;
    Ok(Json(install::update_settings(&sim, &key, &updates).await?))
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    addon: String,
    theme: Option<String>,
    role: Option<String>,
    /// Defaults to the owner.
    user: Option<String>,
}

async fn user_token(State(sim): State<AppState>, Query(query): Query<TokenQuery>) -> Result<Json<Value>> {
    let installation = sim
        .installation(&query.addon)
        .ok_or_else(|| Error::NotFound(format!("add-on {} is not installed", query.addon)))?;
    let user = match &query.user {
        Some(user_id) => sim
            .workspace
            .user(user_id)
            .ok_or_else(|| Error::NotFound(format!("no user {user_id} in the workspace")))?,
        None => sim.workspace.owner(),
    };
    let role = query.role.as_deref().unwrap_or(&user.role);
    let theme = normalize_theme(query.theme.as_deref());
    Ok(Json(
        json!({ "token": sim.user_token(&installation, &user.id, role, theme) }),
    ))
}

async fn public_key(State(sim): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        sim.signer.public_key_pem(),
    )
}

/// The workspace's id, name, plan, owner, members, clients, projects and tags, plus `counts`
/// of every entity kind ([`crate::workspace::Counts`]).
async fn workspace(State(sim): State<AppState>) -> Json<Value> {
    let mut body = serde_json::to_value(&sim.workspace).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut body {
        fields.insert("plan".into(), Value::from(sim.plan()));
        fields.insert(
            "counts".into(),
            serde_json::to_value(sim.workspace.counts()).unwrap_or(Value::Null),
        );
    }
    Json(body)
}

#[derive(Debug, Deserialize)]
struct PlanRequest {
    plan: String,
}

/// Up- or downgrades the workspace (installed add-ons stay; new installs are checked against
/// the new plan). The FREE hourly budget is a fault of its own: `PUT /sim/faults`.
async fn set_plan(State(sim): State<AppState>, body: Result<Json<PlanRequest>, JsonRejection>) -> Result<Json<Value>> {
    let request = json_body(body)?;
    if !install::PLANS.contains(&request.plan.as_str()) {
        return Err(Error::BadRequest(format!(
            "plan must be one of {}",
            install::PLANS.join(", ")
        )));
    }
    sim.set_plan(&request.plan);
    Ok(Json(json!({ "plan": request.plan })))
}

async fn get_faults(State(sim): State<AppState>) -> Json<Faults> {
    Json(sim.traffic.faults())
}

/// Replaces the faults; fields left out take their start-up values.
async fn put_faults(
    State(sim): State<AppState>,
    body: Result<Json<FaultsUpdate>, JsonRejection>,
) -> Result<Json<Faults>> {
    let faults = json_body(body)?.apply_to(sim.traffic.defaults());
    let problems = faults.problems();
    if !problems.is_empty() {
        return Err(Error::BadRequest(problems.join("; ")));
    }
    sim.traffic.set_faults(faults.clone());
    Ok(Json(faults))
}

async fn stats(State(sim): State<AppState>) -> Json<StatsSnapshot> {
    Json(sim.traffic.stats())
}

async fn reset_stats(State(sim): State<AppState>) -> Json<StatsSnapshot> {
    sim.traffic.reset_stats();
    Json(sim.traffic.stats())
}

#[derive(Debug, Deserialize)]
struct FireRequest {
    event: String,
    /// Sent instead of the sample body when given.
    body: Option<Value>,
}

/// Fires `event` (one of the 51) at every subscription that receives it, with `body` or else
/// [`webhooks::sample_body`]; answers `{"event", "body", "deliveries"}` once every POST is done.
async fn fire_webhook(
    State(sim): State<AppState>,
    body: Result<Json<FireRequest>, JsonRejection>,
) -> Result<Json<Value>> {
    let request = json_body(body)?;
    let Some(event) = addon_core::events::find_event(&request.event) else {
        return Err(Error::BadRequest(format!(
            "{:?} is not a Clockify webhook event (NEW_TIME_ENTRY, NEW_TAG, …)",
            request.event
        )));
    };
    let body = request.body.unwrap_or_else(|| webhooks::sample_body(&sim, event.name));
    let deliveries = webhooks::deliver(&sim, event.name, &body).await;
    Ok(Json(
        json!({ "event": event.name, "body": body, "deliveries": deliveries }),
    ))
}

/// Every webhook subscription: the manifest webhooks of installed add-ons and the webhooks
/// add-ons created through the API.
async fn list_webhooks(State(sim): State<AppState>) -> Json<Vec<Subscription>> {
    Json(webhooks::subscriptions(&sim))
}

/// Deletes an API-created webhook as a workspace admin would in Clockify's settings (the
/// add-on's reconcile should put it back).
async fn delete_api_webhook(State(sim): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>> {
    let removed = sim.change_api_webhooks(|webhooks| {
        let before = webhooks.len();
        webhooks.retain(|webhook| webhook.id != id);
        before - webhooks.len()
    });
    if removed == 0 {
        return Err(Error::NotFound(format!("there is no API-created webhook {id:?}")));
    }
    Ok(Json(json!({ "deleted": id })))
}

/// The last deliveries, newest first.
async fn list_deliveries(State(sim): State<AppState>) -> Json<Vec<Delivery>> {
    Json(sim.deliveries())
}
