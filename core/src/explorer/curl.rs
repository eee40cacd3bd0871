//! "Copy as curl": a request as a shell command. The add-on's token never leaves the server,
//! so the command carries [`TOKEN_PLACEHOLDER`] where the token goes.

use super::PreparedRequest;

/// What the command has in place of the installation token.
pub const TOKEN_PLACEHOLDER: &str = "<YOUR_ADDON_TOKEN>";

/// The curl command for `method` on `url` (with its query), with an optional JSON body.
pub fn curl_command(method: &str, url: &str, body: Option<&str>) -> String {
    let mut command = String::from("curl");
    if !method.eq_ignore_ascii_case("GET") {
        command.push_str(" -X ");
        command.push_str(&method.to_ascii_uppercase());
    }
    command.push(' ');
    command.push_str(&shell_quote(url));
    command.push_str(" \\\n  -H ");
    command.push_str(&shell_quote(&format!("X-Addon-Token: {TOKEN_PLACEHOLDER}")));
    if let Some(body) = body.filter(|body| !body.trim().is_empty()) {
        command.push_str(" \\\n  -H ");
        command.push_str(&shell_quote("Content-Type: application/json"));
        command.push_str(" \\\n  --data-raw ");
        command.push_str(&shell_quote(body));
    }
    command
}

impl PreparedRequest {
    /// This request as a curl command against `base_url` (the server's base, no trailing `/`).
    pub fn to_curl(&self, base_url: &str) -> String {
        let url = format!("{}{}", base_url.trim_end_matches('/'), self.path_and_query());
        let body = self.body.as_ref().map(|body| body.to_string());
        let mut command = curl_command(self.method.as_str(), &url, body.as_deref());
        for (name, value) in &self.headers {
            command.push_str(" \\\n  -H ");
            command.push_str(&shell_quote(&format!("{name}: {value}")));
        }
        command
    }
}

/// Single-quotes `text` for POSIX shells: `'` becomes `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::openapi::{ApiServer, Method};

    #[test]
    fn a_get_has_the_placeholder_and_no_token() {
        let request = PreparedRequest {
            operation_id: "getTags".into(),
            method: Method::Get,
            server: ApiServer::Api,
            path: "/v1/workspaces/w1/tags".into(),
            query: vec![("name".into(), "it's".into())],
            headers: Vec::new(),
            body: None,
        };
        assert_eq!(
            request.to_curl("https://api.clockify.me/api/"),
            "curl 'https://api.clockify.me/api/v1/workspaces/w1/tags?name=it%27s' \\\n  -H 'X-Addon-Token: <YOUR_ADDON_TOKEN>'"
        );
    }

    #[test]
    fn a_post_carries_its_body_quoted() {
        let request = PreparedRequest {
            operation_id: "createNewTag".into(),
            method: Method::Post,
            server: ApiServer::Api,
            path: "/v1/workspaces/w1/tags".into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(json!({ "name": "Bob's tag" })),
        };
        let command = request.to_curl("http://127.0.0.1:4000/api");
        assert!(command.starts_with("curl -X POST 'http://127.0.0.1:4000/api/v1/workspaces/w1/tags'"));
        assert!(command.contains("-H 'Content-Type: application/json'"));
        assert!(
            command.ends_with(r#"--data-raw '{"name":"Bob'\''s tag"}'"#),
            "{command}"
        );
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_quote("'"), r"''\'''");
    }
}
