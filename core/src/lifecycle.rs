//! The four lifecycle events Clockify sends (PLATFORM.md §3.4), verified as §3.3 says.
//!
//! Order of checks: the signed lifecycle token first (so unauthenticated callers learn nothing
//! about our parsing), then the body, then the binding between the two.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::{
    claims::ClockifyClaims,
    crypto::SecretBox,
    profile::Profile,
    store::{Installation, Store, WebhookToken},
    token::TokenVerifier,
    Error, Result,
};

/// Everything lifecycle handling needs.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle<'a> {
    pub store: &'a dyn Store,
    pub verifier: &'a TokenVerifier,
    pub secrets: &'a SecretBox,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstalledBody {
    addon_id: String,
    auth_token: String,
    workspace_id: String,
    as_user: Option<String>,
    api_url: String,
    addon_user_id: Option<String>,
    #[serde(default)]
    webhooks: Vec<InstalledWebhook>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstalledWebhook {
    path: String,
    webhook_type: Option<String>,
    auth_token: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceEventBody {
    addon_id: String,
    workspace_id: String,
}

#[derive(Debug, Deserialize)]
struct StatusBody {
    status: String,
}

#[derive(Debug, Deserialize)]
struct SettingsBody {
    settings: Vec<SettingValue>,
}

#[derive(Debug, Deserialize)]
struct SettingValue {
    id: String,
    value: Value,
}

/// The stored settings document: validated values plus the problems of the last update.
pub fn settings_document(values: &Map<String, Value>, problems: &[String]) -> String {
    json!({ "values": values, "problems": problems }).to_string()
}

/// Validates `updates` against the profile's definitions and merges the valid ones into the
/// stored settings document. An invalid value keeps the last good one and becomes a problem.
/// Returns the new document and the problems.
pub fn apply_setting_values(profile: &Profile, stored: &str, updates: &[(String, Value)]) -> (String, Vec<String>) {
    let previous: Value = serde_json::from_str(stored).unwrap_or_default();
    let mut values = previous
        .get("values")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut problems = Vec::new();
    for (id, value) in updates {
        match profile.settings.iter().find(|definition| definition.id == id) {
            Some(definition) => match definition.validate(value) {
                Ok(valid) => {
                    values.insert(id.clone(), valid);
                }
                Err(problem) => problems.push(problem),
            },
            None => tracing::debug!(setting = %id, "ignoring an unknown setting"),
        }
    }
    (settings_document(&values, &problems), problems)
}

/// Current time in unix milliseconds.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// SHA-256 of a token, hex.
pub fn token_digest(token: &str) -> String {
    crate::hex::encode(&Sha256::digest(token.trim().as_bytes()))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|error| Error::bad_request("invalid_body", format!("the request body is not valid: {error}")))
}

fn require_token(token: Option<&str>) -> Result<&str> {
    token
        .filter(|token| !token.trim().is_empty())
        .ok_or_else(|| Error::unauthorized("missing_token", "the X-Addon-Lifecycle-Token header is missing"))
}

fn bind_to_body(claims: &ClockifyClaims, addon_id: &str, workspace_id: &str) -> Result<()> {
    if claims.workspace_id != workspace_id || claims.addon_id != addon_id {
        return Err(Error::unauthorized(
            "token_mismatch",
            "the token was issued for another workspace or add-on",
        ));
    }
    Ok(())
}

