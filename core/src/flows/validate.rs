//! The checks a flow passes before it is saved; the builder runs them as the admin types and
//! the server runs them again on save. Each problem names its field (`name`,
//! `trigger.eventTypes[0]`, `conditions.groups[1].rules[0].path`, `actions[2].params.projectId`,
//! `actions[0].body.name`) and says, in a sentence, what to change.
//!
//! The same pass compiles everything it checks (paths, regexes, templates), so that
//! [`super::evaluate::CompiledFlow`] and the preview reuse the work.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{
    condition::CompiledConditions,
    evaluate::{CompiledKind, CompiledStep},
    model::{Action, FlowDefinition},
    template::{CompiledText, References, TemplateError, Templates},
};
use crate::{
    openapi::{missing_scopes, ApiServer, ApiSpec, ParamLocation},
    profile::Profile,
};

/// The longest flow name (characters).
pub const MAX_NAME_CHARS: usize = 100;
/// The longest description (characters).
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// The most actions (steps) a flow may have.
pub const MAX_ACTIONS: usize = 20;
/// The most rules a flow may have, over all groups.
pub const MAX_RULES: usize = 50;
/// The most event types a trigger may list.
pub const MAX_EVENT_TYPES: usize = 60;
/// The longest step id (characters).
pub const MAX_STEP_ID_CHARS: usize = 40;
/// The longest rule path (characters).
pub const MAX_PATH_CHARS: usize = 500;
/// The longest rule value (characters).
pub const MAX_VALUE_CHARS: usize = 2_000;
/// The most headers an HTTP action may set.
pub const MAX_HEADERS: usize = 30;
/// The methods an HTTP action may use.
pub const HTTP_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
/// Headers the add-on sets itself.
const RESERVED_HEADERS: [&str; 5] = ["host", "content-length", "transfer-encoding", "connection", "upgrade"];

/// One thing to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where: `actions[2].params.projectId`.
    pub field: String,
    /// What to change, as a sentence.
    pub message: String,
}

impl Problem {
    /// A problem on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What the workspace lets flows do.
#[derive(Debug, Clone)]
pub struct Capabilities<'a> {
    pub profile: &'a Profile,
    /// The workspace's setting for generic HTTP actions (used only where the profile has the
    /// feature).
    pub generic_http: bool,
    /// The workspace's custom source ids.
    pub source_ids: Vec<String>,
}

