//! The claims of the tokens Clockify signs (lifecycle, installation, user, webhook).

use serde::{Deserialize, Serialize};

/// Claims of any Clockify add-on token. URL and user claims appear only on installation and
/// user tokens; `language`, `theme` and `workspaceRole` only on user tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockifyClaims {
    pub iss: String,
    pub sub: String,
    #[serde(rename = "type")]
    pub token_type: String,
    pub workspace_id: String,
    pub addon_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshots_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pto_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_role: Option<String>,
}

/// The iframe's colour scheme, from the user token's `theme` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    /// Clockify sends `DEFAULT` or `DARK`.
    pub fn from_claim(claim: Option<&str>) -> Theme {
        match claim {
            Some(value) if value.eq_ignore_ascii_case("DARK") => Theme::Dark,
            _ => Theme::Light,
        }
    }
}

/// Workspace roles allowed to use admin components.
pub fn is_admin_role(role: Option<&str>) -> bool {
    matches!(role, Some("OWNER" | "WORKSPACE_ADMIN" | "ADMIN"))
}

/// A readable name for the Clockify region behind an API base URL.
pub fn api_region(backend_url: &str) -> String {
    let host = backend_url
        .split("://")
        .nth(1)
        .unwrap_or(backend_url)
        .split('/')
        .next()
        .unwrap_or_default();
    let prefix = host.split('.').next().unwrap_or_default();
    let region = match prefix {
        "api" if host.ends_with("clockify.me") => "Global",
        "euc1" => "EU (Germany)",
        "use2" => "USA",
        "euw2" => "UK",
        "apse2" => "Australia",
        "developer" => "Developer test environment",
        _ => return format!("Custom ({host})"),
    };
    region.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_regions() {
        assert_eq!(api_region("https://api.clockify.me/api"), "Global");
        assert_eq!(api_region("https://euc1.clockify.me/api"), "EU (Germany)");
        assert_eq!(api_region("http://127.0.0.1:4000/api"), "Custom (127.0.0.1:4000)");
    }

    #[test]
    fn theme_and_role_claims() {
        assert_eq!(Theme::from_claim(Some("DARK")), Theme::Dark);
        assert_eq!(Theme::from_claim(Some("DEFAULT")), Theme::Light);
        assert!(is_admin_role(Some("OWNER")));
        assert!(!is_admin_role(Some("TEAM_MANAGER")));
    }
}
