//! Pulls one installation's resources: parents first, then one unit per parent entity (each
//! project's tasks, each user's time entries), a few units at a time, every request within the
//! workspace budget's bootstrap lane.
//!
//! Failures: a 401 stops the whole job (the token is revoked; every other call would fail
//! too). Anything else (a missing scope, an unexpected shape, retries exhausted) fails that
//! unit with its reason and the others go on; once the others are done, the failed units get
//! one more try (a passing outage), and those that fail again wait for the next run.
//!
//! Stopping (DELETED, disabled, a restart) cancels the run's token. The run stops at its next
//! request or wait, never in the middle of a database write, and writes nothing after: once
//! its task has ended, whatever it wrote is committed, so what DELETED removes stays removed.

use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use futures_util::{stream::FuturesUnordered, StreamExt};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::plan::{Paging, Resource};
use crate::{
    clockify::{
        budget::{Lane, WorkspaceBudget},
        ApiRequest, ClockifyClient,
    },
    error::ClockifyFailure,
    lifecycle::now_millis,
    store::{
        bootstrap::{job_status, Cursor, EntityRow, Job, NewUnit},
        Store,
    },
    Error, Result,
};

/// Units pulled at the same time.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// A wait for the hourly budget longer than this is shown as "waiting".
const NOTABLE_WAIT: Duration = Duration::from_secs(2);
/// How often progress is saved while the run goes on.
const REPORT_EVERY: Duration = Duration::from_millis(500);

/// One run of one installation's bootstrap.
pub struct BootstrapRun {
    pub store: Arc<dyn Store>,
    pub client: ClockifyClient,
    pub budget: Arc<WorkspaceBudget>,
    pub addon_key: String,
    pub workspace_id: String,
    pub resources: Vec<&'static Resource>,
    /// ISO-8601 start of the time-entry look-back window.
    pub time_entries_since: Option<String>,
    /// Caps every endpoint's page size.
    pub page_size: Option<u32>,
    pub concurrency: usize,
    /// Cancelled to stop the run (see the module's documentation).
    pub cancel: CancellationToken,
}

/// Counters shared by the workers of a run.
struct Progress {
    job: Mutex<Job>,
    errors: AtomicI64,
    requests_at_start: u64,
    rate_limited_at_start: u64,
}

impl BootstrapRun {
    /// Runs until every unit is done or failed, or a fatal error; returns the final job, or
    /// `None` when the run was cancelled (and saved nothing more).
    pub async fn run(self, previous: Option<Job>) -> Result<Option<Job>> {
        let now = now_millis();
        let job = Job {
            status: job_status::RUNNING.into(),
            message: None,
            requests: previous.as_ref().map_or(0, |job| job.requests),
            rate_limited: previous.as_ref().map_or(0, |job| job.rate_limited),
            errors: 0,
            started_at: previous.as_ref().map_or(now, |job| job.started_at),
            updated_at: now,
            finished_at: None,
        };
        let progress = Arc::new(Progress {
            job: Mutex::new(job),
            errors: AtomicI64::new(0),
            requests_at_start: self.budget.requests(),
            rate_limited_at_start: self.budget.rate_limited(),
        });
        self.save_job(&progress, None).await?;
        let this = Arc::new(self);
        let pull = this.clone().pull_everything(progress.clone());
        tokio::pin!(pull);
        // Progress is saved between polls of the pull, never dropped half-way.
        let outcome = loop {
            tokio::select! {
                outcome = &mut pull => break outcome,
                () = tokio::time::sleep(REPORT_EVERY) => {
                    if let Err(error) = this.save_job(&progress, None).await {
                        tracing::warn!(%error, "bootstrap progress not saved");
                    }
                }
            }
        };
        if this.cancel.is_cancelled() {
            return Ok(None);
        }
        let (status, message) = match &outcome {
            Ok(()) => (job_status::DONE, None),
            Err(error) => (job_status::FAILED, Some(error.to_string())),
        };
        {
            let mut job = lock(&progress.job);
            job.status = status.into();
            job.message = message;
            job.finished_at = Some(now_millis());
        }
        this.save_job(&progress, None).await.map(Some)
    }

