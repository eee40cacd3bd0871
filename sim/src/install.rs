//! Installing, reconfiguring and removing add-ons, with the lifecycle calls Clockify makes.

use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};

use crate::{
    addon::{webhooks, Installation},
    error::{Error, Result},
    lifecycle::{self, Answer, Report},
    settings::{self, SettingUpdate},
    state::Sim,
    tokens,
    workspace::object_id,
};

/// How long to keep retrying `--install` while the add-on is not reachable yet.
pub const INSTALL_RETRY_FOR: Duration = Duration::from_secs(60);
/// Pause between two `--install` attempts.
pub const INSTALL_RETRY_EVERY: Duration = Duration::from_millis(500);

pub const PLANS: [&str; 5] = ["FREE", "BASIC", "STANDARD", "PRO", "ENTERPRISE"];

/// The answer to a successful install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    /// The new installation's id.
    pub addon_id: String,
    /// The manifest's key.
    pub key: String,
    /// The manifest's name.
    pub name: String,
    /// The demo workspace's id.
    pub workspace_id: String,
}

/// GETs a manifest (10 s timeout) and parses it as JSON.
pub async fn fetch_manifest(sim: &Sim, manifest_url: &str) -> Result<Value> {
    let response = sim.http.get(manifest_url).send().await.map_err(|error| {
        tracing::debug!(method = "GET", url = manifest_url, error = %error, "manifest fetch failed");
        Error::ManifestUnreachable(format!("GET {manifest_url} failed: {error}"))
    })?;
    let status = response.status();
    tracing::info!(
        method = "GET",
        url = manifest_url,
        status = status.as_u16(),
        "manifest fetch"
    );
    if !status.is_success() {
        return Err(Error::ManifestUnreachable(format!(
            "GET {manifest_url} answered {status}"
        )));
    }
    response.json().await.map_err(|error| Error::InvalidManifest {
        problems: vec![format!("/: not JSON: {error}")],
    })
}

/// Problems that the schema does not catch but Clockify would refuse on.
fn check_plan(manifest: &Value, workspace_plan: &str) -> Result<()> {
    let required = manifest
        .get("minimalSubscriptionPlan")
        .and_then(Value::as_str)
        .unwrap_or("FREE");
    let rank = |plan: &str| PLANS.iter().position(|known| *known == plan);
    match (rank(required), rank(workspace_plan)) {
        (Some(required_rank), Some(have)) if required_rank > have => Err(Error::InvalidManifest {
            problems: vec![format!(
                "/minimalSubscriptionPlan: the add-on needs {required}; the workspace is on {workspace_plan}"
            )],
        }),
        _ => Ok(()),
    }
}

fn text(manifest: &Value, field: &str) -> Result<String> {
    manifest
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::InvalidManifest {
            problems: vec![format!("/{field}: missing")],
        })
}

/// Installs the add-on whose manifest is at `manifest_url`: fetch, validate, send INSTALLED,
/// record. Re-installing a key first removes the old installation (with DELETED). If the
/// add-on does not answer INSTALLED with 2xx, nothing is recorded.
pub async fn install(sim: &Sim, manifest_url: &str) -> Result<Installed> {
    let manifest = fetch_manifest(sim, manifest_url).await?;
    addon_core::manifest_schema::validate_manifest(&manifest)
        .map_err(|problems| Error::InvalidManifest { problems })?;
    check_plan(&manifest, &sim.plan())?;
    let key = text(&manifest, "key")?;
    if sim.installation(&key).is_some() {
        uninstall(sim, &key).await?;
    }
    let installation = new_installation(sim, key, manifest)?;
    let body = installed_body(sim, &installation);
    // The token must work while the add-on handles INSTALLED (it may call the API at once),
    // so the installation is recorded as pending first and dropped again on failure.
    sim.insert(Installation {
        pending: true,
        ..installation.clone()
    });
    let outcome = lifecycle::deliver(sim, &installation, "INSTALLED", &body).await;
    match outcome {
        Ok(Some(answer)) if !answer.is_success() => {
            sim.remove_if(&installation.key, &installation.addon_id);
            Err(Error::AddonRejected {
                status: answer.status,
                body: answer.body,
            })
        }
        Err(error) => {
            sim.remove_if(&installation.key, &installation.addon_id);
            Err(error)
        }
        Ok(_) => {
            sim.update(&installation.key, |stored| stored.pending = false);
            tracing::info!(addon = %installation.key, addon_id = %installation.addon_id, "installed");
            Ok(Installed {
                addon_id: installation.addon_id,
                key: installation.key,
                name: installation.name,
                workspace_id: sim.workspace.id.clone(),
            })
        }
    }
}

fn new_installation(sim: &Sim, key: String, manifest: Value) -> Result<Installation> {
    let mut rng = rand::thread_rng();
    let addon_id = object_id(&mut rng);
    let token = sim.signer.sign(&tokens::installation_claims(
        &key,
        &sim.workspace.id,
        &addon_id,
        &sim.public_url,
        &sim.workspace.owner_id,
    ));
    // One signature token per manifest webhook: INSTALLED hands them over and every delivery
    // to that webhook carries the same one.
    let webhook_tokens = webhooks(&manifest)
        .iter()
        .map(|_| {
            sim.signer
                .sign(&tokens::webhook_claims(&key, &sim.workspace.id, &addon_id))
        })
        .collect();
    Ok(Installation {
        name: text(&manifest, "name")?,
        base_url: text(&manifest, "baseUrl")?,
        settings: settings::structured(&manifest),
        addon_id,
        addon_user_id: object_id(&mut rng),
        token,
        webhook_tokens,
        status: "ACTIVE".into(),
        pending: false,
        key,
        manifest,
    })
}

