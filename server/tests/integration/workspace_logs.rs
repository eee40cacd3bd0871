//! The `log_level` setting sets the detail of one workspace's processing logs, live: the real
//! binary runs at `LOG_LEVEL=info`, and a workspace switched to `debug` in Clockify's settings
//! logs each delivery it receives from then on; switched to `error`, it stops again.

use serde_json::{json, Value};

use crate::{
    binary::ServerProcess,
    support::{signer, ADDON_ID, OWNER, WORKSPACE},
};

const ADDON: &str = "universal-webhook";
const SAMPLE: &str = include_str!("../../../core/tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");

#[tokio::test]
async fn a_workspace_log_level_applies_to_its_next_delivery() {
    let signer = signer();
    let server = ServerProcess::start(&[("LOG_LEVEL", "info")]).await;
    let http = reqwest::Client::new();
    let lifecycle = signer.sign(&sim::tokens::lifecycle_claims(ADDON, WORKSPACE, ADDON_ID));
    let webhook = signer.sign(&sim::tokens::webhook_claims(ADDON, WORKSPACE, ADDON_ID));
    let installed = json!({
        "addonId": ADDON_ID, "workspaceId": WORKSPACE, "asUser": OWNER,
        "authToken": signer.sign(&sim::tokens::installation_claims(ADDON, WORKSPACE, ADDON_ID, "http://127.0.0.1:9", OWNER)),
        "apiUrl": "http://127.0.0.1:9/api",
        "webhooks": [{ "path": "x", "webhookType": "ADDON", "authToken": webhook }]
    });
    let lifecycle_call = |event: &'static str, body: Value| {
        http.post(format!("{}/{ADDON}/lifecycle/{event}", server.address))
            .header("X-Addon-Lifecycle-Token", &lifecycle)
            .json(&body)
            .send()
    };
    let set_level = |level: &'static str| {
        lifecycle_call(
            "settings-updated",
            json!({ "workspaceId": WORKSPACE, "addonId": ADDON_ID,
                    "settings": [{ "id": "log_level", "name": "Log level", "value": level }] }),
        )
    };
    let deliver = |event: &'static str, marker: &'static str| {
        let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
        body["description"] = json!(marker);
        http.post(format!("{}/{ADDON}/webhooks/clockify", server.address))
            .header("clockify-signature", &webhook)
            .header("clockify-webhook-event-type", event)
            .json(&body)
            .send()
    };
    assert_eq!(lifecycle_call("installed", installed).await.unwrap().status(), 200);

    // LOG_LEVEL=info: a delivery leaves no debug line.
    assert_eq!(deliver("NEW_TIME_ENTRY", "at info").await.unwrap().status(), 200);
    assert_eq!(set_level("debug").await.unwrap().status(), 200);
    assert_eq!(deliver("TIME_ENTRY_UPDATED", "at debug").await.unwrap().status(), 200);
    assert_eq!(set_level("error").await.unwrap().status(), 200);
    assert_eq!(deliver("NEW_TASK", "at error").await.unwrap().status(), 200);
    let refused = set_level("verbose").await.unwrap();
    assert_eq!(refused.status(), 400, "an unknown level is refused and error stays");
    assert_eq!(deliver("NEW_TIME_ENTRY", "after refusal").await.unwrap().status(), 200);

    let logs = server.logs_after(std::time::Duration::from_millis(500)).await;
    let accepted: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["fields"]["message"] == "webhook event accepted")
        .collect();
    let types: Vec<&str> = accepted
        .iter()
        .filter_map(|line| line["fields"]["event_type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["TIME_ENTRY_UPDATED"],
        "only the delivery made at debug is logged: {logs}"
    );
    assert_eq!(accepted[0]["level"], "DEBUG");
    assert_eq!(accepted[0]["span"]["workspace"], WORKSPACE, "{}", accepted[0]);
    assert_eq!(accepted[0]["span"]["addon"], ADDON);
    assert!(
        logs.contains("\"path\":\"/universal-webhook/webhooks/clockify\""),
        "the server's own request lines stay at LOG_LEVEL"
    );
}
