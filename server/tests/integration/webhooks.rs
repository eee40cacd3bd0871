//! Webhook ingestion over real HTTP, on SQLite and Postgres: Clockify's real bodies are kept,
//! duplicates are recorded but queue no flow job, every bad delivery is refused with JSON
//! `{code, message}` and stores nothing, custom sources verify each scheme, retention deletes
//! old events.

use addon_core::{
    ingest::retention,
    settings::SettingOverrides,
    sources::{self, HmacAlgorithm, Scheme, SignatureEncoding},
    store::{
        events::{EventFilter, NewEvent, SourceRow},
        new_id,
    },
};
use serde_json::{json, Value};

use crate::support::{Db, TestApp, ADDON_ID, WORKSPACE};

const NEW_TIME_ENTRY: &str = include_str!("../../../core/tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");
const TIME_ENTRY_UPDATED: &str = include_str!("../../../core/tests/fixtures/webhook-samples/TIME_ENTRY_UPDATED.json");
const NEW_TASK: &str = include_str!("../../../core/tests/fixtures/webhook-samples/NEW_TASK.json");

/// Installs `addon` and returns the webhook signing token Clockify handed over.
async fn install(app: &TestApp, addon: &str) -> String {
    let body = app.installed_body(addon);
    let token = body["webhooks"][0]["authToken"].as_str().unwrap().to_string();
    let response = app
        .lifecycle(addon, "installed", Some(&app.lifecycle_token(addon)), &body.to_string())
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    token
}

/// Publishes an enabled flow in `addon`'s installation, so accepted events queue flow jobs
/// (without one, ingestion queues nothing). Its condition never holds: it starts no run.
async fn publish_a_flow(app: &TestApp, addon: &str) {
    let never = json!({
        "name": "Never runs",
        "trigger": { "eventTypes": ["NEW_TIME_ENTRY"] },
        "conditions": { "combine": "all", "groups": [
            { "combine": "all", "rules": [ { "path": "$.body.id", "operator": "equals", "value": "no such id" } ] }
        ] },
        "actions": []
    });
    crate::support::publish_flow(app.store.as_ref(), addon, WORKSPACE, never).await;
}

/// A `NEW_TAG` delivery to Universal Webhook's Clockify source, for the store directly.
fn tag_delivery(key: &str, received_at: i64, dedupe_since: i64) -> NewEvent {
    NewEvent {
        id: new_id(),
        addon_key: "universal-webhook".into(),
        workspace_id: WORKSPACE.into(),
        source: "clockify".into(),
        event_type: "NEW_TAG".into(),
        dedupe_key: key.into(),
        dedupe_since,
        received_at,
        headers: "{}".into(),
        query: String::new(),
        body: "{}".into(),
        queue_flow: true,
    }
}

async fn deliver(
    app: &TestApp,
    addon: &str,
    token: Option<&str>,
    event: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(&format!("/{addon}/webhooks/clockify")))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header("clockify-signature", token);
    }
    if let Some(event) = event {
        request = request.header("clockify-webhook-event-type", event);
    }
    request.send().await.unwrap()
}

async fn stored(app: &TestApp, addon: &str) -> Vec<addon_core::store::events::StoredEvent> {
    app.store
        .events(addon, WORKSPACE, &EventFilter::default(), 0, 1000)
        .await
        .unwrap()
        .items
}

async fn expect_refusal(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|message| !message.is_empty()),
        "{body}"
    );
}

async fn clockify_bodies_are_kept_and_duplicates_do_not_rerun(app: &TestApp) {
    let token = install(app, "universal-webhook").await;
    publish_a_flow(app, "universal-webhook").await;
    for (event, body) in [
        ("NEW_TIME_ENTRY", NEW_TIME_ENTRY),
        ("TIME_ENTRY_UPDATED", TIME_ENTRY_UPDATED),
        ("NEW_TASK", NEW_TASK),
    ] {
        let response = deliver(app, "universal-webhook", Some(&token), Some(event), body).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["status"], "accepted", "{answer}");
    }
    // The same delivery again: recorded as a duplicate, no second flow job.
    let again = deliver(
        app,
        "universal-webhook",
        Some(&token),
        Some("NEW_TIME_ENTRY"),
        NEW_TIME_ENTRY,
    )
    .await;
    let answer: Value = again.json().await.unwrap();
    assert_eq!(answer["status"], "duplicate", "{answer}");
    assert!(answer["duplicateOf"].is_string());
    let events = stored(app, "universal-webhook").await;
    assert_eq!(events.len(), 4);
    assert_eq!(
        app.store.count_flow_jobs("universal-webhook", WORKSPACE).await.unwrap(),
        3
    );
    let entry = events
        .iter()
        .find(|event| event.event_type == "NEW_TIME_ENTRY" && event.status == "accepted")
        .unwrap();
    let body: Value = serde_json::from_str(&entry.body).unwrap();
    let sample: Value = serde_json::from_str(NEW_TIME_ENTRY).unwrap();
    assert_eq!(body, sample, "the body is kept exactly");
    let headers: Value = serde_json::from_str(&entry.headers).unwrap();
    assert_eq!(headers["clockify-signature"], "[redacted]");
    assert_eq!(headers["clockify-webhook-event-type"], "NEW_TIME_ENTRY");
    // Its one flow job, queued in the event's own transaction.
    let outcomes = app
        .store
        .flow_job_outcomes("universal-webhook", WORKSPACE, &entry.id)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    // Replay queues the flow job again.
    let queued = app
        .store
        .enqueue_replays("universal-webhook", WORKSPACE, std::slice::from_ref(&entry.id), 1)
        .await
        .unwrap();
    assert_eq!(queued, 1);
}
crate::on_both_backends!(clockify_bodies_are_kept_and_duplicates_do_not_rerun);

