//! The `/api` endpoints add-ons call with `X-Addon-Token`.

use serde_json::{json, Value};

use crate::common::{installed_addon, TestSim, KEY};

async fn api(sim: &TestSim, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = sim.http.get(sim.at(path));
    if let Some(token) = token {
        request = request.header("X-Addon-Token", token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn workspace_endpoints_need_a_live_installation_token() {
    let sim = TestSim::start().await;
    let workspace = sim.workspace().await;
    let workspace_id = workspace["id"].as_str().unwrap();
    let path = format!("/api/v1/workspaces/{workspace_id}");

    let (status, body) = api(&sim, &path, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], 4003);
    assert!(body["message"].is_string());
    assert_eq!(api(&sim, &path, Some("not-a-token")).await.0, 401);

    let (_addon, installed) = installed_addon(&sim).await;
    let token = installed["authToken"].as_str().unwrap();
    let (status, body) = api(&sim, &path, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], workspace_id);
    assert_eq!(body["name"], "Demo Workspace");
    assert_eq!(body["featureSubscriptionType"], "ENTERPRISE");
    assert_eq!(body["memberships"].as_array().unwrap().len(), 8);
    assert_eq!(body["memberships"][0]["userId"], workspace["ownerId"]);
    assert!(body["workspaceSettings"].is_object());

    let (status, _) = api(&sim, "/api/v1/workspaces/000000000000000000000000", Some(token)).await;
    assert_eq!(status, 403);

    let owner_id = workspace["ownerId"].as_str().unwrap();
    let (status, profile) = api(&sim, &format!("{path}/member-profile/{owner_id}"), Some(token)).await;
    assert_eq!(status, 200);
    assert_eq!(profile["name"], "Ada Admin");
    assert_eq!(profile["email"], "ada@example.com");
    let (status, body) = api(
        &sim,
        &format!("{path}/member-profile/ffffffffffffffffffffffff"),
        Some(token),
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["message"].is_string());

    let response = sim
        .http
        .delete(sim.at(&format!("/sim/addons/{KEY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(api(&sim, &path, Some(token)).await.0, 401);
}

#[tokio::test]
async fn structured_settings_can_be_read_and_patched() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon(&sim).await;
    let token = installed["authToken"].as_str().unwrap();
    let path = format!(
        "/api/addon/workspaces/{}/settings",
        installed["workspaceId"].as_str().unwrap()
    );

    let (status, settings) = api(&sim, &path, Some(token)).await;
    assert_eq!(status, 200);
    assert_eq!(settings["tabs"][0]["settings"][0]["value"], "hello");
    assert_eq!(api(&sim, &path, None).await.0, 401);

    let response = sim
        .http
        .patch(sim.at(&path))
        .header("X-Addon-Token", token)
        .json(&json!([{ "id": "greeting", "value": "bonjour" }, { "id": "enabled", "value": false }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["tabs"][0]["settings"][0]["value"], "bonjour");
    assert_eq!(api(&sim, &path, Some(token)).await.1, patched);

    let calls = addon.wait_for_calls(2).await;
    assert_eq!(calls[1].path, "/addon/lifecycle/settings");
    let values: Vec<&Value> = calls[1].body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["value"])
        .collect();
    assert_eq!(values, [&json!("bonjour"), &json!(50), &json!(false)]);

    let response = sim
        .http
        .patch(sim.at(&path))
        .header("X-Addon-Token", token)
        .json(&json!({ "id": "greeting" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
