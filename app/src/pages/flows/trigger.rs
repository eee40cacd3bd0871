//! The trigger picker: the add-on's Clockify events as a filterable checkbox list grouped as
//! Clockify groups them, and for Universal Webhook the custom sources with the event types to
//! take from them.

use leptos::prelude::*;

use super::state::{EditorState, FieldProblems, HINT, INPUT, LABEL};

#[component]
pub fn TriggerPicker() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let filter = RwSignal::new(String::new());
    let catalog = state.catalog.get_value();
    let known: Vec<String> = catalog.event_types.iter().map(|event| event.name.clone()).collect();
    let selected = Memo::new(move |_| state.draft.with(|def| def.trigger.event_types.clone()));
    let toggle = move |name: String, on: bool| {
        state.draft.update(|def| {
            let types = &mut def.trigger.event_types;
            if on && !types.contains(&name) {
                types.push(name);
            } else if !on {
                types.retain(|existing| existing != &name);
            }
        });
    };
    let mut groups: Vec<(String, Vec<_>)> = Vec::new();
    for event in catalog.event_types.iter().cloned() {
        match groups.iter_mut().find(|(group, _)| *group == event.group) {
            Some((_, events)) => events.push(event),
            None => groups.push((event.group.clone(), vec![event])),
        }
    }
    let group_views = groups
        .into_iter()
        .map(|(group, events)| {
            let names: Vec<(String, String)> = events
                .iter()
                .map(|event| (event.name.to_lowercase(), event.description.to_lowercase()))
                .collect();
            let group_visible = move || {
                let query = filter.get().trim().to_lowercase();
                query.is_empty() || names.iter().any(|(name, text)| name.contains(&query) || text.contains(&query))
            };
            let rows = events
                .into_iter()
                .map(|event| {
                    let name = event.name.clone();
                    let lower = (event.name.to_lowercase(), event.description.to_lowercase());
                    let visible = move || {
                        let query = filter.get().trim().to_lowercase();
                        query.is_empty() || lower.0.contains(&query) || lower.1.contains(&query)
                    };
                    let checked = {
                        let name = name.clone();
                        move || selected.with(|types| types.contains(&name))
                    };
                    let on_change = {
                        let name = name.clone();
                        move |event| toggle(name.clone(), event_target_checked(&event))
                    };
                    view! {
                        <label class="flex items-start gap-2 py-0.5 text-sm" class:hidden=move || !visible() data-event-type=name.clone()>
                            <input type="checkbox" class="mt-1 accent-[#03a9f4]" prop:checked=checked on:change=on_change
                                   data-testid="trigger-event"/>
                            <span>
                                <span class="font-mono text-xs">{event.name.clone()}</span>
                                <span class="ml-2 text-xs text-slate-500 dark:text-slate-400">{event.description.clone()}</span>
                            </span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <div class:hidden=move || !group_visible() class="mb-2">
                    <p class="text-[11px] font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{group}</p>
                    {rows}
                </div>
            }
        })
        .collect_view();
    let summary = {
        let known = known.clone();
        move || {
            let types = selected.get();
            let clockify: Vec<&String> = types.iter().filter(|name| known.contains(name)).collect();
            match clockify.len() {
                0 => "No Clockify event chosen.".to_string(),
                1 => format!("Starts on {}.", clockify[0]),
                count => format!(
                    "Starts on any of {count}: {}.",
                    clockify.iter().map(|name| name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }
        }
    };
    let problems = Signal::derive(move || state.problems_at("trigger"));
    let sources = catalog
        .custom_sources
        .then(|| view! { <SourcePicker known=known.clone()/> });
    view! {
        <div class="flex flex-col gap-2" data-testid="trigger-picker">
            <p class="text-sm text-slate-700 dark:text-slate-200" data-testid="trigger-summary">{summary}</p>
            <input type="search" class=format!("w-full {INPUT}") placeholder="Filter events (e.g. time entry, tag)"
                   aria-label="Filter events" data-testid="trigger-filter"
                   prop:value=move || filter.get() on:input=move |event| filter.set(event_target_value(&event))/>
            <div class=move || if problems.with(Vec::is_empty) {
                     "max-h-56 overflow-y-auto rounded border border-slate-200 p-2 dark:border-slate-700"
                 } else {
                     "max-h-56 overflow-y-auto rounded border border-red-500 p-2 ring-1 ring-red-500"
                 }
                 data-testid="trigger-events">
                {group_views}
            </div>
            <FieldProblems messages=problems test_id="trigger-problems"/>
            {sources}
        </div>
    }
}

/// Custom sources (Universal Webhook), and which of their event types start the flow.
#[component]
fn SourcePicker(known: Vec<String>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let catalog = state.catalog.get_value();
    if catalog.sources.is_empty() {
        return view! {
            <p class=HINT data-testid="trigger-no-sources">
                "Webhooks from other systems can start flows too: create a source under Webhooks → Sources."
            </p>
        }
        .into_any();
    }
    let rows = catalog
        .sources
        .into_iter()
        .map(|source| {
            let id = source.id.clone();
            let checked = {
                let id = id.clone();
                move || state.draft.with(|def| def.trigger.sources.contains(&id))
            };
            let on_change = {
                let id = id.clone();
                move |event| {
                    let on = event_target_checked(&event);
                    state.draft.update(|def| {
                        let sources = &mut def.trigger.sources;
                        if on && !sources.contains(&id) {
                            sources.push(id.clone());
                        } else if !on {
                            sources.retain(|existing| existing != &id);
                        }
                    });
                }
            };
            let off = (!source.enabled).then(|| view! { <span class=HINT>" (disabled)"</span> });
            view! {
                <label class="flex items-center gap-2 text-sm" data-source=id.clone()>
                    <input type="checkbox" class="accent-[#03a9f4]" prop:checked=checked on:change=on_change data-testid="trigger-source"/>
                    {source.name}
                    {off}
                </label>
            }
        })
        .collect_view();
    // Event types that are not Clockify's are the sources' own (`order.created`).
    let custom_types = {
        let known = known.clone();
        move || {
            state.draft.with(|def| {
                def.trigger
                    .event_types
                    .iter()
                    .filter(|name| !known.contains(name))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        }
    };
    let set_custom_types = move |event| {
        let text = event_target_value(&event);
        state.draft.update(|def| {
            def.trigger.event_types.retain(|name| known.contains(name));
            for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
                if !def.trigger.event_types.iter().any(|existing| existing == name) {
                    def.trigger.event_types.push(name.to_string());
                }
            }
        });
    };
    view! {
        <div class="flex flex-col gap-1 rounded border border-slate-200 p-2 dark:border-slate-700" data-testid="trigger-sources">
            <p class="text-[11px] font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Custom sources"</p>
            {rows}
            <label class=LABEL>
                "Their event types (comma-separated; empty: every event they send)"
                <input type="text" class=INPUT data-testid="trigger-custom-types" placeholder="order.created, order.paid"
                       prop:value=custom_types on:change=set_custom_types/>
            </label>
        </div>
    }
    .into_any()
}
