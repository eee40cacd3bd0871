//! The one error type of the engine. Clients see a stable `code` and a human `message`;
//! internal details are logged once and answered as an opaque 500.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A token or signature is missing, malformed, forged, expired or for someone else.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// Authenticated, but not allowed (for example a non-admin opening an admin page).
    #[error("{0}")]
    Forbidden(String),
    /// The request body or parameters are malformed.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// The add-on is not installed (any more) or disabled in that workspace.
    #[error("{0}")]
    Gone(String),
    /// A request body over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// A dependency (database, Clockify) is not reachable right now.
    #[error("{0}")]
    Unavailable(String),
    /// A Clockify API call failed; `failure` says how, so callers can decide what to retry.
    #[error("{message}")]
    Clockify { failure: ClockifyFailure, message: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Error::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Error::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn clockify(failure: ClockifyFailure, message: impl Into<String>) -> Self {
        Error::Clockify {
            failure,
            message: message.into(),
        }
    }

    /// The Clockify failure behind this error, if it is one.
    pub fn clockify_failure(&self) -> Option<ClockifyFailure> {
        match self {
            Error::Clockify { failure, .. } => Some(*failure),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Gone(_) => StatusCode::GONE,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Clockify { .. } => StatusCode::BAD_GATEWAY,
            Error::Database(_) | Error::Migration(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized { code, .. } | Error::BadRequest { code, .. } => code,
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Gone(_) => "not_installed",
            Error::TooLarge(_) => "too_large",
            Error::Unavailable(_) => "unavailable",
            Error::Clockify { failure, .. } => failure.code(),
            Error::Database(_) | Error::Migration(_) | Error::Internal(_) => "internal",
        }
    }

    /// The message a client may see: internal details never leave the server.
    pub fn public_message(&self) -> String {
        match self {
            Error::Database(_) | Error::Migration(_) | Error::Internal(_) => {
                "internal error; see the server log".to_string()
            }
            other => other.to_string(),
        }
    }
}

/// How a Clockify API call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockifyFailure {
    /// 401: the installation token is revoked or invalid.
    Unauthorized,
    /// 403: the add-on lacks a scope for this operation.
    MissingScope,
    /// 404.
    NotFound,
    /// 429: over the workspace's rate limit.
    RateLimited,
    /// 5xx.
    ServerError(u16),
    /// Another 4xx: Clockify refused the request as sent.
    Rejected(u16),
    /// No answer within the timeout.
    Timeout,
    /// Could not connect, or the connection broke off.
    Unreachable,
    /// The answer is not the JSON expected.
    BadJson,
    /// The answer is larger than the cap.
    TooLarge,
}

impl ClockifyFailure {
    /// The stable code clients see.
    pub fn code(self) -> &'static str {
        match self {
            ClockifyFailure::Unauthorized => "clockify_unauthorized",
            ClockifyFailure::MissingScope => "clockify_missing_scope",
            ClockifyFailure::NotFound => "clockify_not_found",
            ClockifyFailure::RateLimited => "clockify_rate_limited",
            ClockifyFailure::ServerError(_) => "clockify_server_error",
            ClockifyFailure::Rejected(_) => "clockify_rejected",
            ClockifyFailure::Timeout => "clockify_timeout",
            ClockifyFailure::Unreachable => "clockify_unreachable",
            ClockifyFailure::BadJson => "clockify_bad_json",
            ClockifyFailure::TooLarge => "clockify_too_large",
        }
    }

    /// Whether trying again later may succeed (429, 5xx, timeouts, connection errors).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ClockifyFailure::RateLimited
                | ClockifyFailure::ServerError(_)
                | ClockifyFailure::Timeout
                | ClockifyFailure::Unreachable
        )
    }

    /// The HTTP status Clockify answered, when it answered.
    pub fn status(self) -> Option<u16> {
        match self {
            ClockifyFailure::Unauthorized => Some(401),
            ClockifyFailure::MissingScope => Some(403),
            ClockifyFailure::NotFound => Some(404),
            ClockifyFailure::RateLimited => Some(429),
            ClockifyFailure::ServerError(code) | ClockifyFailure::Rejected(code) => Some(code),
            _ => None,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(code = self.code(), message = %self, "request refused");
        }
        let body = json!({ "code": self.code(), "message": self.public_message() });
        (status, Json(body)).into_response()
    }
}