impl<'a> Capabilities<'a> {
    /// A profile's capabilities with generic HTTP off and no custom sources.
    pub fn new(profile: &'a Profile) -> Capabilities<'a> {
        Capabilities {
            profile,
            generic_http: false,
            source_ids: Vec::new(),
        }
    }

    /// Whether HTTP actions may be used: the profile has the feature and the setting is on.
    pub fn http_allowed(&self) -> bool {
        self.generic_http && self.profile.features.generic_http_actions
    }
}

/// Every problem of a definition; empty when it may be saved.
pub fn validate(def: &FlowDefinition, caps: &Capabilities) -> Vec<Problem> {
    check(def, caps).problems
}

/// The problems and everything compiled on the way.
pub(crate) struct Checked {
    pub(crate) problems: Vec<Problem>,
    pub(crate) conditions: CompiledConditions,
    pub(crate) templates: Templates,
    /// Per action: the compiled step, or why it cannot be rendered at all.
    pub(crate) steps: Vec<Result<CompiledStep, String>>,
}

pub(crate) fn check(def: &FlowDefinition, caps: &Capabilities) -> Checked {
    let mut problems = Vec::new();
    check_name(def, &mut problems);
    check_trigger(def, caps, &mut problems);
    let conditions = check_conditions(def, &mut problems);
    let mut templates = Templates::new();
    let steps = check_actions(def, caps, &mut templates, &mut problems);
    Checked {
        problems,
        conditions,
        templates,
        steps,
    }
}

fn check_name(def: &FlowDefinition, problems: &mut Vec<Problem>) {
    let name = def.name.trim();
    if name.is_empty() {
        problems.push(Problem::new("name", "Give the flow a name."));
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.push(Problem::new(
            "name",
            format!("The name is longer than {MAX_NAME_CHARS} characters: shorten it."),
        ));
    }
    if def.description.chars().count() > MAX_DESCRIPTION_CHARS {
        problems.push(Problem::new(
            "description",
            format!("The description is longer than {MAX_DESCRIPTION_CHARS} characters: shorten it."),
        ));
    }
}

fn check_trigger(def: &FlowDefinition, caps: &Capabilities, problems: &mut Vec<Problem>) {
    let trigger = &def.trigger;
    let profile = caps.profile;
    if trigger.event_types.is_empty() && trigger.sources.is_empty() {
        let what = if profile.features.custom_sources {
            "Choose at least one event or source that starts the flow."
        } else {
            "Choose at least one event that starts the flow."
        };
        problems.push(Problem::new("trigger.eventTypes", what));
    }
    if !trigger.sources.is_empty() && !profile.features.custom_sources {
        problems.push(Problem::new(
            "trigger.sources",
            format!(
                "{} flows start on Clockify events only; webhooks from other sources are a Universal Webhook feature.",
                profile.name
            ),
        ));
    }
    let custom = !trigger.sources.is_empty() && profile.features.custom_sources;
    if custom {
        for (index, source) in trigger.sources.iter().enumerate() {
            if !caps.source_ids.contains(source) {
                problems.push(Problem::new(
                    format!("trigger.sources[{index}]"),
                    format!("There is no source `{source}` in this workspace: choose one of your sources."),
                ));
            }
        }
    }
    if trigger.event_types.len() > MAX_EVENT_TYPES {
        problems.push(Problem::new(
            "trigger.eventTypes",
            format!(
                "A flow can start on at most {MAX_EVENT_TYPES} event types; this one lists {}.",
                trigger.event_types.len()
            ),
        ));
    }
    let catalog = profile.events();
    for (index, event_type) in trigger.event_types.iter().enumerate() {
        let field = format!("trigger.eventTypes[{index}]");
        if event_type.trim().is_empty() {
            problems.push(Problem::new(field, "The event type is empty: choose one or remove it."));
        } else if custom {
            if event_type.chars().count() > 100 || event_type.chars().any(char::is_control) {
                problems.push(Problem::new(
                    field,
                    "A source's event type is at most 100 characters, without line breaks.",
                ));
            }
        } else if !catalog.contains(&event_type.as_str()) {
            let message = if crate::events::find_event(event_type).is_some() {
                format!(
                    "{} does not receive `{event_type}`: choose one of its {} events.",
                    profile.name,
                    catalog.len()
                )
            } else {
                format!("`{event_type}` is not a Clockify event.")
            };
            problems.push(Problem::new(field, message));
        }
    }
}

fn check_conditions(def: &FlowDefinition, problems: &mut Vec<Problem>) -> CompiledConditions {
    let rules: usize = def.conditions.groups.iter().map(|group| group.rules.len()).sum();
    if rules > MAX_RULES {
        problems.push(Problem::new(
            "conditions",
            format!("A flow can have at most {MAX_RULES} rules; this one has {rules}."),
        ));
    }
    for (group_index, group) in def.conditions.groups.iter().enumerate() {
        for (rule_index, rule) in group.rules.iter().enumerate() {
            let field = format!("conditions.groups[{group_index}].rules[{rule_index}]");
            if rule.path.chars().count() > MAX_PATH_CHARS {
                problems.push(Problem::new(
                    format!("{field}.path"),
                    format!("The path is longer than {MAX_PATH_CHARS} characters."),
                ));
            }
            if rule.value.chars().count() > MAX_VALUE_CHARS {
                problems.push(Problem::new(
                    format!("{field}.value"),
                    format!("The value is longer than {MAX_VALUE_CHARS} characters."),
                ));
            }
        }
    }
    let compiled = CompiledConditions::compile(&def.conditions);
    for (group, rule, error) in compiled.errors() {
        problems.push(Problem::new(
            format!("conditions.groups[{group}].rules[{rule}].{}", error.field.as_str()),
            error.message.clone(),
        ));
    }
    compiled
}

/// Letters, digits and `_`, starting with a letter.
pub fn is_valid_step_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= MAX_STEP_ID_CHARS
}

