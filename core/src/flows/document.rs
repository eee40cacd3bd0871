//! The JSON document a flow reads: rules' JSONPath and templates both see
//!
//! ```json
//! {
//!   "event":   { "id": "…", "type": "NEW_TIME_ENTRY", "source": "clockify",
//!                "workspaceId": "…", "receivedAt": "2025-06-16T18:53:01.123Z" },
//!   "body":    { …the delivery's JSON body, or its text as a JSON string… },
//!   "headers": { "content-type": "application/json", … },
//!   "steps":   { "tag": { "status": 201, "body": { … }, "headers": { … } } }
//! }
//! ```
//!
//! `steps` exists only while a flow runs (the preview does not know the outputs). Templates
//! can also read `secrets.NAME`, which is never part of this document: the secrets are passed
//! to the renderer separately, so that a document shown to people never holds them.

use serde_json::{Map, Value};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// One event, as a flow sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventContext {
    pub event_id: String,
    pub workspace_id: String,
    /// `clockify` or a custom source's id.
    pub source: String,
    pub event_type: String,
    /// Unix milliseconds.
    pub received_at: i64,
    /// A JSON object of lower-case header name to value.
    pub headers: Value,
    /// The parsed JSON body, or a JSON string holding the raw text of a non-JSON body.
    pub body: Value,
}

impl EventContext {
    /// An event as stored: the raw body text (JSON or not) and the headers' JSON object text.
    /// Headers that are not a JSON object become an empty object; names are lower-cased.
    pub fn from_stored(
        event_id: &str,
        workspace_id: &str,
        source: &str,
        event_type: &str,
        received_at: i64,
        headers_json: &str,
        body: &str,
    ) -> EventContext {
        let headers = match serde_json::from_str::<Value>(headers_json) {
            Ok(Value::Object(object)) => Value::Object(
                object
                    .into_iter()
                    .map(|(name, value)| (name.to_ascii_lowercase(), value))
                    .collect(),
            ),
            _ => Value::Object(Map::new()),
        };
        let body = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()));
        EventContext {
            event_id: event_id.to_owned(),
            workspace_id: workspace_id.to_owned(),
            source: source.to_owned(),
            event_type: event_type.to_owned(),
            received_at,
            headers,
            body,
        }
    }
}

/// `received_at` (unix ms) as RFC 3339 in UTC with milliseconds; `null` when out of range.
pub fn rfc3339_from_millis(millis: i64) -> Value {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|moment| moment.format(&Rfc3339).ok())
        .map_or(Value::Null, Value::String)
}

/// The document rules and templates read (without `steps`; see [`with_step`]).
pub fn document(ctx: &EventContext) -> Value {
    ctx.clone().into_document()
}

impl EventContext {
    /// [`document`] without copying the body and headers.
    pub fn into_document(self) -> Value {
        let mut event = Map::new();
        event.insert("id".into(), Value::String(self.event_id));
        event.insert("type".into(), Value::String(self.event_type));
        event.insert("source".into(), Value::String(self.source));
        event.insert("workspaceId".into(), Value::String(self.workspace_id));
        event.insert("receivedAt".into(), rfc3339_from_millis(self.received_at));
        let headers = if self.headers.is_object() {
            self.headers
        } else {
            Value::Object(Map::new())
        };
        let mut root = Map::new();
        root.insert("event".into(), Value::Object(event));
        root.insert("body".into(), self.body);
        root.insert("headers".into(), headers);
        Value::Object(root)
    }
}

/// Records a finished step's output in the document as `steps.<id>`: `status`, `body`
/// (JSON, or the text as a JSON string) and `headers` (an object).
pub fn with_step(doc: &mut Value, id: &str, status: u16, body: Value, headers: Value) {
    let Value::Object(root) = doc else {
        return;
    };
    let steps = root.entry("steps").or_insert_with(|| Value::Object(Map::new()));
    if !steps.is_object() {
        *steps = Value::Object(Map::new());
    }
    if let Value::Object(steps) = steps {
        let mut output = Map::new();
        output.insert("status".into(), Value::from(status));
        output.insert("body".into(), body);
        output.insert("headers".into(), headers);
        steps.insert(id.to_owned(), Value::Object(output));
    }
}

/// The workspace id of the event in a document (`event.workspaceId`).
pub fn workspace_id(doc: &Value) -> Option<&str> {
    doc.get("event")?.get("workspaceId")?.as_str()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stored_events_become_the_documented_shape() {
        let ctx = EventContext::from_stored(
            "ev1",
            "ws1",
            "clockify",
            "NEW_TIME_ENTRY",
            1_750_100_000_123,
            r#"{"Content-Type":"application/json","X-Foo":"bar"}"#,
            r#"{"id":"te1"}"#,
        );
        let doc = document(&ctx);
        assert_eq!(
            doc,
            json!({
                "event": { "id": "ev1", "type": "NEW_TIME_ENTRY", "source": "clockify",
                           "workspaceId": "ws1", "receivedAt": "2025-06-16T18:53:20.123Z" },
                "body": { "id": "te1" },
                "headers": { "content-type": "application/json", "x-foo": "bar" }
            })
        );
        assert_eq!(workspace_id(&doc), Some("ws1"));
    }

    #[test]
    fn non_json_bodies_and_bad_headers_are_kept_safely() {
        let ctx = EventContext::from_stored("e", "w", "src1", "push", 0, "not json", "a=1&b=2");
        assert_eq!(ctx.body, json!("a=1&b=2"));
        assert_eq!(ctx.headers, json!({}));
        assert_eq!(document(&ctx)["event"]["receivedAt"], json!("1970-01-01T00:00:00Z"));
        assert_eq!(rfc3339_from_millis(i64::MAX), Value::Null);
    }

    #[test]
    fn steps_are_added_under_their_ids() {
        let mut doc = json!({ "event": {}, "body": {}, "headers": {} });
        with_step(&mut doc, "tag", 201, json!({ "id": "t1" }), json!({}));
        with_step(&mut doc, "notify", 200, json!("ok"), json!({ "x": "1" }));
        assert_eq!(doc["steps"]["tag"]["body"]["id"], json!("t1"));
        assert_eq!(doc["steps"]["notify"]["status"], json!(200));
    }
}
