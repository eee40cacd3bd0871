//! Secrets for HTTP actions (Universal Webhook): the list (names and when they changed, never
//! a value), add or replace (the value is typed into a password box and never shown again),
//! delete, and how a header reads one (`{{ secrets.NAME }}`).

use leptos::prelude::*;

use super::secrets_server::{
    check_secret_value, delete_flow_secret_name, load_flow_secrets, parse_secret_name, save_flow_secret_value,
    SecretsView, MAX_NAME_CHARS,
};
use crate::{
    components::Card,
    session::{error_message, SessionView},
};

const INPUT: &str = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                     dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/// The secrets manager.
#[component]
pub fn FlowSecrets() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let confirm_delete = RwSignal::new(None::<String>);
    // The list as the last answer left it (load, save or delete).
    let current = RwSignal::new(None::<Result<SecretsView, String>>);

    let token = session.token.clone();
    let loaded = Resource::new(move || token.clone(), load_flow_secrets);
    let token = session.token.clone();
    let save = Action::new(move |(name, value): &(String, String)| {
        save_flow_secret_value(token.clone(), name.clone(), value.clone())
    });
    let token = session.token.clone();
    let delete = Action::new(move |name: &String| delete_flow_secret_name(token.clone(), name.clone()));
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            match result {
                Ok(view) => {
                    notice.set(Some(format!("Saved {}.", name.get_untracked().trim())));
                    name.set(String::new());
                    current.set(Some(Ok(view)));
                }
                Err(error) => form_error.set(Some(error_message(&error))),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            match result {
                Ok(view) => current.set(Some(Ok(view))),
                Err(error) => notice.set(Some(error_message(&error))),
            }
        }
    });

    let submit = move || {
        notice.set(None);
        let typed_name = name.get_untracked();
        let typed_value = value.get_untracked();
        let checked = parse_secret_name(&typed_name).and_then(|name| check_secret_value(&typed_value).map(|()| name));
        match checked {
            Ok(checked) => {
                form_error.set(None);
                // The value leaves the page's memory as soon as it is sent.
                value.set(String::new());
                save.dispatch((checked, typed_value));
            }
            Err(message) => form_error.set(Some(message)),
        }
    };

    // The list as loaded, then as the last save or delete left it.
    let list = move || {
        Suspend::new(async move {
            let first = loaded.await.map_err(|error| error_message(&error));
            move || {
                match current.get().unwrap_or_else(|| first.clone()) {
                Ok(view) => view! { <SecretsList view confirm_delete delete/> }.into_any(),
                Err(message) => view! {
                    <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="secrets-error">{message}</p>
                }
                .into_any(),
            }
            }
        })
    };
    let replacing = move || {
        let typed = name.get();
        let typed = typed.trim();
        let known = |view: &SecretsView| view.secrets.iter().any(|secret| secret.name == typed);
        if typed.is_empty() {
            return false;
        }
        match current.get() {
            Some(result) => result.is_ok_and(|view| known(&view)),
            None => loaded.get().is_some_and(|result| result.is_ok_and(|view| known(&view))),
        }
    };
    view! {
        <Card title="Secrets">
            <div class="flex flex-col gap-4" data-testid="flow-secrets">
                <p class="text-sm text-slate-600 dark:text-slate-300">
                    "Secrets keep tokens and passwords out of flow definitions. They are stored encrypted and never \
                     shown again; previews and run history show "
                    <code class="font-mono">"••••"</code>
                    " in their place."
                </p>
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>{list}</Transition>
                <form class="flex flex-wrap items-end gap-3" data-testid="secret-form"
                      on:submit=move |event| { event.prevent_default(); submit(); }>
                    <label class="flex flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Name"
                        <input type="text" class=format!("{INPUT} font-mono") data-testid="secret-name"
                               placeholder="API_TOKEN" maxlength=MAX_NAME_CHARS.to_string() autocomplete="off"
                               spellcheck="false"
                               prop:value=move || name.get()
                               on:input=move |event| name.set(event_target_value(&event))/>
                    </label>
                    <label class="flex min-w-48 flex-1 flex-col gap-0.5 text-xs text-slate-500 dark:text-slate-400">
                        "Value"
                        <input type="password" class=INPUT data-testid="secret-value" autocomplete="new-password"
                               placeholder="never shown again"
                               prop:value=move || value.get()
                               on:input=move |event| value.set(event_target_value(&event))/>
                    </label>
                    <button type="submit" data-testid="secret-save"
                            class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50"
                            disabled=move || save.pending().get()>
                        {move || if replacing() { "Replace secret" } else { "Add secret" }}
                    </button>
                </form>
                {move || form_error.get().map(|message| view! {
                    <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="secret-form-error">{message}</p>
                })}
                {move || notice.get().map(|message| view! {
                    <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300" data-testid="secret-notice">{message}</p>
                })}
                <div class="rounded border border-slate-200 bg-slate-50 p-3 text-sm dark:border-slate-700 dark:bg-slate-900" data-testid="secret-hint">
                    <p class="mb-1 font-semibold text-slate-700 dark:text-slate-200">"Use a secret in an HTTP action"</p>
                    <p class="mb-2 text-slate-600 dark:text-slate-300">"Put it into a header value (or the URL or body) of an HTTP action:"</p>
                    <pre class="overflow-x-auto rounded bg-white p-2 font-mono text-xs text-slate-900 dark:bg-slate-800 dark:text-slate-100">"Authorization: Bearer {{ secrets.API_TOKEN }}"</pre>
                </div>
            </div>
        </Card>
    }
}

