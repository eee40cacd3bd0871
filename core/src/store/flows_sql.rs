//! [`FlowStore`] for [`SqlStore`]: portable SQL; claims use `FOR UPDATE SKIP LOCKED` on
//! Postgres (several instances) and the single writer lock on SQLite.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use sqlx::{any::AnyRow, Row};

use super::{
    flows::{
        job_state, run_status, ClaimedJob, ClaimedRun, FlowRow, FlowRunStats, FlowStore, FlowVersion, JobCompletion,
        NewRun, RunOutcome, RunRow, StepCheckpoint, StepRow,
    },
    new_id,
    sql::{cached_size_chunks, placeholders},
    Backend, SqlStore, Store,
};
use crate::{flows::alerts::FailureAlert, Error, Result};

/// Failure toasts kept per workspace until an admin opens the add-on.
const MAX_WAITING_TOASTS: i64 = 50;

/// Ids per `IN (...)` list.
const ID_CHUNK: usize = 256;

const FLOW_COLUMNS: &str =
    "id, addon_key, workspace_id, name, enabled, draft, published_version, published, created_at, updated_at";

const RUN_COLUMNS: &str = "id, addon_key, workspace_id, flow_id, flow_version, event_id, event_type, status, \
     attempts, next_step, outputs, error, run_after, created_at, updated_at, finished_at";