/// An `http://` or `https://` address with a plausible host, no spaces.
pub fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        rest
    } else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    let port_ok = port.is_none_or(|port| port.parse::<u16>().is_ok_and(|port| port > 0));
    host_ok && port_ok
}

/// A header name: an RFC 9110 token.
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Problems with what a template reads: steps that do not run before it, unknown names.
fn check_references(
    references: &References,
    field: &str,
    earlier: &[&str],
    all_ids: &[&str],
    problems: &mut Vec<Problem>,
) {
    for step in &references.steps {
        if earlier.contains(&step.as_str()) {
            continue;
        }
        let message = if all_ids.contains(&step.as_str()) {
            format!("This uses `steps.{step}`, but step `{step}` does not run before this one: a step can only read the steps above it.")
        } else {
            format!("This uses `steps.{step}`, but there is no step `{step}` above this one.")
        };
        problems.push(Problem::new(field, message));
    }
    for name in &references.unknown {
        problems.push(Problem::new(
            field,
            format!("`{name}` is not something a template can read: use event, body, headers, steps or secrets."),
        ));
    }
}

fn push_template_errors(errors: Vec<TemplateError>, problems: &mut Vec<Problem>) -> String {
    let first = errors.first().map(|error| error.message.clone()).unwrap_or_default();
    problems.extend(errors.into_iter().map(|error| Problem::new(error.name, error.message)));
    first
}

fn check_actions(
    def: &FlowDefinition,
    caps: &Capabilities,
    templates: &mut Templates,
    problems: &mut Vec<Problem>,
) -> Vec<Result<CompiledStep, String>> {
    if def.actions.len() > MAX_ACTIONS {
        problems.push(Problem::new(
            "actions",
            format!(
                "A flow can have at most {MAX_ACTIONS} actions; this one has {}.",
                def.actions.len()
            ),
        ));
    }
    let all_ids: Vec<&str> = def.actions.iter().map(Action::id).collect();
    let mut steps = Vec::with_capacity(def.actions.len());
    for (index, action) in def.actions.iter().enumerate() {
        let prefix = format!("actions[{index}]");
        let id = action.id();
        if id.is_empty() {
            problems.push(Problem::new(
                format!("{prefix}.id"),
                "Give the step an id (letters, digits and _), so later steps can use its output.",
            ));
        } else if !is_valid_step_id(id) {
            problems.push(Problem::new(
                format!("{prefix}.id"),
                format!(
                    "The step id `{id}` may use letters, digits and _ only, must start with a letter and have at most {MAX_STEP_ID_CHARS} characters."
                ),
            ));
        } else if all_ids[..index].contains(&id) {
            problems.push(Problem::new(
                format!("{prefix}.id"),
                format!("Another step already uses the id `{id}`: step ids must be unique."),
            ));
        }
        let earlier = &all_ids[..index];
        let before = problems.len();
        let step = match action {
            Action::Clockify {
                operation_id,
                params,
                body,
                ..
            } => check_clockify(&prefix, operation_id, params, body.as_ref(), caps, templates, problems),
            Action::Http {
                method,
                url,
                headers,
                body,
                ..
            } => check_http(
                &prefix,
                method,
                url,
                headers,
                body.as_deref(),
                caps,
                templates,
                problems,
            ),
        };
        let step = step.map(|(kind, names)| {
            let mut uses_steps = BTreeSet::new();
            for name in names {
                let references = templates.references(&name);
                check_references(&references, &name, earlier, &all_ids, problems);
                uses_steps.extend(references.steps);
            }
            CompiledStep {
                id: id.to_string(),
                uses_steps,
                kind,
            }
        });
        // A step that compiled still counts as broken for the preview when its own checks
        // found something that makes it unsendable; the problems list says what.
        let step = step.map_err(|message| {
            if message.is_empty() {
                problems[before..]
                    .first()
                    .map(|problem| problem.message.clone())
                    .unwrap_or_else(|| "This step cannot be prepared.".to_string())
            } else {
                message
            }
        });
        steps.push(step);
    }
    steps
}