    async fn pull_everything(self: Arc<Self>, progress: Arc<Progress>) -> Result<()> {
        let now = now_millis();
        let top_level: Vec<NewUnit> = self
            .resources
            .iter()
            .filter(|resource| resource.parent.is_none())
            .map(|resource| NewUnit {
                unit: resource.kind.to_string(),
                resource: resource.kind.to_string(),
                parent_id: None,
            })
            .collect();
        self.store
            .add_units(&self.addon_key, &self.workspace_id, &top_level, now)
            .await?;
        // Parents first: every parentless resource, then each child resource over the parents
        // now stored.
        let parentless: Vec<&'static Resource> = self
            .resources
            .iter()
            .copied()
            .filter(|resource| resource.parent.is_none())
            .collect();
        self.clone().pull_resources(&parentless, progress.clone()).await?;
        if self.cancel.is_cancelled() {
            return Ok(());
        }
        for resource in self.resources.iter().filter(|resource| resource.parent.is_some()) {
            if let Some(parent) = resource.parent {
                self.store
                    .add_child_units(&self.addon_key, &self.workspace_id, resource.kind, parent, now_millis())
                    .await?;
            }
        }
        let children: Vec<&'static Resource> = self
            .resources
            .iter()
            .copied()
            .filter(|resource| resource.parent.is_some())
            .collect();
        self.pull_resources(&children, progress).await
    }

