//! "Test on recent events": what the draft being edited and the published version would do
//! with the last N stored events their triggers start on, side by side (trigger, conditions,
//! every rendered request), differences highlighted. Nothing is sent; secrets show as `••••`.

use addon_core::flows::model::FlowDefinition;
use leptos::prelude::*;

use super::runs_server::{
    test_flow_draft, DraftTestView, EventComparison, RuleView, SideView, StepPair, StepSide, DEFAULT_TEST_EVENTS,
};
use crate::{
    components::thousands,
    session::{error_message, SessionView},
};

/// The event counts one can pick.
const COUNTS: [i64; 4] = [5, 10, 25, 50];

const SELECT: &str = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                      dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

const PRE: &str = "max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs \
                   text-slate-900 dark:bg-slate-900 dark:text-slate-100";

/// Row colours: differing rows are amber.
fn row_class(differs: bool) -> &'static str {
    if differs {
        "border-t border-slate-100 bg-amber-50 align-top dark:border-slate-700 dark:bg-amber-900/30"
    } else {
        "border-t border-slate-100 align-top dark:border-slate-700"
    }
}

/// The panel. `draft` is the definition being edited (tested as it is when the button is
/// pressed).
#[component]
pub fn DraftTest(#[prop(into)] flow_id: String, #[prop(into)] draft: Signal<FlowDefinition>) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let count = RwSignal::new(DEFAULT_TEST_EVENTS);
    let token = session.token.clone();
    let test = Action::new(move |(definition, count): &(FlowDefinition, i64)| {
        test_flow_draft(token.clone(), flow_id.clone(), definition.clone(), *count)
    });
    let options = COUNTS
        .into_iter()
        .map(|value| {
            view! { <option value=value.to_string() prop:selected=move || count.get() == value>{value.to_string()}</option> }
        })
        .collect_view();
    let result = move || {
        test.value().get().map(|result| match result {
            Ok(view) => view! { <TestResult view/> }.into_any(),
            Err(error) => view! {
                <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="draft-test-error">{error_message(&error)}</p>
            }
            .into_any(),
        })
    };
    view! {
        <section data-testid="draft-test" class="flex flex-col gap-3">
            <div class="flex flex-wrap items-end gap-3">
                <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                    "Recent events"
                    <select class=SELECT data-testid="draft-test-count"
                            on:change=move |event| {
                                if let Ok(value) = event_target_value(&event).parse::<i64>() {
                                    count.set(value);
                                }
                            }>
                        {options}
                    </select>
                </label>
                <button type="button" data-testid="draft-test-run"
                        class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50"
                        disabled=move || test.pending().get()
                        on:click=move |_| { test.dispatch((draft.get_untracked(), count.get_untracked())); }>
                    {move || if test.pending().get() { "Testing…" } else { "Test draft" }}
                </button>
                <p class="text-xs text-slate-500 dark:text-slate-400">
                    "Compares the draft with the published version on stored events. Nothing is sent; secrets show as ••••."
                </p>
            </div>
            {result}
        </section>
    }
}

#[component]
fn TestResult(view: DraftTestView) -> impl IntoView {
    let published_label = view.published_version.map_or_else(
        || "Published".to_string(),
        |version| format!("Published (version {version})"),
    );
    let summary = if view.events.is_empty() {
        "No stored event matches the trigger yet. Events appear once Clockify (or a source) delivers them.".to_string()
    } else if view.published_version.is_none() {
        format!(
            "{} recent event(s) tested. The flow is not published yet, so there is nothing to compare with.",
            thousands(view.events.len() as i64)
        )
    } else {
        format!(
            "{} recent event(s) tested; the draft behaves differently on {}.",
            thousands(view.events.len() as i64),
            thousands(view.differing)
        )
    };
    let problems = |title: &'static str, problems: Vec<String>, test_id: &'static str| {
        (!problems.is_empty()).then(|| {
            let items = problems
                .into_iter()
                .map(|problem| view! { <li>{problem}</li> })
                .collect_view();
            view! {
                <div class="rounded border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
                     data-testid=test_id>
                    <p class="font-semibold">{title}</p>
                    <ul class="ml-4 list-disc">{items}</ul>
                </div>
            }
        })
    };
    let draft_problems = problems(
        "The draft has problems (it would not run until they are fixed):",
        view.draft_problems,
        "draft-test-draft-problems",
    );
    let published_problems = problems(
        "The published version has problems:",
        view.published_problems,
        "draft-test-published-problems",
    );
    let has_published = view.published_version.is_some();
    let events = view
        .events
        .into_iter()
        .map(|event| view! { <EventResult event published_label=published_label.clone() has_published/> })
        .collect_view();
    view! {
        <div class="flex flex-col gap-3" data-testid="draft-test-result" data-differing=view.differing.to_string()>
            <p class="text-sm text-slate-700 dark:text-slate-200" data-testid="draft-test-summary">{summary}</p>
            {draft_problems}
            {published_problems}
            {events}
        </div>
    }
}

