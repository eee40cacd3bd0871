//! One typed API operation and the parts it is made of.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::Serialize;
use serde_json::Value;

use super::{
    path::{PathError, PathTemplate},
    Pagination,
};

/// The HTTP methods the Clockify spec uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// Every method, in the order the counts are usually quoted.
    pub const ALL: [Method; 5] = [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete];

    /// The upper-case HTTP name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The method of an OpenAPI path-item key (`get`, `post`, …), if it is one of ours.
    pub(crate) fn from_path_item_key(key: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|method| method.as_str().eq_ignore_ascii_case(key))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// An HTTP method name that is not one of [`Method::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown HTTP method `{0}`")]
pub struct UnknownMethod(pub String);

impl FromStr for Method {
    type Err = UnknownMethod;

    /// Case-insensitive.
    fn from_str(text: &str) -> Result<Method, UnknownMethod> {
        Method::from_path_item_key(text).ok_or_else(|| UnknownMethod(text.to_owned()))
    }
}

/// Which Clockify server an operation lives on. The spec gives each path item one
/// `servers[0].url` (there are no top-level servers, PLATFORM.md §4.4); the model keeps only
/// which server it is. Any path prefix of that URL (`https://api.clockify.me/api` → `/api`) is
/// part of the base URL the add-on gets from its token claims (`backendUrl` already ends in
/// `/api`), so operation paths are always relative to that base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ApiServer {
    /// The regular API: claim `backendUrl` (spec: `https://api.clockify.me/api`).
    Api,
    /// The Reports API: claim `reportsUrl` (spec: `https://reports.api.clockify.me`).
    Reports,
    /// The audit log API (spec: `https://auditlog-api.api.clockify.me`); no claim carries it.
    AuditLog,
}

impl ApiServer {
    /// Classifies a server URL of the spec by its host and path: `auditlog…` hosts are the
    /// audit log, `report…` hosts or a `/report` prefix (regional URLs) the Reports API, any
    /// other `clockify.me` host the regular API.
    pub fn from_server_url(url: &str) -> Option<ApiServer> {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.to_ascii_lowercase();
        let host = host.split(':').next().unwrap_or_default();
        if host.starts_with("auditlog") {
            Some(ApiServer::AuditLog)
        } else if host.starts_with("report") || path.starts_with("report") {
            Some(ApiServer::Reports)
        } else if host == "clockify.me" || host.ends_with(".clockify.me") {
            Some(ApiServer::Api)
        } else {
            None
        }
    }
}

impl fmt::Display for ApiServer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            ApiServer::Api => "API",
            ApiServer::Reports => "Reports",
            ApiServer::AuditLog => "audit log",
        })
    }
}

/// The base URLs an add-on may call, taken from its token claims (never hard-coded,
/// PLATFORM.md §0.3). A trailing `/` is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ApiBases {
    /// Claim `backendUrl`, e.g. `https://api.clockify.me/api`.
    pub backend_url: String,
    /// Claim `reportsUrl`, e.g. `https://reports.api.clockify.me`.
    pub reports_url: String,
    /// No claim carries it (and the audit log does not accept add-on tokens).
    pub audit_log_url: Option<String>,
}

impl ApiBases {
    /// The base URL for a server, without a trailing slash.
    pub fn for_server(&self, server: ApiServer) -> Option<&str> {
        let url = match server {
            ApiServer::Api => Some(self.backend_url.as_str()),
            ApiServer::Reports => Some(self.reports_url.as_str()),
            ApiServer::AuditLog => self.audit_log_url.as_deref(),
        }?;
        let url = url.trim_end_matches('/');
        (!url.is_empty()).then_some(url)
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub(crate) fn parse(text: &str) -> Option<ParamLocation> {
        match text {
            "path" => Some(ParamLocation::Path),
            "query" => Some(ParamLocation::Query),
            "header" => Some(ParamLocation::Header),
            "cookie" => Some(ParamLocation::Cookie),
            _ => None,
        }
    }
}

/// A parameter's schema, simplified for forms and validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "of", rename_all = "lowercase")]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    /// Repeated query parameter (`?tags=a&tags=b`) of the item type.
    Array(Box<ParamType>),
    /// A string from a fixed set.
    Enum(Vec<String>),
    /// Anything else (objects, missing schema).
    Other,
}

