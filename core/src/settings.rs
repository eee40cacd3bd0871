//! Setting definitions: each setting is defined once here; the manifest's structured settings,
//! SETTINGS_UPDATED validation and our own settings page all follow from these definitions.

use serde_json::{json, Value};

use crate::{events::ALL_EVENTS, flows::alerts::AlertTargets};

/// Clockify's setting types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    Text,
    Number,
    Checkbox,
    DropdownSingle,
    DropdownMultiple,
    Link,
}

impl SettingKind {
    pub fn clockify_name(self) -> &'static str {
        match self {
            SettingKind::Text => "TXT",
            SettingKind::Number => "NUMBER",
            SettingKind::Checkbox => "CHECKBOX",
            SettingKind::DropdownSingle => "DROPDOWN_SINGLE",
            SettingKind::DropdownMultiple => "DROPDOWN_MULTIPLE",
            SettingKind::Link => "LINK",
        }
    }
}

/// The options of a dropdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Options {
    None,
    Listed(&'static [&'static str]),
    /// Every Clockify event name.
    AllEvents,
}

impl Options {
    pub fn values(self) -> Vec<&'static str> {
        match self {
            Options::None => Vec::new(),
            Options::Listed(values) => values.to_vec(),
            Options::AllEvents => ALL_EVENTS.iter().map(|event| event.name).collect(),
        }
    }
}

/// A built-in default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Number(i64),
    Flag(bool),
    Text(&'static str),
    /// Every allowed option is selected.
    AllOptions,
}

/// One setting, defined once.
#[derive(Debug, PartialEq)]
pub struct SettingDefinition {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub section: &'static str,
    pub kind: SettingKind,
    pub default: Default,
    pub options: Options,
    /// Inclusive bounds for numbers.
    pub bounds: Option<(i64, i64)>,
    /// Environment variables that override the default, first match wins (the seed's names).
    pub env: &'static [&'static str],
    /// What a text setting must look like.
    pub format: TextFormat,
}

/// The shape a text setting's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    Free,
    /// Comma-separated host names, or `*`.
    HostList,
    /// Where failure alerts go: see [`AlertTargets`].
    AlertTargets,
}

impl SettingDefinition {
    /// The default as a JSON value.
    pub fn default_value(&self) -> Value {
        match self.default {
            Default::Number(number) => json!(number),
            Default::Flag(flag) => json!(flag),
            Default::Text(text) => json!(text),
            Default::AllOptions => json!(self.options.values()),
        }
    }

    /// The setting as the manifest's structured settings describe it.
    pub fn manifest_entry(&self) -> Value {
        let mut entry = json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "accessLevel": "ADMINS",
            "type": self.kind.clockify_name(),
            "value": self.default_value(),
            "required": true,
        });
        if self.options != Options::None {
            entry["allowedValues"] = json!(self.options.values());
        }
        entry
    }

    /// Checks a value from Clockify (or our page) and returns it normalised.
    pub fn validate(&self, value: &Value) -> Result<Value, String> {
        match self.kind {
            SettingKind::Number => {
                let number = value
                    .as_f64()
                    .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
                    .ok_or_else(|| format!("{} must be a number", self.name))?;
                if number.fract() != 0.0 {
                    return Err(format!("{} must be a whole number", self.name));
                }
                // The fractional part is zero, so the conversion is exact within i64's range.
                let whole = number as i64;
                if let Some((min, max)) = self.bounds {
                    if whole < min || whole > max {
                        return Err(format!("{} must be between {min} and {max}", self.name));
                    }
                }
                Ok(json!(whole))
            }
            SettingKind::Checkbox => match value {
                Value::Bool(flag) => Ok(json!(flag)),
                Value::String(text) if text == "true" || text == "false" => Ok(json!(text == "true")),
                _ => Err(format!("{} must be true or false", self.name)),
            },
            SettingKind::Text | SettingKind::Link => {
                let text = value.as_str().ok_or_else(|| format!("{} must be text", self.name))?;
                if self.kind == SettingKind::Link && !(text.starts_with("https://") || text.starts_with("http://")) {
                    return Err(format!("{} must be an http(s) URL", self.name));
                }
                match self.format {
                    TextFormat::Free => {}
                    TextFormat::HostList => {
                        check_host_list(text).map_err(|problem| format!("{}: {problem}", self.name))?
                    }
                    TextFormat::AlertTargets => {
                        AlertTargets::parse(text).map_err(|problem| format!("{}: {problem}", self.name))?;
                    }
                }
                Ok(json!(text.trim()))
            }
            SettingKind::DropdownSingle => {
                let text = value
                    .as_str()
                    .ok_or_else(|| format!("{} must be one of the options", self.name))?;
                if self.options.values().contains(&text) {
                    Ok(json!(text))
                } else {
                    Err(format!("{}: {text:?} is not one of the options", self.name))
                }
            }
            SettingKind::DropdownMultiple => {
                let items = value
                    .as_array()
                    .ok_or_else(|| format!("{} must be a list of options", self.name))?;
                let allowed = self.options.values();
                let mut chosen = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(text) if allowed.contains(&text) => chosen.push(text),
                        _ => return Err(format!("{}: {item} is not one of the options", self.name)),
                    }
                }
                Ok(json!(chosen))
            }
        }
    }
}

