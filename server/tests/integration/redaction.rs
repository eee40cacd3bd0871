//! Runs the real binary, drives it with tokens in every place they travel, and checks that
//! no token reaches the log.

use serde_json::json;

use crate::{
    binary::ServerProcess,
    support::{signer, ADDON_ID, WORKSPACE},
};

#[tokio::test]
async fn no_token_appears_in_the_logs() {
    let signer = signer();
    let server = ServerProcess::start(&[("LOG_LEVEL", "debug")]).await;
    let address = server.address.clone();
    let http = reqwest::Client::new();
    let addon = "api-studio";
    let lifecycle = signer.sign(&sim::tokens::lifecycle_claims(addon, WORKSPACE, ADDON_ID));
    let installation = signer.sign(&sim::tokens::installation_claims(
        addon,
        WORKSPACE,
        ADDON_ID,
        "http://127.0.0.1:9",
        "u1",
    ));
    let webhook = signer.sign(&sim::tokens::webhook_claims(addon, WORKSPACE, ADDON_ID));
    let user = signer.sign(&sim::tokens::user_claims(
        addon,
        WORKSPACE,
        ADDON_ID,
        "http://127.0.0.1:9",
        "u1",
        "OWNER",
        "DEFAULT",
    ));
    let body = json!({
        "addonId": ADDON_ID, "authToken": installation, "workspaceId": WORKSPACE, "asUser": "u1",
        "apiUrl": "http://127.0.0.1:9/api",
        "webhooks": [{ "path": "x", "webhookType": "ADDON", "authToken": webhook }]
    });
    let installed = http
        .post(format!("{address}/{addon}/lifecycle/installed"))
        .header("X-Addon-Lifecycle-Token", &lifecycle)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(installed.status(), 200);
    let page = http
        .get(format!("{address}/{addon}/ui?auth_token={user}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let refused = http
        .post(format!("{address}/{addon}/lifecycle/installed"))
        .header("X-Addon-Lifecycle-Token", format!("{lifecycle}x"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let logs = server.logs_after(std::time::Duration::from_millis(1500)).await;
    assert!(
        logs.contains("\"path\":\"/api-studio/ui\""),
        "the page request was logged: {logs}"
    );
    assert!(logs.contains("auth_token=[redacted]"));
    for (name, token) in [
        ("lifecycle", &lifecycle),
        ("installation", &installation),
        ("webhook", &webhook),
        ("user", &user),
    ] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "the {name} token leaked into the logs");
    }
}
