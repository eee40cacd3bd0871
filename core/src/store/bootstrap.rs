//! What the bootstrap stores: entities pulled from Clockify, one cursor per unit of work, and
//! the job's state. Every page is saved with its cursor in one transaction, so a killed server
//! resumes at the next page and never stores a page twice.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Result;

/// One entity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRow {
    pub kind: String,
    pub entity_id: String,
    /// The parent entity's id for child resources (the project of a task).
    pub parent_id: Option<String>,
    /// A name to search by (`name`, or a time entry's description).
    pub name: Option<String>,
    /// The entity as Clockify sent it, JSON.
    pub data: String,
    /// Unix milliseconds.
    pub fetched_at: i64,
}

/// The states of a unit of work.
pub mod unit_state {
    pub const OPEN: &str = "open";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// One unit of work: a resource, or a resource of one parent (one project's tasks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// `projects`, or `tasks:<projectId>`.
    pub unit: String,
    pub resource: String,
    pub parent_id: Option<String>,
    /// The next page to fetch (from 1).
    pub next_page: i64,
    pub pages_done: i64,
    pub entities: i64,
    /// See [`unit_state`].
    pub state: String,
    pub error: Option<String>,
}

/// A unit to create if it does not exist yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub unit: String,
    pub resource: String,
    pub parent_id: Option<String>,
}

/// The states of a job.
pub mod job_status {
    /// Pulling.
    pub const RUNNING: &str = "running";
    /// Paused until the FREE plan's hourly budget allows more requests.
    pub const WAITING: &str = "waiting";
    /// Every unit finished (some may have failed; see `errors`).
    pub const DONE: &str = "done";
    /// Stopped for good by an error that affects every request (a revoked token).
    pub const FAILED: &str = "failed";
    /// Stopped because the add-on was disabled; resumes when it is enabled again.
    pub const STOPPED: &str = "stopped";
}

/// A bootstrap job's state and what it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// See [`job_status`].
    pub status: String,
    /// Why it failed or waits, for people.
    pub message: Option<String>,
    pub requests: i64,
    pub rate_limited: i64,
    pub errors: i64,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// Progress of one resource, summed over its units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceProgress {
    pub resource: String,
    pub units: i64,
    pub units_done: i64,
    pub units_failed: i64,
    pub pages_done: i64,
    /// Entities received (a re-run counts again; the stored count is in `entity_counts`).
    pub entities: i64,
    /// One failed unit's reason, if any failed.
    pub error: Option<String>,
}

/// A page of stored entities and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityPage {
    pub items: Vec<EntityRow>,
    pub total: i64,
}

/// Storage of the bootstrap (part of every [`super::Store`]).
#[async_trait]
pub trait BootstrapStore: Send + Sync {
    /// Upserts a page of entities and moves the unit's cursor past it, in one transaction.
    /// `finished` marks the unit done.
    #[allow(clippy::too_many_arguments)]
    async fn save_page(
        &self,
        addon_key: &str,
        workspace_id: &str,
        unit: &str,
        entities: &[EntityRow],
        next_page: i64,
        finished: bool,
        now: i64,
    ) -> Result<()>;

    /// Creates the units that do not exist yet.
    async fn add_units(&self, addon_key: &str, workspace_id: &str, units: &[NewUnit], now: i64) -> Result<()>;

    /// Creates a unit of `resource` for every stored entity of `parent_kind` that has none yet;
    /// returns how many were created.
    async fn add_child_units(
        &self,
        addon_key: &str,
        workspace_id: &str,
        resource: &str,
        parent_kind: &str,
        now: i64,
    ) -> Result<u64>;

    /// The open units of `resource`, in unit order.
    async fn open_units(&self, addon_key: &str, workspace_id: &str, resource: &str) -> Result<Vec<Cursor>>;

    /// Marks a unit failed with a reason; it is retried by the next run.
    async fn fail_unit(&self, addon_key: &str, workspace_id: &str, unit: &str, error: &str, now: i64) -> Result<()>;

    /// Forgets every cursor, so the next run starts over (entities stay and are upserted).
    async fn reset_cursors(&self, addon_key: &str, workspace_id: &str) -> Result<()>;

    /// Reopens failed units (a new run retries them).
    async fn reopen_failed_units(&self, addon_key: &str, workspace_id: &str, now: i64) -> Result<()>;

    /// Reopens the failed units of `resources` (a run's second try); returns how many.
    async fn reopen_failed_units_of(
        &self,
        addon_key: &str,
        workspace_id: &str,
        resources: &[&str],
        now: i64,
    ) -> Result<u64>;

    /// Inserts or replaces the job.
    async fn save_job(&self, addon_key: &str, workspace_id: &str, job: &Job) -> Result<()>;

    async fn job(&self, addon_key: &str, workspace_id: &str) -> Result<Option<Job>>;

    /// `(addon_key, workspace_id)` of every job in one of `statuses`.
    async fn jobs_with_status(&self, statuses: &[&str]) -> Result<Vec<(String, String)>>;

    /// Per resource, in resource order of first appearance.
    async fn bootstrap_progress(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<ResourceProgress>>;

    /// Stored entities per kind.
    async fn entity_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, i64)>>;

    /// Stored entities of `kind` whose name contains `search` (any case), by name.
    async fn entities(
        &self,
        addon_key: &str,
        workspace_id: &str,
        kind: &str,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<EntityPage>;
}
