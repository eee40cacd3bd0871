//! Flow runs: one flow's runs ([`FlowRuns`], the editor's "Runs" tab) and every flow's runs
//! with a flow filter ([`AllRuns`]). Status chips with counts and a bar of the share per
//! status, the newest runs first with paging, and a detail panel per run: every attempt's
//! steps with the rendered request and the response as pretty JSON, the event's body,
//! "Retry" (failed or dead runs) and "Re-run" (finished runs). Live while runs are queued,
//! running or retrying (a poll every 2 s), otherwise every 10 s.

use leptos::prelude::*;

use super::runs_server::{
    can_rerun, can_retry, format_duration, is_active, load_run, load_runs, rerun_flow_run, retry_flow_run, AttemptView,
    FlowOption, RunDetail, RunSummary, RunsView, StatusCount, StepView, STATUSES,
};
use crate::{
    components::{thousands, Card, Drawer, Field, Pager},
    session::{error_message, SessionView},
};

/// How often the page polls while a run may still change.
const POLL: std::time::Duration = std::time::Duration::from_millis(2000);

/// While nothing is active, every this many polls (new runs still show up).
const IDLE_EVERY: u32 = 5;

const SELECT: &str = "max-w-60 rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                      dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

const PRE: &str = "max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs \
                   text-slate-900 dark:bg-slate-900 dark:text-slate-100";

const H3: &str = "mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";

/// The badge colours of a run (or step) status.
pub fn run_status_class(status: &str) -> &'static str {
    match status {
        "succeeded" => "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        "failed" => "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
        "dead" => "bg-red-800 text-white dark:bg-red-950 dark:text-red-200",
        "retrying" => "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100",
        "running" => "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100",
        _ => "bg-slate-100 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
    }
}

/// The bar colour of a status.
fn status_color(status: &str) -> &'static str {
    match status {
        "succeeded" => "#10b981",
        "failed" => "#ef4444",
        "dead" => "#991b1b",
        "retrying" => "#f59e0b",
        "running" => "#03a9f4",
        _ => "#94a3b8",
    }
}

/// A status as a badge.
#[component]
pub fn RunStatusBadge(#[prop(into)] status: String, #[prop(into, optional)] test_id: String) -> impl IntoView {
    let class = format!(
        "inline-block rounded-full px-2 py-0.5 text-xs font-semibold {}",
        run_status_class(&status)
    );
    let label = status.clone();
    view! { <span class=class data-testid=test_id data-status=status>{label}</span> }
}

/// One flow's runs (the flow editor's "Runs" tab).
#[component]
pub fn FlowRuns(#[prop(into)] flow_id: String) -> impl IntoView {
    view! { <RunsPanel fixed_flow=Some(flow_id)/> }
}

/// Every flow's runs, with a flow filter.
#[component]
pub fn AllRuns() -> impl IntoView {
    view! { <RunsPanel fixed_flow=None/> }
}