#[component]
fn SecretsList(
    view: SecretsView,
    confirm_delete: RwSignal<Option<String>>,
    delete: Action<String, Result<SecretsView, ServerFnError>>,
) -> impl IntoView {
    let http_note = (!view.http_enabled).then(|| {
        view! {
            <p class="mb-2 rounded border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
               data-testid="secrets-http-off">
                "HTTP actions are off in Settings; secrets are used only by HTTP actions, once they are on."
            </p>
        }
    });
    if view.secrets.is_empty() {
        return view! {
            {http_note}
            <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="secrets-empty">"No secrets yet."</p>
        }
        .into_any();
    }
    let rows = view
        .secrets
        .into_iter()
        .map(|secret| {
            let name = secret.name.clone();
            let asking = {
                let name = name.clone();
                move || confirm_delete.with(|asked| asked.as_deref() == Some(name.as_str()))
            };
            let ask = {
                let name = name.clone();
                move |_| confirm_delete.set(Some(name.clone()))
            };
            let confirm = {
                let name = name.clone();
                move |_| {
                    confirm_delete.set(None);
                    delete.dispatch(name.clone());
                }
            };
            let not_asking = {
                let asking = asking.clone();
                move || !asking()
            };
            view! {
                <tr class="border-t border-slate-100 dark:border-slate-700" data-testid="secret-row" data-name=name.clone()>
                    <td class="py-1.5 pr-3 font-mono text-sm" data-testid="secret-row-name">{name.clone()}</td>
                    <td class="py-1.5 pr-3 font-mono text-sm text-slate-500 dark:text-slate-400" data-testid="secret-row-value">"••••"</td>
                    <td class="py-1.5 pr-3 text-xs text-slate-500 dark:text-slate-400">{secret.updated}</td>
                    <td class="py-1.5 text-right">
                        <Show when=not_asking.clone()>
                            <button type="button" data-testid="secret-delete" on:click=ask.clone()
                                    class="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700">
                                "Delete"
                            </button>
                        </Show>
                        <Show when=asking.clone()>
                            <span class="mr-2 text-xs">"Flows using it will fail."</span>
                            <button type="button" data-testid="secret-delete-confirm" on:click=confirm.clone()
                                    class="rounded bg-red-600 px-2 py-0.5 text-xs font-semibold text-white hover:bg-red-700">
                                "Delete"
                            </button>
                            <button type="button" data-testid="secret-delete-cancel" on:click=move |_| confirm_delete.set(None)
                                    class="ml-1 rounded border border-slate-300 px-2 py-0.5 text-xs dark:border-slate-600">
                                "Cancel"
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {http_note}
        <table class="w-full text-left" data-testid="secrets-table">
            <thead>
                <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <th class="pb-1 pr-3 font-semibold">"Name"</th>
                    <th class="pb-1 pr-3 font-semibold">"Value"</th>
                    <th class="pb-1 pr-3 font-semibold">"Updated"</th>
                    <th class="pb-1"></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
