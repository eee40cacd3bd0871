//! A compiled flow: whether an event starts it, what its conditions say, and the requests its
//! steps would send. The runtime compiles a flow once and evaluates it for every event; the
//! builder's live preview uses the same code on a sample event ([`preview`]).
//!
//! Runtime use, per event:
//!
//! ```ignore
//! let doc = document(&event);
//! if flow.triggers_on(&event.source, &event.event_type) && flow.conditions(&doc).matched {
//!     let mut ctx = RenderContext::new(&doc, &secrets); // converted once per event
//!     for index in 0..flow.steps_len() {
//!         let request = flow.render_step_with(index, &ctx)?;
//!         let output = send(request).await; // {"status", "body", "headers"}
//!         ctx.add_step(flow.step_id(index).unwrap_or_default(), &output);
//!     }
//! }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    condition::{CompiledConditions, ConditionsResult},
    document::{document, EventContext},
    model::{FlowDefinition, Trigger},
    template::{CompiledText, CompiledValue, RenderContext, Templates, SECRET_MASK},
    validate::{check, is_http_url, Capabilities, Problem},
};
use crate::openapi::{ApiServer, Operation, ParamLocation};

/// The source id of events from Clockify itself.
pub const CLOCKIFY_SOURCE: &str = "clockify";

/// A request a step would send, with every template rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RenderedStep {
    #[serde(rename_all = "camelCase")]
    Clockify {
        id: String,
        operation_id: String,
        method: String,
        /// `backend` (claim `backendUrl`), `reports` (claim `reportsUrl`) or `auditlog`.
        server: String,
        /// Relative to the server's base URL, parameters percent-encoded; `workspaceId` is the
        /// event's workspace unless the step sets it.
        path: String,
        /// Query parameters in name order; empty values are left out.
        query: Vec<(String, String)>,
        body: Option<Value>,
    },
    #[serde(rename_all = "camelCase")]
    Http {
        id: String,
        method: String,
        url: String,
        headers: BTreeMap<String, String>,
        body: Option<String>,
    },
}

impl RenderedStep {
    pub fn id(&self) -> &str {
        match self {
            RenderedStep::Clockify { id, .. } | RenderedStep::Http { id, .. } => id,
        }
    }

    /// A copy with every occurrence of a secret's value replaced by `••••` (for logs and
    /// run history).
    pub fn masked(&self, secrets: &BTreeMap<String, String>) -> RenderedStep {
        let values: Vec<&str> = secrets
            .values()
            .map(String::as_str)
            .filter(|value| !value.is_empty())
            .collect();
        let mask = |text: &str| -> String {
            values
                .iter()
                .fold(text.to_string(), |text, secret| text.replace(secret, SECRET_MASK))
        };
        match self {
            RenderedStep::Clockify {
                id,
                operation_id,
                method,
                server,
                path,
                query,
                body,
            } => RenderedStep::Clockify {
                id: id.clone(),
                operation_id: operation_id.clone(),
                method: method.clone(),
                server: server.clone(),
                path: mask(path),
                query: query.iter().map(|(name, value)| (name.clone(), mask(value))).collect(),
                body: body.as_ref().map(|body| mask_value(body, &mask)),
            },
            RenderedStep::Http {
                id,
                method,
                url,
                headers,
                body,
            } => RenderedStep::Http {
                id: id.clone(),
                method: method.clone(),
                url: mask(url),
                headers: headers
                    .iter()
                    .map(|(name, value)| (name.clone(), mask(value)))
                    .collect(),
                body: body.as_deref().map(mask),
            },
        }
    }
}

