//! Workspace webhooks through the API, as Clockify's `createWebhook`, `getWebhooks`,
//! `getWebhook`, `updateWebhook` and `deleteWebhook`:
//!
//! - `POST /v1/workspaces/{workspaceId}/webhooks` (`WORKSPACE_WRITE`): `CreateWebhookRequestV1`
//!   → 201 `WebhookDtoV1` with a fresh `authToken` (a webhook signature for the calling add-on,
//!   like the manifest webhooks' tokens); 400 on a bad body, 403 over the plan's limits
//!   ([`crate::webhooks::limits`]);
//! - `GET /v1/workspaces/{workspaceId}/webhooks` (`WORKSPACE_READ`, optional
//!   `type=USER_CREATED|SYSTEM|ADDON`) → `{"webhooks": [...], "workspaceWebhookCount": n}`;
//!   webhooks made through the API count as `USER_CREATED`, so `SYSTEM` and `ADDON` list none;
//! - `GET|PUT|DELETE /v1/workspaces/{workspaceId}/webhooks/{webhookId}` (`WORKSPACE_READ` for
//!   GET, `WORKSPACE_WRITE` otherwise; PUT takes `UpdateWebhookRequestV1` and keeps the token;
//!   DELETE answers the deleted webhook).
//!
//! A webhook belongs to the installation that created it: uninstalling the add-on deletes it.

use axum::{
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use super::{paging::ApiQuery, AddonAuth, Scope};
use crate::{
    error::{Error, Result},
    state::{AppState, Sim},
    tokens,
    webhooks::{check_room, parse_request, plan_enabled, ApiWebhook, WebhookRequest, NAME_LENGTH},
    workspace::object_id,
};

/// The `type` filter values of `getWebhooks`.
const WEBHOOK_TYPES: [&str; 3] = ["USER_CREATED", "SYSTEM", "ADDON"];

/// Webhook routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/workspaces/{workspaceId}/webhooks",
            get(list_webhooks).post(create_webhook),
        )
        .route(
            "/v1/workspaces/{workspaceId}/webhooks/{webhookId}",
            get(get_webhook).put(update_webhook).delete(delete_webhook),
        )
}

fn json_body(body: std::result::Result<Json<Value>, JsonRejection>) -> Result<Value> {
    body.map(|Json(value)| value)
        .map_err(|rejection| Error::ApiBadRequest(rejection.body_text()))
}

fn validated(sim: &Sim, body: std::result::Result<Json<Value>, JsonRejection>) -> Result<WebhookRequest> {
    parse_request(&json_body(body)?, &sim.workspace).map_err(Error::ApiBadRequest)
}

fn not_found(webhook_id: &str) -> Error {
    Error::ApiNotFound(format!("Webhook with id {webhook_id} not found"))
}

/// `webhook` as `WebhookDtoV1`, `planEnabled` as the current plan says.
fn dto(sim: &Sim, all: &[ApiWebhook], webhook: &ApiWebhook) -> Value {
    let covered = plan_enabled(&sim.plan(), all).contains(&webhook.id);
    webhook.dto(&sim.workspace.id, covered)
}

async fn create_webhook(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceWrite)?;
    let request = validated(&sim, body)?;
    let installation = &auth.0;
    let mut rng = rand::thread_rng();
    let mut webhook = ApiWebhook {
        id: object_id(&mut rng),
        name: request.event.chars().take(NAME_LENGTH.1).collect(),
        url: String::new(),
        event: String::new(),
        trigger_source_type: String::new(),
        trigger_source: Vec::new(),
        user_id: installation.addon_user_id.clone(),
        auth_token: sim.signer.sign(&tokens::webhook_claims(
            &installation.key,
            &sim.workspace.id,
            &installation.addon_id,
        )),
        enabled: true,
        addon_key: installation.key.clone(),
        addon_id: installation.addon_id.clone(),
    };
    webhook.apply(request);
    let plan = sim.plan();
    let created = sim.change_api_webhooks(|webhooks| {
        // The installation may have been removed since the request was authenticated; its
        // webhooks are gone then and this one must not outlive it.
        if sim.installation_by_token(&installation.token).is_none() {
            return Err(Error::Unauthorized("Addon token is not valid".into()));
        }
        check_room(&plan, webhooks, &webhook.user_id).map_err(Error::ApiForbidden)?;
        webhooks.push(webhook.clone());
        Ok(dto(&sim, webhooks, &webhook))
    })?;
    tracing::info!(
        addon = %installation.key,
        webhook_id = %webhook.id,
        event = %webhook.event,
        url = %webhook.url,
        "webhook created through the API"
    );
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list_webhooks(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceRead)?;
    let kind = query.get("type");
    if let Some(kind) = kind {
        if !WEBHOOK_TYPES.contains(&kind) {
            return Err(Error::ApiBadRequest(format!(
                "Invalid value '{kind}' for parameter 'type': expected one of {}",
                WEBHOOK_TYPES.join(", ")
            )));
        }
    }
    let all = sim.api_webhooks();
    let listed: Vec<Value> = if kind.is_none_or(|kind| kind == "USER_CREATED") {
        all.iter().map(|webhook| dto(&sim, &all, webhook)).collect()
    } else {
        Vec::new()
    };
    Ok(Json(json!({ "webhooks": listed, "workspaceWebhookCount": all.len() })))
}

async fn get_webhook(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, webhook_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceRead)?;
    let all = sim.api_webhooks();
    let webhook = all
        .iter()
        .find(|webhook| webhook.id == webhook_id)
        .ok_or_else(|| not_found(&webhook_id))?;
    Ok(Json(dto(&sim, &all, webhook)))
}

async fn update_webhook(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, webhook_id)): Path<(String, String)>,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceWrite)?;
    let request = validated(&sim, body)?;
    let updated = sim.change_api_webhooks(|webhooks| {
        let webhook = webhooks
            .iter_mut()
            .find(|webhook| webhook.id == webhook_id)
            .ok_or_else(|| not_found(&webhook_id))?;
        webhook.apply(request);
        let webhook = webhook.clone();
        Ok::<_, Error>(dto(&sim, webhooks, &webhook))
    })?;
    Ok(Json(updated))
}

async fn delete_webhook(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, webhook_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceWrite)?;
    let deleted = sim.change_api_webhooks(|webhooks| {
        let position = webhooks
            .iter()
            .position(|webhook| webhook.id == webhook_id)
            .ok_or_else(|| not_found(&webhook_id))?;
        let covered = plan_enabled(&sim.plan(), webhooks).contains(&webhook_id);
        Ok::<_, Error>(webhooks.remove(position).dto(&sim.workspace.id, covered))
    })?;
    Ok(Json(deleted))
}
