//! What came back: Clockify's status, the duration, the headers (`Last-Page` first) and the
//! body as a collapsible tree or raw pretty JSON, with exports; a refusal with each field's
//! problem; "fetch all pages" with its progress, cancel, total and exports; and the
//! confirmation that shows the exact request before a write.

use std::sync::Arc;

use addon_core::{
    explorer::{csv::to_csv, model::ApiError, pager::list_items, ExecuteResult},
    openapi::{ApiSpec, Method},
};
use leptos::prelude::*;
use serde_json::Value;

use super::{actions, json::JsonTree, Explorer, FetchAll, Outcome, Phase};
use crate::components::{thousands, ProgressBar};

#[component]
pub(crate) fn ResultPanel() -> impl IntoView {
    let state = expect_context::<Explorer>();
    view! {
        {move || state.fetch_all.get().map(|progress| view! { <FetchAllPanel progress/> })}
        {move || state.outcome.get().map(|outcome| match outcome {
            Outcome::Answer { operation, result } => view! { <AnswerView operation result/> }.into_any(),
            Outcome::Refused(error) => view! { <RefusalView error/> }.into_any(),
        })}
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        400..=499 => "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100",
        _ => "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
    }
}

fn byte_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// Export buttons for a JSON value (CSV when it holds a list).
#[component]
fn Exports(name: String, value: Arc<Value>, #[prop(into)] test_prefix: String) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let has_list = list_items(&value).is_some();
    let save = move |filename: String, mime: &'static str, text: String| {
        if let Err(problem) = crate::browser::download(&filename, mime, &text) {
            state.outcome.set(Some(Outcome::Refused(ApiError::new(
                "download",
                format!("the file could not be saved: {problem}"),
            ))));
        }
    };
    let json_value = value.clone();
    let json_name = format!("{name}.json");
    let csv_name = format!("{name}.csv");
    let button = "rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700";
    view! {
        <button type="button" class=button data-testid=format!("{test_prefix}-export-json")
                on:click=move |_| save(json_name.clone(), "application/json", serde_json::to_string_pretty(&*json_value).unwrap_or_default())>
            "Export JSON"
        </button>
        {has_list.then(|| view! {
            <button type="button" class=button data-testid=format!("{test_prefix}-export-csv")
                    on:click=move |_| {
                        let items = list_items(&value).cloned().unwrap_or_default();
                        save(csv_name.clone(), "text/csv", to_csv(&items));
                    }>
                "Export CSV"
            </button>
        })}
    }
}

