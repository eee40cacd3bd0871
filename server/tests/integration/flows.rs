//! Flows end to end over real HTTP, on SQLite and Postgres: the simulator fires a webhook, the
//! add-on ingests it, the runtime runs the published flow, and the flow's Clockify call
//! changes the simulator's data. Injected 5xx are retried, exhausted retries dead-letter, an
//! event no flow matches is recorded as such, and generic HTTP actions reach a local receiver
//! only when private networks are explicitly allowed.

use std::{sync::Arc, time::Duration};

use addon_core::store::{
    events::EventFilter,
    flows::{run_status, RunRow},
    Store,
};
use serde_json::{json, Value};
use sim::WorkspaceSpec;
use tokio::sync::Mutex;

use crate::support::{publish_flow as publish, Db, TestApp, TestSim};

async fn workspace_id(sim: &TestSim) -> String {
    sim.workspace().await["id"].as_str().unwrap().to_string()
}

/// Starts a simulator and the add-on trusting it, installs `addon`; no bootstrap noise.
async fn start(db: Db, addon: &str, extra: &[(&str, &str)]) -> Option<(TestSim, TestApp, String)> {
    let sim = TestSim::start(WorkspaceSpec {
        users: 2,
        projects: 3,
        clients: 1,
        tags: 2,
        tasks: 0,
        time_entries: 5,
        ..WorkspaceSpec::default()
    })
    .await;
    let key = sim.key();
    let mut env = vec![("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str()), ("FLOW_RETRY_BASE_MS", "50")];
    env.extend_from_slice(extra);
    let app = TestApp::start_with(db, &env).await?;
    sim.install(&app.address, addon).await;
    let workspace = workspace_id(&sim).await;
    Some((sim, app, workspace))
}

async fn fire(sim: &TestSim, event: &str, body: Option<Value>) -> Value {
    let mut request = json!({ "event": event });
    if let Some(body) = body {
        request["body"] = body;
    }
    let response = reqwest::Client::new()
        .post(format!("{}/sim/webhooks/fire", sim.url))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// Waits until the flow has a run in one of `statuses`.
async fn wait_for_run(store: &dyn Store, addon: &str, workspace: &str, flow: &str, statuses: &[&str]) -> RunRow {
    let started = std::time::Instant::now();
    loop {
        let (runs, _) = store.runs(addon, workspace, Some(flow), None, 0, 10).await.unwrap();
        if let Some(run) = runs.iter().find(|run| statuses.contains(&run.status.as_str())) {
            return run.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no run reached {statuses:?}: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn tag_flow(name_template: &str) -> Value {
    json!({
        "name": "Tag new time entries",
        "trigger": { "eventTypes": ["NEW_TIME_ENTRY"] },
        "conditions": { "combine": "all", "groups": [
            { "combine": "all", "rules": [ { "path": "$.body.id", "operator": "exists" } ] }
        ] },
        "actions": [
            { "kind": "clockify", "id": "tag", "operationId": "createNewTag",
              "body": { "name": name_template } }
        ]
    })
}

async fn a_flow_adds_a_tag_through_the_simulator(db: Db) {
    let addon = "api-studio";
    let Some((sim, app, workspace)) = start(db, addon, &[]).await else {
        return;
    };
    let flow = publish(
        app.store.as_ref(),
        addon,
        &workspace,
        tag_flow("flow {{ body.id }} {{ event.type | lower }}"),
    )
    .await;
    let fired = fire(&sim, "NEW_TIME_ENTRY", None).await;
    let entry_id = fired["body"]["id"].as_str().unwrap().to_string();
    let run = wait_for_run(
        app.store.as_ref(),
        addon,
        &workspace,
        &flow,
        &[run_status::SUCCEEDED, run_status::FAILED],
    )
    .await;
    assert_eq!(run.status, run_status::SUCCEEDED, "{run:?}");
    assert_eq!(run.event_type, "NEW_TIME_ENTRY");

    // The simulator's data changed: it created the tag and told its subscribers, so the
    // add-on itself receives NEW_TAG with the name the flow rendered.
    let tag_name = format!("flow {entry_id} new_time_entry");
    let started = std::time::Instant::now();
    loop {
        let events = app
            .store
            .events(addon, &workspace, &Default::default(), 0, 50)
            .await
            .unwrap()
            .items;
        let mut new_tags = Vec::new();
        for event in events.iter().filter(|event| event.event_type == "NEW_TAG") {
            let stored = app.store.event(addon, &workspace, &event.id).await.unwrap().unwrap();
            new_tags.push(serde_json::from_str::<Value>(&stored.body).unwrap()["name"].clone());
        }
        if new_tags.contains(&json!(tag_name)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no NEW_TAG {tag_name:?}: {new_tags:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let steps = app.store.run_steps(addon, &workspace, &run.id).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let step = &steps[0];
    assert_eq!((step.kind.as_str(), step.status.as_str()), ("clockify", "succeeded"));
    let request: Value = serde_json::from_str(&step.request).unwrap();
    assert_eq!(
        request["body"]["name"],
        format!("flow {entry_id} new_time_entry"),
        "{request}"
    );
    assert!(request["path"].as_str().unwrap().contains(&workspace), "{request}");
    let response: Value = serde_json::from_str(step.response.as_deref().unwrap()).unwrap();
    assert!(
        response["status"]
            .as_u64()
            .is_some_and(|status| (200..300).contains(&status)),
        "{response}"
    );
    let outputs: Value = serde_json::from_str(&run.outputs).unwrap();
    assert_eq!(
        outputs["tag"]["body"]["name"],
        format!("flow {entry_id} new_time_entry"),
        "the step's output is kept for later steps: {outputs}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_flow_adds_a_tag_on_sqlite() {
    a_flow_adds_a_tag_through_the_simulator(Db::Sqlite).await;
}

#[tokio::test]
async fn a_flow_adds_a_tag_on_postgres() {
    a_flow_adds_a_tag_through_the_simulator(Db::Postgres).await;
}

async fn an_injected_server_error_is_retried_then_succeeds(db: Db) {
    let addon = "api-studio";
    let Some((sim, app, workspace)) = start(db, addon, &[]).await else {
        return;
    };
    let flow = publish(app.store.as_ref(), addon, &workspace, tag_flow("retried {{ body.id }}")).await;
    sim.set_faults(json!({ "errorRate": 1.0 })).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::RETRYING]).await;
    assert!(
        run.error.as_deref().is_some_and(|error| error.contains("50")),
        "{run:?}"
    );
    sim.set_faults(json!({ "errorRate": 0.0 })).await;
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::SUCCEEDED]).await;
    assert!(run.attempts >= 1, "{run:?}");
    let steps = app.store.run_steps(addon, &workspace, &run.id).await.unwrap();
    assert_eq!(
        steps.first().map(|step| step.status.as_str()),
        Some("failed"),
        "{steps:?}"
    );
    assert_eq!(
        steps.last().map(|step| step.status.as_str()),
        Some("succeeded"),
        "{steps:?}"
    );
    assert!(
        steps.iter().all(|step| step.step_id == "tag"),
        "each attempt resumed at the one step: {steps:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn retried_then_succeeds_on_sqlite() {
    an_injected_server_error_is_retried_then_succeeds(Db::Sqlite).await;
}

#[tokio::test]
async fn retried_then_succeeds_on_postgres() {
    an_injected_server_error_is_retried_then_succeeds(Db::Postgres).await;
}

async fn exhausted_retries_dead_letter_and_retry_resumes(db: Db) {
    let addon = "universal-webhook";
    let Some((sim, app, workspace)) = start(db, addon, &[("UW_FLOW_MAX_RETRIES", "2")]).await else {
        return;
    };
    let flow = publish(app.store.as_ref(), addon, &workspace, tag_flow("dead {{ body.id }}")).await;
    sim.set_faults(json!({ "errorRate": 1.0 })).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::DEAD]).await;
    assert_eq!(run.attempts, 3, "the first attempt and two retries: {run:?}");
    assert!(
        run.error.as_deref().is_some_and(|error| error.contains("gave up")),
        "{run:?}"
    );
    let steps = app.store.run_steps(addon, &workspace, &run.id).await.unwrap();
    assert_eq!(steps.len(), 3, "{steps:?}");

    // "Retry" on the dead-lettered run, with Clockify healthy again.
    sim.set_faults(json!({ "errorRate": 0.0 })).await;
    let now = addon_core::lifecycle::now_millis();
    assert!(app.store.retry_run(addon, &workspace, &run.id, now).await.unwrap());
    assert!(
        !app.store.retry_run(addon, &workspace, &run.id, now).await.unwrap(),
        "a queued run cannot be retried twice"
    );
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::SUCCEEDED]).await;
    assert_eq!(run.error, None);
    // The history keeps every attempt: three failed, then the retried one succeeded.
    let steps = app.store.run_steps(addon, &workspace, &run.id).await.unwrap();
    let attempts: Vec<(i64, &str)> = steps.iter().map(|step| (step.attempt, step.status.as_str())).collect();
    assert_eq!(
        attempts,
        [(1, "failed"), (2, "failed"), (3, "failed"), (4, "succeeded")]
    );
    app.stop().await;
}

#[tokio::test]
async fn dead_letters_on_sqlite() {
    exhausted_retries_dead_letter_and_retry_resumes(Db::Sqlite).await;
}

#[tokio::test]
async fn dead_letters_on_postgres() {
    exhausted_retries_dead_letter_and_retry_resumes(Db::Postgres).await;
}

/// Events of one type (the newest first).
fn of_type(event_type: &str) -> EventFilter {
    EventFilter {
        event_type: Some(event_type.to_string()),
        ..Default::default()
    }
}

/// Waits for the job of the newest stored event of `event_type` and returns its outcome.
async fn newest_event_outcome(store: &dyn Store, addon: &str, workspace: &str, event_type: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let events = store
            .events(addon, workspace, &of_type(event_type), 0, 1)
            .await
            .unwrap()
            .items;
        if let Some(event) = events.first() {
            let outcomes = store.flow_job_outcomes(addon, workspace, &event.id).await.unwrap();
            if let Some((state, Some(outcome))) = outcomes.first() {
                assert_eq!(state, "done");
                return outcome.clone();
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no job outcome");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_event_no_flow_matches_is_recorded(db: Db) {
    let addon = "api-studio";
    let Some((sim, app, workspace)) = start(db, addon, &[]).await else {
        return;
    };
    // No flow at all: the event is logged and queues no job.
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let started = std::time::Instant::now();
    let event = loop {
        let events = app
            .store
            .events(addon, &workspace, &of_type("NEW_TIME_ENTRY"), 0, 1)
            .await
            .unwrap()
            .items;
        if let Some(event) = events.into_iter().next() {
            break event;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the event was not logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let outcomes = app.store.flow_job_outcomes(addon, &workspace, &event.id).await.unwrap();
    assert!(outcomes.is_empty(), "no job without a published flow: {outcomes:?}");
    // A flow whose condition does not hold, and one on another trigger.
    let mut never = tag_flow("never");
    never["conditions"]["groups"][0]["rules"][0] =
        json!({ "path": "$.body.description", "operator": "equals", "value": "no entry has this description" });
    let never = publish(app.store.as_ref(), addon, &workspace, never).await;
    let mut other = tag_flow("other");
    other["trigger"]["eventTypes"] = json!(["NEW_PROJECT"]);
    publish(app.store.as_ref(), addon, &workspace, other).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        newest_event_outcome(app.store.as_ref(), addon, &workspace, "NEW_TIME_ENTRY").await,
        "no flow matched"
    );
    let (runs, total) = app
        .store
        .runs(addon, &workspace, Some(&never), None, 0, 10)
        .await
        .unwrap();
    assert_eq!((runs.len(), total), (0, 0));
    // The matcher reads only events some flow triggers on, by the type recorded on the job
    // (the run "other" starts creates a tag, whose NEW_TAG event then matches no flow).
    fire(&sim, "NEW_PROJECT", None).await;
    assert_eq!(
        newest_event_outcome(app.store.as_ref(), addon, &workspace, "NEW_PROJECT").await,
        "matched 1 flow"
    );
    // A job queued before jobs named their event's type ('') still has its event read.
    let project_event = app
        .store
        .events(addon, &workspace, &of_type("NEW_PROJECT"), 0, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(project_event.event_type, "NEW_PROJECT");
    let raw = addon_core::store::SqlStore::connect(&app.database_url).await.unwrap();
    let legacy_job = addon_core::store::new_id();
    sqlx::query(
        "INSERT INTO flow_jobs (id, addon_key, workspace_id, event_id, state, attempts, run_after, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, 0, 0)",
    )
    .bind(&legacy_job)
    .bind(addon)
    .bind(&workspace)
    .bind(&project_event.id)
    .execute(raw.pool())
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let outcome = loop {
        let outcome: Option<String> = sqlx::query_scalar("SELECT outcome FROM flow_jobs WHERE id = $1")
            .bind(&legacy_job)
            .fetch_one(raw.pool())
            .await
            .unwrap();
        if let Some(outcome) = outcome {
            break outcome;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the legacy job was not matched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(outcome, "matched 1 flow");
    app.stop().await;
}

#[tokio::test]
async fn unmatched_events_are_recorded_on_sqlite() {
    an_event_no_flow_matches_is_recorded(Db::Sqlite).await;
}

#[tokio::test]
async fn unmatched_events_are_recorded_on_postgres() {
    an_event_no_flow_matches_is_recorded(Db::Postgres).await;
}

/// A receiver that records every request (method, path, headers, body) and answers 200.
async fn start_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::{extract::State, http::HeaderMap, routing::any, Router};
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let app = Router::new()
        .fallback(any(
            |State(seen): State<Arc<Mutex<Vec<Value>>>>, uri: axum::http::Uri, headers: HeaderMap, body: String| async move {
                let headers: serde_json::Map<String, Value> = headers
                    .iter()
                    .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap_or_default())))
                    .collect();
                seen.lock().await.push(json!({ "path": uri.path(), "headers": headers, "body": body }));
                axum::Json(json!({ "received": true }))
            },
        ))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

/// Stores a secret encrypted with the server's key, as the secrets page does.
async fn save_secret(app: &TestApp, addon: &str, workspace: &str, name: &str, value: &str) {
    let key = addon_core::crypto::SecretKey::from_base64(&app.secret_key).unwrap();
    let sealed = addon_core::crypto::SecretBox::new(key).encrypt(value).unwrap();
    app.store
        .save_flow_secret(addon, workspace, name, &sealed, 1)
        .await
        .unwrap();
}

fn http_flow(receiver: &str) -> Value {
    json!({
        "name": "Forward entries",
        "trigger": { "eventTypes": ["NEW_TIME_ENTRY"] },
        "actions": [
            { "kind": "http", "id": "forward", "method": "POST", "url": format!("{receiver}/hook"),
              "headers": { "authorization": "Bearer {{ secrets.RECEIVER_TOKEN }}", "content-type": "application/json" },
              "body": "{{ body | json }}" }
        ]
    })
}

async fn generic_http_reaches_only_allowed_addresses(db: Db) {
    let addon = "universal-webhook";
    let (receiver, seen) = start_receiver().await;
    // Private networks allowed (development): the request arrives, the secret is sent but
    // never recorded.
    let Some((sim, app, workspace)) = start(
        db,
        addon,
        &[
            ("UW_GENERIC_HTTP_ENABLED", "true"),
            ("UW_HTTP_ALLOW_PRIVATE_NETWORKS", "true"),
        ],
    )
    .await
    else {
        return;
    };
    save_secret(&app, addon, &workspace, "RECEIVER_TOKEN", "s3cret-value").await;
    let flow = publish(app.store.as_ref(), addon, &workspace, http_flow(&receiver)).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(
        app.store.as_ref(),
        addon,
        &workspace,
        &flow,
        &[run_status::SUCCEEDED, run_status::FAILED],
    )
    .await;
    assert_eq!(run.status, run_status::SUCCEEDED, "{run:?}");
    let received = seen.lock().await.clone();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["path"], "/hook");
    assert_eq!(received[0]["headers"]["authorization"], "Bearer s3cret-value");
    let steps = app.store.run_steps(addon, &workspace, &run.id).await.unwrap();
    assert!(!steps[0].request.contains("s3cret-value"), "{}", steps[0].request);
    assert!(steps[0].request.contains("••••"), "{}", steps[0].request);
    app.stop().await;
    drop(sim);

    // The default: the same flow is refused at connect, and nothing arrives.
    let Some((sim, app, workspace)) = start(db, addon, &[("UW_GENERIC_HTTP_ENABLED", "true")]).await else {
        return;
    };
    save_secret(&app, addon, &workspace, "RECEIVER_TOKEN", "s3cret-value").await;
    let flow = publish(app.store.as_ref(), addon, &workspace, http_flow(&receiver)).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(
        app.store.as_ref(),
        addon,
        &workspace,
        &flow,
        &[run_status::FAILED, run_status::SUCCEEDED],
    )
    .await;
    assert_eq!(run.status, run_status::FAILED, "{run:?}");
    assert!(
        run.error.as_deref().is_some_and(|error| error.contains("refused")),
        "{run:?}"
    );
    assert_eq!(seen.lock().await.len(), 1, "nothing more arrived");
    app.stop().await;
    drop(sim);
}

#[tokio::test]
async fn generic_http_on_sqlite() {
    generic_http_reaches_only_allowed_addresses(Db::Sqlite).await;
}

#[tokio::test]
async fn generic_http_on_postgres() {
    generic_http_reaches_only_allowed_addresses(Db::Postgres).await;
}

async fn set_setting(sim: &TestSim, addon: &str, id: &str, value: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/sim/addons/{addon}/settings", sim.url))
        .json(&json!([{ "id": id, "value": value }]))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

/// Turning flows off in Clockify's settings stops them at once (no restart); turning them on
/// again brings them back.
async fn the_flows_setting_takes_effect_live(db: Db) {
    let addon = "api-studio";
    let Some((sim, app, workspace)) = start(db, addon, &[]).await else {
        return;
    };
    let flow = publish(app.store.as_ref(), addon, &workspace, tag_flow("live {{ body.id }}")).await;
    set_setting(&sim, addon, "flows_enabled", json!(false)).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, total) = app
        .store
        .runs(addon, &workspace, Some(&flow), None, 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 0, "no run while flows are off");
    assert_eq!(
        app.store.count_flow_jobs(addon, &workspace).await.unwrap(),
        0,
        "events received while flows are off queue no work"
    );

    set_setting(&sim, addon, "flows_enabled", json!(true)).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::SUCCEEDED]).await;
    assert_eq!(run.status, run_status::SUCCEEDED);
    let (_, total) = app
        .store
        .runs(addon, &workspace, Some(&flow), None, 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 1);
    app.stop().await;
}

#[tokio::test]
async fn flows_setting_is_live_on_sqlite() {
    the_flows_setting_takes_effect_live(Db::Sqlite).await;
}

#[tokio::test]
async fn flows_setting_is_live_on_postgres() {
    the_flows_setting_takes_effect_live(Db::Postgres).await;
}

/// Waits until the receiver has seen `count` requests.
async fn wait_for_requests(seen: &Arc<Mutex<Vec<Value>>>, count: usize) -> Vec<Value> {
    let started = std::time::Instant::now();
    loop {
        let received = seen.lock().await.clone();
        if received.len() >= count {
            return received;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "only {} request(s) arrived",
            received.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A failed run alerts the workspace where its `failure_alert` setting says (a toast our page
/// shows in Clockify, a JSON POST to a URL); set to `off`, nothing is sent.
async fn failed_runs_alert_the_workspace(db: Db) {
    let addon = "universal-webhook";
    let (receiver, seen) = start_receiver().await;
    let Some((sim, app, workspace)) = start(
        db,
        addon,
        &[("UW_FLOW_MAX_RETRIES", "0"), ("UW_HTTP_ALLOW_PRIVATE_NETWORKS", "true")],
    )
    .await
    else {
        return;
    };
    set_setting(&sim, addon, "failure_alert", json!(format!("toast, {receiver}/alerts"))).await;
    let flow = publish(app.store.as_ref(), addon, &workspace, tag_flow("alert {{ body.id }}")).await;
    sim.set_faults(json!({ "errorRate": 1.0 })).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let run = wait_for_run(app.store.as_ref(), addon, &workspace, &flow, &[run_status::DEAD]).await;

    let received = wait_for_requests(&seen, 1).await;
    assert_eq!(received[0]["path"], "/alerts");
    assert_eq!(received[0]["headers"]["content-type"], "application/json");
    let alert: Value = serde_json::from_str(received[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(alert["type"], "flow_run.failed");
    assert_eq!(alert["runId"], json!(run.id));
    assert_eq!(alert["flowId"], json!(flow));
    assert_eq!(alert["flowName"], "Tag new time entries");
    assert_eq!(alert["status"], "dead");
    assert_eq!(alert["workspaceId"], json!(workspace));
    assert!(alert["error"].as_str().unwrap().contains("gave up"), "{alert}");

    // The toast waits until our page takes it, once.
    let toasts = app.store.take_failure_toasts(addon, &workspace, 5).await.unwrap();
    assert_eq!(toasts.len(), 1, "{toasts:?}");
    assert_eq!(toasts[0].run_id, run.id);
    assert!(toasts[0]
        .toast_message()
        .starts_with("Flow \u{201c}Tag new time entries\u{201d} gave up"));
    assert!(app
        .store
        .take_failure_toasts(addon, &workspace, 5)
        .await
        .unwrap()
        .is_empty());

    // Off: the next failure is recorded in the history only.
    set_setting(&sim, addon, "failure_alert", json!("off")).await;
    fire(&sim, "NEW_TIME_ENTRY", None).await;
    let started = std::time::Instant::now();
    loop {
        let (runs, _) = app
            .store
            .runs(addon, &workspace, Some(&flow), Some(run_status::DEAD), 0, 10)
            .await
            .unwrap();
        if runs.len() == 2 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{runs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(seen.lock().await.len(), 1, "no alert was posted while off");
    assert!(app
        .store
        .take_failure_toasts(addon, &workspace, 5)
        .await
        .unwrap()
        .is_empty());
    app.stop().await;
}

#[tokio::test]
async fn failure_alerts_on_sqlite() {
    failed_runs_alert_the_workspace(Db::Sqlite).await;
}

#[tokio::test]
async fn failure_alerts_on_postgres() {
    failed_runs_alert_the_workspace(Db::Postgres).await;
}

/// Toasts wait for an admin to open the add-on, at most 50 per workspace, oldest shown first.
async fn waiting_failure_toasts_are_bounded(app: &TestApp) {
    use addon_core::flows::alerts::FailureAlert;
    let alert = |index: i64| FailureAlert {
        kind: FailureAlert::KIND.into(),
        addon: "universal-webhook".into(),
        workspace_id: crate::support::WORKSPACE.into(),
        flow_id: "f".into(),
        flow_name: format!("flow {index}"),
        run_id: format!("run {index}"),
        status: run_status::FAILED.into(),
        error: "step x: 404".into(),
        attempts: 0,
        event_type: "NEW_TAG".into(),
        failed_at: index,
    };
    for index in 0..55 {
        app.store.queue_failure_toast(&alert(index), index).await.unwrap();
    }
    let workspace = crate::support::WORKSPACE;
    let first = app
        .store
        .take_failure_toasts("universal-webhook", workspace, 5)
        .await
        .unwrap();
    let names: Vec<&str> = first.iter().map(|alert| alert.flow_name.as_str()).collect();
    assert_eq!(names, ["flow 0", "flow 1", "flow 2", "flow 3", "flow 4"]);
    let rest = app
        .store
        .take_failure_toasts("universal-webhook", workspace, 100)
        .await
        .unwrap();
    assert_eq!(rest.len(), 45, "50 kept, the 5 over the bound dropped");
    assert!(app
        .store
        .take_failure_toasts("api-studio", workspace, 100)
        .await
        .unwrap()
        .is_empty());
}
crate::on_both_backends!(waiting_failure_toasts_are_bounded);
