//! Templates: Jinja syntax (minijinja), one syntax everywhere a flow builds a request.
//!
//! A template reads the event document (see [`super::document`]) and the workspace's secrets:
//!
//! | write | gets |
//! |---|---|
//! | `{{ body.project.name }}` | a field of the event's body |
//! | `{{ headers['x-request-id'] }}` | a header (lower-case name) |
//! | `{{ event.workspaceId }}`, `{{ event.type }}`, `{{ event.receivedAt }}` | about the event |
//! | `{{ steps.tag.body.id }}`, `{{ steps.tag.status }}` | the output of an earlier step |
//! | `{{ secrets.API_KEY }}` | a stored secret (never shown: previews print `••••`) |
//!
//! Filters: `default('x')` (or `d`) for values that may be missing, `lower`, `upper`, `trim`,
//! `replace('a', 'b')`, `json` (also `tojson`: the value as JSON text, `json(2)` indented),
//! `date(format, offset)`, `times(n)` and the other standard minijinja filters (`length`, `join(', ')`,
//! `first`, `round`, `int`, …). Tests such as `is defined` work in `{% if %}`.
//!
//! `date` takes an RFC 3339 text (`2025-06-16T07:05:00Z`; a date-time without offset is
//! UTC) or a unix-milliseconds number. Its format is strftime-like when it contains `%`
//! (`date('%Y-%m-%d %H:%M')`) and otherwise a `time` crate format description
//! (`date('[day].[month].[year]')`); no format gives RFC 3339. The optional offset
//! (`date('%H:%M', '+05:30')`) converts the moment first; otherwise a text keeps its own offset
//! and a number is UTC.
//!
//! Rules that keep templates predictable:
//! - **JSON spelling**: booleans print as `true` / `false` and null as `null`, so
//!   `{"billable": {{ body.billable }}}` is JSON.
//! - **Undefined is an error.** `{{ body.nope }}` fails the step instead of sending an empty
//!   text. `{{ body.nope | default('none') }}` is fine. `default` rescues the last name
//!   only; for a missing parent write `{{ (body.project | default({})).name | default('') }}`.
//! - **No `*`** (it also repeats texts): multiply numbers with `{{ body.hours | times(60) }}`.
//!   `range()` gives at most 1,000 numbers; `indent`, `batch` and `slice` are not available.
//! - **Block tags** are `if`/`elif`/`else`/`endif`, `for`/`endfor` and `raw`/`endraw` only
//!   (no `set`, `macro`, `include`…): templates fill in requests, they are not programs.
//! - **Limits**: at most 10,000 characters of template and 1 MiB of output; every render has
//!   a fuel budget, so a template that loops too long fails instead of spinning.
//! - **JSON bodies** ([`CompiledValue`]): every string in the JSON is a template; a string
//!   that is exactly one `{{ expression }}` keeps the expression's JSON type, so
//!   `{"billable": "{{ body.billable }}", "tagIds": "{{ [steps.tag.body.id] }}"}` sends a
//!   boolean and an array. Object keys are not templates.

use std::{
    collections::{BTreeMap, BTreeSet},
    io,
    sync::Arc,
};

use minijinja::{
    value::{Enumerator, Object, ObjectRepr},
    AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value as JinjaValue,
};
use serde_json::Value;
use time::{
    format_description::{self, well_known::Rfc3339},
    macros::format_description as fd,
    OffsetDateTime, PrimitiveDateTime, UtcOffset,
};

/// Instructions one render may execute.
pub const FUEL: u64 = 20_000;
/// The longest template accepted (characters).
pub const MAX_TEMPLATE_CHARS: usize = 10_000;
/// The most one render may output (bytes).
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;
/// What a secret's value looks like in a preview.
pub const SECRET_MASK: &str = "••••";
/// The names a template can read.
pub const ROOTS: [&str; 5] = ["event", "body", "headers", "steps", "secrets"];
/// Block tags templates may use.
const ALLOWED_BLOCKS: [&str; 8] = ["if", "elif", "else", "endif", "for", "endfor", "raw", "endraw"];
/// The variable typed single-expression templates assign to.
const TYPED_RESULT: &str = "__flow_value";

/// A template that failed to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template's name: its field (`actions[0].body.name`).
    pub name: String,
    pub message: String,
}

/// Whether a text has template syntax at all (texts without it are sent as they are).
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// The expression of a text that is exactly one `{{ expression }}` (whitespace around it
/// allowed), if it is one.
pub fn single_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix(['-', '+']).unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    if inner.contains("{{") || inner.contains("{%") || inner.contains("{#") {
        return None;
    }
    let inner = inner.trim();
    (!inner.is_empty()).then_some(inner)
}

/// Refuses block tags other than [`ALLOWED_BLOCKS`] (a text scan: a `{%` inside a comment or
/// a raw block counts too, which only errs on the safe side).
fn check_blocks(source: &str) -> Result<(), String> {
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches(['-', '+']).trim_start();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !ALLOWED_BLOCKS.contains(&name.as_str()) {
            return Err(format!(
                "`{{% {name} %}}` is not available in flow templates: use `{{{{ … }}}}`, `{{% if %}}` and `{{% for %}}`."
            ));
        }
    }
    Ok(())
}

/// What a text scan of a template's expressions and tags (string literals skipped) finds.
#[derive(Debug, Default)]
struct CodeScan {
    /// Names used as filters (`| name`).
    filters: BTreeSet<String>,
    /// Whether the `*` operator is used (`**` is not counted).
    multiplies: bool,
}

fn scan_code(source: &str) -> CodeScan {
    let mut scan = CodeScan::default();
    let bytes = source.as_bytes();
    let mut index = 0;
    let mut in_code = false;
    let mut quote: Option<u8> = None;
    while index < bytes.len() {
        let byte = bytes[index];
        let next = bytes.get(index + 1).copied();
        if !in_code {
            if byte == b'{' && matches!(next, Some(b'{' | b'%')) {
                in_code = true;
                index += 1;
            }
        } else if let Some(open) = quote {
            if byte == b'\\' {
                index += 1;
            } else if byte == open {
                quote = None;
            }
        } else if byte == b'\'' || byte == b'"' {
            quote = Some(byte);
        } else if matches!(byte, b'}' | b'%') && next == Some(b'}') {
            in_code = false;
            index += 1;
        } else if byte == b'*' {
            if next == Some(b'*') {
                index += 1;
            } else {
                scan.multiplies = true;
            }
        } else if byte == b'|' {
            let name: String = source[index + 1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                scan.filters.insert(name);
            }
        }
        index += 1;
    }
    scan
}

/// The most items `range()` may produce (minijinja allows 100,000).
const MAX_RANGE_ITEMS: i64 = 1_000;