#[component]
fn AnswerView(operation: usize, result: Arc<ExecuteResult>) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let spec_operation = &ApiSpec::clockify().operations()[operation];
    let raw = RwSignal::new(false);
    let last_page = result.last_page.map(|last| {
        view! {
            <span class="rounded bg-slate-100 px-1.5 font-mono text-xs dark:bg-slate-700" data-testid="response-last-page">
                {format!("Last-Page: {last}")}
            </span>
        }
    });
    let mut headers = result.headers.clone();
    headers.sort_by_key(|(name, _)| name != "last-page");
    let header_rows = headers
        .into_iter()
        .map(|(name, value)| {
            view! {
                <tr><td class="pr-3 align-top font-mono text-slate-500">{name}</td><td class="break-all font-mono">{value}</td></tr>
            }
        })
        .collect_view();
    let body = result.body.clone().map(Arc::new);
    let body_view = match (&body, &result.body_text) {
        (Some(value), _) => {
            let tree_value = (**value).clone();
            let pretty = serde_json::to_string_pretty(&**value).unwrap_or_default();
            view! {
                <div class="mb-2 flex flex-wrap items-center gap-2">
                    <button type="button" data-testid="response-view-tree"
                            class=move || toggle_class(!raw.get()) on:click=move |_| raw.set(false)>"Tree"</button>
                    <button type="button" data-testid="response-view-raw"
                            class=move || toggle_class(raw.get()) on:click=move |_| raw.set(true)>"Raw"</button>
                    <Exports name=spec_operation.id.clone() value=value.clone() test_prefix="response"/>
                </div>
                <div data-testid="response-body" class="max-h-[60vh] overflow-auto rounded border border-slate-200 p-2 dark:border-slate-700">
                    <Show when=move || raw.get() fallback=move || view! { <JsonTree value=tree_value.clone()/> }>
                        <pre class="whitespace-pre-wrap break-all font-mono text-xs">{pretty.clone()}</pre>
                    </Show>
                </div>
            }
            .into_any()
        }
        (None, Some(text)) => view! {
            <pre data-testid="response-body" class="max-h-[60vh] overflow-auto whitespace-pre-wrap break-all rounded border border-slate-200 p-2 font-mono text-xs dark:border-slate-700">{text.clone()}</pre>
        }
        .into_any(),
        (None, None) => view! { <p class="text-sm text-slate-500" data-testid="response-body">"(no body)"</p> }.into_any(),
    };
    let truncated = result.truncated.then(|| {
        let can_download = spec_operation.method == Method::Get;
        let label = format!(
            "The answer is {}; the view shows its first 1 MiB.",
            byte_size(result.body_bytes)
        );
        view! {
            <p class="mb-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
               data-testid="response-truncated">
                {label}" "
                {can_download.then(|| view! {
                    <button type="button" class="font-semibold text-[#03a9f4] hover:underline" data-testid="response-download-full"
                            on:click=move |_| actions::download_full(state, operation, "The answer".into())>
                        "Download the whole answer"
                    </button>
                })}
            </p>
        }
    });
    view! {
        <section class="rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800"
                 data-testid="explorer-response" data-status=result.status.to_string()>
            <div class="mb-2 flex flex-wrap items-center gap-3 text-sm">
                <span class=format!("rounded px-2 py-0.5 font-semibold {}", status_class(result.status)) data-testid="response-status">
                    {result.status.to_string()}
                </span>
                <span class="font-mono text-xs text-slate-600 dark:text-slate-300">{format!("{} {}", result.method, result.path)}</span>
            </div>
            <div class="mb-2 flex flex-wrap items-center gap-3 text-xs text-slate-500 dark:text-slate-400">
                <span data-testid="response-duration">{format!("{} ms", thousands(result.duration_ms as i64))}</span>
                <span>{format!("{} attempt{}", result.attempts, if result.attempts == 1 { "" } else { "s" })}</span>
                <span>{byte_size(result.body_bytes)}</span>
                {last_page}
            </div>
            <details class="mb-2 text-xs" data-testid="response-headers">
                <summary class="cursor-pointer text-slate-500 dark:text-slate-400">{format!("Headers ({})", result.headers.len())}</summary>
                <table class="mt-1">{header_rows}</table>
            </details>
            {truncated}
            {body_view}
        </section>
    }
    .into_any()
}

fn toggle_class(active: bool) -> &'static str {
    if active {
        "rounded bg-[#03a9f4] px-2 py-0.5 text-xs font-semibold text-white"
    } else {
        "rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-200 dark:bg-slate-700 dark:text-slate-200"
    }
}

#[component]
fn RefusalView(error: ApiError) -> impl IntoView {
    let problems = error
        .problems
        .iter()
        .map(|problem| view! { <li data-problem=problem.field.clone()><span class="font-mono">{problem.field.clone()}</span>": "{problem.reason.clone()}</li> })
        .collect_view();
    view! {
        <section role="alert" data-testid="explorer-error" data-code=error.code.clone()
                 class="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
            <p class="font-semibold">{error.message.clone()}</p>
            <ul class="mt-1 list-disc pl-5">{problems}</ul>
        </section>
    }
}

