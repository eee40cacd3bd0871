//! Webhooks created through Clockify's REST API (`POST /v1/workspaces/{id}/webhooks`): what is
//! stored, how a request is validated, the plan's limits and which events a webhook's trigger
//! source lets through.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::workspace::Workspace;

/// The `triggerSourceType` values Clockify accepts.
pub const TRIGGER_SOURCE_TYPES: [&str; 7] = [
    "PROJECT_ID",
    "USER_ID",
    "TAG_ID",
    "TASK_ID",
    "WORKSPACE_ID",
    "ASSIGNMENT_ID",
    "EXPENSE_ID",
];

/// Shortest and longest webhook name.
pub const NAME_LENGTH: (usize, usize) = (2, 30);

/// A webhook an add-on created through the API. It belongs to the creating installation and
/// goes when that installation goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiWebhook {
    /// 24-hex id.
    pub id: String,
    /// 2–30 characters.
    pub name: String,
    /// Where deliveries go (http or https).
    pub url: String,
    /// One of the 51 events.
    pub event: String,
    /// One of [`TRIGGER_SOURCE_TYPES`].
    pub trigger_source_type: String,
    /// The ids the trigger source type refers to.
    pub trigger_source: Vec<String>,
    /// The creating add-on's user (counts against that user's limit).
    pub user_id: String,
    /// The signature sent as `clockify-signature` with every delivery.
    pub auth_token: String,
    /// Whether it is switched on (always, in the simulator).
    pub enabled: bool,
    /// The creating add-on's key.
    pub addon_key: String,
    /// The creating installation's id.
    pub addon_id: String,
}

impl ApiWebhook {
    /// The webhook as Clockify's `WebhookDtoV1`.
    pub fn dto(&self, workspace_id: &str, plan_enabled: bool) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "webhookEvent": self.event,
            "triggerSource": self.trigger_source,
            "triggerSourceType": self.trigger_source_type,
            "workspaceId": workspace_id,
            "userId": self.user_id,
            "authToken": self.auth_token,
            "enabled": self.enabled,
            "deliveryEnabled": true,
            "planEnabled": plan_enabled,
        })
    }

    /// Applies a validated create or update request.
    pub fn apply(&mut self, request: WebhookRequest) {
        if let Some(name) = request.name {
            self.name = name;
        }
        self.url = request.url;
        self.event = request.event;
        self.trigger_source_type = request.trigger_source_type;
        self.trigger_source = request.trigger_source;
    }
}

/// A validated `CreateWebhookRequestV1` / `UpdateWebhookRequestV1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    /// The name, if given (on create it defaults to the event's name).
    pub name: Option<String>,
    /// Target URL.
    pub url: String,
    /// `webhookEvent`.
    pub event: String,
    /// `triggerSourceType`.
    pub trigger_source_type: String,
    /// `triggerSource`.
    pub trigger_source: Vec<String>,
}

fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Validates a create or update body: `url`, `webhookEvent`, `triggerSourceType` and
/// `triggerSource` are required, `name` is optional. Answers every problem in one readable
/// line, as Clockify's 400 `message`.
pub fn parse_request(body: &Value, workspace: &Workspace) -> Result<WebhookRequest, String> {
    let Some(fields) = body.as_object() else {
        return Err("The request body must be a JSON object".into());
    };
    let mut problems = Vec::new();
    let text = |field: &str, problems: &mut Vec<String>| match fields.get(field) {
        None | Some(Value::Null) => {
            problems.push(format!("{field}: must not be null"));
            None
        }
        Some(Value::String(value)) => Some(value.clone()),
        Some(_) => {
            problems.push(format!("{field}: must be a string"));
            None
        }
    };

    let name = match fields.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => {
            let length = name.chars().count();
            if length < NAME_LENGTH.0 || length > NAME_LENGTH.1 {
                problems.push(format!(
                    "name: size must be between {} and {}",
                    NAME_LENGTH.0, NAME_LENGTH.1
                ));
            }
            Some(name.clone())
        }
        Some(_) => {
            problems.push("name: must be a string".into());
            None
        }
    };

    let url = text("url", &mut problems);
    if let Some(url) = &url {
        let valid = reqwest::Url::parse(url)
            .is_ok_and(|parsed| matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some());
        if !valid {
            problems.push(format!("url: '{url}' is not a valid http or https URL"));
        }
    }

    let event = text("webhookEvent", &mut problems);
    if let Some(event) = &event {
        if addon_core::events::find_event(event).is_none() {
            problems.push(format!("webhookEvent: '{event}' is not a webhook event"));
        }
    }

    let trigger_source_type = text("triggerSourceType", &mut problems);
    if let Some(kind) = &trigger_source_type {
        if !TRIGGER_SOURCE_TYPES.contains(&kind.as_str()) {
            problems.push(format!(
                "triggerSourceType: '{kind}' is not one of {}",
                TRIGGER_SOURCE_TYPES.join(", ")
            ));
        }
    }

    let trigger_source: Option<Vec<String>> = match fields.get("triggerSource") {
        None | Some(Value::Null) => {
            problems.push("triggerSource: must not be null".into());
            None
        }
        Some(Value::Array(items)) => {
            let ids: Option<Vec<String>> = items.iter().map(|item| item.as_str().map(str::to_string)).collect();
            match ids {
                None => {
                    problems.push("triggerSource: must be an array of ids".into());
                    None
                }
                Some(ids) if ids.is_empty() => {
                    problems.push("triggerSource: must not be empty".into());
                    None
                }
                Some(ids) => Some(ids),
            }
        }
        Some(_) => {
            problems.push("triggerSource: must be an array of ids".into());
            None
        }
    };
    if let (Some(kind), Some(ids)) = (&trigger_source_type, &trigger_source) {
        for id in ids {
            if kind == "WORKSPACE_ID" && *id != workspace.id {
                problems.push(format!(
                    "triggerSource: '{id}' is not this workspace's id (WORKSPACE_ID takes [\"{}\"])",
                    workspace.id
                ));
            } else if !is_object_id(id) {
                problems.push(format!("triggerSource: '{id}' is not a valid id"));
            }
        }
    }

    match (url, event, trigger_source_type, trigger_source) {
        (Some(url), Some(event), Some(trigger_source_type), Some(trigger_source)) if problems.is_empty() => {
            Ok(WebhookRequest {
                name,
                url,
                event,
                trigger_source_type,
                trigger_source,
            })
        }
        _ => Err(problems.join("; ")),
    }
}

/// How many API webhooks a workspace's plan allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookLimits {
    /// In the whole workspace.
    pub per_workspace: usize,
    /// Per user (an add-on's webhooks count against its own user).
    pub per_user: usize,
}

/// The limits of `plan`: FREE 3 per workspace; BASIC, STANDARD and PRO 10 per user and 100 per
/// workspace; ENTERPRISE 100 per user and 300 per workspace.
pub fn limits(plan: &str) -> WebhookLimits {
    match plan {
        "FREE" => WebhookLimits {
            per_workspace: 3,
            per_user: 3,
        },
        "ENTERPRISE" => WebhookLimits {
            per_workspace: 300,
            per_user: 100,
        },
        _ => WebhookLimits {
            per_workspace: 100,
            per_user: 10,
        },
    }
}

/// Whether `existing` leaves room for one more webhook of `user_id` on `plan`; the refusal is
/// Clockify-like prose.
pub fn check_room(plan: &str, existing: &[ApiWebhook], user_id: &str) -> Result<(), String> {
    let limits = limits(plan);
    if existing.len() >= limits.per_workspace {
        return Err(format!(
            "Webhook limit reached: the workspace already has {} webhooks, the most the {plan} plan allows",
            existing.len()
        ));
    }
    let of_user = existing.iter().filter(|webhook| webhook.user_id == user_id).count();
    if of_user >= limits.per_user {
        return Err(format!(
            "Webhook limit reached: user {user_id} already has {of_user} webhooks, the most one user may have on the {plan} plan"
        ));
    }
    Ok(())
}

/// The ids of the webhooks `plan` covers: the oldest ones within both limits (after a
/// downgrade, the newer ones stop being delivered, as `planEnabled: false` says).
pub fn plan_enabled(plan: &str, webhooks: &[ApiWebhook]) -> HashSet<String> {
    let limits = limits(plan);
    let mut per_user: HashMap<&str, usize> = HashMap::new();
    let mut enabled = HashSet::new();
    for webhook in webhooks {
        let of_user = per_user.entry(&webhook.user_id).or_default();
        if enabled.len() < limits.per_workspace && *of_user < limits.per_user {
            *of_user += 1;
            enabled.insert(webhook.id.clone());
        }
    }
    enabled
}

