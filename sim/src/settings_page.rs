//! Clockify's add-on settings screen: a form over an add-on's structured settings with their
//! current values. Saving stores the values and sends SETTINGS_UPDATED, like
//! `POST /sim/addons/{key}/settings` does.
//!
//! `GET /workspace/settings?addon=<key>&theme=DARK|DEFAULT` shows the screen;
//! `POST` to the same address (an HTML form) saves and redirects back with a notice.

use axum::{
    extract::{rejection::FormRejection, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
    Form, Router,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    addon::Installation,
    error::Result,
    html::{escape, query_encode},
    install,
    lifecycle::{self, Answer},
    page::{frame, normalize_theme, page_link, settings_link, Screen},
    settings::{self, array, is_multiple, is_read_only, text, FieldError},
    state::{AppState, Sim},
};

const EVENT: &str = "SETTINGS_UPDATED";

/// `GET` and `POST /workspace/settings`.
pub fn router() -> Router<AppState> {
    Router::new().route("/workspace/settings", get(show).post(save))
}

/// Query of `/workspace/settings`.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    /// Key of the add-on whose settings to show.
    pub addon: Option<String>,
    /// `DARK` or `DEFAULT` (anything else counts as `DEFAULT`).
    pub theme: Option<String>,
    /// Set by the redirect after a save: `ok`, `refused` or `unsent`.
    pub saved: Option<String>,
    /// The add-on's HTTP status for SETTINGS_UPDATED (after a save).
    pub status: Option<String>,
    /// The add-on's `code` when it refused (after a save).
    pub code: Option<String>,
    /// The add-on's `message` when it refused, or why nothing was delivered (after a save).
    pub message: Option<String>,
}

/// The alert at the top of the form (`id="settings-notice"`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    Success(String),
    Warning(String),
    Error(String),
}

impl Notice {
    fn html(&self) -> String {
        let (class, role, text) = match self {
            Notice::Success(text) => ("success", "status", text),
            Notice::Warning(text) => ("warning", "status", text),
            Notice::Error(text) => ("error", "alert", text),
        };
        format!(
            r#"<div class="alert alert-{class}" id="settings-notice" role="{role}">{}</div>"#,
            escape(text)
        )
    }
}

async fn show(State(sim): State<AppState>, Query(query): Query<SettingsQuery>) -> Response {
    let theme = normalize_theme(query.theme.as_deref());
    let view = View {
        notice: saved_notice(&query),
        ..View::default()
    };
    screen(&sim, theme, query.addon.as_deref(), view).into_response()
}

