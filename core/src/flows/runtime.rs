//! The flow runtime: background workers that turn queued events into flow runs and run them.
//!
//! 1. **Matching.** A worker leases queued `flow_jobs` (one per accepted event or replay),
//!    checks the installation has flows on, matches the event against every published,
//!    enabled flow (trigger, then conditions) and, in one transaction, creates a run per match
//!    and marks the job done with its outcome ("no flow matched" is an outcome too).
//! 2. **Running.** Workers lease due runs and run their steps in order, recording each step
//!    (rendered request with secrets masked, response capped, duration, status) and
//!    checkpointing after it, so a retry resumes at the failed step. A retryable failure (429,
//!    5xx, timeouts, connection errors) schedules the run again with exponential backoff and
//!    full jitter; after the installation's retry count it is dead-lettered. Anything else
//!    fails the run. Nothing a flow does can crash a worker.
//!
//! Matching and running are two loops, so runs never wait behind a matching backlog.
//! Leases make this safe with several server instances on Postgres (claims use `FOR UPDATE
//! SKIP LOCKED`); a heartbeat extends the leases of runs in progress. At most
//! [`RuntimeOptions::concurrency`] runs execute at once (a run is claimed only when a slot is
//! free), at most [`RuntimeOptions::per_flow`] of one flow; every Clockify call draws from the
//! workspace's rate budget.
//!
//! What a run reads besides itself is cached briefly in memory: the event matching just read,
//! each compiled flow version (immutable once published) and each workspace's installation,
//! settings and secrets for [`WORKSPACE_CACHE_TTL`] (forgotten at once on a lifecycle event or
//! a settings or secrets change made here).

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use futures_util::future::{join_all, try_join};
use serde_json::{json, Value};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;

use super::{
    alerts::{self, AlertTargets, FailureAlert},
    document::{document, EventContext},
    evaluate::{triggers_on, CompiledFlow, RenderedStep},
    http_guard::{HttpGuard, OutboundRequest},
    model::FlowDefinition,
    template::RenderContext,
    validate::{Capabilities, Problem},
};
use crate::{
    bootstrap::jobs::BootstrapJobs,
    clockify::{budget::Lane, retry::RetryPolicy, ApiRequest, ApiServer},
    crypto::SecretBox,
    lifecycle::now_millis,
    openapi::Method,
    profile::{find_profile, Profile},
    settings::{EffectiveSettings, SettingOverrides},
    store::{
        events::StoredEvent,
        flows::{
            run_status, ClaimedJob, ClaimedRun, JobCompletion, NewRun, RunOutcome, RunRow, StepCheckpoint, StepRow,
            NO_PUBLISHED_FLOW,
        },
        new_id, Installation, Store,
    },
    workspace_log::workspace_span,
    Result,
};

/// Recorded response bodies are cut at this many bytes.
pub const RECORDED_BODY_BYTES: usize = 64 * 1024;

/// How long a workspace's installation, settings and secrets are reused by runs.
pub const WORKSPACE_CACHE_TTL: Duration = Duration::from_secs(2);

/// Events kept for the runs matching just created (they read them next).
const RECENT_EVENTS: usize = 1024;
/// A job's outcome when its event starts no run.
const NO_FLOW_MATCHED: &str = "no flow matched";

/// Retries of a profile without the `flow_max_retries` setting.
pub const DEFAULT_MAX_RETRIES: i64 = 3;

/// How the runtime works.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Runs executing at once.
    pub concurrency: usize,
    /// Runs of one flow executing at once.
    pub per_flow: usize,
    /// How long a claim holds before another worker may take it over.
    pub lease: Duration,
    /// How often an idle worker looks for work it was not woken for (other instances' work,
    /// retries coming due).
    pub poll: Duration,
    /// Backoff between attempts of a run.
    pub backoff: RetryPolicy,
    /// False with `UW_ENABLE_FLOWS=false`: nothing runs, whatever the workspaces' settings.
    pub enabled: bool,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            concurrency: 32,
            per_flow: 16,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            backoff: RetryPolicy {
                max_attempts: 1,
                base_delay: Duration::from_secs(2),
                max_delay: Duration::from_secs(300),
            },
            enabled: true,
        }
    }
}

