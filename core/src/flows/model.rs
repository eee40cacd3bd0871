//! What a flow is: a trigger, conditions and ordered actions. Pure data, serialised as JSON
//! in the database, in export files and between the builder and the server. The same types
//! compile to WASM for the builder's live preview.
//!
//! ```json
//! {
//!   "name": "Tag long entries",
//!   "trigger": { "eventTypes": ["NEW_TIME_ENTRY"], "sources": [] },
//!   "conditions": { "combine": "all", "groups": [
//!     { "combine": "any", "rules": [
//!       { "path": "$.body.timeInterval.duration", "operator": "greater_than", "value": "PT8H" } ] } ] },
//!   "actions": [
//!     { "kind": "clockify", "id": "tag", "operationId": "createTag",
//!       "params": { "workspaceId": "{{ event.workspaceId }}" },
//!       "body": { "name": "long: {{ body.description | default('no description') }}" } } ]
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A flow's definition: one version of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowDefinition {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub trigger: Trigger,
    #[serde(default)]
    pub conditions: Conditions,
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// Which events start the flow. An event matches when it comes from Clockify and its type is
/// in `event_types`, or when it comes from one of `sources` (custom sources, Universal Webhook
/// only) and `event_types` is empty or holds its type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// Clockify event types (`NEW_TIME_ENTRY`, ...), or custom sources' event types.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Custom source ids.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// How the results of several checks combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Every one must hold (an empty list holds).
    #[default]
    All,
    /// At least one must hold (an empty list holds).
    Any,
}

/// The flow's conditions: groups of rules. No groups means "always".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    #[serde(default)]
    pub combine: Combine,
    #[serde(default)]
    pub groups: Vec<ConditionGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionGroup {
    #[serde(default)]
    pub combine: Combine,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One check: a JSONPath into the event document (see [`super::document`]), an operator and,
/// for operators that take one, a value (a literal; `in_list` takes comma-separated values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub path: String,
    pub operator: Operator,
    #[serde(default)]
    pub value: String,
}

/// The comparison a rule makes. Ordered comparisons work on numbers, ISO-8601 date-times and
/// ISO-8601 durations (both sides of the same kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    #[default]
    Equals,
    NotEquals,
    Contains,
    StartsWith,
    EndsWith,
    /// A regular expression (linear time, size-limited).
    Matches,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Exists,
    IsEmpty,
    InList,
}

impl Operator {
    pub const ALL: [Operator; 13] = [
        Operator::Equals,
        Operator::NotEquals,
        Operator::Contains,
        Operator::StartsWith,
        Operator::EndsWith,
        Operator::Matches,
        Operator::GreaterThan,
        Operator::GreaterOrEqual,
        Operator::LessThan,
        Operator::LessOrEqual,
        Operator::Exists,
        Operator::IsEmpty,
        Operator::InList,
    ];

    /// The serialised name (`greater_than`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::NotEquals => "not_equals",
            Operator::Contains => "contains",
            Operator::StartsWith => "starts_with",
            Operator::EndsWith => "ends_with",
            Operator::Matches => "matches",
            Operator::GreaterThan => "greater_than",
            Operator::GreaterOrEqual => "greater_or_equal",
            Operator::LessThan => "less_than",
            Operator::LessOrEqual => "less_or_equal",
            Operator::Exists => "exists",
            Operator::IsEmpty => "is_empty",
            Operator::InList => "in_list",
        }
    }

    /// What people read in the builder.
    pub fn label(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::NotEquals => "does not equal",
            Operator::Contains => "contains",
            Operator::StartsWith => "starts with",
            Operator::EndsWith => "ends with",
            Operator::Matches => "matches regex",
            Operator::GreaterThan => "is greater than",
            Operator::GreaterOrEqual => "is greater than or equal to",
            Operator::LessThan => "is less than",
            Operator::LessOrEqual => "is less than or equal to",
            Operator::Exists => "exists",
            Operator::IsEmpty => "is empty",
            Operator::InList => "is one of",
        }
    }

    pub fn parse(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|operator| operator.as_str() == name)
    }

    /// Whether the rule's `value` is used.
    pub fn takes_value(self) -> bool {
        !matches!(self, Operator::Exists | Operator::IsEmpty)
    }
}

/// One step. Steps run in order; each step's output is available to later steps' templates
/// as `steps.<id>` (`steps.tag.body.id`, `steps.tag.status`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A Clockify API operation from the OpenAPI model, sent with the installation's token.
    #[serde(rename_all = "camelCase")]
    Clockify {
        /// Unique within the flow: letters, digits and `_`, starting with a letter.
        id: String,
        operation_id: String,
        /// Path and query parameter name to template. `workspaceId` defaults to the event's
        /// workspace when left out.
        #[serde(default)]
        params: BTreeMap<String, String>,
        /// A JSON body whose strings are templates. A string that is exactly one
        /// `{{ expression }}` keeps the expression's JSON type (number, object, ...).
        #[serde(default)]
        body: Option<Value>,
    },
    /// An HTTP request to any public address (Universal Webhook, with the setting on).
    #[serde(rename_all = "camelCase")]
    Http {
        id: String,
        /// GET, POST, PUT, PATCH or DELETE.
        method: String,
        /// A template; must render to an http(s) URL.
        url: String,
        /// Header name to template. `{{ secrets.NAME }}` inserts a stored secret.
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// A template rendered as text (send JSON with the `json` filter).
        #[serde(default)]
        body: Option<String>,
    },
}

impl Action {
    pub fn id(&self) -> &str {
        match self {
            Action::Clockify { id, .. } | Action::Http { id, .. } => id,
        }
    }
}
