//! The flow editor: name, trigger, conditions and actions on the left, the live preview on
//! the right; "Save draft" and "Publish" (disabled while there are problems), the versions
//! with "Restore into draft", enable/disable, export and import, the flow's runs and the
//! test on recent events. While flows are off the whole form is read-only and says why.

use std::collections::BTreeMap;

use addon_core::{
    explorer::model::ActionDraft,
    flows::model::{Action as FlowAction, FlowDefinition},
};
use leptos::prelude::*;
use leptos_router::{hooks::use_navigate, NavigateOptions};

use super::{
    actions::ActionsEditor,
    conditions::ConditionsEditor,
    draft_test::DraftTest,
    flows_href,
    preview::{PreviewPanel, PreviewState},
    runs::FlowRuns,
    server::{
        create_flow, delete_flow, export_text, load_flow, load_flow_catalog, publish_flow_draft, restore_flow_version,
        save_flow_draft, set_flow_enabled, FlowCatalog, FlowDetail, SaveOutcome,
    },
    state::{describe_field, invalid, EditorState, FieldProblems, DANGER, HINT, INPUT, PRIMARY, SECONDARY},
    transfer::{ExportLink, ImportIntoDraft},
    trigger::TriggerPicker,
    StatusBadge,
};
use crate::{
    components::{ErrorPanel, Loading},
    session::{error_message, SessionView},
};

