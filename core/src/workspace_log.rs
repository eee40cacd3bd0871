//! Each workspace's log level (Universal Webhook's `log_level` setting).
//!
//! Work done for one workspace (a delivery it receives, a flow run, its data pull) runs inside
//! [`workspace_span`], which carries the add-on, the workspace and the level its settings ask
//! for. The server's log filter reads that level for every event inside the span, so a change
//! in Clockify's settings screen applies to the next piece of work, without a restart. Work
//! outside any workspace (and API Studio, which has no such setting) logs at the server's
//! `LOG_LEVEL`.

use serde_json::Value;

use crate::settings::EffectiveSettings;

/// The span's name, which the server's log filter looks for.
pub const SPAN_NAME: &str = "workspace";
/// The span's field holding the workspace's level (`error`, `warn`, `info`, `debug`; empty
/// for the server's level).
pub const LEVEL_FIELD: &str = "log_level";

/// The span to run one workspace's work in.
pub fn workspace_span(addon_key: &str, workspace_id: &str, settings: &EffectiveSettings) -> tracing::Span {
    let log_level = settings.value(LEVEL_FIELD).and_then(Value::as_str).unwrap_or_default();
    tracing::info_span!("workspace", addon = addon_key, workspace = workspace_id, log_level)
}
