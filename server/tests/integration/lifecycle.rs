//! The four lifecycle events and every bad-input case of the foundation issue.

use addon_core::claims::ClockifyClaims;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use crate::{
    on_both_backends,
    support::{lifecycle_claims, TestApp, ADDON_ID, WORKSPACE},
};

const ADDON: &str = "api-studio";

async fn assert_refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

async fn installed_stores_the_installation_with_the_token_encrypted(app: &TestApp) {
    app.install(ADDON).await;
    let installation = app.store.installation(ADDON, WORKSPACE).await.unwrap().expect("stored");
    assert_eq!(installation.addon_id, ADDON_ID);
    assert_eq!(installation.status, "ACTIVE");
    assert_eq!(installation.backend_url, "http://127.0.0.1:9/api");
    let token = app.installed_body(ADDON)["authToken"].as_str().unwrap().to_string();
    assert!(!installation.token_ciphertext.contains(&token[..40]));
    assert_eq!(app.store.webhook_tokens(ADDON, WORKSPACE).await.unwrap().len(), 2);
}
on_both_backends!(installed_stores_the_installation_with_the_token_encrypted);

async fn repeated_installed_is_idempotent(app: &TestApp) {
    app.install(ADDON).await;
    app.install(ADDON).await;
    assert_eq!(
        app.rows(ADDON).await,
        4,
        "one installation, two webhook tokens and the bootstrap job"
    );
}
on_both_backends!(repeated_installed_is_idempotent);

async fn the_same_workspace_keeps_the_two_addons_apart(app: &TestApp) {
    app.install("api-studio").await;
    app.install("universal-webhook").await;
    let token = app.lifecycle_token("api-studio");
    let body = json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "asUser": "u" }).to_string();
    let response = app.lifecycle("api-studio", "deleted", Some(&token), &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.rows("api-studio").await, 0);
    assert_eq!(app.rows("universal-webhook").await, 4);
}
on_both_backends!(the_same_workspace_keeps_the_two_addons_apart);

async fn deleted_leaves_no_row(app: &TestApp) {
    app.install(ADDON).await;
    let body = json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "asUser": "u" }).to_string();
    let response = app
        .lifecycle(ADDON, "deleted", Some(&app.lifecycle_token(ADDON)), &body)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.rows(ADDON).await, 0);
}
on_both_backends!(deleted_leaves_no_row);

async fn status_changed_inactive_keeps_the_data(app: &TestApp) {
    app.install(ADDON).await;
    let body = json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "status": "INACTIVE" }).to_string();
    let response = app
        .lifecycle(ADDON, "status-changed", Some(&app.lifecycle_token(ADDON)), &body)
        .await;
    assert_eq!(response.status(), 200);
    let installation = app.store.installation(ADDON, WORKSPACE).await.unwrap().unwrap();
    assert_eq!(installation.status, "INACTIVE");
    assert_eq!(app.rows(ADDON).await, 4);
    let bad = json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "status": "PAUSED" }).to_string();
    let response = app
        .lifecycle(ADDON, "status-changed", Some(&app.lifecycle_token(ADDON)), &bad)
        .await;
    assert_refused(response, 400, "invalid_status").await;
}
on_both_backends!(status_changed_inactive_keeps_the_data);

async fn settings_updated_stores_valid_values_and_keeps_the_old_value_of_invalid_ones(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.lifecycle_token(ADDON);
    let body = |value: Value| {
        json!({ "workspaceId": WORKSPACE, "addonId": ADDON_ID, "settings": [
            { "id": "bootstrap_max_rps", "name": "Bootstrap requests per second", "value": value },
            { "id": "flows_enabled", "name": "Flows enabled", "value": false }
        ]})
        .to_string()
    };
    let response = app
        .lifecycle(ADDON, "settings-updated", Some(&token), &body(json!(10)))
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .lifecycle(ADDON, "settings-updated", Some(&token), &body(json!(500)))
        .await;
    assert_refused(response, 400, "invalid_settings").await;
    let installation = app.store.installation(ADDON, WORKSPACE).await.unwrap().unwrap();
    let settings: Value = serde_json::from_str(&installation.settings).unwrap();
    assert_eq!(settings["values"]["bootstrap_max_rps"], 10);
    assert_eq!(settings["values"]["flows_enabled"], false);
    assert!(settings["problems"][0].as_str().unwrap().contains("between 1 and 50"));
}
on_both_backends!(settings_updated_stores_valid_values_and_keeps_the_old_value_of_invalid_ones);

/// Posts INSTALLED with `token` and asserts a 401 with `code` and nothing stored.
async fn assert_install_refused(app: &TestApp, token: Option<&str>, body: &Value, code: &str) {
    let response = app.lifecycle(ADDON, "installed", token, &body.to_string()).await;
    assert_refused(response, 401, code).await;
    assert_eq!(app.rows(ADDON).await, 0, "nothing may be stored");
}

