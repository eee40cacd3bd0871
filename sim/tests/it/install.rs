//! Installing, reconfiguring and removing add-ons, and the lifecycle calls that go with it.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{header, installed_addon, valid_manifest, FakeAddon, TestSim, KEY};

fn is_object_id(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|id| id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn install_sends_a_signed_installed_with_one_entry_per_webhook() {
    let sim = TestSim::start().await;
    let addon = FakeAddon::start(valid_manifest).await;
    let workspace = sim.workspace().await;

    let (status, answer) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["key"], KEY);
    assert_eq!(answer["name"], "Test Add-on");
    assert_eq!(answer["workspaceId"], workspace["id"]);
    assert!(is_object_id(&answer["addonId"]));

    let calls = addon.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/addon/lifecycle/installed")
    );

    let lifecycle = sim.verify(header(call, "x-addon-lifecycle-token")).await;
    assert_eq!(lifecycle.iss, "clockify");
    assert_eq!(lifecycle.token_type, "addon");
    assert_eq!(lifecycle.sub, KEY);
    assert_eq!(lifecycle.workspace_id, workspace["id"].as_str().unwrap());
    assert_eq!(lifecycle.addon_id, answer["addonId"].as_str().unwrap());
    assert!(lifecycle.iat.is_some());

    let body = &call.body;
    assert_eq!(body["addonId"], answer["addonId"]);
    assert_eq!(body["workspaceId"], workspace["id"]);
    assert_eq!(body["asUser"], workspace["ownerId"]);
    assert_eq!(body["apiUrl"], sim.at("/api"));
    assert!(is_object_id(&body["addonUserId"]));
    assert_ne!(body["addonUserId"], body["addonId"]);

    let installation = sim.verify(body["authToken"].as_str().unwrap()).await;
    assert_eq!(installation.sub, KEY);
    assert_eq!(installation.backend_url.as_deref(), Some(sim.at("/api").as_str()));
    assert_eq!(installation.reports_url.as_deref(), Some(sim.at("/reports").as_str()));
    assert_eq!(installation.user.as_deref(), workspace["ownerId"].as_str());
    assert_eq!(installation.exp, None);

    let webhooks = body["webhooks"].as_array().unwrap();
    let paths: Vec<&str> = webhooks.iter().map(|w| w["path"].as_str().unwrap()).collect();
    let base = &addon.base_url;
    assert_eq!(
        paths,
        [
            format!("{base}/webhooks/clockify"),
            format!("{base}/webhooks/clockify"),
            format!("{base}/webhooks/projects")
        ]
    );
    for webhook in webhooks {
        assert_eq!(webhook["webhookType"], "ADDON");
        let claims = sim.verify(webhook["authToken"].as_str().unwrap()).await;
        assert_eq!(
            (claims.sub.as_str(), claims.addon_id.as_str()),
            (KEY, lifecycle.addon_id.as_str())
        );
    }

    let listed = sim.get_json("/sim/addons").await;
    assert_eq!(listed[0]["key"], KEY);
    assert_eq!(listed[0]["status"], "ACTIVE");
    assert_eq!(listed[0]["baseUrl"], base.as_str());
    assert_eq!(listed[0]["components"][0]["label"], "Test Panel");
}