#[component]
fn RunsPanel(fixed_flow: Option<String>) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let show_flow = fixed_flow.is_none();
    let flow = RwSignal::new(fixed_flow.clone().unwrap_or_default());
    let status = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let selected = RwSignal::new(None::<String>);
    let tick = RwSignal::new(0u32);
    // Bumped after a retry or a re-run: the list and the open run load again at once.
    let refresh = RwSignal::new(0u32);
    let active = RwSignal::new(false);
    let detail_active = RwSignal::new(false);
    // What the chips, the chart and the flow filter show, copied out of the resource only when
    // it changes (an open select is not rebuilt every poll).
    let counts = RwSignal::new(Vec::<StatusCount>::new());
    let flows = RwSignal::new(Vec::<FlowOption>::new());

    // The list reloads on every tick while something is active, else every IDLE_EVERY ticks.
    let list_tick = Memo::new(move |_| {
        let tick = tick.get();
        if active.get() {
            tick
        } else {
            tick / IDLE_EVERY * IDLE_EVERY
        }
    });
    let detail_tick = Memo::new(move |_| if detail_active.get() { tick.get() } else { 0 });

    // Every resource of the panel is created here, at the top (never inside a Suspend).
    let token = session.token.clone();
    let runs = Resource::new(
        move || {
            (
                token.clone(),
                flow.get(),
                status.get(),
                page.get(),
                list_tick.get(),
                refresh.get(),
            )
        },
        |(token, flow, status, page, _, _)| load_runs(token, flow, status, page),
    );
    let token = session.token.clone();
    let detail = Resource::new(
        move || (token.clone(), selected.get(), detail_tick.get(), refresh.get()),
        |(token, id, _, _)| async move {
            match id {
                Some(id) => load_run(token, id).await.map(Some),
                None => Ok(None::<RunDetail>),
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(view)) = runs.get() {
            if active.get_untracked() != view.active {
                active.set(view.active);
            }
            if counts.with_untracked(|old| *old != view.counts) {
                counts.set(view.counts.clone());
            }
            if flows.with_untracked(|old| *old != view.flows) {
                flows.set(view.flows);
            }
        }
    });
    Effect::new(move |_| {
        let now_active = matches!(detail.get(), Some(Ok(Some(run))) if is_active(&run.run.status));
        if detail_active.get_untracked() != now_active {
            detail_active.set(now_active);
        }
    });
    // The poll goes with the panel.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || tick.update(|tick| *tick += 1), POLL).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });

    let reset_page = move || page.set(1);
    let flow_filter = show_flow.then(|| {
        let options = move || {
            flows
                .get()
                .into_iter()
                .map(|option| {
                    let current = option.id.clone();
                    view! { <option value=option.id prop:selected=move || flow.with(|f| *f == current)>{option.name}</option> }
                })
                .collect_view()
        };
        view! {
            <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                "Flow"
                <select class=SELECT data-testid="runs-filter-flow"
                        on:change=move |event| { flow.set(event_target_value(&event)); reset_page(); }>
                    <option value="" prop:selected=move || flow.with(String::is_empty)>"All flows"</option>
                    {options}
                </select>
            </label>
        }
    });
    let title = if show_flow { "Flow runs" } else { "Runs" };

    view! {
        <div class="flex flex-col gap-4" data-testid=if show_flow { "all-runs" } else { "flow-runs" }>
            <Card title=title>
                <div class="mb-3 flex flex-wrap items-end gap-3">
                    {flow_filter}
                    <StatusChips counts status page/>
                </div>
                <StatusBar counts/>
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match runs.await {
                            Ok(data) => view! { <RunsTable data page selected show_flow/> }.into_any(),
                            Err(error) => view! {
                                <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="runs-error">{error_message(&error)}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </Card>
            <RunDrawer selected detail refresh/>
        </div>
    }
}

/// "All" and one chip per status, with counts; the pressed one filters the table.
#[component]
fn StatusChips(counts: RwSignal<Vec<StatusCount>>, status: RwSignal<String>, page: RwSignal<i64>) -> impl IntoView {
    let chip = move |value: &'static str, label: &'static str| {
        let pressed = move || status.with(|status| status == value);
        let count = move || {
            counts.with(|counts| {
                if value.is_empty() {
                    counts.iter().map(|count| count.count).sum::<i64>()
                } else {
                    counts
                        .iter()
                        .find(|count| count.status == value)
                        .map_or(0, |count| count.count)
                }
            })
        };
        view! {
            <button type="button" data-testid="runs-status-chip" data-status=value
                    data-count=move || count().to_string()
                    aria-pressed=move || pressed().to_string()
                    class=move || if pressed() {
                        "rounded-full bg-[#03a9f4] px-3 py-1 text-xs font-semibold text-white"
                    } else {
                        "rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700 hover:bg-slate-200 dark:bg-slate-700 dark:text-slate-200 dark:hover:bg-slate-600"
                    }
                    on:click=move |_| { status.set(value.to_string()); page.set(1); }>
                {label}
                <span class="ml-1.5 font-semibold">{move || thousands(count())}</span>
            </button>
        }
    };
    let chips = STATUSES.into_iter().map(|status| chip(status, status)).collect_view();
    view! {
        <div class="flex flex-wrap gap-1.5" role="group" aria-label="Status">
            {chip("", "all")}
            {chips}
        </div>
    }
}

/// The share of runs per status as one stacked bar.
#[component]
fn StatusBar(counts: RwSignal<Vec<StatusCount>>) -> impl IntoView {
    let bar = move || {
        let counts = counts.get();
        let total: i64 = counts.iter().map(|count| count.count).sum();
        if total == 0 {
            return view! {
                <div class="mb-3 h-2 w-full rounded-full bg-slate-100 dark:bg-slate-700" data-testid="runs-chart" data-total="0"></div>
            }
            .into_any();
        }
        let segments = counts
            .into_iter()
            .filter(|count| count.count > 0)
            .map(|count| {
                let width = count.count as f64 * 100.0 / total as f64;
                let style = format!("width: {width:.2}%; background-color: {}", status_color(&count.status));
                let title = format!("{}: {}", count.status, thousands(count.count));
                view! { <div class="h-2" style=style title=title data-status=count.status.clone() data-count=count.count.to_string()></div> }
            })
            .collect_view();
        view! {
            <div class="mb-3 flex h-2 w-full overflow-hidden rounded-full bg-slate-100 dark:bg-slate-700"
                 role="img" aria-label="Runs per status" data-testid="runs-chart" data-total=total.to_string()>
                {segments}
            </div>
        }
        .into_any()
    };
    view! { {bar} }
}

/// The page of runs and the pager.
#[component]
fn RunsTable(
    data: RunsView,
    page: RwSignal<i64>,
    selected: RwSignal<Option<String>>,
    show_flow: bool,
) -> impl IntoView {
    let current = data.page;
    let pages = data.pages;
    let empty = data.items.is_empty();
    let rows = data
        .items
        .into_iter()
        .map(|run| view! { <RunRow run selected show_flow/> })
        .collect_view();
    let flow_header = show_flow.then(|| view! { <th class="pb-1 pr-3 font-semibold">"Flow"</th> });
    let empty_note = empty.then(|| {
        view! {
            <p class="py-4 text-sm text-slate-500 dark:text-slate-400" data-testid="runs-empty">
                "No runs match. A run starts when an event matches a published, enabled flow."
            </p>
        }
    });
    view! {
        <p class="mb-2 text-xs text-slate-500 dark:text-slate-400">
            <span data-testid="runs-total" data-total=data.total.to_string()>{format!("{} run(s)", thousands(data.total))}</span>
        </p>
        <div class="overflow-x-auto">
            <table class="w-full text-left">
                <thead>
                    <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                        <th class="pb-1 pr-3 font-semibold">"Started"</th>
                        {flow_header}
                        <th class="pb-1 pr-3 font-semibold">"Event type"</th>
                        <th class="pb-1 pr-3 font-semibold">"Status"</th>
                        <th class="pb-1 pr-3 text-right font-semibold" title="Attempts made since the run was queued (or last retried)">"Attempts"</th>
                        <th class="pb-1 pr-3 text-right font-semibold">"Duration"</th>
                        <th class="pb-1 font-semibold">"Error"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {empty_note}
        <Pager page current pages test_id="runs"/>
    }
}

#[component]
fn RunRow(run: RunSummary, selected: RwSignal<Option<String>>, show_flow: bool) -> impl IntoView {
    let id = run.id.clone();
    let open = {
        let id = id.clone();
        move || selected.set(Some(id.clone()))
    };
    let open_key = open.clone();
    let is_selected = {
        let id = id.clone();
        move || selected.with(|selected| selected.as_deref() == Some(id.as_str()))
    };
    let flow_cell = show_flow.then(|| {
        view! {
            <td class="py-1.5 pr-3 text-sm" data-testid="run-flow">
                {run.flow_name.clone()}
                <span class="ml-1 text-xs text-slate-500 dark:text-slate-400">{format!("v{}", run.flow_version)}</span>
            </td>
        }
    });
    let duration = run.duration_ms.map_or_else(|| "—".to_string(), format_duration);
    let error = run.error.clone().unwrap_or_default();
    let error_title = error.clone();
    view! {
        <tr data-testid="run-row" data-id=id data-status=run.status.clone() data-flow-id=run.flow_id.clone()
            tabindex="0" role="button"
            class=move || if is_selected() {
                "cursor-pointer border-t border-slate-100 bg-sky-50 dark:border-slate-700 dark:bg-slate-700"
            } else {
                "cursor-pointer border-t border-slate-100 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-700/60"
            }
            on:click=move |_| open()
            on:keydown=move |event| if event.key() == "Enter" { open_key() }>
            <td class="whitespace-nowrap py-1.5 pr-3 text-xs text-slate-500 dark:text-slate-400">{run.time}</td>
            {flow_cell}
            <td class="py-1.5 pr-3 font-mono text-xs">{run.event_type}</td>
            <td class="py-1.5 pr-3"><RunStatusBadge status=run.status.clone() test_id="run-status"/></td>
            <td class="py-1.5 pr-3 text-right text-sm tabular-nums" data-testid="run-attempts">{run.tries.to_string()}</td>
            <td class="whitespace-nowrap py-1.5 pr-3 text-right text-sm tabular-nums">{duration}</td>
            <td class="max-w-xs truncate py-1.5 text-xs text-red-700 dark:text-red-300" title=error_title data-testid="run-error">{error}</td>
        </tr>
    }
}

/// The detail panel of the selected run.
#[component]
fn RunDrawer(
    selected: RwSignal<Option<String>>,
    detail: Resource<Result<Option<RunDetail>, ServerFnError>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let token = session.token.clone();
    let retry = Action::new(move |id: &String| retry_flow_run(token.clone(), id.clone()));
    let token = session.token.clone();
    let rerun = Action::new(move |id: &String| rerun_flow_run(token.clone(), id.clone()));
    // The last action's answer, shown while its run is open.
    let message = RwSignal::new(None::<(String, Result<String, String>)>);
    Effect::new(move |_| {
        if let Some(result) = retry.value().get() {
            match result {
                Ok(outcome) => message.set(Some((outcome.run_id, Ok(outcome.message)))),
                Err(error) => message.set(selected.get_untracked().map(|id| (id, Err(error_message(&error))))),
            }
            refresh.update(|refresh| *refresh += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(result) = rerun.value().get() {
            match result {
                Ok(outcome) => {
                    message.set(Some((outcome.run_id.clone(), Ok(outcome.message))));
                    selected.set(Some(outcome.run_id));
                }
                Err(error) => message.set(selected.get_untracked().map(|id| (id, Err(error_message(&error))))),
            }
            refresh.update(|refresh| *refresh += 1);
        }
    });
    let action_message = move || {
        let current = selected.get();
        message.get().filter(|(id, _)| Some(id) == current.as_ref()).map(|(_, result)| match result {
            Ok(text) => view! {
                <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300" data-testid="run-action-result">{text}</p>
            }
            .into_any(),
            Err(text) => view! {
                <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="run-action-result">{text}</p>
            }
            .into_any(),
        })
    };
    let busy = move || retry.pending().get() || rerun.pending().get();
    let actions = move || {
        view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let run = detail.await.ok().flatten();
                    let status = run.map(|run| run.run.status).unwrap_or_default();
                    let retryable = can_retry(&status);
                    let rerunnable = can_rerun(&status);
                    view! {
                        <Show when=move || retryable>
                            <button type="button" data-testid="retry-run" disabled=busy
                                    title="Queue this run again; it resumes at the step that failed."
                                    class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50"
                                    on:click=move |_| {
                                        if let Some(id) = selected.get_untracked() {
                                            retry.dispatch(id);
                                        }
                                    }>
                                "Retry"
                            </button>
                        </Show>
                        <Show when=move || rerunnable>
                            <button type="button" data-testid="rerun-run" disabled=busy
                                    title="Run the same flow version on the same event again, from the first step."
                                    class="rounded border border-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-[#0288d1] hover:bg-sky-50 disabled:opacity-50 dark:text-[#4fc3f7] dark:hover:bg-slate-700"
                                    on:click=move |_| {
                                        if let Some(id) = selected.get_untracked() {
                                            rerun.dispatch(id);
                                        }
                                    }>
                                "Re-run"
                            </button>
                        </Show>
                    }
                })}
            </Transition>
        }
    };
    view! {
        <Drawer selected title="Run" label="Run detail" test_id="run-detail" close_test_id="close-run"
                width="max-w-3xl" actions>
            {action_message}
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(run)) => view! { <RunBody run/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="run-detail-error">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Drawer>
    }
}

