//! The add-on manifest, generated from a [`Profile`](crate::profile::Profile).

use serde_json::{json, Map, Value};

use crate::profile::Profile;

/// Clockify accepts at most this many webhooks in one manifest.
pub const MAX_MANIFEST_WEBHOOKS: usize = 20;
/// The manifest schema version we target.
pub const SCHEMA_VERSION: &str = "1.6";

/// Paths inside an add-on's base URL. The base URL is `{public url}/{addon key}`.
pub mod paths {
    pub const MANIFEST: &str = "/manifest";
    pub const SIDEBAR: &str = "/ui";
    pub const ICON: &str = "/icon.svg";
    pub const INSTALLED: &str = "/lifecycle/installed";
    pub const DELETED: &str = "/lifecycle/deleted";
    pub const SETTINGS_UPDATED: &str = "/lifecycle/settings-updated";
    pub const STATUS_CHANGED: &str = "/lifecycle/status-changed";
    pub const CLOCKIFY_WEBHOOK: &str = "/webhooks/clockify";
}

/// The base URL Clockify appends every manifest path to.
pub fn addon_base_url(public_base_url: &str, profile: &Profile) -> String {
    format!("{}/{}", public_base_url.trim_end_matches('/'), profile.key)
}

/// Builds the manifest that Clockify installs, strictly with schema fields.
pub fn manifest(profile: &Profile, public_base_url: &str) -> Value {
    let lifecycle = [
        ("INSTALLED", paths::INSTALLED),
        ("DELETED", paths::DELETED),
        ("SETTINGS_UPDATED", paths::SETTINGS_UPDATED),
        ("STATUS_CHANGED", paths::STATUS_CHANGED),
    ]
    .map(|(kind, path)| json!({ "type": kind, "path": path }));
    let webhooks: Vec<Value> = profile
        .manifest_events
        .iter()
        .map(|event| json!({ "event": event, "path": paths::CLOCKIFY_WEBHOOK }))
        .collect();
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "key": profile.key,
        "name": profile.name,
        "description": profile.description,
        "baseUrl": addon_base_url(public_base_url, profile),
        "iconPath": paths::ICON,
        "minimalSubscriptionPlan": profile.plan,
        "scopes": profile.scopes,
        "lifecycle": lifecycle,
        "webhooks": webhooks,
        "components": [{
            "type": "sidebar",
            "accessLevel": "ADMINS",
            "path": paths::SIDEBAR,
            "label": profile.name,
            "iconPath": paths::ICON,
        }],
        "settings": settings_tabs(profile),
    })
}

/// Structured settings: one tab, one group per section of the profile's definitions.
fn settings_tabs(profile: &Profile) -> Value {
    let groups: Vec<Value> = profile
        .sections()
        .into_iter()
        .map(|section| {
            let settings: Vec<Value> = profile
                .settings
                .iter()
                .filter(|setting| setting.section == section)
                .map(|setting| setting.manifest_entry())
                .collect();
            json!({ "id": section_id(section), "title": section, "settings": settings })
        })
        .collect();
    let mut tab = Map::new();
    tab.insert("id".into(), json!("settings"));
    tab.insert("name".into(), json!(profile.name));
    tab.insert("groups".into(), Value::Array(groups));
    json!({ "tabs": [Value::Object(tab)] })
}

fn section_id(section: &str) -> String {
    section.to_lowercase().replace(' ', "-")
}

/// The manifest as committed under `manifests/`: pretty JSON with a trailing newline.
pub fn manifest_file_text(profile: &Profile, public_base_url: &str) -> String {
    let mut text =
        serde_json::to_string_pretty(&manifest(profile, public_base_url)).unwrap_or_else(|_| String::from("{}"));
    text.push('\n');
    text
}
