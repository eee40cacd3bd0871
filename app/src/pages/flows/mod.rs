//! Flows: "when this event arrives, if that holds, do this". The page is the list of the
//! workspace's flows (`/:addon/ui/flows`) or, with `?flow=<id>` (`?flow=new` for a new one),
//! the editor. The API explorer's "make a flow action" opens `?action=<JSON ActionDraft>`: a
//! new flow whose first action is that request.
//!
//! - [`server`]: the list's and the editor's server functions;
//! - [`editor`]: the editor (toolbar, tabs, versions) around [`trigger`], [`conditions`],
//!   [`actions`] (with [`operation`]) and [`preview`]; [`state`] is what they share;
//! - [`transfer`]: import and export;
//! - [`runs`], [`draft_test`], [`secrets`] (and their server functions): run history, the
//!   test on recent events, secrets for HTTP actions.

pub mod actions;
pub mod conditions;
pub mod draft_test;
pub mod editor;
pub mod operation;
pub mod preview;
pub mod runs;
pub mod runs_server;
pub mod secrets;
pub mod secrets_server;
pub mod server;
pub mod state;
pub mod transfer;
pub mod trigger;

use addon_core::{explorer::form::encode_query_component, profile::find_profile};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use self::{
    server::{load_flow_list, set_flow_enabled, FlowList, FlowSummary},
    state::{HINT, PRIMARY, SECONDARY},
    transfer::ImportPanel,
};
use crate::{
    components::{Card, ErrorPanel},
    session::{error_message, SessionView},
};

/// How often the open list refreshes its run figures.
const POLL: std::time::Duration = std::time::Duration::from_secs(4);

/// The page's address: the list, or the editor of flow `id` (`new` for a new flow).
pub fn flows_href(addon: &str, auth_token: &str, id: Option<&str>) -> String {
    let mut href = format!("/{addon}/ui/flows?auth_token={}", encode_query_component(auth_token));
    if let Some(id) = id {
        href.push_str("&flow=");
        href.push_str(&encode_query_component(id));
    }
    href
}

/// What the address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum View {
    List,
    Editor {
        flow_id: Option<String>,
        action: Option<String>,
    },
}

#[component]
pub fn FlowsPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| {
        query.with(|query| match (query.get("flow"), query.get("action")) {
            (_, Some(action)) => View::Editor {
                flow_id: None,
                action: Some(action),
            },
            (Some(flow), None) if flow == "new" => View::Editor {
                flow_id: None,
                action: None,
            },
            (Some(flow), None) if !flow.is_empty() => View::Editor {
                flow_id: Some(flow),
                action: None,
            },
            _ => View::List,
        })
    });
    move || match view.get() {
        View::List => view! { <ListPage/> }.into_any(),
        View::Editor { flow_id, action } => view! { <editor::FlowEditor flow_id action/> }.into_any(),
    }
}

/// The list page's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListTab {
    Flows,
    Runs,
    Secrets,
}

impl ListTab {
    fn label(self) -> &'static str {
        match self {
            ListTab::Flows => "Flows",
            ListTab::Runs => "Runs",
            ListTab::Secrets => "Secrets",
        }
    }
}

