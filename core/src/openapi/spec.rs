//! Loading an OpenAPI 3 document into [`ApiSpec`], and looking operations up.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    pagination,
    path::{normalize_concrete, PathTemplate},
    raw::{RawComponents, RawDocument, RawOperation, RawParameter, RawRequestBody, RawServer},
    schema, ApiServer, Method, Operation, Pagination, ParamLocation, ParamType, Parameter, RequestBody,
};

/// The Clockify OpenAPI file shipped with the add-ons (PLATFORM.md §4.4).
pub const CLOCKIFY_OPENAPI: &str = include_str!("../../assets/clockify-openapi.json");

/// Why a document could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// Not JSON, or a part the model reads has the wrong shape (the message has line and column).
    #[error("the OpenAPI document could not be read: {0}")]
    Json(#[from] serde_json::Error),
    /// `openapi` is not 3.x.
    #[error("unsupported OpenAPI version `{0}` (this model reads 3.x)")]
    Version(String),
    /// Something at a place in the document (`GET /v1/...`, a path, …) the model cannot use.
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },
}

fn invalid(at: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError::Invalid {
        at: at.into(),
        message: message.into(),
    }
}

/// A loaded OpenAPI document: its operations in file order, indexed by id, and its schemas.
#[derive(Debug, Clone)]
pub struct ApiSpec {
    title: String,
    version: String,
    openapi: String,
    path_count: usize,
    operations: Vec<Operation>,
    by_id: BTreeMap<String, usize>,
    tags: Vec<String>,
    schemas: Map<String, Value>,
}

