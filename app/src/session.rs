//! Opening a UI session from Clockify's `auth_token`.

use addon_core::claims::Theme;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the page knows about its session. `token` goes with every server-function call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub token: String,
    pub addon_key: String,
    pub addon_name: String,
    pub workspace_id: String,
    pub user_id: String,
    pub theme: Theme,
    pub language: String,
}

/// Verifies the user token Clockify put in the iframe URL (RS256, `sub` = this add-on, an
/// admin role) and returns a short-lived session bound to its workspace and user.
#[server]
pub async fn open_session(addon: String, auth_token: String) -> Result<SessionView, ServerFnError> {
    use addon_core::{claims::is_admin_role, profile::find_profile, session::Session};

    use crate::backend::{backend, now_seconds, to_server_error};

    let backend = backend()?;
    let profile =
        find_profile(&addon).ok_or_else(|| ServerFnError::new(format!("there is no add-on called {addon:?}")))?;
    if auth_token.trim().is_empty() {
        return Err(ServerFnError::new(
            "this page needs Clockify's auth_token; open the add-on from Clockify's sidebar",
        ));
    }
    let claims = backend
        .verifier
        .verify(&auth_token, profile.key)
        .map_err(to_server_error)?;
    if !is_admin_role(claims.workspace_role.as_deref()) {
        return Err(ServerFnError::new("only workspace admins can open this add-on"));
    }
    let session = Session::from_user_token(&claims, now_seconds()).map_err(to_server_error)?;
    let token = backend.sessions.issue(&session).map_err(to_server_error)?;
    Ok(SessionView {
        token,
        addon_key: profile.key.to_string(),
        addon_name: profile.name.to_string(),
        workspace_id: session.workspace_id,
        user_id: session.user_id,
        theme: session.theme,
        language: session.language,
    })
}

/// The readable part of a server-function error.
pub fn error_message(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}
