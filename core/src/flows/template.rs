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
//! `date(format, offset)` and the other standard minijinja filters (`length`, `join(', ')`,
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
//! - **Undefined is an error.** `{{ body.nope }}` fails the step instead of sending an empty
//!   text. `{{ body.nope | default('none') }}` is fine. `default` rescues the last name
//!   only; for a missing parent write `{{ (body.project | default({})).name | default('') }}`.
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
    if inner.contains("{{") || inner.contains("}}") || inner.contains("{%") || inner.contains("{#") {
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

/// The names used as filters (`| name`) in a template's expressions and tags, string
/// literals skipped.
fn filter_names(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
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
        } else if byte == b'|' {
            let name: String = source[index + 1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
        index += 1;
    }
    names
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

/// Prints undefined values as errors even where strict mode would not (it always does today;
/// kept explicit so that output never silently loses a value).
fn strict_formatter(out: &mut minijinja::Output<'_>, state: &State<'_, '_>, value: &JinjaValue) -> Result<(), Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    minijinja::escape_formatter(out, state, value)
}

/// The environment every flow template compiles in.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(strict_formatter);
    env.set_recursion_limit(64);
    env.set_debug(false);
    env.remove_global("debug");
    // Indentation multiplies a text by its line count: not needed in requests.
    env.remove_filter("indent");
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
        ErrorKind::UnknownFilter => format!("{}", error.detail().unwrap_or("unknown filter")),
        _ => match error.detail() {
            Some(detail) => format!("{detail}"),
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
    Template(String),
}

/// A compiled JSON value whose strings are templates.
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledValue {
    /// No template inside.
    Literal(Value),
    /// A text template (by name).
    Text(String),
    /// Exactly one `{{ expression }}`: keeps the expression's JSON type (by name).
    Typed(String),
    Array(Vec<CompiledValue>),
    Object(Vec<(String, CompiledValue)>),
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
        Templates { env: environment() }
    }

    /// Compiles a text template under `name` (texts without template syntax are kept as
    /// they are and need no name).
    pub fn add(&mut self, name: &str, source: &str) -> Result<CompiledText, String> {
        if !is_template(source) {
            return Ok(CompiledText::Literal(source.to_string()));
        }
        self.compile(name, source.to_string(), source)?;
        Ok(CompiledText::Template(name.to_string()))
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
                    Some(expression) => {
                        check_blocks(text)
                            .and_then(|()| self.check_length(text))
                            .and_then(|()| {
                                // Compiles the typed form; the text form is compiled too, so
                                // that references and syntax errors read like the source.
                                self.compile(name, text.clone(), text)?;
                                let typed = format!("{{% set {TYPED_RESULT} = ({expression}) %}}");
                                self.compile(&typed_name(name), typed, text)
                            })
                            .map(|()| CompiledValue::Typed(name.to_string()))
                    }
                    None => self
                        .compile(name, text.clone(), text)
                        .map(|()| CompiledValue::Text(name.to_string())),
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
        // minijinja resolves filters when rendering; find unknown ones now.
        for filter in filter_names(shown) {
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
            CompiledText::Template(name) => self.render_named(name, ctx),
        }
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
            CompiledValue::Text(name) => self.render_named(name, ctx).map(Value::String),
            CompiledValue::Typed(name) => self.eval_typed(name, ctx),
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

/// Secrets in a preview: every name reads as [`SECRET_MASK`].
#[derive(Debug)]
struct MaskedSecrets;

impl Object for MaskedSecrets {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, _key: &JinjaValue) -> Option<JinjaValue> {
        Some(JinjaValue::from(SECRET_MASK))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Empty
    }
}

/// What templates render against: the document converted once per event, plus secrets.
#[derive(Debug, Clone)]
pub struct RenderContext {
    workspace_id: Option<String>,
    roots: BTreeMap<String, JinjaValue>,
    steps: BTreeMap<String, JinjaValue>,
    root: JinjaValue,
}

impl RenderContext {
    /// The document's top-level entries (`event`, `body`, `headers`, `steps`) and the secrets.
    pub fn new(doc: &Value, secrets: &BTreeMap<String, String>) -> RenderContext {
        RenderContext::build(doc, JinjaValue::from_serialize(secrets))
    }

    /// For previews: every `secrets.NAME` renders as [`SECRET_MASK`].
    pub fn masked(doc: &Value) -> RenderContext {
        RenderContext::build(doc, JinjaValue::from_object(MaskedSecrets))
    }

    fn build(doc: &Value, secrets: JinjaValue) -> RenderContext {
        let mut roots = BTreeMap::new();
        let mut steps = BTreeMap::new();
        if let Value::Object(object) = doc {
            for (key, value) in object {
                if key == "steps" {
                    if let Value::Object(done) = value {
                        for (id, output) in done {
                            steps.insert(id.clone(), JinjaValue::from_serialize(output));
                        }
                    }
                } else if key != "secrets" {
                    roots.insert(key.clone(), JinjaValue::from_serialize(value));
                }
            }
        }
        roots.insert("secrets".to_string(), secrets);
        let mut ctx = RenderContext {
            workspace_id: super::document::workspace_id(doc).map(str::to_string),
            roots,
            steps,
            root: JinjaValue::UNDEFINED,
        };
        ctx.rebuild();
        ctx
    }

    /// The event's workspace (`event.workspaceId`).
    pub fn workspace_id(&self) -> Option<&str> {
        self.workspace_id.as_deref()
    }

    /// Adds a finished step's output (`{"status", "body", "headers"}`) as `steps.<id>`.
    pub fn add_step(&mut self, id: &str, output: &Value) {
        self.steps.insert(id.to_string(), JinjaValue::from_serialize(output));
        self.rebuild();
    }

    fn rebuild(&mut self) {
        let mut root = self.roots.clone();
        root.insert("steps".to_string(), JinjaValue::from(self.steps.clone()));
        self.root = JinjaValue::from(root);
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
        let error = render("{% for a in range(100) %}{{ 'x' * 100000 }}{% endfor %}").unwrap_err();
        assert!(error.contains("output is larger"), "{error}");
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