/// Checks a comma-separated list of host patterns (`api.example.com`, `*.example.com`, an IP
/// address, or `*` for any public host), as generic HTTP actions match them.
fn check_host_list(text: &str) -> Result<(), String> {
    let mut any = false;
    for entry in text.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        any = true;
        if entry == "*" {
            continue;
        }
        let host = entry.strip_prefix("*.").unwrap_or(entry);
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']' | '_');
        if host.is_empty() || host.contains('*') || !host.chars().all(allowed) {
            let hint = entry
                .split_once("://")
                .map(|(_, rest)| format!(" (write {})", rest.split('/').next().unwrap_or(rest)))
                .unwrap_or_default();
            return Err(format!("{entry:?} is not a host name{hint}"));
        }
    }
    if any {
        Ok(())
    } else {
        Err("list at least one host, or * for any public host".into())
    }
}

/// Environment overrides of setting defaults: (add-on key, setting id) -> value.
pub type SettingOverrides = std::collections::BTreeMap<(String, String), Value>;

/// Where an effective value comes from (built-in default < environment < workspace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    Default,
    Environment,
    Workspace,
}

impl SettingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingSource::Default => "default",
            SettingSource::Environment => "environment",
            SettingSource::Workspace => "workspace",
        }
    }
}

/// The effective values of an installation's settings: the workspace's stored values (the
/// settings document `{"values": {...}}`) over environment overrides over built-in defaults.
#[derive(Debug, Clone)]
pub struct EffectiveSettings {
    values: Vec<(&'static SettingDefinition, Value, SettingSource)>,
}

impl EffectiveSettings {
    /// Resolves every setting of `definitions` for add-on `addon_key`.
    pub fn resolve(
        addon_key: &str,
        definitions: &'static [SettingDefinition],
        stored_document: &str,
        overrides: &SettingOverrides,
    ) -> Self {
        let stored: Value = serde_json::from_str(stored_document).unwrap_or_default();
        let values = definitions
            .iter()
            .map(|definition| {
                let workspace = stored.get("values").and_then(|values| values.get(definition.id));
                let environment = overrides.get(&(addon_key.to_string(), definition.id.to_string()));
                match (workspace, environment) {
                    (Some(value), _) => (definition, value.clone(), SettingSource::Workspace),
                    (None, Some(value)) => (definition, value.clone(), SettingSource::Environment),
                    (None, None) => (definition, definition.default_value(), SettingSource::Default),
                }
            })
            .collect();
        EffectiveSettings { values }
    }

    /// Every setting with its value and source, in definition order.
    pub fn iter(&self) -> impl Iterator<Item = &(&'static SettingDefinition, Value, SettingSource)> {
        self.values.iter()
    }