impl ApiSpec {
    /// The shipped Clockify spec, parsed once. A test proves it parses.
    pub fn clockify() -> &'static ApiSpec {
        static SPEC: OnceLock<ApiSpec> = OnceLock::new();
        SPEC.get_or_init(|| ApiSpec::parse(CLOCKIFY_OPENAPI).expect("the shipped Clockify OpenAPI file parses"))
    }

    /// Parses an OpenAPI 3 JSON document. Every path item needs a server (its own or the
    /// document's) that [`ApiServer::from_server_url`] recognises, and every operation an
    /// `operationId`. Path-item `$ref`s and HEAD / OPTIONS / TRACE operations are rejected
    /// rather than silently dropped.
    pub fn parse(text: &str) -> Result<ApiSpec, SpecError> {
        let document: RawDocument = serde_json::from_str(text)?;
        if !document.openapi.starts_with("3.") {
            return Err(SpecError::Version(document.openapi));
        }
        let components = &document.components;
        let addon_schemes: BTreeSet<&str> = components
            .security_schemes
            .iter()
            .filter(|(_, scheme)| {
                scheme.scheme_type == "apiKey"
                    && scheme.location == "header"
                    && scheme.name.eq_ignore_ascii_case("x-addon-token")
            })
            .map(|(name, _)| name.as_str())
            .collect();

        let path_count = document.paths.0.len();
        let mut operations = Vec::new();
        for (path, item) in document.paths.0 {
            let template = PathTemplate::parse(&path).map_err(|message| invalid(&path, message))?;
            let mut item_servers = None;
            let mut item_parameters = Vec::new();
            let mut methods = Vec::new();
            for (key, value) in item.0 {
                match key.as_str() {
                    "servers" => {
                        item_servers = Some(
                            serde_json::from_value::<Vec<RawServer>>(value)
                                .map_err(|error| invalid(&path, format!("servers: {error}")))?,
                        )
                    }
                    "parameters" => {
                        item_parameters = serde_json::from_value::<Vec<Value>>(value)
                            .map_err(|error| invalid(&path, format!("parameters: {error}")))?
                    }
                    "summary" | "description" => {}
                    "$ref" | "head" | "options" | "trace" => {
                        return Err(invalid(&path, format!("`{key}` is not supported")))
                    }
                    _ => {
                        if let Some(method) = Method::from_path_item_key(&key) {
                            methods.push((method, value));
                        }
                    }
                }
            }
            for (method, value) in methods {
                let at = format!("{method} {path}");
                let raw: RawOperation =
                    serde_json::from_value(value).map_err(|error| invalid(&at, error.to_string()))?;
                let servers = [&raw.servers, item_servers.as_ref().unwrap_or(&document.servers)];
                let server_url = servers
                    .into_iter()
                    .find_map(|servers| servers.first())
                    .map(|server| server.url.as_str())
                    .ok_or_else(|| invalid(&at, "no server URL (none on the operation, path or document)"))?;
                let server = ApiServer::from_server_url(server_url)
                    .ok_or_else(|| invalid(&at, format!("unknown server URL `{server_url}`")))?;
                let security = raw.security.as_ref().or(document.security.as_ref());
                let addon_auth = security.is_some_and(|requirements| {
                    requirements.iter().any(|requirement| {
                        !requirement.is_empty() && requirement.keys().all(|name| addon_schemes.contains(name.as_str()))
                    })
                });
                let parameters = build_parameters(&at, &template, &item_parameters, &raw.parameters, components)?;
                let request_body = raw
                    .request_body
                    .as_ref()
                    .map(|body| build_request_body(&at, body, components))
                    .transpose()?
                    .flatten();
                let response = ["200", "201"]
                    .into_iter()
                    .find_map(|code| raw.responses.get(code))
                    .and_then(|response| pick_content(response.get("content")));
                let mut operation = Operation {
                    id: raw.operation_id.ok_or_else(|| invalid(&at, "no operationId"))?,
                    method,
                    path: path.clone(),
                    server,
                    summary: raw.summary.unwrap_or_default(),
                    description: raw.description,
                    tag: raw.tags.into_iter().next().unwrap_or_else(|| "default".into()),
                    deprecated: raw.deprecated,
                    parameters,
                    request_body,
                    response_content_type: response.as_ref().map(|(content_type, _)| content_type.clone()),
                    response_schema: response.map(|(_, schema)| schema),
                    addon_auth,
                    pagination: Pagination::None,
                    template: template.clone(),
                };
                operation.pagination = pagination::detect(&operation, &components.schemas);
                operations.push(operation);
            }
        }

        let mut by_id = BTreeMap::new();
        for (index, operation) in operations.iter().enumerate() {
            if by_id.insert(operation.id.clone(), index).is_some() {
                return Err(invalid(
                    operation.label(),
                    format!("operationId `{}` is used twice", operation.id),
                ));
            }
        }

        let used: BTreeSet<&str> = operations.iter().map(|operation| operation.tag.as_str()).collect();
        let mut tags: Vec<String> = Vec::new();
        let declared = document.tags.iter().map(|tag| tag.name.as_str());
        let appearing = operations.iter().map(|operation| operation.tag.as_str());
        for tag in declared.chain(appearing) {
            if used.contains(tag) && !tags.iter().any(|known| known == tag) {
                tags.push(tag.to_owned());
            }
        }

        Ok(ApiSpec {
            title: document.info.title,
            version: document.info.version,
            openapi: document.openapi,
            path_count,
            operations,
            by_id,
            tags,
            schemas: document.components.schemas,
        })
    }

    /// `info.title`, e.g. "Clockify API".
    pub fn title(&self) -> &str {
        &self.title
    }

    /// `info.version`, e.g. "v1".
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The `openapi` field, e.g. "3.0.1".
    pub fn openapi_version(&self) -> &str {
        &self.openapi
    }

    /// How many path items the document has.
    pub fn path_count(&self) -> usize {
        self.path_count
    }

    /// Every operation, in file order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&index| &self.operations[index])
    }

    /// The tags that have operations: the document's declared order first, then any others in
    /// order of appearance.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Each tag of [`ApiSpec::tags`] with its operations in file order.
    pub fn by_tag(&self) -> Vec<(&str, Vec<&Operation>)> {
        self.tags
            .iter()
            .map(|tag| {
                let operations = self
                    .operations
                    .iter()
                    .filter(|operation| operation.tag == *tag)
                    .collect();
                (tag.as_str(), operations)
            })
            .collect()
    }

    /// The operation a concrete request path belongs to, e.g. `GET
    /// /v1/workspaces/abc/projects/def/tasks` → `getTasks`. The path is relative to the server
    /// base; a query string and a trailing slash are ignored. Where several templates match,
    /// the one with literal segments earliest wins (`…/time-entries/status/in-progress` over
    /// `…/time-entries/{id}`).
    pub fn find(&self, method: Method, concrete_path: &str) -> Option<&Operation> {
        let concrete = normalize_concrete(concrete_path);
        let mut best: Option<(Vec<bool>, &Operation)> = None;
        for operation in self.operations.iter().filter(|operation| operation.method == method) {
            if let Some(key) = operation.template.matches(concrete) {
                if best.as_ref().is_none_or(|(best_key, _)| key > *best_key) {
                    best = Some((key, operation));
                }
            }
        }
        best.map(|(_, operation)| operation)
    }

    /// All `components.schemas`.
    pub fn schemas(&self) -> &Map<String, Value> {
        &self.schemas
    }

    /// One schema of `components.schemas`, unresolved.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// A copy of `schema` with its `#/components/schemas/…` references expanded; cyclic and
    /// too deep references stay `$ref`s (see [`schema::resolve`]).
    pub fn resolve(&self, schema: &Value) -> Value {
        schema::resolve(schema, &self.schemas)
    }
}

