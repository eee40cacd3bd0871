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

mod context;
mod fast;
mod filters;

use std::{collections::BTreeSet, io};

pub use context::RenderContext;
use fast::{fast_pieces, FastExpr, FastValue, Piece};
use filters::{date_filter, json_filter, json_friendly_formatter, range_function, replace_filter, times_filter};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde_json::Value;

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
    use std::collections::BTreeMap;

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
