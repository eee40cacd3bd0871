//! Failure alerts: where a workspace hears about flow runs that failed or were dead-lettered.
//!
//! The `failure_alert` setting names the targets: `toast` (a message in Clockify, shown by our
//! page through Clockify's `toastrPop` window message), an http(s) URL that receives a JSON
//! POST ([`FailureAlert`]), both separated by a comma, or `off`. Profiles without the setting
//! (API Studio) use its default, `toast`.

use serde::{Deserialize, Serialize};

/// The targets of the default setting.
pub const DEFAULT_TARGETS: &str = "toast";

/// Parsed `failure_alert` setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertTargets {
    pub toast: bool,
    /// An http(s) URL that receives a JSON POST per failed run.
    pub webhook: Option<String>,
}

impl AlertTargets {
    /// Parses `toast`, `off`, an http(s) URL, or `toast` and a URL separated by a comma.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut targets = AlertTargets::default();
        let parts: Vec<&str> = text.split(',').map(str::trim).filter(|part| !part.is_empty()).collect();
        if parts.is_empty() {
            return Err("write toast, an https URL, both separated by a comma, or off".into());
        }
        for part in &parts {
            if part.eq_ignore_ascii_case("off") {
                if parts.len() > 1 {
                    return Err("off cannot be combined with other targets".into());
                }
            } else if part.eq_ignore_ascii_case("toast") {
                targets.toast = true;
            } else if is_http_url(part) {
                if targets.webhook.is_some() {
                    return Err("give at most one URL".into());
                }
                targets.webhook = Some((*part).to_string());
            } else {
                return Err(format!("{part:?} is neither toast, off nor an http(s) URL"));
            }
        }
        Ok(targets)
    }

    /// Whether any alert is sent.
    pub fn any(&self) -> bool {
        self.toast || self.webhook.is_some()
    }
}

/// `https://host...` or `http://host...` with a host and no spaces.
fn is_http_url(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty() && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// One failed run, as the webhook target receives it and the toast describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureAlert {
    /// Always `flow_run.failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub addon: String,
    pub workspace_id: String,
    pub flow_id: String,
    pub flow_name: String,
    pub run_id: String,
    /// `failed` (retrying cannot fix it) or `dead` (retries exhausted).
    pub status: String,
    pub error: String,
    pub attempts: i64,
    pub event_type: String,
    /// Milliseconds since the epoch.
    pub failed_at: i64,
}

impl FailureAlert {
    pub const KIND: &'static str = "flow_run.failed";

    /// The toast's text: which flow, and why.
    pub fn toast_message(&self) -> String {
        let verb = if self.status == "dead" {
            "gave up after retries"
        } else {
            "failed"
        };
        format!("Flow \u{201c}{}\u{201d} {verb}: {}", self.flow_name, self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_toast_urls_both_and_off() {
        assert_eq!(
            AlertTargets::parse("toast"),
            Ok(AlertTargets {
                toast: true,
                webhook: None
            })
        );
        assert_eq!(AlertTargets::parse(" off "), Ok(AlertTargets::default()));
        assert_eq!(
            AlertTargets::parse("toast, https://hooks.example.com/x"),
            Ok(AlertTargets {
                toast: true,
                webhook: Some("https://hooks.example.com/x".into())
            })
        );
        assert!(!AlertTargets::parse("off").unwrap().any());
        assert!(AlertTargets::parse("").is_err());
        assert!(AlertTargets::parse("off, toast").is_err());
        assert!(AlertTargets::parse("email").unwrap_err().contains("neither toast"));
        assert!(AlertTargets::parse("https://").is_err());
        assert!(AlertTargets::parse("https://a.example, https://b.example").is_err());
    }

    #[test]
    fn the_toast_names_the_flow_and_the_reason() {
        let alert = FailureAlert {
            kind: FailureAlert::KIND.into(),
            addon: "universal-webhook".into(),
            workspace_id: "w".into(),
            flow_id: "f".into(),
            flow_name: "Tag new entries".into(),
            run_id: "r".into(),
            status: "dead".into(),
            error: "step tag: 503".into(),
            attempts: 4,
            event_type: "NEW_TIME_ENTRY".into(),
            failed_at: 0,
        };
        assert_eq!(
            alert.toast_message(),
            "Flow \u{201c}Tag new entries\u{201d} gave up after retries: step tag: 503"
        );
    }
}
