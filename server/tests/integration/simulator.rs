//! Real HTTP between the add-on server and the local Clockify: install through the manifest
//! URL, fetch workspace details from the simulator's API, open the page with its token, uninstall.

use serde_json::{json, Value};

use crate::support::{Db, TestApp, TestSim};

async fn installing_through_the_simulator_shows_the_workspace_in_the_page(db: Db) {
    let sim = TestSim::start(sim::WorkspaceSpec::default()).await;
    let (simulator, key) = (sim.url.clone(), sim.key());
    let Some(app) = TestApp::start_with(db, &[("CLOCKIFY_PUBLIC_KEY_PATH", &key)]).await else {
        return;
    };
    for addon in ["api-studio", "universal-webhook"] {
        let response = app
            .http
            .post(format!("{simulator}/sim/install"))
            .json(&json!({ "manifestUrl": app.url(&format!("/{addon}/manifest")) }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let workspace: Value = app
        .http
        .get(format!("{simulator}/sim/workspace"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let workspace_id = workspace["id"].as_str().unwrap().to_string();
    let mut name = None;
    for _ in 0..100 {
        let installation = app
            .store
            .installation("api-studio", &workspace_id)
            .await
            .unwrap()
            .expect("installed");
        if installation.workspace_name.is_some() {
            name = installation.workspace_name;
            assert_eq!(installation.workspace_plan.as_deref(), Some("ENTERPRISE"));
            assert_eq!(installation.installer_name.as_deref(), Some("Ada Admin"));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(name.as_deref(), Some("Demo Workspace"));
    let token: Value = app
        .http
        .get(format!("{simulator}/sim/token?addon=api-studio&theme=DARK&role=OWNER"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = app
        .http
        .get(app.url(&format!(
            "/api-studio/ui?auth_token={}",
            token["token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Demo Workspace") && html.contains("Ada Admin"), "{html}");
    let deleted = app
        .http
        .delete(format!("{simulator}/sim/addons/api-studio"))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    assert_eq!(
        app.store
            .count_installation_rows("api-studio", &workspace_id)
            .await
            .unwrap(),
        0
    );
    assert!(app
        .store
        .installation("universal-webhook", &workspace_id)
        .await
        .unwrap()
        .is_some());
    drop(sim);
    app.stop().await;
}

#[tokio::test]
async fn simulator_install_on_sqlite() {
    installing_through_the_simulator_shows_the_workspace_in_the_page(Db::Sqlite).await;
}

#[tokio::test]
async fn simulator_install_on_postgres() {
    installing_through_the_simulator_shows_the_workspace_in_the_page(Db::Postgres).await;
}
