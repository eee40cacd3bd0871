//! Runs the real binary, drives it with tokens in every place they travel, and checks that
//! no token reaches the log.

use std::{io::Read, process::Stdio};

use addon_core::crypto::SecretKey;
use serde_json::json;

use crate::support::{signer, ADDON_ID, WORKSPACE};

#[tokio::test]
async fn no_token_appears_in_the_logs() {
    let data_dir = std::env::temp_dir().join(format!("addons-redact-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let signer = signer();
    let key_path = data_dir.join("key.pem");
    std::fs::write(&key_path, signer.public_key_pem()).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let address = format!("http://127.0.0.1:{port}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("sqlite://{}/addons.db", data_dir.display()))
        .env("DATA_DIR", &data_dir)
        .env("CLOCKIFY_PUBLIC_KEY_PATH", &key_path)
        .env("SECRET_KEY", SecretKey::generate().to_base64())
        .env("LOG_LEVEL", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server binary");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{address}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child.stdout.take().unwrap().read_to_string(&mut logs).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
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
    let _ = std::fs::remove_dir_all(&data_dir);
}