/// The kind of entity an event's body is, for trigger-source matching by the body's own `id`.
fn entity_of(event: &str) -> &'static str {
    match event {
        "NEW_PROJECT" | "PROJECT_UPDATED" | "PROJECT_DELETED" => "PROJECT_ID",
        "NEW_TAG" | "TAG_UPDATED" | "TAG_DELETED" => "TAG_ID",
        "NEW_TASK" | "TASK_UPDATED" | "TASK_DELETED" => "TASK_ID",
        _ if event.starts_with("ASSIGNMENT_") => "ASSIGNMENT_ID",
        _ if event.starts_with("EXPENSE_") => "EXPENSE_ID",
        _ if event.starts_with("USER_") && !event.starts_with("USER_GROUP_") => "USER_ID",
        "USERS_INVITED_TO_WORKSPACE" | "LIMITED_USERS_ADDED_TO_WORKSPACE" => "USER_ID",
        _ => "",
    }
}

/// The ids of kind `trigger_source_type` that an `event` with `body` concerns: the body's own
/// `id` when it is such an entity, its `projectId`/`userId`/`taskId`/`tagIds` and hydrated
/// `project`/`user`/`task`/`tags` otherwise.
fn referenced_ids<'a>(trigger_source_type: &str, event: &str, body: &'a Value) -> Vec<&'a str> {
    let mut ids = Vec::new();
    let mut push = |value: Option<&'a Value>| {
        if let Some(id) = value.and_then(Value::as_str) {
            ids.push(id);
        }
    };
    if entity_of(event) == trigger_source_type {
        push(body.get("id"));
    }
    match trigger_source_type {
        "PROJECT_ID" => {
            push(body.get("projectId"));
            push(body.pointer("/project/id"));
        }
        "USER_ID" => {
            push(body.get("userId"));
            push(body.pointer("/user/id"));
        }
        "TASK_ID" => {
            push(body.get("taskId"));
            push(body.pointer("/task/id"));
        }
        "TAG_ID" => {
            for tag_id in body.get("tagIds").and_then(Value::as_array).into_iter().flatten() {
                push(Some(tag_id));
            }
            for tag in body.get("tags").and_then(Value::as_array).into_iter().flatten() {
                push(tag.get("id"));
            }
        }
        _ => {}
    }
    ids
}

