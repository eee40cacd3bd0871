//! What the explorer's buttons do: pick an operation, check and send a call (asking for a
//! confirmation first for writes), fetch all pages one request at a time, copy as curl, and
//! run a history entry again.

use std::sync::Arc;

use addon_core::{
    explorer::{
        curl::curl_command,
        model::{ApiError, ExecuteRequest, HistoryItem},
        pager::PageWalk,
        policy::{check_runnable, needs_confirmation},
        prefill, prepare, FormValues, PreparedRequest,
    },
    openapi::{ApiSpec, Operation},
};
use leptos::{prelude::*, task::spawn_local};

use super::{browser, Explorer, FetchAll, Outcome, Pending, Phase};

fn operation(index: usize) -> &'static Operation {
    &ApiSpec::clockify().operations()[index]
}

/// Shows operation `index` with a fresh form (workspace and user from the session).
pub(crate) fn select(state: Explorer, index: usize) {
    let values = prefill(
        operation(index),
        &state.workspace_id.get_value(),
        &state.user_id.get_value(),
    );
    state.values.set(values);
    state.body.set(String::new());
    state.show_required.set(false);
    state.outcome.set(None);
    state.fetch_all.set(None);
    state.curl.set(None);
    state.selected.set(Some(index));
}

/// The form checked as the server will check it: the session's workspace forced in.
fn checked(state: Explorer, index: usize) -> Result<(FormValues, String, PreparedRequest), ApiError> {
    let operation = operation(index);
    let mut values = state.values.get_untracked();
    if operation.path_params().any(|name| name == "workspaceId") {
        values.insert("workspaceId".into(), state.workspace_id.get_value());
    }
    let body = state.body.get_untracked();
    state.show_required.set(true);
    let prepared = prepare(ApiSpec::clockify(), operation, &values, &body).map_err(|problems| ApiError {
        code: "invalid_parameters".into(),
        message: "Fix the fields marked below; nothing was sent.".into(),
        problems,
    })?;
    check_runnable(operation, state.profile)
        .map_err(|refusal| ApiError::new(refusal.code(), refusal.message(operation, state.profile)))?;
    Ok((values, body, prepared))
}

/// The exact request as the confirmation shows it.
fn request_text(state: Explorer, prepared: &PreparedRequest) -> String {
    let mut text = format!(
        "{} {}{}",
        prepared.method,
        state.base_url(prepared.server),
        prepared.path_and_query()
    );
    if let Some(body) = &prepared.body {
        text.push_str("\nContent-Type: application/json\n\n");
        text.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
    }
    text
}

/// The Execute button: checks the form, asks for a confirmation for writes, then sends.
pub(crate) fn execute(state: Explorer) {
    let Some(index) = state.selected.get_untracked() else {
        return;
    };
    let (values, body, prepared) = match checked(state, index) {
        Ok(checked) => checked,
        Err(error) => {
            state.outcome.set(Some(Outcome::Refused(error)));
            return;
        }
    };
    if needs_confirmation(operation(index)) {
        state.confirm.set(Some(Pending {
            operation: index,
            display: request_text(state, &prepared),
            values,
            body,
        }));
        return;
    }
    send(state, index, values, body, false);
}

/// The confirmation's "Send" button.
pub(crate) fn confirm(state: Explorer) {
    if let Some(pending) = state.confirm.get_untracked() {
        state.confirm.set(None);
        send(state, pending.operation, pending.values, pending.body, true);
    }
}

fn send(state: Explorer, index: usize, values: FormValues, body: String, confirmed: bool) {
    let request = ExecuteRequest {
        operation_id: operation(index).id.clone(),
        params: values,
        body: (!body.trim().is_empty()).then_some(body),
        confirmed,
        full: false,
    };
    state.running.set(true);
    state.fetch_all.set(None);
    state.outcome.set(None);
    spawn_local(async move {
        let outcome = match browser::execute(&state.addon.get_value(), &state.token.get_value(), &request).await {
            Ok(result) => Outcome::Answer {
                operation: index,
                result: Arc::new(result),
            },
            Err(error) => Outcome::Refused(error),
        };
        state.outcome.set(Some(outcome));
        state.running.set(false);
        state.history_version.update(|version| *version += 1);
    });
}

/// Runs the shown GET again with `full` and saves the whole answer as a file.
pub(crate) fn download_full(state: Explorer, index: usize, path_label: String) {
    let Ok((values, _, _)) = checked(state, index) else {
        return;
    };
    let request = ExecuteRequest {
        operation_id: operation(index).id.clone(),
        params: values,
        body: None,
        confirmed: false,
        full: true,
    };
    state.running.set(true);
    spawn_local(async move {
        match browser::execute(&state.addon.get_value(), &state.token.get_value(), &request).await {
            Ok(result) => {
                let text = match (&result.body, &result.body_text) {
                    (Some(body), _) => serde_json::to_string_pretty(body).unwrap_or_default(),
                    (None, Some(text)) => text.clone(),
                    (None, None) => String::new(),
                };
                let name = format!("{}.json", request.operation_id);
                if let Err(problem) = crate::browser::download(&name, "application/json", &text) {
                    state.outcome.set(Some(Outcome::Refused(ApiError::new(
                        "download",
                        format!("{path_label} could not be saved: {problem}"),
                    ))));
                }
            }
            Err(error) => state.outcome.set(Some(Outcome::Refused(error))),
        }
        state.running.set(false);
        state.history_version.update(|version| *version += 1);
    });
}

