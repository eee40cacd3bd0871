//! The server functions of the flow secrets (Universal Webhook only: API Studio has no HTTP
//! actions). Values are encrypted before they are stored and never leave the server again:
//! the page sees names and when they changed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Longest secret name.
pub const MAX_NAME_CHARS: usize = 64;

/// Largest secret value (bytes).
pub const MAX_VALUE_BYTES: usize = 4 * 1024;

/// Most secrets per workspace.
pub const MAX_SECRETS: usize = 100;

/// A stored secret as the page lists it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretView {
    pub name: String,
    pub updated: String,
}

/// The secrets of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretsView {
    /// By name.
    pub secrets: Vec<SecretView>,
    /// The workspace setting for generic HTTP actions (secrets are used only by them).
    pub http_enabled: bool,
}

/// A secret name as typed, checked: letters, digits and `_`, not starting with a digit (so
/// that `{{ secrets.NAME }}` reads it), at most [`MAX_NAME_CHARS`].
pub fn parse_secret_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the secret a name, e.g. API_TOKEN.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("The name is longer than {MAX_NAME_CHARS} characters."));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("A name may hold letters, digits and _ only (e.g. API_TOKEN).".into());
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("A name cannot start with a digit: templates read it as secrets.NAME.".into());
    }
    Ok(name.to_string())
}

/// A secret value as typed, checked: not empty, at most [`MAX_VALUE_BYTES`]. Kept exactly as
/// typed (spaces included).
pub fn check_secret_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("Enter the secret's value.".into());
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(format!("The value is larger than {} KiB.", MAX_VALUE_BYTES / 1024));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use addon_core::{
        flows::runtime::generic_http_on, profile::Profile, session::Session, settings::EffectiveSettings,
    };
    use leptos::prelude::ServerFnError;

    use super::{SecretView, SecretsView};
    use crate::backend::{format_time, session_installation, session_profile, to_server_error, UiBackend};

    /// The session's profile when it has HTTP actions, else a readable refusal.
    pub fn http_profile(session: &Session) -> Result<&'static Profile, ServerFnError> {
        let profile = session_profile(session)?;
        if profile.features.generic_http_actions {
            Ok(profile)
        } else {
            Err(ServerFnError::new(format!(
                "{} has no HTTP actions, so it keeps no secrets (Universal Webhook does)",
                profile.name
            )))
        }
    }

    pub async fn view(
        backend: &UiBackend,
        profile: &'static Profile,
        session: &Session,
    ) -> Result<SecretsView, ServerFnError> {
        let installation = session_installation(backend, session).await?;
        let settings = EffectiveSettings::resolve(
            profile.key,
            profile.settings,
            &installation.settings,
            &backend.setting_overrides,
        );
        let mut secrets: Vec<SecretView> = backend
            .store
            .flow_secrets(profile.key, &session.workspace_id)
            .await
            .map_err(to_server_error)?
            .into_iter()
            .map(|(name, _ciphertext, updated_at)| SecretView {
                name,
                updated: format_time(updated_at),
            })
            .collect();
        secrets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(SecretsView {
            secrets,
            http_enabled: generic_http_on(profile, &settings),
        })
    }
}

/// The workspace's secret names.
#[server]
pub async fn load_flow_secrets(session: String) -> Result<SecretsView, ServerFnError> {
    use crate::backend::authenticate;

    let (backend, session) = authenticate(&session)?;
    let profile = ssr::http_profile(&session)?;
    ssr::view(&backend, profile, &session).await
}

/// Stores (or replaces) a secret, encrypted; returns the names.
#[server]
pub async fn save_flow_secret_value(
    session: String,
    name: String,
    value: String,
) -> Result<SecretsView, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::{authenticate, session_installation, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = ssr::http_profile(&session)?;
    session_installation(&backend, &session).await?;
    let name = parse_secret_name(&name).map_err(ServerFnError::new)?;
    check_secret_value(&value).map_err(ServerFnError::new)?;
    let existing = backend
        .store
        .flow_secrets(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    if existing.len() >= MAX_SECRETS && !existing.iter().any(|(known, _, _)| *known == name) {
        return Err(ServerFnError::new(format!(
            "a workspace keeps at most {MAX_SECRETS} secrets; delete one first"
        )));
    }
    let ciphertext = backend.secrets.encrypt(&value).map_err(to_server_error)?;
    backend
        .store
        .save_flow_secret(profile.key, &session.workspace_id, &name, &ciphertext, now_millis())
        .await
        .map_err(to_server_error)?;
    backend.flows.forget_workspace(profile.key, &session.workspace_id);
    ssr::view(&backend, profile, &session).await
}

/// Deletes a secret; returns the names.
#[server]
pub async fn delete_flow_secret_name(session: String, name: String) -> Result<SecretsView, ServerFnError> {
    use crate::backend::{authenticate, session_installation, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = ssr::http_profile(&session)?;
    session_installation(&backend, &session).await?;
    let deleted = backend
        .store
        .delete_flow_secret(profile.key, &session.workspace_id, name.trim())
        .await
        .map_err(to_server_error)?;
    backend.flows.forget_workspace(profile.key, &session.workspace_id);
    if !deleted {
        return Err(ServerFnError::new(format!(
            "there is no secret called {:?}",
            name.trim()
        )));
    }
    ssr::view(&backend, profile, &session).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_secret_name(" API_TOKEN "), Ok("API_TOKEN".to_string()));
        assert_eq!(parse_secret_name("_x9"), Ok("_x9".to_string()));
        assert!(parse_secret_name(&"a".repeat(64)).is_ok());
        for bad in ["", "  ", "api-token", "a b", "9lives", "é", &"a".repeat(65)] {
            assert!(parse_secret_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn values() {
        assert!(check_secret_value(" s3cr3t ").is_ok());
        assert!(check_secret_value(&"x".repeat(4096)).is_ok());
        assert!(check_secret_value("").is_err());
        assert!(check_secret_value(&"x".repeat(4097)).is_err());
    }
}
