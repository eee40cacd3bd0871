//! [`ExplorerStore`] for [`SqlStore`]: portable SQL for SQLite and Postgres.

use async_trait::async_trait;
use sqlx::{any::AnyRow, Row};

use super::{
    explorer::{ExplorerCall, ExplorerStore, HISTORY_PER_USER},
    SqlStore,
};
use crate::Result;

fn call_from_row(row: &AnyRow) -> Result<ExplorerCall> {
    Ok(ExplorerCall {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        operation_id: row.try_get("operation_id")?,
        method: row.try_get("method")?,
        path: row.try_get("path")?,
        params: row.try_get("params")?,
        body: row.try_get("body")?,
        status: row.try_get("status")?,
        duration_ms: row.try_get("duration_ms")?,
        error: row.try_get("error")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl ExplorerStore for SqlStore {
    async fn record_explorer_call(&self, addon_key: &str, workspace_id: &str, call: &ExplorerCall) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO explorer_history (addon_key, workspace_id, id, user_id, operation_id, method, path, \
             params, body, status, duration_ms, error, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&call.id)
        .bind(&call.user_id)
        .bind(&call.operation_id)
        .bind(&call.method)
        .bind(&call.path)
        .bind(&call.params)
        .bind(&call.body)
        .bind(call.status)
        .bind(call.duration_ms)
        .bind(&call.error)
        .bind(call.created_at)
        .execute(&mut *tx)
        .await?;
        // Keep this user's newest HISTORY_PER_USER calls (a few more when several share the
        // boundary's millisecond).
        sqlx::query(
            "DELETE FROM explorer_history WHERE addon_key = $1 AND workspace_id = $2 AND user_id = $3 \
             AND created_at < (SELECT created_at FROM explorer_history WHERE addon_key = $4 \
             AND workspace_id = $5 AND user_id = $6 ORDER BY created_at DESC LIMIT 1 OFFSET $7)",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&call.user_id)
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&call.user_id)
        .bind(HISTORY_PER_USER - 1)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn explorer_history(
        &self,
        addon_key: &str,
        workspace_id: &str,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<ExplorerCall>> {
        let rows = sqlx::query(
            "SELECT id, user_id, operation_id, method, path, params, body, status, duration_ms, error, created_at \
             FROM explorer_history WHERE addon_key = $1 AND workspace_id = $2 AND user_id = $3 \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(user_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(call_from_row).collect()
    }
}