impl Lifecycle<'_> {
    fn verified(&self, profile: &Profile, token: Option<&str>) -> Result<ClockifyClaims> {
        self.verifier.verify(require_token(token)?, profile.key)
    }

    /// INSTALLED: verify, then store the installation and its webhook tokens in one transaction.
    pub async fn installed(&self, profile: &Profile, token: Option<&str>, body: &[u8]) -> Result<Installation> {
        let claims = self.verified(profile, token)?;
        let body: InstalledBody = parse(body)?;
        bind_to_body(&claims, &body.addon_id, &body.workspace_id)?;
        let installation_claims = self.verifier.verify(&body.auth_token, profile.key).map_err(|_| {
            Error::unauthorized(
                "invalid_installation_token",
                "the installation token in the body is not valid",
            )
        })?;
        bind_to_body(&installation_claims, &body.addon_id, &body.workspace_id)?;
        let backend_url = installation_claims
            .backend_url
            .clone()
            .unwrap_or_else(|| body.api_url.clone());
        let mut tokens = Vec::with_capacity(body.webhooks.len());
        for webhook in &body.webhooks {
            let webhook_claims = self.verifier.verify(&webhook.auth_token, profile.key).map_err(|_| {
                Error::unauthorized("invalid_webhook_token", "a webhook token in the body is not valid")
            })?;
            bind_to_body(&webhook_claims, &body.addon_id, &body.workspace_id)?;
            tokens.push(WebhookToken {
                webhook_url: webhook.path.clone(),
                webhook_type: webhook.webhook_type.clone().unwrap_or_else(|| "ADDON".into()),
                token_digest: token_digest(&webhook.auth_token),
                token_ciphertext: self.secrets.encrypt(webhook.auth_token.trim())?,
            });
        }
        let token_urls = json!({
            "backendUrl": installation_claims.backend_url,
            "reportsUrl": installation_claims.reports_url,
            "locationsUrl": installation_claims.locations_url,
            "screenshotsUrl": installation_claims.screenshots_url,
            "ptoUrl": installation_claims.pto_url,
        });
        let now = now_millis();
        let installation = Installation {
            addon_key: profile.key.to_string(),
            workspace_id: body.workspace_id,
            addon_id: body.addon_id,
            addon_user_id: body.addon_user_id,
            installed_by: body.as_user,
            api_url: body.api_url,
            backend_url,
            reports_url: installation_claims.reports_url,
            token_urls: token_urls.to_string(),
            status: "ACTIVE".into(),
            settings: settings_document(&Map::new(), &[]),
            token_ciphertext: self.secrets.encrypt(body.auth_token.trim())?,
            workspace_name: None,
            workspace_plan: None,
            installer_name: None,
            installed_at: now,
            updated_at: now,
        };
        self.store.save_installation(&installation, &tokens).await?;
        tracing::info!(addon = profile.key, workspace = %installation.workspace_id, webhooks = tokens.len(), "installed");
        Ok(installation)
    }

    /// DELETED: every row of that workspace for that add-on goes. Repeating it is harmless.
    /// Returns the workspace and the rows removed.
    pub async fn deleted(&self, profile: &Profile, token: Option<&str>, body: &[u8]) -> Result<(String, u64)> {
        let claims = self.verified(profile, token)?;
        let body: WorkspaceEventBody = parse(body)?;
        bind_to_body(&claims, &body.addon_id, &body.workspace_id)?;
        let rows = self.store.delete_installation(profile.key, &body.workspace_id).await?;
        tracing::info!(addon = profile.key, workspace = %body.workspace_id, rows, "deleted");
        Ok((body.workspace_id, rows))
    }

    /// STATUS_CHANGED: INACTIVE keeps the data but stops processing. Returns the workspace and
    /// the new status.
    pub async fn status_changed(
        &self,
        profile: &Profile,
        token: Option<&str>,
        body: &[u8],
    ) -> Result<(String, String)> {
        let claims = self.verified(profile, token)?;
        let ids: WorkspaceEventBody = parse(body)?;
        let StatusBody { status } = parse(body)?;
        bind_to_body(&claims, &ids.addon_id, &ids.workspace_id)?;
        if status != "ACTIVE" && status != "INACTIVE" {
            return Err(Error::bad_request(
                "invalid_status",
                "status must be ACTIVE or INACTIVE",
            ));
        }
        if !self
            .store
            .set_status(profile.key, &ids.workspace_id, &status, now_millis())
            .await?
        {
            return Err(Error::NotFound("the add-on is not installed in this workspace".into()));
        }
        tracing::info!(addon = profile.key, workspace = %ids.workspace_id, %status, "status changed");
        Ok((ids.workspace_id, status))
    }

    /// SETTINGS_UPDATED: valid values are stored; an invalid value keeps the last good one and
    /// becomes a problem (kept for our UI; the caller answers 400 naming each). Returns the
    /// workspace and the problems.
    pub async fn settings_updated(
        &self,
        profile: &Profile,
        token: Option<&str>,
        body: &[u8],
    ) -> Result<(String, Vec<String>)> {
        let claims = self.verified(profile, token)?;
        let ids: WorkspaceEventBody = parse(body)?;
        let SettingsBody { settings } = parse(body)?;
        bind_to_body(&claims, &ids.addon_id, &ids.workspace_id)?;
        let installation = self
            .store
            .installation(profile.key, &ids.workspace_id)
            .await?
            .ok_or_else(|| Error::NotFound("the add-on is not installed in this workspace".into()))?;
        let updates: Vec<(String, Value)> = settings
            .into_iter()
            .map(|setting| (setting.id, setting.value))
            .collect();
        let (document, problems) = apply_setting_values(profile, &installation.settings, &updates);
        self.store
            .save_settings(profile.key, &ids.workspace_id, &document, now_millis())
            .await?;
        Ok((ids.workspace_id, problems))
    }
}
