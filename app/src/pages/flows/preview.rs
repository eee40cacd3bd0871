//! The live preview: a stored event (the last ones the trigger starts on) or a pasted body,
//! and what the flow being edited does with it: whether the trigger starts it, each rule's
//! result with the value its path found, and each request rendered. Recomputed in the browser
//! on every edit with the engine the runtime uses (`addon_core::flows::evaluate::preview`).

use addon_core::flows::{
    condition::RuleResult,
    document::{document, EventContext},
    evaluate::{preview, Preview, RenderedStep, CLOCKIFY_SOURCE},
    model::{Combine, Conditions, Rule, Trigger},
};
use leptos::{prelude::*, task::spawn_local};
use serde_json::Value;

use super::{
    actions::MethodBadge,
    conditions::suggest_paths,
    server::{load_sample_events, SampleEvent},
    state::{EditorState, ERROR_TEXT, HINT, INPUT, SMALL},
};
use crate::session::error_message;

/// The `selected` value of the pasted body.
const PASTE: &str = "paste";

/// Longest actual value shown next to a rule (characters).
const MAX_ACTUAL_CHARS: usize = 120;

/// The samples and the chosen event; created with the editor, read by the conditions'
/// suggestions and the preview panel.
#[derive(Clone, Copy)]
pub struct PreviewState {
    /// `None` while loading.
    pub samples: RwSignal<Option<Result<Vec<SampleEvent>, String>>>,
    /// A sample's id, [`PASTE`], or empty for none.
    pub selected: RwSignal<String>,
    pub pasted: RwSignal<String>,
    /// The event the preview runs on, or why there is none.
    pub event: Memo<Option<Result<EventContext, String>>>,
    /// Paths into the event's document, for rules.
    pub suggestions: Memo<Vec<String>>,
    reload: RwSignal<u32>,
}

impl PreviewState {
    /// Loads the samples in the browser whenever the trigger changes.
    pub fn new(state: EditorState, session: String) -> PreviewState {
        let samples = RwSignal::new(None::<Result<Vec<SampleEvent>, String>>);
        let selected = RwSignal::new(String::new());
        let pasted = RwSignal::new(String::new());
        let reload = RwSignal::new(0u32);
        let trigger = Memo::new(move |_| state.draft.with(|def| def.trigger.clone()));
        // Only the answer to the latest request counts (the trigger can change mid-flight).
        let latest = StoredValue::new(0u64);
        Effect::new(move |_| {
            let trigger: Trigger = trigger.get();
            reload.track();
            let session = session.clone();
            let request = latest.get_value() + 1;
            latest.set_value(request);
            spawn_local(async move {
                let loaded = load_sample_events(session, trigger)
                    .await
                    .map_err(|error| error_message(&error));
                if latest.get_value() != request {
                    return;
                }
                if let Ok(events) = &loaded {
                    let keep = selected
                        .with_untracked(|current| current == PASTE || events.iter().any(|event| &event.id == current));
                    if !keep {
                        selected.set(events.first().map(|event| event.id.clone()).unwrap_or_default());
                    }
                }
                samples.set(Some(loaded));
            });
        });
        let workspace = state.workspace_id;
        let event = Memo::new(move |_| {
            let chosen = selected.get();
            if chosen == PASTE {
                let text = pasted.get();
                if text.trim().is_empty() {
                    return None;
                }
                return Some(pasted_event(
                    &text,
                    &state.draft.with(|def| def.trigger.clone()),
                    &workspace.get_value(),
                ));
            }
            samples.with(|samples| {
                let events = samples.as_ref()?.as_ref().ok()?;
                let sample = events.iter().find(|event| event.id == chosen)?;
                Some(if sample.too_large {
                    Err("This event's body is too large to preview here; paste a smaller one.".to_string())
                } else {
                    Ok(EventContext::from_stored(
                        &sample.id,
                        &workspace.get_value(),
                        &sample.source,
                        &sample.event_type,
                        sample.received_at,
                        &sample.headers,
                        &sample.body,
                    ))
                })
            })
        });
        let suggestions = Memo::new(move |_| {
            event.with(|event| match event {
                Some(Ok(ctx)) => suggest_paths(&document(ctx)),
                _ => Vec::new(),
            })
        });
        PreviewState {
            samples,
            selected,
            pasted,
            event,
            suggestions,
            reload,
        }
    }
}

