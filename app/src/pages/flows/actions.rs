//! Actions: the steps a flow runs in order. A Clockify step (operation, parameters, JSON
//! body) or, in Universal Webhook with the setting on, an HTTP request to any public address.
//! Each step has an id later steps read its output by (`steps.<id>.body.id`); steps can be
//! moved up and down and removed.

use std::collections::BTreeMap;

use addon_core::{
    flows::{model::Action, validate::HTTP_METHODS},
    openapi::ApiSpec,
};
use leptos::prelude::*;
use serde_json::Value;

use super::{
    operation::{body_properties, new_clockify_action, OperationPicker, ParamForm},
    state::{invalid, EditorState, FieldProblems, DANGER, HINT, INPUT, LABEL, SMALL},
};

/// A method as a coloured badge.
#[component]
pub fn MethodBadge(#[prop(into)] method: String) -> impl IntoView {
    let colour = match method.as_str() {
        "GET" => "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100",
        "POST" => "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        "PUT" | "PATCH" => "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100",
        _ => "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
    };
    view! {
        <span class=format!("inline-block w-14 shrink-0 rounded px-1 py-0.5 text-center font-mono text-[10px] font-bold {colour}")>
            {method}
        </span>
    }
}

/// Parses an HTTP action's header lines (`Name: value`); blank lines are skipped.
pub fn parse_headers(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut headers = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "Line {} has no `:`: write one header per line as `Name: value`.",
                number + 1
            ));
        };
        headers.insert(name.trim().to_string(), value.trim().to_string());
    }
    Ok(headers)
}

/// A readable JSON error for a body being typed.
pub fn json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let reason = text
        .rfind(" at line ")
        .map_or(text.as_str(), |position| &text[..position]);
    format!(
        "The body is not valid JSON (line {}, column {}): {reason}.",
        error.line(),
        error.column()
    )
}

#[component]
pub fn ActionsEditor() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let catalog = state.catalog.get_value();
    let uids = Memo::new(move |_| {
        state
            .slots
            .with(|slots| slots.iter().map(|slot| slot.uid).collect::<Vec<_>>())
    });
    let add_clockify = move |_| {
        let id = state.fresh_step_id();
        state.add_action(new_clockify_action(id, "", BTreeMap::new()));
    };
    let add_http = move |_| {
        let id = state.fresh_step_id();
        state.add_action(Action::Http {
            id,
            method: "POST".into(),
            url: String::new(),
            headers: BTreeMap::from([("Content-Type".to_string(), "application/json".to_string())]),
            body: Some("{{ body | json }}".into()),
        });
    };
    let http_button = catalog.generic_http.then(|| {
        view! { <button type="button" class=SMALL data-testid="add-http-action" on:click=add_http>"+ HTTP request"</button> }
    });
    let http_note = match (catalog.http_feature, catalog.generic_http) {
        (true, false) => Some(
            "HTTP requests to other services are off in this workspace: turn on Settings → Flows → Generic HTTP actions to add them.",
        ),
        (false, _) => Some(
            "Steps call the Clockify API. Requests to other services are a Universal Webhook feature.",
        ),
        _ => None,
    }
    .map(|note| view! { <p class=HINT data-testid="http-actions-note">{note}</p> });
    let problems = Signal::derive(move || state.problems_exactly("actions"));
    view! {
        <div class="flex flex-col gap-3" data-testid="actions">
            <Show when=move || uids.with(Vec::is_empty)>
                <p class=HINT data-testid="actions-none">"No actions yet: add the first step the flow runs."</p>
            </Show>
            <For each=move || uids.get() key=|uid| *uid let:uid>
                <ActionRow uid/>
            </For>
            <FieldProblems messages=problems test_id="actions-problems"/>
            <div class="flex flex-wrap items-center gap-2">
                <button type="button" class=SMALL data-testid="add-clockify-action" on:click=add_clockify>"+ Clockify action"</button>
                {http_button}
            </div>
            {http_note}
        </div>
    }
}

