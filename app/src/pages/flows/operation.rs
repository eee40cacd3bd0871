//! A Clockify action's operation: the picker (the API explorer's ranked search over the
//! OpenAPI model), the path and query parameters as a generated form, and the body as a JSON
//! editor prefilled from the schema's top-level properties.

use std::collections::BTreeMap;

use addon_core::{
    explorer::{
        form::{placeholder, type_label},
        SearchIndex,
    },
    flows::model::Action,
    openapi::{missing_scopes, ApiServer, ApiSpec, Operation, ParamLocation, Parameter},
    profile::Profile,
};
use leptos::prelude::*;
use serde_json::{Map, Value};

use super::state::{invalid, EditorState, FieldProblems, HINT, INPUT, SMALL};

/// Search results shown at most.
const MAX_HITS: usize = 8;

/// Why a flow of `profile` cannot run `operation` (the same reasons `validate` gives), or `None`.
pub fn unavailable(operation: &Operation, profile: &Profile) -> Option<String> {
    if !operation.addon_auth || operation.server == ApiServer::AuditLog {
        return Some("needs a personal API key".into());
    }
    let missing = missing_scopes(operation, profile.scopes);
    if !missing.is_empty() {
        return Some(format!("needs {}", missing.join(", ")));
    }
    if operation.parameters_in(ParamLocation::Header).next().is_some() {
        return Some("needs header parameters".into());
    }
    if operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content_type != "application/json")
    {
        return Some("takes a file upload".into());
    }
    None
}

