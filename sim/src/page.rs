//! The workspace page: a Clockify-like shell that hosts add-on sidebar components in an iframe,
//! with a "Simulate" panel whose buttons fire webhook events (`POST /sim/webhooks/fire`).

use axum::{
    extract::{Query, State},
    response::{Html, Redirect},
    routing::get,
    Router,
};
use serde::Deserialize;

use crate::{
    addon::{join_url, Installation},
    html::{escape, query_encode},
    state::{AppState, Sim},
};

/// `GET /` and `GET /workspace`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/workspace") }))
        .route("/workspace", get(workspace_page))
}

/// Query of `GET /workspace`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Key of the add-on whose sidebar component to show.
    pub addon: Option<String>,
    /// `DARK` or `DEFAULT` (anything else counts as `DEFAULT`).
    pub theme: Option<String>,
}

/// `DARK` if asked for (any case), else `DEFAULT`.
pub fn normalize_theme(theme: Option<&str>) -> &'static str {
    match theme {
        Some(theme) if theme.eq_ignore_ascii_case("DARK") => "DARK",
        _ => "DEFAULT",
    }
}

async fn workspace_page(State(sim): State<AppState>, Query(query): Query<PageQuery>) -> Html<String> {
    Html(render(&sim, &query))
}

/// The address of the workspace page (with add-on `addon`'s sidebar component) in `theme`.
pub(crate) fn page_link(addon: Option<&str>, theme: &str) -> String {
    match addon {
        Some(key) => format!("/workspace?addon={}&theme={theme}", query_encode(key)),
        None => format!("/workspace?theme={theme}"),
    }
}

const CLOCKIFY_ENTRIES: [&str; 8] = [
    "Time tracker",
    "Calendar",
    "Reports",
    "Projects",
    "Team",
    "Clients",
    "Tags",
    "Settings",
];

/// Which screen a page shows: decides the sidebar highlight, where the theme toggle leads and
/// the window title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen<'a> {
    /// `/workspace`, with the sidebar component of an add-on if one is chosen.
    Workspace(Option<&'a str>),
    /// `/workspace/settings` of an add-on (`None` when none is chosen).
    Settings(Option<&'a str>),
}

impl Screen<'_> {
    /// The screen's own address in `theme`.
    fn link(self, theme: &str) -> String {
        match self {
            Screen::Workspace(addon) => page_link(addon, theme),
            Screen::Settings(addon) => settings_link(addon, theme),
        }
    }
}

/// The address of the settings screen of add-on `addon` in `theme`.
pub(crate) fn settings_link(addon: Option<&str>, theme: &str) -> String {
    match addon {
        Some(key) => format!("/workspace/settings?addon={}&theme={theme}", query_encode(key)),
        None => format!("/workspace/settings?theme={theme}"),
    }
}

/// Renders the page for `query`.
pub fn render(sim: &Sim, query: &PageQuery) -> String {
    let theme = normalize_theme(query.theme.as_deref());
    let installations = sim.installations();
    let selected = query.addon.as_deref();

    let main = match selected {
        Some(key) => match installations.iter().find(|i| i.key == key) {
            Some(installation) => addon_panel(sim, installation, theme).unwrap_or_else(|| {
                welcome(
                    sim,
                    &installations,
                    theme,
                    Some(&format!(
                        "{} has no sidebar component to show, or is inactive.",
                        installation.name
                    )),
                )
            }),
            None => welcome(
                sim,
                &installations,
                theme,
                Some(&format!("No add-on with key {key} is installed.")),
            ),
        },
        None => welcome(sim, &installations, theme, None),
    };
    frame(sim, &installations, theme, Screen::Workspace(selected), None, &main)
}

