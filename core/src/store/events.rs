//! What ingestion stores: every accepted or duplicate delivery (raw body, redacted headers),
//! a flow job per accepted event (when a flow could run) in the same transaction, counts of rejections (never their
//! bodies), the workspace webhooks created through the API, and custom sources.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::WebhookToken;
use crate::Result;

/// Event statuses.
pub mod event_status {
    pub const ACCEPTED: &str = "accepted";
    pub const DUPLICATE: &str = "duplicate";
}

/// The source name of Clockify's own webhooks.
pub const CLOCKIFY_SOURCE: &str = "clockify";

/// A delivery to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    /// [`CLOCKIFY_SOURCE`] or a custom source's id.
    pub source: String,
    pub event_type: String,
    pub dedupe_key: String,
    /// An accepted event with the same key received at or after this (unix ms) makes this a
    /// duplicate.
    pub dedupe_since: i64,
    pub received_at: i64,
    /// JSON object of header name to value, secrets redacted.
    pub headers: String,
    pub query: String,
    pub body: String,
    /// Whether an accepted event gets a flow job (false while the workspace has flows off).
    pub queue_flow: bool,
}

/// What became of a recorded delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub id: String,
    /// See [`event_status`].
    pub status: String,
    /// The earlier event this one duplicates.
    pub duplicate_of: Option<String>,
    /// Whether a flow job waits for the matcher (false for a duplicate, with flows off, or
    /// when the installation has no published, enabled flow: then no job is written).
    pub job_queued: bool,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub id: String,
    pub source: String,
    pub event_type: String,
    pub dedupe_key: String,
    pub status: String,
    pub received_at: i64,
    pub headers: String,
    pub query: String,
    pub body: String,
}

/// Which events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    /// Unix ms, inclusive.
    pub since: Option<i64>,
    /// Text the body, the dedupe key or the event id contains (any case): a sender's message id
    /// finds its delivery.
    pub text: Option<String>,
}

/// A page of events, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub items: Vec<StoredEvent>,
    pub total: i64,
}

/// Rejected deliveries of one source for one reason (they are counted, never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionCount {
    pub source: String,
    /// A stable code, e.g. `bad_signature` (see `crate::ingest::rejections`).
    pub reason: String,
    pub count: i64,
    /// When the last one came (unix ms).
    pub last_at: i64,
}

/// A custom webhook source as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    pub name: String,
    /// The unguessable part of its ingest URL.
    pub ingest_token: String,
    /// The verification scheme, JSON (`addon_core::sources::Scheme`).
    pub scheme: String,
    /// Where the event type is read: `jsonpath:$.type`, `header:x-event`, or `fixed:<name>`.
    pub event_type_from: String,
    /// Where the dedupe key is read: `header:webhook-id`, `jsonpath:$.id`, or `body-hash`.
    pub dedupe_from: String,
    pub secret_ciphertext: String,
    /// The secret before the last rotation, accepted until `previous_until`.
    pub previous_ciphertext: Option<String>,
    pub previous_until: Option<i64>,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Storage of ingestion (part of every [`super::Store`]).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Records a batch of deliveries in one transaction: each is a duplicate when an accepted
    /// event with its installation, source and dedupe key exists since its `dedupe_since`
    /// (earlier events of the same batch included); every accepted one gets a flow job when
    /// flows are on and its installation has a published, enabled flow.
    async fn record_events(&self, events: &[NewEvent]) -> Result<Vec<RecordedEvent>>;

    /// Counts a rejected delivery.
    async fn record_rejection(
        &self,
        addon_key: &str,
        workspace_id: &str,
        source: &str,
        reason: &str,
        now: i64,
    ) -> Result<()>;

    /// Rejected deliveries by source and reason, ordered by source and reason.
    async fn rejection_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<RejectionCount>>;

    /// Events matching `filter`, newest first.
    async fn events(
        &self,
        addon_key: &str,
        workspace_id: &str,
        filter: &EventFilter,
        offset: i64,
        limit: i64,
    ) -> Result<EventPage>;

    async fn event(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<StoredEvent>>;

    /// The stored events of the installation among `ids` (any order; missing ones left out).
    async fn events_by_ids(&self, addon_key: &str, workspace_id: &str, ids: &[String]) -> Result<Vec<StoredEvent>>;

    /// `(minute since the epoch, event type, count)` of events received since `since` (unix ms).
    async fn events_per_minute(
        &self,
        addon_key: &str,
        workspace_id: &str,
        since: i64,
    ) -> Result<Vec<(i64, String, i64)>>;

    /// `(source, status, count)` over all stored events.
    async fn event_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String, i64)>>;

    /// Queues a flow job for each of these events of the installation; returns how many.
    async fn enqueue_replays(&self, addon_key: &str, workspace_id: &str, event_ids: &[String], now: i64)
        -> Result<u64>;

    /// Flow jobs of an installation in `state` (tests and the future flow engine).
    async fn count_flow_jobs(&self, addon_key: &str, workspace_id: &str) -> Result<i64>;

    /// Deletes up to `limit` events received before `cutoff` (unix ms); returns how many.
    async fn delete_events_before(&self, addon_key: &str, workspace_id: &str, cutoff: i64, limit: i64) -> Result<u64>;

    /// Gives freed pages back to the file system (SQLite's incremental vacuum; Postgres
    /// autovacuums by itself).
    async fn reclaim_space(&self) -> Result<()>;

    /// `(addon_key, workspace_id, settings document)` of every installation.
    async fn installation_settings(&self) -> Result<Vec<(String, String, String)>>;

    /// Records a workspace webhook created through the API, with its signing token.
    async fn save_api_webhook(
        &self,
        addon_key: &str,
        workspace_id: &str,
        webhook_id: &str,
        event_type: &str,
        token: &WebhookToken,
        now: i64,
    ) -> Result<()>;

    /// `(webhook id, event type)` of the installation's API-created webhooks.
    async fn api_webhooks(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String)>>;

    /// Forgets an API-created webhook and its token.
    async fn delete_api_webhook(&self, addon_key: &str, workspace_id: &str, webhook_id: &str) -> Result<()>;

    async fn save_source(&self, source: &SourceRow) -> Result<()>;

    async fn sources(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<SourceRow>>;

    async fn source_by_ingest_token(&self, ingest_token: &str) -> Result<Option<SourceRow>>;
}
