//! The simulator's one error type and how it turns into an HTTP answer.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

/// Everything that can go wrong in the simulator.
///
/// The `/api` variants answer like Clockify does (`{"message", "code": <number>}`); the
/// `/sim` control variants answer `{"code": "<stable string>", "message"}`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `X-Addon-Token`, or one the simulator did not issue or has revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// The token is valid but not for this workspace.
    #[error("{0}")]
    Forbidden(String),
    /// An `/api` resource that does not exist.
    #[error("{0}")]
    ApiNotFound(String),
    /// A `/sim` resource that does not exist (unknown add-on key, …).
    #[error("{0}")]
    NotFound(String),
    /// The installation's manifest lacks the scope the `/api` endpoint needs (403).
    #[error("Addon with id {addon_id} does not have permission {scope}")]
    MissingScope {
        /// The installation's id.
        addon_id: String,
        /// The scope, e.g. `USER_READ`.
        scope: &'static str,
    },
    /// An `/api` request with invalid parameters (400, Clockify's shape).
    #[error("{0}")]
    ApiBadRequest(String),
    /// An `/api` request the workspace's plan does not allow, e.g. one webhook over the
    /// plan's limit (403, Clockify's shape).
    #[error("{0}")]
    ApiForbidden(String),
    /// Over the per-token rate limit or the workspace's hourly budget (429).
    #[error("Too many requests")]
    TooManyRequests,
    /// A failure injected by `/sim/faults` (`503` or `500`).
    #[error("{}", if *.0 == 503 { "Service unavailable" } else { "Internal server error" })]
    Injected(u16),
    /// A `/sim` request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The manifest failed schema validation.
    #[error("the manifest is invalid")]
    InvalidManifest {
        /// One readable line per problem.
        problems: Vec<String>,
    },
    /// The manifest URL could not be fetched or did not return JSON.
    #[error("{0}")]
    ManifestUnreachable(String),
    /// The add-on could not be reached for a lifecycle call.
    #[error("{0}")]
    AddonUnreachable(String),
    /// The add-on answered a lifecycle call with a non-2xx status.
    #[error("the add-on answered {status}")]
    AddonRejected {
        /// The add-on's HTTP status.
        status: u16,
        /// The add-on's response body (as text).
        body: String,
    },
    /// Anything else; logged, answered as an opaque 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) | Error::ApiForbidden(_) => StatusCode::FORBIDDEN,
            Error::ApiNotFound(_) | Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) | Error::ApiBadRequest(_) => StatusCode::BAD_REQUEST,
            Error::MissingScope { .. } => StatusCode::FORBIDDEN,
            Error::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Error::Injected(status) => StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            Error::InvalidManifest { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::ManifestUnreachable(_) | Error::AddonUnreachable(_) | Error::AddonRejected { .. } => {
                StatusCode::BAD_GATEWAY
            }
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> Value {
        let message = self.to_string();
        match self {
            // Clockify's own error shape: a human message and a numeric code.
            Error::Unauthorized(_) => json!({ "message": message, "code": 4003 }),
            Error::Forbidden(_) => json!({ "message": message, "code": 4030 }),
            Error::ApiNotFound(_) => json!({ "message": message, "code": 501 }),
            Error::MissingScope { .. }
            | Error::ApiBadRequest(_)
            | Error::ApiForbidden(_)
            | Error::TooManyRequests
            | Error::Injected(_) => {
                json!({ "message": message, "code": self.status().as_u16() })
            }
            Error::NotFound(_) => json!({ "code": "not_found", "message": message }),
            Error::BadRequest(_) => json!({ "code": "bad_request", "message": message }),
            Error::InvalidManifest { problems } => {
                json!({ "code": "invalid_manifest", "message": message, "problems": problems })
            }
            Error::ManifestUnreachable(_) => {
                json!({ "code": "manifest_unreachable", "message": message })
            }
            Error::AddonUnreachable(_) => {
                json!({ "code": "addon_unreachable", "message": message })
            }
            Error::AddonRejected { status, body } => json!({
                "code": "addon_rejected", "message": message, "status": status, "body": body
            }),
            Error::Internal(_) => json!({ "code": "internal", "message": "internal error" }),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        (self.status(), Json(self.body())).into_response()
    }
}