fn flow_from_row(row: &AnyRow) -> Result<FlowRow> {
    Ok(FlowRow {
        id: row.try_get("id")?,
        addon_key: row.try_get("addon_key")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        draft: row.try_get("draft")?,
        published_version: row.try_get("published_version")?,
        published: row.try_get("published")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn run_from_row(row: &AnyRow) -> Result<RunRow> {
    Ok(RunRow {
        id: row.try_get("id")?,
        addon_key: row.try_get("addon_key")?,
        workspace_id: row.try_get("workspace_id")?,
        flow_id: row.try_get("flow_id")?,
        flow_version: row.try_get("flow_version")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_step: row.try_get("next_step")?,
        outputs: row.try_get("outputs")?,
        error: row.try_get("error")?,
        run_after: row.try_get("run_after")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

fn step_from_row(row: &AnyRow) -> Result<StepRow> {
    Ok(StepRow {
        run_id: row.try_get("run_id")?,
        attempt: row.try_get("attempt")?,
        step_index: row.try_get("step_index")?,
        step_id: row.try_get("step_id")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        request: row.try_get("request")?,
        response: row.try_get("response")?,
        http_status: row.try_get("http_status")?,
        duration_ms: row.try_get("duration_ms")?,
        error: row.try_get("error")?,
        started_at: row.try_get("started_at")?,
    })
}

/// Which rows of a queue table are due: per waiting status, the rows whose `run_after` has
/// come, and the `running` rows whose lease expired.
struct DueRows {
    table: &'static str,
    status_column: &'static str,
    waiting: &'static [&'static str],
    running: &'static str,
}

const DUE_JOBS: DueRows = DueRows {
    table: "flow_jobs",
    status_column: "state",
    waiting: &[job_state::QUEUED],
    running: job_state::RUNNING,
};

const DUE_RUNS: DueRows = DueRows {
    table: "flow_runs",
    status_column: "status",
    waiting: &[run_status::RETRYING, run_status::QUEUED],
    running: run_status::RUNNING,
};

impl SqlStore {
    /// `FOR UPDATE SKIP LOCKED` where the database has it.
    fn skip_locked(&self) -> &'static str {
        match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }

    /// A query for the ids of up to `$limit` due rows (`$now` is the time). Each status is read
    /// on its own through the `(status, run_after)` index, oldest first, and the parts are joined
    /// with `UNION ALL`: one `... OR ... ORDER BY run_after` made SQLite read and sort every due
    /// row, so a claim grew with the backlog (2.9 ms at 20,000 queued, inside the write lock).
    /// `locking` adds `FOR UPDATE SKIP LOCKED` on Postgres.
    fn due_ids(&self, due: &DueRows, now: &str, limit: &str, locking: bool) -> String {
        let lock = if locking { self.skip_locked() } else { "" };
        let DueRows {
            table,
            status_column,
            running,
            ..
        } = due;
        let mut parts = vec![format!(
            "SELECT id FROM (SELECT id FROM {table} WHERE {status_column} = '{running}' AND lease_until < {now} \
             ORDER BY run_after LIMIT {limit}{lock}) AS expired"
        )];
        for (index, status) in due.waiting.iter().enumerate() {
            parts.push(format!(
                "SELECT id FROM (SELECT id FROM {table} WHERE {status_column} = '{status}' AND run_after <= {now} \
                 ORDER BY run_after LIMIT {limit}{lock}) AS waiting_{index}"
            ));
        }
        format!("SELECT id FROM ({}) AS due LIMIT {limit}", parts.join(" UNION ALL "))
    }

    /// Whether anything is due, read without taking the write lock (an idle worker's poll
    /// then costs one read, not an empty write transaction).
    async fn any_due(&self, due: &DueRows, now: i64) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar(&self.due_ids(due, "$1", "1", false))
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }
}

async fn insert_runs_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    runs: &[NewRun],
    now: i64,
) -> Result<()> {
    const COLUMNS: usize = 16;
    for chunk in cached_size_chunks(runs, 32) {
        let sql = format!(
            "INSERT INTO flow_runs (id, addon_key, workspace_id, flow_id, flow_version, event_id, event_type, \
             status, attempts, next_step, outputs, run_after, lease_until, created_at, updated_at, error) VALUES {}",
            placeholders(backend, chunk.len(), COLUMNS)
        );
        let mut query = sqlx::query(&sql);
        for run in chunk {
            query = query
                .bind(&run.id)
                .bind(&run.addon_key)
                .bind(&run.workspace_id)
                .bind(&run.flow_id)
                .bind(run.flow_version)
                .bind(&run.event_id)
                .bind(&run.event_type)
                .bind(run_status::QUEUED)
                .bind(0_i64)
                .bind(0_i64)
                .bind("{}")
                .bind(now)
                .bind(0_i64)
                .bind(now)
                .bind(now)
                .bind(None::<String>);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records one step of one attempt (a step recorded again replaces the earlier record).
async fn insert_step_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    addon_key: &str,
    workspace_id: &str,
    step: &StepRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO flow_run_steps (addon_key, workspace_id, run_id, attempt, step_index, step_id, kind, status, \
         request, response, http_status, duration_ms, error, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (run_id, attempt, step_index) DO UPDATE SET status = excluded.status, \
         request = excluded.request, response = excluded.response, http_status = excluded.http_status, \
         duration_ms = excluded.duration_ms, error = excluded.error, started_at = excluded.started_at",
    )
    .bind(addon_key)
    .bind(workspace_id)
    .bind(&step.run_id)
    .bind(step.attempt)
    .bind(step.step_index)
    .bind(&step.step_id)
    .bind(&step.kind)
    .bind(&step.status)
    .bind(&step.request)
    .bind(&step.response)
    .bind(step.http_status)
    .bind(step.duration_ms)
    .bind(&step.error)
    .bind(step.started_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl FlowStore for SqlStore {
    async fn save_flow(&self, flow: &FlowRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO flows (id, addon_key, workspace_id, name, enabled, draft, published_version, published, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, \
             draft = excluded.draft, updated_at = excluded.updated_at",
        )
        .bind(&flow.id)
        .bind(&flow.addon_key)
        .bind(&flow.workspace_id)
        .bind(&flow.name)
        .bind(i64::from(flow.enabled))
        .bind(&flow.draft)
        .bind(flow.created_at)
        .bind(flow.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn flows(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<FlowRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE addon_key = $1 AND workspace_id = $2 ORDER BY created_at, id"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(flow_from_row).collect()
    }

    async fn flow(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<FlowRow>> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE addon_key = $1 AND workspace_id = $2 AND id = $3"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    async fn delete_flow(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM flows WHERE addon_key = $1 AND workspace_id = $2 AND id = $3")
            .bind(addon_key)
            .bind(workspace_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 {
            sqlx::query("DELETE FROM flow_versions WHERE flow_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM flow_run_steps WHERE run_id IN (SELECT id FROM flow_runs WHERE flow_id = $1)")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM flow_runs WHERE flow_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(deleted > 0)
    }

    async fn publish_flow(
        &self,
        addon_key: &str,
        workspace_id: &str,
        id: &str,
        definition: &str,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM flows WHERE addon_key = $1 AND workspace_id = $2 AND id = $3")
                .bind(addon_key)
                .bind(workspace_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM flow_versions WHERE flow_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let version = latest.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO flow_versions (addon_key, workspace_id, flow_id, version, definition, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(id)
        .bind(version)
        .bind(definition)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE flows SET draft = $1, published = $1, published_version = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(definition)
        .bind(version)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    async fn flow_versions(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Vec<FlowVersion>> {
        let rows = sqlx::query(
            "SELECT version, definition, created_at FROM flow_versions \
             WHERE addon_key = $1 AND workspace_id = $2 AND flow_id = $3 ORDER BY version DESC",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FlowVersion {
                    version: row.try_get("version")?,
                    definition: row.try_get("definition")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn flow_run_stats(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<FlowRunStats>> {
        let rows = sqlx::query(
            "SELECT flow_id, status, COUNT(*) AS count, MAX(created_at) AS last_at FROM flow_runs \
             WHERE addon_key = $1 AND workspace_id = $2 GROUP BY flow_id, status ORDER BY flow_id, status",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FlowRunStats {
                    flow_id: row.try_get("flow_id")?,
                    status: row.try_get("status")?,
                    count: row.try_get("count")?,
                    last_at: row.try_get("last_at")?,
                })
            })
            .collect()
    }

    async fn claim_flow_jobs(&self, owner: &str, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<ClaimedJob>> {
        if limit <= 0 || !self.any_due(&DUE_JOBS, now).await? {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_bookkeeping().await?;
        let rows = sqlx::query(&format!(
            "UPDATE flow_jobs SET state = $1, lease_owner = $2, lease_until = $3, attempts = attempts + 1 \
             WHERE id IN ({}) RETURNING id, addon_key, workspace_id, event_id, source, event_type",
            self.due_ids(&DUE_JOBS, "$4", "$5", true)
        ))
        .bind(job_state::RUNNING)
        .bind(owner)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedJob {
                    id: row.try_get("id")?,
                    addon_key: row.try_get("addon_key")?,
                    workspace_id: row.try_get("workspace_id")?,
                    event_id: row.try_get("event_id")?,
                    source: row.try_get("source")?,
                    event_type: row.try_get("event_type")?,
                })
            })
            .collect()
    }

    async fn complete_flow_jobs(&self, owner: &str, completions: &[JobCompletion], now: i64) -> Result<()> {
        // Jobs with the same outcome are marked in one statement.
        let mut by_outcome: HashMap<&str, Vec<&JobCompletion>> = HashMap::new();
        for completion in completions {
            by_outcome.entry(&completion.outcome).or_default().push(completion);
        }
        let mut tx = self.begin_bookkeeping().await?;
        let mut runs = Vec::new();
        for (outcome, members) in by_outcome {
            for chunk in cached_size_chunks(&members, ID_CHUNK) {
                let ids: Vec<String> = (0..chunk.len()).map(|index| format!("${}", index + 5)).collect();
                let sql = format!(
                    "UPDATE flow_jobs SET state = $1, outcome = $2, lease_owner = NULL \
                     WHERE lease_owner = $3 AND state = $4 AND id IN ({}) RETURNING id",
                    ids.join(", ")
                );
                let mut query = sqlx::query_scalar::<_, String>(&sql)
                    .bind(job_state::DONE)
                    .bind(outcome)
                    .bind(owner)
                    .bind(job_state::RUNNING);
                for completion in chunk {
                    query = query.bind(&completion.job_id);
                }
                // A job not returned was taken over by another worker (our lease expired),
                // which creates its runs.
                let still_ours: HashSet<String> = query.fetch_all(&mut *tx).await?.into_iter().collect();
                for completion in chunk {
                    if still_ours.contains(&completion.job_id) {
                        runs.extend_from_slice(&completion.runs);
                    }
                }
            }
        }
        insert_runs_in(&mut tx, self.backend(), &runs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn flow_job_outcomes(
        &self,
        addon_key: &str,
        workspace_id: &str,
        event_id: &str,
    ) -> Result<Vec<(String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT state, outcome FROM flow_jobs WHERE addon_key = $1 AND workspace_id = $2 AND event_id = $3 \
             ORDER BY created_at DESC",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(event_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("state")?, row.try_get("outcome")?)))
            .collect()
    }

    async fn insert_runs(&self, runs: &[NewRun], now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_runs_in(&mut tx, self.backend(), runs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_flow_runs(&self, owner: &str, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<ClaimedRun>> {
        if limit <= 0 || !self.any_due(&DUE_RUNS, now).await? {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_bookkeeping().await?;
        let rows = sqlx::query(&format!(
            "UPDATE flow_runs SET status = $1, lease_owner = $2, lease_until = $3, updated_at = $4 \
             WHERE id IN ({}) RETURNING {RUN_COLUMNS}, \
             (SELECT COALESCE(MAX(attempt), 0) + 1 FROM flow_run_steps WHERE run_id = flow_runs.id) AS next_attempt",
            self.due_ids(&DUE_RUNS, "$4", "$5", true)
        ))
        .bind(run_status::RUNNING)
        .bind(owner)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedRun {
                    run: run_from_row(row)?,
                    attempt: row.try_get("next_attempt")?,
                })
            })
            .collect()
    }

    async fn extend_run_leases(&self, owner: &str, run_ids: &[String], until: i64) -> Result<()> {
        for chunk in run_ids.chunks(100) {
            let binds: Vec<String> = (0..chunk.len()).map(|index| format!("${}", index + 3)).collect();
            let sql = format!(
                "UPDATE flow_runs SET lease_until = $1 WHERE lease_owner = $2 AND status = 'running' AND id IN ({})",
                binds.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(until).bind(owner);
            for id in chunk {
                query = query.bind(id);
            }
            query.execute(self.pool()).await?;
        }
        Ok(())
    }

    async fn record_step(&self, owner: &str, checkpoint: &StepCheckpoint, now: i64) -> Result<()> {
        let mut tx = self.begin_bookkeeping().await?;
        let held: Option<(String, String)> = sqlx::query_as(
            "UPDATE flow_runs SET next_step = $1, outputs = $2, updated_at = $3 \
             WHERE id = $4 AND lease_owner = $5 AND status = $6 RETURNING addon_key, workspace_id",
        )
        .bind(checkpoint.next_step)
        .bind(&checkpoint.outputs)
        .bind(now)
        .bind(&checkpoint.step.run_id)
        .bind(owner)
        .bind(run_status::RUNNING)
        .fetch_optional(&mut *tx)
        .await?;
        // Nothing updated: the lease was lost (or the flow deleted); another worker owns the run.
        if let Some((addon_key, workspace_id)) = held {
            insert_step_in(&mut tx, &addon_key, &workspace_id, &checkpoint.step).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn finish_run(
        &self,
        run_id: &str,
        owner: &str,
        outcome: &RunOutcome,
        last_step: Option<&StepCheckpoint>,
        now: i64,
    ) -> Result<()> {
        let finished = (outcome.status != run_status::RETRYING).then_some(now);
        let mut tx = self.begin_bookkeeping().await?;
        let checkpoint = last_step.map(|checkpoint| (checkpoint.next_step, checkpoint.outputs.as_str()));
        let held: Option<(String, String)> = sqlx::query_as(
            "UPDATE flow_runs SET status = $1, attempts = $2, error = $3, run_after = $4, finished_at = $5, \
             updated_at = $6, lease_owner = NULL, lease_until = 0, \
             next_step = COALESCE($9, next_step), outputs = COALESCE($10, outputs) \
             WHERE id = $7 AND lease_owner = $8 RETURNING addon_key, workspace_id",
        )
        .bind(&outcome.status)
        .bind(outcome.attempts)
        .bind(&outcome.error)
        .bind(outcome.run_after)
        .bind(finished)
        .bind(now)
        .bind(run_id)
        .bind(owner)
        .bind(checkpoint.map(|(next_step, _)| next_step))
        .bind(checkpoint.map(|(_, outputs)| outputs))
        .fetch_optional(&mut *tx)
        .await?;
        if let (Some((addon_key, workspace_id)), Some(checkpoint)) = (held, last_step) {
            insert_step_in(&mut tx, &addon_key, &workspace_id, &checkpoint.step).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn runs(
        &self,
        addon_key: &str,
        workspace_id: &str,
        flow_id: Option<&str>,
        status: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<RunRow>, i64)> {
        let mut conditions = vec!["addon_key = $1".to_string(), "workspace_id = $2".to_string()];
        let mut values: Vec<&str> = vec![addon_key, workspace_id];
        if let Some(flow_id) = flow_id {
            values.push(flow_id);
            conditions.push(format!("flow_id = ${}", values.len()));
        }
        if let Some(status) = status {
            values.push(status);
            conditions.push(format!("status = ${}", values.len()));
        }
        let filter = conditions.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM flow_runs WHERE {filter}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for value in &values {
            count = count.bind(*value);
        }
        let total = count.fetch_one(self.pool()).await?;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM flow_runs WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT ${} OFFSET ${}",
            values.len() + 1,
            values.len() + 2
        );
        let mut query = sqlx::query(&sql);
        for value in &values {
            query = query.bind(*value);
        }
        let rows = query.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((rows.iter().map(run_from_row).collect::<Result<_>>()?, total))
    }

    async fn event_runs(&self, addon_key: &str, workspace_id: &str, event_id: &str, limit: i64) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM flow_runs WHERE addon_key = $1 AND workspace_id = $2 AND event_id = $3 \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .bind(event_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    async fn run(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<RunRow>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM flow_runs WHERE addon_key = $1 AND workspace_id = $2 AND id = $3"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    async fn run_steps(&self, addon_key: &str, workspace_id: &str, run_id: &str) -> Result<Vec<StepRow>> {
        let rows = sqlx::query(
            "SELECT run_id, attempt, step_index, step_id, kind, status, request, response, http_status, \
             duration_ms, error, started_at FROM flow_run_steps \
             WHERE addon_key = $1 AND workspace_id = $2 AND run_id = $3 ORDER BY attempt, step_index",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(step_from_row).collect()
    }

    async fn retry_run(&self, addon_key: &str, workspace_id: &str, run_id: &str, now: i64) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE flow_runs SET status = $1, attempts = 0, run_after = $2, updated_at = $2, finished_at = NULL \
             WHERE addon_key = $3 AND workspace_id = $4 AND id = $5 AND status IN ($6, $7)",
        )
        .bind(run_status::QUEUED)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(run_id)
        .bind(run_status::FAILED)
        .bind(run_status::DEAD)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    async fn save_flow_secret(
        &self,
        addon_key: &str,
        workspace_id: &str,
        name: &str,
        ciphertext: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO flow_secrets (addon_key, workspace_id, name, ciphertext, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (addon_key, workspace_id, name) \
             DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(name)
        .bind(ciphertext)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn flow_secrets(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT name, ciphertext, updated_at FROM flow_secrets WHERE addon_key = $1 AND workspace_id = $2 \
             ORDER BY name",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("name")?,
                    row.try_get("ciphertext")?,
                    row.try_get("updated_at")?,
                ))
            })
            .collect()
    }

    async fn delete_flow_secret(&self, addon_key: &str, workspace_id: &str, name: &str) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM flow_secrets WHERE addon_key = $1 AND workspace_id = $2 AND name = $3")
            .bind(addon_key)
            .bind(workspace_id)
            .bind(name)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(deleted == 1)
    }

    async fn queue_failure_toast(&self, alert: &FailureAlert, now: i64) -> Result<()> {
        // At most MAX_WAITING_TOASTS wait per workspace: when nobody has the page open, the run
        // history keeps the rest.
        sqlx::query(
            "INSERT INTO flow_failure_toasts (id, addon_key, workspace_id, alert, created_at) \
             SELECT $1, $2, $3, $4, $5 WHERE (SELECT COUNT(*) FROM flow_failure_toasts \
             WHERE addon_key = $2 AND workspace_id = $3) < $6",
        )
        .bind(new_id())
        .bind(&alert.addon)
        .bind(&alert.workspace_id)
        .bind(serde_json::to_string(alert).map_err(|error| Error::Internal(error.to_string()))?)
        .bind(now)
        .bind(MAX_WAITING_TOASTS)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn take_failure_toasts(&self, addon_key: &str, workspace_id: &str, limit: i64) -> Result<Vec<FailureAlert>> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT id, alert FROM flow_failure_toasts WHERE addon_key = $1 AND workspace_id = $2 \
             ORDER BY created_at, id LIMIT $3",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut alerts = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            sqlx::query("DELETE FROM flow_failure_toasts WHERE id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            let alert: String = row.try_get("alert")?;
            // A row this version cannot read is dropped rather than shown broken.
            if let Ok(alert) = serde_json::from_str(&alert) {
                alerts.push(alert);
            }
        }
        tx.commit().await?;
        Ok(alerts)
    }
}
