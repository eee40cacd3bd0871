//! Conditions: groups of rules, each group "all" or "any", the groups combined the same way.
//! A rule is a JSONPath into the event document, an operator and (for most operators) a value.
//! Paths are suggested from the sample event chosen in the preview.

use addon_core::flows::model::{Combine, ConditionGroup, Operator, Rule};
use leptos::prelude::*;
use serde_json::Value;

use super::state::{invalid, EditorState, FieldProblems, DANGER, HINT, INPUT, SMALL};

/// The id of the `<datalist>` of path suggestions.
pub const PATH_SUGGESTIONS: &str = "flow-path-suggestions";

/// Most suggestions offered.
const MAX_SUGGESTIONS: usize = 400;
/// How deep suggestions go below `$`.
const MAX_DEPTH: usize = 8;

/// Every path to a value in `doc`, as rules write them: `$.body.project.name`,
/// `$.headers['content-type']`, `$.body.tags[0].name` and, for arrays, `$.body.tags[*].name`.
pub fn suggest_paths(doc: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    walk(doc, "$".to_string(), 0, &mut paths);
    paths
}

fn walk(value: &Value, path: String, depth: usize, paths: &mut Vec<String>) {
    if paths.len() >= MAX_SUGGESTIONS || depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(object) => {
            if depth > 0 {
                paths.push(path.clone());
            }
            for (name, child) in object {
                walk(child, format!("{path}{}", member(name)), depth + 1, paths);
            }
        }
        Value::Array(items) => {
            paths.push(path.clone());
            if let Some(first) = items.first() {
                // The first element stands for the shape; `[*]` checks any element.
                walk(first, format!("{path}[*]"), depth + 1, paths);
                if paths.len() < MAX_SUGGESTIONS && !first.is_object() {
                    paths.push(format!("{path}[0]"));
                }
            }
        }
        _ => paths.push(path),
    }
}

/// `.name` for plain names, `['x-name']` otherwise.
fn member(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!(".{name}")
    } else {
        format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

fn combine_name(combine: Combine) -> &'static str {
    match combine {
        Combine::All => "all",
        Combine::Any => "any",
    }
}

fn parse_combine(text: &str) -> Combine {
    if text == "any" {
        Combine::Any
    } else {
        Combine::All
    }
}

#[component]
pub fn ConditionsEditor(#[prop(into)] suggestions: Signal<Vec<String>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let group_count = Memo::new(move |_| state.draft.with(|def| def.conditions.groups.len()));
    let combine = Memo::new(move |_| state.draft.with(|def| combine_name(def.conditions.combine)));
    let add_group = move |_| {
        state.draft.update(|def| {
            def.conditions.groups.push(ConditionGroup {
                combine: Combine::All,
                rules: vec![Rule::default()],
            })
        })
    };
    let datalist = move || {
        suggestions
            .get()
            .into_iter()
            .map(|path| view! { <option value=path></option> })
            .collect_view()
    };
    view! {
        <div class="flex flex-col gap-3" data-testid="conditions">
            <datalist id=PATH_SUGGESTIONS>{datalist}</datalist>
            <Show when=move || group_count.get() == 0>
                <p class=HINT data-testid="conditions-none">"No conditions: the flow runs for every event its trigger starts on."</p>
            </Show>
            <Show when=move || { group_count.get() > 1 }>
                <label class="flex items-center gap-2 text-sm">
                    "Run when"
                    <select class=INPUT data-testid="conditions-combine"
                            on:change=move |event| {
                                let combine = parse_combine(&event_target_value(&event));
                                state.draft.update(|def| def.conditions.combine = combine);
                            }>
                        <option value="all" prop:selected=move || combine.get() == "all">"all groups hold"</option>
                        <option value="any" prop:selected=move || combine.get() == "any">"any group holds"</option>
                    </select>
                </label>
            </Show>
            <For each=move || 0..group_count.get() key=|index| *index let:group>
                <GroupEditor group/>
            </For>
            <div>
                <button type="button" class=SMALL data-testid="add-group" on:click=add_group>"+ Condition group"</button>
            </div>
        </div>
    }
}

