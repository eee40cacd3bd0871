//! The bootstrap against the simulator over real HTTP: counts equal the simulator's, the
//! simulator never answers 429, injected 5xx are retried, DELETED stops the job, a killed
//! server resumes, and a FREE workspace is paced to its hourly budget.

use std::{
    collections::BTreeMap,
    process::{Child, Stdio},
    time::Duration,
};

use addon_core::{
    crypto::SecretKey,
    store::{bootstrap::Job, BootstrapStore, SqlStore, Store},
};
use serde_json::{json, Value};
use sim::WorkspaceSpec;

use crate::support::{Db, TestApp, TestSim};

const ADDON: &str = "universal-webhook";

/// A workspace with every kind, small enough for a test, big enough for several pages.
fn test_workspace() -> WorkspaceSpec {
    WorkspaceSpec {
        users: 12,
        projects: 40,
        clients: 6,
        tags: 15,
        tasks: 200,
        time_entries: 600,
        user_groups: 3,
        holidays: 4,
        time_off_policies: 3,
        expenses: 30,
        invoices: 8,
        approval_requests: 5,
        custom_fields: 3,
        ..WorkspaceSpec::default()
    }
}

/// Everything on, at the full budget, in pages of 7 so every list takes several pages.
const PULL_EVERYTHING: &[(&str, &str)] = &[
    ("UW_BOOTSTRAP_INCLUDE_HEAVY", "true"),
    ("UW_BOOTSTRAP_INCLUDE_TIME_ENTRIES", "true"),
    ("UW_BOOTSTRAP_TIME_ENTRY_LOOKBACK_DAYS", "3650"),
    ("UW_BOOTSTRAP_MAX_RPS", "50"),
    ("BOOTSTRAP_PAGE_SIZE", "7"),
];

/// (our kind, the simulator's `counts` key).
const COMPARED_KINDS: &[(&str, &str)] = &[
    ("users", "users"),
    ("projects", "projects"),
    ("clients", "clients"),
    ("tags", "tags"),
    ("custom_fields", "customFields"),
    ("tasks", "tasks"),
    ("user_groups", "userGroups"),
    ("holidays", "holidays"),
    ("time_off_policies", "timeOffPolicies"),
    ("expenses", "expenses"),
    ("invoices", "invoices"),
    ("approval_requests", "approvalRequests"),
    ("time_entries", "timeEntries"),
    ("running_time_entries", "inProgressTimeEntries"),
];

async fn workspace_id(sim: &TestSim) -> String {
    sim.workspace().await["id"].as_str().unwrap().to_string()
}