#[component]
fn ActionRow(uid: u64) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let index = Memo::new(move |_| state.index_of(uid));
    let count = Memo::new(move |_| state.slots.with(Vec::len));
    let is_http = Memo::new(move |_| {
        let index = index.get();
        state.draft.with(|def| {
            matches!(
                index.and_then(|index| def.actions.get(index)),
                Some(Action::Http { .. })
            )
        })
    });
    let step_id = move || {
        let index = index.get();
        state.draft.with(|def| {
            index
                .and_then(|index| def.actions.get(index))
                .map(|action| action.id().to_string())
                .unwrap_or_default()
        })
    };
    let set_id = move |event| {
        let text = event_target_value(&event);
        let Some(index) = index.get_untracked() else {
            return;
        };
        state.draft.update(|def| match def.actions.get_mut(index) {
            Some(Action::Clockify { id, .. } | Action::Http { id, .. }) => *id = text,
            None => {}
        });
    };
    let id_problems = Signal::derive(move || {
        index
            .get()
            .map(|index| state.problems_exactly(&format!("actions[{index}].id")))
            .unwrap_or_default()
    });
    let step_problems = Signal::derive(move || {
        index
            .get()
            .map(|index| state.problems_exactly(&format!("actions[{index}]")))
            .unwrap_or_default()
    });
    let first = move || index.get() == Some(0);
    let last = move || index.get().map(|index| index + 1) == Some(count.get());
    let position = move || index.get().map(|index| index + 1).unwrap_or_default();
    view! {
        <div class="rounded border border-slate-200 bg-slate-50 p-3 dark:border-slate-700 dark:bg-slate-900/40"
             data-testid="action" data-index=move || index.get().unwrap_or_default().to_string()>
            <div class="mb-2 flex flex-wrap items-center gap-2">
                <span class="flex h-6 w-6 items-center justify-center rounded-full bg-[#03a9f4] text-xs font-bold text-white">{position}</span>
                <span class="text-sm font-medium">{move || if is_http.get() { "HTTP request" } else { "Clockify action" }}</span>
                <label class="ml-2 flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
                    "Step id"
                    <input type="text" class=format!("w-28 font-mono {INPUT}") spellcheck="false" autocomplete="off"
                           data-testid="action-id" aria-invalid=move || invalid(&id_problems.get())
                           prop:value=step_id on:input=set_id/>
                </label>
                <span class="ml-auto flex gap-1">
                    <button type="button" class=SMALL aria-label="Move up" data-testid="action-up" disabled=first
                            on:click=move |_| if let Some(index) = index.get_untracked() { state.move_action(index, true) }>"↑"</button>
                    <button type="button" class=SMALL aria-label="Move down" data-testid="action-down" disabled=last
                            on:click=move |_| if let Some(index) = index.get_untracked() { state.move_action(index, false) }>"↓"</button>
                    <button type="button" class=DANGER data-testid="action-remove"
                            on:click=move |_| if let Some(index) = index.get_untracked() { state.remove_action(index) }>"Remove"</button>
                </span>
            </div>
            <FieldProblems messages=id_problems test_id="action-id-problems"/>
            <FieldProblems messages=step_problems test_id="action-problems"/>
            {move || if is_http.get() {
                view! { <HttpForm uid index/> }.into_any()
            } else {
                view! { <ClockifyForm uid index/> }.into_any()
            }}
        </div>
    }
}

#[component]
fn ClockifyForm(uid: u64, index: Memo<Option<usize>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let operation_id = Memo::new(move |_| {
        let index = index.get();
        state
            .draft
            .with(|def| match index.and_then(|index| def.actions.get(index)) {
                Some(Action::Clockify { operation_id, .. }) => operation_id.clone(),
                _ => String::new(),
            })
    });
    view! {
        <div class="flex flex-col gap-3">
            <OperationPicker index/>
            <ParamForm index operation_id/>
            <BodyEditor uid index operation_id/>
        </div>
    }
}

