//! One bootstrap job per installation, in the background: started after INSTALLED and on
//! demand, stopped by DELETED and by STATUS_CHANGED to INACTIVE, resumed at start-up.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{
    plan::{plan, PlanOptions},
    runner::{BootstrapRun, DEFAULT_CONCURRENCY},
};
use crate::{
    clockify::{
        budget::{Lane, RateBudgets, WorkspaceBudget, FREE_PLAN_REQUESTS_PER_HOUR},
        ClockifyClient,
    },
    crypto::SecretBox,
    lifecycle::now_millis,
    profile::find_profile,
    settings::{EffectiveSettings, SettingOverrides},
    store::{
        bootstrap::{job_status, Job},
        Installation, Store, WorkspaceDetails,
    },
    Result,
};

type JobKey = (String, String);

/// A job's task and the token that stops it.
struct RunningJob {
    handle: JoinHandle<()>,
    cancel: CancellationToken,
}

/// Starts, stops and resumes bootstrap jobs. Cheap to clone.
#[derive(Clone)]
pub struct BootstrapJobs {
    inner: Arc<Inner>,
}

/// How jobs run (from the server's configuration).
#[derive(Debug, Clone)]
pub struct BootstrapOptions {
    /// Replaces the URLs in Clockify's tokens (local development).
    pub api_base_override: Option<String>,
    /// Caps the page size asked of every endpoint (default: the largest each takes).
    pub page_size: Option<u32>,
    /// Units pulled at the same time.
    pub concurrency: usize,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            api_base_override: None,
            page_size: None,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    secrets: SecretBox,
    http: reqwest::Client,
    budgets: Arc<RateBudgets>,
    overrides: Arc<SettingOverrides>,
    options: BootstrapOptions,
    running: Mutex<HashMap<JobKey, RunningJob>>,
}

