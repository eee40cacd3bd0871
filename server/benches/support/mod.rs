//! What the benchmarks share: free ports, the server's peak memory, and installing an add-on
//! through the simulator. Each benchmark uses part of it.
#![allow(dead_code)]

use serde_json::{json, Value};

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Peak resident set size of a process, MiB (`VmHWM` in /proc).
pub fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Installs the add-on whose manifest is at `manifest_url` into the simulator at `sim_url`;
/// returns the simulator's workspace id.
pub async fn install_through_sim(http: &reqwest::Client, sim_url: &str, manifest_url: &str) -> String {
    let installed = http
        .post(format!("{sim_url}/sim/install"))
        .json(&json!({ "manifestUrl": manifest_url }))
        .send()
        .await
        .unwrap();
    assert!(installed.status().is_success(), "{}", installed.text().await.unwrap());
    let workspace: Value = http
        .get(format!("{sim_url}/sim/workspace"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    workspace["id"].as_str().unwrap().to_string()
}
