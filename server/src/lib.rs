//! The add-on server: both add-ons (profiles of one engine) under their own path prefixes,
//! in one process. `run` does the work; `main.rs` only reads configuration and logs.
#![forbid(unsafe_code)]
// Leptos views are deeply nested types; computing their layout needs a deeper limit.
#![recursion_limit = "256"]

pub mod config;
mod metrics;
mod routes;
mod security;
mod state;
pub mod telemetry;

use std::sync::Arc;

use addon_core::{
    bootstrap::jobs::{BootstrapJobs, BootstrapOptions},
    clockify::budget::{RateBudgets, CLOCKIFY_REQUESTS_PER_SECOND},
    clockify::retry::RetryPolicy,
    crypto::{SecretBox, SecretKey},
    flows::{
        http_guard::{HttpGuard, HttpGuardConfig},
        runtime::{FlowRuntime, RuntimeOptions},
    },
    ingest::{clockify::SignatureCache, writer::IngestWriter},
    session::SessionSigner,
    store::{SqlStore, Store},
    token::TokenVerifier,
};
use anyhow::Context;
pub use config::Config;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

pub use crate::state::{AppState, Services};

/// Builds the application for `config` and serves it on `listener` until ctrl-c or SIGTERM.
pub async fn run(config: Config, listener: TcpListener) -> anyhow::Result<()> {
    run_until(config, listener, addon_core::shutdown::signal()).await
}

/// Like [`run`], stopping gracefully when `shutdown` completes (tests use this).
pub async fn run_until(
    config: Config,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    // Jobs that were pulling when the process last stopped go on where they were.
    match state.bootstrap.resume_unfinished().await {
        Ok(0) => {}
        Ok(resumed) => tracing::info!(resumed, "resumed unfinished bootstrap jobs"),
        Err(error) => tracing::error!(%error, "could not resume bootstrap jobs"),
    }
    // Repair Universal Webhook's workspace webhooks that went missing while we were down.
    let reconcile_state = state.clone();
    tokio::spawn(async move {
        if let Ok(installations) = reconcile_state.store.installation_settings().await {
            for (addon_key, workspace_id, _) in installations {
                reconcile_state.reconcile_subscriptions(&addon_key, &workspace_id).await;
            }
        }
    });
    // Old webhook events go in small batches, every ten minutes.
    tokio::spawn(addon_core::ingest::retention::run_periodically(
        state.store.clone(),
        Arc::new(state.config.setting_overrides.clone()),
        std::time::Duration::from_secs(600),
    ));
    // Flow workers, stopped after the server stops.
    let (stop_flows, flows_stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(state.flows.clone().run_until(async {
        let _ = flows_stopped.await;
    }));
    let app = routes::router(state);
    tracing::info!(address = %listener.local_addr()?, "serving");
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the server stopped with an error");
    let _ = stop_flows.send(());
    served
}

async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let store: Arc<dyn Store> = Arc::new(
        SqlStore::connect(&config.database_url)
            .await
            .context("cannot open the database")?,
    );
    let verifier = match &config.clockify_public_key_path {
        Some(path) => {
            let pem = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            tracing::warn!(key = %path.display(), "trusting a configured token key instead of Clockify's");
            TokenVerifier::from_pem(&pem)?
        }
        None => TokenVerifier::clockify()?,
    };
    let secret_key = match &config.secret_key {
        Some(key) => key.clone(),
        None => load_or_create_secret_key(&config.data_dir)?,
    };
    let leptos_options = LeptosOptions::builder()
        .output_name("clockify-addons")
        .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
        .site_pkg_dir("pkg")
        .build();
    let secrets = SecretBox::new(secret_key.clone());
    let http = addon_core::clockify::http_client()?;
    let bootstrap = BootstrapJobs::new(
        store.clone(),
        secrets.clone(),
        http.clone(),
        Arc::new(RateBudgets::new(CLOCKIFY_REQUESTS_PER_SECOND)),
        Arc::new(config.setting_overrides.clone()),
        BootstrapOptions {
            api_base_override: config.clockify_api_base_url.clone(),
            page_size: config.bootstrap_page_size,
            ..BootstrapOptions::default()
        },
    );
    let ingest = IngestWriter::start(store.clone())?;
    let guard = HttpGuard::new(HttpGuardConfig {
        allow_private_networks: config.http_allow_private_networks,
        ..HttpGuardConfig::default()
    })
    .context("cannot build the HTTP client of generic HTTP actions")?;
    if config.http_allow_private_networks {
        tracing::warn!(
            "generic HTTP actions may reach private and loopback addresses (UW_HTTP_ALLOW_PRIVATE_NETWORKS)"
        );
    }
    let flows = FlowRuntime::new(
        store.clone(),
        bootstrap.clone(),
        secrets.clone(),
        guard,
        Arc::new(config.setting_overrides.clone()),
        RuntimeOptions {
            enabled: config.flows_enabled,
            concurrency: config.flow_concurrency,
            per_flow: config.flow_runs_per_flow,
            backoff: RetryPolicy {
                max_attempts: 1,
                base_delay: std::time::Duration::from_millis(config.flow_retry_base_ms),
                max_delay: std::time::Duration::from_secs(300),
            },
            ..RuntimeOptions::default()
        },
    );
    Ok(AppState::new(Services {
        store,
        verifier,
        secrets,
        sessions: SessionSigner::new(&secret_key),
        http,
        bootstrap,
        ingest,
        signatures: Arc::new(SignatureCache::default()),
        flows,
        metrics: metrics::recorder_handle(),
        leptos_options,
        config: Arc::new(config),
    }))
}

/// The embedded default keeps one generated key under the data folder.
fn load_or_create_secret_key(data_dir: &std::path::Path) -> anyhow::Result<SecretKey> {
    let path = data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return SecretKey::from_base64(&text).map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()));
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let key = SecretKey::generate();
    write_private_file(&path, &key.to_base64())?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    Ok(key)
}

fn write_private_file(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    }
    .with_context(|| format!("cannot create {}", path.display()))?;
    #[cfg(not(unix))]
    let mut file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

/// The base URL the committed manifests use (the local development server).
pub const COMMITTED_MANIFEST_BASE_URL: &str = "http://127.0.0.1:3000";

/// Writes `<folder>/<addon key>.json` for every profile.
pub fn write_manifests(folder: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder)?;
    for profile in addon_core::profile::PROFILES {
        let path = folder.join(format!("{}.json", profile.key));
        std::fs::write(
            &path,
            addon_core::manifest::manifest_file_text(profile, COMMITTED_MANIFEST_BASE_URL),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