/// Compiles a text template, recording its problem; returns its name for reference checks.
fn compile_text(
    templates: &mut Templates,
    field: &str,
    source: &str,
    names: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) -> Result<CompiledText, String> {
    match templates.add(field, source) {
        Ok(compiled) => {
            if matches!(compiled, CompiledText::Template(_)) {
                names.push(field.to_string());
            }
            Ok(compiled)
        }
        Err(message) => {
            problems.push(Problem::new(field, message.clone()));
            Err(message)
        }
    }
}

type StepParts = (CompiledKind, Vec<String>);

fn check_clockify(
    prefix: &str,
    operation_id: &str,
    params: &std::collections::BTreeMap<String, String>,
    body: Option<&serde_json::Value>,
    caps: &Capabilities,
    templates: &mut Templates,
    problems: &mut Vec<Problem>,
) -> Result<StepParts, String> {
    let field = format!("{prefix}.operationId");
    let Some(operation) = ApiSpec::clockify().operation(operation_id) else {
        let message = if operation_id.trim().is_empty() {
            "Choose the Clockify operation this step runs.".to_string()
        } else {
            format!("There is no Clockify operation `{operation_id}`: choose one from the list.")
        };
        problems.push(Problem::new(field, message.clone()));
        return Err(message);
    };
    let label = format!("`{operation_id}` ({})", operation.label());
    if !operation.addon_auth || operation.server == ApiServer::AuditLog {
        problems.push(Problem::new(
            field.clone(),
            format!("Clockify does not accept an add-on's token for {label}: it needs a personal API key, so flows cannot run it."),
        ));
    }
    let missing = missing_scopes(operation, caps.profile.scopes);
    if !missing.is_empty() {
        problems.push(Problem::new(
            field.clone(),
            format!(
                "{label} needs the {} permission{}, which {} does not have.",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" },
                caps.profile.name
            ),
        ));
    }
    if operation.parameters_in(ParamLocation::Header).next().is_some() {
        problems.push(Problem::new(
            field.clone(),
            format!("{label} needs header parameters, which flows cannot send."),
        ));
    }
    let mut names = Vec::new();
    let mut compiled_params = Vec::new();
    let mut broken = false;
    for parameter in operation
        .parameters
        .iter()
        .filter(|parameter| matches!(parameter.location, ParamLocation::Path | ParamLocation::Query))
    {
        let value = params.get(&parameter.name);
        let defaults = parameter.name == "workspaceId" && parameter.location == ParamLocation::Path;
        let blank = value.is_none_or(|value| value.trim().is_empty());
        if parameter.required && blank && !defaults {
            problems.push(Problem::new(
                format!("{prefix}.params.{}", parameter.name),
                format!("{label} needs `{}`: fill it in.", parameter.name),
            ));
        }
    }
    for (name, value) in params {
        let field = format!("{prefix}.params.{name}");
        let location = operation
            .parameter(name)
            .map(|parameter| parameter.location)
            .filter(|location| matches!(location, ParamLocation::Path | ParamLocation::Query));
        let Some(location) = location else {
            problems.push(Problem::new(
                field,
                format!("{label} has no parameter `{name}`: remove it."),
            ));
            continue;
        };
        match compile_text(templates, &field, value, &mut names, problems) {
            Ok(compiled) => compiled_params.push((name.clone(), location, compiled)),
            Err(_) => broken = true,
        }
    }
    let body_field = format!("{prefix}.body");
    let body = body.filter(|body| !body.is_null());
    match (&operation.request_body, body) {
        (Some(request), _) if request.content_type != "application/json" => {
            problems.push(Problem::new(
                field.clone(),
                format!(
                    "{label} takes a {} body (a file upload), which flows cannot send.",
                    request.content_type
                ),
            ));
        }
        (Some(request), None) if request.required => {
            problems.push(Problem::new(body_field.clone(), format!("{label} needs a JSON body.")));
        }
        (None, Some(_)) => {
            problems.push(Problem::new(
                body_field.clone(),
                format!("{label} takes no body: remove it."),
            ));
        }
        _ => {}
    }
    let compiled_body = match body {
        Some(body) => match templates.add_value(&body_field, body) {
            Ok(compiled) => {
                collect_value_names(&compiled, &mut names);
                Some(compiled)
            }
            Err(errors) => {
                push_template_errors(errors, problems);
                broken = true;
                None
            }
        },
        None => None,
    };
    if broken {
        return Err(String::new());
    }
    Ok((
        CompiledKind::Clockify {
            operation,
            params: compiled_params,
            body: compiled_body,
        },
        names,
    ))
}

