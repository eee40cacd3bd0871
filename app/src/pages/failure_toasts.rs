//! Failed flow runs as toasts in Clockify: while an admin has the add-on open, the page takes
//! the alerts waiting for this workspace and asks Clockify to show each one through its
//! `toastrPop` window message (`{ action, payload: { type, message } }` posted to the top
//! window). The `failure_alert` setting decides whether alerts wait here at all.

use leptos::{prelude::*, task::spawn_local};

use crate::session::SessionView;

/// How often the page looks for new failures.
const POLL: std::time::Duration = std::time::Duration::from_secs(4);

/// Alerts taken per look; the rest wait for the next one.
#[cfg(feature = "ssr")]
const TOASTS_PER_POLL: i64 = 5;

/// Takes the workspace's waiting failure alerts (each is shown once) as toast messages.
#[server]
pub async fn take_failure_toasts(session: String) -> Result<Vec<String>, ServerFnError> {
    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let alerts = backend
        .store
        .take_failure_toasts(profile.key, &session.workspace_id, TOASTS_PER_POLL)
        .await
        .map_err(to_server_error)?;
    Ok(alerts.iter().map(|alert| alert.toast_message()).collect())
}

/// Invisible: polls for failure alerts and hands them to Clockify.
#[component]
pub fn FailureToasts(session: SessionView) -> impl IntoView {
    let token = StoredValue::new(session.token);
    let look = move || {
        spawn_local(async move {
            if let Ok(messages) = take_failure_toasts(token.get_value()).await {
                for message in messages {
                    show_in_clockify(&message);
                }
            }
        });
    };
    Effect::new(move |_| {
        look();
        let handle = set_interval_with_handle(look, POLL).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
}

/// Posts Clockify's `toastrPop` message to the top window.
#[cfg(feature = "hydrate")]
fn show_in_clockify(message: &str) {
    let payload = serde_json::json!({
        "action": "toastrPop",
        "payload": { "type": "error", "message": message },
    });
    if let Some(top) = web_sys::window().and_then(|window| window.top().ok().flatten()) {
        let _ = top.post_message(&wasm_bindgen::JsValue::from_str(&payload.to_string()), "*");
    }
}

#[cfg(not(feature = "hydrate"))]
fn show_in_clockify(_message: &str) {}
