//! The Clockify REST client: base URLs from the installation's token claims and INSTALLED
//! body, never hard-coded; the installation token in `X-Addon-Token`; typed failures
//! ([`ClockifyFailure`]); timeouts and a response size cap; retries with backoff for idempotent
//! requests; every request drawn from the installation's [`budget::WorkspaceBudget`].

pub mod budget;
pub mod retry;

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use reqwest::{header::HeaderMap, Method};
use serde_json::Value;

use self::{
    budget::{Lane, WorkspaceBudget},
    retry::{parse_retry_after, RetryPolicy},
};
use crate::{error::ClockifyFailure, Error, Result};

/// Largest response body we read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

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

/// Which of Clockify's API servers a request goes to (PLATFORM.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiServer {
    /// `{backendUrl}`: the regular API and the add-on API.
    Backend,
    /// `{reportsUrl}`.
    Reports,
}

/// One request, relative to its server.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub server: ApiServer,
    /// Starts with `/`, e.g. `/v1/workspaces/{id}/projects` with the ids filled in.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl ApiRequest {
    /// A GET on the backend.
    pub fn get(path: impl Into<String>) -> Self {
        ApiRequest {
            method: Method::GET,
            server: ApiServer::Backend,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Whether sending it twice does no more than sending it once.
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        )
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    /// `Last-Page` of paginated lists (PLATFORM.md §4.3), when present.
    pub last_page: Option<bool>,
    /// Response headers as text (names lower-case).
    pub headers: Vec<(String, String)>,
    /// Parsed JSON; `null` for an empty body.
    pub body: Value,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
    /// Time from the first attempt to the answer.
    pub elapsed: Duration,
}

/// Any answer, whatever its status, as [`ClockifyClient::execute_raw`] returns it (the API
/// explorer shows Clockify's errors with their status and body).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// `Last-Page` of paginated lists, when present.
    pub last_page: Option<bool>,
    /// Response headers as text (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The body as received (at most the client's size cap).
    pub body: Vec<u8>,
    /// The `Retry-After` Clockify asked for, if any.
    pub retry_after: Option<Duration>,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
    /// Time from the first attempt to the answer.
    pub elapsed: Duration,
}

impl RawResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A client acting as the add-on in one workspace.
#[derive(Clone)]
pub struct ClockifyClient {
    http: reqwest::Client,
    backend_url: String,
    reports_url: Option<String>,
    token: String,
    budget: Option<Arc<WorkspaceBudget>>,
    retry: RetryPolicy,
    max_response_bytes: usize,
}

impl std::fmt::Debug for ClockifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("ClockifyClient")
            .field("backend_url", &self.backend_url)
            .field("reports_url", &self.reports_url)
            .finish_non_exhaustive()
    }
}

