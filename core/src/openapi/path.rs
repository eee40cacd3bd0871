//! Path templates such as `/v1/workspaces/{workspaceId}/projects`: rendering them with
//! percent-encoded values, and matching concrete paths against them.

use std::fmt::Write as _;

/// Why a path could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Required path parameters without a (non-empty) value, in template order.
    #[error("missing path parameter{}: {}", if .0.len() == 1 { "" } else { "s" }, .0.join(", "))]
    Missing(Vec<String>),
    /// A value of `.` or `..`, which URL normalisation would turn into a different path even
    /// when percent-encoded.
    #[error("path parameter `{name}` may not be `{value}`")]
    DotSegment { name: String, value: String },
    /// The add-on does not know the base URL of the operation's server.
    #[error("no base URL is known for the {0} server")]
    NoBase(super::ApiServer),
}

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    Param(String),
}

/// A parsed path template: segments, each a run of literal text and `{name}` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PathTemplate {
    segments: Vec<Vec<Piece>>,
}

impl PathTemplate {
    /// Parses a template; an unbalanced or empty brace is an error (the message says where).
    pub(crate) fn parse(template: &str) -> Result<PathTemplate, String> {
        if !template.starts_with('/') {
            return Err("a path template must start with `/`".into());
        }
        let mut segments = Vec::new();
        for raw in template[1..].split('/') {
            let mut pieces = Vec::new();
            let mut rest = raw;
            while !rest.is_empty() {
                match rest.find(['{', '}']) {
                    None => {
                        pieces.push(Piece::Literal(rest.to_owned()));
                        rest = "";
                    }
                    Some(open) if rest[open..].starts_with('{') => {
                        if open > 0 {
                            pieces.push(Piece::Literal(rest[..open].to_owned()));
                        }
                        let close = rest[open..]
                            .find('}')
                            .map(|offset| open + offset)
                            .ok_or_else(|| format!("unclosed `{{` in segment `{raw}`"))?;
                        let name = &rest[open + 1..close];
                        if name.is_empty() || name.contains('{') {
                            return Err(format!("bad parameter name in segment `{raw}`"));
                        }
                        pieces.push(Piece::Param(name.to_owned()));
                        rest = &rest[close + 1..];
                    }
                    Some(_) => return Err(format!("unopened `}}` in segment `{raw}`")),
                }
            }
            segments.push(pieces);
        }
        Ok(PathTemplate { segments })
    }

    /// The parameter names in template order.
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().flatten().filter_map(|piece| match piece {
            Piece::Param(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }

    /// Substitutes every parameter with its percent-encoded value.
    pub(crate) fn render(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, PathError> {
        let mut path = String::new();
        let mut missing = Vec::new();
        for segment in &self.segments {
            path.push('/');
            for piece in segment {
                match piece {
                    Piece::Literal(text) => path.push_str(text),
                    Piece::Param(name) => match lookup(name) {
                        Some(value) if value == "." || value == ".." => {
                            return Err(PathError::DotSegment {
                                name: name.clone(),
                                value,
                            })
                        }
                        Some(value) if !value.is_empty() => path.push_str(&encode_path_segment(&value)),
                        _ => {
                            if !missing.contains(name) {
                                missing.push(name.clone());
                            }
                        }
                    },
                }
            }
        }
        if missing.is_empty() {
            Ok(path)
        } else {
            Err(PathError::Missing(missing))
        }
    }

    /// Whether a concrete path (no query string, no trailing slash) matches. Returns a
    /// specificity key, one flag per segment, `true` where a literal matched: of several
    /// matches the greatest key is the most specific (`/status/in-progress` beats `/{id}`).
    pub(crate) fn matches(&self, concrete: &str) -> Option<Vec<bool>> {
        let concrete = concrete.strip_prefix('/')?;
        let parts: Vec<&str> = concrete.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut key = Vec::with_capacity(parts.len());
        for (pieces, part) in self.segments.iter().zip(parts) {
            let literal = pieces.iter().all(|piece| matches!(piece, Piece::Literal(_)));
            if !segment_matches(pieces, part) {
                return None;
            }
            key.push(literal);
        }
        Some(key)
    }
}

/// Matches one segment: literals exactly, each parameter a non-empty run of characters.
fn segment_matches(pieces: &[Piece], part: &str) -> bool {
    match pieces.split_first() {
        None => part.is_empty(),
        Some((Piece::Literal(text), rest)) => part
            .strip_prefix(text.as_str())
            .is_some_and(|tail| segment_matches(rest, tail)),
        Some((Piece::Param(_), rest)) => {
            // Try every non-empty split; segments are short and templates have few pieces.
            part.char_indices()
                .skip(1)
                .map(|(index, _)| index)
                .chain(std::iter::once(part.len()))
                .filter(|&end| end > 0)
                .any(|end| segment_matches(rest, &part[end..]))
        }
    }
}

/// Strips a query string or fragment and a trailing slash from a concrete path.
pub(crate) fn normalize_concrete(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    }
}

/// Percent-encodes a value for use as one path segment: RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) are kept, every other UTF-8 byte becomes `%XX` (upper-case hex).
pub fn encode_path_segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> PathTemplate {
        PathTemplate::parse(text).unwrap()
    }

    #[test]
    fn encodes_everything_but_unreserved_characters() {
        assert_eq!(encode_path_segment("abc-DEF_1.2~"), "abc-DEF_1.2~");
        assert_eq!(encode_path_segment("a/b c?d#e%f"), "a%2Fb%20c%3Fd%23e%25f");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn renders_and_reports_missing_and_dot_values() {
        let tasks = template("/v1/workspaces/{workspaceId}/projects/{projectId}/tasks");
        let values = |name: &str| (name == "workspaceId").then(|| "w/1".to_owned());
        assert_eq!(tasks.render(&values), Err(PathError::Missing(vec!["projectId".into()])));
        let all = |name: &str| Some(format!("{name} 1"));
        assert_eq!(
            tasks.render(&all).unwrap(),
            "/v1/workspaces/workspaceId%201/projects/projectId%201/tasks"
        );
        let dots = |_: &str| Some("..".to_owned());
        assert!(matches!(tasks.render(&dots), Err(PathError::DotSegment { .. })));
        assert_eq!(
            PathError::Missing(vec!["a".into(), "b".into()]).to_string(),
            "missing path parameters: a, b"
        );
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(PathTemplate::parse("v1/x").is_err());
        assert!(PathTemplate::parse("/v1/{x").is_err());
        assert!(PathTemplate::parse("/v1/x}").is_err());
        assert!(PathTemplate::parse("/v1/{}").is_err());
    }

    #[test]
    fn matches_segments_and_mixed_pieces() {
        let entry = template("/v1/time-entries/{id}");
        assert_eq!(entry.matches("/v1/time-entries/abc"), Some(vec![true, true, false]));
        assert_eq!(entry.matches("/v1/time-entries/"), None);
        assert_eq!(entry.matches("/v1/time-entries/a/b"), None);
        let file = template("/files/{name}.json");
        assert!(file.matches("/files/report.json").is_some());
        assert!(file.matches("/files/.json").is_none());
        assert_eq!(normalize_concrete("/v1/x/?page=2"), "/v1/x");
        assert_eq!(normalize_concrete("/"), "/");
    }
}