/// Follows a `#/components/<section>/Name` reference of a parameter or request body.
fn component<'a>(
    at: &str,
    value: &'a Value,
    section: &str,
    entries: &'a Map<String, Value>,
) -> Result<&'a Value, SpecError> {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return Ok(value);
    };
    reference
        .strip_prefix("#/components/")
        .and_then(|rest| rest.strip_prefix(section))
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|name| entries.get(name))
        .ok_or_else(|| invalid(at, format!("unresolvable reference `{reference}`")))
}

fn build_parameters(
    at: &str,
    template: &PathTemplate,
    item_level: &[Value],
    operation_level: &[Value],
    components: &RawComponents,
) -> Result<Vec<Parameter>, SpecError> {
    let mut parameters: Vec<Parameter> = Vec::new();
    for value in item_level.iter().chain(operation_level) {
        let value = component(at, value, "parameters", &components.parameters)?;
        let raw = RawParameter::deserialize(value).map_err(|error| invalid(at, format!("parameter: {error}")))?;
        let location = ParamLocation::parse(&raw.location)
            .ok_or_else(|| invalid(at, format!("parameter `{}` is in unknown `{}`", raw.name, raw.location)))?;
        let schema = raw
            .schema
            .as_ref()
            .map(|schema| schema::deref(schema, &components.schemas))
            .unwrap_or(&Value::Null);
        let number = |key: &str| schema.get(key).and_then(Value::as_f64);
        let parameter = Parameter {
            required: raw.required || location == ParamLocation::Path,
            description: raw
                .description
                .or_else(|| schema.get("description").and_then(Value::as_str).map(str::to_owned)),
            schema: ParamType::from_schema(schema),
            default: schema.get("default").cloned(),
            example: raw.example.or_else(|| schema.get("example").cloned()),
            minimum: number("minimum"),
            maximum: number("maximum"),
            name: raw.name,
            location,
        };
        // An operation-level parameter overrides the path item's one of the same name and place.
        match parameters
            .iter_mut()
            .find(|known| known.name == parameter.name && known.location == parameter.location)
        {
            Some(known) => *known = parameter,
            None => parameters.push(parameter),
        }
    }
    // A template parameter the document forgot to declare is still a required string.
    for name in template.params() {
        if !parameters
            .iter()
            .any(|parameter| parameter.location == ParamLocation::Path && parameter.name == name)
        {
            parameters.push(Parameter {
                name: name.to_owned(),
                location: ParamLocation::Path,
                required: true,
                description: None,
                schema: ParamType::String,
                default: None,
                example: None,
                minimum: None,
                maximum: None,
            });
        }
    }
    Ok(parameters)
}

fn build_request_body(at: &str, value: &Value, components: &RawComponents) -> Result<Option<RequestBody>, SpecError> {
    let value = component(at, value, "requestBodies", &components.request_bodies)?;
    let raw: RawRequestBody =
        serde::Deserialize::deserialize(value).map_err(|error| invalid(at, format!("requestBody: {error}")))?;
    let content = Value::Object(raw.content);
    Ok(pick_content(Some(&content)).map(|(content_type, schema)| RequestBody {
        required: raw.required,
        content_type,
        schema,
    }))
}