/// The JSON body of a Clockify step, with the optional properties one click away.
#[component]
fn BodyEditor(uid: u64, index: Memo<Option<usize>>, operation_id: Memo<String>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let text = move || {
        state.slots.with(|slots| {
            slots
                .iter()
                .find(|slot| slot.uid == uid)
                .map(|slot| slot.body_text.clone())
                .unwrap_or_default()
        })
    };
    let set_text = move |text: String| {
        let parsed = if text.trim().is_empty() {
            Ok(None)
        } else {
            serde_json::from_str::<Value>(&text)
                .map(Some)
                .map_err(|error| json_error(&error))
        };
        state.slots.update(|slots| {
            if let Some(slot) = slots.iter_mut().find(|slot| slot.uid == uid) {
                slot.body_text = text;
                slot.body_error = parsed.as_ref().err().cloned();
            }
        });
        if let (Ok(body), Some(index)) = (parsed, index.get_untracked()) {
            state.draft.update(|def| {
                if let Some(Action::Clockify { body: current, .. }) = def.actions.get_mut(index) {
                    *current = body;
                }
            });
        }
    };
    let problems = Signal::derive(move || {
        index
            .get()
            .map(|index| state.problems_at(&format!("actions[{index}].body")))
            .unwrap_or_default()
    });
    move || {
        let spec = ApiSpec::clockify();
        let Some(operation) = spec.operation(&operation_id.get()) else {
            return ().into_any();
        };
        if operation.request_body.is_none() {
            return view! { <p class=HINT>"This operation takes no body."</p> }.into_any();
        }
        let chips = body_properties(spec, operation)
            .into_iter()
            .map(|(name, value, required)| {
                let missing = {
                    let name = name.clone();
                    move || {
                        state.slots.with(|slots| {
                            let text = slots
                                .iter()
                                .find(|slot| slot.uid == uid)
                                .map(|slot| slot.body_text.as_str())
                                .unwrap_or_default();
                            match serde_json::from_str::<Value>(text) {
                                Ok(Value::Object(object)) => !object.contains_key(&name),
                                Ok(_) => false,
                                Err(_) => text.trim().is_empty(),
                            }
                        })
                    }
                };
                let add = {
                    let name = name.clone();
                    move |_| {
                        let current = text();
                        let mut object = match serde_json::from_str::<Value>(&current) {
                            Ok(Value::Object(object)) => object,
                            _ if current.trim().is_empty() => serde_json::Map::new(),
                            _ => return,
                        };
                        object.insert(name.clone(), value.clone());
                        set_text(serde_json::to_string_pretty(&Value::Object(object)).unwrap_or_default());
                    }
                };
                view! {
                    <Show when=missing.clone()>
                        <button type="button" class="rounded-full border border-dashed border-slate-300 px-2 py-0.5 font-mono text-[11px] text-slate-600 hover:border-[#03a9f4] hover:text-[#03a9f4] dark:border-slate-600 dark:text-slate-300"
                                data-testid="body-add-property" data-property=name.clone() on:click=add.clone()>
                            {format!("+ {name}{}", if required { " *" } else { "" })}
                        </button>
                    </Show>
                }
            })
            .collect_view();
        let rows = move || text().lines().count().clamp(3, 16);
        view! {
            <label class=LABEL>
                <span>
                    "Body (JSON)"
                    <span class=format!("ml-1 {HINT}")>"Strings can be templates: {{ body.description }}, {{ event.workspaceId }}"</span>
                </span>
                <textarea class=format!("font-mono text-xs {INPUT}") spellcheck="false" rows=rows
                          data-testid="action-body" aria-invalid=move || invalid(&problems.get())
                          prop:value=text on:input=move |event| set_text(event_target_value(&event))></textarea>
            </label>
            <div class="flex flex-wrap gap-1">{chips}</div>
            <FieldProblems messages=problems test_id="action-body-problems"/>
        }
        .into_any()
    }
}

/// A change to an HTTP action's method and URL.
type HttpEdit = Box<dyn FnOnce(&mut String, &mut String)>;