#[tokio::test]
async fn invalid_manifests_get_422_with_problems_and_nothing_is_sent() {
    let sim = TestSim::start().await;
    let without_key = FakeAddon::start(|base| {
        let mut manifest = valid_manifest(base);
        manifest.as_object_mut().unwrap().remove("key");
        manifest
    })
    .await;
    let (status, body) = sim.install(&without_key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid_manifest");
    let problems = body["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p.as_str().unwrap().contains("key")),
        "{problems:?}"
    );

    let too_many_webhooks = FakeAddon::start(|base| {
        let mut manifest = valid_manifest(base);
        let webhooks: Vec<Value> = addon_core::events::ALL_EVENTS[..21]
            .iter()
            .map(|event| json!({ "event": event.name, "path": "/webhooks/clockify" }))
            .collect();
        manifest["webhooks"] = json!(webhooks);
        manifest
    })
    .await;
    let (status, body) = sim.install(&too_many_webhooks).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = body["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p.as_str().unwrap().contains("20")),
        "{problems:?}"
    );

    assert!(without_key.calls().is_empty());
    assert!(too_many_webhooks.calls().is_empty());
    assert_eq!(sim.get_json("/sim/addons").await, json!([]));
}

#[tokio::test]
async fn an_add_on_that_refuses_installed_is_not_installed() {
    let sim = TestSim::start().await;
    let addon = FakeAddon::start(valid_manifest).await;
    addon.answer_with(StatusCode::INTERNAL_SERVER_ERROR);
    let (status, body) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body["code"], "addon_rejected");
    assert_eq!(body["status"], 500);
    assert_eq!(body["body"], "recorded");
    assert_eq!(sim.get_json("/sim/addons").await, json!([]));
    // Its token was never valid afterwards.
    let token = addon.calls()[0].body["authToken"].as_str().unwrap().to_string();
    let workspace_id = sim.workspace().await["id"].as_str().unwrap().to_string();
    let response = sim
        .http
        .get(sim.at(&format!("/api/v1/workspaces/{workspace_id}")))
        .header("X-Addon-Token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_unreachable_manifest_is_a_502() {
    let sim = TestSim::start().await;
    let (status, body) = sim
        .post_json("/sim/install", json!({ "manifestUrl": "http://127.0.0.1:9/manifest" }))
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body["code"], "manifest_unreachable");
    let (status, _) = sim.post_json("/sim/install", json!({ "url": "x" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn status_settings_and_delete_send_clockify_bodies() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon(&sim).await;
    let workspace_id = installed["workspaceId"].clone();
    let addon_id = installed["addonId"].clone();

    let (status, report) = sim
        .post_json(&format!("/sim/addons/{KEY}/status"), json!({ "status": "INACTIVE" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["status"], 200);
    let call = addon.calls()[1].clone();
    assert_eq!(call.path, "/addon/lifecycle/status");
    assert_eq!(
        call.body,
        json!({ "addonId": addon_id, "workspaceId": workspace_id, "status": "INACTIVE" })
    );
    assert_eq!(sim.verify(header(&call, "x-addon-lifecycle-token")).await.sub, KEY);
    assert_eq!(sim.get_json("/sim/addons").await[0]["status"], "INACTIVE");
    let (status, _) = sim
        .post_json(&format!("/sim/addons/{KEY}/status"), json!({ "status": "ASLEEP" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, report) = sim
        .post_json(
            &format!("/sim/addons/{KEY}/settings"),
            json!([{ "id": "max-rows", "value": 75 }]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let call = addon.calls()[2].clone();
    assert_eq!(call.path, "/addon/lifecycle/settings");
    assert_eq!(
        call.body,
        json!({
            "workspaceId": workspace_id,
            "addonId": addon_id,
            "settings": [
                { "id": "greeting", "name": "Greeting", "value": "hello" },
                { "id": "max-rows", "name": "Maximum rows", "value": 75 },
                { "id": "enabled", "name": "Enabled", "value": true }
            ]
        })
    );
    let (status, body) = sim
        .post_json(
            &format!("/sim/addons/{KEY}/settings"),
            json!([{ "id": "nope", "value": 1 }]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(addon.calls().len(), 3);

    let response = sim
        .http
        .delete(sim.at(&format!("/sim/addons/{KEY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let call = addon.calls()[3].clone();
    assert_eq!(call.path, "/addon/lifecycle/deleted");
    assert_eq!(
        call.body,
        json!({ "addonId": addon_id, "workspaceId": workspace_id, "asUser": installed["asUser"] })
    );
    assert_eq!(sim.get_json("/sim/addons").await, json!([]));
    let response = sim
        .http
        .delete(sim.at(&format!("/sim/addons/{KEY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn reinstalling_deletes_the_old_installation_first() {
    let sim = TestSim::start().await;
    let (addon, first) = installed_addon(&sim).await;
    let (status, second) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK);
    let calls = addon.calls();
    let paths: Vec<&str> = calls.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/addon/lifecycle/installed",
            "/addon/lifecycle/deleted",
            "/addon/lifecycle/installed"
        ]
    );
    assert_eq!(calls[1].body["addonId"], first["addonId"]);
    assert_eq!(calls[2].body["addonId"], second["addonId"]);
    assert_ne!(first["addonId"], second["addonId"]);
    assert_eq!(sim.get_json("/sim/addons").await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn user_tokens_follow_the_requested_theme_and_role() {
    let sim = TestSim::start().await;
    let (_addon, installed) = installed_addon(&sim).await;
    let token = sim
        .get_json(&format!("/sim/token?addon={KEY}&theme=DARK&role=OWNER"))
        .await;
    let claims = sim.verify(token["token"].as_str().unwrap()).await;
    assert_eq!(claims.theme.as_deref(), Some("DARK"));
    assert_eq!(claims.workspace_role.as_deref(), Some("OWNER"));
    assert_eq!(claims.language.as_deref(), Some("EN"));
    assert_eq!(claims.user, installed["asUser"].as_str().map(str::to_string));
    assert_eq!(claims.addon_id, installed["addonId"].as_str().unwrap());
    let lifetime = claims.exp.unwrap() - claims.iat.unwrap();
    assert_eq!(lifetime, 30 * 60);

    let token = sim.get_json(&format!("/sim/token?addon={KEY}")).await;
    let claims = sim.verify(token["token"].as_str().unwrap()).await;
    assert_eq!(claims.theme.as_deref(), Some("DEFAULT"));
    let response = sim.http.get(sim.at("/sim/token?addon=unknown")).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
