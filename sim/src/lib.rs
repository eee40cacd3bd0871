//! The local Clockify.
//!
//! Clockify itself is unreachable from development machines, CI and demos, so this simulator
//! stands in for it: it installs add-ons from their manifest URL and sends the lifecycle calls
//! Clockify sends, signs every token with its own RSA key (written to the data directory so
//! the add-on can trust it), serves the REST endpoints add-ons call, and shows a Clockify-like
//! workspace page that hosts add-on sidebar components in an iframe.
//!
//! Routes: `/` and `/workspace` (page), `/workspace/settings` (an add-on's settings screen,
//! [`settings_page`]), `/api/...` ([`rest`], behind the rate limit, hourly budget and faults of
//! [`traffic`]), `/sim/...` ([`control`]). Webhook events go out through [`webhooks`].
#![forbid(unsafe_code)]

pub mod addon;
pub mod config;
pub mod control;
pub mod datetime;
pub mod error;
pub mod faults;
mod html;
pub mod install;
pub mod lifecycle;
pub mod limits;
pub mod page;
pub mod rest;
pub mod settings;
pub mod settings_page;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod tokens;
pub mod traffic;
pub mod webhooks;
pub mod workspace;

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use axum::{http::Uri, Router};

pub use config::{Cli, SimConfig};
pub use error::{Error, Result};
pub use state::{AppState, Sim};
pub use tokens::Signer;
pub use traffic::Traffic;
pub use workspace::{Workspace, WorkspaceSpec};

/// Timeout of every sim → add-on call.
pub const ADDON_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole application.
pub fn router(sim: AppState) -> Router {
    Router::new()
        .merge(page::router())
        .merge(settings_page::router())
        .nest("/api", rest::router(sim.clone()))
        .nest("/sim", control::router())
        .fallback(|uri: Uri| async move { Error::NotFound(format!("no route for {}", uri.path())) })
        .with_state(sim)
}

/// Builds the simulator's state: loads or creates the key in `config.data_dir`, generates the
/// workspace. `public_url` is where add-ons reach the simulator.
pub async fn build_state(config: &SimConfig, public_url: String) -> anyhow::Result<AppState> {
    let data_dir = config.data_dir.clone();
    // RSA key generation takes a moment of CPU; keep it off the async workers.
    let signer = tokio::task::spawn_blocking(move || Signer::load_or_create(&data_dir))
        .await
        .context("the key generation task failed")??;
    let spec = config.workspace.clone();
    let workspace = tokio::task::spawn_blocking(move || Workspace::generate(&spec))
        .await
        .context("the workspace generation task failed")?;
    let traffic = Traffic::new(config.traffic.initial_faults(&workspace.plan), config.workspace.seed);
    let http = reqwest::Client::builder()
        .timeout(ADDON_CALL_TIMEOUT)
        .build()
        .context("building the HTTP client")?;
    Ok(Arc::new(Sim::new(public_url, signer, workspace, http, traffic)))
}

/// Serves the simulator on `listener` until Ctrl-C or SIGTERM, installing `config.install`
/// in the background once it is up.
pub async fn run(config: SimConfig, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let address = listener.local_addr().context("reading the listener address")?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
    let sim = build_state(&config, public_url).await?;
    tracing::info!(%address, public_url = %sim.public_url, workspace_id = %sim.workspace.id, "sim listening");
    for manifest_url in config.install.clone() {
        let sim = sim.clone();
        tokio::spawn(async move {
            match install::install_with_retry(&sim, &manifest_url).await {
                Ok(installed) => println!(
                    "installed {} ({}) from {manifest_url}: addonId {}",
                    installed.key, installed.name, installed.addon_id
                ),
                Err(error) => println!("install of {manifest_url} failed: {error}"),
            }
        });
    }
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(addon_core::shutdown::signal())
        .await
        .context("serving HTTP")
}