impl ClockifyClient {
    /// A client for `backend_url` with `token`; no budget, default retries.
    pub fn new(http: reqwest::Client, backend_url: &str, token: String) -> Self {
        Self {
            http,
            backend_url: backend_url.trim_end_matches('/').to_string(),
            reports_url: None,
            token,
            budget: None,
            retry: RetryPolicy::default(),
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// A client acting as the add-on in an installation's workspace: its decrypted installation
    /// token and the API bases from its token claims (or `base_override`, from configuration,
    /// which then serves both the backend and the reports API).
    pub fn for_installation(
        http: reqwest::Client,
        installation: &crate::store::Installation,
        secrets: &crate::crypto::SecretBox,
        base_override: Option<&str>,
    ) -> Result<Self> {
        let token = secrets.decrypt(&installation.token_ciphertext)?;
        let mut client = Self::new(http, base_override.unwrap_or(&installation.backend_url), token);
        client.reports_url = match base_override {
            Some(base) => Some(base.trim_end_matches('/').to_string()),
            None => installation
                .reports_url
                .as_deref()
                .map(|url| url.trim_end_matches('/').to_string()),
        };
        Ok(client)
    }

    /// Draws every request from `budget`.
    pub fn with_budget(mut self, budget: Arc<WorkspaceBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The backend base URL.
    pub fn backend_url(&self) -> &str {
        &self.backend_url
    }

    /// GETs `{backendUrl}{path}` and parses JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        Ok(self.execute(ApiRequest::get(path), Lane::Interactive).await?.body)
    }

    /// Saves the workspace's add-on settings in Clockify (`PATCH /addon/workspaces/{id}/settings`);
    /// Clockify then sends SETTINGS_UPDATED.
    pub async fn patch_addon_settings(&self, workspace_id: &str, values: &[(String, Value)]) -> Result<Value> {
        let body: Vec<Value> = values
            .iter()
            .map(|(id, value)| serde_json::json!({ "id": id, "value": value }))
            .collect();
        self.send_json(
            Method::PATCH,
            &format!("/addon/workspaces/{workspace_id}/settings"),
            Some(Value::from(body)),
        )
        .await
    }

    /// Sends a request to `{backendUrl}{path}` with an optional JSON body and parses the answer.
    pub async fn send_json(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let request = ApiRequest {
            method,
            server: ApiServer::Backend,
            path: path.to_string(),
            query: Vec::new(),
            body,
        };
        Ok(self.execute(request, Lane::Interactive).await?.body)
    }

    /// Sends `request` within the budget of `lane`, retrying idempotent requests on 429, 5xx,
    /// timeouts and connection errors (honouring `Retry-After`).
    pub async fn execute(&self, request: ApiRequest, lane: Lane) -> Result<ApiResponse> {
        let started = Instant::now();
        let max_attempts = if request.is_idempotent() {
            self.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(budget) = &self.budget {
                budget.acquire(lane).await;
            }
            match self.send_once(&request).await {
                Ok(mut response) => {
                    response.attempts = attempt;
                    response.elapsed = started.elapsed();
                    return Ok(response);
                }
                Err((error, retry_after)) => {
                    let failure = error.clockify_failure();
                    if failure == Some(ClockifyFailure::RateLimited) {
                        if let Some(budget) = &self.budget {
                            budget.record_rate_limited();
                        }
                    }
                    let retryable = failure.is_some_and(ClockifyFailure::is_retryable);
                    if !retryable || attempt >= max_attempts {
                        return Err(error);
                    }
                    tracing::debug!(path = %request.path, attempt, %error, "retrying a Clockify call");
                    tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
                }
            }
        }
    }

    /// Like [`ClockifyClient::execute`] (budget, retries of idempotent requests on 429, 5xx,
    /// timeouts and connection errors, the size cap), but a non-2xx answer is returned as it
    /// came instead of as an error, body included. Errors are only transport failures and
    /// an answer over the size cap.
    pub async fn execute_raw(&self, request: ApiRequest, lane: Lane) -> Result<RawResponse> {
        let started = Instant::now();
        let max_attempts = if request.is_idempotent() {
            self.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(budget) = &self.budget {
                budget.acquire(lane).await;
            }
            let retry_after = match self.send_once_raw(&request).await {
                Ok(mut response) => {
                    if response.status == 429 {
                        if let Some(budget) = &self.budget {
                            budget.record_rate_limited();
                        }
                    }
                    let retryable = response.status == 429 || (500..600).contains(&response.status);
                    if !retryable || attempt >= max_attempts {
                        response.attempts = attempt;
                        response.elapsed = started.elapsed();
                        return Ok(response);
                    }
                    response.retry_after
                }
                Err(error) => {
                    let retryable = error.clockify_failure().is_some_and(ClockifyFailure::is_retryable);
                    if !retryable || attempt >= max_attempts {
                        return Err(error);
                    }
                    None
                }
            };
            tracing::debug!(path = %request.path, attempt, "retrying a Clockify call");
            tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
        }
    }

    fn url(&self, request: &ApiRequest) -> Result<String> {
        let base = match request.server {
            ApiServer::Backend => &self.backend_url,
            ApiServer::Reports => self.reports_url.as_ref().ok_or_else(|| {
                Error::clockify(ClockifyFailure::NotFound, "this installation has no reports API URL")
            })?,
        };
        Ok(format!("{base}{}", request.path))
    }

    /// One attempt. On failure also returns the `Retry-After` Clockify asked for.
    async fn send_once(&self, request: &ApiRequest) -> Result<ApiResponse, (Error, Option<Duration>)> {
        let path = &request.path;
        let raw = self.send_once_raw(request).await.map_err(|error| (error, None))?;
        if !raw.is_success() {
            return Err((status_error(raw.status, path, &raw.body), raw.retry_after));
        }
        let body = if raw.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&raw.body).map_err(|_| {
                (
                    Error::clockify(
                        ClockifyFailure::BadJson,
                        format!("Clockify's answer to {path} is not valid JSON"),
                    ),
                    None,
                )
            })?
        };
        Ok(ApiResponse {
            status: raw.status,
            last_page: raw.last_page,
            headers: raw.headers,
            body,
            attempts: 1,
            elapsed: Duration::ZERO,
        })
    }

