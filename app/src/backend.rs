//! What server functions need from the server: storage, token verification, sessions.
//! The server provides one [`UiBackend`] as Leptos context.

use std::sync::Arc;

use addon_core::{
    bootstrap::jobs::BootstrapJobs,
    crypto::SecretBox,
    profile::{find_profile, Profile},
    session::{Session, SessionSigner},
    store::{Installation, Store},
    token::TokenVerifier,
};
use leptos::prelude::*;

/// Shared services for server functions.
#[derive(Clone, Debug)]
pub struct UiBackend {
    pub store: Arc<dyn Store>,
    pub verifier: TokenVerifier,
    pub sessions: SessionSigner,
    /// Decrypts installation tokens for calls to Clockify.
    pub secrets: SecretBox,
    pub http: reqwest::Client,
    /// Background data pulls and the rate budgets every Clockify call draws from.
    pub bootstrap: BootstrapJobs,
    pub clockify_api_base_url: Option<String>,
    /// The URL Clockify and other senders reach this server at (custom sources' ingest URLs).
    pub public_base_url: String,
    /// Environment overrides of setting defaults: (add-on key, setting id) -> value.
    pub setting_overrides: Arc<addon_core::settings::SettingOverrides>,
    /// The flow runtime: woken after a publish, a replay or a retry; says whether flows run
    /// at all (`UW_ENABLE_FLOWS`).
    pub flows: addon_core::flows::runtime::FlowRuntime,
}

/// The backend from context, or a clear error.
pub fn backend() -> Result<UiBackend, ServerFnError> {
    use_context::<UiBackend>().ok_or_else(|| ServerFnError::new("the server is not configured for the UI"))
}

/// Unix seconds now.
pub fn now_seconds() -> i64 {
    addon_core::lifecycle::now_millis() / 1000
}

/// Verifies the session a page sends with a server-function call.
pub fn authenticate(session_token: &str) -> Result<(UiBackend, Session), ServerFnError> {
    let backend = backend()?;
    let session = backend
        .sessions
        .verify(session_token, now_seconds())
        .map_err(|error| ServerFnError::new(error.public_message()))?;
    Ok((backend, session))
}

/// The session's add-on profile, or an error naming the unknown key.
pub fn session_profile(session: &Session) -> Result<&'static Profile, ServerFnError> {
    find_profile(&session.addon_key)
        .ok_or_else(|| ServerFnError::new(format!("there is no add-on called {:?}", session.addon_key)))
}

/// The installation of the session's add-on in the session's workspace.
pub async fn session_installation(backend: &UiBackend, session: &Session) -> Result<Installation, ServerFnError> {
    let profile = session_profile(session)?;
    backend
        .store
        .installation(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new(format!("{} is not installed in this workspace", profile.name)))
}

/// Turns an engine error into the message the page shows.
pub fn to_server_error(error: addon_core::Error) -> ServerFnError {
    ServerFnError::new(error.public_message())
}

/// Unix milliseconds as `20261128-2345` (UTC), for the names of exported files.
pub fn file_stamp(millis: i64) -> String {
    let format = time::macros::format_description!("[year][month][day]-[hour][minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|moment| moment.format(&format).ok())
        .unwrap_or_else(|| "export".into())
}

/// Formats unix milliseconds as `2026-11-28 23:45 UTC`.
pub fn format_time(millis: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|moment| moment.format(&format).ok())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::{file_stamp, format_time};

    #[test]
    fn times_for_pages_and_file_names() {
        assert_eq!(format_time(1_764_373_507_000), "2025-11-28 23:45 UTC");
        assert_eq!(file_stamp(1_764_373_507_000), "20251128-2345");
    }
}
