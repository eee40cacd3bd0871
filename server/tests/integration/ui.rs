//! The iframe page, server-rendered: session from `auth_token`, theme, errors.

use crate::{
    on_both_backends,
    support::{tamper, TestApp},
};

const ADDON: &str = "universal-webhook";

async fn page(app: &TestApp, query: &str) -> (u16, String) {
    let response = app
        .http
        .get(app.url(&format!("/{ADDON}/ui{query}")))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn overview_renders_for_an_admin_token(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.user_token(ADDON, "OWNER", "DEFAULT");
    let (status, html) = page(app, &format!("?auth_token={token}")).await;
    assert_eq!(status, 200);
    for text in [
        "Universal Webhook",
        "Overview",
        "Webhooks",
        "Flows",
        "Explorer",
        "Settings",
        "ACTIVE",
        "Custom (127.0.0.1:9)",
    ] {
        assert!(html.contains(text), "missing {text:?} in the page");
    }
    assert!(html.contains(r#"data-theme="light""#));
    assert!(
        html.contains("/pkg/clockify-addons"),
        "the hydration scripts are included"
    );
}
on_both_backends!(overview_renders_for_an_admin_token);

async fn dark_theme_comes_from_the_token(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.user_token(ADDON, "OWNER", "DARK");
    let (_, html) = page(app, &format!("?auth_token={token}")).await;
    assert!(html.contains(r#"data-theme="dark""#));
}
on_both_backends!(dark_theme_comes_from_the_token);

async fn tampered_missing_and_non_admin_tokens_show_the_error_page(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.user_token(ADDON, "OWNER", "DEFAULT");
    let tampered = tamper(&token);
    let (_, html) = page(app, &format!("?auth_token={tampered}")).await;
    assert!(
        html.contains("could not be opened") && html.contains("signature is not valid"),
        "{html}"
    );
    let (_, html) = page(app, "").await;
    assert!(html.contains("needs Clockify"));
    let member = app.user_token(ADDON, "REGULAR", "DEFAULT");
    let (_, html) = page(app, &format!("?auth_token={member}")).await;
    assert!(html.contains("only workspace admins"));
    assert!(
        !html.contains("Fetching from Clockify"),
        "no installation data leaks to the error page"
    );
}
on_both_backends!(tampered_missing_and_non_admin_tokens_show_the_error_page);

async fn a_token_for_the_other_addon_is_refused(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.user_token("api-studio", "OWNER", "DEFAULT");
    let (_, html) = page(app, &format!("?auth_token={token}")).await;
    assert!(html.contains("another add-on"), "{html}");
}
on_both_backends!(a_token_for_the_other_addon_is_refused);

async fn settings_page_shows_each_value_and_its_source(app: &TestApp) {
    app.install(ADDON).await;
    let token = app.user_token(ADDON, "OWNER", "DEFAULT");
    let response = app
        .http
        .get(app.url(&format!("/{ADDON}/ui/settings?auth_token={token}")))
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains("Webhook log retention (days)"));
    assert!(html.contains(r#"value="90""#), "the default retention shows");
    assert!(html.contains(">default<"));
}
on_both_backends!(settings_page_shows_each_value_and_its_source);

/// Built-in default < environment variable < workspace setting, as the settings page shows it.
async fn settings_precedence(db: crate::support::Db) {
    use serde_json::json;

    use crate::support::{ADDON_ID, WORKSPACE};

    let Some(app) = TestApp::start_with(db, &[("UW_WEBHOOK_LOG_RETENTION_DAYS", "30")]).await else {
        return;
    };
    app.install(ADDON).await;
    let token = app.user_token(ADDON, "OWNER", "DEFAULT");
    let settings_page = || async {
        let url = app.url(&format!("/{ADDON}/ui/settings?auth_token={token}"));
        app.http.get(url).send().await.unwrap().text().await.unwrap()
    };
    let row = |html: &str, id: &str| {
        let start = html
            .find(&format!(r#"data-setting="{id}""#))
            .expect("the setting's row");
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    let html = settings_page().await;
    let retention = row(&html, "webhook_log_retention_days");
    assert!(
        retention.contains(r#"value="30""#) && retention.contains(">environment<"),
        "{retention}"
    );
    assert!(row(&html, "dedupe_window_hours").contains(">default<"));
    // SETTINGS_UPDATED from Clockify with these settings; its status.
    let clockify = &app;
    let settings_updated = |settings: serde_json::Value| {
        let body = json!({ "workspaceId": WORKSPACE, "addonId": ADDON_ID, "settings": settings });
        let token = clockify.lifecycle_token(ADDON);
        async move {
            clockify
                .lifecycle(ADDON, "settings-updated", Some(&token), &body.to_string())
                .await
                .status()
        }
    };
    let retention_45 =
        json!({ "id": "webhook_log_retention_days", "name": "Webhook log retention (days)", "value": 45 });
    assert_eq!(settings_updated(json!([retention_45.clone()])).await, 200);
    let retention = row(&settings_page().await, "webhook_log_retention_days");
    assert!(
        retention.contains(r#"value="45""#) && retention.contains(">workspace<"),
        "{retention}"
    );
    // A value Clockify sends that fails validation is refused; the page says so and the last
    // good value stays in effect.
    let pager = json!({ "id": "failure_alert", "name": "Failure alert", "value": "pager" });
    assert_eq!(settings_updated(json!([retention_45, pager])).await, 400);
    let html = settings_page().await;
    assert!(
        html.contains("Clockify sent values we could not use; the previous values are still in effect:"),
        "the problem is shown"
    );
    assert!(html.contains(r#"Failure alert: "pager" is neither toast, off nor an http(s) URL"#));
    assert!(row(&html, "failure_alert").contains(r#"value="toast""#));
    app.stop().await;
}

#[tokio::test]
async fn settings_precedence_on_sqlite() {
    settings_precedence(crate::support::Db::Sqlite).await;
}

#[tokio::test]
async fn settings_precedence_on_postgres() {
    settings_precedence(crate::support::Db::Postgres).await;
}