/// `range(stop)` / `range(start, stop, step)` as in Python, at most [`MAX_RANGE_ITEMS`] items.
fn range_function(lower: i64, upper: Option<i64>, step: Option<i64>) -> Result<JinjaValue, Error> {
    let (start, stop) = match upper {
        Some(upper) => (lower, upper),
        None => (0, lower),
    };
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Error::new(ErrorKind::InvalidOperation, "range: the step cannot be 0"));
    }
    let span = if step > 0 {
        stop.saturating_sub(start)
    } else {
        start.saturating_sub(stop)
    };
    let count = if span <= 0 {
        0
    } else {
        (span - 1) / step.saturating_abs() + 1
    };
    if count > MAX_RANGE_ITEMS {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("range: at most {MAX_RANGE_ITEMS} items"),
        ));
    }
    Ok(JinjaValue::from(
        (0..count).map(|index| start + index * step).collect::<Vec<i64>>(),
    ))
}

/// `times(factor)`: multiplies numbers (the `*` operator is not available because it also
/// repeats texts).
fn times_filter(value: JinjaValue, factor: JinjaValue) -> Result<JinjaValue, Error> {
    if let (Some(a), Some(b)) = (value.as_i64(), factor.as_i64()) {
        if let Some(product) = a.checked_mul(b) {
            return Ok(JinjaValue::from(product));
        }
    }
    let not_a_number =
        |what: &JinjaValue| Error::new(ErrorKind::InvalidOperation, format!("times: {what} is not a number"));
    if value.as_str().is_some() || value.is_undefined() {
        return Err(not_a_number(&value));
    }
    if factor.as_str().is_some() {
        return Err(not_a_number(&factor));
    }
    let a = f64::try_from(value.clone()).map_err(|_| not_a_number(&value))?;
    let b = f64::try_from(factor.clone()).map_err(|_| not_a_number(&factor))?;
    Ok(JinjaValue::from(a * b))
}

/// An `io::Write` that refuses to grow past [`MAX_OUTPUT_BYTES`].
struct CappedOutput(Vec<u8>);

impl io::Write for CappedOutput {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.0.len() + bytes.len() > MAX_OUTPUT_BYTES {
            return Err(io::Error::other("output too large"));
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The moment a `date` filter input stands for, with its offset.
fn parse_moment(value: &JinjaValue) -> Result<OffsetDateTime, Error> {
    let invalid = |detail: String| Error::new(ErrorKind::InvalidOperation, detail);
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if let Some(text) = value.as_str() {
        let text = text.trim();
        if let Ok(moment) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(moment);
        }
        let local = fd!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
        return PrimitiveDateTime::parse(text, local)
            .map(PrimitiveDateTime::assume_utc)
            .map_err(|_| invalid(format!("date: `{text}` is not an RFC 3339 date-time")));
    }
    let millis = i64::try_from(value.clone()).map_err(|_| {
        invalid(format!(
            "date: {value} is neither a date-time text nor unix milliseconds"
        ))
    })?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| invalid(format!("date: {millis} is out of range")))
}

/// `date(format, offset)`; see the module documentation.
fn date_filter(value: &JinjaValue, format: Option<&str>, offset: Option<&str>) -> Result<String, Error> {
    let invalid = |detail: String| Error::new(ErrorKind::InvalidOperation, detail);
    let mut moment = parse_moment(value)?;
    if let Some(offset) = offset {
        let parsed = UtcOffset::parse(offset, fd!("[offset_hour sign:mandatory]:[offset_minute]"))
            .map_err(|_| invalid(format!("date: offset `{offset}` should look like +05:30")))?;
        moment = moment.to_offset(parsed);
    }
    let Some(format) = format else {
        return moment
            .format(&Rfc3339)
            .map_err(|error| invalid(format!("date: {error}")));
    };
    let items = if format.contains('%') {
        format_description::parse_strftime_borrowed(format)
    } else {
        format_description::parse_borrowed::<1>(format)
    }
    .map_err(|error| invalid(format!("date: the format `{format}` is not valid ({error})")))?;
    moment.format(&items).map_err(|error| invalid(format!("date: {error}")))
}

/// `json` / `tojson`: the value as JSON text, optionally indented (at most 8 spaces).
fn json_filter(value: &JinjaValue, indent: Option<JinjaValue>) -> Result<JinjaValue, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let indent = match indent {
        None => None,
        Some(indent) => match bool::try_from(indent.clone()) {
            Ok(true) => Some(2),
            Ok(false) => None,
            Err(_) => Some(usize::try_from(indent)?),
        },
    };
    let text = match indent {
        Some(width) if width > 8 => return Err(Error::new(ErrorKind::InvalidOperation, "json: indent at most 8")),
        Some(width) => {
            let indentation = " ".repeat(width);
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indentation.as_bytes());
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(value, &mut serializer)
                .map_err(|error| Error::new(ErrorKind::BadSerialization, error.to_string()))?;
            String::from_utf8(out).map_err(|error| Error::new(ErrorKind::BadSerialization, error.to_string()))?
        }
        None => {
            serde_json::to_string(value).map_err(|error| Error::new(ErrorKind::BadSerialization, error.to_string()))?
        }
    };
    Ok(JinjaValue::from_safe_string(text))
}

/// `replace(from, to)` that refuses results over [`MAX_OUTPUT_BYTES`] (an empty `from`
/// inserts between every character and would grow a text exponentially when chained).
fn replace_filter(value: &str, from: &str, to: &str) -> Result<String, Error> {
    let occurrences = if from.is_empty() {
        value.chars().count() + 1
    } else {
        value.matches(from).count()
    };
    let size = value.len().saturating_add(occurrences.saturating_mul(to.len()));
    if size > MAX_OUTPUT_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "replace: the result would be too large",
        ));
    }
    Ok(value.replace(from, to))
}

/// Prints undefined values as errors (never an empty text), and booleans and null with their
/// JSON spelling (`true`, `false`, `null`, not Python's `True`/`None`), since flow templates
/// mostly build JSON and URLs.
fn json_friendly_formatter(
    out: &mut minijinja::Output<'_>,
    state: &State<'_, '_>,
    value: &JinjaValue,
) -> Result<(), Error> {
    use minijinja::value::ValueKind;
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let spelled = match value.kind() {
        ValueKind::Bool if value.is_true() => "true",
        ValueKind::Bool => "false",
        ValueKind::None => "null",
        _ => return minijinja::escape_formatter(out, state, value),
    };
    out.write_str(spelled)
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "could not write the output"))
}

/// The environment every flow template compiles in.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(json_friendly_formatter);
    env.set_recursion_limit(64);
    env.set_debug(false);
    env.remove_global("debug");
    // Filters that can allocate without bound from a small template (indentation times line
    // count; batches and slices padded to any size); not needed to build requests.
    for filter in ["indent", "batch", "slice"] {
        env.remove_filter(filter);
    }
    env.add_function("range", range_function);
    env.add_filter("times", times_filter);
    env.add_filter("json", json_filter);
    env.add_filter("tojson", json_filter);
    env.add_filter("date", date_filter);
    env.add_filter("replace", replace_filter);
    env
}