    /// The value of setting `id`.
    pub fn value(&self, id: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(definition, _, _)| definition.id == id)
            .map(|(_, value, _)| value)
    }

    /// A number setting (0 when absent).
    pub fn number(&self, id: &str) -> i64 {
        self.value(id).and_then(Value::as_i64).unwrap_or(0)
    }

    /// A checkbox setting (false when absent).
    pub fn flag(&self, id: &str) -> bool {
        self.value(id).and_then(Value::as_bool).unwrap_or(false)
    }
}

const fn number(
    id: &'static str,
    name: &'static str,
    section: &'static str,
    description: &'static str,
    default: i64,
    bounds: (i64, i64),
    env: &'static [&'static str],
) -> SettingDefinition {
    SettingDefinition {
        id,
        name,
        description,
        section,
        kind: SettingKind::Number,
        default: Default::Number(default),
        options: Options::None,
        bounds: Some(bounds),
        env,
        format: TextFormat::Free,
    }
}

const fn checkbox(
    id: &'static str,
    name: &'static str,
    section: &'static str,
    description: &'static str,
    default: bool,
    env: &'static [&'static str],
) -> SettingDefinition {
    SettingDefinition {
        id,
        name,
        description,
        section,
        kind: SettingKind::Checkbox,
        default: Default::Flag(default),
        options: Options::None,
        bounds: None,
        env,
        format: TextFormat::Free,
    }
}

const BOOTSTRAP: &str = "Bootstrap";
const WEBHOOKS: &str = "Webhooks";
const FLOWS: &str = "Flows";
const OPERATIONS: &str = "Operations";

const RPS_DESCRIPTION: &str = "Requests per second the initial data pull may use (Clockify allows 50 per workspace).";
const HEAVY_DESCRIPTION: &str =
    "Also pull heavy endpoints (tasks of every project, groups, holidays, time off, expenses, invoices, approvals).";
const FLOWS_DESCRIPTION: &str = "Run published flows when events arrive.";

/// API Studio: 3 settings.
pub static API_STUDIO_SETTINGS: &[SettingDefinition] = &[
    number(
        "bootstrap_max_rps",
        "Bootstrap requests per second",
        BOOTSTRAP,
        RPS_DESCRIPTION,
        25,
        (1, 50),
        &["API_STUDIO_BOOTSTRAP_MAX_RPS", "BOOTSTRAP_MAX_RPS"],
    ),
    checkbox(
        "bootstrap_include_heavy",
        "Include heavy endpoints",
        BOOTSTRAP,
        HEAVY_DESCRIPTION,
        false,
        &["API_STUDIO_BOOTSTRAP_INCLUDE_HEAVY"],
    ),
    checkbox(
        "flows_enabled",
        "Flows enabled",
        FLOWS,
        FLOWS_DESCRIPTION,
        true,
        &["API_STUDIO_FLOWS_ENABLED"],
    ),
];

