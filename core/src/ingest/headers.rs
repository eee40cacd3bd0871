//! The headers kept with an event, as a JSON object, with every secret redacted.

use serde_json::{Map, Value};

/// Shown instead of a secret.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are always secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-addon-token",
    "x-addon-lifecycle-token",
    "clockify-signature",
    "x-api-key",
    "webhook-signature",
];

/// `headers` (lower-case names) as a JSON object text; values of secret headers and of
/// `extra_secret_headers` (a source's API-key or signature header) are redacted.
pub fn redacted_json(headers: &[(String, String)], extra_secret_headers: &[&str]) -> String {
    let mut object = Map::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let secret = SECRET_HEADERS.contains(&name.as_str())
            || extra_secret_headers
                .iter()
                .any(|extra| extra.eq_ignore_ascii_case(&name));
        let value = if secret { REDACTED.to_string() } else { value.clone() };
        object.insert(name, Value::String(value));
    }
    Value::Object(object).to_string()
}

/// The value of header `name` (any case).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let headers = vec![
            ("Clockify-Signature".to_string(), "eyJ.secret".to_string()),
            ("X-My-Key".to_string(), "k".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ];
        let json: Value = serde_json::from_str(&redacted_json(&headers, &["x-my-key"])).unwrap();
        assert_eq!(json["clockify-signature"], REDACTED);
        assert_eq!(json["x-my-key"], REDACTED);
        assert_eq!(json["content-type"], "application/json");
        assert_eq!(header(&headers, "clockify-signature"), Some("eyJ.secret"));
    }
}
