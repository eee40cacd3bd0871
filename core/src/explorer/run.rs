//! Running one explorer call on the server: the profile's rules ([`super::policy`]), the
//! session's workspace forced into the path, the form checked again ([`super::form`]), the
//! request sent through the installation's budgeted client, and the call recorded in the
//! acting user's history. Whatever Clockify answers (errors included) is the result; an
//! [`Failure`] is the explorer's own refusal or a call that got no answer.

use std::time::Instant;

use serde_json::Value;

use super::{
    form::{prepare, FormValues},
    model::{ApiError, ExecuteRequest, ExecuteResult, VIEW_LIMIT_BYTES},
    policy,
};
use crate::{
    clockify::{budget::Lane, ApiRequest, ApiServer as ClientServer, ClockifyClient},
    lifecycle::now_millis,
    openapi::{ApiServer, ApiSpec},
    profile::Profile,
    session::Session,
    store::explorer::{ExplorerCall, ExplorerStore, MAX_STORED_BODY},
};

/// The explorer refused the call, or Clockify could not be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status to answer with.
    pub status: u16,
    pub error: ApiError,
}

impl Failure {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            error: ApiError::new(code, message),
        }
    }
}

/// Runs `request` for the session's user in the session's workspace.
pub async fn execute(
    store: &dyn ExplorerStore,
    client: &ClockifyClient,
    profile: &Profile,
    session: &Session,
    request: ExecuteRequest,
) -> Result<ExecuteResult, Failure> {
    let spec = ApiSpec::clockify();
    let operation = spec.operation(&request.operation_id).ok_or_else(|| {
        Failure::new(
            404,
            "unknown_operation",
            format!("the Clockify API has no operation {:?}", request.operation_id),
        )
    })?;
    policy::check(operation, profile, request.confirmed)
        .map_err(|refusal| Failure::new(refusal.status(), refusal.code(), refusal.message(operation, profile)))?;

    // Only ever the session's own workspace.
    let mut values: FormValues = request.params.clone();
    if operation.path_params().any(|name| name == "workspaceId") {
        values.insert("workspaceId".into(), session.workspace_id.clone());
    }
    let body_text = request.body.as_deref().unwrap_or_default();
    let prepared = prepare(spec, operation, &values, body_text).map_err(|problems| Failure {
        status: 400,
        error: ApiError {
            code: "invalid_parameters".into(),
            message: format!("the request for {} has invalid fields", operation.id),
            problems,
        },
    })?;
    let server = match prepared.server {
        ApiServer::Api => ClientServer::Backend,
        ApiServer::Reports => ClientServer::Reports,
        ApiServer::AuditLog => {
            return Err(Failure::new(
                422,
                policy::Refusal::NotForAddons.code(),
                policy::Refusal::NotForAddons.message(operation, profile),
            ))
        }
    };
    let method = reqwest::Method::from_bytes(prepared.method.as_str().as_bytes())
        .map_err(|_| Failure::new(500, "internal", "unknown HTTP method"))?;
    let path_and_query = prepared.path_and_query();
    let api_request = ApiRequest {
        method,
        server,
        path: prepared.path.clone(),
        query: prepared.query.clone(),
        body: prepared.body.clone(),
    };

    let started = Instant::now();
    let answer = client.execute_raw(api_request, Lane::Interactive).await;
    let duration_ms = started.elapsed().as_millis() as u64;

    let mut call = ExplorerCall {
        id: new_call_id(),
        user_id: session.user_id.clone(),
        operation_id: operation.id.clone(),
        method: prepared.method.as_str().to_string(),
        path: path_and_query.clone(),
        params: serde_json::to_string(&values).unwrap_or_else(|_| "{}".into()),
        body: prepared
            .body
            .as_ref()
            .map(|body| cut(&body.to_string(), MAX_STORED_BODY)),
        status: None,
        duration_ms: duration_ms as i64,
        error: None,
        created_at: now_millis(),
    };
    let outcome = match answer {
        Ok(response) => {
            call.status = Some(i64::from(response.status));
            let (body, body_text, truncated) = present_body(&response.body, request.full);
            Ok(ExecuteResult {
                status: response.status,
                duration_ms,
                attempts: response.attempts,
                headers: response.headers,
                last_page: response.last_page,
                body,
                body_text,
                body_bytes: response.body.len() as u64,
                truncated,
                method: call.method.clone(),
                path: path_and_query,
                history_id: call.id.clone(),
            })
        }
        Err(error) => {
            call.error = Some(error.public_message());
            let status = match error.clockify_failure() {
                Some(crate::error::ClockifyFailure::Timeout) => 504,
                _ => 502,
            };
            Err(Failure::new(status, error.code(), error.public_message()))
        }
    };
    // The call went out either way: it belongs in the user's history.
    if let Err(error) = store
        .record_explorer_call(profile.key, &session.workspace_id, &call)
        .await
    {
        tracing::error!(%error, operation = %call.operation_id, "could not record an explorer call");
    }
    outcome
}

/// Sortable by time: 12 hex digits of milliseconds, then 16 random ones.
fn new_call_id() -> String {
    format!("{:012x}{:016x}", now_millis(), rand::random::<u64>())
}

/// The body for the view: parsed JSON when it fits (or `full`), else the first
/// [`VIEW_LIMIT_BYTES`] of its pretty text; text that is not JSON as text.
fn present_body(bytes: &[u8], full: bool) -> (Option<Value>, Option<String>, bool) {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return (None, None, false);
    }
    let fits = full || bytes.len() <= VIEW_LIMIT_BYTES;
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) if fits => (Some(value), None, false),
        Ok(value) => {
            let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
            (None, Some(cut(&pretty, VIEW_LIMIT_BYTES)), true)
        }
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            if fits {
                (None, Some(text.into_owned()), false)
            } else {
                (None, Some(cut(&text, VIEW_LIMIT_BYTES)), true)
            }
        }
    }
}

/// The first `limit` bytes of `text`, cut at a character boundary.
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_are_cut_for_the_view_unless_full() {
        let items: Vec<Value> = (0..40_000)
            .map(|i| serde_json::json!({ "id": i, "name": "ééé" }))
            .collect();
        let bytes = serde_json::to_vec(&items).unwrap();
        assert!(bytes.len() > VIEW_LIMIT_BYTES);
        let (body, text, truncated) = present_body(&bytes, false);
        assert!(truncated && body.is_none());
        assert!(text.unwrap().len() <= VIEW_LIMIT_BYTES);
        let (body, text, truncated) = present_body(&bytes, true);
        assert!(!truncated && text.is_none());
        assert_eq!(body.unwrap().as_array().unwrap().len(), 40_000);
        assert_eq!(present_body(b"  ", false), (None, None, false));
        assert_eq!(
            present_body(b"<html>oops</html>", false),
            (None, Some("<html>oops</html>".into()), false)
        );
    }

    #[test]
    fn ids_sort_by_time_and_cuts_respect_characters() {
        let first = new_call_id();
        assert_eq!(first.len(), 28);
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("abc", 10), "abc");
    }
}