/// Universal Webhook: 14 settings in 4 sections.
pub static UNIVERSAL_WEBHOOK_SETTINGS: &[SettingDefinition] = &[
    number(
        "bootstrap_max_rps",
        "Bootstrap requests per second",
        BOOTSTRAP,
        RPS_DESCRIPTION,
        25,
        (1, 50),
        &["UW_BOOTSTRAP_MAX_RPS", "BOOTSTRAP_MAX_RPS"],
    ),
    checkbox(
        "bootstrap_include_heavy",
        "Include heavy endpoints",
        BOOTSTRAP,
        HEAVY_DESCRIPTION,
        false,
        &["UW_BOOTSTRAP_INCLUDE_HEAVY"],
    ),
    checkbox(
        "bootstrap_include_time_entries",
        "Include time entries",
        BOOTSTRAP,
        "Also pull every user's time entries within the look-back window.",
        false,
        &["UW_BOOTSTRAP_INCLUDE_TIME_ENTRIES"],
    ),
    number(
        "bootstrap_time_entry_lookback_days",
        "Time-entry look-back (days)",
        BOOTSTRAP,
        "How many days of time entries to pull.",
        30,
        (1, 3650),
        &["UW_BOOTSTRAP_TIME_ENTRY_LOOKBACK_DAYS"],
    ),
    checkbox(
        "custom_sources_enabled",
        "Custom webhook sources",
        WEBHOOKS,
        "Accept webhooks from other systems at per-source ingest URLs.",
        true,
        &["UW_CUSTOM_SOURCES_ENABLED"],
    ),
    number(
        "webhook_log_retention_days",
        "Webhook log retention (days)",
        WEBHOOKS,
        "Received events older than this are deleted.",
        90,
        (1, 3650),
        &["UW_WEBHOOK_LOG_RETENTION_DAYS"],
    ),
    number(
        "dedupe_window_hours",
        "Duplicate window (hours)",
        WEBHOOKS,
        "A repeated delivery within this window is recorded as a duplicate and not processed.",
        72,
        (1, 720),
        &["UW_DEDUPE_WINDOW_HOURS"],
    ),
    SettingDefinition {
        id: "events_to_ingest",
        name: "Clockify events to ingest",
        description: "Which of the 51 Clockify events are stored and passed to flows.",
        section: WEBHOOKS,
        kind: SettingKind::DropdownMultiple,
        default: Default::AllOptions,
        options: Options::AllEvents,
        bounds: None,
        env: &["UW_EVENTS_TO_INGEST"],
        format: TextFormat::Free,
    },
    checkbox(
        "flows_enabled",
        "Flows enabled",
        FLOWS,
        FLOWS_DESCRIPTION,
        true,
        &["UW_FLOWS_ENABLED"],
    ),
    checkbox(
        "generic_http_enabled",
        "Generic HTTP actions",
        FLOWS,
        "Let flows call any public HTTP endpoint (private and internal addresses are always refused).",
        false,
        &["UW_GENERIC_HTTP_ENABLED"],
    ),
    SettingDefinition {
        id: "http_allowlist",
        name: "HTTP allowlist",
        description: "Comma-separated host names generic HTTP actions may call; * allows any public host.",
        section: FLOWS,
        kind: SettingKind::Text,
        default: Default::Text("*"),
        options: Options::None,
        bounds: None,
        env: &["UW_HTTP_ALLOWLIST"],
        format: TextFormat::HostList,
    },
    number(
        "flow_max_retries",
        "Flow retries",
        FLOWS,
        "How often a failed step is retried before the run is dead-lettered.",
        5,
        (0, 20),
        &["UW_FLOW_MAX_RETRIES"],
    ),
    SettingDefinition {
        id: "log_level",
        name: "Log level",
        description: "Detail of this workspace's processing logs.",
        section: OPERATIONS,
        kind: SettingKind::DropdownSingle,
        default: Default::Text("info"),
        options: Options::Listed(&["error", "warn", "info", "debug", "trace"]),
        bounds: None,
        env: &["UW_LOG_LEVEL", "LOG_LEVEL"],
        format: TextFormat::Free,
    },
    SettingDefinition {
        id: "failure_alert",
        name: "Failure alert",
        description: "Where to report failed flow runs: \"toast\" (a message in Clockify), an https URL that receives a JSON POST, or both separated by a comma; \"off\" for none.",
        section: OPERATIONS,
        kind: SettingKind::Text,
        default: Default::Text("toast"),
        options: Options::None,
        bounds: None,
        env: &["UW_FAILURE_ALERT"],
        format: TextFormat::AlertTargets,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sections_match_the_product_table() {
        assert_eq!(API_STUDIO_SETTINGS.len(), 3);
        assert_eq!(UNIVERSAL_WEBHOOK_SETTINGS.len(), 14);
        let mut sections: Vec<_> = UNIVERSAL_WEBHOOK_SETTINGS.iter().map(|s| s.section).collect();
        sections.dedup();
        assert_eq!(sections, [BOOTSTRAP, WEBHOOKS, FLOWS, OPERATIONS]);
    }

    #[test]
    fn validation_refuses_wrong_types_and_out_of_range_values() {
        let rps = &UNIVERSAL_WEBHOOK_SETTINGS[0];
        assert_eq!(rps.validate(&json!(10)), Ok(json!(10)));
        assert_eq!(rps.validate(&json!("12")), Ok(json!(12)));
        assert!(rps.validate(&json!(51)).unwrap_err().contains("between 1 and 50"));
        assert!(rps.validate(&json!("fast")).is_err());
        let events = &UNIVERSAL_WEBHOOK_SETTINGS[7];
        assert!(events.validate(&json!(["NEW_TAG"])).is_ok());
        assert!(events.validate(&json!(["NOPE"])).is_err());
        let flag = &API_STUDIO_SETTINGS[2];
        assert!(flag.validate(&json!(1)).is_err());
    }

    fn definition(id: &str) -> &'static SettingDefinition {
        UNIVERSAL_WEBHOOK_SETTINGS
            .iter()
            .find(|definition| definition.id == id)
            .expect("defined")
    }

    #[test]
    fn the_http_allowlist_takes_host_patterns_only() {
        let allowlist = definition("http_allowlist");
        assert_eq!(
            allowlist.validate(&json!(" api.example.com, *.hooks.example.org, 10.0.0.1 ")),
            Ok(json!("api.example.com, *.hooks.example.org, 10.0.0.1"))
        );
        assert!(allowlist.validate(&json!("*")).is_ok());
        assert_eq!(
            allowlist.validate(&json!("https://api.example.com/v1")),
            Err("HTTP allowlist: \"https://api.example.com/v1\" is not a host name (write api.example.com)".into())
        );
        assert!(allowlist
            .validate(&json!(" , "))
            .unwrap_err()
            .contains("at least one host"));
        assert!(allowlist.validate(&json!("a b.com")).is_err());
    }

    #[test]
    fn the_failure_alert_takes_toast_a_url_both_or_off() {
        let alert = definition("failure_alert");
        assert!(alert.validate(&json!("toast")).is_ok());
        assert!(alert
            .validate(&json!("toast,https://hooks.example.com/failures"))
            .is_ok());
        assert!(alert.validate(&json!("off")).is_ok());
        assert!(alert
            .validate(&json!("pager"))
            .unwrap_err()
            .starts_with("Failure alert: \"pager\" is neither"));
    }
}

