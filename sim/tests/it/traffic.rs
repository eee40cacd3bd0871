//! Rate limit, FREE-plan hourly budget, injected faults and request statistics of `/api`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sim::{SimConfig, WorkspaceSpec};
use tokio::{task::JoinSet, time::MissedTickBehavior};

use crate::common::{installed_with_scopes, TestSim, READ_SCOPES};

async fn stats(sim: &TestSim) -> Value {
    sim.get_json("/sim/stats").await
}

/// Sends `count` GETs of `/api{path}` at once; answers each status and whether it had
/// `Retry-After`, and one 429 body.
async fn burst(sim: &TestSim, token: &str, path: &str, count: usize) -> (Vec<u16>, bool, Option<Value>) {
    let mut requests = JoinSet::new();
    for _ in 0..count {
        let request = sim
            .http
            .get(sim.at(&format!("/api{path}")))
            .header("X-Addon-Token", token);
        requests.spawn(async move {
            let response = request.send().await.unwrap();
            let retry_after = response.headers().contains_key("retry-after");
            let status = response.status().as_u16();
            (status, retry_after, response.json::<Value>().await.ok())
        });
    }
    let mut statuses = Vec::new();
    let mut any_retry_after = false;
    let mut rejected_body = None;
    while let Some(answer) = requests.join_next().await {
        let (status, retry_after, body) = answer.unwrap();
        statuses.push(status);
        any_retry_after |= retry_after;
        if status == 429 {
            rejected_body = body;
        }
    }
    (statuses, any_retry_after, rejected_body)
}

#[tokio::test]
async fn bursts_over_the_limit_get_429_without_retry_after() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    sim.set_faults(json!({ "rateLimit": 10 })).await;
    let path = format!("/v1/workspaces/{}/users", installed.workspace_id);

    let (statuses, retry_after, body) = burst(&sim, &installed.token, &path, 60).await;
    let ok = statuses.iter().filter(|&&status| status == 200).count();
    let limited = statuses.iter().filter(|&&status| status == 429).count();
    assert_eq!(ok + limited, 60, "{statuses:?}");
    assert!(
        (10..=30).contains(&ok),
        "a burst passes the bucket's 10 (plus refill): {ok}"
    );
    assert!(!retry_after, "Clockify documents no Retry-After");
    assert_eq!(body, Some(json!({ "message": "Too many requests", "code": 429 })));

    let stats = stats(&sim).await;
    assert_eq!(stats["tooManyRequests"], limited as u64);
    assert!(stats["maxRequestsInOneSecond"].as_u64().unwrap() >= 30);
}

#[tokio::test]
async fn evenly_spaced_requests_at_the_limit_never_see_429() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    sim.set_faults(json!({ "rateLimit": 20 })).await;
    let path = format!("/v1/workspaces/{}/projects", installed.workspace_id);

    let mut every = tokio::time::interval(Duration::from_millis(50));
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for request in 0..50 {
        every.tick().await;
        let answer = sim.api(&path, Some(&installed.token)).await;
        assert_eq!(answer.status, 200, "request {request}: {}", answer.text);
    }
    let stats = stats(&sim).await;
    assert_eq!(stats["tooManyRequests"], 0);
    let busiest = stats["maxRequestsInOneSecond"].as_u64().unwrap();
    assert!((15..=22).contains(&busiest), "{busiest}");
}

#[tokio::test]
async fn a_free_workspace_gets_30_calls_per_hour() {
    let sim = TestSim::start_with(
        WorkspaceSpec {
            plan: "FREE".into(),
            ..WorkspaceSpec::default()
        },
        Vec::new(),
    )
    .await;
    assert_eq!(sim.get_json("/sim/faults").await["hourlyBudget"], 30);
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    let path = format!("/v1/workspaces/{}/tags", installed.workspace_id);
    for call in 0..30 {
        assert_eq!(sim.api(&path, Some(&installed.token)).await.status, 200, "call {call}");
    }
    let answer = sim.api(&path, Some(&installed.token)).await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.body(), &json!({ "message": "Too many requests", "code": 429 }));
    assert_eq!(answer.retry_after, None);

    sim.set_faults(json!({ "hourlyBudget": null })).await;
    assert_eq!(sim.api(&path, Some(&installed.token)).await.status, 200);
}