/// Waits until the job reaches one of `statuses` (panics after `limit`).
async fn wait_for_job(store: &dyn Store, workspace_id: &str, statuses: &[&str], limit: Duration) -> Job {
    let started = std::time::Instant::now();
    loop {
        let job = store.job(ADDON, workspace_id).await.unwrap();
        if let Some(job) = &job {
            if statuses.contains(&job.status.as_str()) {
                return job.clone();
            }
        }
        assert!(
            started.elapsed() < limit,
            "the job did not reach {statuses:?} in {limit:?}: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn assert_counts_match(store: &dyn Store, sim: &TestSim, workspace_id: &str) {
    let ours: BTreeMap<String, i64> = store
        .entity_counts(ADDON, workspace_id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let theirs = sim.workspace().await["counts"].clone();
    for (kind, key) in COMPARED_KINDS {
        let expected = theirs[key]
            .as_i64()
            .unwrap_or_else(|| panic!("the simulator has no count {key}: {theirs}"));
        assert!(expected > 0, "{key} should not be empty in the test workspace");
        assert_eq!(
            ours.get(*kind).copied().unwrap_or(0),
            expected,
            "{kind}: ours {ours:?}, theirs {theirs}"
        );
    }
    assert_eq!(ours.get("workspace"), Some(&1));
}

/// The test workspace in a simulator with `faults`, and a server on `db` that trusts it and
/// pulls everything, with the add-on installed: (simulator, server, workspace id). `None` when
/// `db` is not available.
async fn installed_pulling_everything(db: Db, faults: Option<Value>) -> Option<(TestSim, TestApp, String)> {
    let sim = TestSim::start(test_workspace()).await;
    if let Some(faults) = faults {
        sim.set_faults(faults).await;
    }
    let key = sim.key();
    let mut env = vec![("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str())];
    env.extend_from_slice(PULL_EVERYTHING);
    let app = TestApp::start_with(db, &env).await?;
    sim.install(&app.address, ADDON).await;
    let workspace_id = workspace_id(&sim).await;
    Some((sim, app, workspace_id))
}

async fn counts_equal_the_simulators_and_no_429(db: Db) {
    let Some((sim, app, workspace_id)) = installed_pulling_everything(db, None).await else {
        return;
    };
    let job = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(job.status, "done", "{job:?}");
    assert_eq!(job.errors, 0, "{job:?}");
    assert_counts_match(app.store.as_ref(), &sim, &workspace_id).await;
    let stats = sim.stats().await;
    assert_eq!(stats["tooManyRequests"], 0, "{stats}");
    // Arrival jitter can put one extra request in a one-second window; the bucket absorbs it.
    assert!(stats["maxRequestsInOneSecond"].as_i64().unwrap() <= 51, "{stats}");
    assert!(job.requests > 100, "several pages per list: {job:?}");
    app.stop().await;
}

#[tokio::test]
async fn counts_equal_the_simulators_on_sqlite() {
    counts_equal_the_simulators_and_no_429(Db::Sqlite).await;
}

#[tokio::test]
async fn counts_equal_the_simulators_on_postgres() {
    counts_equal_the_simulators_and_no_429(Db::Postgres).await;
}

async fn completes_despite_injected_server_errors(db: Db) {
    let Some((sim, app, workspace_id)) = installed_pulling_everything(db, Some(json!({ "errorRate": 0.1 }))).await
    else {
        return;
    };
    let job = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(180),
    )
    .await;
    let progress = app.store.bootstrap_progress(ADDON, &workspace_id).await.unwrap();
    let failures: Vec<_> = progress
        .iter()
        .filter_map(|resource| resource.error.as_deref())
        .collect();
    assert_eq!(job.status, "done", "{job:?} {failures:?}");
    assert_eq!(job.errors, 0, "every injected error was retried: {job:?} {failures:?}");
    assert_counts_match(app.store.as_ref(), &sim, &workspace_id).await;
    let stats = sim.stats().await;
    assert!(stats["injectedErrors"].as_i64().unwrap() > 0, "{stats}");
    assert_eq!(stats["tooManyRequests"], 0, "{stats}");
    app.stop().await;
}

#[tokio::test]
async fn injected_errors_on_sqlite() {
    completes_despite_injected_server_errors(Db::Sqlite).await;
}

#[tokio::test]
async fn injected_errors_on_postgres() {
    completes_despite_injected_server_errors(Db::Postgres).await;
}

/// A unit that fails (Clockify answered 5xx past every retry) is tried once more in the same
/// run, after the others: a passing outage leaves nothing for the admin to restart.
#[tokio::test]
async fn a_failed_unit_is_tried_again_in_the_same_run() {
    let Some((sim, app, workspace_id)) =
        installed_pulling_everything(Db::Sqlite, Some(json!({ "errorRate": 1.0 }))).await
    else {
        return;
    };
    // The outage ends as soon as the first unit has failed.
    let started = std::time::Instant::now();
    loop {
        let progress = app.store.bootstrap_progress(ADDON, &workspace_id).await.unwrap();
        if progress.iter().any(|resource| resource.units_failed > 0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no unit failed: {progress:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sim.set_faults(json!({ "errorRate": 0.0 })).await;
    let job = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(120),
    )
    .await;
    let progress = app.store.bootstrap_progress(ADDON, &workspace_id).await.unwrap();
    assert_eq!(job.status, "done", "{job:?}");
    assert_eq!(
        job.errors, 0,
        "the failed units succeeded on their second try: {job:?} {progress:?}"
    );
    assert!(
        progress.iter().all(|resource| resource.units_failed == 0),
        "{progress:?}"
    );
    assert_counts_match(app.store.as_ref(), &sim, &workspace_id).await;
    app.stop().await;
}

async fn deleted_stops_the_job(db: Db) {
    let sim = TestSim::start(test_workspace()).await;
    // Slow answers and one entity per page: the job would take minutes.
    sim.set_faults(json!({ "latencyMs": 40 })).await;
    let key = sim.key();
    let mut env = vec![("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str())];
    env.extend_from_slice(&PULL_EVERYTHING[..4]);
    env.push(("BOOTSTRAP_PAGE_SIZE", "1"));
    let Some(app) = TestApp::start_with(db, &env).await else {
        return;
    };
    sim.install(&app.address, ADDON).await;
    let workspace_id = workspace_id(&sim).await;
    wait_for_job(app.store.as_ref(), &workspace_id, &["running"], Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    sim.uninstall(ADDON).await;
    // Requests already in flight may land; after that, none.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_stats = sim.stats().await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after_stats = sim.stats().await;
    let (before, after) = (bootstrap_requests(&before_stats), bootstrap_requests(&after_stats));
    assert_eq!(
        before, after,
        "the job kept calling Clockify after DELETED: {} then {}",
        before_stats["byPath"], after_stats["byPath"]
    );
    assert_eq!(
        app.store.count_installation_rows(ADDON, &workspace_id).await.unwrap(),
        0,
        "DELETED leaves no rows behind"
    );
    app.stop().await;
}

#[tokio::test]
async fn deleted_stops_the_job_on_sqlite() {
    deleted_stops_the_job(Db::Sqlite).await;
}

#[tokio::test]
async fn deleted_stops_the_job_on_postgres() {
    deleted_stops_the_job(Db::Postgres).await;
}

/// Requests the simulator saw, less those for workspace webhooks (Universal Webhook creates its
/// 31 at installation, beside the bootstrap).
fn bootstrap_requests(stats: &Value) -> i64 {
    let webhooks: i64 = stats["byPath"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .filter(|(path, _)| path.contains("/webhooks"))
                .filter_map(|(_, count)| count.as_i64())
                .sum()
        })
        .unwrap_or(0);
    stats["requests"].as_i64().unwrap_or(0) - webhooks
}

/// The real server binary, killed with SIGKILL in the middle of a bootstrap.
fn start_binary(port: u16, data_dir: &std::path::Path, key: &str, database_url: &str, secret: &str) -> Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", data_dir)
        .env("CLOCKIFY_PUBLIC_KEY_PATH", key)
        .env("SECRET_KEY", secret)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in PULL_EVERYTHING {
        command.env(name, value);
    }
    command.spawn().expect("start the server binary")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_until_up(port: u16) {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server binary did not come up");
}

#[tokio::test]
async fn a_killed_server_resumes_where_it_stopped() {
    let sim = TestSim::start(test_workspace()).await;
    sim.set_faults(json!({ "latencyMs": 15 })).await;
    let data_dir = std::env::temp_dir().join(format!("addons-kill-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let database_url = format!("sqlite://{}/addons.db", data_dir.display());
    let secret = SecretKey::generate().to_base64();
    let key = sim.key();
    let port = free_port();
    let mut first = start_binary(port, &data_dir, &key, &database_url, &secret);
    wait_until_up(port).await;
    sim.install(&format!("http://127.0.0.1:{port}"), ADDON).await;
    let workspace_id = workspace_id(&sim).await;
    let store = SqlStore::connect(&database_url).await.unwrap();
    // Kill it once some, but not all, of the work is stored.
    let started = std::time::Instant::now();
    loop {
        let stored: i64 = store
            .entity_counts(ADDON, &workspace_id)
            .await
            .unwrap()
            .iter()
            .map(|(_, count)| count)
            .sum();
        if stored >= 200 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "nothing was stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let job = store.job(ADDON, &workspace_id).await.unwrap().expect("a job");
    assert_eq!(job.status, "running", "killed mid-way: {job:?}");
    let requests_before_restart = bootstrap_requests(&sim.stats().await);

    let port = free_port();
    let mut second = start_binary(port, &data_dir, &key, &database_url, &secret);
    wait_until_up(port).await;
    let job = wait_for_job(&store, &workspace_id, &["done", "failed"], Duration::from_secs(120)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(job.status, "done", "{job:?}");
    assert_counts_match(&store, &sim, &workspace_id).await;
    // Resumed, not restarted: both runs together fetched each page about once. The slack
    // covers the workspace details each run reads and the pages in flight at the kill.
    let pages: i64 = store
        .bootstrap_progress(ADDON, &workspace_id)
        .await
        .unwrap()
        .iter()
        .map(|resource| resource.pages_done)
        .sum();
    let requests_after = bootstrap_requests(&sim.stats().await) - requests_before_restart;
    assert!(
        requests_before_restart + requests_after <= pages + 16,
        "the second run repeated work: {requests_before_restart} + {requests_after} requests for {pages} pages"
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn a_workspace_downgraded_to_free_is_paced_to_its_hourly_budget() {
    let sim = TestSim::start(test_workspace()).await;
    // Slow and one entity per page: the first run is still going when the plan changes.
    sim.set_faults(json!({ "latencyMs": 60 })).await;
    let key = sim.key();
    let mut env = vec![("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str())];
    env.extend_from_slice(&PULL_EVERYTHING[..4]);
    env.push(("BOOTSTRAP_PAGE_SIZE", "1"));
    let Some(app) = TestApp::start_with(Db::Sqlite, &env).await else {
        return;
    };
    sim.install(&app.address, ADDON).await;
    let workspace_id = workspace_id(&sim).await;
    wait_for_job(app.store.as_ref(), &workspace_id, &["running"], Duration::from_secs(30)).await;
    // Let the installation's 31 workspace webhooks be created first.
    for _ in 0..200 {
        if app.store.api_webhooks(ADDON, &workspace_id).await.unwrap().len() == 31 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Disable, downgrade to FREE (Clockify then allows 30 requests per hour), enable again.
    sim.set_status(ADDON, "INACTIVE").await;
    wait_for_job(app.store.as_ref(), &workspace_id, &["stopped"], Duration::from_secs(10)).await;
    sim.set_plan("FREE").await;
    sim.set_faults(json!({ "hourlyBudget": 30 })).await;
    let before = sim.stats().await["requests"].as_i64().unwrap();
    sim.set_status(ADDON, "ACTIVE").await;
    let job = wait_for_job(app.store.as_ref(), &workspace_id, &["waiting"], Duration::from_secs(30)).await;
    assert!(
        job.message
            .as_deref()
            .unwrap_or_default()
            .contains("30 API requests per hour"),
        "{job:?}"
    );
    let installation = app.store.installation(ADDON, &workspace_id).await.unwrap().unwrap();
    assert_eq!(installation.workspace_plan.as_deref(), Some("FREE"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stats = sim.stats().await;
    assert_eq!(stats["tooManyRequests"], 0, "paced, not hammering: {stats}");
    // Within the hourly budget since the downgrade (the requests of the last hour count, so the
    // resumed job read the plan and waited).
    let since_downgrade = stats["requests"].as_i64().unwrap() - before;
    assert!(
        since_downgrade <= 30,
        "{since_downgrade} requests since the downgrade: {stats}"
    );
    app.stop().await;
}

/// The bootstrap's share of the rate budget follows the workspace's setting at once: the
/// Overview shows the share in force.
async fn the_bootstrap_share_follows_settings_live(app: &TestApp) {
    use crate::support::{ADDON_ID, OWNER, WORKSPACE};

    app.install("api-studio").await;
    let overview = || async {
        let token = app.user_token("api-studio", "OWNER", "DEFAULT");
        app.http
            .get(app.url(&format!("/api-studio/ui?auth_token={token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert!(overview().await.contains("25 of 50 per second"), "the default share");
    let settings = json!({
        "addonId": ADDON_ID, "workspaceId": WORKSPACE, "asUser": OWNER,
        "settings": [{ "id": "bootstrap_max_rps", "name": "Bootstrap requests per second", "value": 10 }]
    });
    let response = app
        .lifecycle(
            "api-studio",
            "settings-updated",
            Some(&app.lifecycle_token("api-studio")),
            &settings.to_string(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        overview().await.contains("10 of 50 per second"),
        "the new share, without a restart"
    );
}
crate::on_both_backends!(the_bootstrap_share_follows_settings_live);

/// Malformed answers from Clockify: each affected unit fails with the reason, the others go
/// on, the job finishes and nothing panics.
#[tokio::test]
async fn malformed_answers_fail_their_unit_with_the_reason() {
    let Some((_sim, app, workspace_id)) =
        installed_pulling_everything(Db::Sqlite, Some(json!({ "malformedRate": 1.0 }))).await
    else {
        return;
    };
    let job = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(job.status, "done", "{job:?}");
    assert!(job.errors > 0, "{job:?}");
    let progress = app.store.bootstrap_progress(ADDON, &workspace_id).await.unwrap();
    let failed: Vec<_> = progress.iter().filter(|resource| resource.units_failed > 0).collect();
    assert!(!failed.is_empty(), "{progress:?}");
    assert!(
        failed
            .iter()
            .all(|resource| resource.error.as_deref().unwrap_or_default().contains("not valid JSON")),
        "{failed:?}"
    );
    app.stop().await;
}

/// "Run bootstrap again" from the Overview: the moment the server function answers, the job
/// reads as running from zero, so the polling page never mistakes the previous run's "done"
/// (or a half-reset state) for the new run's end.
async fn a_restart_reads_as_running_from_zero_at_once(db: Db) {
    let sim = TestSim::start(test_workspace()).await;
    let key = sim.key();
    let Some(app) = TestApp::start_with(db, &[("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str())]).await else {
        return;
    };
    sim.install(&app.address, ADDON).await;
    let workspace_id = workspace_id(&sim).await;
    let first = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(first.status, "done", "{first:?}");
    let session = sim.open_session(&app, ADDON).await;
    // Slow answers: the new run is still on its first request when we look.
    sim.set_faults(json!({ "latencyMs": 400 })).await;
    let response = app
        .http
        .post(app.url(<app::pages::bootstrap::RestartBootstrap as leptos::server_fn::ServerFn>::PATH))
        .form(&[("session", session.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let job = app.store.job(ADDON, &workspace_id).await.unwrap().unwrap();
    assert_eq!(job.status, "running", "{job:?}");
    assert_eq!(job.requests, 0, "{job:?}");
    assert!(job.started_at > first.started_at, "a new run: {job:?} after {first:?}");
    let progress = app.store.bootstrap_progress(ADDON, &workspace_id).await.unwrap();
    assert!(
        progress.iter().all(|resource| resource.units_done == 0),
        "the cursors start over: {progress:?}"
    );
    sim.set_faults(json!({})).await;
    let second = wait_for_job(
        app.store.as_ref(),
        &workspace_id,
        &["done", "failed"],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(second.status, "done", "{second:?}");
    let counts: BTreeMap<String, i64> = app
        .store
        .entity_counts(ADDON, &workspace_id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        counts.get("projects").copied(),
        sim.workspace().await["counts"]["projects"].as_i64(),
        "{counts:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_restart_reads_as_running_at_once_on_sqlite() {
    a_restart_reads_as_running_from_zero_at_once(Db::Sqlite).await;
}

#[tokio::test]
async fn a_restart_reads_as_running_at_once_on_postgres() {
    a_restart_reads_as_running_from_zero_at_once(Db::Postgres).await;
}
