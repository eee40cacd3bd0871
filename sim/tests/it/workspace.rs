//! The demo workspace and start-up installs.

use std::time::Duration;

use sim::WorkspaceSpec;

use crate::common::{valid_manifest, FakeAddon, TestSim, KEY};

#[tokio::test]
async fn the_same_seed_gives_the_same_workspace() {
    let first = TestSim::start().await.workspace().await;
    let second = TestSim::start().await.workspace().await;
    assert_eq!(first, second);
    assert_eq!(first["users"].as_array().unwrap().len(), 8);
    assert_eq!(first["projects"].as_array().unwrap().len(), 12);
    assert_eq!(first["clients"].as_array().unwrap().len(), 5);
    assert_eq!(first["tags"].as_array().unwrap().len(), 10);
    assert_eq!(first["users"][0]["name"], "Ada Admin");

    let spec = WorkspaceSpec {
        seed: 7,
        users: 3,
        name: "Other".into(),
        ..WorkspaceSpec::default()
    };
    let other = TestSim::start_with(spec, Vec::new()).await.workspace().await;
    assert_ne!(other["id"], first["id"]);
    assert_eq!(other["name"], "Other");
    assert_eq!(other["users"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn start_up_installs_wait_for_the_add_on() {
    // Reserve a port, free it, and only start the add-on there after the simulator is up.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let manifest_url = format!("http://127.0.0.1:{port}/addon/manifest");
    let sim = TestSim::start_with(WorkspaceSpec::default(), vec![manifest_url]).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sim.get_json("/sim/addons").await, serde_json::json!([]));

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let addon = FakeAddon::serve(listener, valid_manifest);
    let calls = addon.wait_for_calls(1).await;
    assert_eq!(calls[0].path, "/addon/lifecycle/installed");
    for _ in 0..50 {
        let listed = sim.get_json("/sim/addons").await;
        if listed.as_array().is_some_and(|list| !list.is_empty()) {
            assert_eq!(listed[0]["key"], KEY);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the add-on was not installed");
}
