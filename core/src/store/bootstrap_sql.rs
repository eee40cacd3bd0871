//! [`BootstrapStore`] for [`SqlStore`]: portable SQL for SQLite and Postgres.

use async_trait::async_trait;
use sqlx::{any::AnyRow, Row};

use super::{
    bootstrap::{unit_state, BootstrapStore, Cursor, EntityPage, EntityRow, Job, NewUnit, ResourceProgress},
    sql::{contains_pattern, placeholders},
    SqlStore, Store,
};
use crate::Result;

/// Rows per INSERT statement (8 binds each; SQLite allows 32766 binds).
const UPSERT_CHUNK: usize = 200;

fn cursor_from_row(row: &AnyRow) -> Result<Cursor> {
    Ok(Cursor {
        unit: row.try_get("unit")?,
        resource: row.try_get("resource")?,
        parent_id: row.try_get("parent_id")?,
        next_page: row.try_get("next_page")?,
        pages_done: row.try_get("pages_done")?,
        entities: row.try_get("entities")?,
        state: row.try_get("state")?,
        error: row.try_get("error")?,
    })
}

fn job_from_row(row: &AnyRow) -> Result<Job> {
    Ok(Job {
        status: row.try_get("status")?,
        message: row.try_get("message")?,
        requests: row.try_get("requests")?,
        rate_limited: row.try_get("rate_limited")?,
        errors: row.try_get("errors")?,
        started_at: row.try_get("started_at")?,
        updated_at: row.try_get("updated_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

#[async_trait]
impl BootstrapStore for SqlStore {
    async fn save_page(
        &self,
        addon_key: &str,
        workspace_id: &str,
        unit: &str,
        entities: &[EntityRow],
        next_page: i64,
        finished: bool,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for chunk in entities.chunks(UPSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO entities (addon_key, workspace_id, kind, entity_id, parent_id, name, data, fetched_at) \
                 VALUES {} ON CONFLICT (addon_key, workspace_id, kind, entity_id) DO UPDATE SET \
                 parent_id = excluded.parent_id, name = excluded.name, data = excluded.data, \
                 fetched_at = excluded.fetched_at",
                placeholders(self.backend(), chunk.len(), 8)
            );
            let mut query = sqlx::query(&sql);
            for entity in chunk {
                query = query
                    .bind(addon_key)
                    .bind(workspace_id)
                    .bind(&entity.kind)
                    .bind(&entity.entity_id)
                    .bind(&entity.parent_id)
                    .bind(&entity.name)
                    .bind(&entity.data)
                    .bind(entity.fetched_at);
            }
            query.execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE bootstrap_cursors SET next_page = $1, pages_done = pages_done + 1, \
             entities = entities + $2, state = $3, error = NULL, updated_at = $4 \
             WHERE addon_key = $5 AND workspace_id = $6 AND unit = $7",
        )
        .bind(next_page)
        .bind(entities.len() as i64)
        .bind(if finished { unit_state::DONE } else { unit_state::OPEN })
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(unit)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_units(&self, addon_key: &str, workspace_id: &str, units: &[NewUnit], now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for unit in units {
            sqlx::query(
                "INSERT INTO bootstrap_cursors (addon_key, workspace_id, unit, resource, parent_id, next_page, \
                 pages_done, entities, state, error, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 0, 0, $6, NULL, $7) \
                 ON CONFLICT (addon_key, workspace_id, unit) DO NOTHING",
            )
            .bind(addon_key)
            .bind(workspace_id)
            .bind(&unit.unit)
            .bind(&unit.resource)
            .bind(&unit.parent_id)
            .bind(unit_state::OPEN)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn add_child_units(
        &self,
        addon_key: &str,
        workspace_id: &str,
        resource: &str,
        parent_kind: &str,
        now: i64,
    ) -> Result<u64> {
        // `WHERE` before `ON CONFLICT` keeps SQLite's parser from reading ON as a join.
        let done = sqlx::query(
            "INSERT INTO bootstrap_cursors (addon_key, workspace_id, unit, resource, parent_id, next_page, \
             pages_done, entities, state, error, updated_at) \
             SELECT addon_key, workspace_id, $1 || ':' || entity_id, $2, entity_id, 1, 0, 0, $3, NULL, $4 \
             FROM entities WHERE addon_key = $5 AND workspace_id = $6 AND kind = $7 \
             ON CONFLICT (addon_key, workspace_id, unit) DO NOTHING",
        )
        .bind(resource)
        .bind(resource)
        .bind(unit_state::OPEN)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(parent_kind)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    async fn open_units(&self, addon_key: &str, workspace_id: &str, resource: &str) -> Result<Vec<Cursor>> {
        let rows = sqlx::query(
            "SELECT * FROM bootstrap_cursors WHERE addon_key = $1 AND workspace_id = $2 AND resource = $3 \
             AND state = $4 ORDER BY unit",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(resource)
        .bind(unit_state::OPEN)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(cursor_from_row).collect()
    }

    async fn fail_unit(&self, addon_key: &str, workspace_id: &str, unit: &str, error: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE bootstrap_cursors SET state = $1, error = $2, updated_at = $3 \
             WHERE addon_key = $4 AND workspace_id = $5 AND unit = $6",
        )
        .bind(unit_state::FAILED)
        .bind(error)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(unit)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn reset_cursors(&self, addon_key: &str, workspace_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM bootstrap_cursors WHERE addon_key = $1 AND workspace_id = $2")
            .bind(addon_key)
            .bind(workspace_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn reopen_failed_units(&self, addon_key: &str, workspace_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE bootstrap_cursors SET state = $1, error = NULL, updated_at = $2 \
             WHERE addon_key = $3 AND workspace_id = $4 AND state = $5",
        )
        .bind(unit_state::OPEN)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(unit_state::FAILED)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn reopen_failed_units_of(
        &self,
        addon_key: &str,
        workspace_id: &str,
        resources: &[&str],
        now: i64,
    ) -> Result<u64> {
        if resources.is_empty() {
            return Ok(0);
        }
        let list: Vec<String> = (0..resources.len()).map(|index| format!("${}", index + 6)).collect();
        let sql = format!(
            "UPDATE bootstrap_cursors SET state = $1, error = NULL, updated_at = $2 \
             WHERE addon_key = $3 AND workspace_id = $4 AND state = $5 AND resource IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(unit_state::OPEN)
            .bind(now)
            .bind(addon_key)
            .bind(workspace_id)
            .bind(unit_state::FAILED);
        for resource in resources {
            query = query.bind(*resource);
        }
        let mut tx = self.begin_write().await?;
        let reopened = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(reopened)
    }

    async fn save_job(&self, addon_key: &str, workspace_id: &str, job: &Job) -> Result<()> {
        sqlx::query(
            "INSERT INTO bootstrap_jobs (addon_key, workspace_id, status, message, requests, rate_limited, errors, \
             started_at, updated_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (addon_key, workspace_id) DO UPDATE SET status = excluded.status, \
             message = excluded.message, requests = excluded.requests, rate_limited = excluded.rate_limited, \
             errors = excluded.errors, started_at = excluded.started_at, updated_at = excluded.updated_at, \
             finished_at = excluded.finished_at",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&job.status)
        .bind(&job.message)
        .bind(job.requests)
        .bind(job.rate_limited)
        .bind(job.errors)
        .bind(job.started_at)
        .bind(job.updated_at)
        .bind(job.finished_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn job(&self, addon_key: &str, workspace_id: &str) -> Result<Option<Job>> {
        let row = sqlx::query("SELECT * FROM bootstrap_jobs WHERE addon_key = $1 AND workspace_id = $2")
            .bind(addon_key)
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    async fn jobs_with_status(&self, statuses: &[&str]) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT addon_key, workspace_id, status FROM bootstrap_jobs ORDER BY addon_key, workspace_id")
                .fetch_all(self.pool())
                .await?;
        let mut jobs = Vec::new();
        for row in &rows {
            let status: String = row.try_get("status")?;
            if statuses.contains(&status.as_str()) {
                jobs.push((row.try_get("addon_key")?, row.try_get("workspace_id")?));
            }
        }
        Ok(jobs)
    }

    async fn bootstrap_progress(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<ResourceProgress>> {
        let rows = sqlx::query(
            "SELECT resource, COUNT(*) AS units, \
             CAST(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS units_done, \
             CAST(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS BIGINT) AS units_failed, \
             CAST(SUM(pages_done) AS BIGINT) AS pages_done, CAST(SUM(entities) AS BIGINT) AS entities, \
             MAX(error) AS error \
             FROM bootstrap_cursors WHERE addon_key = $1 AND workspace_id = $2 GROUP BY resource",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ResourceProgress {
                    resource: row.try_get("resource")?,
                    units: row.try_get("units")?,
                    units_done: sum(row, "units_done")?,
                    units_failed: sum(row, "units_failed")?,
                    pages_done: sum(row, "pages_done")?,
                    entities: sum(row, "entities")?,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }

    async fn entity_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) AS count FROM entities WHERE addon_key = $1 AND workspace_id = $2 \
             GROUP BY kind ORDER BY kind",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("kind")?, row.try_get("count")?)))
            .collect()
    }

    async fn entities(
        &self,
        addon_key: &str,
        workspace_id: &str,
        kind: &str,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<EntityPage> {
        let pattern = search
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(contains_pattern);
        let filter = "addon_key = $1 AND workspace_id = $2 AND kind = $3 \
                      AND ($4 IS NULL OR LOWER(COALESCE(name, '')) LIKE $4 ESCAPE '\\')";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM entities WHERE {filter}"))
            .bind(addon_key)
            .bind(workspace_id)
            .bind(kind)
            .bind(&pattern)
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT * FROM entities WHERE {filter} ORDER BY LOWER(COALESCE(name, '')), entity_id LIMIT $5 OFFSET $6"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .bind(kind)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(EntityRow {
                    kind: row.try_get("kind")?,
                    entity_id: row.try_get("entity_id")?,
                    parent_id: row.try_get("parent_id")?,
                    name: row.try_get("name")?,
                    data: row.try_get("data")?,
                    fetched_at: row.try_get("fetched_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(EntityPage { items, total })
    }
}

/// A summed column (NULL over no rows).
fn sum(row: &AnyRow, column: &str) -> Result<i64> {
    Ok(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}