impl std::fmt::Debug for BootstrapJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapJobs")
            .field("running", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl BootstrapJobs {
    pub fn new(
        store: Arc<dyn Store>,
        secrets: SecretBox,
        http: reqwest::Client,
        budgets: Arc<RateBudgets>,
        overrides: Arc<SettingOverrides>,
        options: BootstrapOptions,
    ) -> Self {
        BootstrapJobs {
            inner: Arc::new(Inner {
                store,
                secrets,
                http,
                budgets,
                overrides,
                options,
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<JobKey, RunningJob>> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The rate budget of an installation (flows and the explorer draw from it too).
    pub fn budget(&self, addon_key: &str, workspace_id: &str) -> Arc<WorkspaceBudget> {
        self.inner.budgets.for_workspace(addon_key, workspace_id)
    }

    /// A Clockify client for an installation, drawing from its budget.
    pub fn client(&self, installation: &Installation) -> Result<ClockifyClient> {
        Ok(ClockifyClient::for_installation(
            self.inner.http.clone(),
            installation,
            &self.inner.secrets,
            self.inner.options.api_base_override.as_deref(),
        )?
        .with_budget(self.budget(&installation.addon_key, &installation.workspace_id)))
    }

    /// Whether a job runs for this installation now.
    pub fn is_running(&self, addon_key: &str, workspace_id: &str) -> bool {
        self.lock()
            .get(&(addon_key.to_string(), workspace_id.to_string()))
            .is_some_and(|job| !job.handle.is_finished())
    }

    /// Starts the installation's job in the background. `fresh` starts over (after INSTALLED
    /// and from the UI: failed units are retried and every entity is fetched again); otherwise
    /// an existing job resumes at its cursors. A running job is replaced only when `fresh`.
    pub async fn start(&self, addon_key: &str, workspace_id: &str, fresh: bool) {
        let key = (addon_key.to_string(), workspace_id.to_string());
        if self.is_running(addon_key, workspace_id) {
            if !fresh {
                return;
            }
            self.abort(&key).await;
        }
        if fresh {
            self.mark_started_over(addon_key, workspace_id).await;
        }
        // The budget takes the installation's settings before the task runs, so whoever reads
        // it next (the Overview shows bootstrap's share) never sees a new budget's defaults.
        if let Err(error) = self.apply_settings(addon_key, workspace_id).await {
            tracing::warn!(%error, "bootstrap settings not applied before the job ran");
        }
        let this = self.clone();
        let (addon, workspace) = key.clone();
        let cancel = CancellationToken::new();
        let job_cancel = cancel.clone();
        let handle = tokio::spawn(async move {
            if let Err(error) = this.run_job(&addon, &workspace, fresh, job_cancel).await {
                tracing::error!(addon = %addon, workspace = %workspace, %error, "bootstrap job failed");
            }
        });
        self.lock().insert(key, RunningJob { handle, cancel });
    }

    /// Records a fresh start before the job's task runs, so whoever reads the job next (the
    /// Overview polls it) sees it running from zero, never the previous run's finished state.
    async fn mark_started_over(&self, addon_key: &str, workspace_id: &str) {
        let store = &self.inner.store;
        let now = now_millis();
        let job = Job {
            status: job_status::RUNNING.into(),
            message: None,
            requests: 0,
            rate_limited: 0,
            errors: 0,
            started_at: now,
            updated_at: now,
            finished_at: None,
        };
        let saved = match store.reset_cursors(addon_key, workspace_id).await {
            Ok(()) => store.save_job(addon_key, workspace_id, &job).await,
            Err(error) => Err(error),
        };
        if let Err(error) = saved {
            tracing::warn!(%error, "bootstrap restart not recorded before it ran");
        }
    }

    /// Stops the job (DELETED: `status` is `None` and nothing is saved; STATUS_CHANGED to
    /// INACTIVE: the job is saved as stopped). Returns once the job no longer runs.
    pub async fn stop(&self, addon_key: &str, workspace_id: &str, status_after: Option<&str>) {
        let key = (addon_key.to_string(), workspace_id.to_string());
        self.abort(&key).await;
        if status_after.is_none() {
            self.inner.budgets.forget(addon_key, workspace_id);
            return;
        }
        let store = &self.inner.store;
        if let Ok(Some(mut job)) = store.job(addon_key, workspace_id).await {
            if job.status == job_status::RUNNING || job.status == job_status::WAITING {
                job.status = status_after.unwrap_or(job_status::STOPPED).into();
                job.message = Some("The add-on was disabled; the bootstrap resumes when it is enabled.".into());
                job.updated_at = now_millis();
                if let Err(error) = store.save_job(addon_key, workspace_id, &job).await {
                    tracing::warn!(%error, "bootstrap job state not saved");
                }
            }
        }
    }

    /// Cancels the job and waits until its task has ended: it stops at its next request or
    /// wait, so every write it began is finished (committed) when this returns.
    async fn abort(&self, key: &JobKey) {
        let job = self.lock().remove(key);
        if let Some(job) = job {
            job.cancel.cancel();
            let _ = job.handle.await;
        }
    }

    /// Resumes every job that was running, waiting or stopped-while-disabled when the
    /// process ended (disabled installations stay stopped).
    pub async fn resume_unfinished(&self) -> Result<usize> {
        let jobs = self
            .inner
            .store
            .jobs_with_status(&[job_status::RUNNING, job_status::WAITING, job_status::STOPPED])
            .await?;
        let mut resumed = 0;
        for (addon_key, workspace_id) in jobs {
            let active = self
                .inner
                .store
                .installation(&addon_key, &workspace_id)
                .await?
                .is_some_and(|installation| installation.status == "ACTIVE");
            if active {
                self.start(&addon_key, &workspace_id, false).await;
                resumed += 1;
            }
        }
        Ok(resumed)
    }

    /// Applies the installation's current settings to its budget (live, no restart).
    pub async fn apply_settings(&self, addon_key: &str, workspace_id: &str) -> Result<()> {
        if let Some(installation) = self.inner.store.installation(addon_key, workspace_id).await? {
            self.configure_budget(&installation);
        }
        Ok(())
    }

    fn settings(&self, installation: &Installation) -> Option<EffectiveSettings> {
        let profile = find_profile(&installation.addon_key)?;
        Some(EffectiveSettings::resolve(
            profile.key,
            profile.settings,
            &installation.settings,
            &self.inner.overrides,
        ))
    }

    fn configure_budget(&self, installation: &Installation) -> Arc<WorkspaceBudget> {
        let budget = self.budget(&installation.addon_key, &installation.workspace_id);
        if let Some(settings) = self.settings(installation) {
            let rps = settings.number("bootstrap_max_rps").clamp(1, i64::from(u32::MAX)) as u32;
            budget.set_bootstrap_share(rps);
        }
        let free = installation.workspace_plan.as_deref() == Some("FREE");
        budget.set_hourly_cap(free.then_some(FREE_PLAN_REQUESTS_PER_HOUR));
        budget
    }

    async fn run_job(&self, addon_key: &str, workspace_id: &str, fresh: bool, cancel: CancellationToken) -> Result<()> {
        let store = &self.inner.store;
        let Some(mut installation) = store.installation(addon_key, workspace_id).await? else {
            return Ok(());
        };
        if installation.status != "ACTIVE" {
            return Ok(());
        }
        let Some(profile) = find_profile(addon_key) else {
            return Ok(());
        };
        let client = self.client(&installation)?;
        // Every run reads the workspace's name and plan first (the budget already has the
        // installation's settings, from `start`): the plan decides the FREE hourly cap (a
        // workspace can be downgraded after installation).
        let Some(details) = cancel
            .run_until_cancelled(fetch_workspace_details(&client, &installation))
            .await
        else {
            return Ok(());
        };
        if let Some(details) = details {
            store
                .save_workspace_details(addon_key, workspace_id, &details, now_millis())
                .await?;
            installation.workspace_name = details.name;
            installation.workspace_plan = details.plan;
            installation.installer_name = details.installer_name;
        }
        let budget = self.configure_budget(&installation);
        let Some(settings) = self.settings(&installation) else {
            return Ok(());
        };
        let options = PlanOptions {
            include_heavy: settings.flag("bootstrap_include_heavy"),
            include_time_entries: settings.flag("bootstrap_include_time_entries"),
            lookback_days: settings
                .value("bootstrap_time_entry_lookback_days")
                .and_then(Value::as_u64)
                .unwrap_or(30) as u32,
        };
        let previous = if fresh {
            store.reset_cursors(addon_key, workspace_id).await?;
            None
        } else {
            store.job(addon_key, workspace_id).await?
        };
        let run = BootstrapRun {
            store: store.clone(),
            client,
            budget,
            addon_key: addon_key.to_string(),
            workspace_id: workspace_id.to_string(),
            resources: plan(profile, options),
            time_entries_since: Some(iso_days_ago(options.lookback_days)),
            page_size: self.inner.options.page_size,
            concurrency: self.inner.options.concurrency,
            cancel,
        };
        let Some(job) = run.run(previous).await? else {
            tracing::info!(addon = addon_key, workspace = workspace_id, "bootstrap stopped");
            return Ok(());
        };
        tracing::info!(
            addon = addon_key, workspace = workspace_id, status = %job.status,
            requests = job.requests, rate_limited = job.rate_limited, errors = job.errors,
            "bootstrap finished"
        );
        Ok(())
    }
}

/// The workspace's name and plan and the installer's name, for the Overview and the FREE cap.
async fn fetch_workspace_details(client: &ClockifyClient, installation: &Installation) -> Option<WorkspaceDetails> {
    let workspace_id = &installation.workspace_id;
    let workspace = match client.get_json(&format!("/v1/workspaces/{workspace_id}")).await {
        Ok(workspace) => workspace,
        Err(error) => {
            tracing::warn!(addon = %installation.addon_key, workspace = %workspace_id, %error, "workspace details not fetched");
            return None;
        }
    };
    let installer_name = match &installation.installed_by {
        Some(user) => client
            .execute(
                crate::clockify::ApiRequest::get(format!("/v1/workspaces/{workspace_id}/member-profile/{user}")),
                Lane::Interactive,
            )
            .await
            .ok()
            .and_then(|profile| profile.body.get("name").and_then(Value::as_str).map(String::from)),
        None => None,
    };
    Some(WorkspaceDetails {
        name: workspace.get("name").and_then(Value::as_str).map(String::from),
        plan: workspace
            .get("featureSubscriptionType")
            .and_then(Value::as_str)
            .map(String::from),
        installer_name,
    })
}

/// `now - days` as ISO-8601 UTC, to the second (`2026-11-01T08:00:00Z`).
fn iso_days_ago(days: u32) -> String {
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    let start = start.replace_nanosecond(0).unwrap_or(start);
    start
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