/// Whether a webhook with `trigger_source_type` and `trigger_source` lets `event` with `body`
/// through: `WORKSPACE_ID` lets everything through; the other types need the body to concern
/// one of the listed ids.
pub fn trigger_matches(trigger_source_type: &str, trigger_source: &[String], event: &str, body: &Value) -> bool {
    if trigger_source_type == "WORKSPACE_ID" {
        return true;
    }
    referenced_ids(trigger_source_type, event, body)
        .into_iter()
        .any(|id| trigger_source.iter().any(|wanted| wanted == id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::WorkspaceSpec;

    fn workspace() -> Workspace {
        Workspace::generate(&WorkspaceSpec {
            time_entries: 10,
            ..WorkspaceSpec::default()
        })
    }

    fn webhook(user_id: &str, index: usize) -> ApiWebhook {
        ApiWebhook {
            id: format!("{index:024x}"),
            name: "hook".into(),
            url: "http://example.test/hook".into(),
            event: "NEW_TAG".into(),
            trigger_source_type: "WORKSPACE_ID".into(),
            trigger_source: vec!["ws".into()],
            user_id: user_id.into(),
            auth_token: "token".into(),
            enabled: true,
            addon_key: "k".into(),
            addon_id: "a".into(),
        }
    }

    #[test]
    fn valid_requests_parse_and_bad_ones_say_why() {
        let workspace = workspace();
        let good = json!({
            "name": "Tags", "url": "https://example.test/hook", "webhookEvent": "NEW_TAG",
            "triggerSourceType": "WORKSPACE_ID", "triggerSource": [workspace.id],
        });
        let request = parse_request(&good, &workspace).unwrap();
        assert_eq!(
            (request.name.as_deref(), request.event.as_str()),
            (Some("Tags"), "NEW_TAG")
        );

        let mut without_name = good.clone();
        without_name.as_object_mut().unwrap().remove("name");
        assert_eq!(parse_request(&without_name, &workspace).unwrap().name, None);

        let cases = [
            ("name", json!("x"), "name: size must be between 2 and 30"),
            ("name", json!("x".repeat(31)), "name: size"),
            ("url", json!("ftp://example.test"), "url: "),
            ("url", json!("not a url"), "url: "),
            ("url", Value::Null, "url: must not be null"),
            ("webhookEvent", json!("NEW_THING"), "webhookEvent: 'NEW_THING'"),
            ("triggerSourceType", json!("GROUP_ID"), "triggerSourceType: 'GROUP_ID'"),
            ("triggerSource", json!("abc"), "triggerSource: must be an array"),
            ("triggerSource", json!([]), "triggerSource: must not be empty"),
            (
                "triggerSource",
                json!(["ffffffffffffffffffffffff"]),
                "not this workspace's id",
            ),
        ];
        for (field, value, expected) in cases {
            let mut body = good.clone();
            body[field] = value;
            let problem = parse_request(&body, &workspace).unwrap_err();
            assert!(problem.contains(expected), "{field}: {problem}");
        }
        let mut project = good.clone();
        project["triggerSourceType"] = json!("PROJECT_ID");
        project["triggerSource"] = json!(["not-an-id"]);
        assert!(parse_request(&project, &workspace)
            .unwrap_err()
            .contains("not a valid id"));
        assert!(parse_request(&json!([]), &workspace).is_err());
    }

    #[test]
    fn limits_follow_the_plan() {
        assert_eq!(limits("FREE").per_workspace, 3);
        assert_eq!((limits("PRO").per_user, limits("PRO").per_workspace), (10, 100));
        assert_eq!((limits("BASIC").per_user, limits("STANDARD").per_workspace), (10, 100));
        assert_eq!(
            (limits("ENTERPRISE").per_user, limits("ENTERPRISE").per_workspace),
            (100, 300)
        );

        let three: Vec<ApiWebhook> = (0..3).map(|index| webhook("u1", index)).collect();
        assert!(check_room("FREE", &three, "u2").unwrap_err().contains("workspace"));
        assert!(check_room("PRO", &three, "u1").is_ok());
        let ten: Vec<ApiWebhook> = (0..10).map(|index| webhook("u1", index)).collect();
        assert!(check_room("PRO", &ten, "u1").unwrap_err().contains("user u1"));
        assert!(check_room("PRO", &ten, "u2").is_ok());
        assert!(check_room("ENTERPRISE", &ten, "u1").is_ok());
        let hundred: Vec<ApiWebhook> = (0..100).map(|index| webhook("u1", index)).collect();
        assert!(check_room("ENTERPRISE", &hundred, "u1").is_err());
        assert!(check_room("ENTERPRISE", &hundred, "u2").is_ok());
        let full: Vec<ApiWebhook> = (0..300)
            .map(|index| webhook(&format!("u{}", index % 4), index))
            .collect();
        assert!(check_room("ENTERPRISE", &full, "u9").unwrap_err().contains("300"));

        let enabled = plan_enabled("FREE", &ten);
        assert_eq!(enabled.len(), 3);
        assert!(enabled.contains(&ten[0].id) && !enabled.contains(&ten[3].id));
        assert_eq!(plan_enabled("PRO", &ten).len(), 10);
    }

    #[test]
    fn trigger_sources_filter_by_the_ids_a_body_concerns() {
        let mut hook = webhook("u1", 1);
        let trigger_matches = |hook: &ApiWebhook, event: &str, body: &Value| {
            trigger_matches(&hook.trigger_source_type, &hook.trigger_source, event, body)
        };
        assert!(trigger_matches(&hook, "NEW_TAG", &json!({})));
        hook.trigger_source_type = "PROJECT_ID".into();
        hook.trigger_source = vec!["p1".into()];
        assert!(trigger_matches(&hook, "NEW_PROJECT", &json!({ "id": "p1" })));
        assert!(!trigger_matches(&hook, "NEW_PROJECT", &json!({ "id": "p2" })));
        assert!(trigger_matches(
            &hook,
            "NEW_TIME_ENTRY",
            &json!({ "id": "x", "projectId": "p1" })
        ));
        assert!(!trigger_matches(&hook, "NEW_TAG", &json!({ "id": "p1" })));
        hook.trigger_source_type = "TAG_ID".into();
        hook.trigger_source = vec!["t1".into()];
        assert!(trigger_matches(
            &hook,
            "NEW_TIME_ENTRY",
            &json!({ "tags": [{ "id": "t1" }] })
        ));
        assert!(trigger_matches(&hook, "TAG_UPDATED", &json!({ "id": "t1" })));
        hook.trigger_source_type = "USER_ID".into();
        hook.trigger_source = vec!["u1".into()];
        assert!(trigger_matches(&hook, "USER_UPDATED", &json!({ "id": "u1" })));
        assert!(trigger_matches(
            &hook,
            "EXPENSE_CREATED",
            &json!({ "id": "e", "userId": "u1" })
        ));
        assert!(!trigger_matches(&hook, "USER_GROUP_CREATED", &json!({ "id": "u1" })));
    }
}