/// "Fetch all pages": one page per request through the execute endpoint, until `Last-Page`
/// (or an empty page), or until the user cancels.
pub(crate) fn fetch_all(state: Explorer) {
    let Some(index) = state.selected.get_untracked() else {
        return;
    };
    let (values, _, _) = match checked(state, index) {
        Ok(checked) => checked,
        Err(error) => {
            state.outcome.set(Some(Outcome::Refused(error)));
            return;
        }
    };
    let Some(mut walk) = PageWalk::start(operation(index), &values) else {
        return;
    };
    let operation_id = operation(index).id.clone();
    state.cancel_fetch.set(false);
    state.outcome.set(None);
    state.running.set(true);
    state.fetch_all.set(Some(FetchAll {
        operation: index,
        phase: Phase::Running,
        pages: 0,
        items: 0,
        page_size: walk.page_size(),
        merged: Arc::new(Vec::new()),
        message: None,
    }));
    spawn_local(async move {
        let (phase, message) = loop {
            if state.cancel_fetch.get_untracked() {
                break (Phase::Cancelled, Some("Cancelled by you.".to_string()));
            }
            let request = ExecuteRequest {
                operation_id: operation_id.clone(),
                params: walk.next_values(&values),
                body: None,
                confirmed: false,
                full: true,
            };
            match browser::execute(&state.addon.get_value(), &state.token.get_value(), &request).await {
                Ok(result) if result.is_success() => {
                    let body = result.body.clone().unwrap_or_default();
                    if let Err(problem) = walk.absorb(&body, result.last_page) {
                        break (Phase::Failed, Some(problem));
                    }
                    state.fetch_all.update(|progress| {
                        if let Some(progress) = progress {
                            progress.pages = walk.pages();
                            progress.items = walk.items().len();
                        }
                    });
                    if walk.is_finished() {
                        break (Phase::Done, None);
                    }
                }
                Ok(result) => {
                    let message = format!("Page {} failed: Clockify answered {}.", walk.pages() + 1, result.status);
                    state.outcome.set(Some(Outcome::Answer {
                        operation: index,
                        result: Arc::new(result),
                    }));
                    break (Phase::Failed, Some(message));
                }
                Err(error) => break (Phase::Failed, Some(error.to_string())),
            }
        };
        let pages = walk.pages();
        let merged = Arc::new(walk.into_items());
        state.fetch_all.update(|progress| {
            if let Some(progress) = progress {
                progress.phase = phase;
                progress.pages = pages;
                progress.items = merged.len();
                progress.merged = merged.clone();
                progress.message = message;
            }
        });
        state.running.set(false);
        state.history_version.update(|version| *version += 1);
    });
}

/// Shows the curl command of the form (or of `item`) and tries to copy it.
pub(crate) fn copy_curl(state: Explorer, item: Option<HistoryItem>) {
    let command = match item {
        Some(item) => {
            let server = ApiSpec::clockify()
                .operation(&item.operation_id)
                .map_or(addon_core::openapi::ApiServer::Api, |operation| operation.server);
            let url = format!("{}{}", state.base_url(server), item.path);
            curl_command(&item.method, &url, item.body.as_deref())
        }
        None => {
            let Some(index) = state.selected.get_untracked() else {
                return;
            };
            match checked(state, index) {
                Ok((_, _, prepared)) => prepared.to_curl(&state.base_url(prepared.server)),
                Err(error) if error.code == "invalid_parameters" => {
                    state.outcome.set(Some(Outcome::Refused(error)));
                    return;
                }
                // Not runnable here, but the command is still worth having.
                Err(_) => {
                    let values = state.values.get_untracked();
                    match prepare(
                        ApiSpec::clockify(),
                        operation(index),
                        &values,
                        &state.body.get_untracked(),
                    ) {
                        Ok(prepared) => prepared.to_curl(&state.base_url(prepared.server)),
                        Err(_) => return,
                    }
                }
            }
        }
    };
    state.curl.set(Some((command.clone(), false)));
    spawn_local(async move {
        let copied = crate::browser::copy_text(&command).await;
        state.curl.update(|shown| {
            if let Some((text, done)) = shown {
                if *text == command {
                    *done = copied;
                }
            }
        });
    });
}

/// A history entry's "Re-run": its operation and values back in the form, then Execute
/// (writes ask for the confirmation again).
pub(crate) fn rerun(state: Explorer, item: &HistoryItem) {
    let Some(index) = ApiSpec::clockify()
        .operations()
        .iter()
        .position(|operation| operation.id == item.operation_id)
    else {
        return;
    };
    select(state, index);
    state.values.set(item.params.clone());
    state.body.set(
        item.body
            .as_deref()
            .and_then(|body| serde_json::from_str::<serde_json::Value>(body).ok())
            .and_then(|body| serde_json::to_string_pretty(&body).ok())
            .unwrap_or_default(),
    );
    execute(state);
}
