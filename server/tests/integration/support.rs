//! Starting the server for a test on a fresh database, and signing tokens like Clockify.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use addon_core::{
    claims::ClockifyClaims,
    crypto::SecretKey,
    store::{flows::FlowRow, new_id, Store},
};
use serde_json::{json, Value};
use server::Config;
use sim::{
    tokens::{self, Signer},
    WorkspaceSpec,
};
use tokio::sync::oneshot;

pub const WORKSPACE: &str = "60332d61ff30282b1f23e624";
pub const ADDON_ID: &str = "62ddf9b201f42e74228efa3c";
pub const OWNER: &str = "60348d63df70d82b7183e635";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A running server with its own database and trusted signing key.
pub struct TestApp {
    pub address: String,
    pub signer: Signer,
    pub store: Box<dyn Store>,
    pub http: reqwest::Client,
    pub data_dir: PathBuf,
    /// The `SECRET_KEY` the server was started with (base64).
    pub secret_key: String,
    /// The database the server uses (for tests that check rows directly).
    pub database_url: String,
    database: Option<PostgresDatabase>,
    shutdown: Option<oneshot::Sender<()>>,
}

struct PostgresDatabase {
    admin_url: String,
    name: String,
}

async fn wait_until_ready(http: &reqwest::Client, address: &str) {
    for _ in 0..200 {
        if let Ok(response) = http.get(format!("{address}/readyz")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

/// The token with one character of its signature changed: well-formed, but forged.
pub fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let index = chars.len() - 10;
    chars[index] = if chars[index] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// One signing key per test process: RSA key generation is the slow part.
pub fn signer() -> Signer {
    static SIGNER: std::sync::OnceLock<Signer> = std::sync::OnceLock::new();
    SIGNER
        .get_or_init(|| Signer::generate().expect("generate a key"))
        .clone()
}

fn admin_postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Creates a fresh Postgres database, or `None` (loudly) when no server is reachable and the
/// run does not require Postgres (`REQUIRE_POSTGRES=1`, which the test command sets).
async fn fresh_postgres_database() -> Option<(String, PostgresDatabase)> {
    use sqlx::Connection;
    let admin_url = admin_postgres_url();
    let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(connection) => connection,
        Err(error) => {
            if std::env::var("REQUIRE_POSTGRES").is_ok_and(|value| value == "1") {
                panic!("Postgres is required but not reachable at {admin_url}: {error}");
            }
            eprintln!(
                "\n*** SKIPPED: Postgres not reachable at {admin_url} ({error}); this test ran on SQLite only ***\n"
            );
            return None;
        }
    };
    let name = format!("it_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
    Some((format!("{base}/{name}"), PostgresDatabase { admin_url, name }))
}

impl TestApp {
    /// Starts a server on `db` with `extra` environment variables.
    pub async fn start(db: Db) -> Option<TestApp> {
        Self::start_with(db, &[]).await
    }

    pub async fn start_with(db: Db, extra: &[(&str, &str)]) -> Option<TestApp> {
        let data_dir = std::env::temp_dir().join(format!("addons-it-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        let signer = signer();
        let key_path = data_dir.join("trusted-key.pem");
        std::fs::write(&key_path, signer.public_key_pem()).expect("write key");
        let (database_url, database) = match db {
            Db::Sqlite => (format!("sqlite://{}/addons.db", data_dir.display()), None),
            Db::Postgres => {
                let (url, database) = fresh_postgres_database().await?;
                (url, Some(database))
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let mut env: BTreeMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("CLOCKIFY_PUBLIC_KEY_PATH", key_path.to_str().unwrap_or_default()),
            ("DATA_DIR", data_dir.to_str().unwrap_or_default()),
            ("PUBLIC_BASE_URL", address.as_str()),
            ("FRAME_ANCESTORS", "http://127.0.0.1:4000"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
        let secret_key = SecretKey::generate().to_base64();
        env.insert("SECRET_KEY".into(), secret_key.clone());
        for (key, value) in extra {
            env.insert((*key).to_string(), (*value).to_string());
        }
        let config = Config::from_sources(None, &env).expect("valid test config");
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = server::run_until(config, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        // A hung response must fail the test, not stall the suite.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        wait_until_ready(&http, &address).await;
        // Only after the server has run the migrations: two migrators at once would collide.
        let store = addon_core::store::SqlStore::connect(&database_url)
            .await
            .expect("test store");
        Some(TestApp {
            address,
            signer,
            store: Box::new(store),
            http,
            data_dir,
            secret_key: env.get("SECRET_KEY").cloned().unwrap_or(secret_key),
            database_url,
            database,
            shutdown: Some(shutdown),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The server's `/metrics` text.
    pub async fn metrics(&self) -> String {
        let response = self.http.get(self.url("/metrics")).send().await.expect("GET /metrics");
        response.text().await.expect("metrics text")
    }

    /// Posts a lifecycle event with the given token header (if any) and raw body.
    pub async fn lifecycle(&self, addon: &str, event: &str, token: Option<&str>, body: &str) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(&format!("/{addon}/lifecycle/{event}")))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header("X-Addon-Lifecycle-Token", token);
        }
        request.send().await.expect("lifecycle request")
    }

    pub fn lifecycle_token(&self, addon: &str) -> String {
        self.signer.sign(&tokens::lifecycle_claims(addon, WORKSPACE, ADDON_ID))
    }

    /// A valid INSTALLED body for `addon`, with two webhook tokens.
    pub fn installed_body(&self, addon: &str) -> Value {
        let installation = self.signer.sign(&tokens::installation_claims(
            addon,
            WORKSPACE,
            ADDON_ID,
            "http://127.0.0.1:9",
            OWNER,
        ));
        let webhook = self.signer.sign(&tokens::webhook_claims(addon, WORKSPACE, ADDON_ID));
        json!({
            "addonId": ADDON_ID,
            "authToken": installation,
            "workspaceId": WORKSPACE,
            "asUser": OWNER,
            "apiUrl": "http://127.0.0.1:9/api",
            "addonUserId": "1a2b3c4d5e6f7a8b9c0d1e2f",
            "webhooks": [
                { "path": self.url(&format!("/{addon}/webhooks/clockify")), "webhookType": "ADDON", "authToken": webhook },
                { "path": self.url(&format!("/{addon}/webhooks/clockify")), "webhookType": "ADDON", "authToken": webhook }
            ]
        })
    }

    /// Installs `addon` with a valid token and body; asserts 200.
    pub async fn install(&self, addon: &str) {
        let response = self
            .lifecycle(
                addon,
                "installed",
                Some(&self.lifecycle_token(addon)),
                &self.installed_body(addon).to_string(),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }

    /// A user token for the iframe.
    pub fn user_token(&self, addon: &str, role: &str, theme: &str) -> String {
        self.signer.sign(&tokens::user_claims(
            addon,
            WORKSPACE,
            ADDON_ID,
            "http://127.0.0.1:9",
            OWNER,
            role,
            theme,
        ))
    }

    /// Opens a UI session with the user token `auth_token`, through the `open_session` server
    /// function of `app`, as the page does.
    pub async fn open_session(&self, addon: &str, auth_token: &str) -> app::session::SessionView {
        use leptos::server_fn::ServerFn;
        let response = self
            .http
            .post(self.url(app::session::OpenSession::PATH))
            .form(&[("addon", addon), ("auth_token", auth_token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn rows(&self, addon: &str) -> i64 {
        self.store
            .count_installation_rows(addon, WORKSPACE)
            .await
            .expect("count rows")
    }

    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        drop(self.store);
        if let Some(database) = self.database.take() {
            use sqlx::Connection;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if let Ok(mut admin) = sqlx::PgConnection::connect(&database.admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database.name))
                    .execute(&mut admin)
                    .await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Claims with every field set as a Clockify lifecycle token would have them.
pub fn lifecycle_claims(addon: &str) -> ClockifyClaims {
    tokens::lifecycle_claims(addon, WORKSPACE, ADDON_ID)
}

/// Runs `async fn $name(app: &TestApp)` as two tests, `$name::sqlite` and `$name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            use $crate::support::{Db, TestApp};

            #[tokio::test]
            async fn sqlite() {
                let app = TestApp::start(Db::Sqlite).await.expect("sqlite always runs");
                super::$name(&app).await;
                app.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(app) = TestApp::start(Db::Postgres).await else {
                    return;
                };
                super::$name(&app).await;
                app.stop().await;
            }
        }
    };
}

/// The local Clockify on a free port, serving `spec`; stopped when dropped.
pub struct TestSim {
    pub url: String,
    pub key: PathBuf,
    data_dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

impl TestSim {
    pub async fn start(spec: WorkspaceSpec) -> TestSim {
        let data_dir = std::env::temp_dir().join(format!("addons-sim-{}", uuid::Uuid::new_v4().simple()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let config = sim::SimConfig {
            data_dir: data_dir.clone(),
            workspace: spec,
            ..sim::SimConfig::default()
        };
        let task = tokio::spawn(async move {
            let _ = sim::run(config, listener).await;
        });
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http
                .get(format!("{url}/sim/public-key.pem"))
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        TestSim {
            url,
            key: data_dir.join("sim-public-key.pem"),
            data_dir,
            task,
            http,
        }
    }

    pub fn key(&self) -> String {
        self.key.to_string_lossy().to_string()
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn set_faults(&self, faults: Value) {
        let response = self
            .http
            .put(format!("{}/sim/faults", self.url))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }

    pub async fn stats(&self) -> Value {
        self.get("/sim/stats").await
    }

    pub async fn workspace(&self) -> Value {
        self.get("/sim/workspace").await
    }

    pub async fn install(&self, addon_base: &str, addon: &str) {
        let response = self
            .http
            .post(format!("{}/sim/install", self.url))
            .json(&json!({ "manifestUrl": format!("{addon_base}/{addon}/manifest") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    pub async fn set_status(&self, addon: &str, status: &str) {
        let response = self
            .http
            .post(format!("{}/sim/addons/{addon}/status", self.url))
            .json(&json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }

    pub async fn set_plan(&self, plan: &str) {
        let response = self
            .http
            .post(format!("{}/sim/workspace/plan", self.url))
            .json(&json!({ "plan": plan }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }

    /// Opens a UI session the way the page does: a user token from the simulator's iframe,
    /// verified by the `open_session` server function of `app`.
    pub async fn open_session(&self, app: &TestApp, addon: &str) -> app::session::SessionView {
        let answer = self.get(&format!("/sim/token?addon={addon}")).await;
        let token = answer["token"].as_str().unwrap().to_string();
        app.open_session(addon, &token).await
    }

    pub async fn uninstall(&self, addon: &str) {
        let response = self
            .http
            .delete(format!("{}/sim/addons/{addon}", self.url))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Saves and publishes `definition` as a new enabled flow of an installation; returns its id.
pub async fn publish_flow(store: &dyn Store, addon: &str, workspace: &str, definition: Value) -> String {
    let id = new_id();
    let now = addon_core::lifecycle::now_millis();
    store
        .save_flow(&FlowRow {
            id: id.clone(),
            addon_key: addon.into(),
            workspace_id: workspace.into(),
            name: definition["name"].as_str().unwrap_or("flow").into(),
            enabled: true,
            draft: definition.to_string(),
            published_version: None,
            published: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    let version = store
        .publish_flow(addon, workspace, &id, &definition.to_string(), now)
        .await
        .unwrap();
    assert_eq!(version, Some(1));
    id
}
