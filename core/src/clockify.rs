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

    /// GETs `{backendUrl}{path}` and parses JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.backend_url);
        let response = self
            .http
            .get(&url)
            .header("X-Addon-Token", &self.token)
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
