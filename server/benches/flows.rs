//! Flows end to end: webhook in → flow run → action out, over real HTTP, with the real server
//! binary (release, `bench` profile) on SQLite and on a fresh Postgres database, and the
//! simulator in this process.
//!
//! For each scenario the benchmark starts a simulator and the server, installs the add-on
//! through the simulator, publishes one flow straight through the store (as the integration
//! tests do), reads the webhook token the simulator issued (decrypted with the `SECRET_KEY` the
//! server was started with) and posts Clockify-signed `NEW_TIME_ENTRY` deliveries, each with a
//! unique id, to `/{addon}/webhooks/clockify`, exactly as Clockify would.
//!
//! - **latency, Clockify action** (API Studio): the flow calls `createNewTag` with the event's
//!   id as the tag name. A small observer add-on installed in the simulator subscribes to
//!   `NEW_TAG`, which the simulator fires once it has created the tag; latency = observer got
//!   the tag's `NEW_TAG` − the bench sent the delivery. Open loop: deliveries leave at a fixed
//!   rate whatever the server does. Clockify allows 50 requests/s per add-on and workspace
//!   (the add-on's budget and the simulator both enforce it), so: 40 events/s into one
//!   workspace (`clockify`); 200 events/s spread evenly over `FLOWS_WORKSPACES` workspaces
//!   (default 5, 40/s each; `clockify200`), each its own simulator signing with one shared key,
//!   with its own installation, flow and observer, all served by the one server; and 200/s into
//!   one workspace (`clockify200one`, over its limit: the budget queues the actions, and this
//!   shows by how much).
//! - **latency, HTTP action** (Universal Webhook, generic HTTP to a local recording receiver,
//!   `UW_GENERIC_HTTP_ENABLED=true`, `UW_HTTP_ALLOW_PRIVATE_NETWORKS=true`): open loop at
//!   200 events/s; latency = receiver got the request − the bench sent the delivery.
//! - **throughput** (Universal Webhook, same HTTP flow): N deliveries (default 20,000) from 32
//!   concurrent senders as fast as ingestion takes them; runs/s from the first accepted event
//!   (`received_at`) to the last run finished (`finished_at`), both from the database, plus how
//!   many requests the receiver saw (each counted once per event id).
//!
//! Every latency row also gets a breakdown from the database (server clock, millisecond
//! resolution): event received → run created (ingest commit + matching), run created → step
//! started (claim + loading the run), the action itself, step ended → run finished (recording).
//! Each run also prints the server's CPU use (from `/proc`) and the machine's load average, since
//! the figures depend on what else the two cores are doing.
//!
//! Run: `cargo bench -p server --bench flows` (about 6 minutes with Postgres). Knobs: `FLOWS_DB`
//! (`sqlite`, `postgres`, `both`; default both, Postgres skipped when unreachable),
//! `FLOWS_SECONDS` (each latency run, default 15), `FLOWS_EVENTS` (throughput, default 20000),
//! `FLOWS_THROUGHPUT_FLOWS` (identical flows matching each event in the throughput run, default
//! 1), `FLOWS_WORKSPACES` (the `clockify200` spread, default 5), `FLOWS_SCENARIOS` (comma list
//! of `clockify`, `clockify200`, `clockify200one`, `http`, `throughput`; default all but
//! `clockify200one`).

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use addon_core::{
    crypto::{SecretBox, SecretKey},
    store::{flows::FlowRow, new_id, BootstrapStore, FlowStore, SqlStore, Store},
};
use serde_json::{json, Value};
use sim::WorkspaceSpec;
use support::{free_port, install_through_sim, peak_rss_mib};

mod support;

const API_STUDIO: &str = "api-studio";
const UNIVERSAL_WEBHOOK: &str = "universal-webhook";
const SENDERS: usize = 32;

// ---------------------------------------------------------------------------------------------
// Recording points

/// Arrival times by event id (the tag name, or the last path segment of the HTTP action).
#[derive(Clone, Default)]
struct Arrivals {
    seen: Arc<Mutex<HashMap<String, Instant>>>,
    /// Requests in all, duplicates included.
    requests: Arc<AtomicU64>,
}