/// Without a published, enabled flow a delivery is logged but queues no flow job. Turning
/// flows off in Clockify's settings takes effect on the next delivery the same way; turning
/// them on again queues again.
async fn flows_off_queues_no_flow_jobs(app: &TestApp) {
    let addon = "api-studio";
    let token = install(app, addon).await;
    let body = |id: &str| json!({ "id": id, "description": "x" }).to_string();
    assert_eq!(
        deliver(app, addon, Some(&token), Some("NEW_TAG"), &body("no flow yet"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.store.count_flow_jobs(addon, WORKSPACE).await.unwrap(),
        0,
        "no flow is published"
    );
    publish_a_flow(app, addon).await;
    let set_flows = |enabled: bool| {
        let settings = json!({
            "addonId": ADDON_ID, "workspaceId": WORKSPACE,
            "settings": [{ "id": "flows_enabled", "name": "Flows enabled", "value": enabled }]
        });
        async move {
            let response = app
                .lifecycle(
                    addon,
                    "settings-updated",
                    Some(&app.lifecycle_token(addon)),
                    &settings.to_string(),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    set_flows(false).await;
    assert_eq!(
        deliver(app, addon, Some(&token), Some("NEW_TAG"), &body("a"))
            .await
            .status(),
        200
    );
    assert_eq!(app.store.count_flow_jobs(addon, WORKSPACE).await.unwrap(), 0);
    set_flows(true).await;
    assert_eq!(
        deliver(app, addon, Some(&token), Some("NEW_TAG"), &body("b"))
            .await
            .status(),
        200
    );
    assert_eq!(app.store.count_flow_jobs(addon, WORKSPACE).await.unwrap(), 1);
    assert_eq!(stored(app, addon).await.len(), 3, "all are logged");
}
crate::on_both_backends!(flows_off_queues_no_flow_jobs);

async fn bad_deliveries_are_refused_and_store_nothing(app: &TestApp) {
    let token = install(app, "api-studio").await;
    let addon = "api-studio";
    expect_refusal(
        deliver(app, addon, None, Some("NEW_TIME_ENTRY"), NEW_TIME_ENTRY).await,
        401,
        "missing_signature",
    )
    .await;
    let tampered = crate::support::tamper(&token);
    expect_refusal(
        deliver(app, addon, Some(&tampered), Some("NEW_TIME_ENTRY"), NEW_TIME_ENTRY).await,
        401,
        "invalid_token",
    )
    .await;
    // Validly signed by Clockify, but not a token Clockify gave this installation's webhooks.
    let mut claims = sim::tokens::webhook_claims(addon, WORKSPACE, ADDON_ID);
    claims.iat = Some(claims.iat.unwrap_or(0) - 3600);
    let other = app.signer.sign(&claims);
    assert_ne!(other, token);
    expect_refusal(
        deliver(app, addon, Some(&other), Some("NEW_TIME_ENTRY"), NEW_TIME_ENTRY).await,
        401,
        "unknown_signature",
    )
    .await;
    // API Studio takes in the 12 common events only.
    expect_refusal(
        deliver(app, addon, Some(&token), Some("USER_JOINED_WORKSPACE"), "{}").await,
        400,
        "event_not_accepted",
    )
    .await;
    expect_refusal(
        deliver(app, addon, Some(&token), None, NEW_TIME_ENTRY).await,
        400,
        "missing_event_type",
    )
    .await;
    expect_refusal(
        deliver(app, addon, Some(&token), Some("NEW_TIME_ENTRY"), "{not json").await,
        400,
        "invalid_json",
    )
    .await;
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    expect_refusal(
        deliver(app, addon, Some(&token), Some("NEW_TIME_ENTRY"), &huge).await,
        413,
        "too_large",
    )
    .await;
    // Another workspace, where the add-on is not installed.
    let elsewhere = app.signer.sign(&sim::tokens::webhook_claims(
        addon,
        "5f0000000000000000000001",
        ADDON_ID,
    ));
    expect_refusal(
        deliver(app, addon, Some(&elsewhere), Some("NEW_TIME_ENTRY"), NEW_TIME_ENTRY).await,
        410,
        "not_installed",
    )
    .await;
    // Disabled: refused with 410 too.
    let status = json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "status": "INACTIVE" });
    let response = app
        .lifecycle(
            addon,
            "status-changed",
            Some(&app.lifecycle_token(addon)),
            &status.to_string(),
        )
        .await;
    assert_eq!(response.status(), 200);
    expect_refusal(
        deliver(app, addon, Some(&token), Some("NEW_TIME_ENTRY"), NEW_TIME_ENTRY).await,
        410,
        "not_installed",
    )
    .await;
    assert!(stored(app, addon).await.is_empty(), "a refused delivery stores no body");
    let rejections = app.store.rejection_counts(addon, WORKSPACE).await.unwrap();
    let total: i64 = rejections.iter().map(|rejection| rejection.count).sum();
    assert!(total >= 4, "refusals in a known workspace are counted: {rejections:?}");
    let reasons: Vec<&str> = rejections.iter().map(|rejection| rejection.reason.as_str()).collect();
    for reason in ["event_not_accepted", "invalid_json", "too_large"] {
        assert!(reasons.contains(&reason), "{reason} in {reasons:?}");
    }
    assert!(
        rejections.iter().all(|rejection| rejection.last_at > 0),
        "each reason keeps when it last happened: {rejections:?}"
    );
}
crate::on_both_backends!(bad_deliveries_are_refused_and_store_nothing);

/// A custom source of Universal Webhook with `scheme`, stored directly.
async fn add_source(app: &TestApp, scheme: &Scheme, secret: &str, dedupe_from: &str) -> String {
    let ingest_token = new_id();
    let secrets = addon_core::crypto::SecretBox::new(app_secret_key(app));
    let row = SourceRow {
        id: new_id(),
        addon_key: "universal-webhook".into(),
        workspace_id: WORKSPACE.into(),
        name: format!("{} source", scheme.kind()),
        ingest_token: ingest_token.clone(),
        scheme: serde_json::to_string(scheme).unwrap(),
        event_type_from: "jsonpath:$.type".into(),
        dedupe_from: dedupe_from.into(),
        secret_ciphertext: secrets.encrypt(secret).unwrap(),
        previous_ciphertext: None,
        previous_until: None,
        enabled: true,
        created_at: 1,
        updated_at: 1,
    };
    app.store.save_source(&row).await.unwrap();
    app.url(&format!("/ingest/{ingest_token}"))
}

/// The server's secret key, as the test started it (the `SECRET_KEY` it was given).
fn app_secret_key(app: &TestApp) -> addon_core::crypto::SecretKey {
    addon_core::crypto::SecretKey::from_base64(&app.secret_key).unwrap()
}

async fn post(app: &TestApp, url: &str, headers: &[(String, String)], body: &str) -> reqwest::Response {
    let mut request = app.http.post(url).body(body.to_string());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

fn now_seconds() -> i64 {
    addon_core::lifecycle::now_millis() / 1000
}

async fn custom_sources_verify_each_scheme(app: &TestApp) {
    install(app, "universal-webhook").await;
    let body = r#"{"type":"invoice.paid","id":"evt_1","amount":42}"#;
    let schemes = [
        Scheme::standard_webhooks(),
        Scheme::Hmac {
            header: "x-signature".into(),
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            prefix: Some("sha256=".into()),
        },
        Scheme::BasicAuth {
            username: "sender".into(),
        },
        Scheme::ApiKey {
            header: "x-api-key".into(),
        },
    ];
    for scheme in &schemes {
        let secret = sources::generate_secret(scheme);
        let url = add_source(app, scheme, &secret, "jsonpath:$.id").await;
        let headers = sources::example_headers(scheme, &secret, body.as_bytes(), now_seconds()).unwrap();
        let accepted = post(app, &url, &headers, body).await;
        assert_eq!(
            accepted.status(),
            200,
            "{}: {}",
            scheme.kind(),
            accepted.text().await.unwrap()
        );
        // A wrong secret.
        let wrong = sources::generate_secret(scheme);
        let headers = sources::example_headers(scheme, &wrong, body.as_bytes(), now_seconds()).unwrap();
        assert_eq!(post(app, &url, &headers, body).await.status(), 401, "{}", scheme.kind());
        // No credentials at all.
        let refused = post(app, &url, &[], body).await;
        assert_eq!(refused.status(), 401, "{}", scheme.kind());
        let answer: Value = refused.json().await.unwrap();
        assert!(answer["code"].is_string() && answer["message"].is_string(), "{answer}");
        // Signature schemes cover the body: a tampered body is refused.
        if matches!(scheme, Scheme::StandardWebhooks { .. } | Scheme::Hmac { .. }) {
            let headers = sources::example_headers(scheme, &secret, body.as_bytes(), now_seconds()).unwrap();
            let tampered = body.replace("42", "4200");
            assert_eq!(
                post(app, &url, &headers, &tampered).await.status(),
                401,
                "{}",
                scheme.kind()
            );
        }
    }
    // Standard Webhooks: a stale timestamp is refused.
    let scheme = Scheme::standard_webhooks();
    let secret = sources::generate_secret(&scheme);
    let url = add_source(app, &scheme, &secret, "header:webhook-id").await;
    let stale = sources::example_headers(&scheme, &secret, body.as_bytes(), now_seconds() - 600).unwrap();
    let refused = post(app, &url, &stale, body).await;
    assert_eq!(refused.status(), 401);
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["code"], "stale_timestamp");
    // The same webhook-id twice: the second is a duplicate.
    let fresh = sources::example_headers(&scheme, &secret, body.as_bytes(), now_seconds()).unwrap();
    let first: Value = post(app, &url, &fresh, body).await.json().await.unwrap();
    let second: Value = post(app, &url, &fresh, body).await.json().await.unwrap();
    assert_eq!(first["status"], "accepted");
    assert_eq!(second["status"], "duplicate");
    // Unknown source: 404; nothing of the refusals was stored.
    let unknown = post(app, &app.url("/ingest/nope"), &fresh, body).await;
    assert_eq!(unknown.status(), 404);
    let events = stored(app, "universal-webhook").await;
    assert_eq!(events.len(), schemes.len() + 2);
    assert!(events.iter().all(|event| event.event_type == "invoice.paid"));
}
crate::on_both_backends!(custom_sources_verify_each_scheme);

async fn retention_deletes_old_events_in_batches(app: &TestApp) {
    install(app, "universal-webhook").await;
    let day = 86_400_000;
    let now = addon_core::lifecycle::now_millis();
    let events: Vec<NewEvent> = (0..1200)
        .map(|index| NewEvent {
            id: new_id(),
            addon_key: "universal-webhook".into(),
            workspace_id: WORKSPACE.into(),
            source: "clockify".into(),
            event_type: "NEW_TAG".into(),
            dedupe_key: format!("k{index}"),
            dedupe_since: 0,
            // 1100 events 100 days old, 100 from today.
            received_at: if index < 1100 { now - 100 * day } else { now },
            headers: "{}".into(),
            query: String::new(),
            body: "{}".into(),
            queue_flow: true,
        })
        .collect();
    app.store.record_events(&events).await.unwrap();
    let deleted = retention::sweep(app.store.as_ref(), &SettingOverrides::new(), now)
        .await
        .unwrap();
    assert_eq!(deleted, 1100, "older than the default 90 days");
    assert_eq!(stored(app, "universal-webhook").await.len(), 100);
    // A shorter retention set in Clockify takes effect on the next sweep, without a restart.
    let settings = json!({
        "addonId": ADDON_ID, "workspaceId": WORKSPACE,
        "settings": [{ "id": "webhook_log_retention_days", "name": "Retention", "value": 1 }]
    });
    let response = app
        .lifecycle(
            "universal-webhook",
            "settings-updated",
            Some(&app.lifecycle_token("universal-webhook")),
            &settings.to_string(),
        )
        .await;
    assert_eq!(response.status(), 200);
    let deleted = retention::sweep(app.store.as_ref(), &SettingOverrides::new(), now + 2 * day)
        .await
        .unwrap();
    assert_eq!(deleted, 100);
}
crate::on_both_backends!(retention_deletes_old_events_in_batches);

/// Dedupe decisions inside one batch and against earlier batches, with the window applied per
/// event; only accepted events queue a flow job.
async fn duplicates_are_decided_within_and_across_batches(app: &TestApp) {
    install(app, "universal-webhook").await;
    publish_a_flow(app, "universal-webhook").await;
    let now = addon_core::lifecycle::now_millis();
    let event = tag_delivery;
    let first = [
        event("k1", now, 0),
        event("k1", now, 0),
        event("k2", now, 0),
        event("k1", now, 0),
    ];
    let recorded = app.store.record_events(&first).await.unwrap();
    let statuses: Vec<&str> = recorded.iter().map(|outcome| outcome.status.as_str()).collect();
    assert_eq!(statuses, ["accepted", "duplicate", "accepted", "duplicate"]);
    assert_eq!(recorded[1].duplicate_of.as_deref(), Some(first[0].id.as_str()));
    assert_eq!(recorded[3].duplicate_of.as_deref(), Some(first[0].id.as_str()));

    // k1 again within its window; k2 again after its window ended; k3 twice, new.
    let second = [
        event("k1", now + 10, now - 1000),
        event("k2", now + 10, now + 5),
        event("k3", now + 10, 0),
        event("k3", now + 10, 0),
    ];
    let recorded = app.store.record_events(&second).await.unwrap();
    let statuses: Vec<&str> = recorded.iter().map(|outcome| outcome.status.as_str()).collect();
    assert_eq!(statuses, ["duplicate", "accepted", "accepted", "duplicate"]);
    assert_eq!(recorded[0].duplicate_of.as_deref(), Some(first[0].id.as_str()));
    assert_eq!(recorded[3].duplicate_of.as_deref(), Some(second[2].id.as_str()));
    // A duplicate of an accepted event from an earlier batch, inside the batch that repeats it.
    let third = [event("k2", now + 20, 0), event("k2", now + 20, 0)];
    let recorded = app.store.record_events(&third).await.unwrap();
    let oldest_k2 = first[2].id.as_str();
    assert_eq!(
        recorded[0].duplicate_of.as_deref(),
        Some(oldest_k2),
        "the oldest in the window"
    );
    assert_eq!(recorded[1].duplicate_of.as_deref(), Some(oldest_k2));

    let stored = stored(app, "universal-webhook").await;
    assert_eq!(stored.len(), 10, "every delivery is kept, duplicates too");
    assert_eq!(
        app.store.count_flow_jobs("universal-webhook", WORKSPACE).await.unwrap(),
        4,
        "k1, k2, k2 after its window, k3"
    );
}
crate::on_both_backends!(duplicates_are_decided_within_and_across_batches);

/// Events stored before duplicates were found by a hash (the column empty, as the migration
/// leaves them) get their hash when the store is opened, and still count as earlier deliveries.
async fn events_stored_before_the_dedupe_hash_still_count(app: &TestApp) {
    use addon_core::store::{events::EventStore, SqlStore};
    install(app, "universal-webhook").await;
    let now = addon_core::lifecycle::now_millis();
    let event = |key: &str, received_at: i64| tag_delivery(key, received_at, now - 3_600_000);
    let old = event("stored before the upgrade", now);
    let recorded = app.store.record_events(std::slice::from_ref(&old)).await.unwrap();
    assert_eq!(recorded[0].status, "accepted");
    // What the migration leaves: every stored event without its hash.
    let forget_hashes = || async {
        let raw = SqlStore::connect(&app.database_url).await.unwrap();
        sqlx::query("UPDATE webhook_events SET dedupe_hash = NULL")
            .execute(raw.pool())
            .await
            .unwrap();
        raw.pool().close().await;
    };
    forget_hashes().await;
    // Without its hash the stored event is not found: the same key is accepted again.
    let recorded = app
        .store
        .record_events(&[event("stored before the upgrade", now + 1)])
        .await
        .unwrap();
    assert_eq!(recorded[0].status, "accepted", "no hash, no match");
    forget_hashes().await;

    let reopened = SqlStore::connect(&app.database_url).await.unwrap();
    let again = reopened
        .record_events(&[event("stored before the upgrade", now + 2)])
        .await
        .unwrap();
    assert_eq!(again[0].status, "duplicate");
    assert_eq!(
        again[0].duplicate_of.as_deref(),
        Some(old.id.as_str()),
        "the oldest in the window"
    );
    reopened.pool().close().await;
}
crate::on_both_backends!(events_stored_before_the_dedupe_hash_still_count);

/// The simulator's subscriptions of `addon` of `kind` (`manifest` or `api`), as event names.
async fn sim_subscriptions(sim: &crate::support::TestSim, addon: &str, kind: &str) -> Vec<String> {
    let mut events: Vec<String> = sim
        .get("/sim/webhooks")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|subscription| subscription["addon"] == addon && subscription["kind"] == kind)
        .filter_map(|subscription| subscription["event"].as_str().map(String::from))
        .collect();
    events.sort();
    events
}

async fn fire(sim: &crate::support::TestSim, event: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/sim/webhooks/fire", sim.url))
        .json(&json!({ "event": event }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn installing_universal_webhook_creates_the_31_workspace_webhooks_and_both_kinds_deliver() {
    use addon_core::profile::UNIVERSAL_WEBHOOK;

    let sim = crate::support::TestSim::start(sim::WorkspaceSpec::default()).await;
    let key = sim.key();
    let app = TestApp::start_with(Db::Sqlite, &[("CLOCKIFY_PUBLIC_KEY_PATH", &key)])
        .await
        .expect("sqlite always runs");
    let addon = "universal-webhook";
    sim.install(&app.address, addon).await;
    let workspace_id = sim.workspace().await["id"].as_str().unwrap().to_string();
    let mut expected: Vec<String> = UNIVERSAL_WEBHOOK
        .api_created_events()
        .iter()
        .map(|event| event.to_string())
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 31);
    let mut created = Vec::new();
    for _ in 0..100 {
        created = sim_subscriptions(&sim, addon, "api").await;
        if created.len() >= 31 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(created, expected, "exactly the events the manifest cannot hold");
    assert_eq!(sim_subscriptions(&sim, addon, "manifest").await.len(), 20);
    assert_eq!(app.store.api_webhooks(addon, &workspace_id).await.unwrap().len(), 31);

    // A manifest event and an API-created one both arrive, verified and stored.
    for event in ["NEW_TIME_ENTRY", "NEW_INVOICE"] {
        let fired = fire(&sim, event).await;
        let statuses: Vec<i64> = fired["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|delivery| delivery["addon"] == addon)
            .filter_map(|delivery| delivery["status"].as_i64())
            .collect();
        assert_eq!(statuses, [200], "{fired}");
    }
    let events = app
        .store
        .events(addon, &workspace_id, &EventFilter::default(), 0, 10)
        .await
        .unwrap();
    let mut types: Vec<&str> = events.items.iter().map(|event| event.event_type.as_str()).collect();
    types.sort();
    assert_eq!(types, ["NEW_INVOICE", "NEW_TIME_ENTRY"]);

    // Disabling and enabling reconciles again without creating duplicates.
    sim.set_status(addon, "INACTIVE").await;
    sim.set_status(addon, "ACTIVE").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sim_subscriptions(&sim, addon, "api").await.len(), 31);
    assert_eq!(app.store.api_webhooks(addon, &workspace_id).await.unwrap().len(), 31);

    // Uninstalling removes them.
    sim.uninstall(addon).await;
    assert!(sim_subscriptions(&sim, addon, "api").await.is_empty());
    assert_eq!(
        app.store.count_installation_rows(addon, &workspace_id).await.unwrap(),
        0
    );
    app.stop().await;
}

/// The WAL file is cut back only above twice the size that triggers a rewind, so under sustained
/// load it is overwritten in place rather than cut back and grown again at every rewind (which
/// doubled the rewinds' hold at 20 KB bodies, docs/benchmarks.md).
#[tokio::test]
async fn sqlite_keeps_its_wal_file_across_rewinds() {
    use addon_core::store::SqlStore;

    let data_dir = std::env::temp_dir().join(format!("addons-wal-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let store = SqlStore::connect(&format!("sqlite://{}/addons.db", data_dir.display()))
        .await
        .unwrap();
    let kept: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 512 * 1024 * 1024);
    store.pool().close().await;
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn every_acknowledged_event_survives_a_kill_under_load() {
    use std::{
        process::Stdio,
        sync::{Arc, Mutex},
    };

    use addon_core::store::{EventStore, SqlStore};

    let data_dir = std::env::temp_dir().join(format!("addons-kill-ingest-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let signer = crate::support::signer();
    let key_path = data_dir.join("key.pem");
    std::fs::write(&key_path, signer.public_key_pem()).unwrap();
    let database_url = format!("sqlite://{}/addons.db", data_dir.display());
    let secret = addon_core::crypto::SecretKey::generate().to_base64();
    let start = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("DATABASE_URL", &database_url)
            .env("DATA_DIR", &data_dir)
            .env("CLOCKIFY_PUBLIC_KEY_PATH", &key_path)
            .env("SECRET_KEY", &secret)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server binary")
    };
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let wait_up = |port: u16| {
        let http = http.clone();
        async move {
            for _ in 0..200 {
                if http
                    .get(format!("http://127.0.0.1:{port}/readyz"))
                    .send()
                    .await
                    .is_ok_and(|response| response.status().is_success())
                {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("the server did not come up");
        }
    };
    let port = free_port();
    let mut server = start(port);
    wait_up(port).await;
    let addon = "api-studio";
    let webhook = signer.sign(&sim::tokens::webhook_claims(addon, WORKSPACE, ADDON_ID));
    let installation = signer.sign(&sim::tokens::installation_claims(
        addon,
        WORKSPACE,
        ADDON_ID,
        "http://127.0.0.1:9",
        "u1",
    ));
    let body = json!({
        "addonId": ADDON_ID, "authToken": installation, "workspaceId": WORKSPACE, "asUser": "u1",
        "apiUrl": "http://127.0.0.1:9/api",
        "webhooks": [{ "path": format!("http://127.0.0.1:{port}/{addon}/webhooks/clockify"), "webhookType": "ADDON", "authToken": webhook }]
    });
    let installed = http
        .post(format!("http://127.0.0.1:{port}/{addon}/lifecycle/installed"))
        .header(
            "X-Addon-Lifecycle-Token",
            signer.sign(&sim::tokens::lifecycle_claims(addon, WORKSPACE, ADDON_ID)),
        )
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(installed.status(), 200);

    // 32 senders, each with unique bodies, until the server dies.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut senders = Vec::new();
    for sender in 0..32 {
        let (http, webhook, acknowledged) = (http.clone(), webhook.clone(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            for sequence in 0.. {
                let body =
                    json!({ "id": format!("{sender}-{sequence}"), "description": "load", "workspaceId": WORKSPACE });
                let Ok(response) = http
                    .post(format!("http://127.0.0.1:{port}/{addon}/webhooks/clockify"))
                    .header("clockify-signature", &webhook)
                    .header("clockify-webhook-event-type", "NEW_TIME_ENTRY")
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                else {
                    return;
                };
                if response.status().is_success() {
                    if let Ok(answer) = response.json::<Value>().await {
                        if let Some(id) = answer["id"].as_str() {
                            acknowledged.lock().unwrap().push(id.to_string());
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    for sender in senders {
        let _ = sender.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "only {} deliveries were acknowledged",
        acknowledged.len()
    );

    let port = free_port();
    let mut restarted = start(port);
    wait_up(port).await;
    let store = SqlStore::connect(&database_url).await.unwrap();
    for id in &acknowledged {
        assert!(
            store.event(addon, WORKSPACE, id).await.unwrap().is_some(),
            "event {id} was acknowledged but is not stored"
        );
    }
    restarted.kill().unwrap();
    restarted.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Calls the log's `export_log` server function as the page does.
async fn export(app: &TestApp, session: &str, event_type: &str) -> reqwest::Response {
    use leptos::server_fn::ServerFn;
    app.http
        .post(app.url(app::pages::webhooks::server::ExportLog::PATH))
        .form(&[
            ("session", session),
            ("query[event_type]", event_type),
            ("query[source]", ""),
            ("query[status]", ""),
            ("query[range]", "all"),
            ("query[text]", ""),
        ])
        .send()
        .await
        .unwrap()
}

/// The log's export: the events matching the filters as JSON Lines, oldest first, at most
/// `MAX_EXPORT_EVENTS` (the newest) with a flag saying so; only with a valid session.
async fn the_log_exports_matching_events_oldest_first(app: &TestApp) {
    use app::{
        components::ExportFile,
        pages::webhooks::server::{LogExport, MAX_EXPORT_EVENTS},
    };
    use leptos::server_fn::ServerFn;

    install(app, "universal-webhook").await;
    let now = addon_core::lifecycle::now_millis();
    let delivery = |index: i64, event_type: &str, body: &str| NewEvent {
        event_type: event_type.into(),
        body: body.into(),
        headers: r#"{"clockify-signature":"[redacted]"}"#.into(),
        ..tag_delivery(&format!("k{index}"), now - 60_000 + index, 0)
    };
    let first = [
        delivery(0, "NEW_TAG", r#"{"name":"first"}"#),
        delivery(1, "NEW_PROJECT", r#"{"name":"other"}"#),
        delivery(2, "NEW_TAG", "not JSON"),
    ];
    app.store.record_events(&first).await.unwrap();
    let session = ui_session(app, "universal-webhook").await;

    let response = export(app, &session, "NEW_TAG").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let export_file: LogExport = response.json().await.unwrap();
    assert_eq!(
        (export_file.exported, export_file.matched, export_file.truncated),
        (2, 2, false)
    );
    assert!(
        export_file.filename.starts_with("universal-webhook-events-") && export_file.filename.ends_with(".jsonl"),
        "{}",
        export_file.filename
    );
    let lines: Vec<Value> = export_file
        .content
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], first[0].id.as_str(), "oldest first");
    assert_eq!(lines[0]["body"]["name"], "first", "a JSON body stays JSON");
    assert_eq!(lines[0]["headers"]["clockify-signature"], "[redacted]");
    assert_eq!(lines[0]["source_name"], "Clockify");
    assert_eq!(lines[1]["id"], first[2].id.as_str());
    assert_eq!(lines[1]["body"], "not JSON", "a text body stays text");

    // More events than one export takes: the newest MAX_EXPORT_EVENTS, and it says so.
    let many: Vec<NewEvent> = (0..MAX_EXPORT_EVENTS)
        .map(|index| delivery(100 + index, "NEW_TAG", "{}"))
        .collect();
    for chunk in many.chunks(500) {
        app.store.record_events(chunk).await.unwrap();
    }
    let response = export(app, &session, "NEW_TAG").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let export_file: LogExport = response.json().await.unwrap();
    assert_eq!(export_file.matched, MAX_EXPORT_EVENTS + 2);
    assert_eq!(export_file.exported, MAX_EXPORT_EVENTS);
    assert!(export_file.truncated);
    assert!(export_file.message().contains("newest"), "{}", export_file.message());
    let ids: Vec<String> = export_file
        .content
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len() as i64, MAX_EXPORT_EVENTS);
    assert!(!ids.contains(&first[0].id), "the oldest are left out");
    assert_eq!(ids.last(), many.last().map(|event| &event.id), "the newest is last");

    // Without a valid session nothing is exported.
    let response = app
        .http
        .post(app.url(app::pages::webhooks::server::ExportLog::PATH))
        .form(&[("session", "not a session"), ("query[event_type]", "NEW_TAG")])
        .send()
        .await
        .unwrap();
    assert!(!response.status().is_success());
    assert!(!response.text().await.unwrap().contains("first"));
}
crate::on_both_backends!(the_log_exports_matching_events_oldest_first);

/// The log's text filter finds an event by its body, by its dedupe key (a sender's message id)
/// or by its own id, in any case.
async fn the_log_text_filter_finds_bodies_dedupe_keys_and_ids(app: &TestApp) {
    install(app, "universal-webhook").await;
    let now = addon_core::lifecycle::now_millis();
    let events = [
        NewEvent {
            body: r#"{"project":"Apollo"}"#.into(),
            ..tag_delivery("msg_2Lq9xYz", now - 2, 0)
        },
        NewEvent {
            body: r#"{"project":"Zeus"}"#.into(),
            ..tag_delivery("other-key", now - 1, 0)
        },
    ];
    app.store.record_events(&events).await.unwrap();
    let found = |text: &str| {
        let filter = EventFilter {
            text: Some(text.to_string()),
            ..EventFilter::default()
        };
        async move {
            app.store
                .events("universal-webhook", WORKSPACE, &filter, 0, 10)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|event| event.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("apollo").await, [events[0].id.clone()], "the body, any case");
    assert_eq!(
        found("MSG_2lq9").await,
        [events[0].id.clone()],
        "the dedupe key, any case"
    );
    assert_eq!(found(&events[1].id).await, [events[1].id.clone()], "the event's id");
    assert!(found("hermes").await.is_empty());
}
crate::on_both_backends!(the_log_text_filter_finds_bodies_dedupe_keys_and_ids);

/// Opens an owner's UI session for `addon` the way the page does; returns its token.
async fn ui_session(app: &TestApp, addon: &str) -> String {
    let token = app.user_token(addon, "OWNER", "DEFAULT");
    app.open_session(addon, &token).await.token
}

/// An event's detail lists the flow runs it started, with the flow's name and the outcome; an
/// event no flow took lists none.
async fn an_events_detail_lists_the_runs_it_started(app: &TestApp) {
    use std::time::Duration;

    use app::pages::webhooks::server::{EventDetail, LoadEvent};
    use leptos::server_fn::ServerFn;

    install(app, "universal-webhook").await;
    let tags_only = json!({
        "name": "Every new tag",
        "trigger": { "eventTypes": ["NEW_TAG"] },
        "conditions": { "combine": "all", "groups": [
            { "combine": "all", "rules": [ { "path": "$.body.name", "operator": "equals", "value": "urgent" } ] }
        ] },
        "actions": []
    });
    crate::support::publish_flow(app.store.as_ref(), "universal-webhook", WORKSPACE, tags_only).await;
    let now = addon_core::lifecycle::now_millis();
    let matching = NewEvent {
        body: r#"{"name":"urgent"}"#.into(),
        ..tag_delivery("run-me", now, 0)
    };
    let other = NewEvent {
        body: r#"{"name":"someday"}"#.into(),
        ..tag_delivery("leave-me", now, 0)
    };
    app.store
        .record_events(&[matching.clone(), other.clone()])
        .await
        .unwrap();
    let session = ui_session(app, "universal-webhook").await;
    let detail = |id: String| {
        let session = session.clone();
        async move {
            let response = app
                .http
                .post(app.url(LoadEvent::PATH))
                .form(&[("session", session.as_str()), ("id", id.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<EventDetail>().await.unwrap()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let runs = loop {
        let runs = detail(matching.id.clone()).await.runs;
        if runs.iter().any(|run| run.status == "succeeded") || std::time::Instant::now() > deadline {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, "succeeded");
    assert_eq!(runs[0].flow, "Every new tag (version 1)");
    assert!(
        detail(other.id.clone()).await.runs.is_empty(),
        "the flow's condition did not hold: no run"
    );
}
crate::on_both_backends!(an_events_detail_lists_the_runs_it_started);