#[component]
fn EventResult(event: EventComparison, published_label: String, has_published: bool) -> impl IntoView {
    let differs_badge = event.differs.then(|| {
        view! {
            <span class="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800 dark:bg-amber-900 dark:text-amber-100"
                  data-testid="draft-test-differs">
                "differs"
            </span>
        }
    });
    let published = event.published.clone();
    let side = move |side: Option<&SideView>, pick: fn(&SideView) -> AnyView| match side {
        Some(side) => pick(side),
        None => view! { <span class="text-xs text-slate-400">"—"</span> }.into_any(),
    };
    let trigger_row = {
        let draft = yes_no(event.draft.triggered, "triggers", "does not trigger");
        let published = side(published.as_ref(), |side| {
            yes_no(side.triggered, "triggers", "does not trigger")
        });
        view! {
            <tr class=row_class(event.trigger_differs) data-testid="draft-test-row" data-row="trigger" data-differs=event.trigger_differs.to_string()>
                <th class="py-1.5 pr-3 text-left text-xs font-semibold text-slate-500 dark:text-slate-400">"Trigger"</th>
                <td class="py-1.5 pr-3" data-side="draft">{draft}</td>
                <td class="py-1.5" data-side="published">{published}</td>
            </tr>
        }
    };
    let conditions_row = {
        let draft = conditions(&event.draft);
        let published = side(published.as_ref(), conditions);
        view! {
            <tr class=row_class(event.conditions_differ) data-testid="draft-test-row" data-row="conditions" data-differs=event.conditions_differ.to_string()>
                <th class="py-1.5 pr-3 text-left text-xs font-semibold text-slate-500 dark:text-slate-400">"Conditions"</th>
                <td class="py-1.5 pr-3" data-side="draft">{draft}</td>
                <td class="py-1.5" data-side="published">{published}</td>
            </tr>
        }
    };
    let outcome_row = {
        let draft = yes_no(event.draft.would_run, "would run", "would not run");
        let published = side(published.as_ref(), |side| {
            yes_no(side.would_run, "would run", "would not run")
        });
        view! {
            <tr class=row_class(event.outcome_differs) data-testid="draft-test-row" data-row="outcome" data-differs=event.outcome_differs.to_string()>
                <th class="py-1.5 pr-3 text-left text-xs font-semibold text-slate-500 dark:text-slate-400">"Result"</th>
                <td class="py-1.5 pr-3" data-side="draft" data-testid="draft-test-draft-outcome">{draft}</td>
                <td class="py-1.5" data-side="published" data-testid="draft-test-published-outcome">{published}</td>
            </tr>
        }
    };
    let steps = event
        .steps
        .into_iter()
        .map(|pair| view! { <StepRow pair has_published/> })
        .collect_view();
    view! {
        <article class="rounded border border-slate-200 p-3 dark:border-slate-700" data-testid="draft-test-event"
                 data-event-id=event.event_id.clone() data-differs=event.differs.to_string()>
            <header class="mb-2 flex flex-wrap items-center gap-2 text-sm">
                <span class="font-mono text-xs">{event.event_type.clone()}</span>
                <span class="text-xs text-slate-500 dark:text-slate-400">{event.time.clone()}</span>
                <span class="text-xs text-slate-500 dark:text-slate-400">{format!("from {}", event.source)}</span>
                {differs_badge}
            </header>
            <div class="overflow-x-auto">
                <table class="w-full table-fixed text-left text-sm">
                    <colgroup>
                        <col class="w-28"/>
                        <col/>
                        <col/>
                    </colgroup>
                    <thead>
                        <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                            <th class="pb-1 pr-3"></th>
                            <th class="pb-1 pr-3 font-semibold">"Draft"</th>
                            <th class="pb-1 font-semibold">{published_label}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {trigger_row}
                        {conditions_row}
                        {outcome_row}
                        {steps}
                    </tbody>
                </table>
            </div>
        </article>
    }
}

