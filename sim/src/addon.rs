//! One installed add-on: what its manifest declares and what the simulator issued to it.

use serde::Serialize;
use serde_json::Value;

/// A UI component declared in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// `sidebar`, `widget`, `projects.tab`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The text shown.
    pub label: String,
    /// Path under the base URL.
    pub path: String,
    /// `ADMINS` or `EVERYONE`.
    pub access_level: String,
}

/// An add-on installed in the demo workspace.
#[derive(Debug, Clone)]
pub struct Installation {
    /// The manifest's `key`.
    pub key: String,
    /// The manifest's `name`.
    pub name: String,
    /// The manifest's `baseUrl`.
    pub base_url: String,
    /// The manifest as fetched.
    pub manifest: Value,
    /// Id of this installation (changes on reinstall).
    pub addon_id: String,
    /// Id of the add-on's own user.
    pub addon_user_id: String,
    /// The installation token (`X-Addon-Token`); revoked when the installation goes.
    pub token: String,
    /// The signature token of each manifest webhook, in [`webhooks`] order: exactly the
    /// `webhooks[].authToken` INSTALLED carried, sent as `clockify-signature` with every
    /// delivery to that webhook.
    pub webhook_tokens: Vec<String>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// Structured settings with current values, if the manifest has any.
    pub settings: Option<Value>,
    /// True while INSTALLED is being delivered: the token already works, but the add-on is
    /// not shown as installed yet.
    pub pending: bool,
}

/// `base_url` + `path`, with exactly one slash between them.
pub fn join_url(base_url: &str, path: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if path.is_empty() {
        base.to_string()
    } else if path.starts_with('/') {
        format!("{base}{path}")
    } else {
        format!("{base}/{path}")
    }
}

impl Installation {
    /// The manifest's path for lifecycle event `kind` (`INSTALLED`, `DELETED`, …), if declared.
    pub fn lifecycle_path(&self, kind: &str) -> Option<String> {
        lifecycle_path(&self.manifest, kind)
    }

    /// The components declared in the manifest.
    pub fn components(&self) -> Vec<Component> {
        let Some(list) = self.manifest.get("components").and_then(Value::as_array) else {
            return Vec::new();
        };
        let text = |component: &Value, field: &str| {
            component
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        list.iter()
            .map(|component| Component {
                kind: text(component, "type"),
                label: text(component, "label"),
                path: text(component, "path"),
                access_level: text(component, "accessLevel"),
            })
            .collect()
    }

    /// Whether the manifest's `scopes` include `scope` (e.g. `USER_READ`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.manifest
            .get("scopes")
            .and_then(Value::as_array)
            .is_some_and(|scopes| scopes.iter().any(|granted| granted.as_str() == Some(scope)))
    }

    /// The manifest's webhooks with their signature tokens: `(event, url, token)`, in
    /// manifest order (the URL is the base URL joined with the webhook's path).
    pub fn webhook_subscriptions(&self) -> Vec<(String, String, String)> {
        webhooks(&self.manifest)
            .into_iter()
            .zip(&self.webhook_tokens)
            .map(|((event, path), token)| (event, join_url(&self.base_url, &path), token.clone()))
            .collect()
    }

    /// The sidebar component (Clockify allows one per add-on).
    pub fn sidebar(&self) -> Option<Component> {
        self.components()
            .into_iter()
            .find(|component| component.kind == "sidebar")
    }
}

/// The path of lifecycle event `kind` in `manifest`, if declared.
pub fn lifecycle_path(manifest: &Value, kind: &str) -> Option<String> {
    manifest
        .get("lifecycle")?
        .as_array()?
        .iter()
        .find(|entry| entry.get("type").and_then(Value::as_str) == Some(kind))?
        .get("path")?
        .as_str()
        .map(str::to_string)
}

/// The manifest's webhooks as `(event, path)` pairs, in order.
pub fn webhooks(manifest: &Value) -> Vec<(String, String)> {
    let Some(list) = manifest.get("webhooks").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|webhook| {
            let text = |field| webhook.get(field).and_then(Value::as_str).unwrap_or_default();
            (text("event").to_string(), text("path").to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_urls_with_one_slash() {
        assert_eq!(join_url("http://a/b/", "/c"), "http://a/b/c");
        assert_eq!(join_url("http://a/b", "c"), "http://a/b/c");
        assert_eq!(join_url("http://a/b", ""), "http://a/b");
    }
}