/// The runtime's shared state; cheap to clone.
#[derive(Clone)]
pub struct FlowRuntime {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FlowRuntime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FlowRuntime")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

struct Inner {
    store: Arc<dyn Store>,
    clockify: BootstrapJobs,
    secrets: SecretBox,
    http: HttpGuard,
    overrides: Arc<SettingOverrides>,
    options: RuntimeOptions,
    /// This process's lease owner id.
    owner: String,
    /// New jobs (ingestion, replays).
    wake_matcher: Notify,
    /// New or freed work for the runner (runs created, a run finished, a retry).
    wake_runner: Notify,
    running: Arc<Semaphore>,
    per_flow: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Runs this process executes (the heartbeat extends their leases).
    in_flight: Mutex<HashSet<String>>,
    /// Compiled published versions, by (flow id, version).
    compiled: Mutex<HashMap<(String, i64), Arc<CompiledEntry>>>,
    /// Events matching read, by id, for the runs it created.
    recent_events: Mutex<HashMap<String, Arc<StoredEvent>>>,
    /// Per (add-on, workspace): what its runs need, briefly.
    workspaces: Mutex<HashMap<(String, String), Arc<WorkspaceContext>>>,
}

/// A workspace's installation, effective settings and decrypted secrets, as runs use them.
struct WorkspaceContext {
    installation: Installation,
    settings: EffectiveSettings,
    /// Only for rendering; never logged or stored.
    secrets: Arc<BTreeMap<String, String>>,
    loaded: Instant,
}

/// A flow version ready to run, or why it cannot.
struct CompiledEntry {
    definition: FlowDefinition,
    compiled: std::result::Result<CompiledFlow, Vec<Problem>>,
}

/// What one pass of the matcher did.
#[derive(Debug, Default, Clone, Copy)]
struct Matched {
    /// Jobs claimed and matched.
    jobs: usize,
    /// Runs those jobs created.
    runs: usize,
}

/// One installation's state for matching a batch of jobs.
struct InstallationFlows {
    addon_key: String,
    workspace_id: String,
    /// Why no event of this installation starts a run now (flows off, none published, ...).
    skip: Option<String>,
    /// (flow id, version, compiled) of the published, enabled flows.
    published: Vec<(String, i64, Arc<CompiledEntry>)>,
}

/// How one step ended.
enum StepEnd {
    Succeeded(Value),
    /// Worth trying again later.
    Retryable(String),
    Failed(String),
}

impl FlowRuntime {
    pub fn new(
        store: Arc<dyn Store>,
        clockify: BootstrapJobs,
        secrets: SecretBox,
        http: HttpGuard,
        overrides: Arc<SettingOverrides>,
        options: RuntimeOptions,
    ) -> Self {
        let running = Arc::new(Semaphore::new(options.concurrency.max(1)));
        FlowRuntime {
            inner: Arc::new(Inner {
                store,
                clockify,
                secrets,
                http,
                overrides,
                options,
                owner: format!("worker-{}", new_id()),
                wake_matcher: Notify::new(),
                wake_runner: Notify::new(),
                running,
                per_flow: Mutex::new(HashMap::new()),
                in_flight: Mutex::new(HashSet::new()),
                compiled: Mutex::new(HashMap::new()),
                recent_events: Mutex::new(HashMap::new()),
                workspaces: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Whether the runtime runs at all (`UW_ENABLE_FLOWS`).
    pub fn enabled(&self) -> bool {
        self.inner.options.enabled
    }

    /// Tells the matcher that ingestion committed new events. The runner is woken by the
    /// matcher once it has created runs, not by every delivery: under load each wake-up of an
    /// idle runner was a database read that found nothing.
    pub fn events_queued(&self) {
        self.inner.wake_matcher.notify_one();
    }

    /// Tells both workers there is new work (a publish, a re-run, a retry, a replay).
    pub fn wake(&self) {
        self.inner.wake_matcher.notify_one();
        self.inner.wake_runner.notify_one();
    }

    /// Forgets what runs of this workspace reuse (after its settings or secrets changed).
    pub fn forget_workspace(&self, addon_key: &str, workspace_id: &str) {
        lock(&self.inner.workspaces).remove(&(addon_key.to_string(), workspace_id.to_string()));
    }

    /// Forgets every workspace's cached state (after any lifecycle event).
    pub fn forget_workspaces(&self) {
        lock(&self.inner.workspaces).clear();
    }

    /// Runs the workers until `shutdown` resolves: one loop matches jobs, one starts runs.
    pub async fn run_until(self, shutdown: impl std::future::Future<Output = ()>) {
        if !self.enabled() {
            shutdown.await;
            return;
        }
        let workers = [
            tokio::spawn(self.clone().heartbeat()),
            tokio::spawn(self.clone().matching_loop()),
            tokio::spawn(self.clone().running_loop()),
        ];
        shutdown.await;
        // A loop stopped mid-claim rolls its transaction back; runs already started finish.
        for worker in workers {
            worker.abort();
        }
    }

    async fn matching_loop(self) {
        loop {
            let matched = self.match_jobs().await.unwrap_or_else(|error| {
                tracing::warn!(error = %error, "flow jobs could not be matched");
                Matched::default()
            });
            if matched.runs > 0 {
                self.inner.wake_runner.notify_one();
            }
            if matched.jobs > 0 {
                continue;
            }
            tokio::select! {
                _ = self.inner.wake_matcher.notified() => {}
                _ = tokio::time::sleep(self.inner.options.poll) => {}
            }
        }
    }

    async fn running_loop(self) {
        loop {
            let started = self.start_runs().await.unwrap_or_else(|error| {
                tracing::warn!(error = %error, "flow runs could not be claimed");
                0
            });
            if started > 0 {
                continue;
            }
            tokio::select! {
                _ = self.inner.wake_runner.notified() => {}
                _ = tokio::time::sleep(self.inner.options.poll) => {}
            }
        }
    }

    /// Runs everything due until nothing is left (tests and benchmarks): matches jobs and runs
    /// runs in the foreground.
    pub async fn drain(&self) -> Result<usize> {
        let mut total = 0;
        loop {
            let matched = self.match_jobs().await?.jobs;
            let slots = self.free_slots();
            let runs = self.claim_runs(slots.len() as i64).await?;
            let count = runs.len();
            let mut tasks = Vec::with_capacity(count);
            for (run, slot) in runs.into_iter().zip(slots) {
                let runtime = self.clone();
                tasks.push(tokio::spawn(async move { runtime.execute(run, slot).await }));
            }
            for task in tasks {
                let _ = task.await;
            }
            if matched == 0 && count == 0 {
                return Ok(total);
            }
            total += matched + count;
        }
    }

    /// Claims a batch of jobs and matches each against its installation's flows; the batch's
    /// runs and outcomes are written in one transaction. Each installation's settings, flows
    /// and events are read once per batch.
    async fn match_jobs(&self) -> Result<Matched> {
        let inner = &self.inner;
        let jobs = inner
            .store
            .claim_flow_jobs(&inner.owner, now_millis(), lease_millis(&inner.options), 256)
            .await?;
        let count = jobs.len();
        let mut by_installation: BTreeMap<(String, String), Vec<ClaimedJob>> = BTreeMap::new();
        for job in jobs {
            by_installation
                .entry((job.addon_key.clone(), job.workspace_id.clone()))
                .or_default()
                .push(job);
        }
        // The installations' reads run side by side (each takes a few round trips).
        let matched = join_all(
            by_installation
                .into_iter()
                .map(|((addon_key, workspace_id), jobs)| async move {
                    let result = self.match_installation_jobs(&addon_key, &workspace_id, &jobs).await;
                    (addon_key, workspace_id, jobs, result)
                }),
        )
        .await;
        let mut completions = Vec::with_capacity(count);
        for (addon_key, workspace_id, jobs, result) in matched {
            match result {
                Ok(done) => completions.extend(done),
                Err(error) => {
                    tracing::warn!(error = %error, addon = %addon_key, workspace = %workspace_id, "flow jobs could not be matched");
                    completions.extend(jobs.into_iter().map(|job| JobCompletion {
                        job_id: job.id,
                        runs: Vec::new(),
                        outcome: format!("not matched: {}", error.public_message()),
                    }));
                }
            }
        }
        let runs = completions.iter().map(|completion| completion.runs.len()).sum();
        if !completions.is_empty() {
            inner
                .store
                .complete_flow_jobs(&inner.owner, &completions, now_millis())
                .await?;
            log_jobs(count);
        }
        Ok(Matched { jobs: count, runs })
    }

    /// Matches one installation's jobs of a batch.
    async fn match_installation_jobs(
        &self,
        addon_key: &str,
        workspace_id: &str,
        jobs: &[ClaimedJob],
    ) -> Result<Vec<JobCompletion>> {
        let flows = self.installation_flows(addon_key, workspace_id).await?;
        let complete = |job: &ClaimedJob, runs: Vec<NewRun>, outcome: String| JobCompletion {
            job_id: job.id.clone(),
            runs,
            outcome,
        };
        if let Some(reason) = &flows.skip {
            return Ok(jobs
                .iter()
                .map(|job| complete(job, Vec::new(), reason.clone()))
                .collect());
        }
        // Only the events some flow triggers on are read (a job from before jobs named their
        // event's type says '' and is read).
        let triggered = |job: &ClaimedJob| {
            job.event_type.is_empty()
                || flows
                    .published
                    .iter()
                    .any(|(_, _, entry)| triggers_on(&entry.definition.trigger, &job.source, &job.event_type))
        };
        let ids: Vec<String> = jobs
            .iter()
            .filter(|job| triggered(job))
            .map(|job| job.event_id.clone())
            .collect();
        let events = if ids.is_empty() {
            Vec::new()
        } else {
            self.inner.store.events_by_ids(addon_key, workspace_id, &ids).await?
        };
        let events: HashMap<String, Arc<StoredEvent>> = events
            .into_iter()
            .map(|event| (event.id.clone(), Arc::new(event)))
            .collect();
        let mut completions = Vec::with_capacity(jobs.len());
        for job in jobs {
            if !triggered(job) {
                completions.push(complete(job, Vec::new(), NO_FLOW_MATCHED.into()));
                continue;
            }
            let Some(event) = events.get(&job.event_id) else {
                completions.push(complete(job, Vec::new(), "the event is no longer stored".into()));
                continue;
            };
            let runs = self.match_event(&flows, event);
            if !runs.is_empty() {
                self.remember_event(event.clone());
            }
            let outcome = match runs.len() {
                0 => NO_FLOW_MATCHED.to_string(),
                1 => "matched 1 flow".to_string(),
                count => format!("matched {count} flows"),
            };
            completions.push(complete(job, runs, outcome));
        }
        Ok(completions)
    }

    fn remember_event(&self, event: Arc<StoredEvent>) {
        let mut recent = lock(&self.inner.recent_events);
        if recent.len() >= RECENT_EVENTS {
            recent.clear();
        }
        recent.insert(event.id.clone(), event);
    }

    /// What matching needs of one installation: whether flows run there and its published,
    /// enabled flows, compiled.
    async fn installation_flows(&self, addon_key: &str, workspace_id: &str) -> Result<InstallationFlows> {
        let store = &self.inner.store;
        let mut flows = InstallationFlows {
            addon_key: addon_key.to_string(),
            workspace_id: workspace_id.to_string(),
            skip: None,
            published: Vec::new(),
        };
        let Some(profile) = find_profile(addon_key) else {
            flows.skip = Some(format!("no add-on called {addon_key}"));
            return Ok(flows);
        };
        let (installation, stored_flows) = try_join(
            store.installation(addon_key, workspace_id),
            store.flows(addon_key, workspace_id),
        )
        .await?;
        let Some(installation) = installation else {
            flows.skip = Some("the add-on is no longer installed".into());
            return Ok(flows);
        };
        let settings = self.settings(profile, &installation);
        if !settings.flag("flows_enabled") {
            flows.skip = Some("flows are turned off in this workspace".into());
            return Ok(flows);
        }
        for flow in stored_flows {
            if !flow.enabled {
                continue;
            }
            let (Some(version), Some(definition)) = (flow.published_version, flow.published.as_deref()) else {
                continue;
            };
            let entry = self.compiled(profile, &settings, &flow.id, version, definition).await?;
            flows.published.push((flow.id.clone(), version, entry));
        }
        if flows.published.is_empty() {
            flows.skip = Some(NO_PUBLISHED_FLOW.into());
        }
        Ok(flows)
    }

    /// The runs an event starts: one per published flow whose trigger and conditions match.
    fn match_event(&self, flows: &InstallationFlows, event: &StoredEvent) -> Vec<NewRun> {
        let context = EventContext::from_stored(
            &event.id,
            &flows.workspace_id,
            &event.source,
            &event.event_type,
            event.received_at,
            &event.headers,
            &event.body,
        );
        let triggered: Vec<_> = flows
            .published
            .iter()
            .filter(|(_, _, entry)| triggers_on(&entry.definition.trigger, &context.source, &context.event_type))
            .collect();
        if triggered.is_empty() {
            return Vec::new();
        }
        let doc = document(&context);
        let mut runs = Vec::new();
        for (flow_id, version, entry) in triggered {
            // A version that no longer validates (a setting it needs was turned off) gets a
            // run that fails and says why, rather than silence.
            let matches = match &entry.compiled {
                Ok(compiled) => compiled.conditions(&doc).matched,
                Err(_) => true,
            };
            if matches {
                runs.push(NewRun {
                    id: new_id(),
                    addon_key: flows.addon_key.clone(),
                    workspace_id: flows.workspace_id.clone(),
                    flow_id: flow_id.clone(),
                    flow_version: *version,
                    event_id: event.id.clone(),
                    event_type: event.event_type.clone(),
                });
            }
        }
        runs
    }

    fn settings(&self, profile: &Profile, installation: &Installation) -> EffectiveSettings {
        EffectiveSettings::resolve(
            profile.key,
            profile.settings,
            &installation.settings,
            &self.inner.overrides,
        )
    }

    /// A flow version compiled for the installation's current settings (cached by version and
    /// by whether generic HTTP is on).
    async fn compiled(
        &self,
        profile: &'static Profile,
        settings: &EffectiveSettings,
        flow_id: &str,
        version: i64,
        definition: &str,
    ) -> Result<Arc<CompiledEntry>> {
        if let Some(entry) = self.cached_compiled(profile, settings, flow_id, version) {
            return Ok(entry);
        }
        let generic_http = generic_http_on(profile, settings);
        let key = compiled_key(flow_id, version, generic_http);
        let entry = Arc::new(match serde_json::from_str::<FlowDefinition>(definition) {
            Ok(parsed) => {
                let capabilities = Capabilities {
                    profile,
                    generic_http,
                    // Sources may have been deleted since publishing; the trigger simply
                    // never matches them, so any id is accepted here.
                    source_ids: parsed.trigger.sources.clone(),
                };
                let compiled = CompiledFlow::compile(&parsed, &capabilities);
                CompiledEntry {
                    definition: parsed,
                    compiled,
                }
            }
            Err(error) => CompiledEntry {
                definition: FlowDefinition::default(),
                compiled: Err(vec![Problem {
                    field: String::new(),
                    message: format!("the stored definition is not valid JSON: {error}"),
                }]),
            },
        });
        let mut cache = lock(&self.inner.compiled);
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, entry.clone());
        Ok(entry)
    }

    /// The compiled version when it is cached (no need to read its definition).
    fn cached_compiled(
        &self,
        profile: &Profile,
        settings: &EffectiveSettings,
        flow_id: &str,
        version: i64,
    ) -> Option<Arc<CompiledEntry>> {
        let key = compiled_key(flow_id, version, generic_http_on(profile, settings));
        lock(&self.inner.compiled).get(&key).cloned()
    }

    async fn claim_runs(&self, limit: i64) -> Result<Vec<ClaimedRun>> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let inner = &self.inner;
        let runs = inner
            .store
            .claim_flow_runs(&inner.owner, now_millis(), lease_millis(&inner.options), limit)
            .await?;
        let mut in_flight = lock(&inner.in_flight);
        for claimed in &runs {
            in_flight.insert(claimed.run.id.clone());
        }
        Ok(runs)
    }

    /// Every free execution slot, taken (a run is claimed only for a slot it can start in).
    fn free_slots(&self) -> Vec<OwnedSemaphorePermit> {
        let mut slots = Vec::new();
        while let Ok(slot) = self.inner.running.clone().try_acquire_owned() {
            slots.push(slot);
        }
        slots
    }

    /// Claims as many due runs as there are free slots and runs them in the background.
    async fn start_runs(&self) -> Result<usize> {
        let slots = self.free_slots();
        if slots.is_empty() {
            return Ok(0);
        }
        let runs = self.claim_runs(slots.len() as i64).await?;
        let count = runs.len();
        // Slots left over are given back as they drop.
        for (run, slot) in runs.into_iter().zip(slots) {
            let runtime = self.clone();
            tokio::spawn(async move { runtime.execute(run, slot).await });
        }
        Ok(count)
    }

    /// Runs a leased run to its end (or its next retry) in `slot`. Never panics on a flow's
    /// input; any storage error is logged and the lease simply expires.
    async fn execute(self, claimed: ClaimedRun, slot: OwnedSemaphorePermit) {
        let ClaimedRun { run, attempt } = claimed;
        let run_id = run.id.clone();
        let flow_slot = self.flow_semaphore(&run.flow_id);
        let Ok(_flow_slot) = flow_slot.acquire().await else {
            return;
        };
        let started = Instant::now();
        let span = self.run_span(&run).await;
        let result = self.execute_steps(&run, attempt).instrument(span.clone()).await;
        lock(&self.inner.in_flight).remove(&run_id);
        span.in_scope(|| match result {
            Ok(status) => log_run(&run, &status, started.elapsed()),
            Err(error) => tracing::warn!(error = %error, run = %run_id, "a flow run could not be recorded"),
        });
        drop(slot);
        self.inner.wake_runner.notify_one();
    }

    /// The span of the run's workspace, at the level its settings ask for.
    async fn run_span(&self, run: &RunRow) -> tracing::Span {
        let Some(profile) = find_profile(&run.addon_key) else {
            return tracing::Span::none();
        };
        match self.workspace_context(profile, &run.addon_key, &run.workspace_id).await {
            Ok(Some(workspace)) => workspace_span(&run.addon_key, &run.workspace_id, &workspace.settings),
            _ => tracing::Span::none(),
        }
    }

    fn flow_semaphore(&self, flow_id: &str) -> Arc<Semaphore> {
        let mut map = lock(&self.inner.per_flow);
        if map.len() > 10_000 {
            map.retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
        }
        map.entry(flow_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.options.per_flow.max(1))))
            .clone()
    }

