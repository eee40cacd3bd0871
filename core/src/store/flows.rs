//! What the flow engine stores: flows (a draft and the published version), numbered versions,
//! the queue of runs with their per-step records, and encrypted secrets for HTTP actions.
//!
//! Two queues feed the runtime. `flow_jobs` (filled by ingestion, one per accepted event) is
//! matched against the installation's published flows; each match becomes a `flow_runs` row,
//! which is the unit that runs, retries and dead-letters. Both are claimed with a lease
//! (`lease_owner`, `lease_until`); a worker that dies leaves a lease that expires, and the
//! job or run is claimed again.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{flows::alerts::FailureAlert, Result};

/// Run statuses.
pub mod run_status {
    /// Waiting for a worker.
    pub const QUEUED: &str = "queued";
    /// Leased by a worker.
    pub const RUNNING: &str = "running";
    /// A step failed in a way worth retrying; runs again after `run_after`.
    pub const RETRYING: &str = "retrying";
    pub const SUCCEEDED: &str = "succeeded";
    /// A step failed in a way retrying cannot fix (a 4xx, a template error).
    pub const FAILED: &str = "failed";
    /// Retries exhausted: dead-lettered until someone retries it.
    pub const DEAD: &str = "dead";

    pub const ALL: [&str; 6] = [QUEUED, RUNNING, RETRYING, SUCCEEDED, FAILED, DEAD];
}

/// Job states.
pub mod job_state {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    /// Matched against the flows; `outcome` says how many runs it started.
    pub const DONE: &str = "done";
}

/// A job's outcome when its installation has no published, enabled flow by the time the
/// matcher claims it (the last one went away after the event was recorded). Ingestion queues
/// no job at all for an installation without such a flow (it checks in the same transaction).
pub const NO_PUBLISHED_FLOW: &str = "no flow is published and enabled";

/// A flow as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRow {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    pub name: String,
    pub enabled: bool,
    /// The definition being edited, as JSON.
    pub draft: String,
    pub published_version: Option<i64>,
    /// The published definition, as JSON (what runs).
    pub published: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowVersion {
    pub version: i64,
    pub definition: String,
    pub created_at: i64,
}

/// Runs of one flow by status, for the list's success rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRunStats {
    pub flow_id: String,
    pub status: String,
    pub count: i64,
    /// Newest run's creation time among these.
    pub last_at: i64,
}

/// A queued event to match against the flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    pub event_id: String,
    /// The event's source and type ('' for jobs queued before they were recorded on the job).
    pub source: String,
    pub event_type: String,
}

/// What matching decided for one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCompletion {
    pub job_id: String,
    pub runs: Vec<NewRun>,
    /// `matched 2 flows`, `no flow matched`, `flows are turned off in this workspace`, ...
    pub outcome: String,
}

/// A run to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    pub flow_id: String,
    pub flow_version: i64,
    pub event_id: String,
    pub event_type: String,
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: String,
    pub addon_key: String,
    pub workspace_id: String,
    pub flow_id: String,
    pub flow_version: i64,
    pub event_id: String,
    pub event_type: String,
    /// See [`run_status`].
    pub status: String,
    /// Attempts that ended in a retryable failure.
    pub attempts: i64,
    /// The step the next attempt starts at (steps before it succeeded).
    pub next_step: i64,
    /// JSON object of step id to output (`status`, `body`, `headers`) of the steps done.
    pub outputs: String,
    pub error: Option<String>,
    pub run_after: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// What one step of one attempt did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    pub run_id: String,
    pub attempt: i64,
    pub step_index: i64,
    pub step_id: String,
    /// `clockify` or `http`.
    pub kind: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The rendered request, as JSON (secrets masked).
    pub request: String,
    /// The response (status, headers, body capped), as JSON.
    pub response: Option<String>,
    pub http_status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub started_at: i64,
}

/// A run just leased, with the number its attempt records its steps under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRun {
    pub run: RunRow,
    /// One more than the highest attempt recorded so far.
    pub attempt: i64,
}

/// A step's record with the run's checkpoint after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCheckpoint {
    pub step: StepRow,
    /// The step the next attempt starts at.
    pub next_step: i64,
    /// JSON object of step id to output of the steps done.
    pub outputs: String,
}

/// How a leased run ends (or pauses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// [`run_status::SUCCEEDED`], `FAILED`, `RETRYING` or `DEAD`.
    pub status: String,
    pub attempts: i64,
    pub error: Option<String>,
    /// When a retrying run is due.
    pub run_after: i64,
}

