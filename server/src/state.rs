//! The state every handler shares.

use std::sync::Arc;

use addon_core::{
    bootstrap::jobs::BootstrapJobs,
    crypto::SecretBox,
    flows::runtime::FlowRuntime,
    ingest::{clockify::SignatureCache, writer::IngestWriter},
    lifecycle::Lifecycle,
    session::SessionSigner,
    store::Store,
    token::TokenVerifier,
};
use app::backend::UiBackend;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::Config;

/// What every handler shares, behind one `Arc`: axum clones the state for each request, and
/// a clone is then one reference count, not a copy of every field.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

#[derive(Debug)]
pub struct Services {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub verifier: TokenVerifier,
    pub secrets: SecretBox,
    pub sessions: SessionSigner,
    pub http: reqwest::Client,
    /// Background data pulls, one per installation, and the rate budgets they share.
    pub bootstrap: BootstrapJobs,
    /// Records webhook deliveries, batching them into few transactions.
    pub ingest: IngestWriter,
    /// Recently verified webhook signature tokens (cleared by every lifecycle event).
    pub signatures: Arc<SignatureCache>,
    /// Runs published flows for queued events.
    pub flows: FlowRuntime,
    pub metrics: PrometheusHandle,
    pub leptos_options: LeptosOptions,
}

impl Services {
    pub fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle {
            store: self.store.as_ref(),
            verifier: &self.verifier,
            secrets: &self.secrets,
        }
    }

    /// Creates or repairs the installation's API-created workspace webhooks (Universal Webhook),
    /// logging the outcome.
    pub async fn reconcile_subscriptions(&self, addon_key: &str, workspace_id: &str) {
        let outcome = async {
            let Some(profile) = addon_core::profile::find_profile(addon_key) else {
                return Ok(None);
            };
            let Some(installation) = self.store.installation(addon_key, workspace_id).await? else {
                return Ok(None);
            };
            if !profile.subscribes_all_events || installation.status != "ACTIVE" {
                return Ok(None);
            }
            let client = self.bootstrap.client(&installation)?;
            addon_core::ingest::subscriptions::reconcile(
                self.store.as_ref(),
                &client,
                &self.secrets,
                profile,
                &installation,
                &self.config.public_base_url,
            )
            .await
            .map(Some)
        }
        .await;
        match outcome {
            Ok(Some(done)) => tracing::info!(
                addon = addon_key,
                workspace = workspace_id,
                created = done.created.len(),
                removed = done.removed.len(),
                kept = done.kept,
                failed = done.failed.len(),
                "workspace webhooks reconciled"
            ),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(addon = addon_key, workspace = workspace_id, %error, "workspace webhooks not reconciled")
            }
        }
    }

    /// What the UI's server functions get as context.
    pub fn ui_backend(&self) -> UiBackend {
        UiBackend {
            store: self.store.clone(),
            verifier: self.verifier.clone(),
            sessions: self.sessions.clone(),
            secrets: self.secrets.clone(),
            http: self.http.clone(),
            bootstrap: self.bootstrap.clone(),
            clockify_api_base_url: self.config.clockify_api_base_url.clone(),
            public_base_url: self.config.public_base_url.clone(),
            setting_overrides: Arc::new(self.config.setting_overrides.clone()),
            flows: self.flows.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