/// The sidebar: Clockify's own (inert) entries, then one row per active add-on with a link to
/// its sidebar component and, if it has structured settings, a small link to its settings.
fn sidebar(installations: &[Installation], theme: &str, screen: Screen<'_>) -> String {
    let mut sidebar = String::new();
    for entry in CLOCKIFY_ENTRIES {
        sidebar.push_str(&format!(
            r#"<span class="nav-item inert" aria-disabled="true"><span class="dot"></span>{}</span>"#,
            escape(entry)
        ));
    }
    sidebar.push_str(r#"<hr class="divider"><div class="nav-heading">Add-ons</div>"#);
    // Clockify hides the components of an inactive add-on.
    for installation in installations.iter().filter(|i| i.status == "ACTIVE") {
        let key = installation.key.as_str();
        let component = installation.sidebar();
        if component.is_none() && installation.settings.is_none() {
            continue;
        }
        let active = |on: bool| if on { " active" } else { "" };
        let entry = match component {
            Some(component) => format!(
                r#"<a class="nav-item addon-link{active}" data-addon-link="{key}" href="{href}"><span class="dot addon"></span>{label}</a>"#,
                active = active(screen == Screen::Workspace(Some(key))),
                key = escape(key),
                href = escape(&page_link(Some(key), theme)),
                label = escape(&component.label),
            ),
            None => format!(
                r#"<span class="nav-item addon-name"><span class="dot addon"></span>{}</span>"#,
                escape(&installation.name)
            ),
        };
        let settings = if installation.settings.is_some() {
            format!(
                r#"<a class="settings-link{active}" data-settings-link="{key}" href="{href}" title="{name} settings">Settings</a>"#,
                active = active(screen == Screen::Settings(Some(key))),
                key = escape(key),
                href = escape(&settings_link(Some(key), theme)),
                name = escape(&installation.name),
            )
        } else {
            String::new()
        };
        sidebar.push_str(&format!(
            r#"<div class="nav-row" data-addon-row="{}">{entry}{settings}</div>"#,
            escape(key)
        ));
    }
    if matches!(screen, Screen::Workspace(_)) {
        sidebar.push_str(&simulate_panel());
    }
    sidebar
}

/// The events the "Simulate" panel fires: `(event, button label)`.
pub const SIMULATED_EVENTS: [(&str, &str); 4] = [
    ("NEW_TIME_ENTRY", "Add time entry"),
    ("NEW_TIMER_STARTED", "Start timer"),
    ("NEW_PROJECT", "New project"),
    ("NEW_TAG", "New tag"),
];

/// What the page's buttons run: POST the event to `/sim/webhooks/fire`, then say how many
/// add-on webhooks it went to (and how many of those failed) in `#fire-result`.
const FIRE_SCRIPT: &str = r#"
document.querySelectorAll('[data-fire]').forEach(function (button) {
  button.addEventListener('click', async function () {
    var out = document.getElementById('fire-result');
    var event = button.getAttribute('data-fire');
    out.textContent = 'Sending ' + event + '…';
    out.removeAttribute('data-count');
    try {
      var response = await fetch('/sim/webhooks/fire', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: event })
      });
      var answer = await response.json();
      if (!response.ok) { out.textContent = answer.message || ('Failed: ' + response.status); return; }
      var count = answer.deliveries.length;
      var failed = answer.deliveries.filter(function (d) { return d.error; }).length;
      out.setAttribute('data-count', String(count));
      out.textContent = event + ': sent to ' + count + ' add-on webhook(s)' + (failed ? ', ' + failed + ' failed' : '');
    } catch (error) {
      out.textContent = 'Failed: ' + error;
    }
  });
});
"#;

/// The "Simulate" panel: one button per [`SIMULATED_EVENTS`] entry (`data-fire="<EVENT>"`) and
/// the outcome in `#fire-result`.
fn simulate_panel() -> String {
    let buttons: String = SIMULATED_EVENTS
        .iter()
        .map(|(event, label)| {
            format!(
                r#"<button type="button" class="fire-button" data-fire="{event}" title="Fire {event}">{label}</button>"#,
                event = escape(event),
                label = escape(label),
            )
        })
        .collect();
    format!(
        r#"<hr class="divider"><section class="simulate" id="simulate"><div class="nav-heading">Simulate</div><div class="fire-buttons">{buttons}</div><p class="fire-result" id="fire-result" role="status" aria-live="polite"></p></section><script>{FIRE_SCRIPT}</script>"#
    )
}