impl Arrivals {
    fn record(&self, id: &str) {
        let now = Instant::now();
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.seen.lock().unwrap().entry(id.to_string()).or_insert(now);
    }

    fn distinct(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn get(&self, id: &str) -> Option<Instant> {
        self.seen.lock().unwrap().get(id).copied()
    }
}

/// The generic HTTP action's target: `POST /hook/{id}` is recorded in `arrivals` and answered
/// 200; returns its URL.
async fn start_receiver(arrivals: Arrivals) -> String {
    use axum::{
        extract::{Path, State},
        routing::post,
        Router,
    };
    let app = Router::new()
        .route(
            "/hook/{id}",
            post(
                |State(arrivals): State<Arrivals>, Path(id): Path<String>, _body: axum::body::Bytes| async move {
                    arrivals.record(&id);
                    axum::Json(json!({ "received": true }))
                },
            ),
        )
        .with_state(arrivals.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A minimal add-on installed in the simulator that subscribes to `NEW_TAG`: the simulator fires
/// it once it has created a tag, so its arrival (recorded in `arrivals`) is the moment the
/// Clockify side has the tag.
async fn start_observer(sim_url: &str, arrivals: Arrivals) {
    use axum::{
        extract::State,
        routing::{get, post},
        Router,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let manifest = json!({
        "schemaVersion": "1.6",
        "key": "flows-bench-observer",
        "name": "Flows benchmark observer",
        "baseUrl": base,
        "minimalSubscriptionPlan": "FREE",
        "scopes": ["TAG_READ"],
        "webhooks": [{ "event": "NEW_TAG", "path": "/new-tag" }]
    });
    let app = Router::new()
        .route(
            "/manifest",
            get(move || {
                let manifest = manifest.clone();
                async move { axum::Json(manifest) }
            }),
        )
        .route(
            "/new-tag",
            post(
                |State(arrivals): State<Arrivals>, axum::Json(tag): axum::Json<Value>| async move {
                    if let Some(name) = tag["name"].as_str() {
                        arrivals.record(name);
                    }
                    axum::Json(json!({}))
                },
            ),
        )
        .with_state(arrivals.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let installed = reqwest::Client::new()
        .post(format!("{sim_url}/sim/install"))
        .json(&json!({ "manifestUrl": format!("{base}/manifest") }))
        .send()
        .await
        .unwrap();
    assert!(
        installed.status().is_success(),
        "observer: {}",
        installed.text().await.unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// The stack: simulator, server binary, database

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    fn name(self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
        }
    }
}

/// One simulated Clockify workspace (its own simulator) with the add-on installed in it.
struct Tenant {
    sim_url: String,
    sim_task: tokio::task::JoinHandle<()>,
    workspace: String,
    /// The `clockify-signature` the simulator gave the add-on's manifest webhooks.
    token: String,
}

struct Stack {
    addon: &'static str,
    server: Child,
    server_url: String,
    store: SqlStore,
    /// One per workspace; every simulator signs with the same key, which the server trusts.
    tenants: Vec<Tenant>,
    dirs: Vec<std::path::PathBuf>,
    postgres: Option<(String, String)>,
}

fn admin_postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh Postgres database: (its URL, its name), or `None` when Postgres is not reachable.
async fn fresh_postgres() -> Option<(String, String)> {
    use sqlx::Connection;
    let admin = admin_postgres_url();
    let mut connection = sqlx::PgConnection::connect(&admin).await.ok()?;
    let name = format!("bench_flows_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .ok()?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    Some((format!("{base}/{name}"), name))
}

async fn wait_ok(http: &reqwest::Client, url: &str) {
    for _ in 0..600 {
        if http
            .get(url)
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not answer");
}

/// Starts a simulator in this process over `dir` (which may already hold the signing key) with
/// a small workspace generated from `seed` (the seed makes the workspace id); returns its URL.
async fn start_sim(
    http: &reqwest::Client,
    dir: std::path::PathBuf,
    seed: u64,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_url = format!("http://{}", listener.local_addr().unwrap());
    let config = sim::SimConfig {
        data_dir: dir,
        workspace: WorkspaceSpec {
            users: 2,
            projects: 3,
            clients: 1,
            tags: 2,
            tasks: 0,
            time_entries: 5,
            seed,
            ..WorkspaceSpec::default()
        },
        ..sim::SimConfig::default()
    };
    let sim_task = tokio::spawn(async move {
        let _ = sim::run(config, listener).await;
    });
    wait_ok(http, &format!("{sim_url}/sim/public-key.pem")).await;
    (sim_url, sim_task)
}

/// The server with `addon` installed in `workspaces` simulated workspaces (one simulator each,
/// all signing with one key); `None` when Postgres is asked for and not reachable.
async fn start_stack(db: Db, addon: &'static str, workspaces: usize) -> Option<Stack> {
    let http = reqwest::Client::new();
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    let mut sims = Vec::new();
    for index in 0..workspaces.max(1) {
        let dir = std::env::temp_dir().join(format!("bench-flows-sim-{}", uuid::Uuid::new_v4().simple()));
        if let Some(first) = dirs.first() {
            // The first simulator generated the key; the others load it.
            std::fs::create_dir_all(&dir).unwrap();
            let key_file = sim::tokens::PRIVATE_KEY_FILE;
            std::fs::copy(first.join(key_file), dir.join(key_file)).unwrap();
        }
        dirs.push(dir.clone());
        sims.push(start_sim(&http, dir, 42 + index as u64).await);
    }
    let public_key = dirs[0].join(sim::tokens::PUBLIC_KEY_FILE);

    let data_dir = std::env::temp_dir().join(format!("bench-flows-addons-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    dirs.push(data_dir.clone());
    let (database_url, postgres) = match db {
        Db::Sqlite => (format!("sqlite://{}/addons.db", data_dir.display()), None),
        Db::Postgres => {
            let Some((url, name)) = fresh_postgres().await else {
                for (_, task) in sims {
                    task.abort();
                }
                for dir in &dirs {
                    let _ = std::fs::remove_dir_all(dir);
                }
                return None;
            };
            (url, Some((admin_postgres_url(), name)))
        }
    };
    let secret_key = SecretKey::generate();
    let port = free_port();
    let server_url = format!("http://127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", &server_url)
        .env("DATABASE_URL", &database_url)
        .env("DATA_DIR", &data_dir)
        .env("SECRET_KEY", secret_key.to_base64())
        .env("CLOCKIFY_PUBLIC_KEY_PATH", public_key)
        .env("LOG_LEVEL", "warn")
        .env("UW_GENERIC_HTTP_ENABLED", "true")
        .env("UW_HTTP_ALLOW_PRIVATE_NETWORKS", "true")
        .stdout(std::fs::File::create(data_dir.join("server.log")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary");
    wait_ok(&http, &format!("{server_url}/readyz")).await;
    let store = SqlStore::connect(&database_url).await.unwrap();
    let secrets = SecretBox::new(secret_key);
    let mut tenants: Vec<Tenant> = Vec::new();
    for (sim_url, sim_task) in sims {
        let workspace = install_through_sim(&http, &sim_url, &format!("{server_url}/{addon}/manifest")).await;
        assert!(
            tenants.iter().all(|tenant| tenant.workspace != workspace),
            "each simulator has its own workspace id"
        );
        let token = store
            .webhook_tokens(addon, &workspace)
            .await
            .unwrap()
            .into_iter()
            .find(|token| token.webhook_url.ends_with("/webhooks/clockify"))
            .map(|token| secrets.decrypt(&token.token_ciphertext).unwrap())
            .expect("the simulator gave the add-on a webhook token");
        tenants.push(Tenant {
            sim_url,
            sim_task,
            workspace,
            token,
        });
    }
    // Let the installations' bootstraps (a few requests each) finish before measuring.
    let started = Instant::now();
    for tenant in &tenants {
        while started.elapsed() < Duration::from_secs(30) {
            match store.job(addon, &tenant.workspace).await.unwrap() {
                Some(job) if job.status == "done" || job.status == "failed" => break,
                None if started.elapsed() > Duration::from_secs(2) => break,
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
    Some(Stack {
        addon,
        server,
        server_url,
        store,
        tenants,
        dirs,
        postgres,
    })
}

impl Stack {
    /// Saves and publishes `definition` as an enabled flow in `workspace`; returns its id.
    async fn publish(&self, workspace: &str, definition: Value) -> String {
        let id = new_id();
        let now = addon_core::lifecycle::now_millis();
        self.store
            .save_flow(&FlowRow {
                id: id.clone(),
                addon_key: self.addon.into(),
                workspace_id: workspace.to_string(),
                name: definition["name"].as_str().unwrap_or("flow").into(),
                enabled: true,
                draft: definition.to_string(),
                published_version: None,
                published: None,
                created_at: now,
                updated_at: now,
            })
            .await
            .unwrap();
        let version = self
            .store
            .publish_flow(self.addon, workspace, &id, &definition.to_string(), now)
            .await
            .unwrap();
        assert_eq!(version, Some(1));
        id
    }

    fn delivery_url(&self) -> String {
        format!("{}/{}/webhooks/clockify", self.server_url, self.addon)
    }

    /// The server's peak resident set size, MiB.
    fn peak_rss_mib(&self) -> f64 {
        peak_rss_mib(self.server.id())
    }

    /// CPU seconds the server has used so far (user + system).
    fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&format!("/proc/{}/stat", self.server.id()))
    }

    /// Runs of every flow in `status`, over every workspace (each stack has its own database
    /// and one scenario).
    async fn count_runs(&self, status: &str) -> i64 {
        let mut count = 0;
        for tenant in &self.tenants {
            count += self
                .store
                .runs(self.addon, &tenant.workspace, None, Some(status), 0, 1)
                .await
                .unwrap()
                .1;
        }
        count
    }

    /// The first error line the server logged, if any.
    fn first_server_error(&self) -> Option<String> {
        let data_dir = self.dirs.last().expect("the add-ons' data directory");
        let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
        log.lines()
            .find(|line| line.contains("WARN") || line.contains("ERROR"))
            .map(|line| line.chars().take(300).collect())
    }

    async fn stop(mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        for tenant in &self.tenants {
            tenant.sim_task.abort();
        }
        self.store.pool().close().await;
        if let Some((admin, name)) = self.postgres.take() {
            use sqlx::Connection;
            if let Ok(mut connection) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut connection)
                    .await;
            }
        }
        for dir in &self.dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// User + system CPU seconds of the process whose `stat` file is at `path`.
fn cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return f64::NAN;
    };
    // Fields after the command (which may hold spaces) start at field 3; utime and stime are
    // fields 14 and 15, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|value| value.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

// ---------------------------------------------------------------------------------------------
// Load

/// A `NEW_TIME_ENTRY` body as Clockify sends it (about 1 KB), with a unique id.
fn time_entry(id: &str, workspace: &str, index: usize) -> String {
    json!({
        "id": id,
        "description": format!("Benchmark entry {index}: reviewing the quarterly report with the team"),
        "tagIds": ["64c777ddd3fcab07cfbb210c"],
        "userId": "64c777ddd3fcab07cfbb2101",
        "billable": true,
        "taskId": null,
        "projectId": "64c777ddd3fcab07cfbb2105",
        "workspaceId": workspace,
        "timeInterval": { "start": "2026-11-29T08:00:00Z", "end": "2026-11-29T09:30:00Z", "duration": "PT1H30M" },
        "customFieldValues": [],
        "type": "REGULAR",
        "kioskId": null,
        "hourlyRate": { "amount": 5000, "currency": "USD" },
        "costRate": { "amount": 3000, "currency": "USD" },
        "isLocked": false,
        "user": { "id": "64c777ddd3fcab07cfbb2101", "name": "Ada Lovelace", "email": "ada@example.com", "status": "ACTIVE" },
        "project": { "id": "64c777ddd3fcab07cfbb2105", "name": "Website redesign", "clientId": "64c777ddd3fcab07cfbb2109",
                     "clientName": "Acme", "color": "#03A9F4", "billable": true, "archived": false },
        "task": null,
        "tags": [ { "id": "64c777ddd3fcab07cfbb210c", "name": "meeting", "archived": false } ]
    })
    .to_string()
}

fn event_id(run: &str, index: usize) -> String {
    format!("fb{run}{index:07}")
}

/// Posts one signed delivery; Ok(()) when the server answered 2xx.
async fn deliver(http: &reqwest::Client, url: &str, token: &str, body: String) -> Result<(), String> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("clockify-signature", token)
        .header("clockify-webhook-event-type", "NEW_TIME_ENTRY")
        .body(body)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{}", response.status()))
    }
}

/// What became of one delivery of an open-loop run.
struct Sent {
    id: String,
    at: Instant,
    /// How late the sender was against the schedule.
    lag: Duration,
    result: Result<(), String>,
}

/// Sends `count` deliveries at `rate` per second on a fixed schedule (open loop: a slow answer
/// never delays the next delivery), taking the workspaces in turn.
async fn open_loop(stack: &Stack, http: &reqwest::Client, run: &str, rate: f64, count: usize) -> Vec<Sent> {
    let url = Arc::new(stack.delivery_url());
    let tokens: Vec<Arc<String>> = stack
        .tenants
        .iter()
        .map(|tenant| Arc::new(tenant.token.clone()))
        .collect();
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let mut tasks = Vec::with_capacity(count);
    for index in 0..count {
        let due = start + period.mul_f64(index as f64);
        tokio::time::sleep_until(due).await;
        let tenant = index % tokens.len();
        let (http, url, token) = (http.clone(), url.clone(), tokens[tenant].clone());
        let id = event_id(run, index);
        let body = time_entry(&id, &stack.tenants[tenant].workspace, index);
        tasks.push(tokio::spawn(async move {
            let at = Instant::now();
            let lag = at.saturating_duration_since(due.into_std());
            let result = deliver(&http, &url, &token, body).await;
            Sent { id, at, lag, result }
        }));
    }
    let mut sent = Vec::with_capacity(count);
    for task in tasks {
        sent.push(task.await.unwrap());
    }
    sent
}

// ---------------------------------------------------------------------------------------------
// Figures

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

struct Summary {
    count: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn summarize(mut values: Vec<f64>) -> Summary {
    values.sort_by(f64::total_cmp);
    Summary {
        count: values.len(),
        p50: percentile(&values, 0.50),
        p90: percentile(&values, 0.90),
        p99: percentile(&values, 0.99),
        max: values.last().copied().unwrap_or(f64::NAN),
    }
}

/// Where the time went inside the server, per succeeded run, from the database (ms).
async fn breakdown(stack: &Stack) {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT e.received_at, r.created_at, s.started_at, s.duration_ms, r.finished_at, r.attempts \
         FROM flow_runs r JOIN webhook_events e ON e.id = r.event_id \
         JOIN flow_run_steps s ON s.run_id = r.id AND s.step_index = 0 AND s.attempt = r.attempts + 1 \
         WHERE r.addon_key = $1 AND r.status = 'succeeded'",
    )
    .bind(stack.addon)
    .fetch_all(stack.store.pool())
    .await
    .unwrap();
    let mut stages: [Vec<f64>; 5] = Default::default();
    let mut retried = 0;
    for row in &rows {
        let received: i64 = row.get(0);
        let created: i64 = row.get(1);
        let started: i64 = row.get(2);
        let duration: i64 = row.get(3);
        let finished: Option<i64> = row.get(4);
        let attempts: i64 = row.get(5);
        let Some(finished) = finished else { continue };
        if attempts > 0 {
            retried += 1;
        }
        stages[0].push((created - received) as f64);
        stages[1].push((started - created) as f64);
        stages[2].push(duration as f64);
        stages[3].push((finished - started - duration) as f64);
        stages[4].push((finished - received) as f64);
    }
    let labels = [
        "received → run created (ingest commit + match)",
        "run created → step started (claim + load)",
        "action (render + request)",
        "step ended → run finished (record + finish)",
        "received → run finished (in server)",
    ];
    println!(
        "    in the server, p50 / p99 / max ms ({} runs, {retried} retried):",
        rows.len()
    );
    for (label, values) in labels.iter().zip(stages) {
        let summary = summarize(values);
        println!(
            "      {label:<48} {:>7.0} {:>7.0} {:>7.0}",
            summary.p50, summary.p99, summary.max
        );
    }
}

fn print_latency_header() {
    println!(
        "{:<22} {:<9} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "scenario",
        "db",
        "rate/s",
        "sent",
        "seen",
        "errors",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "lag p99",
        "RSS MiB"
    );
}

/// One open-loop latency run; `kind` is `clockify` (tag observed in the simulator) or `http`
/// (request observed at the receiver). The deliveries take `workspaces` workspaces in turn,
/// each with its own simulator, observer and flow.
async fn latency(db: Db, kind: &str, rate: f64, seconds: f64, workspaces: usize) {
    let addon = if kind == "http" { UNIVERSAL_WEBHOOK } else { API_STUDIO };
    let Some(stack) = start_stack(db, addon, workspaces).await else {
        println!("{kind}: Postgres not reachable, skipped");
        return;
    };
    let arrivals = Arrivals::default();
    if kind == "http" {
        let receiver = start_receiver(arrivals.clone()).await;
        for tenant in &stack.tenants {
            stack.publish(&tenant.workspace, http_flow(&receiver, "")).await;
        }
    } else {
        for tenant in &stack.tenants {
            start_observer(&tenant.sim_url, arrivals.clone()).await;
            stack
                .publish(
                    &tenant.workspace,
                    json!({
                        "name": "Tag new time entries",
                        "trigger": { "eventTypes": ["NEW_TIME_ENTRY"] },
                        "actions": [
                            { "kind": "clockify", "id": "tag", "operationId": "createNewTag",
                              "body": { "name": "{{ body.id }}" } }
                        ]
                    }),
                )
                .await;
        }
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let count = (rate * seconds).round() as usize;
    let run = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let server_cpu = stack.cpu_seconds();
    let started = Instant::now();
    let sent = open_loop(&stack, &http, run, rate, count).await;
    let accepted = sent.iter().filter(|sent| sent.result.is_ok()).count();
    // Wait for every accepted event's action, or until nothing arrives for 30 s.
    let mut last = (arrivals.distinct(), Instant::now());
    while arrivals.distinct() < accepted && last.1.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = arrivals.distinct();
        if now != last.0 {
            last = (now, Instant::now());
        }
    }
    let server_cores = (stack.cpu_seconds() - server_cpu) / started.elapsed().as_secs_f64();
    let latencies: Vec<f64> = sent
        .iter()
        .filter(|sent| sent.result.is_ok())
        .filter_map(|sent| arrivals.get(&sent.id).map(|at| (at - sent.at).as_secs_f64() * 1000.0))
        .collect();
    let lags = summarize(sent.iter().map(|sent| sent.lag.as_secs_f64() * 1000.0).collect());
    let errors = sent.len() - accepted;
    let seen = latencies.len();
    let summary = summarize(latencies);
    let label = if kind == "http" {
        "HTTP action"
    } else {
        "Clockify action"
    };
    print_latency_header();
    let label = if stack.tenants.len() > 1 {
        format!("{label}, {} ws", stack.tenants.len())
    } else {
        label.to_string()
    };
    println!(
        "{:<22} {:<9} {:>7.0} {:>7} {:>7} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>8.1}",
        label,
        db.name(),
        rate,
        sent.len(),
        summary.count,
        errors + (accepted - seen),
        summary.p50,
        summary.p90,
        summary.p99,
        summary.max,
        lags.p99,
        stack.peak_rss_mib()
    );
    println!(
        "    server CPU {server_cores:.2} cores on average; machine load average {}",
        load_average()
    );
    if let Some(error) = sent.iter().find_map(|sent| sent.result.as_ref().err()) {
        println!("    first delivery error: {error}");
    }
    if seen < accepted {
        println!("    {} accepted events never showed their action", accepted - seen);
        if let Some(line) = stack.first_server_error() {
            println!("    first server warning: {line}");
        }
    }
    if kind != "http" {
        let mut too_many = 0;
        for tenant in &stack.tenants {
            let stats: Value = http
                .get(format!("{}/sim/stats", tenant.sim_url))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap_or(Value::Null);
            too_many += stats["tooManyRequests"].as_i64().unwrap_or_default();
        }
        println!("    simulators: 429s answered {too_many}");
    }
    breakdown(&stack).await;
    stack.stop().await;
}

/// The HTTP action flow: POSTs the entry to `{receiver}/hook/{event id}{suffix}`.
fn http_flow(receiver: &str, suffix: &str) -> Value {
    json!({
        "name": format!("Forward entries{suffix}"),
        "trigger": { "eventTypes": ["NEW_TIME_ENTRY"] },
        "actions": [
            { "kind": "http", "id": "forward", "method": "POST",
              "url": format!("{receiver}/hook/{{{{ body.id }}}}{suffix}"),
              "headers": { "content-type": "application/json" },
              "body": "{{ body | json }}" }
        ]
    })
}

/// N deliveries as fast as ingestion takes them, `flows` identical flows matching each; runs/s
/// to the last run finished.
async fn throughput(db: Db, events: usize, flows: usize) {
    let Some(stack) = start_stack(db, UNIVERSAL_WEBHOOK, 1).await else {
        println!("throughput: Postgres not reachable, skipped");
        return;
    };
    let arrivals = Arrivals::default();
    let receiver = start_receiver(arrivals.clone()).await;
    let tenant = &stack.tenants[0];
    for index in 0..flows {
        let suffix = if flows == 1 { String::new() } else { format!("-{index}") };
        stack.publish(&tenant.workspace, http_flow(&receiver, &suffix)).await;
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let first_error: Arc<Mutex<Option<String>>> = Arc::default();
    let server_cpu = stack.cpu_seconds();
    let bench_cpu = cpu_seconds("/proc/self/stat");
    let started = Instant::now();
    let mut senders = Vec::new();
    for _ in 0..SENDERS {
        let (http, url, token) = (http.clone(), stack.delivery_url(), tenant.token.clone());
        let (next, accepted, first_error) = (next.clone(), accepted.clone(), first_error.clone());
        let (workspace, run) = (tenant.workspace.clone(), run.clone());
        senders.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= events {
                    break;
                }
                let body = time_entry(&event_id(&run, index), &workspace, index);
                match deliver(&http, &url, &token, body).await {
                    Ok(()) => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(error) => {
                        first_error.lock().unwrap().get_or_insert(error);
                    }
                }
            }
        }));
    }
    // Once a second: how many the receiver has seen, while the senders work and after.
    let mut per_second = Vec::new();
    let mut ingest_seconds = None;
    let mut previous = 0;
    let mut stalled_since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if ingest_seconds.is_none() && senders.iter().all(tokio::task::JoinHandle::is_finished) {
            ingest_seconds = Some(started.elapsed().as_secs_f64());
        }
        let seen = arrivals.distinct();
        per_second.push(seen - previous);
        if seen != previous {
            stalled_since = Instant::now();
        }
        previous = seen;
        let accepted_now = accepted.load(Ordering::Relaxed) * flows;
        if ingest_seconds.is_some() && seen >= accepted_now {
            break;
        }
        if stalled_since.elapsed() > Duration::from_secs(30) {
            println!("    no progress for 30 s: stopped waiting");
            break;
        }
    }
    for sender in senders {
        let _ = sender.await;
    }
    let accepted = accepted.load(Ordering::Relaxed);
    let wall = started.elapsed().as_secs_f64();
    let server_cpu = stack.cpu_seconds() - server_cpu;
    let bench_cpu = cpu_seconds("/proc/self/stat") - bench_cpu;
    // The last runs are recorded just after their request arrived.
    let wait = Instant::now();
    let mut succeeded = stack.count_runs("succeeded").await;
    while (succeeded as usize) < accepted * flows && wait.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        succeeded = stack.count_runs("succeeded").await;
    }
    let mut other = Vec::new();
    for status in ["queued", "running", "retrying", "failed", "dead"] {
        let count = stack.count_runs(status).await;
        if count > 0 {
            other.push(format!("{status} {count}"));
        }
    }
    use sqlx::Row;
    let span = sqlx::query(
        "SELECT MIN(e.received_at), MAX(r.finished_at) FROM flow_runs r JOIN webhook_events e ON e.id = r.event_id \
         WHERE r.addon_key = $1",
    )
    .bind(stack.addon)
    .fetch_one(stack.store.pool())
    .await
    .unwrap();
    let first_received: Option<i64> = span.get(0);
    let last_finished: Option<i64> = span.get(1);
    let seconds = match (first_received, last_finished) {
        (Some(first), Some(last)) => (last - first) as f64 / 1000.0,
        _ => f64::NAN,
    };
    let ingest_seconds = ingest_seconds.unwrap_or(f64::NAN);
    println!(
        "{:<9} {:>6} {:>7} {:>9} {:>9} {:>9} {:>8} {:>9} {:>10} {:>9} {:>8}",
        "db",
        "flows",
        "events",
        "accepted",
        "ingest s",
        "ingest/s",
        "runs ok",
        "receiver",
        "span s",
        "runs/s",
        "RSS MiB"
    );
    println!(
        "{:<9} {:>6} {:>7} {:>9} {:>9.1} {:>9.0} {:>8} {:>9} {:>10.1} {:>9.0} {:>8.1}",
        db.name(),
        flows,
        events,
        accepted,
        ingest_seconds,
        accepted as f64 / ingest_seconds,
        succeeded,
        arrivals.distinct(),
        seconds,
        succeeded as f64 / seconds,
        stack.peak_rss_mib()
    );
    println!(
        "    receiver requests in all: {} (duplicates: {}); other runs: {}",
        arrivals.requests.load(Ordering::Relaxed),
        arrivals.requests.load(Ordering::Relaxed) as usize - arrivals.distinct(),
        if other.is_empty() {
            "none".to_string()
        } else {
            other.join(", ")
        }
    );
    if let Some(error) = first_error.lock().unwrap().as_ref() {
        println!("    first delivery error: {error}");
    }
    println!(
        "    CPU over {wall:.1} s: server {server_cpu:.1} s ({:.2} ms per run, ingestion included), \
         this process (simulator, senders, receiver) {bench_cpu:.1} s; {:.0}% of {} cores; \
         load average {}",
        server_cpu * 1000.0 / succeeded.max(1) as f64,
        (server_cpu + bench_cpu) * 100.0 / (wall * cores() as f64),
        cores(),
        load_average()
    );
    println!(
        "    actions per second at the receiver: {}",
        per_second.iter().map(usize::to_string).collect::<Vec<_>>().join(" ")
    );
    breakdown(&stack).await;
    stack.stop().await;
}

/// The 1-minute load average: how busy the machine was (other work included).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "?".into())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[tokio::main]
async fn main() {
    let env_number = |name: &str, default: f64| -> f64 {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let seconds = env_number("FLOWS_SECONDS", 15.0);
    let events = env_number("FLOWS_EVENTS", 20_000.0) as usize;
    let flows = (env_number("FLOWS_THROUGHPUT_FLOWS", 1.0) as usize).max(1);
    let workspaces = (env_number("FLOWS_WORKSPACES", 5.0) as usize).max(1);
    let databases: Vec<Db> = match std::env::var("FLOWS_DB").as_deref() {
        Ok("sqlite") => vec![Db::Sqlite],
        Ok("postgres") => vec![Db::Postgres],
        _ => vec![Db::Sqlite, Db::Postgres],
    };
    let scenarios = std::env::var("FLOWS_SCENARIOS").unwrap_or_else(|_| "clockify,clockify200,http,throughput".into());
    let wanted = |name: &str| scenarios.split(',').any(|scenario| scenario.trim() == name);
    println!(
        "flows benchmark: server binary (release), simulator in-process, {} cores; latency = action observed − delivery sent",
        cores()
    );
    for db in databases {
        println!("\n== {} ==", db.name());
        if wanted("clockify") {
            latency(db, "clockify", 40.0, seconds, 1).await;
        }
        if wanted("clockify200") {
            // Clockify allows 50 requests/s per add-on and workspace: 200 actions/s need at
            // least four workspaces. Spread over `workspaces` of them.
            latency(db, "clockify", 200.0, seconds, workspaces).await;
        }
        if wanted("clockify200one") {
            // Over one workspace's 50 requests/s: kept short, the backlog grows by 150 a second.
            latency(db, "clockify", 200.0, (seconds / 5.0).max(1.0), 1).await;
        }
        if wanted("http") {
            latency(db, "http", 200.0, seconds, 1).await;
        }
        if wanted("throughput") {
            throughput(db, events, flows).await;
        }
    }
}
