//! JSON logs. Secrets never reach them: request logs carry the path and a query string with
//! every sensitive parameter redacted, never headers or bodies.

use std::time::Instant;

use axum::{extract::Request, middleware::Next, response::Response};
use tracing_subscriber::{fmt, EnvFilter};

/// Query parameters and headers whose values are secrets.
pub const SENSITIVE_NAMES: &[&str] = &[
    "auth_token",
    "token",
    "session",
    "x-addon-token",
    "x-addon-lifecycle-token",
    "clockify-signature",
    "authorization",
    "secret",
];

/// Installs the JSON log subscriber (call once, from `main`).
pub fn init(level: &str) {
    let filter = EnvFilter::try_new(format!("{level},hyper=warn,sqlx=warn,reqwest=warn"))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = fmt().json().with_env_filter(filter).with_current_span(false).try_init();
}

/// The query string with the values of sensitive parameters replaced by `[redacted]`.
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_sensitive(name) => format!("{name}=[redacted]"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAMES.iter().any(|sensitive| name.contains(sensitive))
}

/// Logs one line per request: method, path, redacted query, status, duration.
pub async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(redact_query);
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        query = query.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_in_queries() {
        assert_eq!(
            redact_query("auth_token=eyJabc.def&theme=DARK&X-Addon-Token=x"),
            "auth_token=[redacted]&theme=DARK&X-Addon-Token=[redacted]"
        );
        assert_eq!(redact_query("page=2"), "page=2");
    }
}