#[cfg(test)]
mod effective_tests {
    use super::*;

    #[test]
    fn workspace_beats_environment_beats_default() {
        let mut overrides = SettingOverrides::new();
        overrides.insert(("api-studio".into(), "bootstrap_max_rps".into()), json!(10));
        overrides.insert(("api-studio".into(), "flows_enabled".into()), json!(false));
        let stored = r#"{"values": {"bootstrap_max_rps": 40}}"#;
        let settings = EffectiveSettings::resolve("api-studio", API_STUDIO_SETTINGS, stored, &overrides);
        let source = |id: &str| {
            settings
                .iter()
                .find(|(definition, _, _)| definition.id == id)
                .map(|(_, _, source)| *source)
        };
        assert_eq!(settings.number("bootstrap_max_rps"), 40);
        assert_eq!(source("bootstrap_max_rps"), Some(SettingSource::Workspace));
        assert!(!settings.flag("flows_enabled"));
        assert_eq!(source("flows_enabled"), Some(SettingSource::Environment));
        assert!(!settings.flag("bootstrap_include_heavy"));
        assert_eq!(source("bootstrap_include_heavy"), Some(SettingSource::Default));
        // A broken document falls back to the environment and defaults.
        let broken = EffectiveSettings::resolve("api-studio", API_STUDIO_SETTINGS, "not json", &overrides);
        assert_eq!(broken.number("bootstrap_max_rps"), 10);
    }
}