/// Storage of flows (part of every [`super::Store`]).
#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Creates or updates a flow's name, draft and enabled flag (never its published version).
    async fn save_flow(&self, flow: &FlowRow) -> Result<()>;

    async fn flows(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<FlowRow>>;

    async fn flow(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<FlowRow>>;

    /// Deletes a flow with its versions and runs; false when there was none.
    async fn delete_flow(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<bool>;

    /// Publishes `definition` as the next version (draft and published become it); returns
    /// the version, or `None` when the flow does not exist.
    async fn publish_flow(
        &self,
        addon_key: &str,
        workspace_id: &str,
        id: &str,
        definition: &str,
        now: i64,
    ) -> Result<Option<i64>>;

    /// Published versions, newest first.
    async fn flow_versions(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Vec<FlowVersion>>;

    /// Run counts per flow and status.
    async fn flow_run_stats(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<FlowRunStats>>;

    /// Leases up to `limit` queued jobs (and jobs whose lease expired) for `lease_ms`.
    async fn claim_flow_jobs(&self, owner: &str, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<ClaimedJob>>;

    /// Creates each job's runs and marks it done with its outcome, all in one transaction
    /// (only the jobs `owner` still holds: a job whose lease expired belongs to another worker).
    async fn complete_flow_jobs(&self, owner: &str, completions: &[JobCompletion], now: i64) -> Result<()>;

    /// The job of an event, `(state, outcome)`, newest first (the log and tests).
    async fn flow_job_outcomes(
        &self,
        addon_key: &str,
        workspace_id: &str,
        event_id: &str,
    ) -> Result<Vec<(String, Option<String>)>>;

    /// Queues runs directly (re-runs, draft tests never do).
    async fn insert_runs(&self, runs: &[NewRun], now: i64) -> Result<()>;

    /// Leases up to `limit` due runs (queued, retrying and due, or running with an expired
    /// lease), oldest first within each status.
    async fn claim_flow_runs(&self, owner: &str, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<ClaimedRun>>;

    /// Extends the leases `owner` holds on these runs (the heartbeat).
    async fn extend_run_leases(&self, owner: &str, run_ids: &[String], until: i64) -> Result<()>;

    /// Records a step and checkpoints the run while `owner` holds it.
    async fn record_step(&self, owner: &str, checkpoint: &StepCheckpoint, now: i64) -> Result<()>;

    /// Ends (or schedules the retry of) a run `owner` holds, recording its last step in the
    /// same transaction when given.
    async fn finish_run(
        &self,
        run_id: &str,
        owner: &str,
        outcome: &RunOutcome,
        last_step: Option<&StepCheckpoint>,
        now: i64,
    ) -> Result<()>;

    /// Runs newest first, of one flow and/or status when given; with the total.
    async fn runs(
        &self,
        addon_key: &str,
        workspace_id: &str,
        flow_id: Option<&str>,
        status: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<RunRow>, i64)>;

    async fn run(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<RunRow>>;

    /// The runs `event_id` started (re-runs and replays included), newest first, at most `limit`.
    async fn event_runs(&self, addon_key: &str, workspace_id: &str, event_id: &str, limit: i64) -> Result<Vec<RunRow>>;

    /// Every step of every attempt, in order.
    async fn run_steps(&self, addon_key: &str, workspace_id: &str, run_id: &str) -> Result<Vec<StepRow>>;

    /// Queues a failed or dead run again, resuming at its failed step; false when it is not
    /// failed or dead.
    async fn retry_run(&self, addon_key: &str, workspace_id: &str, run_id: &str, now: i64) -> Result<bool>;

    /// Stores (or replaces) an encrypted secret.
    async fn save_flow_secret(
        &self,
        addon_key: &str,
        workspace_id: &str,
        name: &str,
        ciphertext: &str,
        now: i64,
    ) -> Result<()>;

    /// `(name, ciphertext, updated_at)` of the installation's secrets.
    async fn flow_secrets(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String, i64)>>;

    async fn delete_flow_secret(&self, addon_key: &str, workspace_id: &str, name: &str) -> Result<bool>;

    /// Keeps a failed run's alert until our page shows it as a toast in Clockify (a bounded
    /// number per workspace; beyond it the alert is dropped, the run history has it).
    async fn queue_failure_toast(&self, alert: &FailureAlert, now: i64) -> Result<()>;

    /// Takes (removes and returns) up to `limit` waiting toasts of the installation, oldest first.
    async fn take_failure_toasts(&self, addon_key: &str, workspace_id: &str, limit: i64) -> Result<Vec<FailureAlert>>;
}