fn mask_value(value: &Value, mask: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(text) => Value::String(mask(text)),
        Value::Array(items) => Value::Array(items.iter().map(|item| mask_value(item, mask)).collect()),
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, item)| (key.clone(), mask_value(item, mask)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A step's compiled parts.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStep {
    pub(crate) id: String,
    /// Earlier steps whose output the templates read.
    pub(crate) uses_steps: BTreeSet<String>,
    pub(crate) kind: CompiledKind,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledKind {
    Clockify {
        operation: &'static Operation,
        /// Path and query parameters that the operation has.
        params: Vec<(String, ParamLocation, CompiledText)>,
        body: Option<CompiledValue>,
    },
    Http {
        /// Upper case.
        method: String,
        url: CompiledText,
        headers: Vec<(String, CompiledText)>,
        body: Option<CompiledText>,
    },
}

/// Whether an event from `source` of type `event_type` starts a flow with this trigger: a
/// Clockify event whose type is listed, or an event from a listed custom source whose type is
/// listed or when no type is listed.
pub fn triggers_on(trigger: &Trigger, source: &str, event_type: &str) -> bool {
    let type_listed = trigger.event_types.iter().any(|listed| listed == event_type);
    if source == CLOCKIFY_SOURCE {
        type_listed
    } else {
        trigger.sources.iter().any(|listed| listed == source) && (trigger.event_types.is_empty() || type_listed)
    }
}

fn server_name(server: ApiServer) -> &'static str {
    match server {
        ApiServer::Api => "backend",
        ApiServer::Reports => "reports",
        ApiServer::AuditLog => "auditlog",
    }
}

/// A valid flow, compiled once.
#[derive(Debug)]
pub struct CompiledFlow {
    name: String,
    trigger: Trigger,
    conditions: CompiledConditions,
    templates: Templates,
    steps: Vec<CompiledStep>,
}

