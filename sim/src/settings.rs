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

/// Every setting object, in the order [`for_each_setting`] visits them.
pub fn all(settings: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for tab in array(settings, "tabs") {
        out.extend(array(tab, "settings"));
        for group in array(tab, "groups") {
            out.extend(array(group, "settings"));
        }
    }
    out
}

/// The array `field` of `parent` (empty when missing or not an array).
pub fn array<'a>(parent: &'a Value, field: &str) -> &'a [Value] {
    parent
        .get(field)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The flat list Clockify sends in SETTINGS_UPDATED: `[{"id", "name", "value"}]` for every setting.
pub fn flat_list(settings: &Value) -> Vec<Value> {
    all(settings)
        .into_iter()
        .map(|setting| {
            json!({
                "id": setting.get("id").cloned().unwrap_or(Value::Null),
                "name": setting.get("name").cloned().unwrap_or(Value::Null),
                "value": setting.get("value").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// A text field of a setting object (`""` when missing or not a string).
pub fn text<'a>(setting: &'a Value, field: &str) -> &'a str {
    setting.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// Whether the setting is read-only (`"readOnly": true`): the settings screen shows it but
/// never changes it.
pub fn is_read_only(setting: &Value) -> bool {
    setting.get("readOnly").and_then(Value::as_bool).unwrap_or(false)
}

/// Whether values of setting type `kind` are lists (`DROPDOWN_MULTIPLE`, `USER_DROPDOWN_MULTIPLE`).
pub fn is_multiple(kind: &str) -> bool {
    matches!(kind, "DROPDOWN_MULTIPLE" | "USER_DROPDOWN_MULTIPLE")
}

/// A field of the settings form that could not be converted to its setting's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The setting's id.
    pub id: String,
    /// What is wrong, for people.
    pub message: String,
}

/// Converts a submitted settings form (`application/x-www-form-urlencoded` pairs; a
/// multi-select sends its key once per selected option) into typed updates, as Clockify's
/// settings screen does: `NUMBER` → JSON number, `CHECKBOX` → bool (absent → `false`),
/// `DROPDOWN_MULTIPLE`/`USER_DROPDOWN_MULTIPLE` → array of strings (absent → `[]`), anything
/// else → string (absent → unchanged). Read-only settings and unknown keys are ignored.
///
/// Returns the updates of every field that converted, and the errors of those that did not.
pub fn from_form(settings: &Value, form: &[(String, String)]) -> (Vec<SettingUpdate>, Vec<FieldError>) {
    let mut updates = Vec::new();
    let mut errors = Vec::new();
    for setting in all(settings) {
        let id = text(setting, "id");
        if id.is_empty() || is_read_only(setting) {
            continue;
        }
        let kind = text(setting, "type");
        let submitted: Vec<&str> = form
            .iter()
            .filter(|(key, _)| key == id)
            .map(|(_, value)| value.as_str())
            .collect();
        let value = match kind {
            "CHECKBOX" => json!(submitted.iter().any(|value| *value != "false")),
            kind if is_multiple(kind) => json!(submitted.iter().filter(|value| !value.is_empty()).collect::<Vec<_>>()),
            _ => {
                // A field sent twice: the last one wins, as in a browser's form data.
                let Some(last) = submitted.last() else {
                    continue;
                };
                if kind == "NUMBER" {
                    match parse_number(last) {
                        Some(number) => number,
                        None => {
                            errors.push(FieldError {
                                id: id.to_string(),
                                message: format!("{} must be a number, not \"{last}\"", text(setting, "name")),
                            });
                            continue;
                        }
                    }
                } else {
                    json!(last)
                }
            }
        };
        updates.push(SettingUpdate {
            id: id.to_string(),
            value,
        });
    }
    (updates, errors)
}

/// A finite number as JSON: an integer when it is one, else a float.
fn parse_number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(whole) = text.parse::<i64>() {
        return Some(json!(whole));
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
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
    fn converts_form_fields_to_setting_types() {
        let settings = json!({ "tabs": [{
            "id": "t", "name": "Tab",
            "settings": [
                { "id": "text", "name": "Text", "type": "TXT", "value": "x" },
                { "id": "num", "name": "Num", "type": "NUMBER", "value": 1 },
                { "id": "frac", "name": "Frac", "type": "NUMBER", "value": 1 },
                { "id": "flag", "name": "Flag", "type": "CHECKBOX", "value": true },
                { "id": "on", "name": "On", "type": "CHECKBOX", "value": false },
                { "id": "one", "name": "One", "type": "DROPDOWN_SINGLE", "value": "a" },
                { "id": "many", "name": "Many", "type": "DROPDOWN_MULTIPLE", "value": ["a"] },
                { "id": "none", "name": "None", "type": "DROPDOWN_MULTIPLE", "value": ["a"] },
                { "id": "fixed", "name": "Fixed", "type": "CHECKBOX", "value": true, "readOnly": true },
                { "id": "kept", "name": "Kept", "type": "TXT", "value": "k" }
            ]
        }]});
        let form: Vec<(String, String)> = [
            ("text", "y"),
            ("num", " 42 "),
            ("frac", "2.5"),
            ("on", "true"),
            ("one", "b"),
            ("many", "b"),
            ("many", "c"),
            ("stranger", "1"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
        let (updates, errors) = from_form(&settings, &form);
        assert!(errors.is_empty(), "{errors:?}");
        let got: Vec<(&str, Value)> = updates.iter().map(|u| (u.id.as_str(), u.value.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("text", json!("y")),
                ("num", json!(42)),
                ("frac", json!(2.5)),
                ("flag", json!(false)),
                ("on", json!(true)),
                ("one", json!("b")),
                ("many", json!(["b", "c"])),
                ("none", json!([])),
            ]
        );

        for bad in ["abc", "", "inf", "NaN"] {
            let (updates, errors) = from_form(&settings, &[("num".to_string(), bad.to_string())]);
            assert_eq!(errors.len(), 1, "{bad:?}");
            assert_eq!(errors[0].id, "num");
            assert!(errors[0].message.starts_with("Num must be a number"));
            assert!(updates.iter().all(|update| update.id != "num"));
        }
    }

    #[test]
    fn self_hosted_settings_are_not_structured() {
        assert_eq!(structured(&json!({ "settings": "/settings" })), None);
        assert!(structured(&json!({ "settings": sample() })).is_some());
    }
}
