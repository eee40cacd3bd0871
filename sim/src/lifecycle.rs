//! Delivering lifecycle events (INSTALLED, DELETED, STATUS_CHANGED, SETTINGS_UPDATED) to add-ons.

use serde::Serialize;
use serde_json::Value;

use crate::{
    addon::{join_url, Installation},
    error::{Error, Result},
    state::Sim,
    tokens,
};

/// Header carrying the lifecycle token.
pub const LIFECYCLE_TOKEN_HEADER: &str = "X-Addon-Lifecycle-Token";

/// How an add-on answered a lifecycle POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body as text.
    pub body: String,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What became of a lifecycle event sent after the fact (status, settings, delete): the
/// simulator's own change stands whatever the add-on answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The lifecycle type.
    pub event: String,
    /// The add-on's HTTP status; `None` if not declared in the manifest or not reachable.
    pub status: Option<u16>,
    /// Why it was not delivered, if it was not.
    pub error: Option<String>,
}

/// POSTs lifecycle event `kind` with `body` to the path the manifest declares for it, with a
/// fresh lifecycle token. `Ok(None)` when the manifest declares no such lifecycle path.
pub async fn deliver(sim: &Sim, installation: &Installation, kind: &str, body: &Value) -> Result<Option<Answer>> {
    let Some(path) = installation.lifecycle_path(kind) else {
        tracing::info!(addon = %installation.key, event = kind, "no lifecycle path declared; not sent");
        return Ok(None);
    };
    let url = join_url(&installation.base_url, &path);
    let token = sim.signer.sign(&tokens::lifecycle_claims(
        &installation.key,
        &sim.workspace.id,
        &installation.addon_id,
    ));
    let response = sim
        .http
        .post(&url)
        .header(LIFECYCLE_TOKEN_HEADER, token)
        .json(body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(method = "POST", %url, event = kind, error = %error, "lifecycle call failed");
            return Err(Error::AddonUnreachable(format!("{kind} to {url} failed: {error}")));
        }
    };
    let status = response.status().as_u16();
    tracing::info!(method = "POST", %url, event = kind, status, "lifecycle call");
    let body = response.text().await.unwrap_or_default();
    Ok(Some(Answer { status, body }))
}

/// Like [`deliver`], but folds the outcome into a [`Report`] (never fails).
pub async fn deliver_and_report(sim: &Sim, installation: &Installation, kind: &str, body: &Value) -> Report {
    report(kind, deliver(sim, installation, kind, body).await)
}

/// Folds the outcome of [`deliver`] for lifecycle event `kind` into a [`Report`].
pub fn report(kind: &str, outcome: Result<Option<Answer>>) -> Report {
    let (status, error) = match outcome {
        Ok(Some(answer)) if answer.is_success() => (Some(answer.status), None),
        Ok(Some(answer)) => (
            Some(answer.status),
            Some(format!("the add-on answered {}", answer.status)),
        ),
        Ok(None) => (None, Some(format!("the manifest declares no {kind} lifecycle path"))),
        Err(error) => (None, Some(error.to_string())),
    };
    Report {
        event: kind.to_string(),
        status,
        error,
    }
}