#[component]
fn FetchAllPanel(progress: FetchAll) -> impl IntoView {
    let state = expect_context::<Explorer>();
    let operation = &ApiSpec::clockify().operations()[progress.operation];
    let percent = match progress.phase {
        Phase::Done => 100.0,
        // The total is unknown until Last-Page: each page moves the bar half the way left.
        _ => 100.0 * (1.0 - 0.5f64.powi(progress.pages as i32)).min(0.95),
    };
    let detail = format!(
        "{} page(s) · {} item(s) · {} per page",
        progress.pages,
        thousands(progress.items as i64),
        thousands(i64::from(progress.page_size))
    );
    let label = match progress.phase {
        Phase::Running => "Fetching all pages…",
        Phase::Done => "All pages fetched",
        Phase::Cancelled => "Cancelled",
        Phase::Failed => "Stopped by an error",
    };
    let merged = progress.merged.clone();
    let finished = progress.phase != Phase::Running;
    let total = (finished).then(|| {
        view! {
            <p class="mt-2 text-sm font-semibold text-slate-900 dark:text-white" data-testid="fetch-all-total"
               data-total=progress.items.to_string() data-pages=progress.pages.to_string()>
                {format!("{} item(s) in {} page(s)", thousands(progress.items as i64), progress.pages)}
            </p>
        }
    });
    let results = (finished && !merged.is_empty()).then(|| {
        let value = Arc::new(Value::Array((*merged).clone()));
        let tree = (*value).clone();
        view! {
            <div class="mt-2 flex flex-wrap gap-2">
                <Exports name=format!("{}-all", operation.id) value test_prefix="fetch-all"/>
            </div>
            <div class="mt-2 max-h-[50vh] overflow-auto rounded border border-slate-200 p-2 dark:border-slate-700" data-testid="fetch-all-body">
                <JsonTree value=tree/>
            </div>
        }
    });
    view! {
        <section class="rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800"
                 data-testid="fetch-all" data-state=progress.phase.as_str()>
            <ProgressBar label=label percent detail test_id="fetch-all-progress" failed=progress.phase == Phase::Failed/>
            {(progress.phase == Phase::Running).then(|| view! {
                <button type="button" data-testid="fetch-all-cancel"
                        class="mt-2 rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-700"
                        on:click=move |_| state.cancel_fetch.set(true)>
                    "Cancel"
                </button>
            })}
            {progress.message.clone().map(|message| view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">{message}</p> })}
            {total}
            {results}
        </section>
    }
    .into_any()
}

/// Before any write: the exact request, and Send or Cancel.
#[component]
pub(crate) fn ConfirmDialog() -> impl IntoView {
    let state = expect_context::<Explorer>();
    move || {
        state.confirm.get().map(|pending| {
            let operation = &ApiSpec::clockify().operations()[pending.operation];
            view! {
                <div class="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4" data-testid="explorer-confirm">
                    <div role="dialog" aria-modal="true" aria-labelledby="confirm-title"
                         class="w-full max-w-2xl rounded-md bg-white p-5 shadow-xl dark:bg-slate-800">
                        <h2 id="confirm-title" class="mb-1 text-lg font-semibold text-slate-900 dark:text-white">
                            {format!("Send {}?", operation.id)}
                        </h2>
                        <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">
                            "This request changes data in your workspace. It is sent exactly as shown, with the add-on's token:"
                        </p>
                        <pre class="mb-4 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
                             data-testid="confirm-request">{pending.display.clone()}</pre>
                        <div class="flex justify-end gap-2">
                            <button type="button" data-testid="confirm-cancel"
                                    class="rounded border border-slate-300 px-4 py-1.5 text-sm hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-700"
                                    on:click=move |_| state.confirm.set(None)>"Cancel"</button>
                            <button type="button" data-testid="confirm-send"
                                    class="rounded bg-[#03a9f4] px-4 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1]"
                                    on:click=move |_| actions::confirm(state)>"Send request"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
