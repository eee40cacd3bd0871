//! The drawer with one event: when and from where it came, its dedupe key, the body (pretty
//! JSON, or the raw text), the headers as received (secrets redacted at ingestion), the query,
//! the flow runs it started, and "Replay into flows". Every value is rendered as text, never as
//! HTML.

use leptos::prelude::*;

use super::{
    log::status_class,
    server::{replay_event, EventDetail},
};
use crate::{
    components::{Drawer, Field},
    pages::flows::runs::RunStatusBadge,
    session::{error_message, SessionView},
};

/// The drawer; `detail` is the log tab's resource for the `selected` event.
#[component]
pub fn EventDrawer(
    selected: RwSignal<Option<String>>,
    detail: Resource<Result<Option<EventDetail>, ServerFnError>>,
) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let token = session.token.clone();
    let replay = Action::new(move |id: &String| replay_event(token.clone(), id.clone()));
    // A new event clears the last replay's answer.
    let replayed_for = RwSignal::new(None::<String>);
    let replay_result = move || {
        let current = selected.get();
        (replayed_for.get() == current)
            .then(|| replay.value().get())
            .flatten()
            .map(|result| match result {
                Ok(outcome) => view! {
                    <span role="status" class="text-sm text-emerald-700 dark:text-emerald-300" data-testid="replay-result">
                        {outcome.message()}
                    </span>
                }
                .into_any(),
                Err(error) => view! {
                    <span role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="replay-result">{error_message(&error)}</span>
                }
                .into_any(),
            })
    };
    let actions = move || {
        view! {
            {replay_result}
            <button type="button" data-testid="replay-event"
                    class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50"
                    disabled=move || replay.pending().get()
                    on:click=move |_| {
                        if let Some(id) = selected.get_untracked() {
                            replayed_for.set(Some(id.clone()));
                            replay.dispatch(id);
                        }
                    }>
                "Replay into flows"
            </button>
        }
    };
    view! {
        <Drawer selected title="Event" label="Event detail" test_id="event-detail" close_test_id="close-detail"
                width="max-w-2xl" actions>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(event)) => view! { <EventBody event/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Drawer>
    }
}

#[component]
fn EventBody(event: EventDetail) -> impl IntoView {
    let headers = event
        .headers
        .iter()
        .map(|(name, value)| {
            view! {
                <tr class="border-t border-slate-100 align-top dark:border-slate-700" data-testid="event-header" data-name=name.clone()>
                    <td class="whitespace-nowrap py-1 pr-3 font-mono text-xs text-slate-500 dark:text-slate-400">{name.clone()}</td>
                    <td class="break-all py-1 font-mono text-xs">{value.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let query = if event.query.is_empty() {
        "(none)".to_string()
    } else {
        event.query.clone()
    };
    let runs = if event.runs.is_empty() {
        view! {
            <p class="text-xs text-slate-500 dark:text-slate-400" data-testid="event-runs-empty">
                "No flow has run on this event: none matched it, it is a duplicate, or no flow was published when it came. \
                 \"Replay into flows\" runs the published flows on it now."
            </p>
        }
        .into_any()
    } else {
        let rows = event
            .runs
            .iter()
            .map(|run| {
                let error = run.error.clone().map(|error| {
                    view! { <p class="break-all text-xs text-red-700 dark:text-red-300">{error}</p> }
                });
                view! {
                    <li class="flex flex-col gap-0.5 border-t border-slate-100 py-1.5 first:border-t-0 dark:border-slate-700"
                        data-testid="event-run" data-run-id=run.id.clone() data-status=run.status.clone()>
                        <div class="flex flex-wrap items-center gap-2">
                            <RunStatusBadge status=run.status.clone()/>
                            <span class="text-sm font-medium" data-testid="event-run-flow">{run.flow.clone()}</span>
                            <span class="text-xs text-slate-500 dark:text-slate-400">{run.started.clone()}</span>
                        </div>
                        {error}
                    </li>
                }
            })
            .collect_view();
        view! { <ul data-testid="event-runs">{rows}</ul> }.into_any()
    };
    let body_label = if event.body_is_json {
        "Body (JSON)"
    } else {
        "Body (text)"
    };
    view! {
        <div data-testid="event-detail-body" data-id=event.id.clone() class="flex flex-col gap-4">
            <dl class="grid grid-cols-2 gap-3">
                <Field label="Event type" value=event.event_type.clone() test_id="detail-event-type"/>
                <Field label="Received" value=event.time.clone() test_id="detail-time"/>
                <Field label="Source" value=event.source_name.clone() test_id="detail-source"/>
                <div class="flex flex-col gap-0.5">
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Status"</dt>
                    <dd><span class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-semibold {}", status_class(&event.status))
                              data-testid="detail-status">{event.status.clone()}</span></dd>
                </div>
                <div class="col-span-2 flex flex-col gap-0.5">
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Dedupe key"</dt>
                    <dd class="break-all font-mono text-xs" data-testid="detail-dedupe-key">{event.dedupe_key.clone()}</dd>
                </div>
                <div class="col-span-2 flex flex-col gap-0.5">
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Event id"</dt>
                    <dd class="break-all font-mono text-xs" data-testid="detail-id">{event.id.clone()}</dd>
                </div>
            </dl>
            <section>
                <h3 class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Flow runs"</h3>
                {runs}
            </section>
            <section>
                <h3 class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{body_label}</h3>
                <pre data-testid="detail-body"
                     class="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs text-slate-900 dark:bg-slate-900 dark:text-slate-100">{event.body.clone()}</pre>
            </section>
            <section>
                <h3 class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Headers"</h3>
                <table class="w-full text-left" data-testid="detail-headers"><tbody>{headers}</tbody></table>
            </section>
            <section>
                <h3 class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Query"</h3>
                <p class="break-all font-mono text-xs" data-testid="detail-query">{query}</p>
            </section>
        </div>
    }
}