/// A readable sentence for a minijinja error, naming the template.
fn describe(error: &Error, source: &str) -> String {
    let what = match error.kind() {
        ErrorKind::UndefinedError => {
            "a value it uses is missing (add `| default('…')` for values that may be absent)".to_string()
        }
        ErrorKind::OutOfFuel => "it does too much work (a loop that runs too long?)".to_string(),
        ErrorKind::WriteFailure => format!("its output is larger than {} KiB", MAX_OUTPUT_BYTES / 1024),
        ErrorKind::SyntaxError => format!("its syntax is wrong: {}", error.detail().unwrap_or("syntax error")),
        ErrorKind::UnknownFilter => error.detail().unwrap_or("unknown filter").to_string(),
        _ => match error.detail() {
            Some(detail) => detail.to_string(),
            None => error.kind().to_string(),
        },
    };
    let line = error
        .line()
        .filter(|_| source.contains('\n'))
        .map(|line| format!(" (line {line})"))
        .unwrap_or_default();
    format!("The template `{}` failed: {what}{line}.", shorten(source))
}

fn shorten(source: &str) -> String {
    if source.chars().count() > 120 {
        format!("{}…", source.chars().take(120).collect::<String>())
    } else {
        source.to_string()
    }
}

/// A compiled text template (or a text without template syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompiledText {
    Literal(String),
    Template(TextTemplate),
}

/// A text template by name, with its fast form when it only interpolates plain paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTemplate {
    pub name: String,
    fast: Option<Vec<Piece>>,
}

/// A single `{{ expression }}` by name, with its fast form when the expression is a plain path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedTemplate {
    pub name: String,
    fast: Option<FastExpr>,
}

/// A compiled JSON value whose strings are templates.
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledValue {
    /// No template inside.
    Literal(Value),
    /// A text template.
    Text(TextTemplate),
    /// Exactly one `{{ expression }}`: keeps the expression's JSON type.
    Typed(TypedTemplate),
    Array(Vec<CompiledValue>),
    Object(Vec<(String, CompiledValue)>),
}

/// One step of a [`SimplePath`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// `body.project.name`, `headers['x-foo']`, `body.tags[0].id`: a root and lookups, nothing
/// else. Templates made only of these are rendered straight from the JSON (the common case,
/// and much faster than the template engine); anything else, and every error, goes through
/// minijinja, so both ways give the same result.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SimplePath {
    root: String,
    segments: Vec<Segment>,
}

impl SimplePath {
    fn parse(expression: &str) -> Option<SimplePath> {
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
enum FastFilter {
    Upper,
    Lower,
    Trim,
    Json,
    /// `default('text')` / `default(12)` / `d(…)`: replaces a missing last name.
    Default(Value),
}

/// `path | filter | …` with [`FastFilter`]s only.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FastExpr {
    path: SimplePath,
    filters: Vec<FastFilter>,
}

impl FastExpr {
    fn parse(expression: &str) -> Option<FastExpr> {
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
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
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
enum Piece {
    Text(String),
    Expr(FastExpr),
}

/// The value of a [`FastExpr`] on its way through the filters.
enum FastValue<'a> {
    Missing,
    Json(std::borrow::Cow<'a, Value>),
    Text(std::borrow::Cow<'a, str>),
}

/// The fast form of a text template: literal text and `{{ path }}`s only.
fn fast_pieces(source: &str) -> Option<Vec<Piece>> {
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
enum Lookup<'a> {
    Json(&'a Value),
    Text(&'a str),
    /// The last name is missing from an object, array or map that exists: minijinja's
    /// undefined, which `default` replaces.
    MissingLast,
    /// Anything else: the template engine decides (and words the error).
    Engine,
}

/// What a template reads, for checks before it ever runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Step ids read through `steps.<id>` or `steps['<id>']`.
    pub steps: BTreeSet<String>,
    /// Top-level names that are neither [`ROOTS`] nor functions (`bdy.x` typed by mistake).
    pub unknown: BTreeSet<String>,
}

/// Templates compiled once, by name, for rendering against many events.
pub struct Templates {
    env: Environment<'static>,
    /// Off only in tests that compare both ways of rendering.
    fast_paths: bool,
}

impl Default for Templates {
    fn default() -> Templates {
        Templates::new()
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Templates")
            .field("names", &self.env.templates().map(|(name, _)| name).collect::<Vec<_>>())
            .finish()
    }
}

impl Templates {
    pub fn new() -> Templates {
        Templates {
            env: environment(),
            fast_paths: true,
        }
    }

    /// Compiles a text template under `name` (texts without template syntax are kept as
    /// they are and need no name).
    pub fn add(&mut self, name: &str, source: &str) -> Result<CompiledText, String> {
        if !is_template(source) {
            return Ok(CompiledText::Literal(source.to_string()));
        }
        self.compile(name, source.to_string(), source)?;
        Ok(CompiledText::Template(TextTemplate {
            name: name.to_string(),
            fast: fast_pieces(source),
        }))
    }

    /// Compiles every string of a JSON value; `name` names the value, its parts are named
    /// `name.key` and `name[index]`. Reports every string that does not compile.
    pub fn add_value(&mut self, name: &str, value: &Value) -> Result<CompiledValue, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let compiled = self.add_value_inner(name, value, &mut errors);
        if errors.is_empty() {
            Ok(compiled)
        } else {
            Err(errors)
        }
    }

    fn add_value_inner(&mut self, name: &str, value: &Value, errors: &mut Vec<TemplateError>) -> CompiledValue {
        match value {
            Value::String(text) if is_template(text) => {
                let result = match single_expression(text) {
                    // The text form is compiled (and checked) first; the typed form is the
                    // same expression assigned to a variable. Should it not compile (an odd
                    // expression such as one holding `%}`), the string stays a text template.
                    Some(expression) => self.compile(name, text.clone(), text).map(|()| {
                        let typed = format!("{{% set {TYPED_RESULT} = ({expression}) %}}");
                        if self.env.add_template_owned(typed_name(name), typed).is_ok() {
                            CompiledValue::Typed(TypedTemplate {
                                name: name.to_string(),
                                fast: FastExpr::parse(expression),
                            })
                        } else {
                            CompiledValue::Text(TextTemplate {
                                name: name.to_string(),
                                fast: fast_pieces(text),
                            })
                        }
                    }),
                    None => self.compile(name, text.clone(), text).map(|()| {
                        CompiledValue::Text(TextTemplate {
                            name: name.to_string(),
                            fast: fast_pieces(text),
                        })
                    }),
                };
                result.unwrap_or_else(|message| {
                    errors.push(TemplateError {
                        name: name.to_string(),
                        message,
                    });
                    CompiledValue::Literal(Value::Null)
                })
            }
            Value::Array(items) if contains_template(value) => CompiledValue::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.add_value_inner(&format!("{name}[{index}]"), item, errors))
                    .collect(),
            ),
            Value::Object(object) if contains_template(value) => CompiledValue::Object(
                object
                    .iter()
                    .map(|(key, item)| {
                        (
                            key.clone(),
                            self.add_value_inner(&format!("{name}.{key}"), item, errors),
                        )
                    })
                    .collect(),
            ),
            other => CompiledValue::Literal(other.clone()),
        }
    }

    fn check_length(&self, source: &str) -> Result<(), String> {
        if source.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!(
                "The template is longer than {MAX_TEMPLATE_CHARS} characters: shorten it."
            ));
        }
        Ok(())
    }

