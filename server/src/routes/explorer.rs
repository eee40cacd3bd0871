//! `POST /{addon}/explorer/execute`: the API explorer's one way to call Clockify. The page
//! sends its signed UI session in `X-Session` and an [`ExecuteRequest`]; the call runs for
//! the session's user in the session's workspace through the installation's budgeted client
//! (`addon_core::explorer::run`). Every refusal is JSON `{code, message}` with its status, also
//! for callers that skip the page: 401 without a valid session, 403 for a non-admin or a
//! non-GET in API Studio, 409 for a write without `"confirmed": true`, 400 for invalid fields.

use addon_core::{
    claims::is_admin_role,
    explorer::{
        model::{ApiError, ExecuteRequest, ExecuteResult, SESSION_HEADER},
        run,
    },
    lifecycle::now_millis,
    profile::find_profile,
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/{addon}/explorer/execute", post(execute))
}

/// An explorer refusal: its status and `{code, message, problems?}`.
struct Refused(u16, ApiError);

impl Refused {
    fn new(status: u16, code: &str, message: impl Into<String>) -> Refused {
        Refused(status, ApiError::new(code, message))
    }

    /// An internal problem: logged here, opaque to the caller.
    fn internal(error: addon_core::Error) -> Refused {
        tracing::error!(%error, "explorer call failed");
        Refused::new(500, "internal", error.public_message())
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.1)).into_response()
    }
}

async fn execute(
    State(state): State<AppState>,
    Path(addon): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ExecuteResult>, Refused> {
    let profile = find_profile(&addon)
        .ok_or_else(|| Refused::new(404, "not_found", format!("there is no add-on called {addon:?}")))?;
    let token = headers
        .get(SESSION_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            Refused::new(
                401,
                "missing_session",
                "the X-Session header with the page's session is missing; open the add-on from Clockify",
            )
        })?;
    let session = state
        .sessions
        .verify(token, now_millis() / 1000)
        .map_err(|error| Refused::new(401, error.code(), error.public_message()))?;
    if session.addon_key != profile.key {
        return Err(Refused::new(
            401,
            "invalid_session",
            format!("this session belongs to another add-on than {}", profile.name),
        ));
    }
    // Sessions are only issued to admins; the role they carry is checked on every call.
    if !is_admin_role(session.workspace_role.as_deref()) {
        return Err(Refused::new(
            403,
            "admins_only",
            "the API explorer is for workspace admins",
        ));
    }
    let request: ExecuteRequest = serde_json::from_slice(&body)
        .map_err(|error| Refused::new(400, "bad_request", format!("the request is not valid JSON: {error}")))?;
    let installation = state
        .store
        .installation(profile.key, &session.workspace_id)
        .await
        .map_err(Refused::internal)?
        .ok_or_else(|| {
            Refused::new(
                404,
                "not_installed",
                format!("{} is not installed in this workspace", profile.name),
            )
        })?;
    if installation.status != "ACTIVE" {
        return Err(Refused::new(
            409,
            "addon_disabled",
            "the add-on is disabled in this workspace; enable it first",
        ));
    }
    let client = state.bootstrap.client(&installation).map_err(Refused::internal)?;
    let operation_id = request.operation_id.clone();
    let outcome = run::execute(state.store.as_ref(), &client, profile, &session, request).await;
    let result = match &outcome {
        Ok(result) => result.status.to_string(),
        Err(failure) => failure.error.code.clone(),
    };
    metrics::counter!("explorer_calls_total", "addon" => profile.key, "result" => result).increment(1);
    tracing::info!(operation = %operation_id, user = %session.user_id, "explorer call");
    outcome
        .map(Json)
        .map_err(|failure| Refused(failure.status, failure.error))
}