    /// Pulls every open unit of `resources` with a bounded number of workers, then the units
    /// that failed once more.
    async fn pull_resources(self: Arc<Self>, resources: &[&'static Resource], progress: Arc<Progress>) -> Result<()> {
        self.clone().pull_open_units(resources, progress.clone()).await?;
        if self.cancel.is_cancelled() {
            return Ok(());
        }
        let failed = self
            .store
            .reopen_failed_units_of(
                &self.addon_key,
                &self.workspace_id,
                &resource_kinds(resources),
                now_millis(),
            )
            .await?;
        if failed == 0 {
            return Ok(());
        }
        tracing::info!(addon = %self.addon_key, workspace = %self.workspace_id, failed, "bootstrap units tried again");
        // Counted again if they fail again.
        progress.errors.fetch_sub(failed as i64, Ordering::Relaxed);
        self.pull_open_units(resources, progress).await
    }

    async fn pull_open_units(self: Arc<Self>, resources: &[&'static Resource], progress: Arc<Progress>) -> Result<()> {
        let mut queue = VecDeque::new();
        for resource in resources {
            for cursor in self
                .store
                .open_units(&self.addon_key, &self.workspace_id, resource.kind)
                .await?
            {
                queue.push_back((*resource, cursor));
            }
        }
        let queue = Arc::new(Mutex::new(queue));
        // A fatal error stops the other workers through this token, at their next request:
        // none is dropped in the middle of a write.
        let stop = self.cancel.child_token();
        let mut workers = FuturesUnordered::new();
        for _ in 0..self.concurrency.max(1) {
            let (this, queue, progress, stop) = (self.clone(), queue.clone(), progress.clone(), stop.clone());
            workers.push(async move {
                loop {
                    if stop.is_cancelled() {
                        return Ok::<(), Error>(());
                    }
                    let next = lock(&queue).pop_front();
                    let Some((resource, cursor)) = next else {
                        return Ok(());
                    };
                    this.pull_unit(resource, cursor, &progress, &stop).await?;
                }
            });
        }
        let mut first_error = None;
        while let Some(result) = workers.next().await {
            if let Err(error) = result {
                stop.cancel();
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Pulls one unit page by page, until it is done or `stop` is cancelled (it stays open at
    /// its cursor). Returns an error only when the whole job must stop.
    async fn pull_unit(
        &self,
        resource: &Resource,
        cursor: Cursor,
        progress: &Progress,
        stop: &CancellationToken,
    ) -> Result<()> {
        let mut page = cursor.next_page.max(1);
        loop {
            self.note_hourly_wait(progress, stop).await;
            if stop.is_cancelled() {
                return Ok(());
            }
            let mut request = ApiRequest::get(resource.path_for(&self.workspace_id, cursor.parent_id.as_deref()));
            let page_size = match resource.paging {
                Paging::Pages { max_size } => {
                    let size = self.page_size.map_or(max_size, |cap| cap.clamp(1, max_size));
                    request = request.query("page", page).query("page-size", size);
                    Some(size)
                }
                Paging::None => None,
            };
            if resource.time_entries {
                if let Some(since) = &self.time_entries_since {
                    request = request.query("start", since);
                }
            }
            let Some(answer) = stop
                .run_until_cancelled(self.client.execute(request, Lane::Bootstrap))
                .await
            else {
                return Ok(());
            };
            let response = match answer {
                Ok(response) => response,
                Err(error) if error.clockify_failure() == Some(ClockifyFailure::Unauthorized) => {
                    return Err(Error::clockify(
                        ClockifyFailure::Unauthorized,
                        "Clockify refused the installation token (401); the bootstrap stopped. \
                         Reinstall the add-on or enable it again.",
                    ));
                }
                Err(error) => return self.fail_unit(&cursor, &error.to_string(), progress).await,
            };
            let Some(items) = resource.items(&response.body) else {
                let reason = format!("page {page}: Clockify's answer does not have the expected shape");
                return self.fail_unit(&cursor, &reason, progress).await;
            };
            let fetched_at = now_millis();
            let rows: Vec<EntityRow> = items
                .iter()
                .filter_map(|item| entity_row(resource, cursor.parent_id.as_deref(), item, fetched_at))
                .collect();
            let finished = match page_size {
                None => true,
                Some(size) => response
                    .last_page
                    .unwrap_or(items.len() < size as usize || items.is_empty()),
            };
            if let Err(error) = self
                .store
                .save_page(
                    &self.addon_key,
                    &self.workspace_id,
                    &cursor.unit,
                    &rows,
                    page + 1,
                    finished,
                    fetched_at,
                )
                .await
            {
                // The unit stays at this page; the next run retries it.
                let reason = format!("page {page} could not be saved: {error}");
                return self.fail_unit(&cursor, &reason, progress).await;
            }
            if finished {
                return Ok(());
            }
            page += 1;
        }
    }

    async fn fail_unit(&self, cursor: &Cursor, reason: &str, progress: &Progress) -> Result<()> {
        progress.errors.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(addon = %self.addon_key, workspace = %self.workspace_id, unit = %cursor.unit, reason, "bootstrap unit failed");
        self.store
            .fail_unit(&self.addon_key, &self.workspace_id, &cursor.unit, reason, now_millis())
            .await
    }

    /// On the FREE plan the next request may be many minutes away: say so while waiting.
    async fn note_hourly_wait(&self, progress: &Progress, stop: &CancellationToken) {
        let wait = self.budget.hourly_wait();
        if wait < NOTABLE_WAIT {
            return;
        }
        let message = format!(
            "This workspace's plan allows {} API requests per hour; the next one goes out in about {} min.",
            self.budget.hourly_cap().unwrap_or_default(),
            wait.as_secs().div_ceil(60)
        );
        let _ = self
            .save_job(progress, Some((job_status::WAITING, Some(message))))
            .await;
        if stop.run_until_cancelled(tokio::time::sleep(wait)).await.is_none() {
            return;
        }
        let _ = self.save_job(progress, Some((job_status::RUNNING, None))).await;
    }

    /// Saves the job with current counters (and a new status, if given); returns it as saved.
    async fn save_job(&self, progress: &Progress, status: Option<(&str, Option<String>)>) -> Result<Job> {
        let job = {
            let mut job = lock(&progress.job);
            let used = self.budget.requests().saturating_sub(progress.requests_at_start) as i64;
            let limited = self
                .budget
                .rate_limited()
                .saturating_sub(progress.rate_limited_at_start) as i64;
            job.errors = progress.errors.load(Ordering::Relaxed);
            job.updated_at = now_millis();
            if let Some((status, message)) = status {
                job.status = status.into();
                job.message = message;
            }
            let mut saved = job.clone();
            saved.requests += used;
            saved.rate_limited += limited;
            saved
        };
        self.store.save_job(&self.addon_key, &self.workspace_id, &job).await?;
        Ok(job)
    }
}

fn resource_kinds(resources: &[&'static Resource]) -> Vec<&'static str> {
    resources.iter().map(|resource| resource.kind).collect()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The stored form of one entity; `None` when it has no id.
fn entity_row(resource: &Resource, parent_id: Option<&str>, item: &Value, fetched_at: i64) -> Option<EntityRow> {
    let entity_id = resource.entity_id(item)?.to_string();
    let name = ["name", "description", "email"]
        .iter()
        .find_map(|field| item.get(*field).and_then(Value::as_str))
        .map(String::from);
    Some(EntityRow {
        kind: resource.kind.to_string(),
        entity_id,
        parent_id: parent_id.map(String::from),
        name,
        data: item.to_string(),
        fetched_at,
    })
}
