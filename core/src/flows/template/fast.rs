//! The fast path: templates made of field paths (`{{ body.project.name }}`), optionally
//! through `upper`, `lower`, `trim`, `json`/`tojson` and `default(literal)`, are rendered
//! straight from the JSON document instead of through minijinja, with minijinja's results
//! (a test renders each form both ways). Anything else, and every error, goes to the engine.

use serde_json::Value;

use super::ROOTS;

/// One step of a [`SimplePath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

/// `body.project.name`, `headers['x-foo']`, `body.tags[0].id`: a root and lookups, nothing
/// else. Templates made only of these are rendered straight from the JSON (the common case,
/// and much faster than the template engine); anything else, and every error, goes through
/// minijinja, so both ways give the same result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SimplePath {
    pub(super) root: String,
    pub(super) segments: Vec<Segment>,
}

impl SimplePath {
    pub(super) fn parse(expression: &str) -> Option<SimplePath> {
        let expression = expression.trim();
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let root_end = expression.find(|c: char| !is_name(c)).unwrap_or(expression.len());
        let root = &expression[..root_end];
        if !ROOTS.contains(&root) {
            return None;
        }
        let mut rest = &expression[root_end..];
        let mut segments = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
                let name = &after[..end];
                if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                segments.push(Segment::Key(name.to_string()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let close = after.find(']')?;
                let inner = &after[..close];
                if let Some(quote) = inner.chars().next().filter(|c| *c == '\'' || *c == '"') {
                    let key = inner.strip_prefix(quote)?.strip_suffix(quote)?;
                    if key.contains(['\\', '\'', '"']) {
                        return None;
                    }
                    segments.push(Segment::Key(key.to_string()));
                } else if !inner.is_empty() && inner.bytes().all(|byte| byte.is_ascii_digit()) {
                    segments.push(Segment::Index(inner.parse().ok()?));
                } else {
                    return None;
                }
                rest = &after[close + 1..];
            } else {
                return None;
            }
        }
        Some(SimplePath {
            root: root.to_string(),
            segments,
        })
    }
}

/// A filter the fast path applies itself, with minijinja's meaning (strings only for the
/// text filters; anything else goes to the engine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FastFilter {
    Upper,
    Lower,
    Trim,
    Json,
    /// `default('text')` / `default(12)` / `d(…)`: replaces a missing last name.
    Default(Value),
}

/// `path | filter | …` with [`FastFilter`]s only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FastExpr {
    pub(super) path: SimplePath,
    pub(super) filters: Vec<FastFilter>,
}

impl FastExpr {
    pub(super) fn parse(expression: &str) -> Option<FastExpr> {
        let mut parts = split_outside_quotes(expression, '|').into_iter();
        let path = SimplePath::parse(parts.next()?)?;
        let filters = parts.map(FastFilter::parse).collect::<Option<Vec<_>>>()?;
        Some(FastExpr { path, filters })
    }
}

impl FastFilter {
    fn parse(text: &str) -> Option<FastFilter> {
        let text = text.trim();
        let (name, args) = match text.split_once('(') {
            Some((name, rest)) => (name.trim(), Some(rest.strip_suffix(')')?.trim())),
            None => (text, None),
        };
        match (name, args) {
            ("upper", None | Some("")) => Some(FastFilter::Upper),
            ("lower", None | Some("")) => Some(FastFilter::Lower),
            ("trim", None | Some("")) => Some(FastFilter::Trim),
            ("json" | "tojson", None | Some("")) => Some(FastFilter::Json),
            ("default" | "d", Some(literal)) => {
                if let Some(quote) = literal.chars().next().filter(|c| *c == '\'' || *c == '"') {
                    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
                    if inner.contains(['\\', '\'', '"']) {
                        return None;
                    }
                    Some(FastFilter::Default(Value::String(inner.to_string())))
                } else {
                    let digits = literal.strip_prefix('-').unwrap_or(literal);
                    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                        return None;
                    }
                    Some(FastFilter::Default(Value::from(literal.parse::<i64>().ok()?)))
                }
            }
            _ => None,
        }
    }
}

/// Splits on `separator` outside '…' and "…" literals.
pub(super) fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == separator => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            None => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A piece of a fast text template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    Expr(FastExpr),
}

/// The value of a [`FastExpr`] on its way through the filters.
pub(super) enum FastValue<'a> {
    Missing,
    Json(std::borrow::Cow<'a, Value>),
    Text(std::borrow::Cow<'a, str>),
}

/// The fast form of a text template: literal text and `{{ path }}`s only.
pub(super) fn fast_pieces(source: &str) -> Option<Vec<Piece>> {
    if source.contains("{%") || source.contains("{#") || source.ends_with('\n') {
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let expression = &after[..close];
        if expression.starts_with(['-', '+']) || expression.ends_with(['-', '+']) {
            return None;
        }
        if expression.contains(['\\', '{', '}']) {
            return None;
        }
        pieces.push(Piece::Expr(FastExpr::parse(expression)?));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Some(pieces)
}

/// What a [`SimplePath`] finds.
pub(super) enum Lookup<'a> {
    Json(&'a Value),
    Text(&'a str),
    /// The last name is missing from an object, array or map that exists: minijinja's
    /// undefined, which `default` replaces.
    MissingLast,
    /// Anything else: the template engine decides (and words the error).
    Engine,
}