#[tokio::test]
async fn the_hourly_budget_can_be_switched_on_for_any_plan() {
    let sim = TestSim::start().await;
    assert_eq!(sim.get_json("/sim/faults").await["hourlyBudget"], Value::Null);
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    sim.set_faults(json!({ "hourlyBudget": 3 })).await;
    let path = format!("/v1/workspaces/{}", installed.workspace_id);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(sim.api(&path, Some(&installed.token)).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn injected_errors_follow_the_error_rate() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    sim.set_faults(json!({ "errorRate": 0.3, "rateLimit": 1_000_000 }))
        .await;
    let path = format!("/v1/workspaces/{}/clients", installed.workspace_id);
    let mut failed = 0;
    for _ in 0..300 {
        let answer = sim.api(&path, Some(&installed.token)).await;
        match answer.status {
            200 => {}
            500 | 503 => {
                failed += 1;
                assert_eq!(answer.body()["code"], answer.status);
                assert!(answer.body()["message"].is_string());
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!((60..=120).contains(&failed), "{failed} of 300 failed at rate 0.3");
    let stats = stats(&sim).await;
    assert_eq!(stats["injectedErrors"], failed);
    assert_eq!(stats["ok"], 300 - failed);
}

#[tokio::test]
async fn malformed_answers_are_cut_short_and_latency_is_added() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    let path = format!("/v1/workspaces/{}/projects", installed.workspace_id);
    sim.set_faults(json!({ "malformedRate": 1.0, "latencyMs": 300 })).await;

    let started = Instant::now();
    let answer = sim.api(&path, Some(&installed.token)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.last_page.as_deref(), Some("true"));
    assert!(answer.json.is_none(), "not JSON: {}", answer.text);
    assert!(!answer.text.is_empty());
    // Errors are left alone.
    assert!(sim.api(&path, None).await.json.is_some());
    assert_eq!(stats(&sim).await["malformed"], 1);

    sim.set_faults(json!({})).await;
    assert!(sim.api(&path, Some(&installed.token)).await.json.is_some());
}

#[tokio::test]
async fn faults_are_validated_and_default_to_the_start_up_values() {
    let sim = TestSim::start_config(SimConfig {
        traffic: sim::faults::TrafficConfig {
            rate_limit: 7,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await;
    let defaults = json!({
        "errorRate": 0.0, "latencyMs": 0, "rateLimit": 7, "hourlyBudget": null, "malformedRate": 0.0
    });
    assert_eq!(sim.get_json("/sim/faults").await, defaults);
    for bad in [
        json!({ "errorRate": 2 }),
        json!({ "malformedRate": -0.1 }),
        json!({ "latencyMs": 60_001 }),
        json!({ "rateLimit": 0 }),
        json!({ "hourlyBudget": -1 }),
        json!({ "errorrate": 0.5 }),
        json!([]),
    ] {
        let response = sim.http.put(sim.at("/sim/faults")).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
    let set = sim.set_faults(json!({ "errorRate": 0.5, "hourlyBudget": 100 })).await;
    assert_eq!(
        (set["errorRate"].as_f64(), &set["hourlyBudget"]),
        (Some(0.5), &json!(100))
    );
    assert_eq!(sim.get_json("/sim/faults").await, set);
    assert_eq!(sim.set_faults(json!({})).await, defaults);
}

#[tokio::test]
async fn stats_count_requests_by_route_and_reset() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    let base = format!("/v1/workspaces/{}", installed.workspace_id);
    for _ in 0..3 {
        assert_eq!(
            sim.api(&format!("{base}/users"), Some(&installed.token)).await.status,
            200
        );
    }
    assert_eq!(sim.api(&base, None).await.status, 401);
    assert_eq!(sim.api("/v1/nothing-here", Some(&installed.token)).await.status, 404);

    let stats = stats(&sim).await;
    assert_eq!(stats["requests"], 5);
    assert_eq!(stats["ok"], 3);
    assert_eq!(stats["tooManyRequests"], 0);
    assert_eq!(stats["injectedErrors"], 0);
    assert_eq!(
        stats["maxRequestsInOneSecond"], 4,
        "the token's 3 users calls and the 404"
    );
    assert_eq!(
        stats["byPath"],
        json!({
            "/v1/workspaces/{workspaceId}/users": 3,
            "/v1/workspaces/{workspaceId}": 1,
            "(unmatched)": 1,
        })
    );

    let (status, reset) = sim.post_json("/sim/stats/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(reset["requests"], 0);
    assert_eq!(reset["byPath"], json!({}));
    assert_eq!(self::stats(&sim).await["maxRequestsInOneSecond"], 0);
}