/// The INSTALLED body, exactly as Clockify sends it: one `webhooks` entry per manifest webhook,
/// with the token stored on the installation for it.
fn installed_body(sim: &Sim, installation: &Installation) -> Value {
    let webhooks: Vec<Value> = installation
        .webhook_subscriptions()
        .into_iter()
        .map(|(_event, url, token)| {
            json!({
                "path": url,
                "webhookType": "ADDON",
                "authToken": token,
            })
        })
        .collect();
    json!({
        "addonId": installation.addon_id,
        "authToken": installation.token,
        "workspaceId": sim.workspace.id,
        "asUser": sim.workspace.owner_id,
        "apiUrl": sim.api_url(),
        "addonUserId": installation.addon_user_id,
        "webhooks": webhooks,
    })
}

/// Installs with retries every 500 ms for up to 60 s while the manifest cannot be fetched
/// (the add-on may still be starting).
pub async fn install_with_retry(sim: &Sim, manifest_url: &str) -> Result<Installed> {
    let deadline = tokio::time::Instant::now() + INSTALL_RETRY_FOR;
    let mut waiting_logged = false;
    loop {
        match install(sim, manifest_url).await {
            Err(Error::ManifestUnreachable(reason)) if tokio::time::Instant::now() < deadline => {
                if !waiting_logged {
                    tracing::info!(url = manifest_url, %reason, "add-on not reachable yet; retrying");
                    waiting_logged = true;
                }
                tokio::time::sleep(INSTALL_RETRY_EVERY).await;
            }
            outcome => return outcome,
        }
    }
}

fn installed(sim: &Sim, key: &str) -> Result<Installation> {
    sim.installation(key)
        .ok_or_else(|| Error::NotFound(format!("add-on {key} is not installed")))
}

/// Removes add-on `key`: its token stops working at once, then DELETED is sent.
pub async fn uninstall(sim: &Sim, key: &str) -> Result<Report> {
    let installation = installed(sim, key)?;
    sim.remove(key);
    let body = json!({
        "addonId": installation.addon_id,
        "workspaceId": sim.workspace.id,
        "asUser": sim.workspace.owner_id,
    });
    Ok(lifecycle::deliver_and_report(sim, &installation, "DELETED", &body).await)
}

/// Sets the add-on's status (`ACTIVE` or `INACTIVE`) and sends STATUS_CHANGED.
pub async fn set_status(sim: &Sim, key: &str, status: &str) -> Result<Report> {
    if !matches!(status, "ACTIVE" | "INACTIVE") {
        return Err(Error::BadRequest(format!(
            "status must be ACTIVE or INACTIVE, not {status:?}"
        )));
    }
    let installation = installed(sim, key)?;
    sim.update(key, |stored| stored.status = status.to_string());
    let body = json!({
        "addonId": installation.addon_id,
        "workspaceId": sim.workspace.id,
        "status": status,
    });
    Ok(lifecycle::deliver_and_report(sim, &installation, "STATUS_CHANGED", &body).await)
}

/// Stores new setting values and returns the installation as updated. Unknown ids change nothing.
pub fn store_settings(sim: &Sim, key: &str, updates: &[SettingUpdate]) -> Result<Installation> {
    sim.update(key, |stored| {
        let current = stored
            .settings
            .as_mut()
            .ok_or_else(|| Error::BadRequest(format!("add-on {key} has no structured settings")))?;
        // Work on a copy so that a rejected update leaves the stored values untouched.
        let mut next = current.clone();
        settings::apply(&mut next, updates)?;
        *current = next;
        Ok(stored.clone())
    })
    .ok_or_else(|| Error::NotFound(format!("add-on {key} is not installed")))?
}

/// Sends SETTINGS_UPDATED with the flat list of every setting's current value.
pub async fn send_settings_updated(sim: &Sim, installation: &Installation) -> Report {
    lifecycle::report("SETTINGS_UPDATED", deliver_settings_updated(sim, installation).await)
}

/// Like [`send_settings_updated`], but hands back the add-on's answer itself (status and
/// body), for the settings screen to show the add-on's message.
pub async fn deliver_settings_updated(sim: &Sim, installation: &Installation) -> Result<Option<Answer>> {
    let list = installation
        .settings
        .as_ref()
        .map(settings::flat_list)
        .unwrap_or_default();
    let body = json!({
        "workspaceId": sim.workspace.id,
        "addonId": installation.addon_id,
        "settings": list,
    });
    lifecycle::deliver(sim, installation, "SETTINGS_UPDATED", &body).await
}

/// Stores new setting values, then sends SETTINGS_UPDATED.
pub async fn update_settings(sim: &Sim, key: &str, updates: &[SettingUpdate]) -> Result<Report> {
    installed(sim, key)?;
    let installation = store_settings(sim, key, updates)?;
    Ok(send_settings_updated(sim, &installation).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_add_ons_above_the_workspace_plan() {
        let manifest = json!({ "minimalSubscriptionPlan": "PRO" });
        assert!(check_plan(&manifest, "ENTERPRISE").is_ok());
        assert!(check_plan(&manifest, "PRO").is_ok());
        assert!(matches!(
            check_plan(&manifest, "BASIC"),
            Err(Error::InvalidManifest { .. })
        ));
    }
}