/// The body's top-level properties: `(name, starting value, required)`, in schema order.
pub fn body_properties(spec: &ApiSpec, operation: &Operation) -> Vec<(String, Value, bool)> {
    let Some(body) = &operation.request_body else {
        return Vec::new();
    };
    let schema = spec.resolve(&body.schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| {
                    let property = spec.resolve(property);
                    (
                        name.clone(),
                        starting_value(&property),
                        required.contains(&name.as_str()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A value of the property's type to start from: its default, its first allowed value, or an
/// empty value (strings are left empty for a template).
fn starting_value(schema: &Value) -> Value {
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => Value::Object(Map::new()),
        _ => Value::String(String::new()),
    }
}

/// The body a new step starts with: the required properties, or every property when none is
/// required and there are few; `None` for operations without a body.
pub fn starting_body(spec: &ApiSpec, operation: &Operation) -> Option<Value> {
    operation.request_body.as_ref()?;
    let properties = body_properties(spec, operation);
    let any_required = properties.iter().any(|(_, _, required)| *required);
    let take_all = !any_required && properties.len() <= 5;
    let object: Map<String, Value> = properties
        .into_iter()
        .filter(|(_, _, required)| *required || take_all)
        .map(|(name, value, _)| (name, value))
        .collect();
    Some(Value::Object(object))
}

/// A Clockify step running `operation_id`.
pub fn new_clockify_action(id: String, operation_id: &str, params: BTreeMap<String, String>) -> Action {
    let spec = ApiSpec::clockify();
    let body = spec
        .operation(operation_id)
        .and_then(|operation| starting_body(spec, operation));
    Action::Clockify {
        id,
        operation_id: operation_id.to_string(),
        params,
        body,
    }
}

/// The picker: the chosen operation, or a search to choose one.
#[component]
pub fn OperationPicker(index: Memo<Option<usize>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let operation_id = Memo::new(move |_| {
        let index = index.get();
        state
            .draft
            .with(|def| match index.and_then(|index| def.actions.get(index)) {
                Some(Action::Clockify { operation_id, .. }) => operation_id.clone(),
                _ => String::new(),
            })
    });
    let searching = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let profile = state.with_capabilities(|caps| caps.profile);
    let spec = ApiSpec::clockify();
    let hits = Memo::new(move |_| {
        query.with(|query| {
            SearchIndex::clockify()
                .search(query)
                .into_iter()
                .take(MAX_HITS)
                .map(|hit| hit.index)
                .collect::<Vec<_>>()
        })
    });
    let choose = move |operation: &Operation| {
        let Some(index) = index.get_untracked() else {
            return;
        };
        let id = state.draft.with_untracked(|def| {
            def.actions
                .get(index)
                .map(|action| action.id().to_string())
                .unwrap_or_default()
        });
        state.replace_action(index, new_clockify_action(id, &operation.id, BTreeMap::new()));
        searching.set(false);
        query.set(String::new());
    };
    let problems = Signal::derive(move || {
        index
            .get()
            .map(|index| state.problems_exactly(&format!("actions[{index}].operationId")))
            .unwrap_or_default()
    });
    let chosen = move || {
        let id = operation_id.get();
        let operation = spec.operation(&id);
        match operation {
            Some(operation) if !searching.get() => view! {
                <div class="flex flex-wrap items-center gap-2" data-testid="operation-chosen" data-operation-id=id.clone()>
                    <super::actions::MethodBadge method=operation.method.as_str().to_string()/>
                    <span class="font-mono text-xs">{operation.path.clone()}</span>
                    <span class="text-sm text-slate-600 dark:text-slate-300">{operation.summary.clone()}</span>
                    <span class="font-mono text-[11px] text-slate-400">{id.clone()}</span>
                    <button type="button" class=SMALL data-testid="operation-change" on:click=move |_| searching.set(true)>
                        "Change"
                    </button>
                </div>
            }
            .into_any(),
            _ => view! {
                <div class="flex flex-col gap-1">
                    <input type="search" class=INPUT autocomplete="off" spellcheck="false"
                           placeholder=format!("Search {} Clockify operations (e.g. create tag)", spec.operations().len())
                           aria-label="Search Clockify operations" data-testid="operation-search"
                           aria-invalid=move || invalid(&problems.get())
                           prop:value=move || query.get() on:input=move |event| query.set(event_target_value(&event))/>
                    <ul class="flex flex-col" data-testid="operation-hits">
                        {move || hits.get().into_iter().filter_map(|hit| spec.operations().get(hit)).map(|operation| {
                            let refusal = unavailable(operation, profile);
                            let disabled = refusal.is_some();
                            let note = refusal.map(|reason| view! { <span class="ml-auto text-[11px] text-amber-700 dark:text-amber-300">{reason}</span> });
                            view! {
                                <li>
                                    <button type="button" disabled=disabled data-testid="operation-hit" data-operation-id=operation.id.clone()
                                            class="flex w-full items-center gap-2 rounded px-1 py-1 text-left hover:bg-sky-50 disabled:cursor-not-allowed disabled:opacity-60 dark:hover:bg-slate-700"
                                            on:click=move |_| choose(operation)>
                                        <super::actions::MethodBadge method=operation.method.as_str().to_string()/>
                                        <span class="min-w-0 flex-1">
                                            <span class="block truncate font-mono text-xs">{operation.id.clone()}</span>
                                            <span class="block truncate text-xs text-slate-500 dark:text-slate-400">{operation.summary.clone()}</span>
                                        </span>
                                        {note}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <Show when=move || !operation_id.get().is_empty()>
                        <button type="button" class=format!("self-start {SMALL}") on:click=move |_| searching.set(false)>"Keep the current operation"</button>
                    </Show>
                </div>
            }
            .into_any(),
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            {chosen}
            <FieldProblems messages=problems test_id="operation-problems"/>
        </div>
    }
}

/// The path and query parameters of the chosen operation.
#[component]
pub fn ParamForm(index: Memo<Option<usize>>, operation_id: Memo<String>) -> impl IntoView {
    move || {
        let id = operation_id.get();
        let Some(operation) = ApiSpec::clockify().operation(&id) else {
            return ().into_any();
        };
        let fields: Vec<_> = [ParamLocation::Path, ParamLocation::Query]
            .into_iter()
            .flat_map(|location| operation.parameters_in(location))
            .map(|parameter| view! { <ParamInput index parameter/> })
            .collect();
        let extra = view! { <ExtraParams index operation/> };
        if fields.is_empty() {
            return extra.into_any();
        }
        view! {
            <fieldset>
                <legend class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Parameters"</legend>
                <div class="grid gap-2 sm:grid-cols-2">{fields}</div>
            </fieldset>
            {extra}
        }
        .into_any()
    }
}

/// Parameters the step sets that the operation does not have (an import, a changed
/// operation): shown with their problem and a way to remove them.
#[component]
fn ExtraParams(index: Memo<Option<usize>>, operation: &'static Operation) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let extra = Memo::new(move |_| {
        let index = index.get();
        state
            .draft
            .with(|def| match index.and_then(|index| def.actions.get(index)) {
                Some(Action::Clockify { params, .. }) => params
                    .keys()
                    .filter(|name| {
                        operation.parameter(name).is_none_or(|parameter| {
                            !matches!(parameter.location, ParamLocation::Path | ParamLocation::Query)
                        })
                    })
                    .cloned()
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
    });
    move || {
        extra
            .get()
            .into_iter()
            .map(|name| {
                let problems = {
                    let name = name.clone();
                    Signal::derive(move || {
                        index
                            .get()
                            .map(|index| state.problems_exactly(&format!("actions[{index}].params.{name}")))
                            .unwrap_or_default()
                    })
                };
                let remove = {
                    let name = name.clone();
                    move |_| {
                        if let Some(index) = index.get_untracked() {
                            state.draft.update(|def| {
                                if let Some(Action::Clockify { params, .. }) = def.actions.get_mut(index) {
                                    params.remove(&name);
                                }
                            });
                        }
                    }
                };
                view! {
                    <div class="flex flex-col" data-testid="extra-param" data-param=name.clone()>
                        <span class="flex items-center gap-2 text-xs">
                            <span class="font-mono">{name.clone()}</span>
                            <button type="button" class=SMALL on:click=remove>"Remove"</button>
                        </span>
                        <FieldProblems messages=problems test_id="extra-param-problems"/>
                    </div>
                }
            })
            .collect_view()
    }
}

#[component]
fn ParamInput(index: Memo<Option<usize>>, parameter: &'static Parameter) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let name = parameter.name.clone();
    let value = {
        let name = name.clone();
        move || {
            let index = index.get();
            state
                .draft
                .with(|def| match index.and_then(|index| def.actions.get(index)) {
                    Some(Action::Clockify { params, .. }) => params.get(&name).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
        }
    };
    let on_input = {
        let name = name.clone();
        move |event| {
            let text = event_target_value(&event);
            let Some(index) = index.get_untracked() else {
                return;
            };
            state.draft.update(|def| {
                if let Some(Action::Clockify { params, .. }) = def.actions.get_mut(index) {
                    if text.is_empty() {
                        params.remove(&name);
                    } else {
                        params.insert(name.clone(), text);
                    }
                }
            });
        }
    };
    let problems = {
        let name = name.clone();
        Signal::derive(move || {
            index
                .get()
                .map(|index| state.problems_at(&format!("actions[{index}].params.{name}")))
                .unwrap_or_default()
        })
    };
    let workspace = parameter.name == "workspaceId" && parameter.location == ParamLocation::Path;
    let hint = if workspace {
        "the event's workspace".to_string()
    } else {
        placeholder(parameter)
    };
    let required = parameter.required && !workspace;
    let location = match parameter.location {
        ParamLocation::Path => "path",
        _ => "query",
    };
    view! {
        <label class="flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300" data-param=name.clone()>
            <span>
                <span class="font-mono">{name.clone()}</span>
                {required.then(|| view! { <span class="text-red-600" title="required">" *"</span> })}
                <span class=format!("ml-1 {HINT}")>{format!("{location}, {}", type_label(&parameter.schema))}</span>
            </span>
            <input type="text" class=INPUT autocomplete="off" spellcheck="false" placeholder=hint
                   data-testid=format!("param-{name}") aria-invalid=move || invalid(&problems.get())
                   prop:value=value on:input=on_input/>
            <FieldProblems messages=problems test_id=format!("param-problems-{name}")/>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use addon_core::profile::{API_STUDIO, UNIVERSAL_WEBHOOK};

    use super::*;

    #[test]
    fn a_tag_step_starts_with_its_name() {
        let spec = ApiSpec::clockify();
        let Some(operation) = spec.operation("createNewTag") else {
            panic!("createNewTag is in the spec");
        };
        assert_eq!(starting_body(spec, operation), Some(serde_json::json!({ "name": "" })));
        assert_eq!(unavailable(operation, &API_STUDIO), None);
        let Some(get) = spec.operation("getTags") else {
            panic!("getTags is in the spec");
        };
        assert_eq!(starting_body(spec, get), None);
    }

    #[test]
    fn operations_outside_the_profile_say_why() {
        let spec = ApiSpec::clockify();
        let refused = spec
            .operations()
            .iter()
            .filter(|operation| unavailable(operation, &API_STUDIO).is_some())
            .count();
        let refused_uw = spec
            .operations()
            .iter()
            .filter(|operation| unavailable(operation, &UNIVERSAL_WEBHOOK).is_some())
            .count();
        assert!(
            refused > refused_uw,
            "API Studio has fewer permissions ({refused} vs {refused_uw})"
        );
    }
}