    async fn execute_steps(&self, run: &RunRow, attempt: i64) -> Result<String> {
        let inner = &self.inner;
        let fail = |status: &str, error: String| RunOutcome {
            status: status.to_string(),
            attempts: run.attempts,
            error: Some(error),
            run_after: now_millis(),
        };
        let Some(profile) = find_profile(&run.addon_key) else {
            return self
                .finish(run, fail(run_status::FAILED, "unknown add-on".into()), None)
                .await;
        };
        let Some(workspace) = self
            .workspace_context(profile, &run.addon_key, &run.workspace_id)
            .await?
        else {
            return self
                .finish(
                    run,
                    fail(run_status::FAILED, "the add-on is no longer installed".into()),
                    None,
                )
                .await;
        };
        let (installation, settings) = (&workspace.installation, &workspace.settings);
        let entry = match self.cached_compiled(profile, settings, &run.flow_id, run.flow_version) {
            Some(entry) => entry,
            None => {
                let Some(definition) = self.version_definition(run).await? else {
                    return self
                        .finish(
                            run,
                            fail(run_status::FAILED, "this flow version no longer exists".into()),
                            None,
                        )
                        .await;
                };
                self.compiled(profile, settings, &run.flow_id, run.flow_version, &definition)
                    .await?
            }
        };
        let compiled = match &entry.compiled {
            Ok(compiled) => compiled,
            Err(problems) => {
                let reasons: Vec<String> = problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.field, problem.message))
                    .collect();
                return self
                    .finish(
                        run,
                        fail(
                            run_status::FAILED,
                            format!("the flow cannot run as published: {}", reasons.join("; ")),
                        ),
                        None,
                    )
                    .await;
            }
        };
        let Some(event) = self.run_event(run).await? else {
            return self
                .finish(
                    run,
                    fail(run_status::FAILED, "the event is no longer stored".into()),
                    None,
                )
                .await;
        };
        let context = EventContext::from_stored(
            &event.id,
            &run.workspace_id,
            &event.source,
            &event.event_type,
            event.received_at,
            &event.headers,
            &event.body,
        );
        let mut outputs: serde_json::Map<String, Value> = serde_json::from_str(&run.outputs).unwrap_or_default();
        let secrets = workspace.secrets.clone();
        // One render context per run: the document is shared, each step's output is added
        // as it completes (a resumed run starts with the outputs of the steps done before).
        let mut render_context = RenderContext::from_shared(Arc::new(context.into_document()), secrets.clone());
        for (id, output) in &outputs {
            render_context.add_step(id, output);
        }
        let allowlist = allowlist(settings);
        let max_retries = if profile.settings.iter().any(|setting| setting.id == "flow_max_retries") {
            settings.number("flow_max_retries")
        } else {
            DEFAULT_MAX_RETRIES
        };

