//! What the API explorer stores: each user's past calls (the acting user, the operation, the
//! request as sent, Clockify's status and the duration), newest first, at most
//! [`HISTORY_PER_USER`] per user.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Result;

/// Calls kept per user; older ones are dropped when a new one is recorded.
pub const HISTORY_PER_USER: i64 = 200;

/// Longest request body kept in the history, in bytes (longer ones are cut).
pub const MAX_STORED_BODY: usize = 64 * 1024;

/// One call made through the explorer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplorerCall {
    pub id: String,
    /// The Clockify user who made it.
    pub user_id: String,
    pub operation_id: String,
    pub method: String,
    /// Path and query as sent, relative to the server's base.
    pub path: String,
    /// The form values (JSON object of strings), to run it again.
    pub params: String,
    pub body: Option<String>,
    /// Clockify's status; `None` when no answer came.
    pub status: Option<i64>,
    pub duration_ms: i64,
    /// Why no answer came.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// Storage of the explorer (part of every [`super::Store`]).
#[async_trait]
pub trait ExplorerStore: Send + Sync {
    /// Records a call and drops the user's calls beyond [`HISTORY_PER_USER`].
    async fn record_explorer_call(&self, addon_key: &str, workspace_id: &str, call: &ExplorerCall) -> Result<()>;

    /// The user's latest calls, newest first.
    async fn explorer_history(
        &self,
        addon_key: &str,
        workspace_id: &str,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<ExplorerCall>>;
}
