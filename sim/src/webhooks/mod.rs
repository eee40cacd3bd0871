//! Webhook events: who is subscribed, delivering an event as Clockify does, and the bodies the
//! simulator sends when asked to fire one ([`sample_body`]).
//!
//! Two kinds of subscription receive an event:
//! - the manifest webhooks of every installed, `ACTIVE` add-on, signed with exactly the token
//!   INSTALLED carried for that webhook ([`Installation::webhook_tokens`]);
//! - the webhooks add-ons created through `POST /api/v1/workspaces/{id}/webhooks`
//!   ([`ApiWebhook`]), while enabled, covered by the plan and their add-on is `ACTIVE`, if
//!   their trigger source lets the event through.
//!
//! A delivery is `POST <url>` with `Content-Type: application/json`,
//! `clockify-signature: <token>`, `clockify-webhook-event-type: <EVENT>` and the entity
//! itself as the body (no envelope). The last [`MAX_DELIVERIES`] are kept for
//! `GET /sim/webhooks/deliveries`.
//!
//! [`Installation::webhook_tokens`]: crate::addon::Installation::webhook_tokens

mod samples;
mod store;

use std::{sync::Arc, time::Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::task::JoinSet;

pub use samples::sample_body;
pub use store::{
    check_room, limits, parse_request, plan_enabled, trigger_matches, ApiWebhook, WebhookLimits, WebhookRequest,
    NAME_LENGTH, TRIGGER_SOURCE_TYPES,
};

use crate::{datetime, state::Sim};

/// How many deliveries the simulator remembers.
pub const MAX_DELIVERIES: usize = 200;
/// The header carrying the webhook's signature token.
pub const SIGNATURE_HEADER: &str = "clockify-signature";
/// The header carrying the event type.
pub const EVENT_TYPE_HEADER: &str = "clockify-webhook-event-type";

/// Where a subscription comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Declared in an add-on's manifest.
    Manifest,
    /// Created through the REST API.
    Api,
}

/// One webhook the simulator knows (`GET /sim/webhooks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The add-on's key.
    pub addon: String,
    /// The installation's id.
    pub addon_id: String,
    /// The add-on's status (`ACTIVE` or `INACTIVE`).
    pub addon_status: String,
    /// The event it receives.
    pub event: String,
    /// Where deliveries go.
    pub url: String,
    /// `manifest` or `api`.
    pub kind: Kind,
    /// The API webhook's id (`None` for manifest webhooks).
    pub webhook_id: Option<String>,
    /// The API webhook's name (`None` for manifest webhooks).
    pub name: Option<String>,
    /// The API webhook's `triggerSourceType` (`None` for manifest webhooks: whole workspace).
    pub trigger_source_type: Option<String>,
    /// The API webhook's `triggerSource`.
    pub trigger_source: Option<Vec<String>>,
    /// Whether it receives deliveries now (its add-on is ACTIVE; an API webhook also must be
    /// enabled and within the plan's limits).
    pub active: bool,
    /// The `clockify-signature` sent with its deliveries (never shown).
    #[serde(skip)]
    pub token: String,
}

/// What became of one POST of an event to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Where it went.
    pub url: String,
    /// The event type.
    pub event: String,
    /// The receiving add-on's key.
    pub addon: String,
    /// `manifest` or `api`.
    pub kind: Kind,
    /// The API webhook's id, for [`Kind::Api`].
    pub webhook_id: Option<String>,
    /// The HTTP status the receiver answered; `None` if it could not be reached.
    pub status: Option<u16>,
    /// Why it failed (unreachable, timeout, non-2xx), if it did.
    pub error: Option<String>,
    /// How long the POST took.
    pub duration_ms: u64,
    /// When it was sent (`yyyy-MM-ddThh:mm:ssZ`).
    pub sent_at: String,
}

impl Delivery {
    /// Whether the receiver answered 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|status| (200..300).contains(&status))
    }
}

/// Every webhook the simulator knows: the manifest webhooks of each installed add-on (by key,
/// in manifest order), then the API-created webhooks (oldest first).
pub fn subscriptions(sim: &Sim) -> Vec<Subscription> {
    let mut list = Vec::new();
    for installation in sim.installations() {
        let active = installation.status == "ACTIVE";
        for (event, url, token) in installation.webhook_subscriptions() {
            list.push(Subscription {
                addon: installation.key.clone(),
                addon_id: installation.addon_id.clone(),
                addon_status: installation.status.clone(),
                event,
                url,
                kind: Kind::Manifest,
                webhook_id: None,
                name: None,
                trigger_source_type: None,
                trigger_source: None,
                active,
                token,
            });
        }
    }
    let webhooks = sim.api_webhooks();
    let covered = plan_enabled(&sim.plan(), &webhooks);
    for webhook in webhooks {
        // The owner may still be handling INSTALLED (pending); its webhooks already count.
        let addon_status = sim
            .installation_by_addon_id(&webhook.addon_id)
            .map_or_else(|| "DELETED".to_string(), |installation| installation.status);
        list.push(Subscription {
            active: addon_status == "ACTIVE" && webhook.enabled && covered.contains(&webhook.id),
            addon: webhook.addon_key,
            addon_id: webhook.addon_id,
            addon_status,
            event: webhook.event,
            url: webhook.url,
            kind: Kind::Api,
            webhook_id: Some(webhook.id),
            name: Some(webhook.name),
            trigger_source_type: Some(webhook.trigger_source_type),
            trigger_source: Some(webhook.trigger_source),
            token: webhook.auth_token,
        });
    }
    list
}