#[component]
fn GroupEditor(group: usize) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let rule_count = Memo::new(move |_| {
        state
            .draft
            .with(|def| def.conditions.groups.get(group).map_or(0, |group| group.rules.len()))
    });
    let combine = Memo::new(move |_| {
        state.draft.with(|def| {
            def.conditions
                .groups
                .get(group)
                .map_or("all", |group| combine_name(group.combine))
        })
    });
    let add_rule = move |_| {
        state.draft.update(|def| {
            if let Some(group) = def.conditions.groups.get_mut(group) {
                group.rules.push(Rule::default());
            }
        })
    };
    let remove_group = move |_| {
        state.draft.update(|def| {
            if group < def.conditions.groups.len() {
                def.conditions.groups.remove(group);
            }
        })
    };
    view! {
        <div class="rounded border border-slate-200 bg-slate-50 p-3 dark:border-slate-700 dark:bg-slate-900/40"
             data-testid=format!("condition-group-{group}")>
            <div class="mb-2 flex items-center gap-2 text-sm">
                <span class="font-medium">{format!("Group {}", group + 1)}</span>
                <span class="text-slate-500 dark:text-slate-400">"holds when"</span>
                <select class=INPUT data-testid=format!("group-combine-{group}")
                        on:change=move |event| {
                            let combine = parse_combine(&event_target_value(&event));
                            state.draft.update(|def| {
                                if let Some(group) = def.conditions.groups.get_mut(group) {
                                    group.combine = combine;
                                }
                            });
                        }>
                    <option value="all" prop:selected=move || combine.get() == "all">"all rules hold"</option>
                    <option value="any" prop:selected=move || combine.get() == "any">"any rule holds"</option>
                </select>
                <button type="button" class=format!("ml-auto {DANGER}") data-testid=format!("remove-group-{group}")
                        on:click=remove_group>"Remove group"</button>
            </div>
            <div class="flex flex-col gap-2">
                <For each=move || 0..rule_count.get() key=|index| *index let:rule>
                    <RuleEditor group rule/>
                </For>
            </div>
            <button type="button" class=format!("mt-2 {SMALL}") data-testid=format!("add-rule-{group}") on:click=add_rule>
                "+ Rule"
            </button>
        </div>
    }
}

