//! The rules of the "New source" form (server side; the browser's values are never trusted):
//! the form becomes a [`Scheme`], an `event_type_from` and a `dedupe_from`, or a [`FieldError`]
//! naming the field. Also a source's example request (a curl command with a valid signature)
//! and a readable description of its scheme.

use addon_core::sources::{
    example_headers, HmacAlgorithm, Scheme, SignatureEncoding, DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS,
};
use serde_json::{Map, Value};

use super::server::{FieldError, SourceForm, MAX_GRACE_HOURS};

/// Longest source name.
pub const MAX_NAME_CHARS: usize = 80;

/// Longest JSONPath, header name or fixed event type.
pub const MAX_LOCATION_CHARS: usize = 200;

/// A valid form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSource {
    pub name: String,
    pub scheme: Scheme,
    /// `jsonpath:<path>`, `header:<name>` or `fixed:<name>`.
    pub event_type_from: String,
    /// `header:<name>`, `jsonpath:<path>` or `body-hash`.
    pub dedupe_from: String,
}

fn invalid(field: &str, label: &str, problem: impl std::fmt::Display) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: format!("{label}: {problem}"),
    }
}

/// A header name: a non-empty HTTP token of at most 128 characters, lower-cased.
fn header_name(value: &str, field: &str, label: &str) -> Result<String, FieldError> {
    let name = value.trim();
    let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        return Err(invalid(field, label, "enter a header name, e.g. x-signature"));
    }
    if name.len() > 128 || !name.chars().all(is_tchar) {
        return Err(invalid(
            field,
            label,
            format!("{name:?} is not a valid HTTP header name (letters, digits and - only, no spaces)"),
        ));
    }
    Ok(name.to_ascii_lowercase())
}

/// A JSONPath into the body: `$` followed by at least one step, balanced brackets and quotes.
fn json_path(value: &str, field: &str, label: &str) -> Result<String, FieldError> {
    let path = value.trim();
    if path.is_empty() {
        return Err(invalid(field, label, "enter a JSONPath such as $.type"));
    }
    if path.chars().count() > MAX_LOCATION_CHARS || path.chars().any(char::is_control) {
        return Err(invalid(
            field,
            label,
            format!("a JSONPath is at most {MAX_LOCATION_CHARS} characters without control characters"),
        ));
    }
    if !(path.starts_with("$.") || path.starts_with("$[")) || path.len() < 3 {
        return Err(invalid(
            field,
            label,
            format!("{path:?} is not a JSONPath; it starts with $. or $[ (e.g. $.type or $.data.event)"),
        ));
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in path.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            (None, c) if c.is_whitespace() => {
                return Err(invalid(
                    field,
                    label,
                    format!("{path:?} contains a space outside quotes"),
                ))
            }
            _ => {}
        }
    }
    if depth != 0 || quote.is_some() || path.ends_with('.') {
        return Err(invalid(
            field,
            label,
            format!("{path:?} has unbalanced brackets or quotes, or ends with a dot"),
        ));
    }
    Ok(path.to_string())
}

fn plain_text(value: &str, field: &str, label: &str, max: usize) -> Result<String, FieldError> {
    let text = value.trim();
    if text.is_empty() {
        return Err(invalid(field, label, "may not be empty"));
    }
    if text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            label,
            format!("at most {max} characters without control characters"),
        ));
    }
    Ok(text.to_string())
}

