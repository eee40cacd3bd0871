//! Verifying a Clockify webhook delivery (PLATFORM.md §3.3): the `clockify-signature` token is
//! a valid RS256 token for this add-on, its workspace has this add-on installed and active, the
//! token equals (in constant time) one stored for that installation (from INSTALLED or from a
//! workspace webhook we created), and the `clockify-webhook-event-type` is an event the profile
//! takes in and the workspace's settings let through.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::{
    lifecycle::token_digest,
    profile::Profile,
    settings::{EffectiveSettings, SettingOverrides},
    store::{Installation, Store},
    token::TokenVerifier,
    Error, Result,
};

/// The header carrying the webhook's signing token.
pub const SIGNATURE_HEADER: &str = "clockify-signature";
/// The header naming the event.
pub const EVENT_TYPE_HEADER: &str = "clockify-webhook-event-type";

/// An installation whose webhook signature token passed verification, with its effective
/// settings (resolved once per verification, not once per delivery).
#[derive(Debug, Clone)]
pub struct VerifiedInstallation {
    pub installation: Installation,
    /// The installation's effective settings (events to ingest, dedupe window, ...).
    pub settings: EffectiveSettings,
}

/// Why a delivery was refused, for the rejection counters.
pub fn rejection_reason(error: &Error) -> &'static str {
    match error {
        Error::Unauthorized { .. } => "signature",
        Error::Gone(_) => "not_installed",
        Error::BadRequest { code, .. } => code,
        Error::TooLarge(_) => "too_large",
        _ => "error",
    }
}

/// Signature tokens verified in the last few seconds, with their installation. Clockify sends
/// the same token with every delivery of a webhook, so under load each token is checked (RS256,
/// two reads) once per [`SignatureCache::TTL`] instead of once per delivery. Lifecycle events
/// clear it, so an uninstall or a disable takes effect at once.
#[derive(Debug, Default)]
pub struct SignatureCache {
    entries: Mutex<HashMap<String, (Arc<VerifiedInstallation>, Instant)>>,
}

impl SignatureCache {
    /// How long a verified token is trusted without checking again.
    pub const TTL: Duration = Duration::from_secs(5);
    /// Entries kept at most (the cache is emptied when full).
    const CAPACITY: usize = 10_000;

    fn get(&self, digest: &str) -> Option<Arc<VerifiedInstallation>> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(digest)
            .filter(|(_, at)| at.elapsed() < Self::TTL)
            .map(|(verified, _)| verified.clone())
    }

    fn put(&self, digest: String, verified: Arc<VerifiedInstallation>) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= Self::CAPACITY {
            entries.clear();
        }
        entries.insert(digest, (verified, Instant::now()));
    }

    /// Forgets everything (after any lifecycle event).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

/// Verifies the signature token of a delivery for `profile`; returns the installation and its
/// effective settings (with the environment's `overrides`).
pub async fn verify_signature(
    store: &dyn Store,
    verifier: &TokenVerifier,
    cache: &SignatureCache,
    profile: &'static Profile,
    overrides: &SettingOverrides,
    signature: Option<&str>,
) -> Result<Arc<VerifiedInstallation>> {
    let signature = signature
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| Error::unauthorized("missing_signature", "the clockify-signature header is missing"))?;
    let cache_key = format!("{}:{}", profile.key, token_digest(signature));
    if let Some(verified) = cache.get(&cache_key) {
        return Ok(verified);
    }
    let installation = verify_uncached(store, verifier, profile, signature).await?;
    let settings = EffectiveSettings::resolve(profile.key, profile.settings, &installation.settings, overrides);
    let verified = Arc::new(VerifiedInstallation { installation, settings });
    cache.put(cache_key, verified.clone());
    Ok(verified)
}

async fn verify_uncached(
    store: &dyn Store,
    verifier: &TokenVerifier,
    profile: &'static Profile,
    signature: &str,
) -> Result<Installation> {
    let claims = verifier.verify(signature, profile.key)?;
    let workspace_id = claims.workspace_id.clone();
    let installation = store
        .installation(profile.key, &workspace_id)
        .await?
        .ok_or_else(|| Error::Gone(format!("{} is not installed in this workspace", profile.name)))?;
    if installation.status != "ACTIVE" {
        return Err(Error::Gone(format!("{} is disabled in this workspace", profile.name)));
    }
    if claims.addon_id != installation.addon_id {
        return Err(Error::unauthorized(
            "wrong_installation",
            "the signature token belongs to another installation",
        ));
    }
    let digest = token_digest(signature);
    let known = store
        .webhook_tokens(profile.key, &workspace_id)
        .await?
        .iter()
        .fold(subtle::Choice::from(0u8), |found, token| {
            found | token.token_digest.as_bytes().ct_eq(digest.as_bytes())
        });
    if !bool::from(known) {
        return Err(Error::unauthorized(
            "unknown_signature",
            "the signature token is not one Clockify issued for this installation's webhooks",
        ));
    }
    Ok(installation)
}

/// Checks that `event_type` is one the profile takes in and the installation's settings let
/// through; returns it trimmed.
pub fn check_event<'a>(
    profile: &'static Profile,
    verified: &VerifiedInstallation,
    event_type: Option<&'a str>,
) -> Result<&'a str> {
    let event_type = event_type
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            Error::bad_request(
                "missing_event_type",
                "the clockify-webhook-event-type header is missing",
            )
        })?;
    if !profile.events().contains(&event_type) {
        return Err(Error::bad_request(
            "event_not_accepted",
            format!("{} does not take in {event_type} events", profile.name),
        ));
    }
    if let Some(Value::Array(wanted)) = verified.settings.value("events_to_ingest") {
        if !wanted.iter().any(|name| name.as_str() == Some(event_type)) {
            return Err(Error::bad_request(
                "event_not_accepted",
                format!("this workspace's settings do not take in {event_type} events"),
            ));
        }
    }
    Ok(event_type)
}