        let mut last_step: Option<StepCheckpoint> = None;
        let first = usize::try_from(run.next_step).unwrap_or(0);
        for index in first..compiled.steps_len() {
            let step_id = compiled.step_id(index).unwrap_or_default().to_string();
            let started_at = now_millis();
            let clock = Instant::now();
            let (kind, request, end, response) = match compiled.render_step_with(index, &render_context) {
                Err(error) => ("render", json!(null), StepEnd::Failed(error), None),
                Ok(rendered) => {
                    let kind = match &rendered {
                        RenderedStep::Clockify { .. } => "clockify",
                        RenderedStep::Http { .. } => "http",
                    };
                    let request = serde_json::to_value(rendered.masked(&secrets)).unwrap_or(Value::Null);
                    let (end, response) = self.send(installation, rendered, &allowlist).await;
                    (kind, request, end, response)
                }
            };
            let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
            let http_status = response
                .as_ref()
                .and_then(|response| response.get("status"))
                .and_then(Value::as_i64);
            let (status, error) = match &end {
                StepEnd::Succeeded(_) => ("succeeded", None),
                StepEnd::Retryable(error) | StepEnd::Failed(error) => ("failed", Some(error.clone())),
            };
            tracing::debug!(run = %run.id, step = %step_id, kind, status, http_status, duration_ms, "flow step finished");
            let step = StepRow {
                run_id: run.id.clone(),
                attempt,
                step_index: index as i64,
                step_id: step_id.clone(),
                kind: kind.to_string(),
                status: status.to_string(),
                request: request.to_string(),
                response: response
                    .as_ref()
                    .map(|response| mask_secrets(response.clone(), &secrets).to_string()),
                http_status,
                duration_ms,
                error,
                started_at,
            };
            let next_step = match &end {
                StepEnd::Succeeded(output) => {
                    render_context.add_step(&step_id, output);
                    outputs.insert(step_id.clone(), output.clone());
                    index as i64 + 1
                }
                _ => index as i64,
            };
            let checkpoint = StepCheckpoint {
                step,
                next_step,
                outputs: Value::Object(outputs.clone()).to_string(),
            };
            // The run's last record goes with its end, in one transaction.
            let last = !matches!(end, StepEnd::Succeeded(_)) || index + 1 == compiled.steps_len();
            if last {
                last_step = Some(checkpoint);
            } else {
                inner.store.record_step(&inner.owner, &checkpoint, now_millis()).await?;
            }
            match end {
                StepEnd::Succeeded(_) => {}
                StepEnd::Failed(error) => {
                    return self
                        .finish(
                            run,
                            fail(run_status::FAILED, format!("step {step_id}: {error}")),
                            last_step.as_ref(),
                        )
                        .await;
                }
                StepEnd::Retryable(error) => {
                    let attempts = run.attempts + 1;
                    let outcome = if attempts > max_retries {
                        RunOutcome {
                            status: run_status::DEAD.into(),
                            attempts,
                            error: Some(format!("step {step_id}: {error} (gave up after {attempts} attempts)")),
                            run_after: now_millis(),
                        }
                    } else {
                        let delay = inner.options.backoff.delay(attempts as u32, None);
                        RunOutcome {
                            status: run_status::RETRYING.into(),
                            attempts,
                            error: Some(format!("step {step_id}: {error}")),
                            run_after: now_millis() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2),
                        }
                    };
                    return self.finish(run, outcome, last_step.as_ref()).await;
                }
            }
        }
        self.finish(
            run,
            RunOutcome {
                status: run_status::SUCCEEDED.into(),
                attempts: run.attempts,
                error: None,
                run_after: now_millis(),
            },
            last_step.as_ref(),
        )
        .await
    }

    async fn finish(&self, run: &RunRow, outcome: RunOutcome, last_step: Option<&StepCheckpoint>) -> Result<String> {
        self.inner
            .store
            .finish_run(&run.id, &self.inner.owner, &outcome, last_step, now_millis())
            .await?;
        if outcome.status == run_status::FAILED || outcome.status == run_status::DEAD {
            // Alerts never hold up the worker's slot.
            let (runtime, run, outcome) = (self.clone(), run.clone(), outcome.clone());
            tokio::spawn(
                async move {
                    if let Err(error) = runtime.alert_failure(&run, &outcome).await {
                        tracing::warn!(error = %error, run = %run.id, "a failure alert could not be queued");
                    }
                }
                .instrument(tracing::Span::current()),
            );
        }
        Ok(outcome.status)
    }

    /// Reports a failed or dead run where the installation's `failure_alert` setting says: a
    /// toast our page shows in Clockify and/or a JSON POST to a URL.
    async fn alert_failure(&self, run: &RunRow, outcome: &RunOutcome) -> Result<()> {
        let Some(profile) = find_profile(&run.addon_key) else {
            return Ok(());
        };
        let Some(workspace) = self
            .workspace_context(profile, &run.addon_key, &run.workspace_id)
            .await?
        else {
            return Ok(());
        };
        let setting = workspace
            .settings
            .value("failure_alert")
            .and_then(Value::as_str)
            .unwrap_or(alerts::DEFAULT_TARGETS);
        let targets = AlertTargets::parse(setting).unwrap_or(AlertTargets {
            toast: true,
            webhook: None,
        });
        if !targets.any() {
            return Ok(());
        }
        let flow_name = self
            .inner
            .store
            .flow(&run.addon_key, &run.workspace_id, &run.flow_id)
            .await?
            .map(|flow| flow.name)
            .unwrap_or_else(|| run.flow_id.clone());
        let alert = FailureAlert {
            kind: FailureAlert::KIND.into(),
            addon: run.addon_key.clone(),
            workspace_id: run.workspace_id.clone(),
            flow_id: run.flow_id.clone(),
            flow_name,
            run_id: run.id.clone(),
            status: outcome.status.clone(),
            error: outcome.error.clone().unwrap_or_default(),
            attempts: outcome.attempts,
            event_type: run.event_type.clone(),
            failed_at: now_millis(),
        };
        if targets.toast {
            self.inner.store.queue_failure_toast(&alert, now_millis()).await?;
        }
        if let Some(url) = targets.webhook {
            let request = OutboundRequest {
                method: "POST".into(),
                url,
                headers: BTreeMap::from([("content-type".to_string(), "application/json".to_string())]),
                body: Some(serde_json::to_string(&alert).unwrap_or_default()),
            };
            match self.inner.http.send(request, &[]).await {
                Ok(response) if (200..300).contains(&response.status) => {}
                Ok(response) => {
                    tracing::warn!(status = response.status, run = %run.id, "the failure alert URL refused the alert")
                }
                Err(error) => tracing::warn!(error = %error, run = %run.id, "the failure alert could not be sent"),
            }
        }
        Ok(())
    }

    /// The run's event: the one matching just read, or from the store.
    async fn run_event(&self, run: &RunRow) -> Result<Option<Arc<StoredEvent>>> {
        if let Some(event) = lock(&self.inner.recent_events).get(&run.event_id) {
            return Ok(Some(event.clone()));
        }
        Ok(self
            .inner
            .store
            .event(&run.addon_key, &run.workspace_id, &run.event_id)
            .await?
            .map(Arc::new))
    }

    /// The workspace's installation, settings and secrets (cached for
    /// [`WORKSPACE_CACHE_TTL`]); `None` when the add-on is no longer installed there.
    async fn workspace_context(
        &self,
        profile: &Profile,
        addon_key: &str,
        workspace_id: &str,
    ) -> Result<Option<Arc<WorkspaceContext>>> {
        let key = (addon_key.to_string(), workspace_id.to_string());
        if let Some(context) = lock(&self.inner.workspaces).get(&key) {
            if context.loaded.elapsed() < WORKSPACE_CACHE_TTL {
                return Ok(Some(context.clone()));
            }
        }
        let Some(installation) = self.inner.store.installation(addon_key, workspace_id).await? else {
            return Ok(None);
        };
        let context = Arc::new(WorkspaceContext {
            settings: self.settings(profile, &installation),
            installation,
            secrets: Arc::new(self.secrets(addon_key, workspace_id).await?),
            loaded: Instant::now(),
        });
        let mut workspaces = lock(&self.inner.workspaces);
        if workspaces.len() >= 10_000 {
            workspaces.clear();
        }
        workspaces.insert(key, context.clone());
        Ok(Some(context))
    }

    /// The definition of the run's flow version.
    async fn version_definition(&self, run: &RunRow) -> Result<Option<String>> {
        let store = &self.inner.store;
        if let Some(flow) = store.flow(&run.addon_key, &run.workspace_id, &run.flow_id).await? {
            if flow.published_version == Some(run.flow_version) {
                return Ok(flow.published);
            }
            let versions = store
                .flow_versions(&run.addon_key, &run.workspace_id, &run.flow_id)
                .await?;
            return Ok(versions
                .into_iter()
                .find(|version| version.version == run.flow_version)
                .map(|version| version.definition));
        }
        Ok(None)
    }

    /// The installation's secrets, decrypted (only for rendering; never logged or stored).
    async fn secrets(&self, addon_key: &str, workspace_id: &str) -> Result<BTreeMap<String, String>> {
        let rows = self.inner.store.flow_secrets(addon_key, workspace_id).await?;
        let mut secrets = BTreeMap::new();
        for (name, ciphertext, _) in rows {
            if let Ok(value) = self.inner.secrets.decrypt(&ciphertext) {
                secrets.insert(name, value);
            }
        }
        Ok(secrets)
    }

    /// Sends a rendered step; returns how it ended and the response to record.
    async fn send(
        &self,
        installation: &Installation,
        rendered: RenderedStep,
        allowlist: &[String],
    ) -> (StepEnd, Option<Value>) {
        match rendered {
            RenderedStep::Clockify {
                method,
                server,
                path,
                query,
                body,
                ..
            } => {
                let Some(method) = parse_method(&method) else {
                    return (StepEnd::Failed(format!("unsupported method {method}")), None);
                };
                let server = if server.eq_ignore_ascii_case("reports") {
                    ApiServer::Reports
                } else {
                    ApiServer::Backend
                };
                let client = match self.inner.clockify.client(installation) {
                    Ok(client) => client.with_retry(RetryPolicy {
                        max_attempts: 1,
                        ..RetryPolicy::default()
                    }),
                    Err(error) => return (StepEnd::Failed(error.public_message()), None),
                };
                let request = ApiRequest {
                    method,
                    server,
                    path,
                    query,
                    body,
                };
                match client.execute_raw(request, Lane::Interactive).await {
                    Ok(response) => {
                        let text = String::from_utf8_lossy(&response.body);
                        let body = serde_json::from_str::<Value>(&text)
                            .unwrap_or_else(|_| Value::String(cap_text(&text).to_string()));
                        let headers: serde_json::Map<String, Value> = response
                            .headers
                            .iter()
                            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                            .collect();
                        let output = json!({ "status": response.status, "headers": headers, "body": body });
                        let recorded = recorded_response(response.status, &headers, &text);
                        (classify(response.status, output), Some(recorded))
                    }
                    Err(error) => {
                        let message = error.public_message();
                        match error.clockify_failure() {
                            Some(failure) if failure.is_retryable() => (StepEnd::Retryable(message), None),
                            _ => (StepEnd::Failed(message), None),
                        }
                    }
                }
            }
            RenderedStep::Http {
                method,
                url,
                headers,
                body,
                ..
            } => {
                let request = OutboundRequest {
                    method,
                    url,
                    headers,
                    body,
                };
                match self.inner.http.send(request, allowlist).await {
                    Ok(response) => {
                        let body = serde_json::from_str::<Value>(&response.body)
                            .unwrap_or_else(|_| Value::String(cap_text(&response.body).to_string()));
                        let headers: serde_json::Map<String, Value> = response
                            .headers
                            .iter()
                            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                            .collect();
                        let output = json!({ "status": response.status, "headers": headers, "body": body });
                        let recorded = recorded_response(response.status, &headers, &response.body);
                        (classify(response.status, output), Some(recorded))
                    }
                    Err(error) if error.retryable() => (StepEnd::Retryable(error.message), None),
                    Err(error) => (StepEnd::Failed(error.message), None),
                }
            }
        }
    }

    /// Extends the leases of the runs in progress every third of the lease.
    async fn heartbeat(self) {
        let period = self.inner.options.lease / 3;
        loop {
            tokio::time::sleep(period).await;
            let ids: Vec<String> = lock(&self.inner.in_flight).iter().cloned().collect();
            if ids.is_empty() {
                continue;
            }
            let until = now_millis() + lease_millis(&self.inner.options);
            if let Err(error) = self.inner.store.extend_run_leases(&self.inner.owner, &ids, until).await {
                tracing::warn!(error = %error, "flow run leases could not be extended");
            }
        }
    }
}