impl CompiledFlow {
    /// Validates the definition and compiles its paths, regexes and templates.
    pub fn compile(def: &FlowDefinition, caps: &Capabilities) -> Result<CompiledFlow, Vec<Problem>> {
        let checked = check(def, caps);
        if !checked.problems.is_empty() {
            return Err(checked.problems);
        }
        let steps = checked
            .steps
            .into_iter()
            .enumerate()
            .map(|(index, step)| step.map_err(|message| vec![Problem::new(format!("actions[{index}]"), message)]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CompiledFlow {
            name: def.name.clone(),
            trigger: def.trigger.clone(),
            conditions: checked.conditions,
            templates: checked.templates,
            steps,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// See [`triggers_on`].
    pub fn triggers_on(&self, source: &str, event_type: &str) -> bool {
        triggers_on(&self.trigger, source, event_type)
    }

    /// Every rule's result and the overall verdict.
    pub fn conditions(&self, doc: &Value) -> ConditionsResult {
        self.conditions.evaluate(doc)
    }

    pub fn steps_len(&self) -> usize {
        self.steps.len()
    }

    pub fn step_id(&self, index: usize) -> Option<&str> {
        self.steps.get(index).map(|step| step.id.as_str())
    }

    /// Renders step `index` against a document (with `steps` of the steps done so far) and
    /// the secrets. Converts the document for this call: the runtime, rendering several
    /// steps per event, should build one [`RenderContext`] and use [`Self::render_step_with`].
    pub fn render_step(
        &self,
        index: usize,
        doc: &Value,
        secrets: &BTreeMap<String, String>,
    ) -> Result<RenderedStep, String> {
        self.render_step_with(index, &RenderContext::new(doc, secrets))
    }

    /// Renders step `index` against a prepared context.
    pub fn render_step_with(&self, index: usize, ctx: &RenderContext) -> Result<RenderedStep, String> {
        let step = self
            .steps
            .get(index)
            .ok_or_else(|| format!("The flow has no step {}.", index + 1))?;
        render(&self.templates, step, ctx)
    }
}

fn render(templates: &Templates, step: &CompiledStep, ctx: &RenderContext) -> Result<RenderedStep, String> {
    let id = step.id.clone();
    match &step.kind {
        CompiledKind::Clockify {
            operation,
            params,
            body,
        } => {
            let mut path_params = BTreeMap::new();
            let mut query = Vec::new();
            for (name, location, text) in params {
                let value = templates.render(text, ctx)?;
                match location {
                    ParamLocation::Path => {
                        path_params.insert(name.clone(), value);
                    }
                    _ if value.is_empty() => {}
                    _ => query.push((name.clone(), value)),
                }
            }
            if operation.path_params().any(|name| name == "workspaceId")
                && path_params
                    .get("workspaceId")
                    .is_none_or(|value| value.trim().is_empty())
            {
                let workspace = ctx
                    .workspace_id()
                    .ok_or_else(|| "The event has no workspace id to fill in `workspaceId`.".to_string())?;
                path_params.insert("workspaceId".to_string(), workspace.to_string());
            }
            let path = operation
                .render_path_with(&path_params)
                .map_err(|error| format!("The address of `{}` could not be built: {error}.", operation.id))?;
            let body = body
                .as_ref()
                .map(|body| templates.render_value(body, ctx))
                .transpose()?;
            Ok(RenderedStep::Clockify {
                id,
                operation_id: operation.id.clone(),
                method: operation.method.as_str().to_string(),
                server: server_name(operation.server).to_string(),
                path,
                query,
                body,
            })
        }
        CompiledKind::Http {
            method,
            url,
            headers,
            body,
        } => {
            let url = templates.render(url, ctx)?.trim().to_string();
            if !is_http_url(&url) {
                return Err(format!(
                    "The address `{url}` is not a web address: it must start with https:// (or http://)."
                ));
            }
            let mut rendered_headers = BTreeMap::new();
            for (name, text) in headers {
                let value = templates.render(text, ctx)?;
                if value.contains(['\r', '\n']) {
                    return Err(format!("The header `{name}` would contain a line break."));
                }
                rendered_headers.insert(name.clone(), value);
            }
            let body = body.as_ref().map(|body| templates.render(body, ctx)).transpose()?;
            Ok(RenderedStep::Http {
                id,
                method: method.clone(),
                url,
                headers: rendered_headers,
                body,
            })
        }
    }
}

/// One step in a preview: the request, or why it cannot be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepPreview {
    pub id: String,
    pub rendered: Option<RenderedStep>,
    pub error: Option<String>,
}

/// What the builder shows for a definition and a sample event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// Everything [`super::validate::validate`] says.
    pub problems: Vec<Problem>,
    /// Whether this event starts the flow.
    pub triggered: bool,
    /// Every rule's result (rules that do not compile show their error). Always present
    /// today; `None` is kept for a definition that cannot be evaluated at all.
    pub conditions: Option<ConditionsResult>,
    /// Every step rendered against the event, secrets shown as `••••`. Steps are rendered
    /// whatever the trigger and conditions say, so that the admin sees the requests while
    /// editing; a step that reads an earlier step's output says so instead.
    pub steps: Vec<StepPreview>,
}

/// Validates, evaluates and renders a definition (valid or not) against an event.
pub fn preview(def: &FlowDefinition, caps: &Capabilities, ctx: &EventContext) -> Preview {
    let checked = check(def, caps);
    let doc = document(ctx);
    let conditions = checked.conditions.evaluate(&doc);
    let render_ctx = RenderContext::masked(&doc);
    let steps = def
        .actions
        .iter()
        .zip(&checked.steps)
        .map(|(action, step)| {
            let id = action.id().to_string();
            let result = match step {
                Err(message) => Err(message.clone()),
                Ok(step) if !step.uses_steps.is_empty() => {
                    let names: Vec<String> = step.uses_steps.iter().map(|name| format!("`{name}`")).collect();
                    Err(format!(
                        "This step uses the output of step {}, known only when the flow runs.",
                        names.join(" and ")
                    ))
                }
                Ok(step) => render(&checked.templates, step, &render_ctx),
            };
            match result {
                Ok(rendered) => StepPreview {
                    id,
                    rendered: Some(rendered),
                    error: None,
                },
                Err(error) => StepPreview {
                    id,
                    rendered: None,
                    error: Some(error),
                },
            }
        })
        .collect();
    Preview {
        problems: checked.problems,
        triggered: triggers_on(&def.trigger, &ctx.source, &ctx.event_type),
        conditions: Some(conditions),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        flows::model::{Action, Combine, ConditionGroup, Conditions, Operator, Rule},
        profile::{API_STUDIO, UNIVERSAL_WEBHOOK},
    };

    const NEW_TIME_ENTRY: &str = include_str!("../../tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");

    fn event() -> EventContext {
        EventContext::from_stored(
            "ev1",
            "684446430300f917a02c198b",
            "clockify",
            "NEW_TIME_ENTRY",
            1_750_100_000_000,
            r#"{"content-type":"application/json"}"#,
            NEW_TIME_ENTRY,
        )
    }

    fn caps() -> Capabilities<'static> {
        Capabilities {
            profile: &UNIVERSAL_WEBHOOK,
            generic_http: true,
            source_ids: vec!["github".into()],
        }
    }

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
                    rules: vec![
                        Rule {
                            path: "$.body.timeInterval.duration".into(),
                            operator: Operator::GreaterThan,
                            value: "PT8H".into(),
                        },
                        Rule {
                            path: "$.body.project.name".into(),
                            operator: Operator::Equals,
                            value: "Test".into(),
                        },
                    ],
                }],
            },
            actions: vec![
                Action::Clockify {
                    id: "tag".into(),
                    operation_id: "createNewTag".into(),
                    params: BTreeMap::new(),
                    body: Some(json!({ "name": "long: {{ body.description }}" })),
                },
                Action::Clockify {
                    id: "entry".into(),
                    operation_id: "updateTimeEntry".into(),
                    params: BTreeMap::from([("id".to_string(), "{{ body.id }}".to_string())]),
                    body: Some(json!({
                        "start": "{{ body.timeInterval.start }}",
                        "billable": "{{ body.billable }}",
                        "tagIds": "{{ [steps.tag.body.id] }}"
                    })),
                },
                Action::Http {
                    id: "notify".into(),
                    method: "post".into(),
                    url: "https://hooks.example.com/t/{{ body.id }}".into(),
                    headers: BTreeMap::from([("Authorization".to_string(), "Bearer {{ secrets.TOKEN }}".to_string())]),
                    body: Some("{{ {'user': body.user.name, 'hours': body.timeInterval.duration} | json }}".into()),
                },
            ],
        }
    }

    #[test]
    fn compiled_flows_trigger_evaluate_and_render() {
        let flow = CompiledFlow::compile(&flow(), &caps()).unwrap();
        assert_eq!(flow.name(), "Tag long entries");
        assert!(flow.triggers_on("clockify", "NEW_TIME_ENTRY"));
        assert!(!flow.triggers_on("clockify", "NEW_PROJECT"));
        assert!(!flow.triggers_on("github", "NEW_TIME_ENTRY"));
        assert_eq!(
            (flow.steps_len(), flow.step_id(1), flow.step_id(9)),
            (3, Some("entry"), None)
        );

        let mut doc = document(&event());
        let result = flow.conditions(&doc);
        assert!(result.matched);
        assert_eq!(result.groups[0].rules[0].actual, Some(json!("PT11H48M")));

        let secrets = BTreeMap::from([("TOKEN".to_string(), "tok-123".to_string())]);
        let tag = flow.render_step(0, &doc, &secrets).unwrap();
        assert_eq!(
            tag,
            RenderedStep::Clockify {
                id: "tag".into(),
                operation_id: "createNewTag".into(),
                method: "POST".into(),
                server: "backend".into(),
                path: "/v1/workspaces/684446430300f917a02c198b/tags".into(),
                query: vec![],
                body: Some(json!({ "name": "long: Test" })),
            }
        );
        // The second step needs the first one's output.
        assert!(flow.render_step(1, &doc, &secrets).is_err());
        crate::flows::document::with_step(&mut doc, "tag", 201, json!({ "id": "tag-1" }), json!({}));
        let entry = flow.render_step(1, &doc, &secrets).unwrap();
        let RenderedStep::Clockify { path, body, method, .. } = &entry else {
            panic!("{entry:?}");
        };
        assert_eq!(method, "PUT");
        assert_eq!(
            path,
            "/v1/workspaces/684446430300f917a02c198b/time-entries/68453d0cf0c88d522704ab76"
        );
        assert_eq!(
            body,
            &Some(json!({ "start": "2025-06-16T07:05:00Z", "billable": true, "tagIds": ["tag-1"] }))
        );
        let notify = flow.render_step(2, &doc, &secrets).unwrap();
        assert_eq!(
            notify,
            RenderedStep::Http {
                id: "notify".into(),
                method: "POST".into(),
                url: "https://hooks.example.com/t/68453d0cf0c88d522704ab76".into(),
                headers: BTreeMap::from([("Authorization".to_string(), "Bearer tok-123".to_string())]),
                body: Some(r#"{"hours":"PT11H48M","user":"johndoe"}"#.into()),
            }
        );
        let RenderedStep::Http { headers, .. } = notify.masked(&secrets) else {
            panic!()
        };
        assert_eq!(headers["Authorization"], "Bearer ••••");
        assert!(flow.render_step(3, &doc, &secrets).is_err());
    }

    #[test]
    fn query_parameters_and_explicit_workspace() {
        let mut def = flow();
        def.actions = vec![Action::Clockify {
            id: "tags".into(),
            operation_id: "getTags".into(),
            params: BTreeMap::from([
                ("workspaceId".to_string(), "other-ws".to_string()),
                ("name".to_string(), "{{ body.tags[0].name }}".to_string()),
                ("archived".to_string(), "{{ '' }}".to_string()),
            ]),
            body: None,
        }];
        let flow = CompiledFlow::compile(&def, &Capabilities::new(&API_STUDIO)).unwrap();
        let rendered = flow.render_step(0, &document(&event()), &BTreeMap::new()).unwrap();
        let RenderedStep::Clockify { path, query, .. } = rendered else {
            panic!()
        };
        assert_eq!(path, "/v1/workspaces/other-ws/tags");
        assert_eq!(query, vec![("name".to_string(), "new".to_string())]);
    }

    #[test]
    fn invalid_flows_do_not_compile() {
        let mut def = flow();
        def.name.clear();
        let problems = CompiledFlow::compile(&def, &Capabilities::new(&API_STUDIO)).unwrap_err();
        assert!(problems.iter().any(|problem| problem.field == "name"));
        assert!(problems.iter().any(|problem| problem.field == "actions[2]"));
    }

    #[test]
    fn custom_sources_trigger() {
        let trigger = Trigger {
            event_types: vec![],
            sources: vec!["github".into()],
        };
        assert!(triggers_on(&trigger, "github", "push"));
        assert!(!triggers_on(&trigger, "gitlab", "push"));
        assert!(!triggers_on(&trigger, "clockify", "NEW_TIME_ENTRY"));
        let typed = Trigger {
            event_types: vec!["push".into(), "NEW_TAG".into()],
            sources: vec!["github".into()],
        };
        assert!(triggers_on(&typed, "github", "push"));
        assert!(!triggers_on(&typed, "github", "issue"));
        assert!(triggers_on(&typed, "clockify", "NEW_TAG"));
    }

    #[test]
    fn preview_masks_secrets_and_explains_later_step_references() {
        let preview = preview(&flow(), &caps(), &event());
        assert_eq!(preview.problems, vec![]);
        assert!(preview.triggered);
        assert!(preview.conditions.as_ref().unwrap().matched);
        assert_eq!(preview.steps.len(), 3);
        assert!(preview.steps[0].rendered.is_some());
        assert_eq!(
            preview.steps[1].error.as_deref(),
            Some("This step uses the output of step `tag`, known only when the flow runs.")
        );
        let Some(RenderedStep::Http { headers, .. }) = &preview.steps[2].rendered else {
            panic!("{:?}", preview.steps[2]);
        };
        assert_eq!(headers["Authorization"], "Bearer ••••");
        // Serialised shape for the builder.
        let json = serde_json::to_value(&preview).unwrap();
        assert_eq!(json["steps"][0]["rendered"]["kind"], json!("clockify"));
        assert_eq!(json["steps"][0]["rendered"]["operationId"], json!("createNewTag"));
    }

    #[test]
    fn preview_works_on_invalid_definitions() {
        let mut def = flow();
        def.name.clear();
        def.trigger.event_types.clear();
        def.conditions.groups[0].rules.push(Rule {
            path: "$.body[".into(),
            operator: Operator::Equals,
            value: "x".into(),
        });
        if let Action::Clockify { body, .. } = &mut def.actions[0] {
            *body = Some(json!({ "name": "{{ body.description " }));
        }
        let preview = preview(&def, &Capabilities::new(&API_STUDIO), &event());
        assert!(preview.problems.iter().any(|problem| problem.field == "name"));
        assert!(preview
            .problems
            .iter()
            .any(|problem| problem.field == "conditions.groups[0].rules[2].path"));
        assert!(!preview.triggered);
        let conditions = preview.conditions.unwrap();
        assert!(!conditions.matched);
        assert!(conditions.groups[0].rules[0].matched);
        assert!(conditions.groups[0].rules[1].matched);
        assert!(conditions.groups[0].rules[2].error.is_some());
        assert!(preview.steps[0].error.as_deref().unwrap().contains("syntax"));
        // The HTTP step is refused for API Studio but still previewed.
        assert!(preview.steps[2].rendered.is_some());
    }

    #[test]
    fn compiled_flows_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CompiledFlow>();
        assert_send_sync::<RenderContext>();
    }
}