    fn compile(&mut self, name: &str, template: String, shown: &str) -> Result<(), String> {
        self.check_length(shown)?;
        check_blocks(shown)?;
        self.env
            .add_template_owned(name.to_string(), template)
            .map_err(|error| describe(&error, shown))?;
        let scan = scan_code(shown);
        if scan.multiplies {
            self.env.remove_template(name);
            return Err(format!(
                "The template `{}` uses `*`, which flow templates do not offer (it also repeats texts): multiply numbers with `| times(…)`.",
                shorten(shown)
            ));
        }
        // minijinja resolves filters when rendering; find unknown ones now.
        for filter in scan.filters {
            if let Err(error) = self.env.render_str(&format!("{{{{ none | {filter} }}}}"), ()) {
                if error.kind() == ErrorKind::UnknownFilter {
                    self.env.remove_template(name);
                    return Err(format!(
                        "The template `{}` uses `{filter}`, which is not a filter (see the list of filters).",
                        shorten(shown)
                    ));
                }
            }
        }
        Ok(())
    }

    /// What a compiled template (by name) reads.
    pub fn references(&self, name: &str) -> References {
        let Ok(template) = self.env.get_template(name) else {
            return References::default();
        };
        let nested = template.undeclared_variables(true);
        let mut references = References::default();
        let globals: BTreeSet<String> = self.env.globals().map(|(name, _)| name.to_string()).collect();
        for variable in &nested {
            let mut parts = variable.split('.');
            let root = parts.next().unwrap_or_default();
            if root == "steps" {
                if let Some(step) = parts.next() {
                    references.steps.insert(step.to_string());
                }
            }
            if !ROOTS.contains(&root) && !globals.contains(root) {
                references.unknown.insert(root.to_string());
            }
        }
        // `steps['tag']` is an item lookup, which the nested tracking does not follow.
        let source = template.source();
        let mut rest = source;
        while let Some(at) = rest.find("steps") {
            let before_ok = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'));
            rest = &rest[at + 5..];
            let after = rest.trim_start();
            if let (true, Some(after)) = (before_ok, after.strip_prefix('[')) {
                let after = after.trim_start();
                if let Some(quote) = after.chars().next().filter(|c| *c == '\'' || *c == '"') {
                    if let Some(end) = after[1..].find(quote) {
                        references.steps.insert(after[1..1 + end].to_string());
                    }
                }
            }
        }
        references
    }

    /// Renders a compiled text.
    pub fn render(&self, text: &CompiledText, ctx: &RenderContext) -> Result<String, String> {
        match text {
            CompiledText::Literal(text) => Ok(text.clone()),
            CompiledText::Template(template) => self.render_text(template, ctx),
        }
    }

    fn render_text(&self, template: &TextTemplate, ctx: &RenderContext) -> Result<String, String> {
        if let Some(pieces) = template.fast.as_ref().filter(|_| self.fast_paths) {
            let mut out = String::new();
            let mut complete = true;
            for piece in pieces {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Expr(expression) => match ctx.evaluate(expression) {
                        Some(FastValue::Text(text)) => out.push_str(&text),
                        Some(FastValue::Json(value)) => match &*value {
                            Value::String(text) => out.push_str(text),
                            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
                            Value::Null => out.push_str("null"),
                            Value::Number(number) if !number.is_f64() => out.push_str(&number.to_string()),
                            _ => {
                                complete = false;
                                break;
                            }
                        },
                        _ => {
                            complete = false;
                            break;
                        }
                    },
                }
            }
            if complete && out.len() <= MAX_OUTPUT_BYTES {
                return Ok(out);
            }
        }
        self.render_named(&template.name, ctx)
    }

    fn render_named(&self, name: &str, ctx: &RenderContext) -> Result<String, String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|_| format!("No template named `{name}` was compiled."))?;
        let mut output = CappedOutput(Vec::new());
        template
            .render_captured_to(&ctx.root, &mut output)
            .map_err(|error| describe(&error, template.source()))?;
        String::from_utf8(output.0).map_err(|_| "The template produced invalid text.".to_string())
    }

    /// Renders a compiled JSON value.
    pub fn render_value(&self, value: &CompiledValue, ctx: &RenderContext) -> Result<Value, String> {
        match value {
            CompiledValue::Literal(value) => Ok(value.clone()),
            CompiledValue::Text(template) => self.render_text(template, ctx).map(Value::String),
            CompiledValue::Typed(template) => {
                if let Some(expression) = template.fast.as_ref().filter(|_| self.fast_paths) {
                    match ctx.evaluate(expression) {
                        Some(FastValue::Json(value)) => return Ok(value.into_owned()),
                        Some(FastValue::Text(text)) => return Ok(Value::String(text.into_owned())),
                        Some(FastValue::Missing) | None => {}
                    }
                }
                self.eval_typed(&template.name, ctx)
            }
            CompiledValue::Array(items) => items
                .iter()
                .map(|item| self.render_value(item, ctx))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            CompiledValue::Object(entries) => entries
                .iter()
                .map(|(key, item)| Ok((key.clone(), self.render_value(item, ctx)?)))
                .collect::<Result<serde_json::Map<_, _>, String>>()
                .map(Value::Object),
        }
    }

    fn eval_typed(&self, name: &str, ctx: &RenderContext) -> Result<Value, String> {
        let shown = self
            .env
            .get_template(name)
            .map(|template| template.source().to_string())
            .unwrap_or_default();
        let template = self
            .env
            .get_template(&typed_name(name))
            .map_err(|_| format!("No template named `{name}` was compiled."))?;
        let captured = template
            .render_captured(&ctx.root)
            .map_err(|error| describe(&error, &shown))?;
        let value = captured
            .state()
            .lookup(TYPED_RESULT)
            .filter(|value| !value.is_undefined())
            .ok_or_else(|| describe(&Error::from(ErrorKind::UndefinedError), &shown))?;
        serde_json::to_value(&value).map_err(|error| format!("The template `{}` failed: {error}.", shorten(&shown)))
    }
}

