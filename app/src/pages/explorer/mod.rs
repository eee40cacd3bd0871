//! Explorer: every operation of Clockify's OpenAPI spec for workspace admins. The operation
//! list (grouped by tag, instant ranked search in the browser), a form generated from the
//! spec, and the calls, which run on the server for the session's workspace through
//! `POST /{addon}/explorer/execute` (the same endpoint any HTTP client gets, with the same
//! rules), never with the installation token in the browser. Fetch all pages, JSON and CSV
//! exports, and the user's history with re-run, copy as curl and "make a flow action".
//! Spec text is always rendered as text, never as HTML.

mod actions;
mod browser;
mod history;
mod json;
mod list;
mod operation;
mod response;

use std::sync::Arc;

use addon_core::{
    explorer::{ApiError, ExecuteResult, FormValues, HistoryItem},
    openapi::ApiServer,
    profile::{find_profile, Profile, API_STUDIO},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::{
    history::HistoryPanel,
    list::OperationList,
    operation::{CurlBox, OperationPanel},
    response::{ConfirmDialog, ResultPanel},
};
use crate::session::SessionView;

/// Past calls shown in the history panel.
pub const HISTORY_SHOWN: i64 = 50;

/// One history entry with its time formatted on the server (so both renders agree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub item: HistoryItem,
    pub time: String,
}

/// The user's history and the API base URLs (not secret) for "copy as curl".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub rows: Vec<HistoryRow>,
    pub backend_url: String,
    pub reports_url: Option<String>,
}

/// The session user's latest explorer calls, newest first.
#[server]
pub async fn explorer_history(session: String) -> Result<HistoryView, ServerFnError> {
    use addon_core::claims::is_admin_role;

    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    if !is_admin_role(session.workspace_role.as_deref()) {
        return Err(ServerFnError::new("the API explorer is for workspace admins"));
    }
    let profile = session_profile(&session)?;
    let installation = session_installation(&backend, &session).await?;
    let calls = backend
        .store
        .explorer_history(profile.key, &session.workspace_id, &session.user_id, HISTORY_SHOWN)
        .await
        .map_err(to_server_error)?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let rows = calls
        .into_iter()
        .map(|call| HistoryRow {
            time: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(call.created_at) * 1_000_000)
                .ok()
                .and_then(|moment| moment.format(&format).ok())
                .unwrap_or_default(),
            item: HistoryItem {
                params: serde_json::from_str(&call.params).unwrap_or_default(),
                status: call.status.and_then(|status| u16::try_from(status).ok()),
                duration_ms: u64::try_from(call.duration_ms).unwrap_or_default(),
                id: call.id,
                operation_id: call.operation_id,
                method: call.method,
                path: call.path,
                body: call.body,
                error: call.error,
                at: call.created_at,
            },
        })
        .collect();
    let base = backend.clockify_api_base_url.clone();
    Ok(HistoryView {
        rows,
        backend_url: base.clone().unwrap_or(installation.backend_url),
        reports_url: base.or(installation.reports_url),
    })
}

/// The last thing a call produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Clockify answered (any status).
    Answer {
        operation: usize,
        result: Arc<ExecuteResult>,
    },
    /// The explorer refused, or the form has problems, or nothing answered.
    Refused(ApiError),
}

/// A write waiting for the user's confirmation: the exact request, as shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pending {
    pub operation: usize,
    pub values: FormValues,
    pub body: String,
    pub display: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Running,
    Done,
    Cancelled,
    Failed,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Cancelled => "cancelled",
            Phase::Failed => "failed",
        }
    }
}

/// Progress and result of "fetch all pages".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FetchAll {
    pub operation: usize,
    pub phase: Phase,
    pub pages: u32,
    pub items: usize,
    pub page_size: u32,
    /// Every item, once the walk ended (also when cancelled or failed).
    pub merged: Arc<Vec<Value>>,
    pub message: Option<String>,
}