/// A pasted body as an event of the trigger's first type (and first source, if any).
fn pasted_event(text: &str, trigger: &Trigger, workspace_id: &str) -> Result<EventContext, String> {
    let body: Value = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let reason = message
            .rfind(" at line ")
            .map_or(message.as_str(), |position| &message[..position]);
        format!(
            "The pasted body is not valid JSON (line {}, column {}): {reason}.",
            error.line(),
            error.column()
        )
    })?;
    Ok(EventContext {
        event_id: "pasted".to_string(),
        workspace_id: workspace_id.to_string(),
        source: trigger
            .sources
            .first()
            .cloned()
            .unwrap_or_else(|| CLOCKIFY_SOURCE.to_string()),
        event_type: trigger.event_types.first().cloned().unwrap_or_default(),
        received_at: 0,
        headers: Value::Object(serde_json::Map::new()),
        body,
    })
}

/// A value as short text for the preview.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(text) => format!("\"{text}\""),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_ACTUAL_CHARS {
        format!("{}…", text.chars().take(MAX_ACTUAL_CHARS).collect::<String>())
    } else {
        text
    }
}

#[component]
pub fn PreviewPanel() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let preview_state = expect_context::<PreviewState>();
    let PreviewState {
        samples,
        selected,
        pasted,
        event,
        reload,
        ..
    } = preview_state;
    let result = Memo::new(move |_| {
        event.with(|event| match event {
            Some(Ok(ctx)) => state.draft.with(|def| {
                Some((
                    state.with_capabilities(|caps| preview(def, caps, ctx)),
                    def.conditions.clone(),
                ))
            }),
            _ => None,
        })
    });
    let options = move || {
        samples.with(|samples| match samples {
            Some(Ok(events)) => events
                .iter()
                .map(|event| {
                    let label = if event.source == CLOCKIFY_SOURCE {
                        format!("{} · {}", event.event_type, event.time)
                    } else {
                        format!("{} · {} · {}", event.event_type, event.source_name, event.time)
                    };
                    let id = event.id.clone();
                    let chosen = move || selected.with(|selected| *selected == id);
                    view! { <option value=event.id.clone() prop:selected=chosen>{label}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let sample_note = move || {
        samples.with(|samples| match samples {
            None => Some(view! { <p class=HINT data-testid="preview-loading">"Loading recent events…"</p> }.into_any()),
            Some(Err(message)) => Some(view! { <p class=ERROR_TEXT role="alert">{message.clone()}</p> }.into_any()),
            Some(Ok(events)) if events.is_empty() => Some(
                view! {
                    <p class=HINT data-testid="preview-no-samples">
                        "No stored event matches the trigger yet. When one arrives it appears here; until then, paste a body."
                    </p>
                }
                .into_any(),
            ),
            Some(Ok(_)) => None,
        })
    };
    let paste_box = move || {
        (selected.get() == PASTE).then(|| {
            view! {
                <textarea class=format!("font-mono text-xs {INPUT}") rows="6" spellcheck="false"
                          placeholder="{\"description\": \"Planning\", \"project\": {\"name\": \"Apollo\"}}"
                          aria-label="Event body (JSON)" data-testid="preview-paste"
                          prop:value=move || pasted.get() on:input=move |event| pasted.set(event_target_value(&event))></textarea>
            }
        })
    };
    let event_error = move || {
        event.with(|event| match event {
            Some(Err(message)) => {
                Some(view! { <p class=ERROR_TEXT role="alert" data-testid="preview-event-error">{message.clone()}</p> })
            }
            _ => None,
        })
    };
    view! {
        <section class="flex flex-col gap-3 rounded-md border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-800"
                 data-testid="preview">
            <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Live preview"</h2>
            <div class="flex items-center gap-2">
                <select class=format!("min-w-0 flex-1 {INPUT}") aria-label="Sample event" data-testid="preview-sample"
                        on:change=move |event| selected.set(event_target_value(&event))>
                    <option value="" prop:selected=move || selected.with(String::is_empty)>"Choose an event…"</option>
                    {options}
                    <option value=PASTE prop:selected=move || selected.with(|selected| selected == PASTE)>"Paste a body…"</option>
                </select>
                <button type="button" class=SMALL data-testid="preview-refresh" title="Load the latest events"
                        on:click=move |_| reload.update(|count| *count += 1)>"Refresh"</button>
            </div>
            {sample_note}
            {paste_box}
            {event_error}
            {move || match result.get() {
                Some((preview, rules)) => view! { <PreviewResult preview rules/> }.into_any(),
                None => view! { <p class=HINT>"Choose an event to see what this flow would do with it."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PreviewResult(preview: Preview, rules: Conditions) -> impl IntoView {
    let conditions = preview.conditions.clone();
    let holds = conditions.as_ref().is_none_or(|conditions| conditions.matched);
    let runs = preview.triggered && holds;
    let verdict = if runs {
        ("This event would run the flow.", "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100")
    } else {
        (
            "This event would not run the flow.",
            "border-slate-300 bg-slate-50 text-slate-700 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200",
        )
    };
    let trigger_text = if preview.triggered {
        "The trigger starts on this event.".to_string()
    } else {
        "The trigger does not start on this event's type.".to_string()
    };
    let groups = conditions
        .map(|conditions| {
            conditions
                .groups
                .into_iter()
                .enumerate()
                .map(|(group_index, group)| {
                    let combine = rules
                        .groups
                        .get(group_index)
                        .map(|group| if group.combine == Combine::Any { "any" } else { "all" })
                        .unwrap_or("all");
                    let rule_rows = group
                        .rules
                        .into_iter()
                        .enumerate()
                        .map(|(rule_index, result)| {
                            let rule = rules.groups.get(group_index).and_then(|group| group.rules.get(rule_index)).cloned();
                            view! { <RuleLine group=group_index rule=rule_index result definition=rule/> }
                        })
                        .collect_view();
                    view! {
                        <li class="flex flex-col gap-1" data-testid=format!("group-result-{group_index}") data-matched=group.matched.to_string()>
                            <span class="text-xs font-medium">
                                {format!("Group {} ({combine}): ", group_index + 1)}
                                <Verdict value=group.matched/>
                            </span>
                            <ul class="flex flex-col gap-1 pl-3">{rule_rows}</ul>
                        </li>
                    }
                })
                .collect_view()
        });
    let steps = preview
        .steps
        .into_iter()
        .enumerate()
        .map(|(index, step)| {
            let body = match (&step.rendered, &step.error) {
                (Some(rendered), _) => rendered_view(rendered).into_any(),
                (None, Some(error)) => view! { <p class=ERROR_TEXT>{error.clone()}</p> }.into_any(),
                (None, None) => ().into_any(),
            };
            view! {
                <li class="flex flex-col gap-1 rounded border border-slate-200 p-2 dark:border-slate-700" data-testid=format!("preview-step-{index}")>
                    <span class="text-xs font-medium">{format!("{}. {}", index + 1, step.id)}</span>
                    {body}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="flex flex-col gap-3 text-sm" data-testid="preview-result" data-runs=runs.to_string()>
            <p class=format!("rounded border px-2 py-1.5 text-sm font-medium {}", verdict.1) data-testid="preview-verdict">{verdict.0}</p>
            <p class="text-xs" data-testid="preview-triggered" data-value=preview.triggered.to_string()>
                <Verdict value=preview.triggered/>" "{trigger_text}
            </p>
            <div class="flex flex-col gap-1">
                <p class="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Conditions"</p>
                <p class="text-xs" data-testid="preview-conditions" data-value=holds.to_string()>
                    {if holds { "The conditions hold." } else { "The conditions do not hold." }}
                </p>
                <ul class="flex flex-col gap-2">{groups}</ul>
            </div>
            <div class="flex flex-col gap-1">
                <p class="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Requests"</p>
                <ol class="flex flex-col gap-2">{steps}</ol>
            </div>
        </div>
    }
}

/// `true`/`false` as a small coloured word (the tests read the text).
#[component]
fn Verdict(value: bool) -> impl IntoView {
    let class = if value {
        "rounded bg-emerald-100 px-1 font-mono text-[11px] font-semibold text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"
    } else {
        "rounded bg-red-100 px-1 font-mono text-[11px] font-semibold text-red-800 dark:bg-red-900 dark:text-red-100"
    };
    view! { <span class=class>{value.to_string()}</span> }
}

#[component]
fn RuleLine(group: usize, rule: usize, result: RuleResult, definition: Option<Rule>) -> impl IntoView {
    let suffix = format!("{group}-{rule}");
    let described = definition
        .map(|rule| {
            if rule.operator.takes_value() {
                format!("{} {} \"{}\"", rule.path, rule.operator.label(), rule.value)
            } else {
                format!("{} {}", rule.path, rule.operator.label())
            }
        })
        .unwrap_or_default();
    let actual = match &result.actual {
        Some(value) => format!("found {}", short(value)),
        None => "found nothing".to_string(),
    };
    let class = if result.matched {
        "rounded bg-emerald-100 px-1 font-mono text-[11px] font-semibold text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"
    } else {
        "rounded bg-red-100 px-1 font-mono text-[11px] font-semibold text-red-800 dark:bg-red-900 dark:text-red-100"
    };
    view! {
        <li class="flex flex-col text-xs" data-testid=format!("rule-line-{suffix}")>
            <span class="flex items-start gap-1">
                <span class=class data-testid=format!("rule-result-{suffix}")>{result.matched.to_string()}</span>
                <span class="break-all font-mono">{described}</span>
            </span>
            <span class="break-all pl-1 text-slate-500 dark:text-slate-400" data-testid=format!("rule-actual-{suffix}")>{actual}</span>
            {result.error.map(|error| view! { <span class=ERROR_TEXT data-testid=format!("rule-error-{suffix}")>{error}</span> })}
        </li>
    }
}

fn rendered_view(step: &RenderedStep) -> impl IntoView {
    match step {
        RenderedStep::Clockify {
            method,
            path,
            query,
            body,
            ..
        } => {
            let query = if query.is_empty() {
                String::new()
            } else {
                format!(
                    "?{}",
                    query
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect::<Vec<_>>()
                        .join("&")
                )
            };
            let body = body
                .as_ref()
                .and_then(|body| serde_json::to_string_pretty(body).ok())
                .map(|body| view! { <pre class="whitespace-pre-wrap break-all rounded bg-slate-50 p-1.5 font-mono text-[11px] dark:bg-slate-900" data-testid="preview-step-body">{body}</pre> });
            view! {
                <div class="flex min-w-0 items-start gap-1">
                    <MethodBadge method=method.clone()/>
                    <span class="break-all font-mono text-[11px]" data-testid="preview-step-path">{format!("{path}{query}")}</span>
                </div>
                {body}
            }
            .into_any()
        }
        RenderedStep::Http {
            method,
            url,
            headers,
            body,
            ..
        } => {
            let headers = headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect::<Vec<_>>()
                .join("\n");
            let headers = (!headers.is_empty()).then(|| view! { <pre class="whitespace-pre-wrap break-all font-mono text-[11px] text-slate-500 dark:text-slate-400">{headers}</pre> });
            let body = body.clone().map(|body| view! { <pre class="whitespace-pre-wrap break-all rounded bg-slate-50 p-1.5 font-mono text-[11px] dark:bg-slate-900" data-testid="preview-step-body">{body}</pre> });
            view! {
                <div class="flex min-w-0 items-start gap-1">
                    <MethodBadge method=method.clone()/>
                    <span class="break-all font-mono text-[11px]" data-testid="preview-step-path">{url.clone()}</span>
                </div>
                {headers}
                {body}
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_bodies_become_events_of_the_trigger() {
        let trigger = Trigger {
            event_types: vec!["NEW_TAG".into()],
            sources: Vec::new(),
        };
        let event = pasted_event(r#"{"name":"x"}"#, &trigger, "ws").unwrap();
        assert_eq!(event.event_type, "NEW_TAG");
        assert_eq!(event.source, CLOCKIFY_SOURCE);
        assert_eq!(
            pasted_event("{", &trigger, "ws").unwrap_err(),
            "The pasted body is not valid JSON (line 1, column 1): EOF while parsing an object."
        );
        assert_eq!(
            short(&Value::String("a".repeat(200))).chars().count(),
            MAX_ACTUAL_CHARS + 1
        );
    }
}
