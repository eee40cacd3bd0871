//! Storage. One [`Store`] trait; [`SqlStore`] implements it for SQLite (the embedded default)
//! and Postgres (production, several instances), picked by the URL scheme at start-up. The SQL
//! is portable, so one implementation over `sqlx::Any` serves both; each backend keeps its own
//! migrations folder and [`Backend`] names the few places where dialects differ.

pub mod bootstrap;
mod bootstrap_sql;
pub mod events;
mod events_sql;
pub mod explorer;
mod explorer_sql;
pub mod flows;
mod flows_sql;
mod recording;
mod sql;

use async_trait::async_trait;
pub use bootstrap::BootstrapStore;
pub use events::EventStore;
pub use events_sql::{api_webhook_type, new_id};
pub use explorer::ExplorerStore;
pub use flows::FlowStore;
use serde::{Deserialize, Serialize};
pub use sql::SqlStore;

use crate::Result;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An installation as stored. Tokens stay encrypted; only the lifecycle layer decrypts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub addon_key: String,
    pub workspace_id: String,
    pub addon_id: String,
    pub addon_user_id: Option<String>,
    /// The user who installed the add-on (`asUser`).
    pub installed_by: Option<String>,
    /// `apiUrl` from the INSTALLED body.
    pub api_url: String,
    /// `backendUrl` from the installation token's claims.
    pub backend_url: String,
    pub reports_url: Option<String>,
    /// Every URL claim of the installation token, as JSON.
    pub token_urls: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// The workspace's setting values and problems, as JSON.
    pub settings: String,
    pub token_ciphertext: String,
    pub workspace_name: Option<String>,
    pub workspace_plan: Option<String>,
    pub installer_name: Option<String>,
    /// Unix milliseconds.
    pub installed_at: i64,
    pub updated_at: i64,
}

/// A webhook's signing token, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookToken {
    pub webhook_url: String,
    pub webhook_type: String,
    /// SHA-256 of the token, hex: finds the row without decrypting every token.
    pub token_digest: String,
    pub token_ciphertext: String,
}

/// Details fetched from Clockify after installation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceDetails {
    pub name: Option<String>,
    pub plan: Option<String>,
    pub installer_name: Option<String>,
}

#[async_trait]
pub trait Store: BootstrapStore + EventStore + ExplorerStore + FlowStore + Send + Sync + std::fmt::Debug {
    fn backend(&self) -> Backend;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<()>;

    /// Inserts or replaces an installation and its webhook tokens, in one transaction.
    async fn save_installation(&self, installation: &Installation, tokens: &[WebhookToken]) -> Result<()>;

    async fn installation(&self, addon_key: &str, workspace_id: &str) -> Result<Option<Installation>>;

    async fn webhook_tokens(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<WebhookToken>>;

    /// Returns false when there is no such installation.
    async fn set_status(&self, addon_key: &str, workspace_id: &str, status: &str, now: i64) -> Result<bool>;

    /// Returns false when there is no such installation.
    async fn save_settings(&self, addon_key: &str, workspace_id: &str, settings: &str, now: i64) -> Result<bool>;

    async fn save_workspace_details(
        &self,
        addon_key: &str,
        workspace_id: &str,
        details: &WorkspaceDetails,
        now: i64,
    ) -> Result<()>;

    /// Removes every row of that workspace for that add-on; returns how many rows went.
    async fn delete_installation(&self, addon_key: &str, workspace_id: &str) -> Result<u64>;

    /// Rows of every table that belong to the installation (tests and the DELETED check).
    async fn count_installation_rows(&self, addon_key: &str, workspace_id: &str) -> Result<i64>;
}