/// Whether generic HTTP actions may run for this installation.
pub fn generic_http_on(profile: &Profile, settings: &EffectiveSettings) -> bool {
    profile.features.generic_http_actions && settings.flag("generic_http_enabled")
}

/// The host patterns generic HTTP actions may call; empty means any public host.
pub fn allowlist(settings: &EffectiveSettings) -> Vec<String> {
    let text = settings.value("http_allowlist").and_then(Value::as_str).unwrap_or("*");
    let hosts: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(str::to_string)
        .collect();
    if hosts.iter().any(|host| host == "*") {
        Vec::new()
    } else {
        hosts
    }
}

/// 2xx succeeds; 429 and 5xx are worth retrying; anything else (3xx included: redirects are
/// not followed) fails the run. The answer's own `message` (Clockify's errors have one) is
/// quoted, so the run history says why.
fn classify(status: u16, output: Value) -> StepEnd {
    let reason = output
        .get("body")
        .and_then(|body| body.get("message"))
        .and_then(Value::as_str)
        .map(|message| format!(": {}", message.chars().take(300).collect::<String>()))
        .unwrap_or_default();
    match status {
        200..=299 => StepEnd::Succeeded(output),
        429 => StepEnd::Retryable(format!("the server answered 429 Too Many Requests{reason}")),
        500..=599 => StepEnd::Retryable(format!("the server answered {status}{reason}")),
        300..=399 => StepEnd::Failed(format!("the server answered {status} (redirects are not followed)")),
        _ => StepEnd::Failed(format!("the server answered {status}{reason}")),
    }
}

