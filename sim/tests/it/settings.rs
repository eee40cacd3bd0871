//! The add-on settings screen at `/workspace/settings`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{valid_manifest, FakeAddon, TestSim, KEY};

/// The valid manifest plus a LINK, a described group with both dropdown kinds, and text that
/// needs escaping.
fn manifest(base_url: &str) -> Value {
    let mut manifest = valid_manifest(base_url);
    let tab = &mut manifest["settings"]["tabs"][0];
    tab["settings"][0]["value"] = json!(r#"<b>"hi"</b>"#);
    tab["settings"][0]["description"] = json!("Shown <first>");
    tab["settings"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "docs", "name": "Docs", "type": "LINK", "value": "https://example.com/docs", "accessLevel": "ADMINS" }));
    tab["groups"][0]["settings"][0]["description"] = json!("Rows per page, 1 to 50");
    tab["groups"].as_array_mut().unwrap().push(json!({
        "id": "display", "title": "Display", "settings": [
            { "id": "color", "name": "Colour", "type": "DROPDOWN_SINGLE", "value": "red",
              "allowedValues": ["red", "blue", "<green>"], "accessLevel": "ADMINS" },
            { "id": "events", "name": "Events", "type": "DROPDOWN_MULTIPLE", "value": ["A", "B"],
              "allowedValues": ["A", "B", "C"], "accessLevel": "ADMINS", "description": "Which events" }
        ]
    }));
    manifest
}

async fn installed(sim: &TestSim) -> (FakeAddon, Value) {
    let addon = FakeAddon::start(manifest).await;
    let (status, body) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = addon.wait_for_calls(1).await;
    (addon, calls[0].body.clone())
}

async fn get(sim: &TestSim, path: &str) -> (StatusCode, String) {
    let response = sim.http.get(sim.at(path)).send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.text().await.unwrap())
}