/// The verification scheme the form describes.
fn scheme(form: &SourceForm) -> Result<Scheme, FieldError> {
    let scheme = match form.scheme.as_str() {
        "standard_webhooks" => {
            let tolerance = form.tolerance_seconds.trim();
            let tolerance_seconds = if tolerance.is_empty() {
                DEFAULT_TOLERANCE_SECONDS
            } else {
                match tolerance.parse::<u64>() {
                    Ok(seconds) if (1..=MAX_TOLERANCE_SECONDS).contains(&seconds) => seconds,
                    _ => {
                        return Err(invalid(
                            "tolerance_seconds",
                            "Timestamp tolerance",
                            format!("a whole number of seconds from 1 to {MAX_TOLERANCE_SECONDS}, got {tolerance:?}"),
                        ))
                    }
                }
            };
            Scheme::StandardWebhooks { tolerance_seconds }
        }
        "hmac" => {
            let header = header_name(&form.hmac_header, "hmac_header", "Signature header")?;
            let algorithm = match form.hmac_algorithm.as_str() {
                "sha256" => HmacAlgorithm::Sha256,
                "sha1" => HmacAlgorithm::Sha1,
                "sha512" => HmacAlgorithm::Sha512,
                other => {
                    return Err(invalid(
                        "hmac_algorithm",
                        "Algorithm",
                        format!("{other:?} is not one of SHA-256, SHA-1, SHA-512"),
                    ))
                }
            };
            let encoding = match form.hmac_encoding.as_str() {
                "hex" => SignatureEncoding::Hex,
                "base64" => SignatureEncoding::Base64,
                other => {
                    return Err(invalid(
                        "hmac_encoding",
                        "Encoding",
                        format!("{other:?} is not hex or base64"),
                    ))
                }
            };
            let prefix = form.hmac_prefix.trim();
            if prefix.chars().count() > 64 || prefix.chars().any(char::is_control) {
                return Err(invalid(
                    "hmac_prefix",
                    "Signature prefix",
                    "at most 64 characters without control characters",
                ));
            }
            Scheme::Hmac {
                header,
                algorithm,
                encoding,
                prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            }
        }
        "basic_auth" => {
            let username = form.basic_username.trim();
            if username.is_empty() || username.len() > 256 {
                return Err(invalid("basic_username", "Username", "1 to 256 characters"));
            }
            if username.contains(':') || username.chars().any(char::is_control) {
                return Err(invalid(
                    "basic_username",
                    "Username",
                    "may not contain ':' or control characters",
                ));
            }
            Scheme::BasicAuth {
                username: username.to_string(),
            }
        }
        "api_key" => Scheme::ApiKey {
            header: header_name(&form.api_key_header, "api_key_header", "API key header")?,
        },
        "none" => {
            if !form.confirm_unverified {
                return Err(invalid(
                    "confirm_unverified",
                    "Confirmation",
                    "without verification anyone with the URL can post events; tick the box to confirm",
                ));
            }
            Scheme::None
        }
        other => {
            return Err(invalid(
                "scheme",
                "Verification",
                format!("{other:?} is not a known scheme"),
            ))
        }
    };
    // The core's own rules, in case they are stricter than the checks above.
    scheme
        .validate()
        .map_err(|problem| invalid("scheme", "Verification", problem))?;
    Ok(scheme)
}

/// Checks the whole form; `existing_names` are the workspace's other sources (names are unique,
/// ignoring case).
pub fn parse_source_form(form: &SourceForm, existing_names: &[String]) -> Result<ParsedSource, FieldError> {
    let name = plain_text(&form.name, "name", "Name", MAX_NAME_CHARS)?;
    if existing_names
        .iter()
        .any(|existing| existing.trim().eq_ignore_ascii_case(&name))
    {
        return Err(invalid(
            "name",
            "Name",
            format!("a source called {name:?} exists already"),
        ));
    }
    let scheme = scheme(form)?;
    let event_type_from = match form.event_type_from.as_str() {
        "jsonpath" => format!(
            "jsonpath:{}",
            json_path(&form.event_type_value, "event_type_value", "Event type JSONPath")?
        ),
        "header" => format!(
            "header:{}",
            header_name(&form.event_type_value, "event_type_value", "Event type header")?
        ),
        "fixed" => format!(
            "fixed:{}",
            plain_text(
                &form.event_type_value,
                "event_type_value",
                "Event type name",
                MAX_LOCATION_CHARS
            )?
        ),
        other => {
            return Err(invalid(
                "event_type_from",
                "Event type",
                format!("{other:?} is not JSONPath, header or fixed"),
            ))
        }
    };
    let dedupe_from = match form.dedupe_from.as_str() {
        "default" => default_dedupe(&scheme).to_string(),
        "body-hash" => "body-hash".to_string(),
        "header" => format!(
            "header:{}",
            header_name(&form.dedupe_value, "dedupe_value", "Dedupe key header")?
        ),
        "jsonpath" => format!(
            "jsonpath:{}",
            json_path(&form.dedupe_value, "dedupe_value", "Dedupe key JSONPath")?
        ),
        other => {
            return Err(invalid(
                "dedupe_from",
                "Dedupe key",
                format!("{other:?} is not default, header, JSONPath or body hash"),
            ))
        }
    };
    Ok(ParsedSource {
        name,
        scheme,
        event_type_from,
        dedupe_from,
    })
}

