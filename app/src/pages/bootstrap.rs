//! The data pull on the Overview: live progress per resource (units and pages done, entities
//! stored), requests used against the workspace's rate budget, 429s, errors with their reason,
//! and "run again".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{thousands, Card, Field, ProgressBar},
    session::{error_message, SessionView},
};

/// One resource's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceView {
    pub kind: String,
    pub label: String,
    /// Units of work (1, or one per parent entity such as one per project for tasks).
    pub units: i64,
    pub units_finished: i64,
    pub units_failed: i64,
    pub pages_done: i64,
    /// Entities of this kind stored now.
    pub stored: i64,
    pub error: Option<String>,
}

/// The installation's bootstrap job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapView {
    /// `not started`, `running`, `waiting`, `done`, `failed` or `stopped`.
    pub status: String,
    pub message: Option<String>,
    pub requests: i64,
    pub rate_limited: i64,
    pub errors: i64,
    pub elapsed_seconds: f64,
    /// Clockify's limit for this add-on in this workspace, requests per second.
    pub budget_per_second: u32,
    /// The bootstrap's share of it (a setting).
    pub bootstrap_share: u32,
    /// FREE plan: requests per hour for the whole workspace.
    pub hourly_cap: Option<u32>,
    pub resources: Vec<ResourceView>,
}

impl BootstrapView {
    /// Still moving: the page keeps polling.
    pub fn is_active(&self) -> bool {
        self.status == "running" || self.status == "waiting"
    }
}

