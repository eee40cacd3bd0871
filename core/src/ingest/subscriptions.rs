//! Universal Webhook takes in all 51 events, but a manifest declares at most 20 webhooks
//! (PLATFORM.md §0.1). The other 31 are workspace webhooks created through the API
//! (`POST /v1/workspaces/{workspaceId}/webhooks`, trigger source the workspace), each with its
//! own signing token, stored like the manifest webhooks' tokens.
//!
//! [`reconcile`] is idempotent: it creates what is missing or disabled, forgets what Clockify no
//! longer has, and leaves the rest. It runs after INSTALLED, at start-up and from the UI.

use serde_json::{json, Value};

use crate::{
    clockify::{budget::Lane, ApiRequest, ClockifyClient},
    crypto::SecretBox,
    lifecycle::{now_millis, token_digest},
    profile::Profile,
    store::{api_webhook_type, Installation, Store, WebhookToken},
    Error, Result,
};

/// What a reconcile did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub created: Vec<String>,
    pub removed: Vec<String>,
    pub kept: usize,
    /// Events whose webhook could not be created, with the reason.
    pub failed: Vec<(String, String)>,
}

/// The URL Clockify posts these webhooks to.
pub fn delivery_url(public_base_url: &str, profile: &Profile) -> String {
    format!(
        "{}/{}{}",
        public_base_url.trim_end_matches('/'),
        profile.key,
        crate::manifest::paths::CLOCKIFY_WEBHOOK
    )
}

/// A webhook's name: 2–30 characters (Clockify's rule).
fn webhook_name(event: &str) -> String {
    event.chars().take(30).collect()
}

/// Makes the installation's API-created webhooks match `profile.api_created_events()`.
pub async fn reconcile(
    store: &dyn Store,
    client: &ClockifyClient,
    secrets: &SecretBox,
    profile: &'static Profile,
    installation: &Installation,
    public_base_url: &str,
) -> Result<Reconciled> {
    let mut outcome = Reconciled::default();
    if !profile.subscribes_all_events {
        return Ok(outcome);
    }
    let workspace_id = &installation.workspace_id;
    let url = delivery_url(public_base_url, profile);
    let listed = client
        .execute(
            ApiRequest::get(format!("/v1/workspaces/{workspace_id}/webhooks")),
            Lane::Interactive,
        )
        .await?
        .body;
    let remote: Vec<&Value> = listed
        .get("webhooks")
        .and_then(Value::as_array)
        .or_else(|| listed.as_array())
        .map(|items| items.iter().collect())
        .unwrap_or_default();
    let remote_enabled = |webhook_id: &str| {
        remote.iter().any(|webhook| {
            webhook.get("id").and_then(Value::as_str) == Some(webhook_id)
                && webhook.get("enabled").and_then(Value::as_bool).unwrap_or(true)
        })
    };
    let stored = store.api_webhooks(profile.key, workspace_id).await?;
    let mut covered = Vec::new();
    for (webhook_id, event) in &stored {
        if remote_enabled(webhook_id) && !covered.contains(event) {
            covered.push(event.clone());
            outcome.kept += 1;
        } else {
            // Gone, disabled or a duplicate: forget it (and delete a disabled one remotely).
            if remote
                .iter()
                .any(|webhook| webhook.get("id").and_then(Value::as_str) == Some(webhook_id))
            {
                let mut delete = ApiRequest::get(format!("/v1/workspaces/{workspace_id}/webhooks/{webhook_id}"));
                delete.method = reqwest::Method::DELETE;
                let _ = client.execute(delete, Lane::Interactive).await;
            }
            store.delete_api_webhook(profile.key, workspace_id, webhook_id).await?;
            outcome.removed.push(event.clone());
        }
    }
    for event in profile.api_created_events() {
        if covered.iter().any(|done| done == event) {
            continue;
        }
        let mut create = ApiRequest::get(format!("/v1/workspaces/{workspace_id}/webhooks"));
        create.method = reqwest::Method::POST;
        create.body = Some(json!({
            "name": webhook_name(event),
            "url": url,
            "webhookEvent": event,
            "triggerSourceType": "WORKSPACE_ID",
            "triggerSource": [workspace_id],
        }));
        let created = match client.execute(create, Lane::Interactive).await {
            Ok(response) => response.body,
            // The token was revoked (uninstalled): nothing else will work either.
            Err(error) if error.clockify_failure() == Some(crate::error::ClockifyFailure::Unauthorized) => {
                return Err(error);
            }
            Err(error) => {
                outcome.failed.push((event.to_string(), error.to_string()));
                continue;
            }
        };
        let (Some(webhook_id), Some(token)) = (
            created.get("id").and_then(Value::as_str),
            created.get("authToken").and_then(Value::as_str),
        ) else {
            outcome
                .failed
                .push((event.to_string(), "Clockify's answer has no id or authToken".into()));
            continue;
        };
        let token_row = WebhookToken {
            webhook_url: url.clone(),
            webhook_type: api_webhook_type(webhook_id),
            token_digest: token_digest(token),
            token_ciphertext: secrets.encrypt(token.trim())?,
        };
        store
            .save_api_webhook(profile.key, workspace_id, webhook_id, event, &token_row, now_millis())
            .await?;
        outcome.created.push(event.to_string());
    }
    if !outcome.failed.is_empty() {
        tracing::warn!(addon = profile.key, workspace = %workspace_id, failed = outcome.failed.len(), "some workspace webhooks were not created");
    }
    Ok(outcome)
}

/// The error to show when a reconcile could not even list the webhooks.
pub fn describe(error: &Error) -> String {
    format!("the workspace webhooks could not be checked: {error}")
}
