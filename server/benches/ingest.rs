//! Ingestion load benchmark: wrk (Debian's package) posts Clockify-signed deliveries with
//! unique event ids, 64 connections, 1 KB and 20 KB bodies, to the real server binary on SQLite
//! and on Postgres, and the same load to a bare axum handler that only answers 200 (the ceiling
//! on this machine). Prints throughput, p50, p99, errors, the ratio to the bare handler, and the
//! server's peak RSS. Beside each server run, the storage path alone (the same store recording
//! batches, no HTTP): the most this machine's database lets the server take in.
//!
//! Run: `cargo bench -p server --bench ingest` (needs `wrk`; `scripts/setup.sh` installs it).
//! `BENCH_SECONDS` (default 8) sets each run's length; Postgres is skipped when unreachable;
//! `BENCH_DATABASES=sqlite` and `BENCH_BODIES=1024` run a part.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::json;
use support::{free_port, peak_rss_mib};

mod support;

const ADDON: &str = "api-studio";
const WORKSPACE: &str = "60332d61ff30282b1f23e624";
const ADDON_ID: &str = "62ddf9b201f42e74228efa3c";
const CONNECTIONS: u32 = 64;

struct Run {
    throughput: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// The ceiling: an axum handler that reads the body and answers 200.
async fn start_bare() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::post(|_body: axum::body::Bytes| async { axum::Json(json!({ "status": "accepted" })) }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

fn wrk_script(dir: &std::path::Path, token: &str, body_bytes: usize) -> std::path::PathBuf {
    let pad = body_bytes.saturating_sub(120);
    let script = format!(
        r#"local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local counter = 0
local pad = string.rep("x", {pad})
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["clockify-signature"] = "{token}"
wrk.headers["clockify-webhook-event-type"] = "NEW_TIME_ENTRY"
request = function()
  counter = counter + 1
  local body = '{{"id":"' .. tid .. '-' .. counter .. '-' .. math.random(1, 1000000000) .. '","workspaceId":"{WORKSPACE}","description":"' .. pad .. '"}}'
  return wrk.format(nil, nil, nil, body)
end
"#
    );
    let path = dir.join(format!("load-{body_bytes}.lua"));
    std::fs::write(&path, script).unwrap();
    path
}

/// Runs wrk and reads its summary.
fn wrk(url: &str, script: &std::path::Path, seconds: u64) -> Run {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
        .expect("wrk is installed (scripts/setup.sh)");
    let text = String::from_utf8_lossy(&output.stdout);
    let number_after = |label: &str| -> Option<String> {
        text.lines()
            .find(|line| line.trim_start().starts_with(label))
            .and_then(|line| {
                line.split_whitespace()
                    .nth(label.split_whitespace().count())
                    .map(String::from)
            })
    };
    let millis = |value: Option<String>| -> f64 {
        let Some(value) = value else { return f64::NAN };
        let (number, factor) = if let Some(us) = value.strip_suffix("us") {
            (us, 0.001)
        } else if let Some(ms) = value.strip_suffix("ms") {
            (ms, 1.0)
        } else if let Some(s) = value.strip_suffix('s') {
            (s, 1000.0)
        } else {
            (value.as_str(), 1.0)
        };
        number.parse::<f64>().map_or(f64::NAN, |number| number * factor)
    };
    let non_2xx: u64 = number_after("Non-2xx or 3xx responses:")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let socket_errors: u64 = text
        .lines()
        .find(|line| line.contains("Socket errors"))
        .map(|line| {
            line.split(|c: char| !c.is_ascii_digit())
                .filter_map(|part| part.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Run {
        throughput: number_after("Requests/sec:")
            .and_then(|value| value.parse().ok())
            .unwrap_or(f64::NAN),
        p50_ms: millis(number_after("50%")),
        p99_ms: millis(number_after("99%")),
        errors: non_2xx + socket_errors,
    }
}

/// The storage path alone: batches of [`CEILING_BATCH`] deliveries recorded one after another
/// through the same store and writer connection the server uses, no HTTP. Its events per second
/// bound what the server can take in on this machine with this database.
const CEILING_BATCH: usize = 32;

async fn storage_ceiling(database_url: &str, body_bytes: usize, seconds: u64) -> (f64, f64) {
    use addon_core::store::{
        events::{EventStore, NewEvent},
        new_id, SqlStore,
    };
    let store = SqlStore::connect(database_url).await.expect("open the database");
    let body = format!(
        r#"{{"workspaceId":"{WORKSPACE}","description":"{}"}}"#,
        "x".repeat(body_bytes.saturating_sub(80))
    );
    let started = std::time::Instant::now();
    let mut recorded = 0usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        let now = addon_core::lifecycle::now_millis();
        let batch: Vec<NewEvent> = (0..CEILING_BATCH)
            .map(|_| {
                let id = new_id();
                NewEvent {
                    dedupe_key: addon_core::ingest::content_hash(&[id.as_bytes()]),
                    id,
                    addon_key: ADDON.into(),
                    workspace_id: WORKSPACE.into(),
                    source: addon_core::store::events::CLOCKIFY_SOURCE.into(),
                    event_type: "NEW_TIME_ENTRY".into(),
                    dedupe_since: now - 72 * 3_600_000,
                    received_at: now,
                    headers: r#"{"content-type":"application/json","clockify-signature":"[redacted]"}"#.into(),
                    query: String::new(),
                    body: body.clone(),
                    queue_flow: true,
                }
            })
            .collect();
        store.record_events(&batch).await.expect("record a batch");
        recorded += batch.len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Also ends its background checkpoints.
    store.pool().close().await;
    (recorded as f64 / elapsed, elapsed * 1e6 / recorded as f64)
}

/// Starts the server on `database_url` with the add-on installed; returns it, its port and the
/// webhook token to sign deliveries with.
async fn start_server(dir: &std::path::Path, database_url: &str, signer: &sim::Signer) -> (Child, u16, String) {
    let key_path = dir.join("key.pem");
    std::fs::write(&key_path, signer.public_key_pem()).unwrap();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", dir)
        .env("CLOCKIFY_PUBLIC_KEY_PATH", &key_path)
        .env("LOG_LEVEL", "warn")
        .stdout(std::fs::File::create(dir.join("server.log")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary");
    let http = reqwest::Client::new();
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
    let webhook = signer.sign(&sim::tokens::webhook_claims(ADDON, WORKSPACE, ADDON_ID));
    let installation = signer.sign(&sim::tokens::installation_claims(
        ADDON,
        WORKSPACE,
        ADDON_ID,
        "http://127.0.0.1:9",
        "u1",
    ));
    let body = json!({
        "addonId": ADDON_ID, "authToken": installation, "workspaceId": WORKSPACE, "asUser": "u1",
        "apiUrl": "http://127.0.0.1:9/api",
        "webhooks": [{ "path": format!("http://127.0.0.1:{port}/{ADDON}/webhooks/clockify"), "webhookType": "ADDON", "authToken": webhook }]
    });
    let installed = http
        .post(format!("http://127.0.0.1:{port}/{ADDON}/lifecycle/installed"))
        .header(
            "X-Addon-Lifecycle-Token",
            signer.sign(&sim::tokens::lifecycle_claims(ADDON, WORKSPACE, ADDON_ID)),
        )
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(installed.status().is_success());
    (child, port, webhook)
}

/// The writer's mean batch size and time, from the server's `/metrics`.
/// The writer's group commits (mean events and milliseconds per batch) and SQLite's WAL
/// rewinds (how many, mean milliseconds).
struct WriterFigures {
    events_per_batch: f64,
    millis_per_batch: f64,
    rewinds: f64,
    millis_per_rewind: f64,
}

async fn writer_figures(port: u16) -> Option<WriterFigures> {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let value = |name: &str| -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    };
    let batches = value("webhook_ingest_batch_events_count")?;
    let rewinds = value("sqlite_wal_rewind_seconds_count").unwrap_or(0.0);
    Some(WriterFigures {
        events_per_batch: value("webhook_ingest_batch_events_sum")? / batches,
        millis_per_batch: value("webhook_ingest_batch_seconds_sum")? / value("webhook_ingest_batch_seconds_count")?
            * 1000.0,
        rewinds,
        millis_per_rewind: value("sqlite_wal_rewind_seconds_sum").unwrap_or(0.0) / rewinds.max(1.0) * 1000.0,
    })
}

async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut connection = sqlx::PgConnection::connect(&admin).await.ok()?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .ok()?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

fn print_row(target: &str, body: usize, run: &Run, bare: &Run, rss: Option<f64>) {
    println!(
        "{:<10} {:>6} {:>12.0} {:>9.2} {:>9.2} {:>7} {:>7.2} {:>12}",
        target,
        format!("{}KB", body / 1024),
        run.throughput,
        run.p50_ms,
        run.p99_ms,
        run.errors,
        run.throughput / bare.throughput,
        rss.map_or_else(|| "-".to_string(), |rss| format!("{rss:.1}"))
    );
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let dir = std::env::temp_dir().join(format!("bench-ingest-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let signer = sim::Signer::generate().unwrap();
    let bare_port = start_bare().await;
    println!("ingest benchmark: wrk, {CONNECTIONS} connections, {seconds} s per run, unique event ids");
    println!(
        "{:<10} {:>6} {:>12} {:>9} {:>9} {:>7} {:>7} {:>12}",
        "target", "body", "requests/s", "p50 ms", "p99 ms", "errors", "ratio", "peak RSS MiB"
    );
    // BENCH_DATABASES (sqlite,postgres) and BENCH_BODIES (1024,20480) narrow a run.
    let wanted =
        |variable: &str, item: &str| std::env::var(variable).map_or(true, |list| list.split(',').any(|x| x == item));
    let mut databases = vec![];
    if wanted("BENCH_DATABASES", "sqlite") {
        databases.push(("sqlite", format!("sqlite://{}/addons.db", dir.display())));
    }
    if wanted("BENCH_DATABASES", "postgres") {
        if let Some(url) = fresh_postgres().await {
            databases.push(("postgres", url));
        } else {
            println!("(Postgres not reachable: skipped)");
        }
    }
    for body in [1024usize, 20 * 1024] {
        if !wanted("BENCH_BODIES", &body.to_string()) {
            continue;
        }
        let bare_script = wrk_script(&dir, "none", body);
        let bare = wrk(&format!("http://127.0.0.1:{bare_port}/x"), &bare_script, seconds);
        print_row("bare axum", body, &bare, &bare, None);
        for (name, url) in &databases {
            let run_dir = dir.join(format!("{name}-{body}"));
            std::fs::create_dir_all(&run_dir).unwrap();
            let url = if *name == "sqlite" {
                format!("sqlite://{}/addons.db", run_dir.display())
            } else {
                url.clone()
            };
            let ceiling_url = if *name == "sqlite" {
                format!("sqlite://{}/ceiling.db", run_dir.display())
            } else {
                url.clone()
            };
            let (ceiling, micros) = storage_ceiling(&ceiling_url, body, seconds.min(4)).await;
            let (mut server, port, token) = start_server(&run_dir, &url, &signer).await;
            let script = wrk_script(&run_dir, &token, body);
            let run = wrk(
                &format!("http://127.0.0.1:{port}/{ADDON}/webhooks/clockify"),
                &script,
                seconds,
            );
            let rss = peak_rss_mib(server.id());
            let figures = writer_figures(port).await;
            let _ = server.kill();
            let _ = server.wait();
            print_row(name, body, &run, &bare, Some(rss));
            if let Some(figures) = figures {
                println!(
                    "           group commit: {:.1} events per batch, {:.2} ms per batch (means); \
                     WAL rewinds: {}, {:.1} ms each (mean)",
                    figures.events_per_batch, figures.millis_per_batch, figures.rewinds, figures.millis_per_rewind
                );
            }
            println!(
                "           storage alone (batches of {CEILING_BATCH}, no HTTP): {ceiling:.0} events/s, \
                 {micros:.1} µs per event"
            );
            if run.errors > 0 {
                // Say why: the first error the server logged.
                let log = std::fs::read_to_string(run_dir.join("server.log")).unwrap_or_default();
                if let Some(line) = log.lines().find(|line| line.contains("ERROR")) {
                    println!(
                        "           first server error: {}",
                        line.chars().take(300).collect::<String>()
                    );
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
