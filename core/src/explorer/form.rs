//! From the explorer's form to a request: the user's values (path, query and header
//! parameters as typed, a JSON body as text) are checked against the operation and become a
//! [`PreparedRequest`], or a list of [`Problem`]s that each name the field. The browser runs
//! this as the user types; the server runs it again before sending anything.

use std::{collections::BTreeMap, fmt::Write as _};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::openapi::{
    schema::deref, ApiServer, ApiSpec, Method, Operation, ParamLocation, ParamType, Parameter, PathError,
};

/// The form's values by parameter name, as typed. An empty (or blank) value is "not given".
pub type FormValues = BTreeMap<String, String>;

/// The field name problems with the JSON body are reported under (`body`, `body.name`, ...).
pub const BODY_FIELD: &str = "body";

/// How deep the body check follows nested objects and arrays.
const BODY_CHECK_DEPTH: usize = 6;

/// Array items checked per array (a long array is checked by its first items).
const BODY_CHECK_ITEMS: usize = 100;

/// Something wrong with one field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A parameter name, `body`, or a place in the body such as `body.name`.
    pub field: String,
    pub reason: String,
}

impl Problem {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A checked request, ready for the Clockify client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreparedRequest {
    pub operation_id: String,
    pub method: Method,
    pub server: ApiServer,
    /// The path with its parameters filled in and percent-encoded.
    pub path: String,
    /// Query parameters in spec order; an array parameter repeats.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl PreparedRequest {
    /// The path and the percent-encoded query string, e.g. `/v1/workspaces/w/tags?page=2`.
    pub fn path_and_query(&self) -> String {
        let mut text = self.path.clone();
        for (index, (name, value)) in self.query.iter().enumerate() {
            text.push(if index == 0 { '?' } else { '&' });
            text.push_str(&encode_query_component(name));
            text.push('=');
            text.push_str(&encode_query_component(value));
        }
        text
    }
}

/// Percent-encodes a query name or value: RFC 3986 unreserved characters stay, every other
/// UTF-8 byte becomes `%XX`.
pub fn encode_query_component(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// The values the form starts with: `workspaceId` (and a path `userId`) from the session, and
/// the default of every required parameter that has one (`include-roles=false`).
pub fn prefill(operation: &Operation, workspace_id: &str, user_id: &str) -> FormValues {
    let mut values = FormValues::new();
    for parameter in &operation.parameters {
        match (parameter.name.as_str(), parameter.location, &parameter.default) {
            ("workspaceId", _, _) => {
                values.insert(parameter.name.clone(), workspace_id.to_string());
            }
            ("userId", ParamLocation::Path, _) => {
                values.insert(parameter.name.clone(), user_id.to_string());
            }
            (_, _, Some(default)) if parameter.required => {
                let text = default.as_str().map_or_else(|| default.to_string(), str::to_string);
                values.insert(parameter.name.clone(), text);
            }
            _ => {}
        }
    }
    values
}

/// A parameter's default or example as placeholder text.
pub fn placeholder(parameter: &Parameter) -> String {
    let shown = |value: &Value| match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map_or_else(|| item.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    match (&parameter.default, &parameter.example) {
        (Some(default), _) => format!("default {}", shown(default)),
        (None, Some(example)) => format!("e.g. {}", shown(example)),
        (None, None) => String::new(),
    }
}

/// A short name of a parameter's type for the form: `integer`, `one of …`, `list of string`.
pub fn type_label(schema: &ParamType) -> String {
    match schema {
        ParamType::String => "string".into(),
        ParamType::Integer => "integer".into(),
        ParamType::Number => "number".into(),
        ParamType::Boolean => "boolean".into(),
        ParamType::Array(item) => format!("comma-separated {}s", type_label(item)),
        ParamType::Enum(_) => "one of a list".into(),
        ParamType::Other => "value".into(),
    }
}

/// Checks one parameter value; returns the values to send (several for an array).
pub fn check_param(parameter: &Parameter, text: &str) -> Result<Vec<String>, String> {
    match &parameter.schema {
        ParamType::Array(item) => {
            let mut values = Vec::new();
            for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
                let value = check_scalar(parameter, item, part).map_err(|reason| format!("item `{part}`: {reason}"))?;
                values.push(value);
            }
            if values.is_empty() {
                return Err("give at least one value (comma-separated)".into());
            }
            Ok(values)
        }
        scalar => check_scalar(parameter, scalar, text).map(|value| vec![value]),
    }
}

fn check_scalar(parameter: &Parameter, schema: &ParamType, text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    match schema {
        ParamType::Integer => {
            let value: i64 = trimmed.parse().map_err(|_| "must be a whole number".to_string())?;
            check_range(parameter, value as f64)?;
            Ok(value.to_string())
        }
        ParamType::Number => {
            let value: f64 = trimmed
                .parse()
                .ok()
                .filter(|value: &f64| value.is_finite())
                .ok_or_else(|| "must be a number".to_string())?;
            check_range(parameter, value)?;
            Ok(trimmed.to_string())
        }
        ParamType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err("must be true or false".into()),
        },
        ParamType::Enum(allowed) => allowed
            .iter()
            .find(|value| value.eq_ignore_ascii_case(trimmed))
            .cloned()
            .ok_or_else(|| format!("must be one of {}", allowed.join(", "))),
        ParamType::String | ParamType::Other | ParamType::Array(_) => Ok(text.to_string()),
    }
}

fn check_range(parameter: &Parameter, value: f64) -> Result<(), String> {
    if let Some(minimum) = parameter.minimum.filter(|minimum| value < *minimum) {
        return Err(format!("must be at least {minimum}"));
    }
    if let Some(maximum) = parameter.maximum.filter(|maximum| value > *maximum) {
        return Err(format!("must be at most {maximum}"));
    }
    Ok(())
}

/// Checks the form against `operation` and builds the request, or names every problem.
pub fn prepare(
    spec: &ApiSpec,
    operation: &Operation,
    values: &FormValues,
    body: &str,
) -> Result<PreparedRequest, Vec<Problem>> {
    let mut problems = Vec::new();
    for name in values.keys() {
        if operation.parameter(name).is_none() {
            problems.push(Problem::new(name, format!("is not a parameter of {}", operation.id)));
        }
    }
    let mut path_values = BTreeMap::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for parameter in &operation.parameters {
        let given = values.get(&parameter.name).filter(|text| !text.trim().is_empty());
        let Some(text) = given else {
            if parameter.required {
                problems.push(Problem::new(&parameter.name, "is required"));
            }
            continue;
        };
        match check_param(parameter, text) {
            Err(reason) => problems.push(Problem::new(&parameter.name, reason)),
            Ok(checked) => match parameter.location {
                ParamLocation::Path => {
                    path_values.insert(parameter.name.clone(), checked.join(","));
                }
                ParamLocation::Query => {
                    query.extend(checked.into_iter().map(|value| (parameter.name.clone(), value)));
                }
                ParamLocation::Header => headers.push((parameter.name.clone(), checked.join(","))),
                ParamLocation::Cookie => problems.push(Problem::new(
                    &parameter.name,
                    "cookie parameters cannot be sent from the explorer",
                )),
            },
        }
    }
    let path = match operation.render_path_with(&path_values) {
        Ok(path) => Some(path),
        Err(PathError::DotSegment { name, value }) => {
            problems.push(Problem::new(name, format!("may not be `{value}`")));
            None
        }
        // Missing ones were reported above as required.
        Err(_) => None,
    };
    let body = match check_body(spec, operation, body) {
        Ok(body) => body,
        Err(found) => {
            problems.extend(found);
            None
        }
    };
    match path {
        Some(path) if problems.is_empty() => Ok(PreparedRequest {
            operation_id: operation.id.clone(),
            method: operation.method,
            server: operation.server,
            path,
            query,
            headers,
            body,
        }),
        _ => Err(problems),
    }
}

/// Checks the JSON body text (as the user types): parses it, then checks it against the
/// operation's schema (types, required properties, enums). `Ok(None)` for no body.
pub fn check_body(spec: &ApiSpec, operation: &Operation, text: &str) -> Result<Option<Value>, Vec<Problem>> {
    let blank = text.trim().is_empty();
    let Some(request_body) = &operation.request_body else {
        return if blank {
            Ok(None)
        } else {
            Err(vec![Problem::new(BODY_FIELD, "this operation takes no body")])
        };
    };
    if blank {
        return if request_body.required {
            Err(vec![Problem::new(BODY_FIELD, "is required")])
        } else {
            Ok(None)
        };
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|error| vec![Problem::new(BODY_FIELD, format!("is not valid JSON: {error}"))])?;
    let mut problems = Vec::new();
    check_value(
        &value,
        &request_body.schema,
        spec.schemas(),
        BODY_FIELD,
        0,
        &mut problems,
    );
    if problems.is_empty() {
        Ok(Some(value))
    } else {
        Err(problems)
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "integer" => value.as_f64().is_some_and(|number| number.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn check_value(
    value: &Value,
    schema: &Value,
    schemas: &Map<String, Value>,
    at: &str,
    depth: usize,
    problems: &mut Vec<Problem>,
) {
    let schema = deref(schema, schemas);
    // Clockify takes `null` for "not set" almost everywhere; the spec rarely says so.
    if value.is_null() || depth > BODY_CHECK_DEPTH {
        return;
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for member in members {
            check_value(value, member, schemas, at, depth + 1, problems);
        }
    }
    let expected = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"));
    if let Some(expected) = expected {
        if !has_type(value, expected) {
            problems.push(Problem::new(
                at,
                format!("must be {} {expected}, not {}", article(expected), type_of(value)),
            ));
            return;
        }
    }
    if let (Some(allowed), Some(text)) = (schema.get("enum").and_then(Value::as_array), value.as_str()) {
        if !allowed.iter().any(|option| option.as_str() == Some(text)) {
            let names: Vec<String> = allowed
                .iter()
                .map(|option| option.as_str().map_or_else(|| option.to_string(), str::to_string))
                .collect();
            problems.push(Problem::new(at, format!("must be one of {}", names.join(", "))));
        }
    }
    match value {
        Value::Object(object) => {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        problems.push(Problem::new(format!("{at}.{name}"), "is required"));
                    }
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, child) in object {
                    if let Some(property) = properties.get(name) {
                        check_value(child, property, schemas, &format!("{at}.{name}"), depth + 1, problems);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate().take(BODY_CHECK_ITEMS) {
                    check_value(
                        item,
                        item_schema,
                        schemas,
                        &format!("{at}[{index}]"),
                        depth + 1,
                        problems,
                    );
                }
            }
        }
        _ => {}
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A starting body for the editor: every property of the body schema (two levels deep) with
/// its example, default or a value of its type.
pub fn example_body(spec: &ApiSpec, operation: &Operation) -> Option<String> {
    let body = operation.request_body.as_ref()?;
    let value = example_value(&body.schema, spec.schemas(), 0);
    serde_json::to_string_pretty(&value).ok()
}

fn example_value(schema: &Value, schemas: &Map<String, Value>, depth: usize) -> Value {
    let schema = deref(schema, schemas);
    if let Some(example) = schema.get("example").or_else(|| schema.get("default")) {
        return example.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"));
    match kind {
        Some("object") if depth < 2 => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), example_value(property, schemas, depth + 1));
                }
            }
            Value::Object(object)
        }
        Some("object") => Value::Object(Map::new()),
        Some("array") if depth < 2 => match schema.get("items") {
            Some(items) => Value::Array(vec![example_value(items, schemas, depth + 1)]),
            None => Value::Array(Vec::new()),
        },
        Some("array") => Value::Array(Vec::new()),
        Some("integer" | "number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("string") => Value::String(String::new()),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec() -> &'static ApiSpec {
        ApiSpec::clockify()
    }

    fn operation(id: &str) -> &'static Operation {
        spec().operation(id).unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> FormValues {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn fields(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    #[test]
    fn builds_a_get_with_query_parameters() {
        let tags = operation("getTags");
        let request = prepare(
            spec(),
            tags,
            &values(&[
                ("workspaceId", "w1"),
                ("name", "a b&c"),
                ("archived", "TRUE"),
                ("sort-order", "descending"),
                ("page-size", " 20 "),
                ("page", ""),
            ]),
            "",
        )
        .unwrap();
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.path, "/v1/workspaces/w1/tags");
        assert_eq!(
            request.path_and_query(),
            "/v1/workspaces/w1/tags?name=a%20b%26c&sort-order=DESCENDING&page-size=20&archived=true"
        );
        assert_eq!(request.body, None);
    }

    #[test]
    fn names_each_invalid_field() {
        let tags = operation("getTags");
        let problems = prepare(
            spec(),
            tags,
            &values(&[
                ("page", "two"),
                ("archived", "maybe"),
                ("sort-column", "COLOR"),
                ("nope", "1"),
            ]),
            "",
        )
        .unwrap_err();
        let mut found = fields(&problems);
        found.sort();
        assert_eq!(found, ["archived", "nope", "page", "sort-column", "workspaceId"]);
        let reason = |field: &str| {
            problems
                .iter()
                .find(|problem| problem.field == field)
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(reason("workspaceId"), "is required");
        assert_eq!(reason("page"), "must be a whole number");
        assert_eq!(reason("archived"), "must be true or false");
        assert_eq!(reason("sort-column"), "must be one of ID, NAME");
    }

    #[test]
    fn arrays_are_comma_lists_sent_as_repeated_parameters() {
        let operation = spec()
            .operations()
            .iter()
            .find(|operation| {
                operation
                    .parameters_in(ParamLocation::Query)
                    .any(|parameter| matches!(parameter.schema, ParamType::Array(_)))
            })
            .unwrap();
        let parameter = operation
            .parameters_in(ParamLocation::Query)
            .find(|parameter| matches!(parameter.schema, ParamType::Array(_)))
            .unwrap();
        assert_eq!(check_param(parameter, "a, b,,c").unwrap(), ["a", "b", "c"]);
        assert!(check_param(parameter, " , ").is_err());
        let integers = Parameter {
            schema: ParamType::Array(Box::new(ParamType::Integer)),
            ..parameter.clone()
        };
        assert_eq!(
            check_param(&integers, "1,x").unwrap_err(),
            "item `x`: must be a whole number"
        );
    }

    #[test]
    fn ranges_are_checked() {
        let parameter = Parameter {
            name: "page-size".into(),
            location: ParamLocation::Query,
            required: false,
            description: None,
            schema: ParamType::Integer,
            default: None,
            example: None,
            minimum: Some(1.0),
            maximum: Some(200.0),
        };
        assert_eq!(check_param(&parameter, "0").unwrap_err(), "must be at least 1");
        assert_eq!(check_param(&parameter, "201").unwrap_err(), "must be at most 200");
        assert_eq!(check_param(&parameter, "200").unwrap(), ["200"]);
    }

    #[test]
    fn bodies_are_parsed_and_checked_against_the_schema() {
        let create = operation("createNewTag");
        let request = prepare(
            spec(),
            create,
            &values(&[("workspaceId", "w1")]),
            r#"{"name": "Sprint 9"}"#,
        )
        .unwrap();
        assert_eq!(request.body, Some(json!({ "name": "Sprint 9" })));
        let problems = check_body(spec(), create, r#"{"name": 5}"#).unwrap_err();
        assert_eq!(problems, [Problem::new("body.name", "must be a string, not integer")]);
        let problems = check_body(spec(), create, "[1]").unwrap_err();
        assert_eq!(problems, [Problem::new("body", "must be an object, not array")]);
        let problems = check_body(spec(), create, "{\"name\": ").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].reason.starts_with("is not valid JSON: EOF while parsing"),
            "{problems:?}"
        );
        assert_eq!(
            check_body(spec(), operation("getTags"), "{}").unwrap_err(),
            [Problem::new("body", "this operation takes no body")]
        );
    }

    #[test]
    fn required_body_properties_are_named() {
        // Any operation whose body schema lists required properties.
        let (operation, required) = spec()
            .operations()
            .iter()
            .find_map(|operation| {
                let body = operation.request_body.as_ref()?;
                if body.content_type != "application/json" {
                    return None;
                }
                let schema = deref(&body.schema, spec().schemas());
                let required = schema.get("required")?.as_array()?.first()?.as_str()?;
                Some((operation, required.to_string()))
            })
            .unwrap();
        let problems = check_body(spec(), operation, "{}").unwrap_err();
        assert!(
            problems.contains(&Problem::new(format!("body.{required}"), "is required")),
            "{}: {problems:?}",
            operation.id
        );
    }

    #[test]
    fn prefills_workspace_and_user_from_the_session() {
        let filled = prefill(operation("getTags"), "w1", "u1");
        assert_eq!(filled, values(&[("workspaceId", "w1")]));
        let with_user = spec()
            .operations()
            .iter()
            .find(|operation| operation.path.contains("{userId}"))
            .unwrap();
        assert_eq!(
            prefill(with_user, "w1", "u1").get("userId").map(String::as_str),
            Some("u1")
        );
        let users = prefill(operation("getUsersOfWorkspace"), "w1", "u1");
        assert_eq!(users.get("include-roles").map(String::as_str), Some("false"));
        assert!(!users.contains_key("page-size"), "optional defaults stay placeholders");
    }

    #[test]
    fn dot_segments_are_refused() {
        let problems = prepare(spec(), operation("getTags"), &values(&[("workspaceId", "..")]), "").unwrap_err();
        assert_eq!(problems, [Problem::new("workspaceId", "may not be `..`")]);
    }

    #[test]
    fn placeholders_and_examples() {
        let tags = operation("getTags");
        assert_eq!(placeholder(tags.parameter("page-size").unwrap()), "default 50");
        assert_eq!(placeholder(tags.parameter("name").unwrap()), "e.g. feature_X");
        let example: Value = serde_json::from_str(&example_body(spec(), operation("createNewTag")).unwrap()).unwrap();
        assert_eq!(example, json!({ "name": "Sprint1" }));
        assert_eq!(example_body(spec(), tags), None);
        assert_eq!(
            type_label(&ParamType::Array(Box::new(ParamType::String))),
            "comma-separated strings"
        );
    }
}