fn recorded_response(status: u16, headers: &serde_json::Map<String, Value>, body: &str) -> Value {
    json!({
        "status": status,
        "headers": headers,
        "body": cap_text(body),
        "truncated": body.len() > RECORDED_BODY_BYTES,
    })
}

/// At most [`RECORDED_BODY_BYTES`], cut at a character boundary.
fn cap_text(text: &str) -> &str {
    if text.len() <= RECORDED_BODY_BYTES {
        return text;
    }
    let mut end = RECORDED_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Replaces every secret's value in strings of `value` with `••••`.
pub fn mask_secrets(value: Value, secrets: &BTreeMap<String, String>) -> Value {
    if secrets.is_empty() {
        return value;
    }
    match value {
        Value::String(text) => {
            let mut masked = text;
            for secret in secrets.values().filter(|secret| !secret.is_empty()) {
                if masked.contains(secret.as_str()) {
                    masked = masked.replace(secret.as_str(), "••••");
                }
            }
            Value::String(masked)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|item| mask_secrets(item, secrets)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, mask_secrets(item, secrets)))
                .collect(),
        ),
        other => other,
    }
}

fn parse_method(method: &str) -> Option<reqwest::Method> {
    Method::ALL
        .into_iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(method))
        .and_then(|known| reqwest::Method::from_bytes(known.as_str().as_bytes()).ok())
}