/// The preferred (content type, schema) of a `content` object: JSON if offered, else the first.
fn pick_content(content: Option<&Value>) -> Option<(String, Value)> {
    let content = content?.as_object()?;
    let (content_type, media) = content
        .get_key_value("application/json")
        .or_else(|| content.iter().next())?;
    Some((
        content_type.clone(),
        media.get("schema").cloned().unwrap_or(Value::Null),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> &'static ApiSpec {
        ApiSpec::clockify()
    }

    #[test]
    fn the_shipped_spec_parses_with_the_documented_counts() {
        let spec = ApiSpec::parse(CLOCKIFY_OPENAPI).expect("parses");
        assert_eq!(spec.title(), "Clockify API");
        assert_eq!(spec.version(), "v1");
        assert_eq!(spec.openapi_version(), "3.0.1");
        assert_eq!(spec.operations().len(), 166);
        assert_eq!(spec.path_count(), 108);
        assert_eq!(spec.schemas().len(), 275);
        let count = |method| spec.operations().iter().filter(|op| op.method == method).count();
        assert_eq!(
            Method::ALL.map(count),
            [50, 48, 28, 16, 24],
            "GET POST PUT PATCH DELETE"
        );
        let servers = |server| spec.operations().iter().filter(|op| op.server == server).count();
        assert_eq!(servers(ApiServer::Reports), 10);
        assert_eq!(servers(ApiServer::AuditLog), 1);
        assert_eq!(servers(ApiServer::Api), 155);
    }

    #[test]
    fn tags_follow_the_declared_order() {
        let tags = spec().tags();
        assert_eq!(tags.len(), 27);
        assert_eq!(&tags[..4], ["User", "Workspace", "Webhooks", "Approval"]);
        assert_eq!(
            &tags[tags.len() - 2..],
            ["Scheduling (Deprecated)", "Workspace (Deprecated)"]
        );
        let by_tag = spec().by_tag();
        assert_eq!(by_tag.iter().map(|(_, ops)| ops.len()).sum::<usize>(), 166);
        let (tag, projects) = &by_tag[tags.iter().position(|tag| tag == "Project").unwrap()];
        assert_eq!(*tag, "Project");
        assert_eq!(projects[0].id, "getProjects");
    }

    #[test]
    fn get_projects() {
        let op = spec().operation("getProjects").unwrap();
        assert_eq!(op.method, Method::Get);
        assert_eq!(op.path, "/v1/workspaces/{workspaceId}/projects");
        assert_eq!(op.server, ApiServer::Api);
        assert_eq!(op.tag, "Project");
        assert!(op.addon_auth);
        assert!(!op.deprecated);
        assert!(matches!(
            op.pagination,
            Pagination::PageSize {
                page_param: "page",
                size_param: "page-size",
                first_page: 1,
                ..
            }
        ));
        let workspace = op.parameter("workspaceId").unwrap();
        assert_eq!(workspace.location, ParamLocation::Path);
        assert!(workspace.required);
        let page_size = op.parameter("page-size").unwrap();
        assert_eq!(page_size.schema, ParamType::Integer);
        assert_eq!(page_size.default, Some(json!(50)));
        assert_eq!(page_size.minimum, Some(1.0));
        let clients = op.parameter("clients").unwrap();
        assert_eq!(clients.schema, ParamType::Array(Box::new(ParamType::String)));
        let sort = op.parameter("sort-order").unwrap();
        assert!(matches!(&sort.schema, ParamType::Enum(values) if values.contains(&"ASCENDING".to_owned())));
        assert!(op.request_body.is_none());
        let response = op.response_schema.as_ref().unwrap();
        assert_eq!(response["type"], "array");
        assert_eq!(op.response_content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn get_tasks_and_get_webhooks() {
        let tasks = spec().operation("getTasks").unwrap();
        assert_eq!(tasks.path, "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks");
        assert_eq!(tasks.path_params().collect::<Vec<_>>(), ["workspaceId", "projectId"]);
        assert!(tasks.pagination.is_paginated());
        let webhooks = spec().operation("getWebhooks").unwrap();
        assert_eq!(webhooks.path, "/v1/workspaces/{workspaceId}/webhooks");
        assert_eq!(webhooks.tag, "Webhooks");
        assert!(webhooks.addon_auth);
        assert_eq!(webhooks.pagination, Pagination::None);
    }

    #[test]
    fn reports_live_on_the_reports_server_and_take_a_body() {
        let op = spec().operation("generateDetailedReport").unwrap();
        assert_eq!(op.method, Method::Post);
        assert_eq!(op.server, ApiServer::Reports);
        assert_eq!(op.path, "/v1/workspaces/{workspaceId}/reports/detailed");
        let body = op.request_body.as_ref().unwrap();
        // The spec does not mark the report bodies required (the filter's dates are).
        assert!(!body.required);
        assert_eq!(body.content_type, "application/json");
        assert_eq!(
            body.schema,
            json!({ "$ref": "#/components/schemas/DetailedReportFilterV1" })
        );
        assert!(matches!(op.pagination, Pagination::ReportBody { .. }));
        assert!(op.addon_auth);
        let audit = spec().operation("getAuditLogs").unwrap();
        assert_eq!(audit.server, ApiServer::AuditLog);
        assert!(!audit.addon_auth);
    }

    #[test]
    fn in_progress_entries_allow_1000_per_page() {
        let op = spec().operation("getInProgressTimeEntries").unwrap();
        assert_eq!(op.pagination.largest_page_size(), Some(1000));
    }

    #[test]
    fn deprecation_and_addon_auth_are_read() {
        let deprecated: Vec<_> = spec().operations().iter().filter(|op| op.deprecated).collect();
        assert_eq!(deprecated.len(), 7);
        assert!(spec().operation("getTemplates").unwrap().deprecated);
        assert!(!spec().operation("getWorkspacesOfUser").unwrap().addon_auth);
        assert!(!spec().operation("createWorkspace").unwrap().addon_auth);
        let without: Vec<_> = spec()
            .operations()
            .iter()
            .filter(|op| !op.addon_auth)
            .map(|op| op.id.as_str())
            .collect();
        assert_eq!(without, ["getWorkspacesOfUser", "createWorkspace", "getAuditLogs"]);
    }

    #[test]
    fn multipart_and_file_operations() {
        let upload = spec().operation("uploadImage").unwrap();
        assert_eq!(
            upload.request_body.as_ref().unwrap().content_type,
            "multipart/form-data"
        );
        let download = spec().operation("downloadFile").unwrap();
        assert_eq!(download.response_content_type.as_deref(), Some("*/*"));
        assert!(spec().operation("deleteClient").unwrap().response_schema.is_some());
    }

    #[test]
    fn finds_operations_by_concrete_path() {
        let find = |method, path| spec().find(method, path).map(|op| op.id.as_str());
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/projects/def/tasks"),
            Some("getTasks")
        );
        assert_eq!(
            find(Method::Post, "/v1/workspaces/abc/projects/def/tasks/"),
            Some("createTask")
        );
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/projects?page=2"),
            Some("getProjects")
        );
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/time-entries/status/in-progress"),
            Some("getInProgressTimeEntries")
        );
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/time-entries/xyz"),
            Some("getTimeEntry")
        );
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/invoices/settings"),
            Some("getInvoiceSettings")
        );
        assert_eq!(
            find(Method::Get, "/v1/workspaces/abc/invoices/inv1"),
            Some("getInvoice")
        );
        assert_eq!(
            find(Method::Post, "/v1/workspaces/abc/reports/detailed"),
            Some("generateDetailedReport")
        );
        assert_eq!(find(Method::Get, "/v1/workspaces"), Some("getWorkspacesOfUser"));
        assert_eq!(find(Method::Get, "/v1/workspaces/abc/nothing-here"), None);
        assert_eq!(find(Method::Patch, "/v1/workspaces/abc/projects"), None);
        assert_eq!(find(Method::Get, "/v1/workspaces//projects"), None);
    }

    #[test]
    fn renders_paths_and_urls() {
        let op = spec().operation("getTasks").unwrap();
        let params = BTreeMap::from([
            ("workspaceId".to_owned(), "ws 1".to_owned()),
            ("projectId".to_owned(), "p/2".to_owned()),
        ]);
        assert_eq!(
            op.render_path_with(&params).unwrap(),
            "/v1/workspaces/ws%201/projects/p%2F2/tasks"
        );
        let only_workspace = |name: &str| (name == "workspaceId").then(|| "w".to_owned());
        let error = op.render_path(&only_workspace).unwrap_err();
        assert_eq!(error, super::super::PathError::Missing(vec!["projectId".into()]));
        assert_eq!(error.to_string(), "missing path parameter: projectId");

        let bases = super::super::ApiBases {
            backend_url: "https://euc1.clockify.me/api".into(),
            reports_url: "https://euc1.clockify.me/report/".into(),
            audit_log_url: None,
        };
        let ws = |_: &str| Some("w1".to_owned());
        assert_eq!(
            spec().operation("getProjects").unwrap().url(&bases, &ws).unwrap(),
            "https://euc1.clockify.me/api/v1/workspaces/w1/projects"
        );
        let report = spec().operation("generateDetailedReport").unwrap();
        assert_eq!(report.base(&bases), Some("https://euc1.clockify.me/report"));
        assert_eq!(
            report.url(&bases, &ws).unwrap(),
            "https://euc1.clockify.me/report/v1/workspaces/w1/reports/detailed"
        );
        let audit = spec().operation("getAuditLogs").unwrap();
        assert_eq!(audit.base(&bases), None);
        assert!(matches!(
            audit.url(&bases, &ws),
            Err(super::super::PathError::NoBase(ApiServer::AuditLog))
        ));
    }

    #[test]
    fn resolves_schemas_including_a_cycle() {
        let spec = spec();
        let body = &spec
            .operation("generateDetailedReport")
            .unwrap()
            .request_body
            .as_ref()
            .unwrap()
            .schema;
        let resolved = spec.resolve(body);
        assert_eq!(resolved["type"], "object");
        assert_eq!(
            resolved["properties"]["detailedFilter"]["properties"]["pageSize"]["type"],
            "integer"
        );
        // GroupOneDto lists GroupOneDto children: expanded once, then left as a reference.
        let group = spec.resolve(&json!({ "$ref": "#/components/schemas/GroupOneDto" }));
        assert_eq!(group["properties"]["amount"]["type"], "number");
        assert_eq!(
            group["properties"]["children"]["items"],
            json!({ "$ref": "#/components/schemas/GroupOneDto" })
        );
        assert!(spec.schema("GroupOneDto").is_some());
        assert!(spec.schema("Nope").is_none());
    }

    #[test]
    fn bad_documents_give_readable_errors() {
        let error = ApiSpec::parse("{ not json").unwrap_err();
        assert!(matches!(error, SpecError::Json(_)));
        assert!(error.to_string().contains("line 1"), "{error}");

        let error = ApiSpec::parse(r#"{"openapi":"2.0","paths":{}}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unsupported OpenAPI version `2.0` (this model reads 3.x)"
        );

        let error = ApiSpec::parse(r#"{"openapi":"3.0.1"}"#).unwrap_err();
        assert!(error.to_string().contains("missing field `paths`"), "{error}");

        let no_server = r#"{"openapi":"3.0.1","paths":{"/v1/x":{"get":{"operationId":"x","responses":{}}}}}"#;
        assert_eq!(
            ApiSpec::parse(no_server).unwrap_err().to_string(),
            "GET /v1/x: no server URL (none on the operation, path or document)"
        );

        let duplicate = r#"{"openapi":"3.0.1","servers":[{"url":"https://api.clockify.me/api"}],
            "paths":{"/a":{"get":{"operationId":"x"}},"/b":{"get":{"operationId":"x"}}}}"#;
        assert_eq!(
            ApiSpec::parse(duplicate).unwrap_err().to_string(),
            "GET /b: operationId `x` is used twice"
        );

        let bad_param = r#"{"openapi":"3.0.1","servers":[{"url":"https://api.clockify.me/api"}],
            "paths":{"/a":{"get":{"operationId":"x","parameters":[{"name":"p","in":"body"}]}}}}"#;
        assert_eq!(
            ApiSpec::parse(bad_param).unwrap_err().to_string(),
            "GET /a: parameter `p` is in unknown `body`"
        );

        let bad_template = r#"{"openapi":"3.0.1","paths":{"/a/{id":{}}}"#;
        assert!(ApiSpec::parse(bad_template)
            .unwrap_err()
            .to_string()
            .starts_with("/a/{id: unclosed"));
    }

    #[test]
    fn small_documents_keep_order_and_fill_in_undeclared_path_parameters() {
        let text = r#"{"openapi":"3.0.3","servers":[{"url":"https://api.clockify.me/api"}],
            "security":[{"AddonKeyAuth":[]}],
            "components":{"securitySchemes":{"AddonKeyAuth":{"type":"apiKey","in":"header","name":"X-Addon-Token"}}},
            "paths":{
              "/z/{id}":{"delete":{"operationId":"second","tags":["B"]},"get":{"operationId":"first","tags":["A"]}},
              "/a":{"get":{"operationId":"third"}}}}"#;
        let spec = ApiSpec::parse(text).unwrap();
        let ids: Vec<_> = spec.operations().iter().map(|op| op.id.as_str()).collect();
        assert_eq!(ids, ["second", "first", "third"]);
        assert_eq!(spec.tags(), ["B", "A", "default"]);
        let second = spec.operation("second").unwrap();
        assert!(second.addon_auth);
        assert!(second.parameter("id").unwrap().required);
        assert_eq!(spec.find(Method::Delete, "/z/9").unwrap().id, "second");
    }
}