/// Whether `subscription` receives `event` with `body` now.
fn receives(subscription: &Subscription, event: &str, body: &Value) -> bool {
    if !subscription.active || subscription.event != event {
        return false;
    }
    match (&subscription.trigger_source_type, &subscription.trigger_source) {
        (Some(trigger_source_type), Some(trigger_source)) => {
            trigger_matches(trigger_source_type, trigger_source, event, body)
        }
        _ => true,
    }
}

/// POSTs `event` with `body` to every subscription that receives it, all at once, and returns
/// (and remembers) one [`Delivery`] per subscription, in [`subscriptions`] order. Never fails:
/// unreachable receivers, timeouts (the simulator's 10 s client) and non-2xx answers are
/// reported in the deliveries.
pub async fn deliver(sim: &Sim, event: &str, body: &Value) -> Vec<Delivery> {
    let targets: Vec<Subscription> = subscriptions(sim)
        .into_iter()
        .filter(|subscription| receives(subscription, event, body))
        .collect();
    if targets.is_empty() {
        tracing::info!(event, "webhook event has no subscriber");
        return Vec::new();
    }
    let bytes: Arc<Vec<u8>> = Arc::new(serde_json::to_vec(body).unwrap_or_default());
    let sent_at = datetime::format_timestamp(datetime::now());
    // Filled in as the POSTs finish; a task that dies leaves its placeholder.
    let mut deliveries: Vec<Delivery> = targets
        .iter()
        .map(|target| Delivery {
            url: target.url.clone(),
            event: event.to_string(),
            addon: target.addon.clone(),
            kind: target.kind,
            webhook_id: target.webhook_id.clone(),
            status: None,
            error: Some("the delivery task failed".into()),
            duration_ms: 0,
            sent_at: sent_at.clone(),
        })
        .collect();
    let mut tasks = JoinSet::new();
    for (index, target) in targets.into_iter().enumerate() {
        let http = sim.http.clone();
        let bytes = bytes.clone();
        let event = event.to_string();
        tasks.spawn(async move { (index, post(&http, &target, &event, bytes).await) });
    }
    while let Some(finished) = tasks.join_next().await {
        match finished {
            Ok((index, (status, error, duration_ms))) => {
                if let Some(delivery) = deliveries.get_mut(index) {
                    delivery.status = status;
                    delivery.error = error;
                    delivery.duration_ms = duration_ms;
                }
            }
            Err(error) => tracing::error!(event, error = %error, "a webhook delivery task failed"),
        }
    }
    sim.record_deliveries(&deliveries);
    deliveries
}

/// One POST: `(status, error, duration in ms)`.
async fn post(
    http: &reqwest::Client,
    target: &Subscription,
    event: &str,
    body: Arc<Vec<u8>>,
) -> (Option<u16>, Option<String>, u64) {
    let started = Instant::now();
    let response = http
        .post(&target.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, &target.token)
        .header(EVENT_TYPE_HEADER, event)
        .body(body.as_ref().clone())
        .send()
        .await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let url = &target.url;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            tracing::info!(method = "POST", %url, event, addon = %target.addon, status, duration_ms, "webhook delivered");
            let error = (!response.status().is_success()).then(|| format!("the receiver answered {status}"));
            (Some(status), error, duration_ms)
        }
        Err(error) => {
            tracing::warn!(method = "POST", %url, event, addon = %target.addon, error = %error, "webhook delivery failed");
            let reason = if error.is_timeout() {
                format!("POST {url} timed out")
            } else {
                format!("POST {url} failed: {error}")
            };
            (None, Some(reason), duration_ms)
        }
    }
}

/// Fires `event` in the background (for REST handlers that change data): the deliveries are
/// recorded as usual; the caller does not wait for them.
pub fn spawn_deliver(sim: &crate::state::AppState, event: &'static str, body: Value) {
    let sim = sim.clone();
    tokio::spawn(async move {
        deliver(&sim, event, &body).await;
    });
}