/// The dedupe key when the admin keeps the default: Standard Webhooks' `webhook-id`, else a
/// hash of the body.
pub fn default_dedupe(scheme: &Scheme) -> &'static str {
    match scheme {
        Scheme::StandardWebhooks { .. } => "header:webhook-id",
        _ => "body-hash",
    }
}

/// The grace period of a rotation, whole hours from 0 to [`MAX_GRACE_HOURS`] (empty: 24).
pub fn parse_grace_hours(value: &str) -> Result<i64, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(24);
    }
    match value.parse::<i64>() {
        Ok(hours) if (0..=MAX_GRACE_HOURS).contains(&hours) => Ok(hours),
        _ => Err(invalid(
            "grace_hours",
            "Grace period",
            format!("whole hours from 0 to {MAX_GRACE_HOURS}, got {value:?}"),
        )),
    }
}

/// A readable description of a scheme.
pub fn describe_scheme(scheme: &Scheme) -> String {
    match scheme {
        Scheme::StandardWebhooks { tolerance_seconds } => {
            format!("Standard Webhooks (timestamps within {tolerance_seconds} s)")
        }
        Scheme::Hmac {
            header,
            algorithm,
            encoding,
            prefix,
        } => {
            let algorithm = match algorithm {
                HmacAlgorithm::Sha256 => "SHA-256",
                HmacAlgorithm::Sha1 => "SHA-1",
                HmacAlgorithm::Sha512 => "SHA-512",
            };
            let encoding = match encoding {
                SignatureEncoding::Hex => "hex",
                SignatureEncoding::Base64 => "base64",
            };
            match prefix {
                Some(prefix) => format!("HMAC-{algorithm} ({encoding}) in {header}, after {prefix:?}"),
                None => format!("HMAC-{algorithm} ({encoding}) in {header}"),
            }
        }
        Scheme::BasicAuth { username } => format!("Basic authentication as {username:?}"),
        Scheme::ApiKey { header } => format!("API key in {header}"),
        Scheme::None => "None: anyone with the URL can post".to_string(),
    }
}

/// An example request for a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleRequest {
    pub curl: String,
    /// How long it works.
    pub note: String,
    /// The JSON body it posts.
    pub body: String,
    /// Every header it sends (`content-type` first), for the server's own test delivery.
    pub headers: Vec<(String, String)>,
}

/// Quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Sets `value` at a simple JSONPath (`$.a.b`) in `object`; other paths are left out.
fn put_at_path(object: &mut Map<String, Value>, path: &str, value: Value) -> bool {
    let Some(steps) = path.strip_prefix("$.") else {
        return false;
    };
    let steps: Vec<&str> = steps.split('.').collect();
    let simple = |step: &&str| !step.is_empty() && step.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !steps.iter().all(simple) {
        return false;
    }
    let mut current = object;
    for (index, step) in steps.iter().enumerate() {
        if index + 1 == steps.len() {
            current.insert(step.to_string(), value);
            return true;
        }
        let next = current
            .entry(step.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        current = next.as_object_mut().expect("just made an object");
    }
    false
}

/// A curl command that posts a valid example event to `url`: the body carries the event type
/// (and a dedupe id) where the source reads them, and the headers are signed with `secret`.
pub fn example_request(
    scheme: &Scheme,
    secret: &str,
    url: &str,
    event_type_from: &str,
    dedupe_from: &str,
    now_unix_seconds: i64,
) -> Result<ExampleRequest, String> {
    let event_type = "example.created";
    let example_id = format!("evt_{now_unix_seconds}");
    let mut body = Map::new();
    let mut extra_headers: Vec<(String, String)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    match event_type_from.split_once(':') {
        Some(("jsonpath", path)) => {
            let placed = put_at_path(&mut body, path, Value::String(event_type.into()));
            notes.extend((!placed).then(|| format!("put the event type where {path} finds it")));
        }
        Some(("header", name)) => extra_headers.push((name.to_string(), event_type.to_string())),
        _ => {}
    }
    match dedupe_from.split_once(':') {
        Some(("jsonpath", path)) => {
            put_at_path(&mut body, path, Value::String(example_id.clone()));
        }
        Some(("header", name)) if !name.eq_ignore_ascii_case("webhook-id") => {
            extra_headers.push((name.to_string(), example_id.clone()))
        }
        _ => {}
    }
    body.entry("data".to_string())
        .or_insert_with(|| serde_json::json!({ "message": "Hello from curl" }));
    let body = Value::Object(body).to_string();
    let signed =
        example_headers(scheme, secret, body.as_bytes(), now_unix_seconds).map_err(|error| error.to_string())?;
    let mut curl = format!("curl -X POST {}", shell_quote(url));
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    headers.extend(extra_headers.into_iter().chain(signed));
    for (name, value) in &headers {
        curl.push_str(&format!(" \\\n  -H {}", shell_quote(&format!("{name}: {value}"))));
    }
    curl.push_str(&format!(" \\\n  --data {}", shell_quote(&body)));
    if let Scheme::StandardWebhooks { tolerance_seconds } = scheme {
        notes.insert(
            0,
            format!(
                "the signature covers its timestamp and works for {} minute(s); each run after that needs a new one",
                (tolerance_seconds / 60).max(1)
            ),
        );
    }
    if matches!(scheme, Scheme::Hmac { .. }) {
        notes.insert(0, "the signature covers the body exactly as written".to_string());
    }
    let note = if notes.is_empty() {
        String::new()
    } else {
        let mut note = notes.join("; ");
        note[..1].make_ascii_uppercase();
        note.push('.');
        note
    };
    Ok(ExampleRequest {
        curl,
        note,
        body,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use addon_core::sources::{generate_secret, verify, Secrets};

    use super::*;

    fn form() -> SourceForm {
        SourceForm {
            name: "Stripe".into(),
            ..SourceForm::default()
        }
    }

    #[test]
    fn defaults_make_a_standard_webhooks_source() {
        let parsed = parse_source_form(&form(), &[]).unwrap();
        assert_eq!(parsed.name, "Stripe");
        assert_eq!(parsed.scheme, Scheme::standard_webhooks());
        assert_eq!(parsed.event_type_from, "jsonpath:$.type");
        assert_eq!(parsed.dedupe_from, "header:webhook-id");
    }

    #[test]
    fn every_scheme_with_its_fields() {
        let hmac = SourceForm {
            scheme: "hmac".into(),
            hmac_header: " X-Hub-Signature-256 ".into(),
            hmac_algorithm: "sha512".into(),
            hmac_encoding: "base64".into(),
            hmac_prefix: "sha512=".into(),
            ..form()
        };
        let parsed = parse_source_form(&hmac, &[]).unwrap();
        assert_eq!(
            parsed.scheme,
            Scheme::Hmac {
                header: "x-hub-signature-256".into(),
                algorithm: HmacAlgorithm::Sha512,
                encoding: SignatureEncoding::Base64,
                prefix: Some("sha512=".into()),
            }
        );
        assert_eq!(parsed.dedupe_from, "body-hash", "the default without webhook-id");
        let basic = SourceForm {
            scheme: "basic_auth".into(),
            basic_username: "clockify".into(),
            ..form()
        };
        assert_eq!(
            parse_source_form(&basic, &[]).unwrap().scheme,
            Scheme::BasicAuth {
                username: "clockify".into()
            }
        );
        let key = SourceForm {
            scheme: "api_key".into(),
            api_key_header: "X-Api-Key".into(),
            ..form()
        };
        assert_eq!(
            parse_source_form(&key, &[]).unwrap().scheme,
            Scheme::ApiKey {
                header: "x-api-key".into()
            }
        );
        let tolerance = SourceForm {
            tolerance_seconds: "60".into(),
            ..form()
        };
        assert_eq!(
            parse_source_form(&tolerance, &[]).unwrap().scheme,
            Scheme::StandardWebhooks { tolerance_seconds: 60 }
        );
    }

    #[test]
    fn none_needs_the_confirmation() {
        let none = SourceForm {
            scheme: "none".into(),
            ..form()
        };
        let error = parse_source_form(&none, &[]).unwrap_err();
        assert_eq!(error.field, "confirm_unverified");
        assert!(error.message.contains("anyone with the URL"), "{}", error.message);
        let confirmed = SourceForm {
            confirm_unverified: true,
            ..none
        };
        assert_eq!(parse_source_form(&confirmed, &[]).unwrap().scheme, Scheme::None);
    }

    #[test]
    fn locations_of_event_type_and_dedupe_key() {
        let header = SourceForm {
            event_type_from: "header".into(),
            event_type_value: "X-Event-Type".into(),
            dedupe_from: "jsonpath".into(),
            dedupe_value: "$.data['id']".into(),
            ..form()
        };
        let parsed = parse_source_form(&header, &[]).unwrap();
        assert_eq!(parsed.event_type_from, "header:x-event-type");
        assert_eq!(parsed.dedupe_from, "jsonpath:$.data['id']");
        let fixed = SourceForm {
            event_type_from: "fixed".into(),
            event_type_value: " order.paid ".into(),
            dedupe_from: "header".into(),
            dedupe_value: "Idempotency-Key".into(),
            ..form()
        };
        let parsed = parse_source_form(&fixed, &[]).unwrap();
        assert_eq!(parsed.event_type_from, "fixed:order.paid");
        assert_eq!(parsed.dedupe_from, "header:idempotency-key");
        let hash = SourceForm {
            dedupe_from: "body-hash".into(),
            ..form()
        };
        assert_eq!(parse_source_form(&hash, &[]).unwrap().dedupe_from, "body-hash");
    }

    #[test]
    fn errors_name_the_field() {
        let cases: Vec<(SourceForm, &str, &str)> = vec![
            (
                SourceForm {
                    name: "  ".into(),
                    ..form()
                },
                "name",
                "Name",
            ),
            (
                SourceForm {
                    name: "x".repeat(81),
                    ..form()
                },
                "name",
                "Name",
            ),
            (
                SourceForm {
                    name: " BILLING ".into(),
                    ..form()
                },
                "name",
                "exists already",
            ),
            (
                SourceForm {
                    scheme: "stripe".into(),
                    ..form()
                },
                "scheme",
                "Verification",
            ),
            (
                SourceForm {
                    tolerance_seconds: "0".into(),
                    ..form()
                },
                "tolerance_seconds",
                "Timestamp tolerance",
            ),
            (
                SourceForm {
                    tolerance_seconds: "abc".into(),
                    ..form()
                },
                "tolerance_seconds",
                "Timestamp tolerance",
            ),
            (
                SourceForm {
                    scheme: "hmac".into(),
                    hmac_header: "x sig".into(),
                    ..form()
                },
                "hmac_header",
                "Signature header",
            ),
            (
                SourceForm {
                    scheme: "hmac".into(),
                    hmac_algorithm: "md5".into(),
                    ..form()
                },
                "hmac_algorithm",
                "Algorithm",
            ),
            (
                SourceForm {
                    scheme: "hmac".into(),
                    hmac_encoding: "base32".into(),
                    ..form()
                },
                "hmac_encoding",
                "Encoding",
            ),
            (
                SourceForm {
                    scheme: "basic_auth".into(),
                    basic_username: "a:b".into(),
                    ..form()
                },
                "basic_username",
                "Username",
            ),
            (
                SourceForm {
                    scheme: "api_key".into(),
                    api_key_header: "".into(),
                    ..form()
                },
                "api_key_header",
                "API key header",
            ),
            (
                SourceForm {
                    event_type_value: "type".into(),
                    ..form()
                },
                "event_type_value",
                "Event type JSONPath",
            ),
            (
                SourceForm {
                    event_type_value: "$.data[0".into(),
                    ..form()
                },
                "event_type_value",
                "Event type JSONPath",
            ),
            (
                SourceForm {
                    event_type_from: "header".into(),
                    event_type_value: "x y".into(),
                    ..form()
                },
                "event_type_value",
                "Event type header",
            ),
            (
                SourceForm {
                    event_type_from: "fixed".into(),
                    event_type_value: "".into(),
                    ..form()
                },
                "event_type_value",
                "Event type name",
            ),
            (
                SourceForm {
                    dedupe_from: "jsonpath".into(),
                    dedupe_value: "$.".into(),
                    ..form()
                },
                "dedupe_value",
                "Dedupe key JSONPath",
            ),
            (
                SourceForm {
                    dedupe_from: "cookie".into(),
                    ..form()
                },
                "dedupe_from",
                "Dedupe key",
            ),
        ];
        for (form, field, text) in cases {
            let error = parse_source_form(&form, &["Billing".to_string()]).unwrap_err();
            assert_eq!(error.field, field, "{form:?}: {}", error.message);
            assert!(error.message.contains(text), "{form:?}: {}", error.message);
        }
    }

    #[test]
    fn grace_hours() {
        assert_eq!(parse_grace_hours(""), Ok(24));
        assert_eq!(parse_grace_hours(" 0 "), Ok(0));
        assert_eq!(parse_grace_hours("720"), Ok(720));
        for bad in ["-1", "721", "1.5", "day"] {
            assert_eq!(parse_grace_hours(bad).unwrap_err().field, "grace_hours", "{bad}");
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            describe_scheme(&Scheme::standard_webhooks()),
            "Standard Webhooks (timestamps within 300 s)"
        );
        assert_eq!(
            describe_scheme(&Scheme::Hmac {
                header: "x-sig".into(),
                algorithm: HmacAlgorithm::Sha256,
                encoding: SignatureEncoding::Hex,
                prefix: Some("sha256=".into())
            }),
            "HMAC-SHA-256 (hex) in x-sig, after \"sha256=\""
        );
        assert_eq!(describe_scheme(&Scheme::None), "None: anyone with the URL can post");
    }

    /// Splits the example curl command back into headers and body.
    fn parse_curl(curl: &str) -> (Vec<(String, String)>, String) {
        let mut headers = Vec::new();
        let mut body = String::new();
        for line in curl.lines().map(str::trim) {
            if let Some(header) = line.strip_prefix("-H '") {
                let header = header.trim_end_matches(" \\").trim_end_matches('\'');
                let (name, value) = header.split_once(": ").unwrap();
                headers.push((name.to_string(), value.to_string()));
            } else if let Some(data) = line.strip_prefix("--data '") {
                body = data.trim_end_matches('\'').replace(r"'\''", "'");
            }
        }
        (headers, body)
    }

    #[test]
    fn the_example_request_verifies() {
        let now = 1_764_373_507;
        let schemes = [
            Scheme::standard_webhooks(),
            Scheme::Hmac {
                header: "x-sig".into(),
                algorithm: HmacAlgorithm::Sha256,
                encoding: SignatureEncoding::Hex,
                prefix: Some("sha256=".into()),
            },
            Scheme::BasicAuth { username: "u".into() },
            Scheme::ApiKey {
                header: "x-api-key".into(),
            },
            Scheme::None,
        ];
        for scheme in schemes {
            let secret = generate_secret(&scheme);
            let example = example_request(
                &scheme,
                &secret,
                "http://127.0.0.1:3000/ingest/abc",
                "jsonpath:$.event.type",
                "jsonpath:$.id",
                now,
            )
            .unwrap();
            assert!(example
                .curl
                .starts_with("curl -X POST 'http://127.0.0.1:3000/ingest/abc'"));
            let (headers, body) = parse_curl(&example.curl);
            let json: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(json["event"]["type"], "example.created", "{body}");
            assert_eq!(json["id"], format!("evt_{now}"));
            verify(&scheme, Secrets::current(&secret), &headers, body.as_bytes(), now)
                .unwrap_or_else(|error| panic!("{scheme:?}: {error:?}\n{}", example.curl));
            // What the server sends itself is what the curl sends.
            assert_eq!(example.body, body);
            assert_eq!(
                example.headers[0],
                ("content-type".to_string(), "application/json".to_string())
            );
            verify(
                &scheme,
                Secrets::current(&secret),
                &example.headers,
                example.body.as_bytes(),
                now,
            )
            .unwrap_or_else(|error| panic!("{scheme:?}: {error:?}"));
        }
        let header = example_request(
            &Scheme::standard_webhooks(),
            &generate_secret(&Scheme::standard_webhooks()),
            "u",
            "header:x-event",
            "header:webhook-id",
            now,
        )
        .unwrap();
        let (headers, _) = parse_curl(&header.curl);
        assert!(headers.contains(&("x-event".to_string(), "example.created".to_string())));
        assert_eq!(headers.iter().filter(|(name, _)| name == "webhook-id").count(), 1);
        assert!(
            header.note.starts_with("The signature covers its timestamp"),
            "{}",
            header.note
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
