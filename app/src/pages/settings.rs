//! Settings: each setting's effective value and where it comes from
//! (built-in default < environment variable < workspace setting from Clockify).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{loaded, Card},
    session::SessionView,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveSetting {
    pub id: String,
    pub section: String,
    pub name: String,
    pub description: String,
    pub value: String,
    /// `default`, `environment` or `workspace`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: Vec<EffectiveSetting>,
    /// Problems of the last SETTINGS_UPDATED (their old values were kept).
    pub problems: Vec<String>,
}

#[server]
pub async fn effective_settings(session: String) -> Result<SettingsView, ServerFnError> {
    use addon_core::profile::find_profile;
    use serde_json::Value;

    use crate::backend::{authenticate, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = find_profile(&session.addon_key).ok_or_else(|| ServerFnError::new("unknown add-on"))?;
    let installation = backend
        .store
        .installation(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new(format!("{} is not installed in this workspace", profile.name)))?;
    let stored: Value = serde_json::from_str(&installation.settings).unwrap_or_default();
    let display = |value: &Value| match value {
        Value::String(text) => text.clone(),
        Value::Array(items) if items.len() > 6 => format!("{} selected", items.len()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let settings = profile
        .settings
        .iter()
        .map(|definition| {
            let workspace = stored.get("values").and_then(|values| values.get(definition.id));
            let environment = backend
                .setting_overrides
                .get(&(profile.key.to_string(), definition.id.to_string()));
            let (value, source) = match (workspace, environment) {
                (Some(value), _) => (value.clone(), "workspace"),
                (None, Some(value)) => (value.clone(), "environment"),
                (None, None) => (definition.default_value(), "default"),
            };
            EffectiveSetting {
                id: definition.id.to_string(),
                section: definition.section.to_string(),
                name: definition.name.to_string(),
                description: definition.description.to_string(),
                value: display(&value),
                source: source.to_string(),
            }
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

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let view_data = Resource::new(move || session.token.clone(), effective_settings);
    loaded(
        view_data,
        "Settings could not be loaded",
        |data| view! { <SettingsTable data/> },
    )
}

#[component]
fn SettingsTable(data: SettingsView) -> impl IntoView {
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
        .map(|setting| {
            view! {
                <tr class="border-t border-slate-100 align-top dark:border-slate-700" data-setting=setting.id.clone()>
                    <td class="py-2 pr-3 text-xs text-slate-500 dark:text-slate-400">{setting.section}</td>
                    <td class="py-2 pr-3 text-sm"><div class="font-medium">{setting.name}</div><div class="text-xs text-slate-500 dark:text-slate-400">{setting.description}</div></td>
                    <td class="py-2 pr-3 font-mono text-sm" data-testid="setting-value">{setting.value}</td>
                    <td class="py-2 text-xs" data-testid="setting-source">{setting.source}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Card title="Effective settings">
            {problems}
            <p class="mb-3 text-sm">"Workspace settings from Clockify win over environment variables, which win over the built-in defaults. Change them in Clockify's add-on settings."</p>
            <table class="w-full text-left">
                <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr><th class="pb-2">"Section"</th><th class="pb-2">"Setting"</th><th class="pb-2">"Value"</th><th class="pb-2">"Source"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Card>
    }
}
