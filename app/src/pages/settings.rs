//! Settings: each setting's effective value and where it comes from (built-in default <
//! environment variable < workspace setting from Clockify), and a form that saves changes in
//! Clockify, so Clockify's settings screen and this page always agree. The browser checks each
//! value with the same core code the server uses.

use std::collections::BTreeMap;

use addon_core::{
    profile::find_profile,
    settings::{SettingDefinition, SettingKind},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    components::{loaded, Card},
    session::{error_message, SessionView},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveSetting {
    pub id: String,
    pub value: Value,
    /// `default`, `environment` or `workspace`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: Vec<EffectiveSetting>,
    /// Problems of the last SETTINGS_UPDATED (their old values were kept).
    pub problems: Vec<String>,
}

#[server]
pub async fn effective_settings(session: String) -> Result<SettingsView, ServerFnError> {
    use addon_core::settings::EffectiveSettings;

    use crate::backend::{authenticate, session_installation, session_profile};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let installation = session_installation(&backend, &session).await?;
    let stored: Value = serde_json::from_str(&installation.settings).unwrap_or_default();
    let settings = EffectiveSettings::resolve(
        profile.key,
        profile.settings,
        &installation.settings,
        &backend.setting_overrides,
    )
    .iter()
    .map(|(definition, value, source)| EffectiveSetting {
        id: definition.id.to_string(),
        value: value.clone(),
        source: source.as_str().to_string(),
    })
    .collect();
    let problems = stored
        .get("problems")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    Ok(SettingsView { settings, problems })
}

/// Validates the changed values (a JSON object of setting id to value) and saves them in
/// Clockify, which stores them and sends SETTINGS_UPDATED; they are applied here at once too.
#[server]
pub async fn save_settings(session: String, changes: String) -> Result<usize, ServerFnError> {
    use addon_core::lifecycle::{apply_setting_values, now_millis};

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let changes: BTreeMap<String, Value> =
        serde_json::from_str(&changes).map_err(|_| ServerFnError::new("the changes are not a JSON object"))?;
    let mut valid = Vec::with_capacity(changes.len());
    let mut problems = Vec::new();
    for (id, value) in changes {
        match profile.settings.iter().find(|definition| definition.id == id) {
            Some(definition) => match definition.validate(&value) {
                Ok(value) => valid.push((id, value)),
                Err(problem) => problems.push(problem),
            },
            None => problems.push(format!("there is no setting {id:?}")),
        }
    }
    if !problems.is_empty() {
        return Err(ServerFnError::new(problems.join("; ")));
    }
    let installation = session_installation(&backend, &session).await?;
    let client = backend.bootstrap.client(&installation).map_err(to_server_error)?;
    client
        .patch_addon_settings(&session.workspace_id, &valid)
        .await
        .map_err(|error| {
            ServerFnError::new(format!(
                "Clockify did not save the settings: {}",
                error.public_message()
            ))
        })?;
    let (document, _) = apply_setting_values(profile, &installation.settings, &valid);
    backend
        .store
        .save_settings(profile.key, &session.workspace_id, &document, now_millis())
        .await
        .map_err(to_server_error)?;
    backend.flows.forget_workspace(profile.key, &session.workspace_id);
    backend
        .bootstrap
        .apply_settings(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    Ok(valid.len())
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let save = ServerAction::<SaveSettings>::new();
    let token = session.token.clone();
    let view_data = Resource::new(
        move || (token.clone(), save.version().get()),
        |(token, _)| effective_settings(token),
    );
    loaded(view_data, "Settings could not be loaded", move |data| {
        view! { <SettingsForm data save/> }
    })
}

/// How a value shows in a text field.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[component]
fn SettingsForm(data: SettingsView, save: ServerAction<SaveSettings>) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let definitions: &'static [SettingDefinition] = find_profile(&session.addon_key).map_or(&[], |p| p.settings);
    // Edited values by setting id; only these are sent.
    let edits = RwSignal::new(BTreeMap::<String, Value>::new());
    let errors = move || {
        edits.with(|edits| {
            edits
                .iter()
                .filter_map(|(id, value)| {
                    let definition = definitions.iter().find(|d| d.id == id)?;
                    definition.validate(value).err().map(|problem| (id.clone(), problem))
                })
                .collect::<BTreeMap<_, _>>()
        })
    };
    let can_save = move || !edits.with(BTreeMap::is_empty) && errors().is_empty() && !save.pending().get();
    let token = session.token.clone();
    let submit = move |_| {
        let changes = serde_json::to_string(&edits.get_untracked()).unwrap_or_default();
        save.dispatch(SaveSettings {
            session: token.clone(),
            changes,
        });
    };
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            edits.set(BTreeMap::new());
        }
    });
    let problems = (!data.problems.is_empty()).then(|| {
        view! {
            <div role="alert" class="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
                <p class="font-semibold">"Clockify sent values we could not use; the previous values are still in effect:"</p>
                <ul class="list-disc pl-5">{data.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let rows = data
        .settings
        .into_iter()
        .filter_map(|setting| {
            let definition = definitions.iter().find(|d| d.id == setting.id)?;
            let id = setting.id.clone();
            let error = move || errors().get(&id).cloned();
            Some(view! {
                <tr class="border-t border-slate-100 align-top dark:border-slate-700" data-setting=setting.id.clone()>
                    <td class="py-2 pr-3 text-xs text-slate-500 dark:text-slate-400">{definition.section}</td>
                    <td class="py-2 pr-3 text-sm">
                        <div class="font-medium">{definition.name}</div>
                        <div class="text-xs text-slate-500 dark:text-slate-400">{definition.description}</div>
                    </td>
                    <td class="py-2 pr-3 text-sm">
                        <SettingInput definition current=setting.value.clone() edits/>
                        <p class="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="setting-error">{error}</p>
                    </td>
                    <td class="py-2 text-xs" data-testid="setting-source">{setting.source}</td>
                </tr>
            })
        })
        .collect_view();
    let outcome = move || {
        match save.value().get() {
        Some(Ok(count)) => Some(view! {
            <span data-testid="save-outcome" class="text-sm text-emerald-700 dark:text-emerald-300">{format!("Saved {count} setting(s) in Clockify.")}</span>
        }.into_any()),
        Some(Err(error)) => Some(view! {
            <span data-testid="save-outcome" role="alert" class="text-sm text-red-700 dark:text-red-300">{error_message(&error)}</span>
        }.into_any()),
        None => None,
    }
    };
    view! {
        <Card title="Settings">
            {problems}
            <p class="mb-3 text-sm">"Workspace settings saved here or in Clockify win over environment variables, which win over the built-in defaults."</p>
            <table class="w-full text-left">
                <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr><th class="pb-2">"Section"</th><th class="pb-2">"Setting"</th><th class="pb-2">"Value"</th><th class="pb-2">"Source"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="mt-4 flex items-center gap-3">
                <button id="save-settings" on:click=submit disabled=move || !can_save()
                    class="rounded bg-[#03a9f4] px-4 py-2 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:cursor-not-allowed disabled:opacity-50">
                    {move || if save.pending().get() { "Saving…" } else { "Save in Clockify" }}
                </button>
                {outcome}
            </div>
        </Card>
    }
}

/// One field, by the setting's Clockify type; edits go into `edits`.
#[component]
fn SettingInput(
    definition: &'static SettingDefinition,
    current: Value,
    edits: RwSignal<BTreeMap<String, Value>>,
) -> impl IntoView {
    let id = definition.id;
    let initial = current.clone();
    // A stored value keeps the closure `Copy`, so every handler below can use it.
    let current = StoredValue::new(current);
    let value = move || {
        edits
            .with(|edits| edits.get(id).cloned())
            .unwrap_or_else(|| current.get_value())
    };
    let set = move |new: Value| {
        edits.update(|edits| {
            edits.insert(id.to_string(), new);
        })
    };
    let input_class = "w-full max-w-xs rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900";
    match definition.kind {
        SettingKind::Checkbox => view! {
            <input type="checkbox" name=id data-testid="setting-input" class="h-4 w-4 accent-[#03a9f4]"
                checked=initial.as_bool().unwrap_or(false)
                prop:checked=move || value().as_bool().unwrap_or(false)
                on:change=move |event| set(Value::Bool(event_target_checked(&event)))/>
        }
        .into_any(),
        SettingKind::DropdownSingle => {
            let options = definition.options.values();
            let initial = as_text(&initial);
            view! {
                <select name=id data-testid="setting-input" class=input_class
                    prop:value=move || as_text(&value())
                    on:change=move |event| set(Value::String(event_target_value(&event)))>
                    {options.into_iter().map(|option| view! { <option value=option selected=option == initial>{option}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        SettingKind::DropdownMultiple => {
            let options = definition.options.values();
            let selected = move || value().as_array().map(|items| items.len()).unwrap_or(0);
            view! {
                <details data-testid="setting-input">
                    <summary class="cursor-pointer text-sm">{move || format!("{} of {} selected", selected(), options.len())}</summary>
                    <div class="mt-2 grid max-h-48 grid-cols-1 gap-1 overflow-y-auto md:grid-cols-2">
                        {definition.options.values().into_iter().map(move |option| {
                            let checked = move || value().as_array().is_some_and(|items| items.iter().any(|item| item == option));
                            let toggle = move |event: leptos::ev::Event| {
                                let on = event_target_checked(&event);
                                let mut items: Vec<Value> = value().as_array().cloned().unwrap_or_default();
                                items.retain(|item| item != option);
                                if on {
                                    items.push(Value::String(option.to_string()));
                                }
                                set(Value::Array(items));
                            };
                            view! {
                                <label class="flex items-center gap-1 font-mono text-xs">
                                    <input type="checkbox" value=option prop:checked=checked on:change=toggle/>{option}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </details>
            }
            .into_any()
        }
        SettingKind::Number | SettingKind::Text | SettingKind::Link => view! {
            <input type=if definition.kind == SettingKind::Number { "number" } else { "text" } name=id
                data-testid="setting-input" class=input_class
                value=as_text(&initial)
                prop:value=move || as_text(&value())
                on:input=move |event| set(Value::String(event_target_value(&event)))/>
        }
        .into_any(),
    }
}