#[component]
fn RunBody(run: RunDetail) -> impl IntoView {
    let summary = run.run;
    let duration = summary.duration_ms.map_or_else(|| "—".to_string(), format_duration);
    let flow = format!("{} (version {})", summary.flow_name, summary.flow_version);
    let error = summary.error.clone().map(|error| {
        view! {
            <div role="alert" data-testid="run-detail-error-text"
                 class="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
                {error}
            </div>
        }
    });
    let retry_note = run.retry_at.clone().map(|at| {
        view! {
            <p class="text-sm text-amber-700 dark:text-amber-300" data-testid="run-retry-at">
                {format!("Next attempt at {at}, resuming at step {}.", run.next_step + 1)}
            </p>
        }
    });
    let no_steps = run.attempts.is_empty().then(|| {
        let text = if is_active(&summary.status) {
            "No step has run yet."
        } else {
            "No step ran."
        };
        view! { <p class="text-sm text-slate-500 dark:text-slate-400">{text}</p> }
    });
    let several = run.attempts.len() > 1;
    let attempts = run
        .attempts
        .into_iter()
        .map(|attempt| view! { <Attempt attempt several/> })
        .collect_view();
    let event_body = match run.event_body {
        Some(body) => view! { <pre class=PRE data-testid="run-event-body">{body}</pre> }.into_any(),
        None => view! {
            <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="run-event-body">"The event is no longer stored."</p>
        }
        .into_any(),
    };
    let finished = run.finished.unwrap_or_else(|| "—".to_string());
    view! {
        <div class="flex flex-col gap-4" data-testid="run-detail-body" data-id=summary.id.clone() data-status=summary.status.clone()>
            <dl class="grid grid-cols-2 gap-3 sm:grid-cols-3">
                <Field label="Flow" value=flow test_id="run-detail-flow"/>
                <div class="flex flex-col gap-0.5">
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Status"</dt>
                    <dd><RunStatusBadge status=summary.status.clone() test_id="run-detail-status"/></dd>
                </div>
                <Field label="Event type" value=summary.event_type.clone() test_id="run-detail-event-type"/>
                <Field label="Queued" value=summary.time.clone()/>
                <Field label="Finished" value=finished/>
                <Field label="Duration" value=duration/>
                <Field label="Attempts" value=summary.tries.to_string() test_id="run-detail-attempts"/>
                <div class="col-span-2 flex flex-col gap-0.5">
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Run id"</dt>
                    <dd class="break-all font-mono text-xs">{summary.id.clone()}</dd>
                </div>
            </dl>
            {error}
            {retry_note}
            <section class="flex flex-col gap-3">
                <h3 class=H3>"Steps"</h3>
                {no_steps}
                {attempts}
            </section>
            <section>
                <h3 class=H3>"Event body"</h3>
                {event_body}
            </section>
        </div>
    }
}