impl ParamType {
    /// Simplifies a (resolved) JSON schema.
    pub(crate) fn from_schema(schema: &Value) -> ParamType {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return ParamType::Enum(
                values
                    .iter()
                    .map(|value| match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => ParamType::String,
            Some("integer") => ParamType::Integer,
            Some("number") => ParamType::Number,
            Some("boolean") => ParamType::Boolean,
            Some("array") => ParamType::Array(Box::new(
                schema.get("items").map_or(ParamType::Other, ParamType::from_schema),
            )),
            _ => ParamType::Other,
        }
    }
}

/// One path, query or header parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    /// Path parameters are always required.
    pub required: bool,
    pub description: Option<String>,
    pub schema: ParamType,
    /// The schema's `default`, as written (some numbers are strings in the spec).
    pub default: Option<Value>,
    /// The parameter's or its schema's `example`.
    pub example: Option<Value>,
    /// The schema's `minimum`.
    pub minimum: Option<f64>,
    /// The schema's `maximum`.
    pub maximum: Option<f64>,
}

/// An operation's request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    pub required: bool,
    /// `application/json` when offered, else the first content type (`multipart/form-data`).
    pub content_type: String,
    /// The raw schema, `$ref`s kept; see [`super::ApiSpec::resolve`].
    pub schema: Value,
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// The `operationId` (unique).
    pub id: String,
    pub method: Method,
    /// The path template relative to the server base, e.g. `/v1/workspaces/{workspaceId}/projects`.
    pub path: String,
    pub server: ApiServer,
    pub summary: String,
    pub description: Option<String>,
    /// The first tag (`default` when the operation has none).
    pub tag: String,
    pub deprecated: bool,
    /// Path-item and operation parameters (the operation's win), in spec order.
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    /// The 200 (else 201) response's schema, `$ref`s kept; JSON preferred.
    pub response_schema: Option<Value>,
    /// The content type of that response (`*/*` for file downloads).
    pub response_content_type: Option<String>,
    /// Whether the operation accepts the add-on token (`X-Addon-Token`, security schemes
    /// `AddonKeyAuth` / `ReportAddonKeyAuth`).
    pub addon_auth: bool,
    pub pagination: Pagination,
    #[serde(skip)]
    pub(crate) template: PathTemplate,
}

impl Operation {
    /// `GET /v1/...` — for logs and lists.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The parameter with this name (any location).
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|parameter| parameter.name == name)
    }

    /// Parameters in one location, in spec order.
    pub fn parameters_in(&self, location: ParamLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |parameter| parameter.location == location)
    }

    /// The names of the path template's parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        self.template.params()
    }

    /// The path with every `{parameter}` replaced by its percent-encoded value. Names every
    /// parameter without a non-empty value; rejects `.` and `..`.
    pub fn render_path(&self, params: &impl Fn(&str) -> Option<String>) -> Result<String, PathError> {
        self.template.render(params)
    }

    /// [`Operation::render_path`] with the values in a map.
    pub fn render_path_with(&self, params: &BTreeMap<String, String>) -> Result<String, PathError> {
        self.template.render(&|name| params.get(name).cloned())
    }

    /// The base URL of this operation's server (no trailing slash), if the add-on knows it.
    pub fn base<'b>(&self, bases: &'b ApiBases) -> Option<&'b str> {
        bases.for_server(self.server)
    }

    /// The full URL without a query string: [`Operation::base`] + [`Operation::render_path`].
    pub fn url(&self, bases: &ApiBases, params: &impl Fn(&str) -> Option<String>) -> Result<String, PathError> {
        let base = self.base(bases).ok_or(PathError::NoBase(self.server))?;
        Ok(format!("{base}{}", self.render_path(params)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_server_urls() {
        let cases = [
            ("https://api.clockify.me/api", Some(ApiServer::Api)),
            ("https://euc1.clockify.me/api", Some(ApiServer::Api)),
            ("https://reports.api.clockify.me", Some(ApiServer::Reports)),
            ("https://euc1.clockify.me/report", Some(ApiServer::Reports)),
            ("https://auditlog-api.api.clockify.me", Some(ApiServer::AuditLog)),
            ("https://example.com/api", None),
        ];
        for (url, server) in cases {
            assert_eq!(ApiServer::from_server_url(url), server, "{url}");
        }
    }

    #[test]
    fn bases_ignore_trailing_slashes_and_missing_audit_log() {
        let bases = ApiBases {
            backend_url: "https://euc1.clockify.me/api/".into(),
            reports_url: "https://euc1.clockify.me/report".into(),
            audit_log_url: None,
        };
        assert_eq!(bases.for_server(ApiServer::Api), Some("https://euc1.clockify.me/api"));
        assert_eq!(
            bases.for_server(ApiServer::Reports),
            Some("https://euc1.clockify.me/report")
        );
        assert_eq!(bases.for_server(ApiServer::AuditLog), None);
    }

    #[test]
    fn methods_parse_case_insensitively() {
        assert_eq!("patch".parse::<Method>(), Ok(Method::Patch));
        assert_eq!("GET".parse::<Method>(), Ok(Method::Get));
        assert!("HEAD".parse::<Method>().is_err());
    }
}