/// A green or grey verdict.
fn yes_no(value: bool, yes: &'static str, no: &'static str) -> AnyView {
    if value {
        view! { <span class="text-sm font-semibold text-emerald-700 dark:text-emerald-300" data-value="true">{yes}</span> }.into_any()
    } else {
        view! { <span class="text-sm text-slate-500 dark:text-slate-400" data-value="false">{no}</span> }.into_any()
    }
}

/// The verdict and each rule's result.
fn conditions(side: &SideView) -> AnyView {
    let verdict = if side.rules.is_empty() {
        yes_no(true, "always (no conditions)", "")
    } else {
        yes_no(side.conditions_matched, "hold", "do not hold")
    };
    let rules = side.rules.iter().cloned().map(rule_line).collect_view();
    view! {
        <div class="flex flex-col gap-0.5">
            {verdict}
            <ul class="flex flex-col gap-0.5">{rules}</ul>
        </div>
    }
    .into_any()
}

fn rule_line(rule: RuleView) -> impl IntoView {
    let mark = if rule.matched { "✓" } else { "✗" };
    let mark_class = if rule.matched {
        "text-emerald-600 dark:text-emerald-400"
    } else {
        "text-red-600 dark:text-red-400"
    };
    let actual = rule
        .actual
        .map(|actual| format!(" (found {actual})"))
        .unwrap_or_else(|| " (nothing found)".to_string());
    let error = rule.error.map(|error| {
        view! { <span class="block text-red-700 dark:text-red-300">{error}</span> }
    });
    view! {
        <li class="text-xs" data-matched=rule.matched.to_string()>
            <span class=mark_class>{mark}</span>
            " "
            <span class="font-mono">{rule.label}</span>
            <span class="text-slate-500 dark:text-slate-400">{actual}</span>
            {error}
        </li>
    }
}

#[component]
fn StepRow(pair: StepPair, has_published: bool) -> impl IntoView {
    let cell = |side: Option<StepSide>, present: bool| match side {
        Some(side) => {
            let request = side
                .request
                .map(|request| view! { <pre class=PRE data-testid="draft-test-request">{request}</pre> });
            let error = side
                .error
                .map(|error| view! { <p class="text-xs text-red-700 dark:text-red-300" data-testid="draft-test-step-error">{error}</p> });
            view! { <div class="flex flex-col gap-1">{error}{request}</div> }.into_any()
        }
        None if present => {
            view! { <span class="text-xs text-slate-500 dark:text-slate-400">"(no such step)"</span> }.into_any()
        }
        None => view! { <span class="text-xs text-slate-400">"—"</span> }.into_any(),
    };
    let draft = cell(pair.draft, true);
    let published = cell(pair.published, has_published);
    view! {
        <tr class=row_class(pair.differs) data-testid="draft-test-row" data-row="step" data-step-id=pair.id.clone()
            data-differs=pair.differs.to_string()>
            <th class="py-1.5 pr-3 text-left text-xs font-semibold text-slate-500 dark:text-slate-400">
                {format!("Step {}", pair.id)}
            </th>
            <td class="min-w-0 py-1.5 pr-3" data-side="draft">{draft}</td>
            <td class="min-w-0 py-1.5" data-side="published">{published}</td>
        </tr>
    }
}
