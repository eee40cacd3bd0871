//! A small Clockify REST client: base URLs from the installation's token claims, never
//! hard-coded; the installation token in `X-Addon-Token`; typed errors.

use std::time::Duration;

use serde_json::Value;

use crate::{Error, Result};

/// Largest response body we read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct ClockifyClient {
    http: reqwest::Client,
    backend_url: String,
    token: String,
}

impl std::fmt::Debug for ClockifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockifyClient")
            .field("backend_url", &self.backend_url)
            .finish_non_exhaustive()
    }
}

/// The HTTP client every Clockify call shares: rustls, timeouts, no redirects.
pub fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("clockify-addons/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| Error::Internal(format!("cannot build the HTTP client: {error}")))
}

impl ClockifyClient {
    pub fn new(http: reqwest::Client, backend_url: &str, token: String) -> Self {
        Self {
            http,
            backend_url: backend_url.trim_end_matches('/').to_string(),
            token,
        }
    }

    /// A client acting as the add-on in an installation's workspace: its decrypted installation
    /// token and the API base from its token claims (or `base_override`, from configuration).
    pub fn for_installation(
        http: reqwest::Client,
        installation: &crate::store::Installation,
        secrets: &crate::crypto::SecretBox,
        base_override: Option<&str>,
    ) -> Result<Self> {
        let token = secrets.decrypt(&installation.token_ciphertext)?;
        Ok(Self::new(
            http,
            base_override.unwrap_or(&installation.backend_url),
            token,
        ))
    }

    /// GETs `{backendUrl}{path}` and parses JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        self.send_json(reqwest::Method::GET, path, None).await
    }

    /// Saves the workspace's add-on settings in Clockify (`PATCH /addon/workspaces/{id}/settings`);
    /// Clockify then sends SETTINGS_UPDATED.
    pub async fn patch_addon_settings(&self, workspace_id: &str, values: &[(String, Value)]) -> Result<Value> {
        let body: Vec<Value> = values
            .iter()
            .map(|(id, value)| serde_json::json!({ "id": id, "value": value }))
            .collect();
        let path = format!("/addon/workspaces/{workspace_id}/settings");
        self.send_json(reqwest::Method::PATCH, &path, Some(Value::from(body)))
            .await
    }

    /// Sends a request to `{backendUrl}{path}` with an optional JSON body and parses the answer
    /// (an empty answer is `null`).
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.backend_url);
        let mut request = self.http.request(method, &url).header("X-Addon-Token", &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| Error::Unavailable(format!("Clockify is not reachable: {}", error.without_url())))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| Error::Unavailable(format!("Clockify's answer broke off: {}", error.without_url())))?;
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(Error::Unavailable(format!("Clockify's answer to {path} is too large")));
        }
        match status.as_u16() {
            200..=299 if bytes.is_empty() => Ok(Value::Null),
            200..=299 => serde_json::from_slice(&bytes)
                .map_err(|_| Error::Unavailable(format!("Clockify's answer to {path} is not JSON"))),
            401 => Err(Error::unauthorized(
                "clockify_unauthorized",
                "Clockify refused the installation token",
            )),
            403 => Err(Error::Forbidden(format!("the add-on lacks a scope for {path}"))),
            404 => Err(Error::NotFound(format!("Clockify has no {path}"))),
            code => Err(Error::Unavailable(format!("Clockify answered {code} to {path}"))),
        }
    }
}