/// The step the API explorer's "make a flow action" hands over, as a Clockify action.
/// `workspaceId` is left to default to the event's workspace, and empty values are dropped.
pub fn action_from_draft(draft: &ActionDraft, workspace_id: &str) -> FlowAction {
    let params: BTreeMap<String, String> = draft
        .params
        .iter()
        .filter(|(name, value)| {
            let session_workspace = *name == "workspaceId" && *value == workspace_id;
            !value.trim().is_empty() && !session_workspace
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    FlowAction::Clockify {
        id: "step1".to_string(),
        operation_id: draft.operation_id.clone(),
        params,
        body: draft.body.clone(),
    }
}

/// What the editor opens: a stored flow, or a new one (possibly from an explorer draft).
#[component]
pub fn FlowEditor(flow_id: Option<String>, action: Option<String>) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let token = session.token.clone();
    let catalog = Resource::new(move || token.clone(), load_flow_catalog);
    let token = session.token.clone();
    let flow = Resource::new(
        move || (token.clone(), flow_id.clone()),
        |(token, id)| async move {
            match id {
                Some(id) => load_flow(token, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let action = StoredValue::new(action);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (catalog.await, flow.await) {
                    (Ok(catalog), Ok(detail)) => {
                        view! { <EditorBody catalog detail action=action.get_value()/> }.into_any()
                    }
                    (Err(error), _) | (_, Err(error)) => view! {
                        <ErrorPanel title="This flow could not be opened" message=error_message(&error)/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The editor's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Build,
    Versions,
    Runs,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::Build => "Build",
            Tab::Versions => "Versions",
            Tab::Runs => "Runs",
        }
    }
}

/// A flow's state on the server, as the toolbar shows it.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    id: Option<String>,
    enabled: bool,
    published_version: Option<i64>,
    /// The draft as saved, to tell unsaved changes.
    saved: Option<FlowDefinition>,
    published: Option<FlowDefinition>,
    versions: Vec<super::server::VersionView>,
    updated: String,
}

impl Stored {
    fn from_detail(detail: &FlowDetail) -> Stored {
        Stored {
            id: Some(detail.id.clone()),
            enabled: detail.enabled,
            published_version: detail.published_version,
            saved: Some(detail.draft.clone()),
            published: detail.published.clone(),
            versions: detail.versions.clone(),
            updated: detail.updated.clone(),
        }
    }
}

#[component]
fn EditorBody(catalog: FlowCatalog, detail: Option<FlowDetail>, action: Option<String>) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let navigate = use_navigate();
    let auth_token = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("auth_token")
        .unwrap_or_default();
    let read_only_reason = catalog.read_only.clone();
    // A new flow from the explorer starts with its step; a draft that cannot be read says so.
    let mut received = None;
    let mut received_error = None;
    let initial = match &detail {
        Some(detail) => detail.draft.clone(),
        None => {
            let mut def = FlowDefinition::default();
            if let Some(text) = &action {
                match serde_json::from_str::<ActionDraft>(text) {
                    Ok(draft) => {
                        def.actions.push(action_from_draft(&draft, &session.workspace_id));
                        received = Some((
                            draft.operation_id.clone(),
                            serde_json::to_string_pretty(&draft).unwrap_or_default(),
                        ));
                    }
                    Err(error) => {
                        received_error = Some(format!("The API explorer's step could not be read: {error}."));
                    }
                }
            }
            def
        }
    };
    let state = EditorState::new(
        catalog,
        session.addon_key.clone(),
        session.workspace_id.clone(),
        initial,
        detail.is_some(),
    );
    provide_context(state);
    let preview_state = PreviewState::new(state, session.token.clone());
    provide_context(preview_state);
    let stored = RwSignal::new(match &detail {
        Some(detail) => Stored::from_detail(detail),
        None => Stored {
            id: None,
            enabled: true,
            published_version: None,
            saved: None,
            published: None,
            versions: Vec::new(),
            updated: String::new(),
        },
    });
    let notice = RwSignal::new(None::<(bool, String)>);
    let tab = RwSignal::new(Tab::Build);
    let import_open = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    // The server's problems hold until the next edit; the first edit shows the browser's.
    Effect::new(move |previous: Option<()>| {
        state.draft.track();
        if previous.is_some() {
            state.server_problems.set(Vec::new());
            if !state.touched.get_untracked() {
                state.touched.set(true);
            }
        }
    });

    let addon = session.addon_key.clone();
    let list_href = flows_href(&addon, &auth_token, None);
    let open_flow = {
        let (addon, auth_token, navigate) = (addon.clone(), auth_token.clone(), navigate.clone());
        move |id: &str| {
            navigate(
                &flows_href(&addon, &auth_token, Some(id)),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            )
        }
    };
    let open_flow = StoredValue::new_local(open_flow);

    let token = session.token.clone();
    let save = Action::new_local(move |publish: &bool| {
        let (token, publish) = (token.clone(), *publish);
        state.touched.set(true);
        let def = state.draft.get_untracked();
        let id = stored.with_untracked(|stored| stored.id.clone());
        async move {
            let outcome = match id.clone() {
                Some(id) if publish => publish_flow_draft(token, id, def).await,
                Some(id) => save_flow_draft(token, id, def).await,
                None => match create_flow(token.clone(), def.clone()).await {
                    Ok(SaveOutcome::Saved(detail)) if publish => publish_flow_draft(token, detail.id, def).await,
                    other => other,
                },
            };
            match outcome {
                Ok(SaveOutcome::Saved(detail)) => {
                    state.server_problems.set(Vec::new());
                    if id.is_none() {
                        // A new flow gets its address; the editor reopens it from the server.
                        open_flow.with_value(|open| open(&detail.id));
                        return;
                    }
                    let message = match (publish, detail.published_version) {
                        (true, Some(version)) => format!("Published as version {version}. New events run it now."),
                        _ => "Draft saved. The published version keeps running until you publish.".to_string(),
                    };
                    stored.set(Stored::from_detail(&detail));
                    notice.set(Some((true, message)));
                }
                Ok(SaveOutcome::Invalid(problems)) => {
                    let count = problems.len();
                    state.server_problems.set(problems);
                    notice.set(Some((
                        false,
                        format!("Not saved: the server found {count} problem(s), shown at their fields."),
                    )));
                }
                Err(error) => notice.set(Some((false, error_message(&error)))),
            }
        }
    });
    let token = session.token.clone();
    let toggle = Action::new(move |enabled: &bool| {
        let (token, enabled) = (token.clone(), *enabled);
        let id = stored.with_untracked(|stored| stored.id.clone());
        async move {
            let Some(id) = id else {
                return;
            };
            match set_flow_enabled(token, id, enabled).await {
                Ok(detail) => {
                    stored.update(|stored| {
                        stored.enabled = detail.enabled;
                    });
                    notice.set(Some((
                        true,
                        if enabled {
                            "Flow enabled."
                        } else {
                            "Flow disabled: it runs for no event until you enable it."
                        }
                        .to_string(),
                    )));
                }
                Err(error) => notice.set(Some((false, error_message(&error)))),
            }
        }
    });
    let token = session.token.clone();
    let restore = Action::new(move |version: &i64| {
        let (token, version) = (token.clone(), *version);
        let id = stored.with_untracked(|stored| stored.id.clone());
        async move {
            let Some(id) = id else {
                return;
            };
            match restore_flow_version(token, id, version).await {
                Ok(detail) => {
                    state.reset(detail.draft.clone());
                    stored.set(Stored::from_detail(&detail));
                    tab.set(Tab::Build);
                    notice.set(Some((
                        true,
                        format!("Version {version} is the draft again. Publish it to run it."),
                    )));
                }
                Err(error) => notice.set(Some((false, error_message(&error)))),
            }
        }
    });
    let token = session.token.clone();
    let remove = Action::new_local({
        let (navigate, list_href) = (navigate.clone(), list_href.clone());
        move |_: &()| {
            let token = token.clone();
            let id = stored.with_untracked(|stored| stored.id.clone());
            let (navigate, list_href) = (navigate.clone(), list_href.clone());
            async move {
                let Some(id) = id else {
                    navigate(&list_href, NavigateOptions::default());
                    return;
                };
                match delete_flow(token, id).await {
                    Ok(()) => navigate(&list_href, NavigateOptions::default()),
                    Err(error) => notice.set(Some((false, error_message(&error)))),
                }
            }
        }
    });

    let read_only = state.read_only;
    let busy = move || save.pending().get() || toggle.pending().get() || restore.pending().get();
    let problem_count = Memo::new(move |_| state.problems.with(Vec::len));
    let unsaved = Memo::new(move |_| {
        let saved = stored.with(|stored| stored.saved.clone());
        state.draft.with(|def| saved.as_ref() != Some(def))
    });
    let name_problems = Signal::derive(move || state.problems_exactly("name"));
    let status = Memo::new(move |_| {
        stored.with(|stored| {
            if stored.id.is_none() {
                ("new".to_string(), None)
            } else if !stored.enabled {
                ("disabled".to_string(), stored.published_version)
            } else if stored.published_version.is_some() {
                ("published".to_string(), stored.published_version)
            } else {
                ("draft".to_string(), None)
            }
        })
    });
    let export_text_signal = Signal::derive(move || state.draft.with(export_text));
    let name_signal = Signal::derive(move || state.draft.with(|def| def.name.clone()));
    let flow_id = Memo::new(move |_| stored.with(|stored| stored.id.clone()));
    let save_label = move || {
        if save.pending().get() {
            "Saving…"
        } else {
            "Save draft"
        }
    };
    let publish_blocked = move || read_only || problem_count.get() > 0 || busy();
    let publish_title = move || {
        if read_only {
            "Flows are off".to_string()
        } else if problem_count.get() > 0 {
            format!("Fix the {} problem(s) first", problem_count.get())
        } else {
            "Publish the draft as the next version".to_string()
        }
    };
    let enabled = Memo::new(move |_| stored.with(|stored| stored.enabled));
    let toggle_disabled = move || read_only || flow_id.get().is_none() || busy();

    let read_only_notice = read_only_reason.map(|reason| {
        view! {
            <div role="note" data-testid="flows-read-only"
                 class="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
                {reason}
            </div>
        }
    });
    let received_notice = received.map(|(operation_id, pretty)| {
        view! {
            <div class="rounded border border-sky-200 bg-sky-50 p-3 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
                <p data-testid="flow-action-received">
                    {format!("Started from an API explorer request: the first action runs {operation_id}. Choose a trigger, then save.")}
                </p>
                <details class="mt-1">
                    <summary class="cursor-pointer text-xs">"The request as received"</summary>
                    <pre class="mt-1 overflow-x-auto rounded bg-white/60 p-2 font-mono text-xs dark:bg-slate-900" data-testid="flow-action-draft">{pretty}</pre>
                </details>
            </div>
        }
    });
    let received_error = received_error.map(|message| {
        view! { <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="flow-action-error">{message}</p> }
    });
    let tabs = [Tab::Build, Tab::Versions, Tab::Runs]
        .into_iter()
        .map(|target| {
            let selected = move || tab.get() == target;
            let count = move || match target {
                Tab::Versions => {
                    let count = stored.with(|stored| stored.versions.len());
                    (count > 0).then(|| format!(" ({count})"))
                }
                _ => None,
            };
            view! {
                <button type="button" role="tab" data-tab=target.label() aria-selected=move || selected().to_string()
                        class=move || if selected() {
                            "-mb-px border-b-2 border-[#03a9f4] px-3 py-2 text-sm font-semibold text-[#03a9f4]"
                        } else {
                            "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-[#03a9f4] dark:text-slate-300"
                        }
                        on:click=move |_| tab.set(target)>
                    {target.label()}{count}
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="flex flex-col gap-4" data-testid="flow-editor" data-flow-id=move || flow_id.get().unwrap_or_default()
             data-read-only=read_only.to_string()>
            <div class="flex flex-col gap-3 rounded-md border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-800">
                <div class="flex flex-wrap items-center gap-3">
                    <a href=list_href.clone() class="text-sm text-[#03a9f4] hover:underline" data-testid="back-to-flows">"← All flows"</a>
                    {move || { let (status, version) = status.get(); view! { <StatusBadge status version/> } }}
                    <Show when=move || unsaved.get() && !read_only>
                        <span class="text-xs text-amber-700 dark:text-amber-300" data-testid="unsaved">"Unsaved changes"</span>
                    </Show>
                    <span class="ml-auto flex items-center gap-2 text-sm">
                        <span class="text-slate-600 dark:text-slate-300">"Enabled"</span>
                        <button type="button" role="switch" data-testid="flow-enabled" aria-checked=move || enabled.get().to_string()
                                aria-label="Enabled" disabled=toggle_disabled
                                on:click=move |_| { toggle.dispatch(!enabled.get_untracked()); }
                                class=move || format!(
                                    "relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition disabled:cursor-not-allowed disabled:opacity-50 {}",
                                    if enabled.get() { "bg-[#03a9f4]" } else { "bg-slate-300 dark:bg-slate-600" }
                                )>
                            <span class=move || format!(
                                "inline-block h-4 w-4 rounded-full bg-white shadow transition {}",
                                if enabled.get() { "translate-x-4" } else { "translate-x-0.5" }
                            )></span>
                        </button>
                    </span>
                </div>
                {read_only_notice}
                <fieldset disabled=read_only class="m-0 flex min-w-0 flex-col gap-2 border-0 p-0">
                    <label class="flex flex-col gap-0.5">
                        <span class="sr-only">"Flow name"</span>
                        <input type="text" class=format!("text-lg font-semibold {INPUT}") placeholder="Name this flow, e.g. Tag meetings"
                               data-testid="flow-name" aria-label="Flow name" aria-invalid=move || invalid(&name_problems.get())
                               prop:value=move || state.draft.with(|def| def.name.clone())
                               on:input=move |event| { let name = event_target_value(&event); state.draft.update(|def| def.name = name); }/>
                    </label>
                    <FieldProblems messages=name_problems test_id="flow-name-problems"/>
                    <input type="text" class=format!("text-sm {INPUT}") placeholder="What it does (optional)"
                           data-testid="flow-description" aria-label="Description"
                           prop:value=move || state.draft.with(|def| def.description.clone())
                           on:input=move |event| { let text = event_target_value(&event); state.draft.update(|def| def.description = text); }/>
                </fieldset>
                <div class="flex flex-wrap items-center gap-2">
                    <button type="button" class=PRIMARY data-testid="flow-save" disabled=move || read_only || busy()
                            on:click=move |_| { save.dispatch(false); }>{save_label}</button>
                    <button type="button" class=SECONDARY data-testid="flow-publish" disabled=publish_blocked title=publish_title
                            on:click=move |_| { save.dispatch(true); }>"Publish"</button>
                    <ExportLink text=export_text_signal name=name_signal/>
                    <button type="button" class=SECONDARY data-testid="flow-import" disabled=read_only
                            on:click=move |_| import_open.update(|open| *open = !*open)>"Import"</button>
                    <ProblemSummary count=problem_count/>
                    <span class="ml-auto">
                        <Show when=move || !confirm_delete.get()
                              fallback=move || view! {
                                  <span class="flex items-center gap-1 text-xs">
                                      "Delete this flow and its runs?"
                                      <button type="button" class=DANGER data-testid="flow-delete-confirm" on:click=move |_| { remove.dispatch(()); }>"Delete"</button>
                                      <button type="button" class="text-xs underline" on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                                  </span>
                              }>
                            <button type="button" class=DANGER data-testid="flow-delete" disabled=read_only
                                    on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                        </Show>
                    </span>
                </div>
                {move || notice.get().map(|(ok, message)| view! {
                    <p role="status" data-testid="flow-notice" data-ok=ok.to_string()
                       class=if ok { "text-sm text-emerald-700 dark:text-emerald-300" } else { "text-sm text-red-600 dark:text-red-400" }>
                        {message}
                    </p>
                })}
                <ImportIntoDraft open=import_open/>
            </div>
            {received_notice}
            {received_error}
            <div role="tablist" class="flex gap-1 border-b border-slate-200 dark:border-slate-700" data-testid="editor-tabs">{tabs}</div>
            <div class:hidden=move || tab.get() != Tab::Build>
                <BuildTab flow_id/>
            </div>
            {move || (tab.get() == Tab::Versions).then(|| view! { <VersionsTab stored restore read_only/> })}
            {move || (tab.get() == Tab::Runs).then(|| match flow_id.get() {
                Some(flow_id) => view! { <FlowRuns flow_id/> }.into_any(),
                None => view! { <p class=HINT data-testid="runs-unsaved">"Save the flow first; its runs appear here once it is published and events arrive."</p> }.into_any(),
            })}
        </div>
    }
}

/// "N problems to fix", opening to every problem with where it is (also those of parts the
/// form does not show, such as a parameter the operation does not have).
#[component]
fn ProblemSummary(count: Memo<usize>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let list = move || {
        let mut problems = state.problems.get();
        state.server_problems.with(|server| {
            for problem in server {
                if !problems.contains(problem) {
                    problems.push(problem.clone());
                }
            }
        });
        problems
            .into_iter()
            .map(|problem| {
                view! {
                    <li data-field=problem.field.clone()>
                        <span class="font-medium">{describe_field(&problem.field)}</span>
                        {format!(" — {}", problem.message)}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <span class="text-xs" data-testid="problem-count" data-count=move || count.get().to_string()>
            <Show when=move || { count.get() != 0 }
                  fallback=|| view! { <span class="text-emerald-700 dark:text-emerald-300">"No problems: ready to publish."</span> }>
                <details class="relative">
                    <summary class="cursor-pointer text-red-600 dark:text-red-400">
                        {move || match count.get() {
                            1 => "1 problem to fix before publishing".to_string(),
                            count => format!("{count} problems to fix before publishing"),
                        }}
                    </summary>
                    <ul class="absolute left-0 z-10 mt-1 flex w-96 max-w-[80vw] flex-col gap-1 rounded border border-slate-200 bg-white p-2 text-slate-700 shadow-lg dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200"
                        data-testid="problem-list">
                        {list}
                    </ul>
                </details>
            </Show>
        </span>
    }
}

/// Trigger, conditions and actions beside the live preview; the test on recent events below.
#[component]
fn BuildTab(flow_id: Memo<Option<String>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let preview_state = expect_context::<PreviewState>();
    let section = |title: &'static str, hint: &'static str| {
        view! {
            <div class="mb-2">
                <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</h2>
                <p class=HINT>{hint}</p>
            </div>
        }
    };
    let card = "rounded-md border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-800";
    let draft: Signal<FlowDefinition> = state.draft.into();
    view! {
        <div class="flex flex-col gap-4">
            <div class="grid items-start gap-4 md:grid-cols-[minmax(0,1fr)_320px]">
                <fieldset disabled=state.read_only class="m-0 flex min-w-0 flex-col gap-4 border-0 p-0">
                    <section class=card data-testid="section-trigger">
                        {section("1. When", "The events that start the flow.")}
                        <TriggerPicker/>
                    </section>
                    <section class=card data-testid="section-conditions">
                        {section("2. If", "Rules on the event: a JSONPath into it, a comparison and a value.")}
                        <ConditionsEditor suggestions=preview_state.suggestions/>
                    </section>
                    <section class=card data-testid="section-actions">
                        {section("3. Then", "The steps the flow runs, in order.")}
                        <ActionsEditor/>
                    </section>
                </fieldset>
                <div class="md:sticky md:top-2">
                    <PreviewPanel/>
                </div>
            </div>
            <section class=card data-testid="section-draft-test">
                <h2 class="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Test on recent events"</h2>
                {move || match flow_id.get() {
                    Some(flow_id) => view! { <DraftTest flow_id draft/> }.into_any(),
                    None => view! { <p class=HINT>"Save the flow first to test it on recent events."</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn VersionsTab(stored: RwSignal<Stored>, restore: Action<i64, ()>, read_only: bool) -> impl IntoView {
    let rows = move || {
        let (versions, current) = stored.with(|stored| (stored.versions.clone(), stored.published_version));
        if versions.is_empty() {
            return view! { <p class=HINT data-testid="versions-none">"Not published yet: publishing makes version 1."</p> }
                .into_any();
        }
        versions
            .into_iter()
            .map(|version| {
                let number = version.version;
                let live = (current == Some(number)).then(|| {
                    view! { <span class="rounded bg-emerald-100 px-1.5 text-[11px] font-semibold text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100">"live"</span> }
                });
                view! {
                    <li class="flex flex-wrap items-center gap-3 border-t border-slate-100 py-2 dark:border-slate-700" data-testid="version" data-version=number.to_string()>
                        <span class="w-10 font-mono text-sm font-semibold">{format!("v{number}")}</span>
                        {live}
                        <span class="min-w-0 flex-1">
                            <span class="block text-sm">{version.name.clone()}</span>
                            <span class="block text-xs text-slate-500 dark:text-slate-400">{format!("{} · {}", version.time, version.summary)}</span>
                        </span>
                        <button type="button" class=SECONDARY data-testid="version-restore" disabled=move || read_only || restore.pending().get()
                                on:click=move |_| { restore.dispatch(number); }>"Restore into draft"</button>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="rounded-md border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-800" data-testid="versions">
            <h2 class="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Published versions"</h2>
            <p class=format!("mb-2 {HINT}")>"Each publish is kept. Restoring copies a version into the draft; it runs once you publish it again."</p>
            <ul>{rows}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explorer_drafts_become_clockify_steps() {
        let draft = ActionDraft {
            operation_id: "getTags".into(),
            params: [
                ("workspaceId".to_string(), "ws1".to_string()),
                ("page-size".to_string(), "3".to_string()),
                ("name".to_string(), " ".to_string()),
            ]
            .into_iter()
            .collect(),
            body: None,
        };
        let FlowAction::Clockify {
            params, operation_id, ..
        } = action_from_draft(&draft, "ws1")
        else {
            panic!("a Clockify step");
        };
        assert_eq!(operation_id, "getTags");
        assert_eq!(params.len(), 1);
        assert_eq!(params.get("page-size").map(String::as_str), Some("3"));
    }
}
