//! The user's past calls: status and duration, run again, copy as curl, and "make a flow
//! action" from a request.

use leptos::prelude::*;

use super::{actions, flow_action_href, Explorer, HistoryRow, MethodBadge};
use crate::{components::Card, session::error_message};

#[component]
pub(crate) fn HistoryPanel() -> impl IntoView {
    let state = expect_context::<Explorer>();
    view! {
        <Card title="History">
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.history.await {
                        Ok(view) if view.rows.is_empty() => view! {
                            <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="history-empty">
                                "Your calls will be listed here."
                            </p>
                        }
                        .into_any(),
                        Ok(view) => view! {
                            <ul class="flex flex-col divide-y divide-slate-100 dark:divide-slate-700" data-testid="explorer-history">
                                {view.rows.into_iter().map(|row| view! { <HistoryEntry row/> }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
    .into_any()
}

#[component]
fn HistoryEntry(row: HistoryRow) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let item = row.item;
    let status = match (item.status, &item.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(_)) => "no answer".to_string(),
        (None, None) => "?".to_string(),
    };
    let status_tone = match item.status {
        Some(200..=299) => "text-emerald-700 dark:text-emerald-300",
        Some(400..=499) => "text-amber-700 dark:text-amber-300",
        _ => "text-red-700 dark:text-red-300",
    };
    let flow_href = flow_action_href(
        &state,
        &item.operation_id,
        &item.params,
        item.body.as_deref().unwrap_or_default(),
    );
    let rerun_item = item.clone();
    let curl_item = item.clone();
    let button = "rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700";
    view! {
        <li class="flex flex-wrap items-center gap-2 py-1.5" data-testid="history-entry"
            data-operation=item.operation_id.clone() data-status=item.status.map(|status| status.to_string()).unwrap_or_default()>
            <MethodBadge method=item.method.clone()/>
            <span class="min-w-0 flex-1">
                <span class="block truncate font-mono text-xs text-slate-800 dark:text-slate-100" title=item.path.clone()>{item.path.clone()}</span>
                <span class="block text-[11px] text-slate-500 dark:text-slate-400">
                    {format!("{} · {} · ", row.time, item.operation_id)}
                    <span class=status_tone data-testid="history-status">{status}</span>
                    {format!(" · {} ms", item.duration_ms)}
                    {item.error.clone().map(|error| format!(" · {error}"))}
                </span>
            </span>
            <button type="button" class=button data-testid="history-rerun"
                    on:click=move |_| actions::rerun(state, &rerun_item)>"Re-run"</button>
            <button type="button" class=button data-testid="history-curl"
                    on:click=move |_| actions::copy_curl(state, Some(curl_item.clone()))>"curl"</button>
            <a href=flow_href class=button data-testid="history-flow">"Flow action"</a>
        </li>
    }
    .into_any()
}
