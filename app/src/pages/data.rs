//! Data: the entities the bootstrap stored, by kind, with search by name and paging; each row
//! opens to the JSON Clockify sent.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{thousands, Card, Pager},
    session::{error_message, SessionView},
};

/// Rows per page.
pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityItem {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub fetched_at: String,
    /// Pretty-printed JSON.
    pub json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityList {
    pub kinds: Vec<KindCount>,
    /// The kind shown (the first with data when none was asked for).
    pub kind: String,
    pub items: Vec<EntityItem>,
    pub total: i64,
    /// From 1.
    pub page: i64,
}

#[server]
pub async fn list_entities(
    session: String,
    kind: String,
    search: String,
    page: i64,
) -> Result<EntityList, ServerFnError> {
    use addon_core::bootstrap::RESOURCES;

    use crate::backend::{authenticate, format_time, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let counts = backend
        .store
        .entity_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let mut kinds: Vec<KindCount> = counts
        .into_iter()
        .map(|(kind, count)| KindCount {
            label: RESOURCES
                .iter()
                .find(|resource| resource.kind == kind)
                .map_or_else(|| kind.clone(), |resource| resource.label.to_string()),
            kind,
            count,
        })
        .collect();
    let order = |kind: &str| {
        RESOURCES
            .iter()
            .position(|resource| resource.kind == kind)
            .unwrap_or(usize::MAX)
    };
    kinds.sort_by_key(|count| order(&count.kind));
    let kind = if kinds.iter().any(|count| count.kind == kind) {
        kind
    } else {
        kinds.first().map(|count| count.kind.clone()).unwrap_or_default()
    };
    let page = page.max(1);
    let found = backend
        .store
        .entities(
            profile.key,
            &session.workspace_id,
            &kind,
            Some(search.as_str()),
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await
        .map_err(to_server_error)?;
    let items = found
        .items
        .into_iter()
        .map(|row| EntityItem {
            json: serde_json::from_str::<serde_json::Value>(&row.data)
                .ok()
                .and_then(|value| serde_json::to_string_pretty(&value).ok())
                .unwrap_or(row.data),
            name: row.name.unwrap_or_else(|| "(no name)".into()),
            id: row.entity_id,
            parent_id: row.parent_id,
            fetched_at: format_time(row.fetched_at),
        })
        .collect();
    Ok(EntityList {
        kinds,
        kind,
        items,
        total: found.total,
        page,
    })
}

#[component]
pub fn DataPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let kind = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let token = session.token.clone();
    let list = Resource::new(
        move || (token.clone(), kind.get(), search.get(), page.get()),
        |(token, kind, search, page)| list_entities(token, kind, search, page),
    );
    view! {
        <Card title="Workspace data">
            <div class="mb-3 flex flex-wrap items-center gap-3">
                <input type="search" placeholder="Search by name" aria-label="Search by name" data-testid="data-search"
                       class="w-64 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900"
                       prop:value=move || search.get()
                       on:input=move |event| { search.set(event_target_value(&event)); page.set(1); }/>
            </div>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(data) => view! { <EntityTable data kind page/> }.into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn EntityTable(data: EntityList, kind: RwSignal<String>, page: RwSignal<i64>) -> impl IntoView {
    if data.kinds.is_empty() {
        return view! {
            <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="data-empty">
                "Nothing stored yet: the bootstrap on the Overview pulls your workspace's data."
            </p>
        }
        .into_any();
    }
    let tabs = data
        .kinds
        .iter()
        .map(|count| {
            let selected = count.kind == data.kind;
            let target = count.kind.clone();
            view! {
                <button type="button" data-kind=count.kind.clone() aria-pressed=selected.to_string()
                        class=if selected {
                            "rounded-full bg-[#03a9f4] px-3 py-1 text-xs font-semibold text-white"
                        } else {
                            "rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700 hover:bg-slate-200 dark:bg-slate-700 dark:text-slate-200"
                        }
                        on:click=move |_| { kind.set(target.clone()); page.set(1); }>
                    {format!("{} ({})", count.label, thousands(count.count))}
                </button>
            }
        })
        .collect_view();
    let pages = ((data.total + super::data::PAGE_SIZE - 1) / super::data::PAGE_SIZE).max(1);
    let current = data.page;
    let rows = data
        .items
        .iter()
        .map(|item| {
            view! {
                <tr class="border-t border-slate-100 align-top dark:border-slate-700" data-testid="entity-row">
                    <td class="py-1.5 pr-3">
                        <details>
                            <summary class="cursor-pointer text-sm font-medium text-slate-900 dark:text-slate-100">{item.name.clone()}</summary>
                            <pre class="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-2 text-xs dark:bg-slate-900">{item.json.clone()}</pre>
                        </details>
                    </td>
                    <td class="py-1.5 pr-3 font-mono text-xs text-slate-500 dark:text-slate-400">{item.id.clone()}</td>
                    <td class="py-1.5 text-xs text-slate-500 dark:text-slate-400">{item.fetched_at.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="mb-3 flex flex-wrap gap-2" data-testid="data-kinds">{tabs}</div>
        <p class="mb-2 text-xs text-slate-500 dark:text-slate-400" data-testid="data-total">
            {format!("{} match(es)", thousands(data.total))}
        </p>
        <table class="w-full text-left">
            <thead>
                <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <th class="pb-1 font-semibold">"Name"</th>
                    <th class="pb-1 font-semibold">"ID"</th>
                    <th class="pb-1 font-semibold">"Fetched"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager page current pages test_id="data"/>
    }
    .into_any()
}