    /// One attempt, any status: fails only when no complete answer within the cap came.
    async fn send_once_raw(&self, request: &ApiRequest) -> Result<RawResponse> {
        let path = &request.path;
        let url = self.url(request)?;
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .header("X-Addon-Token", &self.token);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let mut response = builder.send().await.map_err(|error| transport_error(&error, path))?;
        let status = response.status().as_u16();
        let headers = header_list(response.headers());
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        if response
            .content_length()
            .is_some_and(|length| length as usize > self.max_response_bytes)
        {
            return Err(too_large(path));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| transport_error(&error, path))? {
            if bytes.len() + chunk.len() > self.max_response_bytes {
                return Err(too_large(path));
            }
            bytes.extend_from_slice(&chunk);
        }
        let last_page = headers
            .iter()
            .find(|(name, _)| name == "last-page")
            .map(|(_, value)| value.eq_ignore_ascii_case("true"));
        Ok(RawResponse {
            status,
            last_page,
            headers,
            body: bytes,
            retry_after,
            attempts: 1,
            elapsed: Duration::ZERO,
        })
    }
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|value| (name.as_str().to_string(), value.to_string()))
        })
        .collect()
}

fn too_large(path: &str) -> Error {
    Error::clockify(
        ClockifyFailure::TooLarge,
        format!(
            "Clockify's answer to {path} is larger than {} MiB",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ),
    )
}

fn transport_error(error: &reqwest::Error, path: &str) -> Error {
    if error.is_timeout() {
        Error::clockify(
            ClockifyFailure::Timeout,
            format!("Clockify did not answer {path} in time"),
        )
    } else {
        Error::clockify(
            ClockifyFailure::Unreachable,
            format!("Clockify is not reachable for {path}: {}", without_url(error)),
        )
    }
}

/// reqwest errors print the URL, which may hold query secrets; drop it.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}

/// Clockify's own message from an error body (`{"message": ..., "code": ...}`), if any.
fn clockify_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let message = value.get("message")?.as_str()?;
    Some(message.chars().take(300).collect())
}

fn status_error(status: u16, path: &str, body: &[u8]) -> Error {
    let detail = clockify_message(body)
        .map(|message| format!(": {message}"))
        .unwrap_or_default();
    let (failure, text) = match status {
        401 => (
            ClockifyFailure::Unauthorized,
            format!("Clockify refused the installation token (401){detail}"),
        ),
        403 => (
            ClockifyFailure::MissingScope,
            format!("the add-on lacks a scope for {path} (403){detail}"),
        ),
        404 => (
            ClockifyFailure::NotFound,
            format!("Clockify has no {path} (404){detail}"),
        ),
        429 => (
            ClockifyFailure::RateLimited,
            format!("Clockify's rate limit was hit on {path} (429){detail}"),
        ),
        500..=599 => (
            ClockifyFailure::ServerError(status),
            format!("Clockify failed on {path} ({status}){detail}"),
        ),
        _ => (
            ClockifyFailure::Rejected(status),
            format!("Clockify refused {path} ({status}){detail}"),
        ),
    };
    Error::clockify(failure, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_typed_failures() {
        let failure = |status, body: &str| status_error(status, "/p", body.as_bytes()).clockify_failure();
        assert_eq!(failure(401, ""), Some(ClockifyFailure::Unauthorized));
        assert_eq!(failure(403, ""), Some(ClockifyFailure::MissingScope));
        assert_eq!(failure(404, ""), Some(ClockifyFailure::NotFound));
        assert_eq!(failure(429, ""), Some(ClockifyFailure::RateLimited));
        assert_eq!(failure(503, ""), Some(ClockifyFailure::ServerError(503)));
        assert_eq!(failure(400, ""), Some(ClockifyFailure::Rejected(400)));
        let error = status_error(
            403,
            "/p",
            br#"{"message":"Addon with id x does not have permission TAG_READ","code":403}"#,
        );
        assert!(error.to_string().contains("TAG_READ"), "{error}");
    }

    #[test]
    fn only_idempotent_requests_are_retried() {
        assert!(ApiRequest::get("/x").is_idempotent());
        let mut post = ApiRequest::get("/x");
        post.method = Method::POST;
        assert!(!post.is_idempotent());
    }
}