#[component]
fn HttpForm(uid: u64, index: Memo<Option<usize>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let read = move |f: fn(&Action) -> String| {
        let index = index.get();
        state.draft.with(|def| {
            index
                .and_then(|index| def.actions.get(index))
                .map(f)
                .unwrap_or_default()
        })
    };
    let write = move |f: HttpEdit| {
        let Some(index) = index.get_untracked() else {
            return;
        };
        state.draft.update(|def| {
            if let Some(Action::Http { method, url, .. }) = def.actions.get_mut(index) {
                f(method, url);
            }
        });
    };
    let slot_text = move |headers: bool| {
        state.slots.with(|slots| {
            slots
                .iter()
                .find(|slot| slot.uid == uid)
                .map(|slot| {
                    if headers {
                        slot.headers_text.clone()
                    } else {
                        slot.body_text.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    let set_headers = move |event| {
        let text = event_target_value(&event);
        let parsed = parse_headers(&text);
        state.slots.update(|slots| {
            if let Some(slot) = slots.iter_mut().find(|slot| slot.uid == uid) {
                slot.headers_text = text;
                slot.headers_error = parsed.as_ref().err().cloned();
            }
        });
        if let (Ok(parsed), Some(index)) = (parsed, index.get_untracked()) {
            state.draft.update(|def| {
                if let Some(Action::Http { headers, .. }) = def.actions.get_mut(index) {
                    *headers = parsed;
                }
            });
        }
    };
    let set_body = move |event| {
        let text = event_target_value(&event);
        state.slots.update(|slots| {
            if let Some(slot) = slots.iter_mut().find(|slot| slot.uid == uid) {
                slot.body_text = text.clone();
            }
        });
        if let Some(index) = index.get_untracked() {
            state.draft.update(|def| {
                if let Some(Action::Http { body, .. }) = def.actions.get_mut(index) {
                    *body = (!text.is_empty()).then_some(text);
                }
            });
        }
    };
    let problems = move |part: &'static str| {
        Signal::derive(move || {
            index
                .get()
                .map(|index| state.problems_at(&format!("actions[{index}].{part}")))
                .unwrap_or_default()
        })
    };
    let (method_problems, url_problems, header_problems, body_problems) = (
        problems("method"),
        problems("url"),
        problems("headers"),
        problems("body"),
    );
    let methods = HTTP_METHODS
        .into_iter()
        .map(|option| {
            view! {
                <option value=option prop:selected=move || read(|action| match action {
                    Action::Http { method, .. } => method.clone(),
                    _ => String::new(),
                }) == option>{option}</option>
            }
        })
        .collect_view();
    let http_off = !state.catalog.with_value(|catalog| catalog.generic_http);
    view! {
        <div class="flex flex-col gap-2">
            {http_off.then(|| view! {
                <p class="rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
                    "Generic HTTP actions are off in this workspace, so this flow cannot be saved with this step: turn on Settings → Flows → Generic HTTP actions, or remove the step."
                </p>
            })}
            <div class="grid gap-2 sm:grid-cols-[8rem_minmax(0,1fr)]">
                <label class=LABEL>
                    "Method"
                    <select class=INPUT data-testid="http-method" aria-invalid=move || invalid(&method_problems.get())
                            on:change=move |event| {
                                let value = event_target_value(&event);
                                write(Box::new(move |method, _| *method = value));
                            }>
                        {methods}
                    </select>
                </label>
                <label class=LABEL>
                    "URL"
                    <input type="text" class=INPUT spellcheck="false" autocomplete="off" placeholder="https://example.com/hooks/{{ event.type }}"
                           data-testid="http-url" aria-invalid=move || invalid(&url_problems.get())
                           prop:value=move || read(|action| match action { Action::Http { url, .. } => url.clone(), _ => String::new() })
                           on:input=move |event| {
                               let value = event_target_value(&event);
                               write(Box::new(move |_, url| *url = value));
                           }/>
                </label>
            </div>
            <FieldProblems messages=method_problems test_id="http-method-problems"/>
            <FieldProblems messages=url_problems test_id="http-url-problems"/>
            <label class=LABEL>
                <span>"Headers" <span class=format!("ml-1 {HINT}")>"One per line, Name: value; {{ secrets.NAME }} inserts a stored secret"</span></span>
                <textarea class=format!("font-mono text-xs {INPUT}") rows="3" spellcheck="false" data-testid="http-headers"
                          aria-invalid=move || invalid(&header_problems.get())
                          prop:value=move || slot_text(true) on:input=set_headers></textarea>
            </label>
            <FieldProblems messages=header_problems test_id="http-headers-problems"/>
            <label class=LABEL>
                <span>"Body" <span class=format!("ml-1 {HINT}")>"A template; {{ body | json }} sends the event's body as JSON"</span></span>
                <textarea class=format!("font-mono text-xs {INPUT}") rows="4" spellcheck="false" data-testid="http-body"
                          aria-invalid=move || invalid(&body_problems.get())
                          prop:value=move || slot_text(false) on:input=set_body></textarea>
            </label>
            <FieldProblems messages=body_problems test_id="http-body-problems"/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_become_a_map_or_name_the_bad_line() {
        let headers = parse_headers("Content-Type: application/json\n\nX-Token: {{ secrets.TOKEN }}").unwrap();
        assert_eq!(headers.get("X-Token").map(String::as_str), Some("{{ secrets.TOKEN }}"));
        assert_eq!(
            parse_headers("A: 1\nnonsense").unwrap_err(),
            "Line 2 has no `:`: write one header per line as `Name: value`."
        );
    }

    #[test]
    fn json_errors_are_sentences() {
        let error = serde_json::from_str::<Value>("{\"a\": }").unwrap_err();
        assert_eq!(
            json_error(&error),
            "The body is not valid JSON (line 1, column 7): expected value."
        );
    }
}