fn collect_value_names(value: &super::template::CompiledValue, names: &mut Vec<String>) {
    use super::template::CompiledValue;
    match value {
        CompiledValue::Literal(_) => {}
        CompiledValue::Text(super::template::TextTemplate { name, .. })
        | CompiledValue::Typed(super::template::TypedTemplate { name, .. }) => names.push(name.clone()),
        CompiledValue::Array(items) => items.iter().for_each(|item| collect_value_names(item, names)),
        CompiledValue::Object(entries) => entries.iter().for_each(|(_, item)| collect_value_names(item, names)),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_http(
    prefix: &str,
    method: &str,
    url: &str,
    headers: &std::collections::BTreeMap<String, String>,
    body: Option<&str>,
    caps: &Capabilities,
    templates: &mut Templates,
    problems: &mut Vec<Problem>,
) -> Result<StepParts, String> {
    if !caps.http_allowed() {
        let message = if caps.profile.features.generic_http_actions {
            "Generic HTTP actions are off in this workspace's settings: turn them on, or use a Clockify action."
                .to_string()
        } else {
            format!(
                "{} flows call the Clockify API only; generic HTTP actions are a Universal Webhook feature.",
                caps.profile.name
            )
        };
        problems.push(Problem::new(prefix, message));
    }
    let method = method.trim().to_ascii_uppercase();
    if !HTTP_METHODS.contains(&method.as_str()) {
        problems.push(Problem::new(
            format!("{prefix}.method"),
            "The method must be GET, POST, PUT, PATCH or DELETE.",
        ));
    }
    let mut names = Vec::new();
    let mut broken = false;
    let url_field = format!("{prefix}.url");
    let compiled_url = if url.trim().is_empty() {
        problems.push(Problem::new(&url_field, "Enter the address to send the request to."));
        broken = true;
        None
    } else if !super::template::is_template(url) && !is_http_url(url.trim()) {
        problems.push(Problem::new(
            &url_field,
            format!("`{url}` is not a web address: it must start with https:// (or http://) and name a host."),
        ));
        broken = true;
        None
    } else {
        compile_text(templates, &url_field, url.trim(), &mut names, problems)
            .map_err(|_| broken = true)
            .ok()
    };
    if headers.len() > MAX_HEADERS {
        problems.push(Problem::new(
            format!("{prefix}.headers"),
            format!("A request can set at most {MAX_HEADERS} headers."),
        ));
    }
    let mut compiled_headers = Vec::new();
    for (name, value) in headers {
        let field = format!("{prefix}.headers.{name}");
        if !is_header_name(name) {
            problems.push(Problem::new(field, format!("`{name}` is not a valid header name.")));
            continue;
        }
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            problems.push(Problem::new(
                field,
                format!("`{name}` is set by the add-on itself: remove it."),
            ));
            continue;
        }
        match compile_text(templates, &field, value, &mut names, problems) {
            Ok(compiled) => compiled_headers.push((name.clone(), compiled)),
            Err(_) => broken = true,
        }
    }
    let compiled_body = match body {
        Some(body) => match compile_text(templates, &format!("{prefix}.body"), body, &mut names, problems) {
            Ok(compiled) => Some(compiled),
            Err(_) => {
                broken = true;
                None
            }
        },
        None => None,
    };
    match compiled_url {
        Some(url) if !broken => Ok((
            CompiledKind::Http {
                method,
                url,
                headers: compiled_headers,
                body: compiled_body,
            },
            names,
        )),
        _ => Err(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::{
        flows::model::{Combine, ConditionGroup, Conditions, Operator, Rule, Trigger},
        profile::{API_STUDIO, UNIVERSAL_WEBHOOK},
    };

    fn flow() -> FlowDefinition {
        FlowDefinition {
            name: "Tag long entries".into(),
            description: String::new(),
            trigger: Trigger {
                event_types: vec!["NEW_TIME_ENTRY".into()],
                sources: vec![],
            },
            conditions: Conditions {
                combine: Combine::All,
                groups: vec![ConditionGroup {
                    combine: Combine::All,
                    rules: vec![Rule {
                        path: "$.body.timeInterval.duration".into(),
                        operator: Operator::GreaterThan,
                        value: "PT8H".into(),
                    }],
                }],
            },
            actions: vec![Action::Clockify {
                id: "tag".into(),
                operation_id: "createNewTag".into(),
                params: BTreeMap::new(),
                body: Some(json!({ "name": "long: {{ body.description | default('none') }}" })),
            }],
        }
    }

    fn http(id: &str, url: &str) -> Action {
        Action::Http {
            id: id.into(),
            method: "POST".into(),
            url: url.into(),
            headers: BTreeMap::from([("Authorization".to_string(), "Bearer {{ secrets.TOKEN }}".to_string())]),
            body: Some("{{ body | json }}".into()),
        }
    }

    fn universal() -> Capabilities<'static> {
        Capabilities {
            profile: &UNIVERSAL_WEBHOOK,
            generic_http: true,
            source_ids: vec!["github".into()],
        }
    }

    /// Asserts one problem on `field` whose message contains `phrase`.
    fn assert_problem(problems: &[Problem], field: &str, phrase: &str) {
        assert!(
            problems
                .iter()
                .any(|problem| problem.field == field && problem.message.contains(phrase)),
            "no problem on {field} saying {phrase:?} in {problems:#?}"
        );
    }

    #[test]
    fn a_good_flow_has_no_problems() {
        assert_eq!(validate(&flow(), &Capabilities::new(&API_STUDIO)), vec![]);
        let mut def = flow();
        def.actions.push(http(
            "notify",
            "https://hooks.example.com/x?tag={{ steps.tag.body.id }}",
        ));
        assert_eq!(validate(&def, &universal()), vec![]);
    }

    #[test]
    fn name_checks() {
        let mut def = flow();
        def.name = "  ".into();
        assert_problem(&validate(&def, &universal()), "name", "Give the flow a name");
        def.name = "x".repeat(101);
        assert_problem(&validate(&def, &universal()), "name", "longer than 100");
    }

    #[test]
    fn trigger_checks() {
        let mut def = flow();
        def.trigger.event_types.clear();
        assert_problem(
            &validate(&def, &universal()),
            "trigger.eventTypes",
            "at least one event",
        );
        def.trigger.event_types = vec!["NEW_TIME_ENTRY".into(), "NEW_INVOICE".into(), "NOPE".into()];
        let problems = validate(&def, &Capabilities::new(&API_STUDIO));
        assert_problem(
            &problems,
            "trigger.eventTypes[1]",
            "API Studio does not receive `NEW_INVOICE`",
        );
        assert_problem(&problems, "trigger.eventTypes[2]", "not a Clockify event");
        assert!(!validate(&def, &universal())
            .iter()
            .any(|p| p.field == "trigger.eventTypes[1]"));
        // Custom sources: free-form types, known sources only, Universal Webhook only.
        def.trigger = Trigger {
            event_types: vec!["push".into()],
            sources: vec!["github".into(), "gitlab".into()],
        };
        let problems = validate(&def, &universal());
        assert_problem(&problems, "trigger.sources[1]", "no source `gitlab`");
        assert!(!problems.iter().any(|p| p.field.starts_with("trigger.eventTypes")));
        assert_problem(
            &validate(&def, &Capabilities::new(&API_STUDIO)),
            "trigger.sources",
            "Clockify events only",
        );
    }

    #[test]
    fn condition_checks() {
        let mut def = flow();
        let rule = |path: &str, operator, value: &str| Rule {
            path: path.into(),
            operator,
            value: value.into(),
        };
        def.conditions.groups.push(ConditionGroup {
            combine: Combine::Any,
            rules: vec![
                rule("$.headers.x-foo", Operator::Equals, "a"),
                rule("$.body.description", Operator::Matches, "(open"),
                rule("$.body.description", Operator::Matches, r"\w{1000}\w{1000}\w{1000}"),
                rule("$.body.duration", Operator::LessThan, "eight hours"),
                rule("$.body.type", Operator::InList, ","),
            ],
        });
        let problems = validate(&def, &universal());
        assert_problem(&problems, "conditions.groups[1].rules[0].path", "not a valid JSONPath");
        assert_problem(&problems, "conditions.groups[1].rules[1].value", "not valid");
        assert_problem(&problems, "conditions.groups[1].rules[2].value", "too large");
        assert_problem(
            &problems,
            "conditions.groups[1].rules[3].value",
            "compares numbers, dates",
        );
        assert_problem(&problems, "conditions.groups[1].rules[4].value", "separated by commas");
        def.conditions.groups[1].rules = vec![rule("$.body.a", Operator::Exists, ""); 50];
        assert_problem(&validate(&def, &universal()), "conditions", "at most 50 rules");
    }

    #[test]
    fn step_id_checks() {
        let mut def = flow();
        def.actions.push(http("tag", "https://example.com"));
        def.actions.push(http("2nd", "https://example.com"));
        def.actions.push(http("", "https://example.com"));
        let problems = validate(&def, &universal());
        assert_problem(&problems, "actions[1].id", "already uses the id `tag`");
        assert_problem(&problems, "actions[2].id", "must start with a letter");
        assert_problem(&problems, "actions[3].id", "Give the step an id");
        def.actions = (0..21)
            .map(|index| http(&format!("s{index}"), "https://example.com"))
            .collect();
        assert_problem(&validate(&def, &universal()), "actions", "at most 20 actions");
    }

    #[test]
    fn step_references_must_point_to_earlier_steps() {
        let mut def = flow();
        def.actions
            .insert(0, http("notify", "https://example.com/{{ steps.tag.body.id }}"));
        def.actions
            .push(http("later", "https://example.com/{{ steps['ghost'].status }}"));
        if let Action::Clockify { body, .. } = &mut def.actions[1] {
            *body = Some(json!({ "name": "{{ steps.tag.body.name }}", "x": "{{ bdy.name }}" }));
        }
        let problems = validate(&def, &universal());
        assert_problem(&problems, "actions[0].url", "step `tag` does not run before this one");
        assert_problem(
            &problems,
            "actions[1].body.name",
            "step `tag` does not run before this one",
        );
        assert_problem(
            &problems,
            "actions[1].body.x",
            "`bdy` is not something a template can read",
        );
        assert_problem(&problems, "actions[2].url", "there is no step `ghost`");
    }

    #[test]
    fn clockify_action_checks() {
        let clockify = |operation: &str, params: &[(&str, &str)], body: Option<serde_json::Value>| Action::Clockify {
            id: "step".into(),
            operation_id: operation.into(),
            params: params
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body,
        };
        let problems_of = |action: Action, caps: &Capabilities| {
            let mut def = flow();
            def.actions = vec![action];
            validate(&def, caps)
        };
        let studio = Capabilities::new(&API_STUDIO);
        assert_problem(
            &problems_of(clockify("nope", &[], None), &studio),
            "actions[0].operationId",
            "no Clockify operation `nope`",
        );
        assert_problem(
            &problems_of(clockify("getWorkspacesOfUser", &[], None), &universal()),
            "actions[0].operationId",
            "personal API key",
        );
        let missing_scope = problems_of(clockify("getExpenses", &[], None), &studio);
        assert_problem(
            &missing_scope,
            "actions[0].operationId",
            "which API Studio does not have",
        );
        // Required parameters, workspaceId defaulted, unknown ones refused.
        let problems = problems_of(
            clockify("updateTag", &[("colour", "red")], Some(json!({ "name": "x" }))),
            &studio,
        );
        assert_problem(&problems, "actions[0].params.id", "needs `id`");
        assert_problem(&problems, "actions[0].params.colour", "has no parameter `colour`");
        assert!(!problems.iter().any(|p| p.field == "actions[0].params.workspaceId"));
        let problems = problems_of(clockify("createNewTag", &[], None), &studio);
        assert_problem(&problems, "actions[0].body", "needs a JSON body");
        let problems = problems_of(clockify("getTags", &[], Some(json!({ "a": 1 }))), &studio);
        assert_problem(&problems, "actions[0].body", "takes no body");
        let problems = problems_of(clockify("getTags", &[("name", "{{ body.description ")], None), &studio);
        assert_problem(&problems, "actions[0].params.name", "syntax");
        let problems = problems_of(
            clockify("createNewTag", &[], Some(json!({ "name": "{% set x = 1 %}" }))),
            &studio,
        );
        assert_problem(&problems, "actions[0].body.name", "not available in flow templates");
    }

    #[test]
    fn clockify_actions_refuse_file_uploads() {
        let upload = ApiSpec::clockify().operations().iter().find(|operation| {
            operation.addon_auth
                && operation
                    .request_body
                    .as_ref()
                    .is_some_and(|body| body.content_type != "application/json")
        });
        let Some(upload) = upload else {
            return;
        };
        let mut def = flow();
        def.actions = vec![Action::Clockify {
            id: "up".into(),
            operation_id: upload.id.clone(),
            params: BTreeMap::new(),
            body: None,
        }];
        assert_problem(
            &validate(&def, &universal()),
            "actions[0].operationId",
            "which flows cannot send",
        );
    }

    #[test]
    fn http_action_checks() {
        let mut def = flow();
        def.actions = vec![http("notify", "https://example.com/hook")];
        assert_problem(
            &validate(&def, &Capabilities::new(&API_STUDIO)),
            "actions[0]",
            "generic HTTP actions are a Universal Webhook feature",
        );
        let off = Capabilities {
            generic_http: false,
            ..universal()
        };
        assert_problem(&validate(&def, &off), "actions[0]", "Generic HTTP actions are off");
        def.actions = vec![
            Action::Http {
                id: "a".into(),
                method: "TRACE".into(),
                url: "ftp://example.com".into(),
                headers: BTreeMap::from([
                    ("Bad Name".to_string(), "x".to_string()),
                    ("Host".to_string(), "evil".to_string()),
                ]),
                body: Some("{{ ".into()),
            },
            http("b", ""),
            http("c", "https://exa mple.com"),
            http("d", "{{ secrets.HOOK_URL }}"),
        ];
        let problems = validate(&def, &universal());
        assert_problem(&problems, "actions[0].method", "GET, POST, PUT, PATCH or DELETE");
        assert_problem(&problems, "actions[0].url", "not a web address");
        assert_problem(&problems, "actions[0].headers.Bad Name", "not a valid header name");
        assert_problem(&problems, "actions[0].headers.Host", "set by the add-on itself");
        assert_problem(&problems, "actions[0].body", "syntax");
        assert_problem(&problems, "actions[1].url", "Enter the address");
        assert_problem(&problems, "actions[2].url", "not a web address");
        assert!(
            !problems.iter().any(|p| p.field.starts_with("actions[3]")),
            "{problems:#?}"
        );
    }

    #[test]
    fn urls() {
        for good in [
            "https://example.com",
            "http://a.b:8080/x?y#z",
            "https://[::1]:443/",
            "https://u@h.io/p",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "ftp://x",
            "https://",
            "https:///x",
            "https://a b",
            "https://h:99999",
            "example.com",
            "https://h:0",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