async fn save(
    State(sim): State<AppState>,
    Query(query): Query<SettingsQuery>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let theme = normalize_theme(query.theme.as_deref());
    let key = query.addon.as_deref();
    let Some((installation, current)) = key.and_then(|key| structured(&sim, key)) else {
        // Unknown add-on or no structured settings: the screen says which.
        return screen(&sim, theme, key, View::default()).into_response();
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let view = View {
                notice: Some(Notice::Error(format!(
                    "Nothing was saved: the form could not be read ({}).",
                    rejection.body_text()
                ))),
                ..View::default()
            };
            let (_, page) = screen(&sim, theme, key, view);
            return (StatusCode::BAD_REQUEST, page).into_response();
        }
    };
    let (updates, errors) = settings::from_form(&current, &form);
    if !errors.is_empty() {
        // Show what was entered where it converted; store and send nothing.
        let mut shown = current;
        settings::apply(&mut shown, &updates).ok();
        let view = View {
            shown: Some(shown),
            notice: Some(Notice::Error(format!(
                "Nothing was saved: {}.",
                errors
                    .iter()
                    .map(|error| error.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
            errors,
        };
        let (_, page) = screen(&sim, theme, key, view);
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let stored = match install::store_settings(&sim, &installation.key, &updates) {
        Ok(stored) => stored,
        Err(error) => {
            let status = error.status();
            let view = View {
                notice: Some(Notice::Error(format!("Nothing was saved: {error}."))),
                ..View::default()
            };
            let (_, page) = screen(&sim, theme, key, view);
            return (status, page).into_response();
        }
    };
    let outcome = install::deliver_settings_updated(&sim, &stored).await;
    Redirect::to(&saved_location(&stored.key, theme, outcome)).into_response()
}

/// The installation of `key` and its structured settings, if both exist.
fn structured(sim: &Sim, key: &str) -> Option<(Installation, Value)> {
    let installation = sim.installation(key)?;
    let settings = installation.settings.clone()?;
    Some((installation, settings))
}

/// Where to go after a save: back to the screen, with what the add-on answered.
fn saved_location(key: &str, theme: &str, outcome: Result<Option<Answer>>) -> String {
    let screen = settings_link(Some(key), theme);
    match outcome {
        Ok(Some(answer)) if answer.is_success() => format!("{screen}&saved=ok&status={}", answer.status),
        Ok(Some(answer)) => {
            let (code, message) = addon_error(&answer.body);
            let code = code
                .map(|code| format!("&code={}", query_encode(&code)))
                .unwrap_or_default();
            format!(
                "{screen}&saved=refused&status={}{code}&message={}",
                answer.status,
                query_encode(&message)
            )
        }
        unsent => {
            let report = lifecycle::report(EVENT, unsent);
            format!(
                "{screen}&saved=unsent&message={}",
                query_encode(report.error.as_deref().unwrap_or_default())
            )
        }
    }
}

/// The `code` and `message` of an add-on's error body `{"code", "message"}`; a body that is
/// not such JSON is the message itself (shortened).
fn addon_error(body: &str) -> (Option<String>, String) {
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        if let Some(message) = json.get("message").and_then(Value::as_str) {
            let code = match json.get("code") {
                Some(Value::String(code)) => Some(code.clone()),
                Some(Value::Number(code)) => Some(code.to_string()),
                _ => None,
            };
            return (code, message.to_string());
        }
    }
    const LIMIT: usize = 300;
    let body = body.trim();
    let mut message: String = body.chars().take(LIMIT).collect();
    if body.chars().count() > LIMIT {
        message.push('…');
    }
    (None, message)
}

/// The notice for a screen reached by the redirect after a save.
fn saved_notice(query: &SettingsQuery) -> Option<Notice> {
    let status = query.status.as_deref().unwrap_or("?");
    let message = query.message.as_deref().unwrap_or_default();
    Some(match query.saved.as_deref()? {
        "ok" => Notice::Success(format!("Saved. The add-on answered {status}.")),
        "refused" => {
            let answered = match query.code.as_deref() {
                Some(code) => format!("{status} {code}"),
                None => status.to_string(),
            };
            Notice::Error(if message.is_empty() {
                format!("Saved in Clockify, but the add-on refused the settings ({answered}).")
            } else {
                format!("Saved in Clockify, but the add-on refused the settings ({answered}): {message}")
            })
        }
        _ => Notice::Warning(format!("Saved. {EVENT} was not delivered: {message}.")),
    })
}

/// What the screen shows besides the stored settings.
#[derive(Debug, Default)]
struct View {
    /// Values to show instead of the stored ones (a form that did not convert).
    shown: Option<Value>,
    notice: Option<Notice>,
    /// Fields that did not convert.
    errors: Vec<FieldError>,
}

/// The whole page; 404 when the add-on is unknown.
fn screen(sim: &Sim, theme: &str, key: Option<&str>, view: View) -> (StatusCode, Html<String>) {
    let installations = sim.installations();
    let installation = key.and_then(|key| installations.iter().find(|i| i.key == key));
    let (status, title, main) = match (key, installation) {
        (None, _) => (
            StatusCode::NOT_FOUND,
            None,
            missing("No add-on chosen: open one's Settings link in the sidebar."),
        ),
        (Some(key), None) => (
            StatusCode::NOT_FOUND,
            None,
            missing(&format!("No add-on with key {key} is installed.")),
        ),
        (Some(_), Some(installation)) => (
            StatusCode::OK,
            Some(format!("{} settings", installation.name)),
            settings_panel(sim, installation, theme, view),
        ),
    };
    let page = frame(
        sim,
        &installations,
        theme,
        Screen::Settings(key),
        title.as_deref(),
        &main,
    );
    (status, Html(page))
}

fn missing(text: &str) -> String {
    format!(
        r#"<section class="panel" id="settings-screen"><h1>Add-on settings</h1>{}</section>"#,
        Notice::Warning(text.to_string()).html()
    )
}

fn settings_panel(sim: &Sim, installation: &Installation, theme: &str, view: View) -> String {
    let name = escape(&installation.name);
    let mut notes = String::new();
    if installation.status != "ACTIVE" {
        notes.push_str(&format!(
            r#"<p class="muted" id="inactive-note">{name} is {}.</p>"#,
            escape(&installation.status)
        ));
    }
    if let Some(component) = installation.sidebar() {
        notes.push_str(&format!(
            r#"<p class="muted"><a href="{href}">Open {label}</a></p>"#,
            href = escape(&page_link(Some(&installation.key), theme)),
            label = escape(&component.label),
        ));
    }
    let notice = view.notice.as_ref().map(Notice::html).unwrap_or_default();
    let Some(settings) = view.shown.as_ref().or(installation.settings.as_ref()) else {
        let text = match installation.manifest.get("settings").and_then(Value::as_str) {
            Some(path) => format!("{} hosts its own settings page ({path}).", installation.name),
            None => format!("{} has no settings.", installation.name),
        };
        return format!(
            r#"<section class="panel" id="settings-screen"><h1>{name} settings</h1>{notes}{notice}<p class="muted" id="no-settings">{}</p></section>"#,
            escape(&text)
        );
    };
    format!(
        r#"<section class="panel" id="settings-screen"><h1>{name} settings</h1>{notes}{notice}
<form id="addon-settings" class="settings-form" data-addon="{key}" method="post" action="{action}">
{fields}
<div class="form-actions"><button type="submit" id="save-settings" class="button">Save</button></div>
</form></section>"#,
        key = escape(&installation.key),
        action = escape(&settings_link(Some(&installation.key), theme)),
        fields = fields(sim, settings, &view.errors),
    )
}

/// Every tab (heading, banner, its own settings, then its groups with their headings).
fn fields(sim: &Sim, settings: &Value, errors: &[FieldError]) -> String {
    let mut out = String::new();
    let mut index = 0;
    let mut render = |out: &mut String, setting: &Value| {
        index += 1;
        let error = errors
            .iter()
            .find(|error| error.id == text(setting, "id"))
            .map(|error| error.message.as_str());
        out.push_str(&field(sim, setting, index, error));
    };
    for tab in array(settings, "tabs") {
        out.push_str(&format!(
            r#"<section class="settings-tab" data-tab="{}"><h2>{}</h2>{}"#,
            escape(text(tab, "id")),
            escape(text(tab, "name")),
            banner(tab)
        ));
        for setting in array(tab, "settings") {
            render(&mut out, setting);
        }
        for group in array(tab, "groups") {
            let description = text(group, "description");
            out.push_str(&format!(
                r#"<section class="settings-group" data-group="{}"><h3>{}</h3>{}{}"#,
                escape(text(group, "id")),
                escape(text(group, "title")),
                if description.is_empty() {
                    String::new()
                } else {
                    format!(r#"<p class="help">{}</p>"#, escape(description))
                },
                banner(group)
            ));
            for setting in array(group, "settings") {
                render(&mut out, setting);
            }
            out.push_str("</section>");
        }
        out.push_str("</section>");
    }
    out
}

/// The blue banner of a tab or group (`header.title`), if any.
fn banner(parent: &Value) -> String {
    match parent.get("header").map(|header| text(header, "title")) {
        Some(title) if !title.is_empty() => {
            format!(r#"<p class="settings-banner">{}</p>"#, escape(title))
        }
        _ => String::new(),
    }
}

/// A value as the text a form field holds.
fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One labelled field; `index` makes the element ids unique.
fn field(sim: &Sim, setting: &Value, index: usize, error: Option<&str>) -> String {
    let id = escape(text(setting, "id"));
    let kind = text(setting, "type");
    let value = setting.get("value").unwrap_or(&Value::Null);
    let read_only = is_read_only(setting);
    let required = setting.get("required").and_then(Value::as_bool).unwrap_or(false);
    let dom_id = format!("setting-{index}");
    let description = text(setting, "description");
    let help = if description.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="help" id="{dom_id}-help">{}</p>"#, escape(description))
    };
    let error_html = error
        .map(|message| format!(r#"<p class="field-error" id="{dom_id}-error">{}</p>"#, escape(message)))
        .unwrap_or_default();
    let described: Vec<String> = [
        (!description.is_empty()).then(|| format!("{dom_id}-help")),
        error.map(|_| format!("{dom_id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut common = format!(r#"id="{dom_id}" name="{id}" data-setting="{id}""#);
    if !described.is_empty() {
        common.push_str(&format!(r#" aria-describedby="{}""#, described.join(" ")));
    }
    if error.is_some() {
        common.push_str(r#" aria-invalid="true""#);
    }
    let flag = |on: bool, attribute: &str| if on { format!(" {attribute}") } else { String::new() };
    let placeholder = match text(setting, "placeholder") {
        "" => String::new(),
        placeholder => format!(r#" placeholder="{}""#, escape(placeholder)),
    };
    let label = format!(r#"<label for="{dom_id}">{}</label>"#, escape(text(setting, "name")));
    let wrap = |class: &str, inner: String| {
        format!(r#"<div class="field {class}" data-field="{id}">{inner}{help}{error_html}</div>"#)
    };
    match kind {
        "CHECKBOX" => {
            let checked = matches!(value, Value::Bool(true)) || value.as_str() == Some("true");
            wrap(
                "field-checkbox",
                format!(
                    r#"<span class="check"><input type="checkbox" {common} value="true"{checked}{disabled}>{label}</span>"#,
                    checked = flag(checked, "checked"),
                    disabled = flag(read_only, "disabled"),
                ),
            )
        }
        "DROPDOWN_SINGLE" | "USER_DROPDOWN_SINGLE" | "DROPDOWN_MULTIPLE" | "USER_DROPDOWN_MULTIPLE" => {
            let multiple = is_multiple(kind);
            let selected: Vec<String> = match value {
                Value::Array(values) => values.iter().map(display).collect(),
                value => vec![display(value)],
            };
            let mut options: Vec<(String, String)> = if kind.starts_with("USER_") {
                sim.workspace
                    .users
                    .iter()
                    .map(|user| (user.id.clone(), user.name.clone()))
                    .collect()
            } else {
                array(setting, "allowedValues")
                    .iter()
                    .map(|option| (display(option), display(option)))
                    .collect()
            };
            // A current value that is not among the options stays visible (and selected), so
            // saving does not silently change it.
            // A single select without such an entry would show (and save) its first option.
            let unknown: Vec<&String> = selected
                .iter()
                .filter(|value| !options.iter().any(|(option, _)| option == *value))
                .filter(|value| !(multiple && value.is_empty()))
                .collect();
            for (position, value) in unknown.into_iter().enumerate() {
                let label = if value.is_empty() {
                    "—".to_string()
                } else {
                    value.clone()
                };
                options.insert(position, (value.clone(), label));
            }
            let options: String = options
                .iter()
                .map(|(option, label)| {
                    format!(
                        r#"<option value="{}"{}>{}</option>"#,
                        escape(option),
                        flag(selected.contains(option), "selected"),
                        escape(label)
                    )
                })
                .collect();
            wrap(
                if multiple { "field-multiple" } else { "field-select" },
                format!(
                    r#"{label}<select {common}{multiple}{required}{disabled}>{options}</select>"#,
                    multiple = flag(multiple, "multiple"),
                    required = flag(required && !multiple, "required"),
                    disabled = flag(read_only, "disabled"),
                ),
            )
        }
        _ => {
            let input_type = if kind == "NUMBER" {
                r#"number" step="any"#
            } else {
                "text"
            };
            wrap(
                if kind == "NUMBER" { "field-number" } else { "field-text" },
                format!(
                    r#"{label}<input type="{input_type}" {common} value="{value}"{placeholder}{required}{readonly}>"#,
                    value = escape(&display(value)),
                    required = flag(required, "required"),
                    readonly = flag(read_only, "readonly"),
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_add_on_error_body() {
        assert_eq!(
            addon_error(r#"{"code":"invalid_settings","message":"x must be between 1 and 50"}"#),
            (
                Some("invalid_settings".to_string()),
                "x must be between 1 and 50".to_string()
            )
        );
        assert_eq!(addon_error(" nope \n"), (None, "nope".to_string()));
        let (_, long) = addon_error(&"y".repeat(400));
        assert_eq!(long.chars().count(), 301);
    }

    #[test]
    fn saved_notices_say_what_the_add_on_answered() {
        let query = |saved: &str, status: Option<&str>, message: Option<&str>| SettingsQuery {
            saved: Some(saved.into()),
            status: status.map(str::to_string),
            message: message.map(str::to_string),
            ..SettingsQuery::default()
        };
        assert_eq!(
            saved_notice(&query("ok", Some("200"), None)),
            Some(Notice::Success("Saved. The add-on answered 200.".into()))
        );
        assert!(matches!(
            saved_notice(&query("refused", Some("400"), Some("too big"))),
            Some(Notice::Error(text)) if text.ends_with("(400): too big")
        ));
        assert!(matches!(
            saved_notice(&query("unsent", None, Some("unreachable"))),
            Some(Notice::Warning(_))
        ));
        assert_eq!(saved_notice(&SettingsQuery::default()), None);
    }
}