async fn screen(sim: &TestSim) -> String {
    let (status, html) = get(sim, &format!("/workspace/settings?addon={KEY}&theme=DEFAULT")).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// POSTs the settings form; answers the status and the `Location` (or the page on no redirect).
async fn post_form(sim: &TestSim, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = sim
        .http
        .post(sim.at(&format!("/workspace/settings?addon={KEY}&theme=DEFAULT")))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    match response.headers().get("location") {
        Some(location) => (status, location.to_str().unwrap().to_string()),
        None => (status, response.text().await.unwrap()),
    }
}

/// The element carrying `data-setting="{id}"` (a whole `<select>…</select>`, else the tag).
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let hook = html
        .find(&format!(r#"data-setting="{id}""#))
        .unwrap_or_else(|| panic!("no field {id}"));
    let start = html[..hook].rfind('<').unwrap();
    let end = if html[start..].starts_with("<select") {
        hook + html[hook..].find("</select>").unwrap()
    } else {
        hook + html[hook..].find('>').unwrap()
    };
    &html[start..=end]
}

fn notice(html: &str) -> &str {
    let start = html.find(r#"id="settings-notice""#).expect("a notice");
    let start = start + html[start..].find('>').unwrap() + 1;
    &html[start..start + html[start..].find("</div>").unwrap()]
}

/// The current values as the add-on reads them through the API.
async fn api_values(sim: &TestSim, installed: &Value) -> Vec<(String, Value)> {
    let response = sim
        .http
        .get(sim.at(&format!(
            "/api/addon/workspaces/{}/settings",
            installed["workspaceId"].as_str().unwrap()
        )))
        .header("X-Addon-Token", installed["authToken"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let settings: Value = response.json().await.unwrap();
    sim::settings::flat_list(&settings)
        .into_iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["value"].clone()))
        .collect()
}

fn value<'a>(values: &'a [(String, Value)], id: &str) -> &'a Value {
    &values.iter().find(|(key, _)| key == id).unwrap().1
}

#[tokio::test]
async fn the_screen_lists_every_setting_by_group_with_current_values() {
    let sim = TestSim::start().await;
    installed(&sim).await;

    let (status, html) = get(&sim, &format!("/workspace/settings?addon={KEY}&theme=DARK")).await;
    assert_eq!(status, StatusCode::OK);
    // The workspace frame, in the asked theme, with the toggle staying on this screen.
    assert!(html.contains("theme-dark") && html.contains(r#"id="sidebar""#));
    assert!(html.contains(&format!(r#"href="/workspace/settings?addon={KEY}&amp;theme=DEFAULT""#)));
    assert!(html.contains(&format!(r#"data-addon-link="{KEY}""#)));
    assert!(html.contains(&format!(r#"data-settings-link="{KEY}""#)));
    assert!(html.contains(&format!(
        r#"<form id="addon-settings" class="settings-form" data-addon="{KEY}""#
    )));
    assert!(html.contains("<h1>Test Add-on settings</h1>"));
    assert!(html.contains(r#"id="save-settings""#));
    for heading in ["<h2>General</h2>", "<h3>Limits</h3>", "<h3>Display</h3>"] {
        assert!(html.contains(heading), "{heading}");
    }
    assert!(html.find("<h3>Limits</h3>") < html.find(r#"data-setting="max-rows""#));
    assert!(html.find("<h3>Display</h3>") < html.find(r#"data-setting="color""#));

    let greeting = element(&html, "greeting");
    assert!(greeting.contains(r#"type="text""#) && greeting.contains(r#"name="greeting""#));
    assert!(
        greeting.contains(r#"value="&lt;b&gt;&quot;hi&quot;&lt;/b&gt;""#),
        "{greeting}"
    );
    assert!(html.contains("Shown &lt;first&gt;"));
    let docs = element(&html, "docs");
    assert!(docs.contains(r#"type="text""#) && docs.contains(r#"value="https://example.com/docs""#));
    let rows = element(&html, "max-rows");
    assert!(
        rows.contains(r#"type="number""#) && rows.contains(r#"value="50""#),
        "{rows}"
    );
    assert!(html.contains("Rows per page, 1 to 50"));
    let enabled = element(&html, "enabled");
    assert!(
        enabled.contains(r#"type="checkbox""#) && enabled.contains(" checked"),
        "{enabled}"
    );
    let color = element(&html, "color");
    assert!(!color.contains("multiple"));
    assert!(
        color.contains(r#"<option value="red" selected>red</option>"#),
        "{color}"
    );
    assert!(color.contains(r#"<option value="&lt;green&gt;">&lt;green&gt;</option>"#));
    let events = element(&html, "events");
    assert!(events.contains("<select") && events.contains(" multiple"), "{events}");
    assert!(events.contains(r#"<option value="A" selected>"#) && events.contains(r#"<option value="B" selected>"#));
    assert!(events.contains(r#"<option value="C">"#));
    assert!(!html.contains(r#"id="settings-notice""#));

    // The workspace page links to the screen too.
    let (_, page) = get(&sim, "/workspace").await;
    assert!(page.contains(&format!(
        r#"data-settings-link="{KEY}" href="/workspace/settings?addon={KEY}&amp;theme=DEFAULT""#
    )));

    let (status, html) = get(&sim, "/workspace/settings?addon=nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(notice(&html).contains("nobody"));
    assert!(!html.contains(r#"id="addon-settings""#));
}

#[tokio::test]
async fn saving_stores_typed_values_and_sends_settings_updated() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed(&sim).await;

    // `enabled` is unchecked, so the browser sends nothing for it.
    let (status, location) = post_form(
        &sim,
        &[
            ("greeting", "bonjour & <co>"),
            ("docs", "https://example.com/new"),
            ("max-rows", "25"),
            ("color", "<green>"),
            ("events", "A"),
            ("events", "C"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(
        location,
        format!("/workspace/settings?addon={KEY}&theme=DEFAULT&saved=ok&status=200")
    );

    let calls = addon.wait_for_calls(2).await;
    assert_eq!(calls[1].path, "/addon/lifecycle/settings");
    assert!(!crate::common::header(&calls[1], "x-addon-lifecycle-token").is_empty());
    assert_eq!(calls[1].body["addonId"], installed["addonId"]);
    assert_eq!(
        calls[1].body["settings"],
        json!([
            { "id": "greeting", "name": "Greeting", "value": "bonjour & <co>" },
            { "id": "docs", "name": "Docs", "value": "https://example.com/new" },
            { "id": "max-rows", "name": "Maximum rows", "value": 25 },
            { "id": "enabled", "name": "Enabled", "value": false },
            { "id": "color", "name": "Colour", "value": "<green>" },
            { "id": "events", "name": "Events", "value": ["A", "C"] }
        ])
    );
    let values = api_values(&sim, &installed).await;
    assert_eq!(value(&values, "max-rows"), &json!(25));
    assert_eq!(value(&values, "enabled"), &json!(false));
    assert_eq!(value(&values, "events"), &json!(["A", "C"]));

    let (status, html) = get(&sim, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(notice(&html), "Saved. The add-on answered 200.");
    assert!(element(&html, "max-rows").contains(r#"value="25""#));
    assert!(!element(&html, "enabled").contains(" checked"));
    assert!(element(&html, "color").contains(r#"<option value="&lt;green&gt;" selected>"#));
    let events = element(&html, "events");
    assert!(events.contains(r#"<option value="C" selected>"#) && !events.contains(r#"<option value="B" selected>"#));

    // Checking the box again sends true.
    let (status, _) = post_form(&sim, &[("enabled", "true"), ("events", "B")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let calls = addon.wait_for_calls(3).await;
    assert_eq!(calls[2].body["settings"][3]["value"], true);
    assert_eq!(calls[2].body["settings"][5]["value"], json!(["B"]));
    // Fields not in the form keep their values (only checkboxes and multi-selects mean "none").
    assert_eq!(calls[2].body["settings"][2]["value"], 25);
}

#[tokio::test]
async fn a_number_that_is_not_a_number_saves_and_sends_nothing() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed(&sim).await;
    let (status, html) = post_form(
        &sim,
        &[("greeting", "changed"), ("max-rows", "lots"), ("enabled", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        notice(&html).contains("Maximum rows must be a number"),
        "{}",
        notice(&html)
    );
    assert!(html.contains(r#"id="addon-settings""#));
    assert!(element(&html, "max-rows").contains(r#"aria-invalid="true""#));
    // What converted is shown as entered, but nothing is stored or sent.
    assert!(element(&html, "greeting").contains(r#"value="changed""#));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(addon.calls().len(), 1);
    let values = api_values(&sim, &installed).await;
    assert_eq!(value(&values, "max-rows"), &json!(50));
    assert_eq!(value(&values, "greeting"), &json!(r#"<b>"hi"</b>"#));
}

#[tokio::test]
async fn an_add_on_refusing_the_settings_shows_its_message_and_the_values_stay_saved() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed(&sim).await;
    addon.answer_with_json(
        StatusCode::BAD_REQUEST,
        json!({ "code": "invalid_settings", "message": "x must be between 1 and 50" }),
    );
    let (status, location) = post_form(&sim, &[("max-rows", "99"), ("enabled", "true")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (status, html) = get(&sim, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"class="alert alert-error" id="settings-notice" role="alert""#));
    let text = notice(&html);
    assert!(text.contains("x must be between 1 and 50"), "{text}");
    assert!(text.contains("400"), "{text}");
    assert_eq!(addon.calls().len(), 2);
    assert_eq!(value(&api_values(&sim, &installed).await, "max-rows"), &json!(99));
    assert!(element(&html, "max-rows").contains(r#"value="99""#));
}

#[tokio::test]
async fn a_patch_through_the_api_shows_on_the_screen() {
    let sim = TestSim::start().await;
    let (addon, installed) = installed(&sim).await;
    assert!(element(&screen(&sim).await, "max-rows").contains(r#"value="50""#));
    let response = sim
        .http
        .patch(sim.at(&format!(
            "/api/addon/workspaces/{}/settings",
            installed["workspaceId"].as_str().unwrap()
        )))
        .header("X-Addon-Token", installed["authToken"].as_str().unwrap())
        .json(&json!([{ "id": "max-rows", "value": 7 }, { "id": "events", "value": ["C"] }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    addon.wait_for_calls(2).await;
    let html = screen(&sim).await;
    assert!(element(&html, "max-rows").contains(r#"value="7""#));
    let events = element(&html, "events");
    assert!(events.contains(r#"<option value="C" selected>"#) && !events.contains(r#"<option value="A" selected>"#));
}