fn typed_name(name: &str) -> String {
    format!("{name}#typed")
}

fn contains_template(value: &Value) -> bool {
    match value {
        Value::String(text) => is_template(text),
        Value::Array(items) => items.iter().any(contains_template),
        Value::Object(object) => object.values().any(contains_template),
        _ => false,
    }
}

/// A JSON object or array inside a shared document, handed to minijinja without converting
/// it: lookups read the JSON in place, so a large body costs nothing until a template reads
/// into it.
#[derive(Debug)]
struct JsonNode {
    root: Arc<Value>,
    path: Vec<Segment>,
}

impl JsonNode {
    fn value(&self) -> &Value {
        let mut value = &*self.root;
        for segment in &self.path {
            let next = match segment {
                Segment::Key(key) => value.get(key.as_str()),
                Segment::Index(index) => value.get(*index),
            };
            // Nodes are only made for values that exist; the document is immutable.
            value = next.unwrap_or(&Value::Null);
        }
        value
    }

    fn child(&self, segment: Segment, value: &Value) -> JinjaValue {
        match value {
            Value::Array(_) | Value::Object(_) => {
                let mut path = Vec::with_capacity(self.path.len() + 1);
                path.extend_from_slice(&self.path);
                path.push(segment);
                JinjaValue::from_object(JsonNode {
                    root: self.root.clone(),
                    path,
                })
            }
            scalar => scalar_to_jinja(scalar),
        }
    }
}

fn scalar_to_jinja(value: &Value) -> JinjaValue {
    match value {
        Value::Bool(flag) => JinjaValue::from(*flag),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                JinjaValue::from(integer)
            } else if let Some(integer) = number.as_u64() {
                JinjaValue::from(integer)
            } else {
                JinjaValue::from(number.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(text) => JinjaValue::from(text.as_str()),
        _ => JinjaValue::from(()),
    }
}

/// A value of a shared document (a node, or a converted scalar).
fn shared_to_jinja(root: &Arc<Value>, path: Vec<Segment>, value: &Value) -> JinjaValue {
    match value {
        Value::Array(_) | Value::Object(_) => JinjaValue::from_object(JsonNode {
            root: root.clone(),
            path,
        }),
        scalar => scalar_to_jinja(scalar),
    }
}

impl Object for JsonNode {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.value() {
            Value::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        match self.value() {
            Value::Object(object) => {
                let key = key.as_str()?;
                let value = object.get(key)?;
                Some(self.child(Segment::Key(key.to_string()), value))
            }
            Value::Array(items) => {
                let index = usize::try_from(key.as_i64()?).ok()?;
                let value = items.get(index)?;
                Some(self.child(Segment::Index(index), value))
            }
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.value() {
            Value::Object(object) => {
                Enumerator::Values(object.keys().map(|key| JinjaValue::from(key.as_str())).collect())
            }
            Value::Array(items) => Enumerator::Seq(items.len()),
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.value() {
            Value::Object(object) => Some(object.len()),
            Value::Array(items) => Some(items.len()),
            _ => Some(0),
        }
    }
}

/// The secrets as templates see them: looked up, never converted; in a preview every name
/// reads as [`SECRET_MASK`].
#[derive(Debug, Clone)]
enum Secrets {
    Values(Arc<BTreeMap<String, String>>),
    Masked,
}

impl Object for Secrets {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        match &**self {
            Secrets::Values(values) => values.get(key.as_str()?).map(|value| JinjaValue::from(value.as_str())),
            Secrets::Masked => Some(JinjaValue::from(SECRET_MASK)),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match &**self {
            Secrets::Values(values) => {
                Enumerator::Values(values.keys().map(|name| JinjaValue::from(name.as_str())).collect())
            }
            Secrets::Masked => Enumerator::Empty,
        }
    }
}

/// The outputs of the steps done: added ones, then a `steps` entry of the document.
#[derive(Debug)]
struct StepOutputs {
    doc: Arc<Value>,
    added: Arc<BTreeMap<String, Arc<Value>>>,
}

impl Object for StepOutputs {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let id = key.as_str()?;
        if let Some(output) = self.added.get(id) {
            return Some(shared_to_jinja(output, Vec::new(), output));
        }
        let output = self.doc.get("steps")?.get(id)?;
        let path = vec![Segment::Key("steps".to_string()), Segment::Key(id.to_string())];
        Some(shared_to_jinja(&self.doc, path, output))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut ids: BTreeSet<&str> = self.added.keys().map(String::as_str).collect();
        if let Some(Value::Object(done)) = self.doc.get("steps") {
            ids.extend(done.keys().map(String::as_str));
        }
        Enumerator::Values(ids.into_iter().map(JinjaValue::from).collect())
    }
}

/// The names a template reads: the document's top-level entries, `steps` and `secrets`.
#[derive(Debug)]
struct Root {
    doc: Arc<Value>,
    added: Arc<BTreeMap<String, Arc<Value>>>,
    secrets: Secrets,
}

impl Object for Root {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        match key.as_str()? {
            "steps" => Some(JinjaValue::from_object(StepOutputs {
                doc: self.doc.clone(),
                added: self.added.clone(),
            })),
            "secrets" => Some(JinjaValue::from_object(self.secrets.clone())),
            name => {
                let value = self.doc.get(name)?;
                Some(shared_to_jinja(&self.doc, vec![Segment::Key(name.to_string())], value))
            }
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut names: BTreeSet<&str> = BTreeSet::from(["steps", "secrets"]);
        if let Value::Object(object) = &*self.doc {
            names.extend(object.keys().map(String::as_str));
        }
        Enumerator::Values(names.into_iter().map(JinjaValue::from).collect())
    }
}

/// What templates render against: the event document (shared, read in place), the outputs
/// of the steps done so far, and the secrets. Build one per event and add each step's output
/// as it finishes; nothing is converted up front.
#[derive(Debug, Clone)]
pub struct RenderContext {
    doc: Arc<Value>,
    steps: Arc<BTreeMap<String, Arc<Value>>>,
    secrets: Secrets,
    root: JinjaValue,
}

impl RenderContext {
    /// A context for a document (copied; see [`Self::from_shared`]) and the secrets. A
    /// `steps` entry of the document is read too.
    pub fn new(doc: &Value, secrets: &BTreeMap<String, String>) -> RenderContext {
        RenderContext::build(Arc::new(doc.clone()), Secrets::Values(Arc::new(secrets.clone())))
    }

    /// A context for a document the caller already shares (no copy).
    pub fn from_shared(doc: Arc<Value>, secrets: Arc<BTreeMap<String, String>>) -> RenderContext {
        RenderContext::build(doc, Secrets::Values(secrets))
    }

    /// For previews: every `secrets.NAME` renders as [`SECRET_MASK`].
    pub fn masked(doc: &Value) -> RenderContext {
        RenderContext::build(Arc::new(doc.clone()), Secrets::Masked)
    }

    fn build(doc: Arc<Value>, secrets: Secrets) -> RenderContext {
        let mut ctx = RenderContext {
            doc,
            steps: Arc::new(BTreeMap::new()),
            secrets,
            root: JinjaValue::UNDEFINED,
        };
        ctx.rebuild();
        ctx
    }

    /// The event's workspace (`event.workspaceId`).
    pub fn workspace_id(&self) -> Option<&str> {
        super::document::workspace_id(&self.doc)
    }

    /// Adds a finished step's output (`{"status", "body", "headers"}`) as `steps.<id>`.
    pub fn add_step(&mut self, id: &str, output: &Value) {
        Arc::make_mut(&mut self.steps).insert(id.to_string(), Arc::new(output.clone()));
        self.rebuild();
    }

    fn rebuild(&mut self) {
        self.root = JinjaValue::from_object(Root {
            doc: self.doc.clone(),
            added: self.steps.clone(),
            secrets: self.secrets.clone(),
        });
    }

    /// Resolves a plain path on the JSON directly (see [`SimplePath`]).
    fn lookup(&self, path: &SimplePath) -> Lookup<'_> {
        let (start, segments): (Option<&Value>, &[Segment]) = match path.root.as_str() {
            "secrets" => {
                return match (path.segments.as_slice(), &self.secrets) {
                    ([Segment::Key(name)], Secrets::Values(values)) => values
                        .get(name)
                        .map_or(Lookup::MissingLast, |value| Lookup::Text(value)),
                    ([Segment::Key(_)], Secrets::Masked) => Lookup::Text(SECRET_MASK),
                    _ => Lookup::Engine,
                }
            }
            "steps" => match path.segments.split_first() {
                Some((Segment::Key(id), rest)) => {
                    let output = self
                        .steps
                        .get(id)
                        .map(|output| &**output)
                        .or_else(|| self.doc.get("steps")?.get(id.as_str()));
                    if output.is_none() && rest.is_empty() {
                        return Lookup::MissingLast;
                    }
                    (output, rest)
                }
                _ => return Lookup::Engine,
            },
            root => (self.doc.get(root), path.segments.as_slice()),
        };
        let mut value = match start {
            Some(value) => value,
            None => return Lookup::Engine,
        };
        for (position, segment) in segments.iter().enumerate() {
            let next = match segment {
                Segment::Key(key) => value.as_object().and_then(|object| object.get(key.as_str())),
                Segment::Index(index) => value.as_array().and_then(|items| items.get(*index)),
            };
            match next {
                Some(next) => value = next,
                None if position + 1 == segments.len() && (value.is_object() || value.is_array()) => {
                    return Lookup::MissingLast
                }
                None => return Lookup::Engine,
            }
        }
        Lookup::Json(value)
    }

    /// Evaluates a [`FastExpr`]; `None` when the engine must (or `Missing` at the end).
    fn evaluate(&self, expression: &FastExpr) -> Option<FastValue<'_>> {
        let mut value = match self.lookup(&expression.path) {
            Lookup::Json(value) => FastValue::Json(std::borrow::Cow::Borrowed(value)),
            Lookup::Text(text) => FastValue::Text(std::borrow::Cow::Borrowed(text)),
            Lookup::MissingLast => FastValue::Missing,
            Lookup::Engine => return None,
        };
        for filter in &expression.filters {
            value = match (filter, value) {
                (FastFilter::Default(literal), FastValue::Missing) => {
                    FastValue::Json(std::borrow::Cow::Owned(literal.clone()))
                }
                (FastFilter::Default(_), found) => found,
                (_, FastValue::Missing) => return None,
                (FastFilter::Json, FastValue::Json(json)) => {
                    FastValue::Text(std::borrow::Cow::Owned(serde_json::to_string(&*json).ok()?))
                }
                (FastFilter::Json, FastValue::Text(text)) => {
                    FastValue::Text(std::borrow::Cow::Owned(serde_json::to_string(&*text).ok()?))
                }
                (text_filter, found) => {
                    let text = match &found {
                        FastValue::Text(text) => text.as_ref(),
                        FastValue::Json(json) => json.as_str()?,
                        FastValue::Missing => return None,
                    };
                    let changed = match text_filter {
                        FastFilter::Upper => text.to_uppercase(),
                        FastFilter::Lower => text.to_lowercase(),
                        _ => text.trim().to_string(),
                    };
                    FastValue::Text(std::borrow::Cow::Owned(changed))
                }
            };
        }
        match value {
            FastValue::Missing => None,
            other => Some(other),
        }
    }
}