#[component]
fn RuleEditor(group: usize, rule: usize) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let read = move |f: fn(&Rule) -> String| {
        state.draft.with(|def| {
            def.conditions
                .groups
                .get(group)
                .and_then(|group| group.rules.get(rule))
                .map(f)
                .unwrap_or_default()
        })
    };
    let write = move |f: Box<dyn FnOnce(&mut Rule)>| {
        state.draft.update(|def| {
            if let Some(rule) = def
                .conditions
                .groups
                .get_mut(group)
                .and_then(|group| group.rules.get_mut(rule))
            {
                f(rule);
            }
        });
    };
    let operator = Memo::new(move |_| {
        state.draft.with(|def| {
            def.conditions
                .groups
                .get(group)
                .and_then(|group| group.rules.get(rule))
                .map(|rule| rule.operator)
                .unwrap_or_default()
        })
    });
    let takes_value = move || operator.get().takes_value();
    let field = format!("conditions.groups[{group}].rules[{rule}]");
    let path_problems = {
        let field = format!("{field}.path");
        Signal::derive(move || state.problems_exactly(&field))
    };
    let value_problems = {
        let field = format!("{field}.value");
        Signal::derive(move || state.problems_exactly(&field))
    };
    let options = Operator::ALL
        .into_iter()
        .map(|option| {
            view! { <option value=option.as_str() prop:selected=move || operator.get() == option>{option.label()}</option> }
        })
        .collect_view();
    let remove = move |_| {
        state.draft.update(|def| {
            if let Some(group) = def.conditions.groups.get_mut(group) {
                if rule < group.rules.len() {
                    group.rules.remove(rule);
                }
            }
        })
    };
    let suffix = format!("{group}-{rule}");
    let (row_id, path_id, path_problems_id, operator_id, value_id, value_problems_id, remove_id) = (
        format!("rule-{suffix}"),
        format!("rule-path-{suffix}"),
        format!("rule-path-problems-{suffix}"),
        format!("rule-operator-{suffix}"),
        format!("rule-value-{suffix}"),
        format!("rule-value-problems-{suffix}"),
        format!("remove-rule-{suffix}"),
    );
    view! {
        <div class="grid grid-cols-1 gap-2 sm:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,1fr)_auto]"
             data-testid=row_id>
            <div class="flex min-w-0 flex-col">
                <input type="text" class=INPUT list=PATH_SUGGESTIONS spellcheck="false" autocomplete="off"
                       placeholder="$.body.description" aria-label="JSONPath"
                       data-testid=path_id
                       aria-invalid=move || invalid(&path_problems.get())
                       prop:value=move || read(|rule| rule.path.clone())
                       on:input=move |event| {
                           let path = event_target_value(&event);
                           write(Box::new(move |rule| rule.path = path));
                       }/>
                <FieldProblems messages=path_problems test_id=path_problems_id/>
            </div>
            <select class=INPUT aria-label="Operator" data-testid=operator_id
                    on:change=move |event| {
                        if let Some(operator) = Operator::parse(&event_target_value(&event)) {
                            write(Box::new(move |rule| rule.operator = operator));
                        }
                    }>
                {options}
            </select>
            <div class="flex min-w-0 flex-col">
                <Show when=takes_value fallback=|| view! { <span class="py-1 text-xs text-slate-400">"(no value)"</span> }>
                    <input type="text" class=INPUT aria-label="Value" autocomplete="off"
                           placeholder=move || match operator.get() {
                               Operator::InList => "a, b, c",
                               Operator::Matches => "regular expression",
                               Operator::GreaterThan | Operator::GreaterOrEqual | Operator::LessThan | Operator::LessOrEqual => "10, 2025-01-01, PT8H",
                               _ => "value",
                           }
                           data-testid=value_id.clone()
                           aria-invalid=move || invalid(&value_problems.get())
                           prop:value=move || read(|rule| rule.value.clone())
                           on:input=move |event| {
                               let value = event_target_value(&event);
                               write(Box::new(move |rule| rule.value = value));
                           }/>
                </Show>
                <FieldProblems messages=value_problems test_id=value_problems_id/>
            </div>
            <button type="button" class=format!("self-start {DANGER}") aria-label="Remove rule"
                    data-testid=remove_id on:click=remove>"✕"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_are_offered_as_rules_write_them() {
        let doc = json!({
            "event": { "type": "NEW_TIME_ENTRY" },
            "body": { "project": { "name": "P" }, "tags": [{ "name": "a" }], "ids": ["x"] },
            "headers": { "content-type": "application/json" }
        });
        let paths = suggest_paths(&doc);
        for expected in [
            "$.event.type",
            "$.body.project",
            "$.body.project.name",
            "$.body.tags",
            "$.body.tags[*].name",
            "$.body.ids[*]",
            "$.body.ids[0]",
            "$.headers['content-type']",
        ] {
            assert!(
                paths.contains(&expected.to_string()),
                "{expected} missing from {paths:?}"
            );
        }
        assert!(!paths.contains(&"$".to_string()));
    }

    #[test]
    fn suggestions_are_bounded() {
        let wide: serde_json::Map<String, Value> = (0..1000).map(|n| (format!("k{n}"), json!(n))).collect();
        assert_eq!(suggest_paths(&Value::Object(wide)).len(), MAX_SUGGESTIONS);
        assert_eq!(member("it's"), "['it\\'s']");
    }
}