/// The Clockify-like page around `main`: top bar with the theme toggle, sidebar, main area.
/// `title` goes before the workspace name in the window title.
pub(crate) fn frame(
    sim: &Sim,
    installations: &[Installation],
    theme: &str,
    screen: Screen<'_>,
    title: Option<&str>,
    main: &str,
) -> String {
    let other_theme = if theme == "DARK" { "DEFAULT" } else { "DARK" };
    let toggle_label = if theme == "DARK" { "Light theme" } else { "Dark theme" };
    let sidebar = sidebar(installations, theme, screen);
    let window_title = match title {
        Some(title) => format!("{} · {}", escape(title), escape(&sim.workspace.name)),
        None => escape(&sim.workspace.name),
    };
    format!(
        r#"<!doctype html>
<html lang="en" data-theme="{theme}">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{window_title} · Clockify (simulated)</title>
<style>{css}</style>
</head>
<body class="theme-{theme_class}">
<header class="topbar">
  <a class="logo" href="{home}"><span class="logo-mark">◷</span>clockify</a>
  <span class="workspace-name" id="workspace-name">{workspace}</span>
  <span class="plan">{plan}</span>
  <span class="spacer"></span>
  <a class="theme-toggle" id="theme-toggle" data-theme-toggle="{other_theme}" href="{toggle_href}">{toggle_label}</a>
  <span class="avatar" title="{owner}">{initials}</span>
</header>
<div class="layout">
  <nav class="sidebar" id="sidebar">{sidebar}</nav>
  <main class="main" id="main">{main}</main>
</div>
<div class="toasts" id="toasts" aria-live="assertive"></div>
<script>{toast_script}</script>
</body>
</html>
"#,
        workspace = escape(&sim.workspace.name),
        css = CSS,
        toast_script = TOAST_SCRIPT,
        theme_class = if theme == "DARK" { "dark" } else { "light" },
        home = escape(&page_link(None, theme)),
        plan = escape(&sim.plan()),
        toggle_href = escape(&screen.link(other_theme)),
        owner = escape(&sim.workspace.owner().name),
        initials = escape(&initials(&sim.workspace.owner().name)),
    )
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .collect()
}