/// Renders one text template (compiled for this call only).
pub fn render_str(source: &str, ctx: &RenderContext) -> Result<String, String> {
    let mut templates = Templates::new();
    let compiled = templates.add("template", source)?;
    templates.render(&compiled, ctx)
}

/// Renders a JSON value whose strings are templates (compiled for this call only).
pub fn render_value(value: &Value, ctx: &RenderContext) -> Result<Value, String> {
    let mut templates = Templates::new();
    let compiled = templates.add_value("body", value).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| error.message)
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    templates.render_value(&compiled, ctx)
}

/// Checks that a text compiles; the message says why not.
pub fn check(source: &str) -> Result<(), String> {
    Templates::new().add("template", source).map(|_| ())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NEW_TIME_ENTRY: &str = include_str!("../../tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");

    fn doc() -> Value {
        let body: Value = serde_json::from_str(NEW_TIME_ENTRY).unwrap();
        json!({
            "event": { "id": "ev1", "type": "NEW_TIME_ENTRY", "source": "clockify",
                       "workspaceId": "684446430300f917a02c198b", "receivedAt": "2025-06-16T18:53:01.500Z" },
            "body": body,
            "headers": { "x-request-id": "r-1" },
            "steps": { "tag": { "status": 201, "body": { "id": "t1", "name": "long" }, "headers": {} } }
        })
    }

    fn ctx() -> RenderContext {
        RenderContext::new(&doc(), &BTreeMap::from([("API_KEY".to_string(), "s3cr3t".to_string())]))
    }

    fn render(source: &str) -> Result<String, String> {
        render_str(source, &ctx())
    }

    #[test]
    fn reads_the_document_and_secrets() {
        assert_eq!(
            render("{{ body.project.name }}/{{ event.type }}").unwrap(),
            "Test/NEW_TIME_ENTRY"
        );
        assert_eq!(render("{{ headers['x-request-id'] }}").unwrap(), "r-1");
        assert_eq!(
            render("{{ steps.tag.body.id }} {{ steps.tag.status }}").unwrap(),
            "t1 201"
        );
        assert_eq!(render("Bearer {{ secrets.API_KEY }}").unwrap(), "Bearer s3cr3t");
        assert_eq!(render("no template here").unwrap(), "no template here");
        let masked = render_str("Bearer {{ secrets.API_KEY }}", &RenderContext::masked(&doc())).unwrap();
        assert_eq!(masked, "Bearer ••••");
    }

    #[test]
    fn filters() {
        assert_eq!(render("{{ body.nothing | default('none') }}").unwrap(), "none");
        assert_eq!(
            render("{{ (body.nope | default({})).name | default('-') }}").unwrap(),
            "-"
        );
        assert_eq!(render("{{ body.description | lower }}").unwrap(), "test");
        assert_eq!(render("{{ body.description | upper }}").unwrap(), "TEST");
        assert_eq!(
            render("{{ body.tags | json }}").unwrap(),
            r#"[{"archived":false,"id":"68452a1b0300f917a02f30bc","name":"new","workspaceId":"684446430300f917a02c198b"}]"#
        );
        assert_eq!(
            render("{{ body.user | tojson }}").unwrap(),
            render("{{ body.user | json }}").unwrap()
        );
        assert_eq!(render("{{ {'a': 1} | json(2) }}").unwrap(), "{\n  \"a\": 1\n}");
        assert!(render("{{ 'x' | json(100) }}").is_err());
        assert_eq!(render("{{ body.description | replace('T', 'B') }}").unwrap(), "Best");
    }

    #[test]
    fn date_filter_formats() {
        assert_eq!(
            render("{{ body.timeInterval.start | date('%Y-%m-%d %H:%M') }}").unwrap(),
            "2025-06-16 07:05"
        );
        assert_eq!(
            render("{{ body.timeInterval.start | date('[day].[month].[year]') }}").unwrap(),
            "16.06.2025"
        );
        assert_eq!(
            render("{{ body.timeInterval.start | date('%H:%M', '+05:30') }}").unwrap(),
            "12:35"
        );
        assert_eq!(
            render("{{ body.task.auditMetadata.updatedAt | date('%Y-%m-%d') }}").unwrap(),
            "2025-06-07"
        );
        assert_eq!(
            render("{{ event.receivedAt | date }}").unwrap(),
            "2025-06-16T18:53:01.5Z"
        );
        assert_eq!(
            render("{{ body.timeInterval.zonedStart | date('%H:%M') }}").unwrap(),
            "12:35"
        );
        let bad = render("{{ body.description | date('%Y') }}").unwrap_err();
        assert!(bad.contains("not an RFC 3339 date-time"), "{bad}");
        assert!(render("{{ body.timeInterval.start | date('[nonsense]') }}").is_err());
        assert!(render("{{ body.nothing | date('%Y') }}").is_err());
    }

    #[test]
    fn undefined_is_an_error_with_the_template_in_the_message() {
        let error = render("Hello {{ body.nothing }}").unwrap_err();
        assert!(error.contains("`Hello {{ body.nothing }}`"), "{error}");
        assert!(error.contains("missing"), "{error}");
        assert!(render("{{ body.nothing.deeper }}").is_err());
        assert!(render("{{ nothing }}").is_err());
        assert!(render("{% if body.nothing %}x{% endif %}").is_err());
        assert_eq!(
            render("{% if body.nothing is defined %}x{% else %}y{% endif %}").unwrap(),
            "y"
        );
    }

    #[test]
    fn fuel_and_output_limits_stop_hostile_templates() {
        let error = render("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}").unwrap_err();
        assert!(error.contains("too much work"), "{error}");
        let error = render("{% for a in range(1000) %}{{ body | json(8) }}{% endfor %}").unwrap_err();
        assert!(error.contains("output is larger"), "{error}");
        assert!(render("{{ 'x' * 100000000 }}").unwrap_err().contains("uses `*`"));
        assert!(render("{{ [1] | batch(1000000000000, 'x') | list }}").is_err());
        assert!(render("{{ range(1001) | list | length }}")
            .unwrap_err()
            .contains("at most 1000"));
        assert_eq!(
            render("{{ range(3) | join(',') }}/{{ range(5, 0, -2) | join(',') }}").unwrap(),
            "0,1,2/5,3,1"
        );
        assert_eq!(
            render("{{ 2 ** 3 }} {{ body.timeInterval.offsetStart | times(2) }} {{ 1.5 | times(2) }}").unwrap(),
            "8 39600 3.0"
        );
        assert!(render("{{ body.description | times(2) }}")
            .unwrap_err()
            .contains("not a number"));
        assert_eq!(render("{{ '*' }}").unwrap(), "*");
        let error = render("{{ 'ab' | replace('', 'abcdefgh') | replace('', 'abcdefgh') | replace('', 'abcdefgh') | replace('', 'abcdefgh') | replace('', 'abcdefgh') | replace('', 'abcdefgh') | replace('', 'abcdefgh') }}").unwrap_err();
        assert!(error.contains("too large"), "{error}");
        assert!(render("{% set x = 1 %}{{ x }}").unwrap_err().contains("not available"));
        assert!(render("{% macro f() %}{% endmacro %}").is_err());
        assert!(render(&"{{ 1 }}".repeat(2_000)).unwrap_err().contains("longer than"));
        assert!(render("{{ debug() }}").is_err());
    }

    #[test]
    fn syntax_errors_are_messages() {
        let error = check("{{ body.project.name ").unwrap_err();
        assert!(error.contains("syntax"), "{error}");
        assert!(check("{{ body | nosuchfilter }}")
            .unwrap_err()
            .contains("`nosuchfilter`, which is not a filter"));
        assert!(check("{{ 'a|nosuch' | upper }}{% for t in body.tags | sort %}{% endfor %}").is_ok());
        assert!(check("{% if body.x | nosuch %}{% endif %}").is_err());
        assert!(check("{{ body.x | default('|') | d }}").is_ok());
    }

    #[test]
    fn json_values_keep_single_expression_types() {
        let body = json!({
            "name": "long: {{ body.description }}",
            "billable": "{{ body.billable }}",
            "offset": " {{ body.timeInterval.offsetStart }} ",
            "tagIds": "{{ [steps.tag.body.id] }}",
            "project": "{{ body.project.estimate }}",
            "nothing": "{{ body.hourlyRate }}",
            "fixed": 3,
            "list": ["a", "{{ body.user.name }}"],
            "nested": { "deep": "{{- body.type -}}" }
        });
        let rendered = render_value(&body, &ctx()).unwrap();
        assert_eq!(
            rendered,
            json!({
                "name": "long: Test",
                "billable": true,
                "offset": 19800,
                "tagIds": ["t1"],
                "project": { "estimate": "PT0S", "type": "AUTO" },
                "nothing": null,
                "fixed": 3,
                "list": ["a", "johndoe"],
                "nested": { "deep": "REGULAR" }
            })
        );
        assert!(render_value(&json!({ "x": "{{ body.nope }}" }), &ctx()).is_err());
        assert_eq!(
            render_value(
                &json!({ "nested": "{{ {'a': {'b': body.billable}} }}", "odd": "{{ '%}' }}" }),
                &ctx()
            )
            .unwrap(),
            json!({ "nested": { "a": { "b": true } }, "odd": "%}" })
        );
        assert_eq!(
            render_value(&json!({ "x": "{{ body.nope | default(0) }}" }), &ctx()).unwrap(),
            json!({ "x": 0 })
        );
        let mut templates = Templates::new();
        let errors = templates
            .add_value("actions[0].body", &json!({ "a": "{{ ok }}", "b": ["{{ broken "] }))
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].name, "actions[0].body.b[0]");
    }

    #[test]
    fn fast_paths_render_like_the_engine() {
        let texts = [
            "{{ body.project.name }}",
            "id {{ body.id }}/{{ body.timeInterval.offsetStart }} {{ body.billable }}",
            "{{ headers['x-request-id'] }}",
            "{{ body.tags[0].name }}",
            "{{ steps.tag.body.id }}:{{ steps['tag'].status }}",
            "Bearer {{ secrets.API_KEY }}",
            "{{ body.hourlyRate }}",
            "{{ body.project }}",
            "{{ body.nothing }}",
            "{{ body.tags[5].name }}",
            "{{ secrets.MISSING }}",
            "{{ event.receivedAt }} ",
            "{{ body.description | upper }} ({{ body.user.name | lower }})",
            "{{ body.nothing | default('none') | upper }}",
            "{{ body.nothing | d(\"a|b\") }}",
            "{{ body.user | json }}",
            "{{ body.user.name | tojson }}",
            "{{ body.tags[9] | default(3) }}",
            "{{ secrets.MISSING | d('x') }}",
            "{{ secrets.API_KEY | upper }}",
            "{{ body.description | trim | lower }}",
            "{{ body.timeInterval.offsetStart | upper }}",
            "{{ body.nothing.deeper | default('x') }}",
            "{{ body.description.deeper | default('x') }}",
            "{{ steps.nope | default('none') }}",
            "{{ steps.nope.body | default('none') }}",
            "{{ body.hourlyRate | default('none') }}",
            "{{ body.project | upper }}",
        ];
        let values = [
            "{{ body.project }}",
            "{{ body.tags }}",
            "{{ body.tags[0] }}",
            "{{ body.timeInterval.offsetStart }}",
            "{{ body.hourlyRate }}",
            "{{ body.billable }}",
            "{{ steps.tag.body }}",
            "{{ secrets.API_KEY }}",
            "{{ body.nothing }}",
            "{{ body.description.x }}",
            "{{ body.nothing | default(0) }}",
            "{{ body.nothing | default('x') | upper }}",
            "{{ body.project | json }}",
            "{{ body.tags | default('none') }}",
            "{{ body.nothing }}",
        ];
        for masked in [false, true] {
            let ctx = if masked { RenderContext::masked(&doc()) } else { ctx() };
            let mut fast = Templates::new();
            let mut slow = Templates::new();
            slow.fast_paths = false;
            for (index, text) in texts.iter().enumerate() {
                let name = format!("t{index}");
                let fast_text = fast.add(&name, text).unwrap();
                let slow_text = slow.add(&name, text).unwrap();
                assert_eq!(fast.render(&fast_text, &ctx), slow.render(&slow_text, &ctx), "{text}");
            }
            for (index, text) in values.iter().enumerate() {
                let name = format!("v{index}");
                let value = Value::String(text.to_string());
                let fast_value = fast.add_value(&name, &value).unwrap();
                let slow_value = slow.add_value(&name, &value).unwrap();
                assert_eq!(
                    fast.render_value(&fast_value, &ctx),
                    slow.render_value(&slow_value, &ctx),
                    "{text}"
                );
            }
        }
        for fast in [
            "a {{ body.x }} b",
            "{{ body.d | upper }} ({{ body.u.name | lower }})",
            "{{ b | d('a|b') | json }}",
        ] {
            let fast = fast.replace("{{ b ", "{{ body ");
            assert!(
                matches!(
                    Templates::new().add("t", &fast).unwrap(),
                    CompiledText::Template(TextTemplate { fast: Some(_), .. })
                ),
                "{fast}"
            );
        }
        for slow_only in [
            "{{ body.x | title }}",
            "{{ body.x | default(a) }}",
            "{{- body.x }}",
            "{% if x %}{% endif %}",
            "{{ body.x }}\n",
            "{{ 1 }}",
        ] {
            assert_eq!(fast_pieces(slow_only), None, "{slow_only}");
        }
    }

    #[test]
    fn lazy_documents_work_with_filters_and_loops() {
        assert_eq!(
            render("{{ body.tags | map(attribute='name') | join(',') }}").unwrap(),
            "new"
        );
        assert_eq!(render("{{ body.project | length > 3 }}").unwrap(), "true");
        assert_eq!(
            render("{% for key in body.user %}{{ key }};{% endfor %}").unwrap(),
            "id;name;status;"
        );
        assert_eq!(render("{{ body.tags[0]['name'] }}").unwrap(), "new");
        assert_eq!(
            render("{% if body.customFieldValues %}x{% else %}empty{% endif %}").unwrap(),
            "empty"
        );
        assert_eq!(
            render("{{ body.user | json }}").unwrap(),
            r#"{"id":"684446430300f917a02c198a","name":"johndoe","status":"ACTIVE"}"#
        );
        let mut ctx = ctx();
        ctx.add_step("later", &json!({ "status": 200, "body": [1, 2], "headers": {} }));
        assert_eq!(
            render_str("{{ steps.later.body | sum }} {{ steps.tag.status }}", &ctx).unwrap(),
            "3 201"
        );
        assert_eq!(ctx.workspace_id(), Some("684446430300f917a02c198b"));
    }

    #[test]
    fn single_expressions_are_recognised() {
        assert_eq!(single_expression(" {{ a.b }} "), Some("a.b"));
        assert_eq!(single_expression("{{- a -}}"), Some("a"));
        assert_eq!(single_expression("{{ a }} {{ b }}"), None);
        assert_eq!(single_expression("x {{ a }}"), None);
        assert_eq!(single_expression("{{ }}"), None);
    }

    #[test]
    fn references_name_steps_and_unknown_roots() {
        let mut templates = Templates::new();
        templates
            .add(
                "t",
                "{{ steps.tag.body.id }} {{ steps['notify'].status }} {{ bdy.x }} {% for t in body.tags %}{{ t.name }}{% endfor %} {{ range(2) | list | length }}",
            )
            .unwrap();
        let references = templates.references("t");
        assert_eq!(
            references.steps,
            BTreeSet::from(["tag".to_string(), "notify".to_string()])
        );
        assert_eq!(references.unknown, BTreeSet::from(["bdy".to_string()]));
    }
}