#[component]
fn ListPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let http = find_profile(&session.addon_key).is_some_and(|profile| profile.features.generic_http_actions);
    let tab = RwSignal::new(ListTab::Flows);
    let mut targets = vec![ListTab::Flows, ListTab::Runs];
    if http {
        targets.push(ListTab::Secrets);
    }
    let buttons = targets
        .into_iter()
        .map(|target| {
            let selected = move || tab.get() == target;
            view! {
                <button type="button" role="tab" data-tab=target.label() aria-selected=move || selected().to_string()
                        class=move || if selected() {
                            "-mb-px border-b-2 border-[#03a9f4] px-3 py-2 text-sm font-semibold text-[#03a9f4]"
                        } else {
                            "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-[#03a9f4] dark:text-slate-300"
                        }
                        on:click=move |_| tab.set(target)>
                    {target.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="flex flex-col gap-4">
            <div role="tablist" class="flex gap-1 border-b border-slate-200 dark:border-slate-700" data-testid="flows-tabs">{buttons}</div>
            {move || match tab.get() {
                ListTab::Flows => view! { <FlowListTab/> }.into_any(),
                ListTab::Runs => view! { <runs::AllRuns/> }.into_any(),
                ListTab::Secrets => view! { <secrets::FlowSecrets/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn FlowListTab() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let navigate = use_navigate();
    let auth_token = use_query_map().get_untracked().get("auth_token").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let token = session.token.clone();
    let list = Resource::new(
        move || (token.clone(), version.get()),
        |(token, _)| load_flow_list(token),
    );
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || version.update(|version| *version += 1), POLL).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    let toggle_error = RwSignal::new(None::<String>);
    let token = session.token.clone();
    let toggle = Action::new(move |(id, enabled): &(String, bool)| {
        let (token, id, enabled) = (token.clone(), id.clone(), *enabled);
        async move {
            match set_flow_enabled(token, id, enabled).await {
                Ok(_) => toggle_error.set(None),
                Err(error) => toggle_error.set(Some(error_message(&error))),
            }
            version.update(|version| *version += 1);
        }
    });
    let import_open = RwSignal::new(false);
    let addon = session.addon_key.clone();
    let new_href = flows_href(&addon, &auth_token, Some("new"));
    let on_created = {
        let (addon, auth_token) = (addon.clone(), auth_token.clone());
        Callback::new(move |id: String| navigate(&flows_href(&addon, &auth_token, Some(&id)), Default::default()))
    };
    let links = StoredValue::new((addon, auth_token));
    view! {
        <Card title="Flows">
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">
                "When a Clockify event arrives and your conditions hold, a flow calls the Clockify API for you. Build one step by step, watch it on a real event, then publish it."
            </p>
            {move || toggle_error.get().map(|message| view! {
                <p role="alert" class="mb-2 text-sm text-red-600 dark:text-red-400" data-testid="flows-error">{message}</p>
            })}
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(data) => links.with_value(|(addon, auth_token)| {
                            view! { <FlowTable data addon=addon.clone() auth_token=auth_token.clone() toggle/> }
                        }).into_any(),
                        Err(error) => view! {
                            <ErrorPanel title="Flows could not be loaded" message=error_message(&error)/>
                        }.into_any(),
                    }
                })}
            </Transition>
            <div class="mt-4 flex flex-wrap gap-2">
                <a href=new_href class=PRIMARY data-testid="new-flow" role="button">"New flow"</a>
                <button type="button" class=SECONDARY data-testid="import-flow" on:click=move |_| import_open.update(|open| *open = !*open)>
                    "Import"
                </button>
            </div>
            <div class="mt-3">
                <ImportPanel session=session.token.clone() open=import_open on_created/>
            </div>
        </Card>
    }
}

#[component]
fn FlowTable(data: FlowList, addon: String, auth_token: String, toggle: Action<(String, bool), ()>) -> impl IntoView {
    let read_only = data.read_only.is_some();
    let notice = data.read_only.map(|reason| {
        view! {
            <div role="note" data-testid="flows-read-only"
                 class="mb-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
                {reason}
            </div>
        }
    });
    if data.flows.is_empty() {
        return view! {
            {notice}
            <p class=HINT data-testid="flows-empty">"No flows yet. Start with “New flow”, or import one."</p>
        }
        .into_any();
    }
    let rows = data
        .flows
        .into_iter()
        .map(|flow| view! { <FlowRow flow href_base=(addon.clone(), auth_token.clone()) toggle read_only/> })
        .collect_view();
    view! {
        {notice}
        <div class="overflow-x-auto">
            <table class="w-full text-left text-sm" data-testid="flow-table">
                <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr>
                        <th class="pb-2 pr-3">"Name"</th>
                        <th class="pb-2 pr-3">"Trigger"</th>
                        <th class="pb-2 pr-3">"Status"</th>
                        <th class="pb-2 pr-3">"Success"</th>
                        <th class="pb-2 pr-3">"Last run"</th>
                        <th class="pb-2">"On"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn FlowRow(
    flow: FlowSummary,
    href_base: (String, String),
    toggle: Action<(String, bool), ()>,
    read_only: bool,
) -> impl IntoView {
    let href = flows_href(&href_base.0, &href_base.1, Some(&flow.id));
    let percent = flow.success_percent();
    let success = match percent {
        Some(percent) => {
            let colour = if percent >= 90.0 {
                "bg-emerald-500"
            } else if percent >= 50.0 {
                "bg-amber-500"
            } else {
                "bg-red-500"
            };
            view! {
                <div class="flex items-center gap-2" data-testid="flow-success" data-percent=format!("{percent:.0}")
                     title=format!("{} of {} finished runs succeeded", flow.succeeded, flow.finished)>
                    <div class="h-1.5 w-16 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
                        <div class=format!("h-1.5 rounded-full {colour}") style=format!("width: {percent:.0}%")></div>
                    </div>
                    <span class="text-xs">{format!("{percent:.0}%")}</span>
                    <span class="text-xs text-slate-400">{format!("({})", flow.finished)}</span>
                </div>
            }
            .into_any()
        }
        None if flow.pending > 0 => view! {
            <span class="text-xs text-slate-500 dark:text-slate-400" data-testid="flow-success" data-percent="">{format!("{} running", flow.pending)}</span>
        }
        .into_any(),
        None => view! { <span class="text-xs text-slate-400" data-testid="flow-success" data-percent="">"no runs"</span> }.into_any(),
    };
    let id = flow.id.clone();
    let enabled = flow.enabled;
    let changes = flow.unpublished_changes.then(|| {
        view! { <span class="ml-1 text-[11px] text-amber-700 dark:text-amber-300" title="The draft has changes that are not published">"• draft changes"</span> }
    });
    view! {
        <tr class="border-t border-slate-100 dark:border-slate-700" data-testid="flow-row" data-flow-id=flow.id.clone() data-name=flow.name.clone()>
            <td class="py-2 pr-3">
                <a href=href class="font-medium text-[#03a9f4] hover:underline" data-testid="flow-link">{flow.name.clone()}</a>
            </td>
            <td class="max-w-[14rem] truncate py-2 pr-3 font-mono text-xs" title=flow.trigger.clone()>{flow.trigger.clone()}</td>
            <td class="py-2 pr-3 whitespace-nowrap">
                <StatusBadge status=flow.status.clone() version=flow.published_version/>
                {changes}
            </td>
            <td class="py-2 pr-3">{success}</td>
            <td class="py-2 pr-3 whitespace-nowrap text-xs" data-testid="flow-last-run">{flow.last_run.clone().unwrap_or_else(|| "never".into())}</td>
            <td class="py-2">
                <button type="button" role="switch" data-testid="flow-toggle" aria-checked=enabled.to_string()
                        aria-label=format!("Enable {}", flow.name) disabled=read_only
                        on:click=move |_| { toggle.dispatch((id.clone(), !enabled)); }
                        class=format!(
                            "relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition disabled:cursor-not-allowed disabled:opacity-50 {}",
                            if enabled { "bg-[#03a9f4]" } else { "bg-slate-300 dark:bg-slate-600" }
                        )>
                    <span class=format!(
                        "inline-block h-4 w-4 rounded-full bg-white shadow transition {}",
                        if enabled { "translate-x-4" } else { "translate-x-0.5" }
                    )></span>
                </button>
            </td>
        </tr>
    }
}

/// A flow's status: `new`, `draft`, `published` (with its version) or `disabled`.
#[component]
pub fn StatusBadge(#[prop(into)] status: String, version: Option<i64>) -> impl IntoView {
    let class = match status.as_str() {
        "published" => "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        "disabled" => "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100",
        _ => "bg-slate-200 text-slate-700 dark:bg-slate-600 dark:text-slate-100",
    };
    let text = match (status.as_str(), version) {
        ("published", Some(version)) => format!("published v{version}"),
        ("disabled", Some(version)) => format!("disabled (v{version})"),
        _ => status.clone(),
    };
    view! {
        <span data-testid="flow-status" data-status=status.clone()
              class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-semibold {class}")>{text}</span>
    }
}