#[server]
pub async fn load_bootstrap(session: String) -> Result<BootstrapView, ServerFnError> {
    use addon_core::{bootstrap::find_resource, lifecycle::now_millis};

    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let store = &backend.store;
    let job = store
        .job(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let progress = store
        .bootstrap_progress(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let counts = store
        .entity_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let stored = |kind: &str| {
        counts
            .iter()
            .find(|(counted, _)| counted == kind)
            .map_or(0, |(_, count)| *count)
    };
    let mut resources: Vec<ResourceView> = progress
        .into_iter()
        .map(|resource| ResourceView {
            label: find_resource(&resource.resource)
                .map_or_else(|| resource.resource.clone(), |known| known.label.to_string()),
            stored: stored(&resource.resource),
            units: resource.units,
            units_finished: resource.units_done + resource.units_failed,
            units_failed: resource.units_failed,
            pages_done: resource.pages_done,
            error: resource.error,
            kind: resource.resource,
        })
        .collect();
    // In pull order.
    let order = |kind: &str| {
        addon_core::bootstrap::RESOURCES
            .iter()
            .position(|resource| resource.kind == kind)
            .unwrap_or(usize::MAX)
    };
    resources.sort_by_key(|resource| order(&resource.kind));
    let budget = backend.bootstrap.budget(profile.key, &session.workspace_id);
    Ok(match job {
        Some(job) => BootstrapView {
            elapsed_seconds: (job.finished_at.unwrap_or_else(now_millis) - job.started_at).max(0) as f64 / 1000.0,
            status: job.status,
            message: job.message,
            requests: job.requests,
            rate_limited: job.rate_limited,
            errors: job.errors,
            budget_per_second: budget.per_second(),
            bootstrap_share: budget.bootstrap_share(),
            hourly_cap: budget.hourly_cap(),
            resources,
        },
        None => BootstrapView {
            status: "not started".into(),
            message: None,
            requests: 0,
            rate_limited: 0,
            errors: 0,
            elapsed_seconds: 0.0,
            budget_per_second: budget.per_second(),
            bootstrap_share: budget.bootstrap_share(),
            hourly_cap: budget.hourly_cap(),
            resources,
        },
    })
}

/// Starts the data pull over: every resource again, failed ones included.
#[server]
pub async fn restart_bootstrap(session: String) -> Result<(), ServerFnError> {
    use crate::backend::{authenticate, session_installation};

    let (backend, session) = authenticate(&session)?;
    let installation = session_installation(&backend, &session).await?;
    if installation.status != "ACTIVE" {
        return Err(ServerFnError::new(
            "the add-on is disabled in this workspace; enable it first",
        ));
    }
    backend
        .bootstrap
        .start(&installation.addon_key, &installation.workspace_id, true)
        .await;
    Ok(())
}

/// The live panel: polls every second while the job moves.
#[component]
pub fn BootstrapPanel() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let tick = RwSignal::new(0u32);
    let active = RwSignal::new(true);
    let token = session.token.clone();
    let progress = Resource::new(move || (token.clone(), tick.get()), |(token, _)| load_bootstrap(token));
    // Keep polling only while the job moves.
    Effect::new(move |_| {
        if let Some(Ok(data)) = progress.get() {
            active.set(data.is_active());
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if active.get_untracked() {
                    tick.update(|tick| *tick += 1);
                }
            },
            std::time::Duration::from_millis(1000),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    let token = session.token.clone();
    let restart = Action::new(move |_: &()| {
        let token = token.clone();
        async move {
            let result = restart_bootstrap(token).await;
            active.set(true);
            tick.update(|tick| *tick += 1);
            result
        }
    });
    let restart_error = move || {
        restart
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p> })
    };
    view! {
        <Card title="Workspace data">
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match progress.await {
                        Ok(view_data) => view! { <BootstrapDetails data=view_data/> }.into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <div class="mt-4 flex items-center gap-3">
                <button type="button" data-testid="bootstrap-restart"
                        class="rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50"
                        disabled=move || restart.pending().get()
                        on:click=move |_| { restart.dispatch(()); }>
                    "Run bootstrap again"
                </button>
                {restart_error}
            </div>
        </Card>
    }
}

fn status_text(data: &BootstrapView) -> String {
    match data.status.as_str() {
        "running" => "Pulling your workspace's data…".into(),
        "waiting" => "Waiting for the API budget".into(),
        "done" if data.errors > 0 => format!("Finished with {} error(s)", data.errors),
        "done" => "Up to date".into(),
        "failed" => "Stopped".into(),
        "stopped" => "Paused while the add-on is disabled".into(),
        _ => "Not started yet".into(),
    }
}

#[component]
fn BootstrapDetails(data: BootstrapView) -> impl IntoView {
    let units: i64 = data.resources.iter().map(|resource| resource.units).sum();
    let finished: i64 = data.resources.iter().map(|resource| resource.units_finished).sum();
    let overall = if units == 0 {
        0.0
    } else {
        finished as f64 * 100.0 / units as f64
    };
    let rate = if data.elapsed_seconds > 0.0 {
        data.requests as f64 / data.elapsed_seconds
    } else {
        0.0
    };
    let budget = match data.hourly_cap {
        Some(cap) => format!("{cap} per hour (FREE plan)"),
        None => format!("{} of {} per second", data.bootstrap_share, data.budget_per_second),
    };
    let message = data.message.clone().map(|message| {
        view! { <p class="mb-3 rounded bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="bootstrap-message">{message}</p> }
    });
    let rows = data
        .resources
        .iter()
        .map(|resource| {
            let percent = if resource.units == 0 {
                0.0
            } else {
                resource.units_finished as f64 * 100.0 / resource.units as f64
            };
            let pages = if resource.units > 1 {
                format!(
                    "{} of {} parents",
                    thousands(resource.units_finished),
                    thousands(resource.units)
                )
            } else {
                format!("{} page(s)", resource.pages_done)
            };
            let detail = format!("{} · {} stored", pages, thousands(resource.stored));
            let failed = resource.units_failed > 0;
            let error = resource.error.clone().map(|error| {
                view! { <p class="text-xs text-red-600 dark:text-red-400" data-testid="resource-error">{error}</p> }
            });
            view! {
                <div data-resource=resource.kind.clone() data-stored=resource.stored.to_string()>
                    <ProgressBar label=resource.label.clone() percent detail failed=failed test_id="resource-progress"/>
                    {error}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="mb-3 flex items-center justify-between">
            <span class="text-base font-semibold" data-testid="bootstrap-status" data-status=data.status.clone()>{status_text(&data)}</span>
            <span class="text-xs text-slate-500 dark:text-slate-400">{format!("{:.0} s", data.elapsed_seconds)}</span>
        </div>
        {message}
        <div class="mb-4">
            <ProgressBar label="All resources" percent=overall detail=format!("{:.0}%", overall) test_id="bootstrap-overall"/>
        </div>
        <div class="grid gap-3 md:grid-cols-2">{rows}</div>
        <dl class="mt-4 grid grid-cols-2 gap-4 md:grid-cols-4">
            <Field label="Requests used" value=format!("{} ({:.1}/s)", thousands(data.requests), rate) test_id="bootstrap-requests"/>
            <Field label="Budget" value=budget/>
            <Field label="429 answers" value=thousands(data.rate_limited) test_id="bootstrap-429"/>
            <Field label="Errors" value=thousands(data.errors) test_id="bootstrap-errors"/>
        </dl>
    }
}
