//! What the browser and the server exchange: `POST /{addon}/explorer/execute` takes an
//! [`ExecuteRequest`] (with the UI session in the [`SESSION_HEADER`] header) and answers an
//! [`ExecuteResult`] (whatever Clockify answered, errors included) or an [`ApiError`] when the
//! explorer refused or could not reach Clockify.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FormValues, Problem};

/// The header carrying the signed UI session.
pub const SESSION_HEADER: &str = "X-Session";

/// Bodies larger than this (bytes) are cut in the answer unless `full` is asked for.
pub const VIEW_LIMIT_BYTES: usize = 1024 * 1024;

/// The execute endpoint of an add-on.
pub fn execute_path(addon_key: &str) -> String {
    format!("/{addon_key}/explorer/execute")
}

/// One call to run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteRequest {
    pub operation_id: String,
    /// Path, query and header parameters by name, as typed. `workspaceId` is always the
    /// session's, whatever is sent.
    #[serde(default)]
    pub params: FormValues,
    /// The JSON body as text.
    #[serde(default)]
    pub body: Option<String>,
    /// Required for every non-GET (Universal Webhook only).
    #[serde(default)]
    pub confirmed: bool,
    /// Answer the whole body even above [`VIEW_LIMIT_BYTES`] (downloads, fetch all pages).
    #[serde(default)]
    pub full: bool,
}

/// What Clockify answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteResult {
    pub status: u16,
    pub duration_ms: u64,
    /// 1 unless a 429 or 5xx was retried.
    pub attempts: u32,
    /// Response headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The `Last-Page` header, when present.
    pub last_page: Option<bool>,
    /// The parsed JSON body; `None` when empty, not JSON, or truncated.
    pub body: Option<Value>,
    /// The body as text when it is not JSON, or the first [`VIEW_LIMIT_BYTES`] of it
    /// (pretty-printed) when it is truncated.
    pub body_text: Option<String>,
    /// The body's size as received.
    pub body_bytes: u64,
    pub truncated: bool,
    pub method: String,
    /// The path and query that were sent (relative to the server's base).
    pub path: String,
    /// The history entry of this call.
    pub history_id: String,
}

impl ExecuteResult {
    /// Whether Clockify answered 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A refusal or failure of the explorer itself (not Clockify's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    /// For `invalid_parameters`: each field and what is wrong with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.into(),
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)?;
        for problem in &self.problems {
            write!(formatter, "; {}: {}", problem.field, problem.reason)?;
        }
        Ok(())
    }
}

/// One past call in a user's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub id: String,
    pub operation_id: String,
    pub method: String,
    /// Path and query as sent.
    pub path: String,
    /// The form values, to run it again.
    pub params: FormValues,
    pub body: Option<String>,
    /// Clockify's status; `None` when no answer came.
    pub status: Option<u16>,
    pub duration_ms: u64,
    /// Why no answer came.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub at: i64,
}

/// A draft flow step made from a request: what "make a flow action" hands the flow builder
/// (`/{addon}/ui/flows?action=<this as JSON>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDraft {
    pub operation_id: String,
    pub params: FormValues,
    pub body: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_default_what_is_left_out() {
        let request: ExecuteRequest = serde_json::from_str(r#"{"operationId":"getTags"}"#).unwrap();
        assert_eq!(
            request,
            ExecuteRequest {
                operation_id: "getTags".into(),
                ..ExecuteRequest::default()
            }
        );
        let error = ApiError {
            code: "invalid_parameters".into(),
            message: "fix the form".into(),
            problems: vec![Problem {
                field: "page".into(),
                reason: "must be a whole number".into(),
            }],
        };
        assert_eq!(error.to_string(), "fix the form; page: must be a whole number");
        assert_eq!(
            serde_json::to_value(ApiError::new("x", "y")).unwrap(),
            serde_json::json!({ "code": "x", "message": "y" })
        );
    }
}
