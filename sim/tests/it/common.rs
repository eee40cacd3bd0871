//! Test harness: start the simulator, a fake add-on that records lifecycle calls, and helpers.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use addon_core::claims::ClockifyClaims;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use sim::{SimConfig, WorkspaceSpec};

/// A key generated once per test binary, copied into each simulator's data directory.
fn shared_key_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_dir("key");
        sim::Signer::load_or_create(&dir).expect("a key");
        dir
    })
}

pub fn temp_dir(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "sim-it-{label}-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ))
}

/// A running simulator; stopped, and its data directory removed, when dropped.
pub struct TestSim {
    pub url: String,
    pub http: reqwest::Client,
    data_dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestSim {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl TestSim {
    pub async fn start() -> TestSim {
        TestSim::start_with(WorkspaceSpec::default(), Vec::new()).await
    }

    pub async fn start_with(workspace: WorkspaceSpec, install: Vec<String>) -> TestSim {
        TestSim::start_config(SimConfig {
            workspace,
            install,
            ..SimConfig::default()
        })
        .await
    }

    /// Starts with `config` (its data directory is replaced by a fresh one holding the shared key).
    pub async fn start_config(config: SimConfig) -> TestSim {
        let data_dir = temp_dir("data");
        std::fs::create_dir_all(&data_dir).unwrap();
        let key = sim::tokens::PRIVATE_KEY_FILE;
        std::fs::copy(shared_key_dir().join(key), data_dir.join(key)).unwrap();
        let config = SimConfig {
            data_dir: data_dir.clone(),
            ..config
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move { sim::run(config, listener).await.unwrap() });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let sim = TestSim {
            url,
            http,
            data_dir,
            task,
        };
        // Wait until it answers.
        for _ in 0..100 {
            if sim.http.get(sim.at("/sim/workspace")).send().await.is_ok() {
                return sim;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the simulator did not start");
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.http.get(self.at(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self.http.post(self.at(path)).json(&body).send().await.unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn install(&self, addon: &FakeAddon) -> (StatusCode, Value) {
        self.post_json("/sim/install", json!({ "manifestUrl": addon.manifest_url() }))
            .await
    }

    pub async fn public_key(&self) -> String {
        self.http
            .get(self.at("/sim/public-key.pem"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Decodes and verifies a token with the simulator's public key.
    pub async fn verify(&self, token: &str) -> ClockifyClaims {
        let key = DecodingKey::from_rsa_pem(self.public_key().await.as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims::<&str>(&[]);
        jsonwebtoken::decode::<ClockifyClaims>(token, &key, &validation)
            .unwrap()
            .claims
    }

    pub async fn workspace(&self) -> Value {
        self.get_json("/sim/workspace").await
    }

    /// `PUT /sim/faults`; panics unless it answers 200.
    pub async fn set_faults(&self, faults: Value) -> Value {
        let response = self
            .http
            .put(self.at("/sim/faults"))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "PUT /sim/faults {faults}");
        response.json().await.unwrap()
    }

    /// GETs `/api{path}` with `token` (if any): status, `Last-Page` header, body text.
    pub async fn api(&self, path: &str, token: Option<&str>) -> ApiAnswer {
        let mut request = self.http.get(self.at(&format!("/api{path}")));
        if let Some(token) = token {
            request = request.header("X-Addon-Token", token);
        }
        let response = request.send().await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().unwrap().to_string())
        };
        let last_page = header("last-page");
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        ApiAnswer {
            status,
            last_page,
            retry_after,
            json: serde_json::from_str(&text).ok(),
            text,
        }
    }
}

/// One answer of the simulator's `/api`.
#[derive(Debug, Clone)]
pub struct ApiAnswer {
    pub status: u16,
    /// The `Last-Page` header, if any.
    pub last_page: Option<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body parsed as JSON (`None` if it is not JSON).
    pub json: Option<Value>,
    pub text: String,
}

impl ApiAnswer {
    /// The JSON body; panics with the text if it is not JSON.
    pub fn body(&self) -> &Value {
        self.json
            .as_ref()
            .unwrap_or_else(|| panic!("not JSON ({}): {}", self.status, self.text))
    }
}

/// One request the fake add-on received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Default)]
struct FakeState {
    manifest: Mutex<Value>,
    calls: Mutex<Vec<Recorded>>,
    answer: Mutex<Option<StatusCode>>,
    answer_body: Mutex<Option<Value>>,
}

/// A fake add-on: serves `/manifest`, records every other request and answers 200 `recorded`
/// (or the status set with [`FakeAddon::answer_with`], or the JSON of
/// [`FakeAddon::answer_with_json`]).
pub struct FakeAddon {
    pub base_url: String,
    state: Arc<FakeState>,
}

async fn serve_manifest(State(state): State<Arc<FakeState>>) -> Json<Value> {
    Json(state.manifest.lock().unwrap().clone())
}

async fn record(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.calls.lock().unwrap().push(Recorded {
        method,
        path: uri.path().to_string(),
        headers,
        body,
    });
    let status = state.answer.lock().unwrap().unwrap_or(StatusCode::OK);
    match state.answer_body.lock().unwrap().clone() {
        Some(body) => (status, Json(body)).into_response(),
        None => (status, "recorded").into_response(),
    }
}

impl FakeAddon {
    /// Starts on a free port; `manifest` gets the add-on's base URL.
    pub async fn start(manifest: impl FnOnce(&str) -> Value) -> FakeAddon {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        FakeAddon::serve(listener, manifest)
    }

    /// Starts on `listener`.
    pub fn serve(listener: tokio::net::TcpListener, manifest: impl FnOnce(&str) -> Value) -> FakeAddon {
        let base_url = format!("http://{}/addon", listener.local_addr().unwrap());
        let state = Arc::new(FakeState::default());
        *state.manifest.lock().unwrap() = manifest(&base_url);
        let app = Router::new()
            .route("/addon/manifest", get(serve_manifest))
            .fallback(record)
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeAddon { base_url, state }
    }

    pub fn manifest_url(&self) -> String {
        format!("{}/manifest", self.base_url)
    }

    pub fn calls(&self) -> Vec<Recorded> {
        self.state.calls.lock().unwrap().clone()
    }

    pub fn answer_with(&self, status: StatusCode) {
        *self.state.answer.lock().unwrap() = Some(status);
    }

    pub fn answer_with_json(&self, status: StatusCode, body: Value) {
        *self.state.answer.lock().unwrap() = Some(status);
        *self.state.answer_body.lock().unwrap() = Some(body);
    }

    /// The requests that arrived at `path` (e.g. `/addon/webhooks/clockify`).
    pub fn calls_to(&self, path: &str) -> Vec<Recorded> {
        self.calls().into_iter().filter(|call| call.path == path).collect()
    }

    /// Waits (up to 5 s) until at least `count` requests arrived.
    pub async fn wait_for_calls(&self, count: usize) -> Vec<Recorded> {
        for _ in 0..100 {
            let calls = self.calls();
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} calls, got {:?}", self.calls());
    }
}

pub const KEY: &str = "test-addon";

/// A valid schema-1.6 manifest: 4 lifecycle paths, 3 webhooks (two sharing a path), a sidebar
/// component and structured settings with a tab-level setting and a group.
pub fn valid_manifest(base_url: &str) -> Value {
    json!({
        "schemaVersion": "1.6",
        "key": KEY,
        "name": "Test Add-on",
        "description": "Records what the simulator sends",
        "baseUrl": base_url,
        "minimalSubscriptionPlan": "PRO",
        "scopes": ["WORKSPACE_READ", "USER_READ"],
        "lifecycle": [
            { "type": "INSTALLED", "path": "/lifecycle/installed" },
            { "type": "DELETED", "path": "/lifecycle/deleted" },
            { "type": "STATUS_CHANGED", "path": "/lifecycle/status" },
            { "type": "SETTINGS_UPDATED", "path": "/lifecycle/settings" }
        ],
        "webhooks": [
            { "event": "NEW_TIME_ENTRY", "path": "/webhooks/clockify" },
            { "event": "TIME_ENTRY_UPDATED", "path": "/webhooks/clockify" },
            { "event": "NEW_PROJECT", "path": "/webhooks/projects" }
        ],
        "components": [
            { "type": "sidebar", "accessLevel": "ADMINS", "path": "/ui", "label": "Test Panel" }
        ],
        "settings": { "tabs": [{
            "id": "general", "name": "General",
            "settings": [
                { "id": "greeting", "name": "Greeting", "type": "TXT", "value": "hello", "accessLevel": "ADMINS" }
            ],
            "groups": [{ "id": "limits", "title": "Limits", "settings": [
                { "id": "max-rows", "name": "Maximum rows", "type": "NUMBER", "value": 50, "accessLevel": "ADMINS" },
                { "id": "enabled", "name": "Enabled", "type": "CHECKBOX", "value": true, "accessLevel": "ADMINS" }
            ]}]
        }]}
    })
}

pub fn header<'a>(call: &'a Recorded, name: &str) -> &'a str {
    call.headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// Every read scope the simulator's `/api` checks.
pub const READ_SCOPES: [&str; 13] = [
    "WORKSPACE_READ",
    "USER_READ",
    "GROUP_READ",
    "PROJECT_READ",
    "TASK_READ",
    "CLIENT_READ",
    "TAG_READ",
    "CUSTOM_FIELDS_READ",
    "TIME_ENTRY_READ",
    "TIME_OFF_READ",
    "EXPENSE_READ",
    "INVOICE_READ",
    "APPROVAL_READ",
];

/// An installed add-on's token and ids (its fake add-on keeps serving in the background).
pub struct Installed {
    pub token: String,
    pub addon_id: String,
    pub workspace_id: String,
}

/// Installs the valid manifest with `scopes` (and the FREE plan as its minimum, so it installs
/// everywhere).
pub async fn installed_with_scopes(sim: &TestSim, scopes: &[&str]) -> Installed {
    let scopes = scopes.to_vec();
    let addon = FakeAddon::start(move |base_url| {
        let mut manifest = valid_manifest(base_url);
        manifest["scopes"] = json!(scopes);
        manifest["minimalSubscriptionPlan"] = json!("FREE");
        manifest
    })
    .await;
    let (status, body) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = addon.wait_for_calls(1).await;
    let installed = calls[0].body.clone();
    Installed {
        token: installed["authToken"].as_str().unwrap().to_string(),
        addon_id: installed["addonId"].as_str().unwrap().to_string(),
        workspace_id: installed["workspaceId"].as_str().unwrap().to_string(),
    }
}

/// Installs the valid manifest and returns the fake add-on and the INSTALLED body.
pub async fn installed_addon(sim: &TestSim) -> (FakeAddon, Value) {
    let addon = FakeAddon::start(valid_manifest).await;
    let (status, body) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = addon.wait_for_calls(1).await;
    (addon, calls[0].body.clone())
}

/// Installs the valid manifest after `change` (with the FREE plan as its minimum, so it installs
/// on every plan) and returns the fake add-on and the INSTALLED body.
pub async fn installed_addon_with(sim: &TestSim, change: impl FnOnce(&mut Value)) -> (FakeAddon, Value) {
    let addon = FakeAddon::start(|base_url| {
        let mut manifest = valid_manifest(base_url);
        manifest["minimalSubscriptionPlan"] = json!("FREE");
        change(&mut manifest);
        manifest
    })
    .await;
    let (status, body) = sim.install(&addon).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = addon.wait_for_calls(1).await;
    (addon, calls[0].body.clone())
}
