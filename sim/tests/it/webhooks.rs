//! Webhooks: the REST API to manage them, and firing events at manifest and API-created
//! webhooks with Clockify's headers and bodies.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{header, installed_addon, installed_addon_with, FakeAddon, TestSim, KEY};

const NEW_TIME_ENTRY: &str = include_str!("../fixtures/webhook-samples/NEW_TIME_ENTRY.json");

const READ_WRITE: [&str; 2] = ["WORKSPACE_READ", "WORKSPACE_WRITE"];

fn is_object_id(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|id| id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()))
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// Sends `method` to `/api{path}` with `token` and a JSON `body`: status and JSON answer.
async fn api(sim: &TestSim, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = sim.http.request(method, sim.at(&format!("/api{path}")));
    if let Some(token) = token {
        request = request.header("X-Addon-Token", token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An add-on with `key` and `scopes`, installed: fake add-on, INSTALLED body.
async fn addon_with_scopes(sim: &TestSim, key: &str, scopes: &[&str]) -> (FakeAddon, Value) {
    let (key, scopes) = (key.to_string(), scopes.to_vec());
    installed_addon_with(sim, move |manifest| {
        manifest["key"] = json!(key);
        manifest["scopes"] = json!(scopes);
    })
    .await
}

fn token(installed: &Value) -> &str {
    installed["authToken"].as_str().unwrap()
}

fn webhooks_path(installed: &Value) -> String {
    format!("/v1/workspaces/{}/webhooks", installed["workspaceId"].as_str().unwrap())
}

fn request(installed: &Value, name: &str, url: &str, event: &str) -> Value {
    json!({
        "name": name,
        "url": url,
        "webhookEvent": event,
        "triggerSourceType": "WORKSPACE_ID",
        "triggerSource": [installed["workspaceId"]],
    })
}

/// Creates a webhook; panics unless 201.
async fn create(sim: &TestSim, installed: &Value, body: Value) -> Value {
    let (status, created) = api(
        sim,
        "POST",
        &webhooks_path(installed),
        Some(token(installed)),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created
}

async fn fire(sim: &TestSim, body: Value) -> Value {
    let (status, answer) = sim.post_json("/sim/webhooks/fire", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn set_plan(sim: &TestSim, plan: &str) {
    let (status, body) = sim.post_json("/sim/workspace/plan", json!({ "plan": plan })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn webhooks_are_created_listed_changed_and_deleted() {
    let sim = TestSim::start().await;
    let (addon, installed) = addon_with_scopes(&sim, KEY, &READ_WRITE).await;
    let path = webhooks_path(&installed);
    let token = token(&installed);
    let url = format!("{}/hooks/tags", addon.base_url);

    let created = create(&sim, &installed, request(&installed, "Tags", &url, "NEW_TAG")).await;
    assert!(is_object_id(&created["id"]));
    assert_eq!(created["name"], "Tags");
    assert_eq!(created["url"], url.as_str());
    assert_eq!(created["webhookEvent"], "NEW_TAG");
    assert_eq!(created["triggerSourceType"], "WORKSPACE_ID");
    assert_eq!(created["triggerSource"], json!([installed["workspaceId"]]));
    assert_eq!(created["workspaceId"], installed["workspaceId"]);
    assert_eq!(created["userId"], installed["addonUserId"]);
    assert_eq!(
        (
            &created["enabled"],
            &created["deliveryEnabled"],
            &created["planEnabled"]
        ),
        (&json!(true), &json!(true), &json!(true))
    );

    // The token is a webhook signature of this add-on, verifiable with the simulator's key.
    let claims = sim.verify(created["authToken"].as_str().unwrap()).await;
    assert_eq!((claims.iss.as_str(), claims.token_type.as_str()), ("clockify", "addon"));
    assert_eq!(claims.sub, KEY);
    assert_eq!(claims.workspace_id, installed["workspaceId"].as_str().unwrap());
    assert_eq!(claims.addon_id, installed["addonId"].as_str().unwrap());
    assert_eq!((claims.backend_url, claims.exp), (None, None));

    let (status, listed) = api(&sim, "GET", &path, Some(token), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!({ "webhooks": [created], "workspaceWebhookCount": 1 }));
    let (_, user_created) = api(&sim, "GET", &format!("{path}?type=USER_CREATED"), Some(token), None).await;
    assert_eq!(user_created, listed);
    let (_, addon_type) = api(&sim, "GET", &format!("{path}?type=ADDON"), Some(token), None).await;
    assert_eq!(addon_type, json!({ "webhooks": [], "workspaceWebhookCount": 1 }));
    let (status, body) = api(&sim, "GET", &format!("{path}?type=ALL"), Some(token), None).await;
    assert_eq!((status, &body["code"]), (400, &json!(400)));

    let one = format!("{path}/{}", created["id"].as_str().unwrap());
    let (status, fetched) = api(&sim, "GET", &one, Some(token), None).await;
    assert_eq!((status, &fetched), (200, &created));

    let workspace = sim.workspace().await;
    let project_id = workspace["projects"][0]["id"].clone();
    let change = json!({
        "name": "Projects", "url": url, "webhookEvent": "NEW_PROJECT",
        "triggerSourceType": "PROJECT_ID", "triggerSource": [project_id],
    });
    let (status, updated) = api(&sim, "PUT", &one, Some(token), Some(change)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (&updated["id"], &updated["authToken"]),
        (&created["id"], &created["authToken"])
    );
    assert_eq!(
        (
            &updated["name"],
            &updated["webhookEvent"],
            &updated["triggerSourceType"]
        ),
        (&json!("Projects"), &json!("NEW_PROJECT"), &json!("PROJECT_ID"))
    );
    assert_eq!(updated["triggerSource"], json!([project_id]));
    assert_eq!(api(&sim, "GET", &one, Some(token), None).await.1, updated);
    let (status, body) = api(&sim, "PUT", &one, Some(token), Some(json!({ "name": "Only a name" }))).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("url"), "{body}");

    let missing = format!("{path}/ffffffffffffffffffffffff");
    for method in ["GET", "DELETE"] {
        let (status, body) = api(&sim, method, &missing, Some(token), None).await;
        assert_eq!(status, 404, "{method} {body}");
        assert!(body["message"].is_string());
    }
    let put_missing = api(
        &sim,
        "PUT",
        &missing,
        Some(token),
        Some(request(&installed, "Tags", &url, "NEW_TAG")),
    )
    .await;
    assert_eq!(put_missing.0, 404);

    let (status, deleted) = api(&sim, "DELETE", &one, Some(token), None).await;
    assert_eq!((status, &deleted["id"]), (200, &created["id"]));
    assert_eq!(api(&sim, "GET", &one, Some(token), None).await.0, 404);
    let (_, listed) = api(&sim, "GET", &path, Some(token), None).await;
    assert_eq!(listed, json!({ "webhooks": [], "workspaceWebhookCount": 0 }));

    // A name is optional (the spec does not require it): the event's name stands in.
    let mut unnamed = request(&installed, "x", &url, "NEW_CLIENT");
    unnamed.as_object_mut().unwrap().remove("name");
    assert_eq!(create(&sim, &installed, unnamed).await["name"], "NEW_CLIENT");
}

#[tokio::test]
async fn bad_webhook_requests_get_400_and_missing_scopes_403() {
    let sim = TestSim::start().await;
    let (_addon, installed) = addon_with_scopes(&sim, KEY, &READ_WRITE).await;
    let path = webhooks_path(&installed);
    let owner_token = token(&installed);
    let good = request(&installed, "Hook", "https://example.test/hook", "NEW_TAG");

    let cases = [
        ("name", json!("x"), "name"),
        ("name", json!("a name that is far too long for it"), "name"),
        ("url", json!("ftp://example.test/hook"), "url"),
        ("url", json!("not a url"), "url"),
        ("url", Value::Null, "url"),
        ("webhookEvent", json!("NEW_THING"), "webhookEvent"),
        ("webhookEvent", Value::Null, "webhookEvent"),
        ("triggerSourceType", json!("GROUP_ID"), "triggerSourceType"),
        ("triggerSource", json!("not-a-list"), "triggerSource"),
        ("triggerSource", json!([]), "triggerSource"),
        ("triggerSource", json!(["ffffffffffffffffffffffff"]), "triggerSource"),
    ];
    for (field, value, named) in cases {
        let mut body = good.clone();
        body[field] = value.clone();
        let (status, answer) = api(&sim, "POST", &path, Some(owner_token), Some(body)).await;
        assert_eq!(status, 400, "{field} = {value}: {answer}");
        assert_eq!(answer["code"], 400);
        assert!(answer["message"].as_str().unwrap().contains(named), "{answer}");
    }
    let response = sim
        .http
        .post(sim.at(&format!("/api{path}")))
        .header("X-Addon-Token", owner_token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let (_, listed) = api(&sim, "GET", &path, Some(owner_token), None).await;
    assert_eq!(listed["workspaceWebhookCount"], 0, "nothing was created");

    assert_eq!(api(&sim, "POST", &path, None, Some(good.clone())).await.0, 401);
    assert_eq!(api(&sim, "GET", &path, Some("not-a-token"), None).await.0, 401);
    let other = "/v1/workspaces/000000000000000000000000/webhooks";
    assert_eq!(
        api(&sim, "POST", other, Some(owner_token), Some(good.clone())).await.0,
        403
    );

    // WORKSPACE_READ reads but cannot write; WORKSPACE_WRITE writes but cannot read.
    let (_reader, reader) = addon_with_scopes(&sim, "reader", &["WORKSPACE_READ"]).await;
    let (status, body) = api(&sim, "POST", &path, Some(token(&reader)), Some(good.clone())).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], 403);
    assert!(body["message"].as_str().unwrap().contains("WORKSPACE_WRITE"), "{body}");
    assert_eq!(api(&sim, "GET", &path, Some(token(&reader)), None).await.0, 200);

    let (_writer, writer) = addon_with_scopes(&sim, "writer", &["WORKSPACE_WRITE"]).await;
    let (status, body) = api(&sim, "GET", &path, Some(token(&writer)), None).await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().contains("WORKSPACE_READ"), "{body}");
    let (status, created) = api(&sim, "POST", &path, Some(token(&writer)), Some(good)).await;
    assert_eq!(status, 201, "{created}");
    let one = format!("{path}/{}", created["id"].as_str().unwrap());
    assert_eq!(api(&sim, "GET", &one, Some(token(&writer)), None).await.0, 403);
    assert_eq!(api(&sim, "DELETE", &one, Some(token(&reader)), None).await.0, 403);
    assert_eq!(api(&sim, "DELETE", &one, Some(token(&writer)), None).await.0, 200);
}

#[tokio::test]
async fn the_plan_limits_webhooks_per_workspace_and_per_user() {
    let sim = TestSim::start().await;
    let (addon, installed) = addon_with_scopes(&sim, KEY, &READ_WRITE).await;
    let path = webhooks_path(&installed);
    let token = token(&installed);
    let url = format!("{}/hooks/tags", addon.base_url);
    let body = || request(&installed, "Tags", &url, "NEW_TAG");

    set_plan(&sim, "FREE").await;
    for _ in 0..3 {
        create(&sim, &installed, body()).await;
    }
    let (status, refused) = api(&sim, "POST", &path, Some(token), Some(body())).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["code"], 403);
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("limit") && message.contains("FREE") && message.contains('3'),
        "{message}"
    );

    // Paid plans: 10 per user (the add-on's own user), 100 per workspace.
    set_plan(&sim, "PRO").await;
    for _ in 3..10 {
        create(&sim, &installed, body()).await;
    }
    let (status, refused) = api(&sim, "POST", &path, Some(token), Some(body())).await;
    assert_eq!(status, 403, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("user") && message.contains("10"), "{message}");
    let (_other, other) = addon_with_scopes(&sim, "other", &READ_WRITE).await;
    let from_other = create(&sim, &other, request(&other, "Other", &url, "NEW_TAG")).await;
    assert_eq!(from_other["userId"], other["addonUserId"]);
    assert_ne!(from_other["userId"], installed["addonUserId"]);

    let fired = fire(&sim, json!({ "event": "NEW_TAG" })).await;
    assert_eq!(fired["deliveries"].as_array().unwrap().len(), 11);

    // After a downgrade only the oldest webhooks within the limits stay plan-enabled and
    // receive events.
    set_plan(&sim, "FREE").await;
    let (_, listed) = api(&sim, "GET", &path, Some(token), None).await;
    let webhooks = listed["webhooks"].as_array().unwrap();
    assert_eq!(listed["workspaceWebhookCount"], 11);
    let enabled: Vec<bool> = webhooks.iter().map(|w| w["planEnabled"].as_bool().unwrap()).collect();
    assert_eq!(enabled.iter().filter(|on| **on).count(), 3);
    assert!(enabled[..3].iter().all(|on| *on));
    let fired = fire(&sim, json!({ "event": "NEW_TAG" })).await;
    assert_eq!(fired["deliveries"].as_array().unwrap().len(), 3);
    assert_eq!(api(&sim, "POST", &path, Some(token), Some(body())).await.0, 403);
}

#[tokio::test]
async fn firing_an_event_reaches_manifest_webhooks_with_the_installed_tokens() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon(&sim).await;
    let workspace_id = installed["workspaceId"].clone();
    let tokens: Vec<&str> = installed["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|webhook| webhook["authToken"].as_str().unwrap())
        .collect();
    let sample: Value = serde_json::from_str(NEW_TIME_ENTRY).unwrap();

    let answer = fire(&sim, json!({ "event": "NEW_TIME_ENTRY" })).await;
    assert_eq!(answer["event"], "NEW_TIME_ENTRY");
    let deliveries = answer["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{answer}");
    let delivery = &deliveries[0];
    assert_eq!(delivery["url"], format!("{}/webhooks/clockify", addon.base_url));
    assert_eq!(
        (&delivery["event"], &delivery["addon"], &delivery["kind"]),
        (&json!("NEW_TIME_ENTRY"), &json!(KEY), &json!("manifest"))
    );
    assert_eq!((&delivery["status"], &delivery["error"]), (&json!(200), &Value::Null));
    assert!(delivery["durationMs"].is_u64());

    let calls = addon.calls_to("/addon/webhooks/clockify");
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "POST");
    assert_eq!(header(call, "content-type"), "application/json");
    assert_eq!(header(call, "clockify-signature"), tokens[0]);
    assert_eq!(header(call, "clockify-webhook-event-type"), "NEW_TIME_ENTRY");
    assert_eq!(call.body, answer["body"]);
    let body = &call.body;
    assert_eq!(
        keys(body),
        keys(&sample),
        "the entity itself, shaped like a real delivery"
    );
    for nested in ["timeInterval", "project", "task", "user"] {
        assert_eq!(keys(&body[nested]), keys(&sample[nested]), "{nested}");
    }
    assert_eq!(body["workspaceId"], workspace_id);
    assert!(is_object_id(&body["id"]));
    assert_eq!(body["currentlyRunning"], false);
    let owner_claims = sim.verify(header(call, "clockify-signature")).await;
    assert_eq!(owner_claims.sub, KEY);

    // The second manifest webhook shares the path but has its own INSTALLED token; a fresh
    // time entry every time.
    let updated = fire(&sim, json!({ "event": "TIME_ENTRY_UPDATED" })).await;
    let calls = addon.calls_to("/addon/webhooks/clockify");
    assert_eq!(calls.len(), 2);
    assert_eq!(header(&calls[1], "clockify-signature"), tokens[1]);
    assert_eq!(header(&calls[1], "clockify-webhook-event-type"), "TIME_ENTRY_UPDATED");
    assert_ne!(updated["body"]["id"], answer["body"]["id"]);

    let project = fire(&sim, json!({ "event": "NEW_PROJECT" })).await;
    let calls = addon.calls_to("/addon/webhooks/projects");
    assert_eq!(calls.len(), 1);
    assert_eq!(header(&calls[0], "clockify-signature"), tokens[2]);
    assert_eq!(calls[0].body, project["body"]);
    assert_eq!(calls[0].body["workspaceId"], workspace_id);

    // A given body is sent verbatim; an event nobody subscribed to goes nowhere.
    let custom = json!({ "id": "0123456789abcdef01234567", "note": "custom" });
    fire(&sim, json!({ "event": "NEW_TIME_ENTRY", "body": custom })).await;
    assert_eq!(addon.calls_to("/addon/webhooks/clockify")[2].body, custom);
    let nobody = fire(&sim, json!({ "event": "NEW_CLIENT" })).await;
    assert_eq!(nobody["deliveries"], json!([]));
    assert!(nobody["body"]["id"].is_string());

    let (status, body) = sim
        .post_json("/sim/webhooks/fire", json!({ "event": "NOT_AN_EVENT" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "bad_request");
    let (status, _) = sim.post_json("/sim/webhooks/fire", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let recent = sim.get_json("/sim/webhooks/deliveries").await;
    let events: Vec<&str> = recent
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["NEW_TIME_ENTRY", "NEW_PROJECT", "TIME_ENTRY_UPDATED", "NEW_TIME_ENTRY"],
        "newest first"
    );

    let known = sim.get_json("/sim/webhooks").await;
    let known = known.as_array().unwrap();
    assert_eq!(known.len(), 3);
    assert!(known
        .iter()
        .all(|w| w["kind"] == "manifest" && w["addon"] == KEY && w["active"] == true));
    assert_eq!(known[2]["event"], "NEW_PROJECT");
    assert_eq!(known[2]["url"], format!("{}/webhooks/projects", addon.base_url));
    assert!(known[0].get("token").is_none(), "tokens are not shown");

    // A failing receiver is reported, not hidden.
    addon.answer_with(StatusCode::INTERNAL_SERVER_ERROR);
    let failed = fire(&sim, json!({ "event": "NEW_TIME_ENTRY" })).await;
    assert_eq!(failed["deliveries"][0]["status"], 500);
    assert!(failed["deliveries"][0]["error"].as_str().unwrap().contains("500"));
}

#[tokio::test]
async fn an_api_webhook_receives_its_event_only() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon_with(&sim, |manifest| {
        manifest["scopes"] = json!(READ_WRITE);
    })
    .await;
    let url = format!("{}/hooks/tags", addon.base_url);
    let created = create(&sim, &installed, request(&installed, "Tags", &url, "NEW_TAG")).await;

    let entry = fire(&sim, json!({ "event": "NEW_TIME_ENTRY" })).await;
    let deliveries = entry["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["kind"], "manifest");
    assert!(addon.calls_to("/addon/hooks/tags").is_empty());

    let tag = fire(&sim, json!({ "event": "NEW_TAG" })).await;
    let deliveries = tag["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{tag}");
    assert_eq!(
        (
            &deliveries[0]["kind"],
            &deliveries[0]["webhookId"],
            &deliveries[0]["status"]
        ),
        (&json!("api"), &created["id"], &json!(200))
    );
    let calls = addon.calls_to("/addon/hooks/tags");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        header(&calls[0], "clockify-signature"),
        created["authToken"].as_str().unwrap()
    );
    assert_eq!(header(&calls[0], "clockify-webhook-event-type"), "NEW_TAG");
    assert_eq!(header(&calls[0], "content-type"), "application/json");
    let body = &calls[0].body;
    assert_eq!(
        keys(body),
        ["archived", "id", "name", "workspaceId"].map(String::from).into()
    );
    assert_eq!(body["workspaceId"], installed["workspaceId"]);
    assert_eq!(*body, tag["body"]);

    let known = sim.get_json("/sim/webhooks").await;
    let api_hooks: Vec<&Value> = known
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "api")
        .collect();
    assert_eq!(api_hooks.len(), 1);
    assert_eq!(
        (
            &api_hooks[0]["webhookId"],
            &api_hooks[0]["event"],
            &api_hooks[0]["addon"]
        ),
        (&created["id"], &json!("NEW_TAG"), &json!(KEY))
    );
    assert_eq!(
        (&api_hooks[0]["url"], &api_hooks[0]["active"]),
        (&json!(url), &json!(true))
    );

    // An unreachable receiver is reported with no status.
    create(
        &sim,
        &installed,
        request(&installed, "Gone", "http://127.0.0.1:9/gone", "NEW_CLIENT"),
    )
    .await;
    let gone = fire(&sim, json!({ "event": "NEW_CLIENT" })).await;
    assert_eq!(gone["deliveries"][0]["status"], Value::Null);
    assert!(gone["deliveries"][0]["error"].is_string());

    // A trigger source other than the workspace only lets through the events about its ids.
    let workspace = sim.workspace().await;
    let project_id = workspace["projects"][0]["id"].clone();
    let other_project = workspace["projects"][1]["id"].clone();
    let mut only_one = request(&installed, "One project", &url, "PROJECT_UPDATED");
    only_one["triggerSourceType"] = json!("PROJECT_ID");
    only_one["triggerSource"] = json!([project_id]);
    create(&sim, &installed, only_one).await;
    let event = |id: &Value| json!({ "event": "PROJECT_UPDATED", "body": { "id": id, "workspaceId": installed["workspaceId"] } });
    assert_eq!(
        fire(&sim, event(&project_id)).await["deliveries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(fire(&sim, event(&other_project)).await["deliveries"], json!([]));
}

#[tokio::test]
async fn uninstalling_removes_the_add_ons_api_webhooks() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon_with(&sim, |manifest| {
        manifest["scopes"] = json!(READ_WRITE);
    })
    .await;
    let url = format!("{}/hooks/tags", addon.base_url);
    create(&sim, &installed, request(&installed, "Tags", &url, "NEW_TAG")).await;
    assert_eq!(sim.get_json("/sim/webhooks").await.as_array().unwrap().len(), 4);

    let response = sim
        .http
        .delete(sim.at(&format!("/sim/addons/{KEY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sim.get_json("/sim/webhooks").await, json!([]));
    assert_eq!(fire(&sim, json!({ "event": "NEW_TAG" })).await["deliveries"], json!([]));
    assert_eq!(
        fire(&sim, json!({ "event": "NEW_TIME_ENTRY" })).await["deliveries"],
        json!([])
    );
    assert!(addon.calls_to("/addon/hooks/tags").is_empty());
    assert!(addon.calls_to("/addon/webhooks/clockify").is_empty());

    // Reinstalled, the add-on starts without API webhooks.
    let (status, _) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK);
    let reinstalled = addon
        .calls_to("/addon/lifecycle/installed")
        .last()
        .unwrap()
        .body
        .clone();
    assert_ne!(reinstalled["addonId"], installed["addonId"]);
    let (status, listed) = api(
        &sim,
        "GET",
        &webhooks_path(&reinstalled),
        Some(token(&reinstalled)),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["workspaceWebhookCount"], 0);
    create(&sim, &reinstalled, request(&reinstalled, "Tags", &url, "NEW_TAG")).await;

    // Installing again over it (a reinstall) removes those too.
    let (status, _) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<Value> = sim
        .get_json("/sim/webhooks")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("manifest"); 3]);
}

#[tokio::test]
async fn inactive_add_ons_receive_nothing() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon_with(&sim, |manifest| {
        manifest["scopes"] = json!(READ_WRITE);
    })
    .await;
    let url = format!("{}/hooks/tags", addon.base_url);
    create(&sim, &installed, request(&installed, "Tags", &url, "NEW_TAG")).await;

    let status_path = format!("/sim/addons/{KEY}/status");
    let (status, _) = sim.post_json(&status_path, json!({ "status": "INACTIVE" })).await;
    assert_eq!(status, StatusCode::OK);
    for event in ["NEW_TIME_ENTRY", "NEW_TAG"] {
        assert_eq!(
            fire(&sim, json!({ "event": event })).await["deliveries"],
            json!([]),
            "{event}"
        );
    }
    assert!(addon.calls_to("/addon/hooks/tags").is_empty());
    assert!(addon.calls_to("/addon/webhooks/clockify").is_empty());
    let known = sim.get_json("/sim/webhooks").await;
    assert!(known
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["active"] == false && w["addonStatus"] == "INACTIVE"));

    let (status, _) = sim.post_json(&status_path, json!({ "status": "ACTIVE" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fire(&sim, json!({ "event": "NEW_TAG" })).await["deliveries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(addon.calls_to("/addon/hooks/tags").len(), 1);
}

#[tokio::test]
async fn creating_a_tag_through_the_api_fires_new_tag() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon_with(&sim, |manifest| {
        manifest["scopes"] = json!(["WORKSPACE_READ", "WORKSPACE_WRITE", "TAG_WRITE"]);
    })
    .await;
    let url = format!("{}/hooks/tags", addon.base_url);
    let webhook = create(&sim, &installed, request(&installed, "Tags", &url, "NEW_TAG")).await;

    let tags = format!("/v1/workspaces/{}/tags", installed["workspaceId"].as_str().unwrap());
    let (status, tag) = api(
        &sim,
        "POST",
        &tags,
        Some(token(&installed)),
        Some(json!({ "name": "From the API" })),
    )
    .await;
    assert_eq!(status, 201, "{tag}");
    let mut calls = Vec::new();
    for _ in 0..100 {
        calls = addon.calls_to("/addon/hooks/tags");
        if !calls.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(calls.len(), 1, "NEW_TAG was delivered once");
    assert_eq!(calls[0].body, tag);
    assert_eq!(header(&calls[0], "clockify-webhook-event-type"), "NEW_TAG");
    assert_eq!(
        header(&calls[0], "clockify-signature"),
        webhook["authToken"].as_str().unwrap()
    );
}
