//! Import and export: a flow travels as the JSON of its definition. Export downloads the
//! definition as a file (a `data:` link, which also works inside Clockify's iframe without
//! script access to the file system); import takes the pasted text, on the list as a new flow
//! (checked on the server) and in the editor as the draft being edited.

use addon_core::explorer::form::encode_query_component;
use leptos::prelude::*;

use super::{
    server::{import_flow, parse_import, SaveOutcome},
    state::{EditorState, ERROR_TEXT, HINT, INPUT, PRIMARY, SECONDARY},
};
use crate::session::error_message;

/// A file name for a flow's export: its name in lower case with dashes.
pub fn export_filename(name: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        "flow.json".to_string()
    } else {
        format!("{slug}.flow.json")
    }
}

/// The `href` that downloads `text` as a JSON file.
pub fn download_href(text: &str) -> String {
    format!("data:application/json;charset=utf-8,{}", encode_query_component(text))
}

/// "Export" for the flow being edited: downloads what the editor shows.
#[component]
pub fn ExportLink(#[prop(into)] text: Signal<String>, #[prop(into)] name: Signal<String>) -> impl IntoView {
    view! {
        <a class=SECONDARY data-testid="flow-export" role="button"
           href=move || download_href(&text.get()) download=move || export_filename(&name.get())>
            "Export"
        </a>
    }
}

/// The list's "Import": paste an exported flow; it becomes a new flow, opened by `on_created`.
#[component]
pub fn ImportPanel(#[prop(into)] session: String, open: RwSignal<bool>, on_created: Callback<String>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let import = Action::new(move |text: &String| {
        let (session, text) = (session.clone(), text.clone());
        async move {
            match import_flow(session, text).await {
                Ok(SaveOutcome::Saved(detail)) => {
                    errors.set(Vec::new());
                    on_created.run(detail.id);
                }
                Ok(SaveOutcome::Invalid(problems)) => errors.set(
                    problems
                        .into_iter()
                        .map(|problem| {
                            if problem.field == "import" {
                                problem.message
                            } else {
                                format!("{}: {}", problem.field, problem.message)
                            }
                        })
                        .collect(),
                ),
                Err(error) => errors.set(vec![error_message(&error)]),
            }
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="flex flex-col gap-2 rounded border border-slate-200 bg-slate-50 p-3 dark:border-slate-700 dark:bg-slate-900/40"
                 data-testid="import-panel">
                <label class="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
                    "Paste an exported flow (JSON)"
                    <textarea class=format!("font-mono text-xs {INPUT}") rows="8" spellcheck="false" data-testid="import-text"
                              prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))></textarea>
                </label>
                <Show when=move || !errors.with(Vec::is_empty)>
                    <ul role="alert" data-testid="import-error" class="flex flex-col gap-0.5">
                        {move || errors.get().into_iter().map(|message| view! { <li class=ERROR_TEXT>{message}</li> }).collect_view()}
                    </ul>
                </Show>
                <p class=HINT>"The flow is checked like any other and created as a draft; nothing runs until you publish it."</p>
                <div class="flex gap-2">
                    <button type="button" class=PRIMARY data-testid="import-submit" disabled=move || import.pending().get()
                            on:click=move |_| { import.dispatch(text.get_untracked()); }>"Import"</button>
                    <button type="button" class=SECONDARY on:click=move |_| { open.set(false); errors.set(Vec::new()); }>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// The editor's "Import": replaces the draft being edited (nothing is saved until "Save draft").
#[component]
pub fn ImportIntoDraft(open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let apply = move |_| match parse_import(&text.get_untracked()) {
        Ok(def) => {
            state.reset(def);
            error.set(None);
            text.set(String::new());
            open.set(false);
        }
        Err(message) => error.set(Some(message)),
    };
    view! {
        <Show when=move || open.get()>
            <div class="flex flex-col gap-2 rounded border border-slate-200 bg-slate-50 p-3 dark:border-slate-700 dark:bg-slate-900/40"
                 data-testid="import-draft-panel">
                <label class="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
                    "Paste an exported flow (JSON): it replaces what you are editing"
                    <textarea class=format!("font-mono text-xs {INPUT}") rows="8" spellcheck="false" data-testid="import-draft-text"
                              prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))></textarea>
                </label>
                {move || error.get().map(|message| view! { <p role="alert" class=ERROR_TEXT data-testid="import-draft-error">{message}</p> })}
                <div class="flex gap-2">
                    <button type="button" class=PRIMARY data-testid="import-draft-apply" on:click=apply>"Replace the draft"</button>
                    <button type="button" class=SECONDARY on:click=move |_| { open.set(false); error.set(None); }>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_named_after_the_flow() {
        assert_eq!(export_filename("Tag long entries!"), "tag-long-entries.flow.json");
        assert_eq!(export_filename("  "), "flow.json");
        assert_eq!(
            download_href("{\"a\": 1}"),
            "data:application/json;charset=utf-8,%7B%22a%22%3A%201%7D"
        );
    }
}