/// The iframe for the add-on's sidebar component, with a fresh owner token in the theme.
fn addon_panel(sim: &Sim, installation: &Installation, theme: &str) -> Option<String> {
    if installation.status != "ACTIVE" {
        return None;
    }
    let component = installation.sidebar()?;
    let owner = sim.workspace.owner();
    let token = sim.user_token(installation, &owner.id, &owner.role, theme);
    let url = join_url(&installation.base_url, &component.path);
    let separator = if url.contains('?') { '&' } else { '?' };
    let src = format!("{url}{separator}auth_token={}", query_encode(&token));
    Some(format!(
        r#"<div class="addon-header"><h1>{label}</h1>{name}</div>
<iframe id="addon-frame" name="addon-frame" data-addon="{key}" title="{label}" src="{src}"></iframe>"#,
        label = escape(&component.label),
        // The add-on's name only when the label does not already say it.
        name = if component.label == installation.name {
            String::new()
        } else {
            format!(r#"<span class="muted">{}</span>"#, escape(&installation.name))
        },
        key = escape(&installation.key),
        src = escape(&src),
    ))
}

fn welcome(sim: &Sim, installations: &[Installation], theme: &str, notice: Option<&str>) -> String {
    let notice = notice
        .map(|text| format!(r#"<p class="notice" id="notice">{}</p>"#, escape(text)))
        .unwrap_or_default();
    let list = if installations.is_empty() {
        r#"<p class="muted" id="no-addons">No add-ons installed yet. Install one with <code>POST /sim/install</code> or <code>--install &lt;manifest URL&gt;</code>.</p>"#.to_string()
    } else {
        let items: String = installations
            .iter()
            .map(|installation| {
                format!(
                    r#"<li data-addon="{key}"><a href="{href}"><strong>{name}</strong></a> <code>{key}</code> <span class="status status-{status_class}">{status}</span></li>"#,
                    key = escape(&installation.key),
                    href = escape(&page_link(Some(&installation.key), theme)),
                    name = escape(&installation.name),
                    status = escape(&installation.status),
                    status_class = escape(&installation.status.to_lowercase()),
                )
            })
            .collect();
        format!(r#"<ul class="addon-list" id="installed-addons">{items}</ul>"#)
    };
    format!(
        r#"<section class="panel" id="welcome"><h1>Welcome to {name}</h1>{notice}
<p>This is the local Clockify simulator. Pick an add-on in the sidebar to open it.</p>
<h2>Installed add-ons</h2>{list}</section>"#,
        name = escape(&sim.workspace.name),
    )
}

/// Clockify's `toastrPop` window message from the add-on's iframe shows a toast bottom-right
/// for eight seconds (payload `{ type: info|warning|success|error, message }`).
const TOAST_SCRIPT: &str = r#"
window.addEventListener("message", (event) => {
  const frame = document.getElementById("addon-frame");
  if (!frame || event.source !== frame.contentWindow) return;
  let data = event.data;
  if (typeof data === "string") { try { data = JSON.parse(data); } catch { return; } }
  if (!data || data.action !== "toastrPop" || !data.payload) return;
  const type = ["info", "warning", "success", "error"].includes(data.payload.type) ? data.payload.type : "info";
  const toast = document.createElement("div");
  toast.className = "toast toast-" + type;
  toast.setAttribute("role", "alert");
  toast.dataset.toast = type;
  toast.textContent = String(data.payload.message ?? "");
  document.getElementById("toasts").appendChild(toast);
  setTimeout(() => toast.remove(), 8000);
});
"#;

const CSS: &str = r#"
:root { --blue: #03A9F4; }
.toasts { position: fixed; right: 20px; bottom: 20px; display: flex; flex-direction: column; gap: 8px; z-index: 10; }
.toast { pointer-events: none; max-width: 380px; padding: 12px 16px; border-radius: 3px; color: #fff; box-shadow: 0 2px 8px rgba(0,0,0,.25); line-height: 1.4; }
.toast-error { background: #E53935; } .toast-warning { background: #F5A623; } .toast-success { background: #4CAF50; } .toast-info { background: var(--blue); }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 14px; }
body.theme-light { --bg: #F2F6F8; --surface: #FFFFFF; --text: #333333; --muted: #999999; --border: #C6D2D9; --hover: #E4EAEE; }
body.theme-dark { --bg: #1E2A33; --surface: #263540; --text: #E3E8EB; --muted: #8FA0AB; --border: #3A4B57; --hover: #2F414D; }
body { background: var(--bg); color: var(--text); display: flex; flex-direction: column; }
a { color: var(--blue); text-decoration: none; }
.topbar { height: 56px; display: flex; align-items: center; gap: 16px; padding: 0 20px; background: var(--surface); border-bottom: 1px solid var(--border); }
.logo { font-weight: 700; font-size: 20px; color: var(--blue); display: flex; align-items: center; gap: 6px; letter-spacing: -0.5px; }
.logo-mark { font-size: 22px; }
.workspace-name { font-weight: 600; }
.plan { font-size: 11px; color: var(--muted); border: 1px solid var(--border); border-radius: 3px; padding: 1px 6px; }
.spacer { flex: 1; }
.theme-toggle { border: 1px solid var(--blue); border-radius: 3px; padding: 5px 10px; }
.theme-toggle:hover { background: var(--blue); color: #fff; }
.avatar { width: 32px; height: 32px; border-radius: 50%; background: var(--blue); color: #fff; display: flex; align-items: center; justify-content: center; font-weight: 600; font-size: 12px; }
.layout { flex: 1; display: flex; min-height: 0; }
.sidebar { width: 220px; background: var(--surface); border-right: 1px solid var(--border); padding: 12px 0; overflow-y: auto; display: flex; flex-direction: column; }
.nav-item { display: flex; align-items: center; gap: 10px; padding: 9px 20px; color: var(--text); }
.nav-item.inert { color: var(--muted); cursor: default; }
.nav-item.addon-link:hover { background: var(--hover); }
.nav-item.active { background: var(--hover); border-left: 3px solid var(--blue); padding-left: 17px; font-weight: 600; }
.dot { width: 14px; height: 14px; border-radius: 3px; border: 2px solid var(--muted); flex: none; }
.dot.addon { border-color: var(--blue); background: var(--blue); }
.divider { border: 0; border-top: 1px solid var(--border); margin: 10px 0; width: 100%; }
.nav-heading { padding: 4px 20px; font-size: 11px; text-transform: uppercase; color: var(--muted); letter-spacing: 0.5px; }
.main { flex: 1; display: flex; flex-direction: column; padding: 20px; min-width: 0; }
.addon-header { display: flex; align-items: baseline; gap: 12px; margin-bottom: 12px; }
.addon-header h1 { font-size: 20px; font-weight: 400; margin: 0; }
.muted { color: var(--muted); }
#addon-frame { flex: 1; width: 100%; border: 1px solid var(--border); background: var(--surface); min-height: 480px; }
.panel { background: var(--surface); border: 1px solid var(--border); padding: 24px; max-width: 760px; }
.panel h1 { font-size: 22px; font-weight: 400; margin-top: 0; }
.panel h2 { font-size: 15px; margin-top: 24px; }
.notice { border-left: 3px solid #FF9800; padding: 8px 12px; background: var(--hover); }
.addon-list { padding-left: 18px; line-height: 1.9; }
.status { font-size: 11px; border-radius: 3px; padding: 1px 6px; color: #fff; background: #4CAF50; }
.status-inactive { background: #999999; }
.nav-row { display: flex; align-items: center; }
.nav-row .nav-item { flex: 1; min-width: 0; }
.settings-link { font-size: 11px; padding: 2px 6px; margin-right: 12px; border: 1px solid var(--border); border-radius: 3px; color: var(--muted); }
.settings-link:hover, .settings-link.active { color: var(--blue); border-color: var(--blue); }
.alert { border-left: 3px solid; padding: 8px 12px; margin: 12px 0; background: var(--hover); }
.alert-success { border-color: #4CAF50; }
.alert-warning { border-color: #FF9800; }
.alert-error { border-color: #F44336; color: var(--text); font-weight: 600; }
.settings-tab h2 { font-size: 17px; font-weight: 500; margin: 20px 0 8px; }
.settings-group { border-top: 1px solid var(--border); margin-top: 16px; padding-top: 4px; }
.settings-group h3 { font-size: 14px; text-transform: uppercase; letter-spacing: 0.5px; color: var(--muted); margin: 12px 0 8px; }
.settings-banner { background: rgba(3, 169, 244, 0.12); border-left: 3px solid var(--blue); padding: 8px 12px; }
.field { margin: 14px 0; display: flex; flex-direction: column; gap: 4px; max-width: 480px; }
.field label { font-weight: 500; }
.field input[type=text], .field input[type=number], .field select { font: inherit; padding: 7px 9px; border: 1px solid var(--border); border-radius: 3px; background: var(--surface); color: var(--text); }
.field select[multiple] { min-height: 120px; }
.field-checkbox .check { display: flex; align-items: center; gap: 8px; }
.field .help { margin: 0; font-size: 12px; color: var(--muted); }
.field-error { margin: 0; font-size: 12px; color: #F44336; }
[aria-invalid=true] { border-color: #F44336 !important; }
.form-actions { margin-top: 20px; }
.button { font: inherit; background: var(--blue); color: #fff; border: 0; border-radius: 3px; padding: 8px 18px; cursor: pointer; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.simulate { padding: 0 20px 12px; }
.simulate .nav-heading { padding: 4px 0 8px; }
.fire-buttons { display: flex; flex-direction: column; gap: 6px; }
.fire-button { font: inherit; text-align: left; background: transparent; color: var(--text); border: 1px solid var(--border); border-radius: 3px; padding: 6px 10px; cursor: pointer; }
.fire-button:hover { border-color: var(--blue); color: var(--blue); }
.fire-result { font-size: 12px; color: var(--muted); margin: 8px 0 0; min-height: 1em; }
"#;
