//! The workspace page that hosts add-on iframes.

use crate::common::{installed_addon, TestSim, KEY};

async fn page(sim: &TestSim, query: &str) -> String {
    let response = sim
        .http
        .get(sim.at(&format!("/workspace{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The `src` of the add-on iframe, unescaped.
fn iframe_src(html: &str) -> String {
    let frame = &html[html.find(r#"id="addon-frame""#).expect("an add-on iframe")..];
    let start = frame.find(r#"src=""#).unwrap() + 5;
    let end = start + frame[start..].find('"').unwrap();
    frame[start..end].replace("&amp;", "&")
}

fn auth_token(src: &str) -> &str {
    src.split("auth_token=").nth(1).unwrap().split('&').next().unwrap()
}

#[tokio::test]
async fn the_root_redirects_and_the_empty_page_welcomes() {
    let sim = TestSim::start().await;
    let response = sim.http.get(sim.at("/")).send().await.unwrap();
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()["location"], "/workspace");
    let html = page(&sim, "").await;
    assert!(html.contains("Demo Workspace"));
    assert!(html.contains(r#"id="welcome""#));
    assert!(html.contains(r#"id="no-addons""#));
    assert!(!html.contains("data-addon-link"));
    assert!(html.contains("theme-light"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
}

#[tokio::test]
async fn the_page_lists_the_add_on_and_frames_it_with_a_themed_token() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed_addon(&sim).await;

    let html = page(&sim, "").await;
    assert!(html.contains(&format!(r#"data-addon-link="{KEY}""#)));
    assert!(html.contains("Test Panel"));
    assert!(html.contains(r#"id="installed-addons""#));
    assert!(!html.contains(r#"id="addon-frame""#));

    for (theme, class) in [("DARK", "theme-dark"), ("DEFAULT", "theme-light")] {
        let html = page(&sim, &format!("?addon={KEY}&theme={theme}")).await;
        assert!(html.contains(class));
        assert!(html.contains(&format!(r#"data-addon="{KEY}""#)));
        assert!(html.contains(r#"name="addon-frame""#));
        let src = iframe_src(&html);
        assert!(src.starts_with(&format!("{}/ui?auth_token=", addon.base_url)), "{src}");
        let claims = sim.verify(auth_token(&src)).await;
        assert_eq!(claims.theme.as_deref(), Some(theme));
        assert_eq!(claims.user, installed["asUser"].as_str().map(str::to_string));
        assert_eq!(claims.workspace_role.as_deref(), Some("OWNER"));
        // The theme switch keeps the add-on and flips the theme.
        let other = if theme == "DARK" { "DEFAULT" } else { "DARK" };
        assert!(
            html.contains(&format!("/workspace?addon={KEY}&amp;theme={other}")),
            "{html}"
        );
    }

    let html = page(&sim, "?addon=not-installed").await;
    assert!(html.contains(r#"id="notice""#));
    assert!(!html.contains(r#"id="addon-frame""#));
}

#[tokio::test]
async fn inactive_add_ons_leave_the_sidebar() {
    let sim = TestSim::start().await;
    installed_addon(&sim).await;
    let (status, _) = sim
        .post_json(
            &format!("/sim/addons/{KEY}/status"),
            serde_json::json!({ "status": "INACTIVE" }),
        )
        .await;
    assert_eq!(status, 200);
    let html = page(&sim, &format!("?addon={KEY}")).await;
    assert!(!html.contains("data-addon-link"));
    assert!(!html.contains(r#"id="addon-frame""#));
    assert!(html.contains("INACTIVE"));
}

#[tokio::test]
async fn the_page_has_buttons_that_fire_webhook_events() {
    let sim = TestSim::start().await;
    let html = page(&sim, "").await;
    for event in ["NEW_TIME_ENTRY", "NEW_TIMER_STARTED", "NEW_PROJECT", "NEW_TAG"] {
        assert!(html.contains(&format!(r#"data-fire="{event}""#)), "{event}");
    }
    assert!(html.contains(r#"id="fire-result""#));
    assert!(html.contains("/sim/webhooks/fire"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    // Only on the workspace screen, not on an add-on's settings screen.
    let response = sim.http.get(sim.at("/workspace/settings")).send().await.unwrap();
    assert!(!response.text().await.unwrap().contains("data-fire"));
}
