use crate::{on_both_backends, support::TestApp};

async fn health_readiness_and_metrics_answer(app: &TestApp) {
    let health: serde_json::Value = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["service"], "clockify-addons");
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let metrics = app.metrics().await;
    assert!(metrics.contains("http_requests_total"), "{metrics}");
}
on_both_backends!(health_readiness_and_metrics_answer);

async fn security_headers_limit_framing_and_send_no_cors(app: &TestApp) {
    let response = app
        .http
        .get(app.url("/healthz"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors https://*.clockify.me http://127.0.0.1:4000"),
        "{csp}"
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.get("access-control-allow-origin").is_none());
}
on_both_backends!(security_headers_limit_framing_and_send_no_cors);

async fn unknown_addons_get_a_json_404(app: &TestApp) {
    let response = app.http.get(app.url("/nope/manifest")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}
on_both_backends!(unknown_addons_get_a_json_404);