/// Compiled versions are cached per flow version and whether generic HTTP is on.
fn compiled_key(flow_id: &str, version: i64, generic_http: bool) -> (String, i64) {
    (format!("{flow_id}:{generic_http}"), version)
}

fn lease_millis(options: &RuntimeOptions) -> i64 {
    i64::try_from(options.lease.as_millis()).unwrap_or(60_000)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn log_jobs(count: usize) {
    tracing::debug!(count, "flow jobs matched");
}

fn log_run(run: &RunRow, status: &str, elapsed: Duration) {
    let elapsed_ms = elapsed.as_millis() as u64;
    if status == run_status::FAILED || status == run_status::DEAD {
        tracing::info!(run = %run.id, flow = %run.flow_id, status, elapsed_ms, "flow run failed");
    } else {
        tracing::debug!(run = %run.id, flow = %run.flow_id, status, elapsed_ms, "flow run finished");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_quote_the_answers_message() {
        let answer = json!({ "status": 400, "body": { "code": 400, "message": "Tag with name 'x' already exists" } });
        match classify(400, answer) {
            StepEnd::Failed(reason) => {
                assert_eq!(reason, "the server answered 400: Tag with name 'x' already exists")
            }
            _ => panic!("a 400 fails the run"),
        }
        assert!(
            matches!(classify(503, json!({ "body": "busy" })), StepEnd::Retryable(reason) if reason == "the server answered 503")
        );
        assert!(matches!(classify(429, json!({})), StepEnd::Retryable(_)));
        assert!(
            matches!(classify(302, json!({})), StepEnd::Failed(reason) if reason.contains("redirects are not followed"))
        );
        assert!(matches!(classify(201, json!({})), StepEnd::Succeeded(_)));
    }

    #[test]
    fn secrets_are_masked_everywhere_in_a_response() {
        let secrets = BTreeMap::from([("TOKEN".to_string(), "abc123".to_string())]);
        let masked = mask_secrets(json!({ "echo": ["Bearer abc123"], "n": 1 }), &secrets);
        assert_eq!(masked, json!({ "echo": ["Bearer ••••"], "n": 1 }));
    }
}