#[component]
fn Attempt(attempt: AttemptView, several: bool) -> impl IntoView {
    let heading = several.then(|| {
        view! { <h4 class="text-sm font-semibold text-slate-700 dark:text-slate-200">{format!("Attempt {}", attempt.attempt)}</h4> }
    });
    let steps = attempt
        .steps
        .into_iter()
        .map(|step| view! { <Step step/> })
        .collect_view();
    view! {
        <div class="flex flex-col gap-2" data-testid="run-attempt" data-attempt=attempt.attempt.to_string()>
            {heading}
            {steps}
        </div>
    }
}

#[component]
fn Step(step: StepView) -> impl IntoView {
    let kind = match step.kind.as_str() {
        "clockify" => "Clockify API",
        "http" => "HTTP request",
        "render" => "Not sent",
        _ => "Step",
    };
    let http_status = step.http_status.map(|status| {
        let class = if (200..300).contains(&status) {
            "font-mono text-xs font-semibold text-emerald-700 dark:text-emerald-300"
        } else {
            "font-mono text-xs font-semibold text-red-700 dark:text-red-300"
        };
        view! { <span class=class data-testid="step-http-status">{format!("HTTP {status}")}</span> }
    });
    let error = step.error.clone().map(|error| {
        view! {
            <p role="alert" class="text-sm text-red-700 dark:text-red-300" data-testid="step-error">{error}</p>
        }
    });
    let request = match step.request.clone() {
        Some(request) => view! { <pre class=PRE data-testid="step-request">{request}</pre> }.into_any(),
        None => view! {
            <p class="text-xs text-slate-500 dark:text-slate-400" data-testid="step-request">"Nothing was sent: the request could not be built."</p>
        }
        .into_any(),
    };
    let truncated = step.truncated;
    let response = step.response_body.clone().map(|body| {
        let headers = step.response_headers.clone().unwrap_or_default();
        let cut = truncated.then(|| {
            view! { <p class="text-xs text-amber-700 dark:text-amber-300">"The body was cut at 64 KiB when recorded."</p> }
        });
        view! {
            <div>
                <h5 class=H3>"Response"</h5>
                <pre class=PRE data-testid="step-response">{body}</pre>
                {cut}
                <details class="mt-1">
                    <summary class="cursor-pointer text-xs text-slate-500 dark:text-slate-400">"Response headers"</summary>
                    <pre class=PRE data-testid="step-response-headers">{headers}</pre>
                </details>
            </div>
        }
    });
    let no_response = (step.response_body.is_none() && step.request.is_some()).then(|| {
        view! { <p class="text-xs text-slate-500 dark:text-slate-400">"No response was received."</p> }
    });
    view! {
        <article class="rounded border border-slate-200 p-3 dark:border-slate-700" data-testid="run-step"
                 data-step-id=step.step_id.clone() data-status=step.status.clone() data-kind=step.kind.clone()>
            <header class="mb-2 flex flex-wrap items-center gap-2">
                <span class="text-sm font-semibold text-slate-800 dark:text-slate-100">
                    {format!("{}. {}", step.index + 1, step.step_id)}
                </span>
                <span class="text-xs text-slate-500 dark:text-slate-400">{kind}</span>
                <RunStatusBadge status=step.status.clone() test_id="step-status"/>
                {http_status}
                <span class="ml-auto text-xs tabular-nums text-slate-500 dark:text-slate-400" title=step.started.clone()>
                    {format_duration(step.duration_ms)}
                </span>
            </header>
            {error}
            <div class="grid gap-2 lg:grid-cols-2">
                <div>
                    <h5 class=H3>"Request"</h5>
                    {request}
                </div>
                {response}
                {no_response}
            </div>
        </article>
    }
}
