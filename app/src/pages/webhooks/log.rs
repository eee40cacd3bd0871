//! The Log tab: counts per source, the chart, filters (event type, source, status, time range,
//! text in the body), the newest events first with paging, live while the tab is open (a poll
//! every 2 s, which the admin can pause), rejections by reason, a detail drawer per event,
//! "Replay all matching" and "Export matching".

use addon_core::profile::find_profile;
use leptos::prelude::*;

use super::{
    chart::EventChart,
    detail::EventDrawer,
    server::{
        export_log, load_event, load_log, load_log_meta, replay_matching, EventDetail, LogQuery, LogView, SourceCounts,
        SourceOption,
    },
};
use crate::{
    components::{thousands, Card, ExportOutcome, Pager},
    session::{error_message, SessionView},
};

/// How often the open log asks for new events.
const POLL: std::time::Duration = std::time::Duration::from_millis(2000);

/// The chart and the filter options are refreshed every this many polls (and whenever new
/// events arrive).
const META_EVERY: u32 = 15;

const SELECT: &str = "max-w-60 rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                      dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

const TEXT: &str = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                    dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/// The badge of an event's status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "accepted" => "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        "duplicate" => "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100",
        _ => "bg-slate-100 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
    }
}

#[component]
pub fn LogTab() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let profile = find_profile(&session.addon_key);
    let has_sources = profile.is_some_and(|profile| profile.features.custom_sources);
    let clockify_events: Vec<&'static str> = profile.map(|profile| profile.events()).unwrap_or_default();

    let event_type = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let range = RwSignal::new("all".to_string());
    let text = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let selected = RwSignal::new(None::<String>);
    // Outside the table, which is rebuilt at every poll, so an open list stays open.
    let show_rejections = RwSignal::new(false);
    let chart_span = RwSignal::new(super::chart::CHART_MINUTES);
    let tick = RwSignal::new(0u32);
    // Paused, the log stops polling, so rows stay put while the admin reads them.
    let live = RwSignal::new(true);
    let query = Memo::new(move |_| LogQuery {
        event_type: event_type.get(),
        source: source.get(),
        status: status.get(),
        range: range.get(),
        text: text.get(),
    });

    // Every resource of the tab is created here, at the top (never inside a Suspend).
    let token = session.token.clone();
    let log = Resource::new(
        move || (token.clone(), query.get(), page.get(), tick.get()),
        |(token, query, page, _)| load_log(token, query, page),
    );
    // The chart and options follow new deliveries (the stored count changes) and the clock.
    let stored = RwSignal::new(0i64);
    let meta_tick = Memo::new(move |_| tick.get() / META_EVERY);
    let token = session.token.clone();
    let meta = Resource::new(
        move || (token.clone(), meta_tick.get(), stored.get()),
        |(token, _, _)| load_log_meta(token),
    );
    let token = session.token.clone();
    let detail = Resource::new(
        move || (token.clone(), selected.get()),
        |(token, id)| async move {
            match id {
                Some(id) => load_event(token, id).await.map(Some),
                None => Ok(None::<EventDetail>),
            }
        },
    );

    // Filter options that change rarely, copied out of the resource only when they change (so an
    // open select is not rebuilt every poll).
    let custom_types = RwSignal::new(Vec::<String>::new());
    let source_options = RwSignal::new(Vec::<SourceOption>::new());
    let matching = RwSignal::new(0i64);
    Effect::new(move |_| {
        if let Some(Ok(meta)) = meta.get() {
            if custom_types.with_untracked(|types| *types != meta.custom_event_types) {
                custom_types.set(meta.custom_event_types.clone());
            }
            if source_options.with_untracked(|options| *options != meta.sources) {
                source_options.set(meta.sources);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = log.get() {
            matching.set(view.total);
            let all: i64 = view.counts.iter().map(|count| count.accepted + count.duplicate).sum();
            if stored.get_untracked() != all {
                stored.set(all);
            }
        }
    });
    // Live: poll while the tab is open and not paused; the interval goes with the tab.
    Effect::new(move |_| {
        let poll = move || {
            if live.get_untracked() {
                tick.update(|tick| *tick += 1);
            }
        };
        let handle = set_interval_with_handle(poll, POLL).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });

    let token = session.token.clone();
    let replay_all = Action::new(move |query: &LogQuery| replay_matching(token.clone(), query.clone()));
    let confirming = RwSignal::new(false);
    let replay_message = move || {
        replay_all.value().get().map(|result| match result {
            Ok(outcome) => view! {
                <span class="text-sm text-emerald-700 dark:text-emerald-300" role="status" data-testid="replay-all-result">
                    {format!("Replayed into flows: {}", outcome.message())}
                </span>
            }
            .into_any(),
            Err(error) => view! {
                <span class="text-sm text-red-600 dark:text-red-400" role="alert" data-testid="replay-all-result">{error_message(&error)}</span>
            }
            .into_any(),
        })
    };

    // Export: the server writes the matching events as JSON Lines; the browser saves the file.
    let token = session.token.clone();
    let export = Action::new(move |query: &LogQuery| export_log(token.clone(), query.clone()));

    let reset_page = move || page.set(1);
    let event_options = clockify_events
        .into_iter()
        .map(|name| {
            let value = name.to_string();
            let current = value.clone();
            view! { <option value=value prop:selected=move || event_type.with(|selected| *selected == current)>{name}</option> }
        })
        .collect_view();
    let custom_options = move || {
        let custom = custom_types.get();
        (!custom.is_empty()).then(|| {
            let options = custom
                .into_iter()
                .map(|name| {
                    let current = name.clone();
                    let value = name.clone();
                    view! { <option value=value prop:selected=move || event_type.with(|selected| *selected == current)>{name}</option> }
                })
                .collect_view();
            view! { <optgroup label="Custom sources">{options}</optgroup> }
        })
    };
    let source_filter = has_sources.then(|| {
        let options = move || {
            source_options
                .get()
                .into_iter()
                .map(|option| {
                    let current = option.id.clone();
                    view! { <option value=option.id prop:selected=move || source.with(|selected| *selected == current)>{option.name}</option> }
                })
                .collect_view()
        };
        view! {
            <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                "Source"
                <select class=SELECT data-testid="filter-source"
                        on:change=move |event| { source.set(event_target_value(&event)); reset_page(); }>
                    <option value="" prop:selected=move || source.with(String::is_empty)>"All sources"</option>
                    <option value="clockify" prop:selected=move || source.with(|s| s == "clockify")>"Clockify"</option>
                    {options}
                </select>
            </label>
        }
    });

    view! {
        <div class="flex flex-col gap-4">
            <Card title="Events per minute, last 24 hours (UTC)">
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match meta.await {
                            Ok(meta) => view! {
                                <EventChart data=meta.chart span=chart_span/>
                                <p class="mt-2 text-xs text-slate-500 dark:text-slate-400" data-testid="retention-notice"
                                   data-days=meta.retention_days>
                                    {format!("Events are kept for {} days; older ones are deleted in the background (Settings → Webhook log retention).", meta.retention_days)}
                                </p>
                            }.into_any(),
                            Err(error) => view! {
                                <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </Card>
            <Card title="Webhook log">
                <div class="mb-3 flex flex-wrap items-end gap-3" data-testid="log-filters">
                    <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Event type"
                        <select class=SELECT data-testid="filter-event-type"
                                on:change=move |event| { event_type.set(event_target_value(&event)); reset_page(); }>
                            <option value="" prop:selected=move || event_type.with(String::is_empty)>"All event types"</option>
                            <optgroup label="Clockify">{event_options}</optgroup>
                            {custom_options}
                        </select>
                    </label>
                    {source_filter}
                    <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Status"
                        <select class=SELECT data-testid="filter-status"
                                on:change=move |event| { status.set(event_target_value(&event)); reset_page(); }>
                            <option value="">"Accepted and duplicate"</option>
                            <option value="accepted">"Accepted"</option>
                            <option value="duplicate">"Duplicate"</option>
                        </select>
                    </label>
                    <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Received"
                        <select class=SELECT data-testid="filter-range"
                                on:change=move |event| { range.set(event_target_value(&event)); reset_page(); }>
                            <option value="1h">"Last hour"</option>
                            <option value="24h">"Last 24 hours"</option>
                            <option value="7d">"Last 7 days"</option>
                            <option value="all" selected>"All time"</option>
                        </select>
                    </label>
                    <label class="flex min-w-48 flex-1 flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Text in the body, dedupe key or event id"
                        <input type="search" placeholder="e.g. a project id, or a sender's msg_… id" data-testid="filter-text" class=TEXT
                               prop:value=move || text.get()
                               on:input=move |event| { text.set(event_target_value(&event)); reset_page(); }/>
                    </label>
                    <button type="button" data-testid="live-toggle" data-live=move || live.get().to_string()
                            aria-pressed=move || (!live.get()).to_string()
                            title="While live, new deliveries appear every few seconds; pause to read without the rows moving."
                            class="flex items-center gap-1.5 rounded border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700"
                            on:click=move |_| {
                                let resume = !live.get_untracked();
                                live.set(resume);
                                if resume {
                                    tick.update(|tick| *tick += 1);
                                }
                            }>
                        <span aria-hidden="true" class=move || if live.get() {
                            "h-2 w-2 rounded-full bg-emerald-500 motion-safe:animate-pulse"
                        } else {
                            "h-2 w-2 rounded-full bg-slate-400"
                        }></span>
                        {move || if live.get() { "Live: pause" } else { "Paused: resume" }}
                    </button>
                </div>
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match log.await {
                            Ok(data) => view! { <LogTable data page selected has_sources show_rejections/> }.into_any(),
                            Err(error) => view! {
                                <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="log-error">{error_message(&error)}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
                <div class="mt-4 flex flex-wrap items-center gap-3 border-t border-slate-100 pt-3 dark:border-slate-700">
                    <Show when=move || !confirming.get()>
                        <button type="button" data-testid="replay-all"
                                class="rounded border border-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-[#0288d1] hover:bg-sky-50 disabled:opacity-40 dark:text-[#4fc3f7] dark:hover:bg-slate-700"
                                disabled=move || matching.get() == 0 || replay_all.pending().get()
                                on:click=move |_| confirming.set(true)>
                            "Replay all matching into flows"
                        </button>
                    </Show>
                    <Show when=move || confirming.get()>
                        <span class="text-sm" data-testid="replay-all-confirm-text">
                            {move || format!(
                                "Queue {} matching event(s) for the flows again (at most {})?",
                                thousands(matching.get()),
                                thousands(super::server::MAX_REPLAY)
                            )}
                        </span>
                        <button type="button" data-testid="replay-all-confirm"
                                class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1]"
                                on:click=move |_| {
                                    confirming.set(false);
                                    replay_all.dispatch(query.get_untracked());
                                }>
                            "Replay"
                        </button>
                        <button type="button" data-testid="replay-all-cancel"
                                class="rounded border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-600"
                                on:click=move |_| confirming.set(false)>
                            "Cancel"
                        </button>
                    </Show>
                    {replay_message}
                    <button type="button" data-testid="export-log"
                            title="Download the events matching the filters as JSON Lines (one event per line, oldest first)"
                            class="ml-auto rounded border border-slate-300 px-3 py-1.5 text-sm font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-40 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700"
                            disabled=move || matching.get() == 0 || export.pending().get()
                            on:click=move |_| { export.dispatch(query.get_untracked()); }>
                        {move || if export.pending().get() { "Exporting…" } else { "Export matching (JSON Lines)" }}
                    </button>
                    <ExportOutcome export test_id="export-result"/>
                </div>
            </Card>
            <EventDrawer selected detail/>
        </div>
    }
}

/// Counts per source, the page of events and the pager.
#[component]
fn LogTable(
    data: LogView,
    page: RwSignal<i64>,
    selected: RwSignal<Option<String>>,
    has_sources: bool,
    show_rejections: RwSignal<bool>,
) -> impl IntoView {
    let rejection_list = data.rejections;
    let rejection_rows = move || {
        rejection_list
            .clone()
            .into_iter()
            .map(|row| {
                let (reason, count) = (row.reason.clone(), row.count.to_string());
                view! {
                    <tr class="border-t border-red-100 align-top dark:border-red-900" data-testid="rejection-row"
                        data-reason=reason data-count=count>
                        <td class="py-1.5 pr-3 text-sm">{row.source_name}</td>
                        <td class="py-1.5 pr-3">
                            <span class="font-mono text-xs font-semibold text-red-700 dark:text-red-300">{row.reason}</span>
                            <p class="text-xs text-slate-600 dark:text-slate-300" data-testid="rejection-explanation">{row.explanation}</p>
                        </td>
                        <td class="py-1.5 pr-3 text-right text-sm tabular-nums">{thousands(row.count)}</td>
                        <td class="whitespace-nowrap py-1.5 text-xs text-slate-500 dark:text-slate-400">{row.last}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let has_rejections = data.rejected > 0;
    let rejections_toggle = has_rejections.then(|| {
        view! {
            <button type="button" data-testid="rejections-toggle"
                    class="font-semibold text-[#0288d1] hover:underline dark:text-[#4fc3f7]"
                    aria-expanded=move || show_rejections.get().to_string()
                    on:click=move |_| show_rejections.update(|shown| *shown = !*shown)>
                {move || if show_rejections.get() { "hide why" } else { "why?" }}
            </button>
        }
    });
    let rejections = view! {
        <Show when=move || has_rejections && show_rejections.get()>
            <div class="mb-3 rounded border border-red-200 bg-red-50/60 p-3 dark:border-red-900 dark:bg-red-950/40" data-testid="rejections">
                <p class="mb-2 text-xs text-slate-600 dark:text-slate-300">
                    "Rejected deliveries are answered with an error and counted by reason; their bodies are never stored."
                </p>
                <table class="w-full text-left">
                    <thead>
                        <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                            <th class="pb-1 font-semibold">"Source"</th>
                            <th class="pb-1 font-semibold">"Reason"</th>
                            <th class="pb-1 pr-3 text-right font-semibold">"Count"</th>
                            <th class="pb-1 font-semibold">"Last"</th>
                        </tr>
                    </thead>
                    <tbody>{rejection_rows.clone()}</tbody>
                </table>
            </div>
        </Show>
    };
    let counts = data
        .counts
        .iter()
        .map(|count| view! { <CountChip count=count.clone()/> })
        .collect_view();
    let current = data.page;
    let pages = data.pages;
    let empty = data.items.is_empty();
    let rows = data
        .items
        .into_iter()
        .map(|row| {
            let id = row.id.clone();
            let open = {
                let id = id.clone();
                move || selected.set(Some(id.clone()))
            };
            let open_key = open.clone();
            let is_selected = {
                let id = id.clone();
                move || selected.with(|selected| selected.as_deref() == Some(id.as_str()))
            };
            let badge = format!(
                "inline-block rounded-full px-2 py-0.5 text-xs font-semibold {}",
                status_class(&row.status)
            );
            let (event_type, status) = (row.event_type.clone(), row.status.clone());
            let source_cell = has_sources.then(|| view! { <td class="py-1.5 pr-3 text-sm">{row.source_name.clone()}</td> });
            view! {
                <tr data-testid="event-row" data-id=id data-event-type=event_type data-source=row.source.clone()
                    data-status=status tabindex="0" role="button"
                    class=move || if is_selected() {
                        "cursor-pointer border-t border-slate-100 bg-sky-50 dark:border-slate-700 dark:bg-slate-700"
                    } else {
                        "cursor-pointer border-t border-slate-100 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-700/60"
                    }
                    on:click=move |_| open()
                    on:keydown=move |event| if event.key() == "Enter" { open_key() }>
                    <td class="whitespace-nowrap py-1.5 pr-3 text-xs text-slate-500 dark:text-slate-400">{row.time}</td>
                    {source_cell}
                    <td class="py-1.5 pr-3 font-mono text-xs">{row.event_type}</td>
                    <td class="py-1.5">
                        <span class=badge data-testid="event-status">{row.status}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let source_header = has_sources.then(|| view! { <th class="pb-1 font-semibold">"Source"</th> });
    let empty_row = empty.then(|| {
        view! {
            <p class="py-4 text-sm text-slate-500 dark:text-slate-400" data-testid="log-empty">
                "No events match. New deliveries appear here within seconds."
            </p>
        }
    });
    view! {
        <div class="mb-3 flex flex-wrap gap-2" data-testid="source-counts">{counts}</div>
        <p class="mb-2 flex flex-wrap gap-x-3 text-xs text-slate-500 dark:text-slate-400">
            <span data-testid="log-total" data-total=data.total.to_string()>{format!("{} matching event(s)", thousands(data.total))}</span>
            <span data-testid="rejected-count" data-rejected=data.rejected.to_string()
                  title="Rejected deliveries (bad signature, unknown event type, too large, …) are counted, never stored.">
                {format!("rejected: {}", thousands(data.rejected))}
            </span>
            {rejections_toggle}
        </p>
        {rejections}
        <table class="w-full text-left">
            <thead>
                <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <th class="pb-1 font-semibold">"Received"</th>
                    {source_header}
                    <th class="pb-1 font-semibold">"Event type"</th>
                    <th class="pb-1 font-semibold">"Status"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty_row}
        <Pager page current pages test_id="log"/>
    }
}

/// One source's deliveries by outcome.
#[component]
fn CountChip(count: SourceCounts) -> impl IntoView {
    view! {
        <div class="rounded border border-slate-200 px-3 py-1.5 text-xs dark:border-slate-600" data-testid="source-count"
             data-source=count.source.clone() data-accepted=count.accepted.to_string()
             data-duplicate=count.duplicate.to_string() data-rejected=count.rejected.to_string()>
            <span class="font-semibold text-slate-800 dark:text-slate-100">{count.name}</span>
            <span class="ml-2 text-emerald-700 dark:text-emerald-300">{format!("{} accepted", thousands(count.accepted))}</span>
            <span class="ml-2 text-amber-700 dark:text-amber-300">{format!("{} duplicate", thousands(count.duplicate))}</span>
            <span class="ml-2 text-red-700 dark:text-red-300">{format!("{} rejected", thousands(count.rejected))}</span>
        </div>
    }
}