/// The page's state, shared by its parts through context.
#[derive(Clone, Copy)]
pub(crate) struct Explorer {
    pub profile: &'static Profile,
    pub addon: StoredValue<String>,
    pub token: StoredValue<String>,
    pub auth_token: StoredValue<String>,
    pub workspace_id: StoredValue<String>,
    pub user_id: StoredValue<String>,
    pub query: RwSignal<String>,
    pub hits: RwSignal<Vec<usize>>,
    pub hit_count: RwSignal<usize>,
    pub search_ms: RwSignal<f64>,
    pub selected: RwSignal<Option<usize>>,
    pub values: RwSignal<FormValues>,
    pub body: RwSignal<String>,
    /// Show "is required" once the user tried to send.
    pub show_required: RwSignal<bool>,
    pub running: RwSignal<bool>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub confirm: RwSignal<Option<Pending>>,
    pub fetch_all: RwSignal<Option<FetchAll>>,
    pub cancel_fetch: RwSignal<bool>,
    pub history_version: RwSignal<u32>,
    pub history: Resource<Result<HistoryView, ServerFnError>>,
    /// A curl command shown for copying, and whether the clipboard took it.
    pub curl: RwSignal<Option<(String, bool)>>,
}

impl Explorer {
    /// The base URL of `server` for curl and the confirmation (from the history's answer).
    pub fn base_url(&self, server: ApiServer) -> String {
        let known = self.history.get_untracked().and_then(Result::ok);
        match (server, known) {
            (ApiServer::Reports, Some(view)) => view.reports_url.unwrap_or(view.backend_url),
            (_, Some(view)) => view.backend_url,
            (ApiServer::Reports, None) => "https://reports.api.clockify.me".into(),
            (_, None) => "https://api.clockify.me/api".into(),
        }
    }
}

#[component]
pub fn ExplorerPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let auth_token = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("auth_token")
        .unwrap_or_default();
    let history_version = RwSignal::new(0u32);
    let token = session.token.clone();
    let history = Resource::new(
        move || (token.clone(), history_version.get()),
        |(token, _)| explorer_history(token),
    );
    let state = Explorer {
        profile: find_profile(&session.addon_key).unwrap_or(&API_STUDIO),
        addon: StoredValue::new(session.addon_key.clone()),
        token: StoredValue::new(session.token.clone()),
        auth_token: StoredValue::new(auth_token),
        workspace_id: StoredValue::new(session.workspace_id.clone()),
        user_id: StoredValue::new(session.user_id.clone()),
        query: RwSignal::new(String::new()),
        hits: RwSignal::new(Vec::new()),
        hit_count: RwSignal::new(0),
        search_ms: RwSignal::new(0.0),
        selected: RwSignal::new(None),
        values: RwSignal::new(FormValues::new()),
        body: RwSignal::new(String::new()),
        show_required: RwSignal::new(false),
        running: RwSignal::new(false),
        outcome: RwSignal::new(None),
        confirm: RwSignal::new(None),
        fetch_all: RwSignal::new(None),
        cancel_fetch: RwSignal::new(false),
        history_version,
        history,
        curl: RwSignal::new(None),
    };
    provide_context(state);
    // Building the search index parses the spec once; after hydration the page is ready.
    let _ = addon_core::explorer::SearchIndex::clockify();
    let ready = RwSignal::new(false);
    let ready_ms = RwSignal::new(0.0);
    Effect::new(move |_| {
        ready_ms.set(browser::now_ms());
        ready.set(true);
    });
    view! {
        <div data-testid="explorer" data-explorer-ready=move || ready.get().to_string()
             data-ready-ms=move || format!("{:.0}", ready_ms.get())
             class="grid gap-4 md:grid-cols-[300px_minmax(0,1fr)]">
            <OperationList/>
            <div class="flex min-w-0 flex-col gap-4">
                <OperationPanel/>
                <CurlBox/>
                <ResultPanel/>
                <HistoryPanel/>
            </div>
            <ConfirmDialog/>
        </div>
    }
    .into_any()
}

/// A method as a coloured badge.
#[component]
pub(crate) fn MethodBadge(#[prop(into)] method: String) -> impl IntoView {
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

/// The link to the flow builder with a step made from this request.
pub(crate) fn flow_action_href(state: &Explorer, operation_id: &str, params: &FormValues, body: &str) -> String {
    use addon_core::explorer::{form::encode_query_component, model::ActionDraft};

    let draft = ActionDraft {
        operation_id: operation_id.to_string(),
        params: params.clone(),
        body: serde_json::from_str(body).ok(),
    };
    let json = serde_json::to_string(&draft).unwrap_or_default();
    format!(
        "/{}/ui/flows?auth_token={}&action={}",
        state.addon.get_value(),
        encode_query_component(&state.auth_token.get_value()),
        encode_query_component(&json)
    )
}