async fn missing_token_is_refused(app: &TestApp) {
    assert_install_refused(app, None, &app.installed_body(ADDON), "missing_token").await;
}
on_both_backends!(missing_token_is_refused);

async fn expired_token_is_refused(app: &TestApp) {
    let mut claims = lifecycle_claims(ADDON);
    claims.exp = Some(sim::tokens::now() - 3600);
    let token = app.signer.sign(&claims);
    assert_install_refused(app, Some(&token), &app.installed_body(ADDON), "invalid_token").await;
}
on_both_backends!(expired_token_is_refused);

async fn token_forged_with_another_key_is_refused(app: &TestApp) {
    let forger = other_signer();
    let token = forger.sign(&lifecycle_claims(ADDON));
    assert_install_refused(app, Some(&token), &app.installed_body(ADDON), "invalid_token").await;
}
on_both_backends!(token_forged_with_another_key_is_refused);

async fn alg_none_is_refused(app: &TestApp) {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&lifecycle_claims(ADDON)).unwrap());
    let token = format!("{header}.{payload}.");
    assert_install_refused(app, Some(&token), &app.installed_body(ADDON), "invalid_token").await;
}
on_both_backends!(alg_none_is_refused);

async fn hs256_signed_with_the_public_key_is_refused(app: &TestApp) {
    let key = jsonwebtoken::EncodingKey::from_secret(app.signer.public_key_pem().as_bytes());
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &lifecycle_claims(ADDON),
        &key,
    )
    .unwrap();
    assert_install_refused(app, Some(&token), &app.installed_body(ADDON), "invalid_token").await;
}
on_both_backends!(hs256_signed_with_the_public_key_is_refused);

async fn wrong_subject_or_issuer_is_refused(app: &TestApp) {
    let wrong_sub = app.signer.sign(&lifecycle_claims("universal-webhook"));
    assert_install_refused(app, Some(&wrong_sub), &app.installed_body(ADDON), "invalid_token").await;
    let wrong_iss = app.signer.sign(&ClockifyClaims {
        iss: "someone-else".into(),
        ..lifecycle_claims(ADDON)
    });
    assert_install_refused(app, Some(&wrong_iss), &app.installed_body(ADDON), "invalid_token").await;
}
on_both_backends!(wrong_subject_or_issuer_is_refused);

async fn token_for_another_workspace_is_refused(app: &TestApp) {
    let token = app.signer.sign(&ClockifyClaims {
        workspace_id: "aaaaaaaaaaaaaaaaaaaaaaaa".into(),
        ..lifecycle_claims(ADDON)
    });
    assert_install_refused(app, Some(&token), &app.installed_body(ADDON), "token_mismatch").await;
}
on_both_backends!(token_for_another_workspace_is_refused);

async fn forged_installation_token_in_the_body_is_refused(app: &TestApp) {
    let mut body = app.installed_body(ADDON);
    body["authToken"] = json!(other_signer().sign(&lifecycle_claims(ADDON)));
    assert_install_refused(
        app,
        Some(&app.lifecycle_token(ADDON)),
        &body,
        "invalid_installation_token",
    )
    .await;
}
on_both_backends!(forged_installation_token_in_the_body_is_refused);

async fn malformed_json_is_a_400_and_stores_nothing(app: &TestApp) {
    let response = app
        .lifecycle(ADDON, "installed", Some(&app.lifecycle_token(ADDON)), "{not json")
        .await;
    assert_refused(response, 400, "invalid_body").await;
    assert_eq!(app.rows(ADDON).await, 0);
}
on_both_backends!(malformed_json_is_a_400_and_stores_nothing);

async fn other_lifecycle_events_need_a_valid_token_too(app: &TestApp) {
    app.install(ADDON).await;
    let body =
        json!({ "addonId": ADDON_ID, "workspaceId": WORKSPACE, "asUser": "u", "status": "INACTIVE", "settings": [] })
            .to_string();
    for event in ["deleted", "status-changed", "settings-updated"] {
        let forged = other_signer().sign(&lifecycle_claims(ADDON));
        let response = app.lifecycle(ADDON, event, Some(&forged), &body).await;
        assert_refused(response, 401, "invalid_token").await;
    }
    assert_eq!(app.rows(ADDON).await, 4, "a forged DELETED removes nothing");
    assert_eq!(
        app.store.installation(ADDON, WORKSPACE).await.unwrap().unwrap().status,
        "ACTIVE"
    );
}
on_both_backends!(other_lifecycle_events_need_a_valid_token_too);

fn other_signer() -> sim::tokens::Signer {
    static SIGNER: std::sync::OnceLock<sim::tokens::Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| sim::tokens::Signer::generate().unwrap()).clone()
}
