//! The operation list: every operation grouped by tag, or, while a query is typed, the ranked
//! hits of the in-browser search (each keystroke is timed for the benchmark).

use addon_core::{
    explorer::{policy::check_runnable, policy::Refusal, SearchIndex},
    openapi::{missing_scopes, ApiSpec},
};
use leptos::prelude::*;

use super::{actions, browser, Explorer, MethodBadge};

/// Hits shown at most (the count says how many there are).
const MAX_HITS: usize = 60;

#[component]
pub(crate) fn OperationList() -> impl IntoView {
    let state = expect_context::<Explorer>();
    let spec = ApiSpec::clockify();
    let on_input = move |event| {
        let query = event_target_value(&event);
        let started = browser::now_ms();
        let hits = SearchIndex::clockify().search(&query);
        let elapsed = browser::now_ms() - started;
        browser::record_search_time(elapsed);
        state.search_ms.set(elapsed);
        state.hit_count.set(hits.len());
        state
            .hits
            .set(hits.into_iter().take(MAX_HITS).map(|hit| hit.index).collect());
        state.query.set(query);
    };
    let searching = move || !state.query.with(|query| query.trim().is_empty());
    let groups = spec
        .by_tag()
        .into_iter()
        .map(|(tag, operations)| {
            let rows = operations
                .iter()
                .map(|operation| {
                    let index = spec
                        .operations()
                        .iter()
                        .position(|candidate| std::ptr::eq(candidate, *operation))
                        .unwrap_or_default();
                    view! { <OperationRow index/> }
                })
                .collect_view();
            view! {
                <details open data-tag=tag.to_string() class="mb-1">
                    <summary class="cursor-pointer select-none py-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                        {format!("{tag} ({})", operations.len())}
                    </summary>
                    <div class="flex flex-col">{rows}</div>
                </details>
            }
        })
        .collect_view();
    view! {
        <aside class="flex min-w-0 flex-col gap-2 rounded-md border border-slate-200 bg-white p-3 shadow-sm md:sticky md:top-2 md:self-start dark:border-slate-700 dark:bg-slate-800"
               data-testid="explorer-list">
            <input type="search" data-testid="explorer-search" autocomplete="off" spellcheck="false"
                   aria-label="Search the Clockify API"
                   placeholder=format!("Search {} operations", spec.operations().len())
                   class="w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-[#03a9f4] focus:outline-none dark:border-slate-600 dark:bg-slate-900"
                   prop:value=move || state.query.get()
                   on:input=on_input/>
            <p class="text-xs text-slate-500 dark:text-slate-400" data-testid="explorer-search-summary">
                {move || if searching() {
                    format!("{} match(es)", state.hit_count.get())
                } else {
                    format!("{} operations in {} groups", spec.operations().len(), spec.tags().len())
                }}
            </p>
            <div class="max-h-[75vh] overflow-y-auto pr-1" data-testid="explorer-results"
                 data-search-ms=move || format!("{:.3}", state.search_ms.get())
                 data-hits=move || state.hit_count.get().to_string()>
                <div class:hidden=searching data-testid="explorer-groups">{groups}</div>
                <Show when=searching>
                    <div class="flex flex-col" data-testid="explorer-hits">
                        <For each=move || state.hits.get() key=|index| *index let:index>
                            <OperationRow index show_tag=true/>
                        </For>
                    </div>
                    <Show when=move || state.hit_count.get() == 0>
                        <p class="p-2 text-sm text-slate-500 dark:text-slate-400">"No operation matches every word."</p>
                    </Show>
                </Show>
            </div>
        </aside>
    }
    .into_any()
}

/// One operation in the list: method, summary and path, with its marks.
#[component]
fn OperationRow(index: usize, #[prop(optional)] show_tag: bool) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let operation = &ApiSpec::clockify().operations()[index];
    let refusal = check_runnable(operation, state.profile).err();
    let missing = missing_scopes(operation, state.profile.scopes);
    let disabled = refusal.is_some();
    let selected = move || state.selected.get() == Some(index);
    let class = move || {
        let base = "flex w-full items-start gap-2 rounded px-1.5 py-1 text-left";
        let tone = if selected() {
            "bg-sky-50 ring-1 ring-[#03a9f4] dark:bg-sky-950"
        } else {
            "hover:bg-slate-100 dark:hover:bg-slate-700"
        };
        let dim = if disabled { "opacity-60" } else { "" };
        format!("{base} {tone} {dim}")
    };
    let refusal_badge = refusal.map(|refusal| {
        let (label, title) = match refusal {
            Refusal::ReadOnlyProfile => ("GET only", "This add-on runs GET operations only"),
            Refusal::NotForAddons => ("personal key", "Clockify does not accept the add-on's token here"),
            _ => ("not supported", "The explorer cannot send this operation"),
        };
        view! {
            <span title=title data-testid="operation-disabled"
                  class="rounded bg-slate-200 px-1 text-[10px] text-slate-600 dark:bg-slate-600 dark:text-slate-200">{label}</span>
        }
    });
    let deprecated = operation.deprecated.then(|| {
        view! { <span class="rounded bg-slate-200 px-1 text-[10px] text-slate-600 dark:bg-slate-600 dark:text-slate-200">"deprecated"</span> }
    });
    let missing_badge = (!missing.is_empty()).then(|| {
        view! {
            <span title=format!("This add-on lacks the scope {}", missing.join(", ")) data-testid="operation-missing-scope"
                  class="rounded bg-amber-100 px-1 text-[10px] text-amber-800 dark:bg-amber-900 dark:text-amber-100">
                {format!("needs {}", missing.join(", "))}
            </span>
        }
    });
    let tag = show_tag.then(|| {
        view! { <span class="text-[10px] uppercase text-slate-400">{operation.tag.clone()}</span> }
    });
    view! {
        <button type="button" class=class
                data-operation=operation.id.clone() data-method=operation.method.as_str()
                data-disabled=disabled.to_string()
                data-deprecated=operation.deprecated.to_string() data-missing-scope=(!missing.is_empty()).to_string()
                aria-pressed=move || selected().to_string()
                on:click=move |_| actions::select(state, index)>
            <MethodBadge method=operation.method.as_str()/>
            <span class="min-w-0 flex-1">
                <span class="block truncate text-sm text-slate-800 dark:text-slate-100"
                      class:line-through=operation.deprecated>{operation.summary.clone()}</span>
                <span class="block truncate font-mono text-[11px] text-slate-500 dark:text-slate-400">{operation.path.clone()}</span>
                <span class="flex flex-wrap gap-1">{tag}{deprecated}{missing_badge}{refusal_badge}</span>
            </span>
        </button>
    }
    .into_any()
}
