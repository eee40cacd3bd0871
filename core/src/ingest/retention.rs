//! Deletes events older than each installation's retention (the `webhook_log_retention_days`
//! setting; 90 days where a profile has none) in small batches, then lets SQLite give the
//! space back (incremental vacuum).

use std::{sync::Arc, time::Duration};

use crate::{
    lifecycle::now_millis,
    profile::find_profile,
    settings::{EffectiveSettings, SettingOverrides},
    store::Store,
    Result,
};

/// Rows per DELETE, so the writer is never blocked for long.
pub const BATCH: i64 = 500;
/// Retention where a profile has no setting.
pub const DEFAULT_RETENTION_DAYS: i64 = 90;

/// The retention in days of an installation.
pub fn retention_days(addon_key: &str, settings_document: &str, overrides: &SettingOverrides) -> i64 {
    find_profile(addon_key)
        .map(|profile| EffectiveSettings::resolve(profile.key, profile.settings, settings_document, overrides))
        .and_then(|settings| {
            settings
                .value("webhook_log_retention_days")
                .and_then(|value| value.as_i64())
        })
        .unwrap_or(DEFAULT_RETENTION_DAYS)
}

/// One pass over every installation; returns how many events went.
pub async fn sweep(store: &dyn Store, overrides: &SettingOverrides, now: i64) -> Result<u64> {
    let mut deleted = 0;
    for (addon_key, workspace_id, settings) in store.installation_settings().await? {
        let cutoff = now - retention_days(&addon_key, &settings, overrides) * 86_400_000;
        loop {
            let gone = store
                .delete_events_before(&addon_key, &workspace_id, cutoff, BATCH)
                .await?;
            deleted += gone;
            if gone < BATCH as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    if deleted > 0 {
        store.reclaim_space().await?;
    }
    Ok(deleted)
}

/// Sweeps every `interval` until the process ends.
pub async fn run_periodically(store: Arc<dyn Store>, overrides: Arc<SettingOverrides>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        ticks.tick().await;
        match sweep(store.as_ref(), &overrides, now_millis()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old webhook events deleted"),
            Err(error) => tracing::warn!(%error, "webhook retention sweep failed"),
        }
    }
}
