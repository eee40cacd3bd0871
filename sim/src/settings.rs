//! An add-on's structured settings (`{"tabs": [...]}` from the manifest) and their current values.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};

/// One entry of a settings update body: `[{"id": "...", "value": ...}]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SettingUpdate {
    /// The setting's id.
    pub id: String,
    /// Its new value.
    pub value: Value,
}

/// The structured settings of a manifest (its `settings` object), or `None` when the add-on has
/// none or hosts its own settings page (`settings` is a path string).
pub fn structured(manifest: &Value) -> Option<Value> {
    manifest
        .get("settings")
        .filter(|settings| settings.is_object())
        .cloned()
}

/// Calls `visit` on every setting object: each tab's `settings`, then its groups' `settings`.
fn for_each_setting(settings: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    let Some(tabs) = settings.get_mut("tabs").and_then(Value::as_array_mut) else {
        return;
    };
    for tab in tabs {
        if let Some(list) = tab.get_mut("settings").and_then(Value::as_array_mut) {
            list.iter_mut().for_each(&mut *visit);
        }
        if let Some(groups) = tab.get_mut("groups").and_then(Value::as_array_mut) {
            for group in groups {
                if let Some(list) = group.get_mut("settings").and_then(Value::as_array_mut) {
                    list.iter_mut().for_each(&mut *visit);
                }
            }
        }
    }
}

/// The flat list Clockify sends in SETTINGS_UPDATED: `[{"id", "name", "value"}]` for every setting.
pub fn flat_list(settings: &Value) -> Vec<Value> {
    let mut copy = settings.clone();
    let mut list = Vec::new();
    for_each_setting(&mut copy, &mut |setting| {
        list.push(json!({
            "id": setting.get("id").cloned().unwrap_or(Value::Null),
            "name": setting.get("name").cloned().unwrap_or(Value::Null),
            "value": setting.get("value").cloned().unwrap_or(Value::Null),
        }));
    });
    list
}

/// Applies `updates` to `settings`. All ids must exist; on an unknown id nothing changes.
pub fn apply(settings: &mut Value, updates: &[SettingUpdate]) -> Result<()> {
    let known: Vec<String> = flat_list(settings)
        .iter()
        .filter_map(|setting| setting["id"].as_str().map(str::to_string))
        .collect();
    let unknown: Vec<&str> = updates
        .iter()
        .map(|update| update.id.as_str())
        .filter(|id| !known.iter().any(|known| known == id))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::BadRequest(format!(
            "unknown setting ids: {}",
            unknown.join(", ")
        )));
    }
    for_each_setting(settings, &mut |setting| {
        let id = setting.get("id").and_then(Value::as_str).map(str::to_string);
        // The last update for an id wins, as if they were applied in order.
        if let Some(update) = updates.iter().rev().find(|update| Some(&update.id) == id.as_ref()) {
            setting["value"] = update.value.clone();
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({ "tabs": [{
            "id": "t", "name": "Tab",
            "settings": [{ "id": "a", "name": "A", "type": "TXT", "value": "x", "accessLevel": "ADMINS" }],
            "groups": [{ "id": "g", "title": "G", "settings": [
                { "id": "b", "name": "B", "type": "NUMBER", "value": 5, "accessLevel": "ADMINS" }
            ]}]
        }]})
    }

    #[test]
    fn lists_tab_and_group_settings() {
        assert_eq!(
            flat_list(&sample()),
            vec![
                json!({"id": "a", "name": "A", "value": "x"}),
                json!({"id": "b", "name": "B", "value": 5})
            ]
        );
    }

    #[test]
    fn applies_known_ids_and_rejects_unknown_ones() {
        let mut settings = sample();
        let update = |id: &str, value| SettingUpdate { id: id.into(), value };
        apply(&mut settings, &[update("b", json!(9))]).unwrap();
        assert_eq!(flat_list(&settings)[1]["value"], 9);
        let error = apply(&mut settings, &[update("a", json!("y")), update("zz", json!(1))]);
        assert!(matches!(error, Err(Error::BadRequest(_))));
        assert_eq!(flat_list(&settings)[0]["value"], "x");
    }

    #[test]
    fn self_hosted_settings_are_not_structured() {
        assert_eq!(structured(&json!({ "settings": "/settings" })), None);
        assert!(structured(&json!({ "settings": sample() })).is_some());
    }
}
