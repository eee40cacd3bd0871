//! Bootstrap benchmark: the real server binary pulls a simulated workspace at Clockify's
//! 50 requests/s limit. Prints requests made, wall time, budget utilisation (achieved
//! requests/s over the limit), 429s and the server's peak RSS, for a workspace a tenth of the
//! size and for the full one, so memory can be seen to stay flat in the workspace size.
//!
//! Run: `cargo bench -p server --bench bootstrap` (release build; about 1.5 minutes).
//! Sizes: `BENCH_SCALE=0.1` runs only the small workspace.

use std::{
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use addon_core::store::{BootstrapStore, SqlStore};
use serde_json::{json, Value};
use sim::WorkspaceSpec;
use support::{install_through_sim, peak_rss_mib};

mod support;

const LIMIT_PER_SECOND: f64 = 50.0;
const ADDON: &str = "universal-webhook";

struct Figures {
    label: String,
    entities: i64,
    requests: i64,
    seconds: f64,
    rate_limited: i64,
    sim_429: i64,
    peak_rss_mib: f64,
}

fn spec(scale: f64) -> WorkspaceSpec {
    let scaled = |full: f64| ((full * scale).round() as usize).max(1);
    WorkspaceSpec {
        users: scaled(200.0),
        projects: scaled(2_000.0),
        tasks: scaled(20_000.0),
        time_entries: scaled(100_000.0),
        clients: scaled(100.0),
        tags: scaled(200.0),
        ..WorkspaceSpec::default()
    }
}

async fn start_sim(spec: WorkspaceSpec) -> (String, String) {
    let data_dir = std::env::temp_dir().join(format!("bench-sim-{}", uuid::Uuid::new_v4().simple()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = sim::SimConfig {
        data_dir: data_dir.clone(),
        workspace: spec,
        ..sim::SimConfig::default()
    };
    tokio::spawn(async move {
        let _ = sim::run(config, listener).await;
    });
    let http = reqwest::Client::new();
    for _ in 0..400 {
        if http
            .get(format!("{url}/sim/public-key.pem"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let key = data_dir.join("sim-public-key.pem").to_string_lossy().to_string();
    (url, key)
}

fn start_server(port: u16, data_dir: &std::path::Path, key: &str, database_url: &str) -> Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", data_dir)
        .env("CLOCKIFY_PUBLIC_KEY_PATH", key)
        .env("LOG_LEVEL", "warn")
        .env("UW_BOOTSTRAP_INCLUDE_HEAVY", "true")
        .env("UW_BOOTSTRAP_INCLUDE_TIME_ENTRIES", "true")
        .env("UW_BOOTSTRAP_TIME_ENTRY_LOOKBACK_DAYS", "3650")
        .env("UW_BOOTSTRAP_MAX_RPS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary")
}

async fn run(label: &str, scale: f64) -> Figures {
    let (sim_url, key) = start_sim(spec(scale)).await;
    let http = reqwest::Client::new();
    http.put(format!("{sim_url}/sim/faults"))
        .json(&json!({ "rateLimit": LIMIT_PER_SECOND as u32 }))
        .send()
        .await
        .unwrap();
    let data_dir = std::env::temp_dir().join(format!("bench-addons-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let database_url = format!("sqlite://{}/addons.db", data_dir.display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(port, &data_dir, &key, &database_url);
    for _ in 0..400 {
        if http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let workspace_id = install_through_sim(&http, &sim_url, &format!("http://127.0.0.1:{port}/{ADDON}/manifest")).await;
    let store = SqlStore::connect(&database_url).await.unwrap();
    let started = Instant::now();
    let job = loop {
        if let Some(job) = store.job(ADDON, &workspace_id).await.unwrap() {
            if job.status == "done" || job.status == "failed" {
                break job;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "the bootstrap did not finish"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let peak_rss_mib = peak_rss_mib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    let stats: Value = http
        .get(format!("{sim_url}/sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entities = store
        .entity_counts(ADDON, &workspace_id)
        .await
        .unwrap()
        .iter()
        .map(|(_, count)| count)
        .sum();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(job.status, "done", "{job:?}");
    Figures {
        label: label.to_string(),
        entities,
        requests: job.requests,
        seconds: (job.finished_at.unwrap_or(job.updated_at) - job.started_at) as f64 / 1000.0,
        rate_limited: job.rate_limited,
        sim_429: stats["tooManyRequests"].as_i64().unwrap_or(-1),
        peak_rss_mib,
    }
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let scales: Vec<(String, f64)> = match std::env::var("BENCH_SCALE").ok().and_then(|scale| scale.parse().ok()) {
        Some(scale) => vec![(format!("scale {scale}"), scale)],
        None => vec![("a tenth".into(), 0.1), ("full".into(), 1.0)],
    };
    println!(
        "bootstrap benchmark: 200 users, 2,000 projects, 20,000 tasks, 100,000 time entries at full scale; limit {LIMIT_PER_SECOND}/s"
    );
    println!(
        "{:<10} {:>10} {:>9} {:>9} {:>8} {:>12} {:>6} {:>6} {:>14}",
        "workspace", "entities", "requests", "wall s", "req/s", "utilisation", "429s", "sim429", "peak RSS MiB"
    );
    for (label, scale) in scales {
        let figures = run(&label, scale).await;
        let rate = figures.requests as f64 / figures.seconds.max(0.001);
        println!(
            "{:<10} {:>10} {:>9} {:>9.1} {:>8.1} {:>11.1}% {:>6} {:>6} {:>14.1}",
            figures.label,
            figures.entities,
            figures.requests,
            figures.seconds,
            rate,
            rate * 100.0 / LIMIT_PER_SECOND,
            figures.rate_limited,
            figures.sim_429,
            figures.peak_rss_mib
        );
    }
}
