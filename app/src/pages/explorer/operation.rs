//! The operation view: what it is (method, path, summary, description as text, scope), the
//! form generated from its parameters (enums as selects, booleans, comma lists for arrays,
//! required marks, defaults and examples as placeholders), the JSON body editor checked as
//! you type, the request and response schemas as trees, and the actions.

use addon_core::{
    explorer::{
        form::{check_body, check_param, example_body, placeholder, type_label, BODY_FIELD},
        policy::{check_runnable, needs_confirmation},
        schema_tree::{schema_tree, SchemaNode},
    },
    openapi::{missing_scopes, required_scopes, ApiSpec, Method, ParamLocation, ParamType, Parameter},
};
use leptos::prelude::*;

use super::{actions, flow_action_href, Explorer, MethodBadge};
use crate::components::thousands;

/// The right-hand panel: the chosen operation, or how to start.
#[component]
pub(crate) fn OperationPanel() -> impl IntoView {
    let state = expect_context::<Explorer>();
    move || match state.selected.get() {
        Some(index) => view! { <OperationView index/> }.into_any(),
        None => {
            let spec = ApiSpec::clockify();
            let gets = spec
                .operations()
                .iter()
                .filter(|operation| operation.method == Method::Get)
                .count();
            let runnable = spec
                .operations()
                .iter()
                .filter(|operation| check_runnable(operation, state.profile).is_ok())
                .count();
            view! {
                <section class="rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800"
                         data-testid="explorer-intro">
                    <h2 class="mb-2 text-lg font-semibold text-slate-900 dark:text-white">"Clockify API explorer"</h2>
                    <p class="text-sm text-slate-600 dark:text-slate-300">
                        {format!(
                            "{} operations ({} GET) from Clockify's OpenAPI spec; {} of them run here for your workspace. \
                             Pick one on the left or search by path, operation id, summary, parameter or schema name.",
                            thousands(spec.operations().len() as i64), gets, runnable
                        )}
                    </p>
                    <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">
                        {if state.profile.features.explorer_writes {
                            "Calls that change data ask you to confirm the exact request first."
                        } else {
                            "This add-on runs GET operations only; the others are shown for reference."
                        }}
                    </p>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn OperationView(index: usize) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let spec = ApiSpec::clockify();
    let operation = &spec.operations()[index];
    let refusal = check_runnable(operation, state.profile).err();
    let scopes = required_scopes(operation);
    let missing = missing_scopes(operation, state.profile.scopes);
    let groups = [
        (ParamLocation::Path, "Path parameters"),
        (ParamLocation::Query, "Query parameters"),
        (ParamLocation::Header, "Header parameters"),
    ]
    .into_iter()
    .filter_map(|(location, title)| {
        let fields: Vec<_> = operation
            .parameters_in(location)
            .map(|parameter| view! { <ParamField parameter/> })
            .collect();
        (!fields.is_empty()).then(|| {
            view! {
                <fieldset class="mb-3">
                    <legend class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</legend>
                    <div class="grid gap-2 sm:grid-cols-2">{fields}</div>
                </fieldset>
            }
        })
    })
    .collect_view();
    let scope_line = if scopes.is_empty() {
        "Scope: unknown".to_string()
    } else if missing.is_empty() {
        format!("Scope: {} (granted)", scopes.join(", "))
    } else {
        format!(
            "Scope: {} (this add-on lacks it: Clockify will answer 403)",
            scopes.join(", ")
        )
    };
    let refusal_view = refusal.map(|refusal| {
        view! {
            <p role="note" data-testid="explorer-refusal" data-code=refusal.code()
               class="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
                {refusal.message(operation, state.profile)}
            </p>
        }
    });
    let description = operation
        .description
        .clone()
        .filter(|text| !text.trim().is_empty())
        .map(|text| {
            view! {
                <details class="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="operation-description">
                    <summary class="cursor-pointer text-xs text-slate-500 dark:text-slate-400">"Description"</summary>
                    // Text, never HTML: the spec's descriptions contain markup.
                    <p class="mt-1 whitespace-pre-line">{text}</p>
                </details>
            }
        });
    let paginated = operation.pagination.largest_page_size().is_some()
        && matches!(operation.pagination, addon_core::openapi::Pagination::PageSize { .. })
        && operation.method == Method::Get;
    let writes = needs_confirmation(operation);
    let execute_label = if writes && state.profile.features.explorer_writes {
        "Review and send"
    } else {
        "Execute"
    };
    let blocked = refusal.is_some();
    let flow_href = move || {
        state.values.with(|values| {
            state
                .body
                .with(|body| flow_action_href(&state, &operation.id, values, body))
        })
    };
    view! {
        <section class="rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800"
                 data-testid="operation-view" data-operation=operation.id.clone()>
            <div class="mb-1 flex flex-wrap items-center gap-2">
                <MethodBadge method=operation.method.as_str()/>
                <code class="break-all font-mono text-sm text-slate-800 dark:text-slate-100" data-testid="operation-path">{operation.path.clone()}</code>
                {operation.deprecated.then(|| view! {
                    <span class="rounded bg-slate-200 px-1.5 text-xs text-slate-700 dark:bg-slate-600 dark:text-slate-100">"deprecated"</span>
                })}
            </div>
            <h2 class="text-lg font-semibold text-slate-900 dark:text-white" data-testid="operation-summary">{operation.summary.clone()}</h2>
            <p class="mb-3 text-xs text-slate-500 dark:text-slate-400">
                {format!("{} · {} · {} server · ", operation.id, operation.tag, operation.server)}
                <span class=if missing.is_empty() { "" } else { "font-semibold text-amber-700 dark:text-amber-300" }
                      data-testid="operation-scope">{scope_line}</span>
            </p>
            {description}
            {refusal_view}
            <form class="contents" on:submit=move |event| { event.prevent_default(); actions::execute(state); }>
                {groups}
                {operation.request_body.is_some().then(|| view! { <BodyEditor index/> })}
                <div class="mt-2 flex flex-wrap items-center gap-2">
                    <button type="submit" data-testid="explorer-execute"
                            disabled=move || blocked || state.running.get()
                            title=refusal.map(|refusal| refusal.message(operation, state.profile)).unwrap_or_default()
                            class="rounded bg-[#03a9f4] px-4 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:cursor-not-allowed disabled:opacity-50">
                        {execute_label}
                    </button>
                    {paginated.then(|| view! {
                        <button type="button" data-testid="explorer-fetch-all"
                                disabled=move || blocked || state.running.get()
                                class="rounded border border-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-[#03a9f4] hover:bg-sky-50 disabled:opacity-50 dark:hover:bg-sky-950"
                                on:click=move |_| actions::fetch_all(state)>
                            "Fetch all pages"
                        </button>
                    })}
                    <button type="button" data-testid="explorer-copy-curl"
                            class="rounded border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700"
                            on:click=move |_| actions::copy_curl(state, None)>
                        "Copy as curl"
                    </button>
                    <a href=flow_href data-testid="explorer-flow-action"
                       class="rounded border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700">
                        "Make a flow action"
                    </a>
                    <Show when=move || state.running.get()>
                        <span class="text-sm text-slate-500 dark:text-slate-400" data-testid="explorer-running">"Sending…"</span>
                    </Show>
                </div>
            </form>
            {operation.response_schema.clone().map(|schema| view! {
                <SchemaBox title=format!("Response schema ({})", operation.response_content_type.clone().unwrap_or_default())
                           schema test_id="response-schema"/>
            })}
        </section>
    }
}

/// One parameter: label with its type and required mark, the input, its description and
/// what is wrong with the value.
#[component]
fn ParamField(parameter: &'static Parameter) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let name = parameter.name.clone();
    let id = format!("param-{}", parameter.name);
    let forced = parameter.name == "workspaceId";
    let value = {
        let name = name.clone();
        move || {
            state
                .values
                .with(|values| values.get(&name).cloned().unwrap_or_default())
        }
    };
    let set = {
        let name = name.clone();
        move |text: String| {
            state.values.update(|values| {
                if text.is_empty() {
                    values.remove(&name);
                } else {
                    values.insert(name.clone(), text);
                }
            })
        }
    };
    let problem = {
        let value = value.clone();
        move || {
            let text = value();
            if text.trim().is_empty() {
                (parameter.required && state.show_required.get()).then(|| "is required".to_string())
            } else {
                check_param(parameter, &text).err()
            }
        }
    };
    let input_class = "w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm read-only:bg-slate-100 focus:border-[#03a9f4] focus:outline-none dark:border-slate-600 dark:bg-slate-900 dark:read-only:bg-slate-700";
    let input = match &parameter.schema {
        ParamType::Enum(options) => {
            let options = options
                .iter()
                .map(|option| view! { <option value=option.clone()>{option.clone()}</option> })
                .collect_view();
            let set = set.clone();
            view! {
                <select id=id.clone() data-param=name.clone() class=input_class prop:value=value.clone()
                        on:change=move |event| set(event_target_value(&event))>
                    <option value="">{if parameter.required { "choose…" } else { "—" }}</option>
                    {options}
                </select>
            }
            .into_any()
        }
        ParamType::Boolean => {
            let set = set.clone();
            view! {
                <select id=id.clone() data-param=name.clone() class=input_class prop:value=value.clone()
                        on:change=move |event| set(event_target_value(&event))>
                    <option value="">{match &parameter.default {
                        Some(default) => format!("— (default {default})"),
                        None => "—".to_string(),
                    }}</option>
                    <option value="true">"true"</option>
                    <option value="false">"false"</option>
                </select>
            }
            .into_any()
        }
        schema => {
            let numeric = matches!(schema, ParamType::Integer | ParamType::Number);
            let set = set.clone();
            view! {
                <input type="text" id=id.clone() data-param=name.clone() class=input_class
                       inputmode=if numeric { "decimal" } else { "text" } spellcheck="false" autocomplete="off"
                       placeholder=placeholder(parameter) readonly=forced
                       title=if forced { "Always your workspace" } else { "" }
                       prop:value=value.clone()
                       on:input=move |event| set(event_target_value(&event))/>
            }
            .into_any()
        }
    };
    let kind = match (&parameter.schema, forced) {
        (_, true) => "your workspace".to_string(),
        (ParamType::Enum(options), _) if options.len() <= 4 => options.join(" | "),
        (schema, _) => type_label(schema),
    };
    let description = parameter.description.clone().filter(|text| !text.trim().is_empty());
    let problem_name = name.clone();
    view! {
        <div class="flex min-w-0 flex-col gap-0.5" data-field=name.clone()>
            <label for=id class="text-xs font-medium text-slate-700 dark:text-slate-200">
                <span class="font-mono">{name.clone()}</span>
                {parameter.required.then(|| view! { <span class="text-red-600" title="required">" *"</span> })}
                <span class="ml-1 font-normal text-slate-400">{kind}</span>
            </label>
            {input}
            {description.map(|text| {
                let title = text.clone();
                view! { <p class="line-clamp-2 text-[11px] text-slate-500 dark:text-slate-400" title=title>{text}</p> }
            })}
            {move || problem().map(|reason| {
                let message = format!("{problem_name} {reason}");
                view! { <p class="text-xs text-red-600 dark:text-red-400" data-problem=problem_name.clone() role="alert">{message}</p> }
            })}
        </div>
    }
}

/// The raw JSON body, checked against the schema on every keystroke.
#[component]
fn BodyEditor(index: usize) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let spec = ApiSpec::clockify();
    let operation = &spec.operations()[index];
    let Some(request_body) = operation.request_body.as_ref() else {
        return ().into_any();
    };
    let problems = Memo::new(move |_| {
        let show_required = state.show_required.get();
        state.body.with(|text| {
            check_body(spec, operation, text)
                .err()
                .unwrap_or_default()
                .into_iter()
                .filter(|problem| show_required || !(problem.field == BODY_FIELD && problem.reason == "is required"))
                .collect::<Vec<_>>()
        })
    });
    let required = request_body.required;
    view! {
        <fieldset class="mb-3">
            <legend class="mb-1 flex items-center gap-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                <span>"Body (JSON)"{required.then_some(" *")}</span>
                <button type="button" data-testid="explorer-body-example"
                        class="rounded border border-slate-300 px-1.5 py-0.5 text-[11px] font-normal normal-case text-slate-600 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-700"
                        on:click=move |_| state.body.set(example_body(spec, operation).unwrap_or_default())>
                    "Insert example"
                </button>
            </legend>
            <textarea data-testid="explorer-body" rows="8" spellcheck="false" aria-label="Request body (JSON)"
                      class="w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs focus:border-[#03a9f4] focus:outline-none dark:border-slate-600 dark:bg-slate-900"
                      prop:value=move || state.body.get()
                      on:input=move |event| state.body.set(event_target_value(&event))></textarea>
            <ul class="text-xs text-red-600 dark:text-red-400" data-testid="body-problems">
                {move || problems.get().into_iter().map(|problem| view! {
                    <li data-problem=problem.field.clone()>{format!("{}: {}", problem.field, problem.reason)}</li>
                }).collect_view()}
            </ul>
            <SchemaBox title="Body schema".to_string() schema=request_body.schema.clone() test_id="body-schema"/>
        </fieldset>
    }
    .into_any()
}

/// The shown curl command (the token is a placeholder) and whether the clipboard took it.
#[component]
pub(crate) fn CurlBox() -> impl IntoView {
    let state = expect_context::<Explorer>();
    move || {
        state.curl.get().map(|(command, copied)| {
            view! {
                <div class="mt-3" data-testid="curl-box">
                    <p class="mb-1 text-xs text-slate-500 dark:text-slate-400">
                        {if copied { "Copied to the clipboard:" } else { "Select and copy (the token is a placeholder):" }}
                    </p>
                    <pre class="overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 font-mono text-xs text-slate-100"
                         data-testid="curl-text">{command}</pre>
                </div>
            }
        })
    }
}

/// A schema as an expandable tree, built when first opened.
#[component]
fn SchemaBox(title: String, schema: serde_json::Value, test_id: &'static str) -> impl IntoView {
    let opened = RwSignal::new(false);
    let schema = StoredValue::new(schema);
    view! {
        <details class="mt-3 text-sm" data-testid=test_id>
            <summary class="cursor-pointer text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
                     on:click=move |_| opened.set(true)>{title}</summary>
            {move || opened.get().then(|| {
                let tree = schema.with_value(|schema| schema_tree(schema, ApiSpec::clockify().schemas()));
                view! { <ul class="mt-1 font-mono text-xs">{schema_node(tree, 0)}</ul> }
            })}
        </details>
    }
}

fn schema_node(node: SchemaNode, depth: usize) -> AnyView {
    let label = view! {
        <span class="text-slate-800 dark:text-slate-100">{node.name.clone().unwrap_or_else(|| "(root)".into())}</span>
        {node.required.then(|| view! { <span class="text-red-600" title="required">"*"</span> })}
        <span class="ml-1 text-sky-700 dark:text-sky-300">{node.kind.clone()}</span>
        {node.truncated.then(|| view! { <span class="ml-1 text-slate-400">"…"</span> })}
        {node.description.clone().map(|text| view! {
            <span class="ml-2 font-sans text-[11px] text-slate-500 dark:text-slate-400">{text}</span>
        })}
    };
    if node.children.is_empty() {
        return view! { <li class="py-0.5 pl-3">{label}</li> }.into_any();
    }
    let count = node.children.len();
    let children = node
        .children
        .into_iter()
        .map(|child| schema_node(child, depth + 1))
        .collect_view();
    view! {
        <li class="pl-3">
            <details open=depth == 0>
                <summary class="cursor-pointer py-0.5">{label}<span class="ml-1 text-slate-400">{format!("({count})")}</span></summary>
                <ul class="border-l border-slate-200 dark:border-slate-700">{children}</ul>
            </details>
        </li>
    }
    .into_any()
}
