//! Rules: a JSONPath into the event document (see [`super::document`]), an operator and a
//! value.
//!
//! - **Paths** are RFC 9535 JSONPath, starting at `$`: `$.body.project.name`,
//!   `$.headers['x-foo']` (names with dashes need brackets), `$.body.tags[*].name`,
//!   `$.body.tags[?@.name == 'billable'].id`. The filter functions `match()` and `search()`
//!   are refused: use the `matches` operator, whose regular expressions are size-limited.
//! - **Several values**: a path with wildcards or filters can find several values; the rule
//!   holds when *any* of them satisfies it. Two operators read "none" instead, because that is
//!   what their names say: `not_equals` holds when no value equals the rule's value, and
//!   `is_empty` holds when nothing is found.
//! - **Text form**: strings are compared as they are (case-sensitive), numbers and booleans
//!   by their JSON text, `null` as `null`.
//! - `equals` / `not_equals` / `in_list` compare numbers numerically when both sides parse
//!   as numbers (`10` equals `10.0`); long digit strings such as ids always compare as text.
//! - `contains`: a substring of a string (or of a number's text); on an array, an element
//!   equals the value; on an object, a key with that name exists.
//! - `starts_with` / `ends_with` / `matches`: on strings, numbers and booleans only.
//! - Ordered comparisons (`greater_than`, …) take numbers, else ISO-8601 date-times
//!   (`2025-06-16T07:05:00Z`, fractional seconds and offsets allowed; without an offset UTC is
//!   assumed; a date alone is midnight UTC), else ISO-8601 durations (`PT1H30M`, `P1DT2H`,
//!   `PT0.5S`, `P2W`; years and months are refused because their length varies). Both sides
//!   must be of the same kind; otherwise the rule does not hold and says why.
//! - `exists`: a value was found and it is not `null`.
//! - `is_empty`: nothing found, or a value that is `null`, `""`, `[]` or `{}`.
//! - `in_list`: the rule's value is a comma-separated list (items trimmed, empty ones
//!   ignored); an array value holds when any element is in the list.

use std::{borrow::Cow, fmt};

use jsonpath_rust::{
    parser::{
        model::{JpQuery, Segment, Selector},
        parse_json_path,
    },
    query::js_path_process,
};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{
    format_description::well_known::Rfc3339, macros::format_description, Date, OffsetDateTime, PrimitiveDateTime,
};

use super::model::{Combine, Conditions, Operator, Rule};

/// The largest compiled program a `matches` regular expression may have (bytes).
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// The largest lazy DFA cache a `matches` regular expression may use (bytes).
pub const REGEX_DFA_SIZE_LIMIT: usize = 256 * 1024;
/// Digit strings longer than this compare as text only (ids must not round to each other).
const MAX_NUMERIC_TEXT: usize = 15;

/// What one rule found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    pub matched: bool,
    /// The first value the path found, for the preview.
    pub actual: Option<Value>,
    /// Why the rule could not be evaluated (bad path or value), or why it does not hold
    /// when that is not obvious (a text compared with a date).
    pub error: Option<String>,
}

/// One group's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub matched: bool,
    pub rules: Vec<RuleResult>,
}

/// The result of all of a flow's conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionsResult {
    pub matched: bool,
    pub groups: Vec<GroupResult>,
}

/// Which part of a rule is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleField {
    Path,
    Value,
}

impl RuleField {
    /// The field's name in the serialised rule.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleField::Path => "path",
            RuleField::Value => "value",
        }
    }
}

/// Why a rule cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: RuleField,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

/// A value an ordered comparison can use.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Ordered {
    Number(f64),
    /// Unix nanoseconds.
    DateTime(i128),
    /// Seconds.
    Duration(f64),
}

impl Ordered {
    /// Numbers first, then date-times, then durations.
    pub fn parse(value: &Value) -> Option<Ordered> {
        match value {
            Value::Number(number) => number.as_f64().map(Ordered::Number),
            Value::String(text) => {
                let text = text.trim();
                parse_number(text)
                    .map(Ordered::Number)
                    .or_else(|| parse_date_time(text).map(Ordered::DateTime))
                    .or_else(|| parse_duration(text).map(Ordered::Duration))
            }
            _ => None,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Ordered::Number(_) => "a number",
            Ordered::DateTime(_) => "a date-time",
            Ordered::Duration(_) => "a duration",
        }
    }

    /// Compares two values of the same kind.
    fn compare(self, other: Ordered) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Ordered::Number(a), Ordered::Number(b)) | (Ordered::Duration(a), Ordered::Duration(b)) => {
                a.partial_cmp(&b)
            }
            (Ordered::DateTime(a), Ordered::DateTime(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    }
}

/// A finite number written as text (`12`, `-3.5`, `1e3`); not `inf` or `NaN`.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || b"+-.eE".contains(&byte))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|number| number.is_finite())
}

/// An ISO-8601 date-time as unix nanoseconds: RFC 3339 (`2025-06-16T07:05:00Z`,
/// `…:00.5+05:30`), a local date-time taken as UTC (`2025-06-16T12:35:00`) or a date
/// (`2025-06-16`, midnight UTC).
pub fn parse_date_time(text: &str) -> Option<i128> {
    let text = text.trim();
    if let Ok(moment) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(moment.unix_timestamp_nanos());
    }
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
    if let Ok(moment) = PrimitiveDateTime::parse(text, local) {
        return Some(moment.assume_utc().unix_timestamp_nanos());
    }
    let date = format_description!("[year]-[month]-[day]");
    Date::parse(text, date)
        .ok()
        .map(|day| day.midnight().assume_utc().unix_timestamp_nanos())
}

/// An ISO-8601 duration in seconds: `PT1H30M`, `P1DT2H`, `PT0.5S`, `P2W`, `-PT5M`. Years and
/// months are refused (their length varies), as are empty ones (`P`, `PT`).
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = text.strip_prefix(['P', 'p'])?;
    let (date_part, time_part) = match rest.find(['T', 't']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let mut seconds = 0.0;
    let mut components = 0;
    for (part, units) in [
        (date_part, &[('W', 604_800.0), ('D', 86_400.0)][..]),
        (time_part.unwrap_or(""), &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)][..]),
    ] {
        let mut part = part;
        let mut next_unit = 0;
        while !part.is_empty() {
            let end = part.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
            let number: f64 = part[..end].replace(',', ".").parse().ok()?;
            let unit = part[end..].chars().next()?.to_ascii_uppercase();
            let position = units[next_unit..].iter().position(|(name, _)| *name == unit)?;
            seconds += number * units[next_unit + position].1;
            next_unit += position + 1;
            components += 1;
            part = &part[end + unit.len_utf8()..];
        }
    }
    if components == 0 || time_part == Some("") {
        return None;
    }
    Some(sign * seconds).filter(|value| value.is_finite())
}

/// The text a value is compared by.
fn text_form(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(text) => Cow::Borrowed(text),
        Value::Null => Cow::Borrowed("null"),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        other => Cow::Owned(other.to_string()),
    }
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// The rule's value for the equality operators: its text and, when short, its number.
#[derive(Debug, Clone)]
struct Literal {
    text: String,
    number: Option<f64>,
}

impl Literal {
    fn new(text: &str) -> Literal {
        let number = (text.len() <= MAX_NUMERIC_TEXT).then(|| parse_number(text)).flatten();
        Literal {
            text: text.to_owned(),
            number,
        }
    }

    fn equals(&self, value: &Value) -> bool {
        let text = text_form(value);
        if text == self.text {
            return true;
        }
        match (self.number, value) {
            (Some(expected), Value::Number(number)) => number.as_f64() == Some(expected),
            (Some(expected), Value::String(text)) if text.len() <= MAX_NUMERIC_TEXT => {
                parse_number(text) == Some(expected)
            }
            _ => false,
        }
    }
}

/// What the operator compares with, parsed once.
#[derive(Debug, Clone)]
enum Expected {
    Nothing,
    Literal(Literal),
    Regex(Regex),
    Ordered(Ordered),
    List(Vec<Literal>),
}

/// The parsed path.
#[derive(Debug, Clone)]
struct CompiledPath {
    query: JpQuery,
    /// For paths of names, indexes and wildcards only (`$.body.project.name`,
    /// `$.headers['x-foo']`, `$.body.tags[*].name`): the steps, walked directly instead of
    /// through the query engine (same results, checked by a test).
    direct: Option<Vec<DirectStep>>,
}

#[derive(Debug, Clone)]
enum DirectStep {
    Name(String),
    Index(i64),
    Wildcard,
}

impl CompiledPath {
    fn new(query: JpQuery) -> CompiledPath {
        let direct = query
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Selector(Selector::Name(name)) => Some(DirectStep::Name(name.clone())),
                Segment::Selector(Selector::Index(index)) => Some(DirectStep::Index(*index)),
                Segment::Selector(Selector::Wildcard) => Some(DirectStep::Wildcard),
                _ => None,
            })
            .collect();
        CompiledPath { query, direct }
    }

    /// The values the path finds.
    fn find<'a>(&self, doc: &'a Value) -> Result<Vec<&'a Value>, String> {
        let Some(steps) = &self.direct else {
            return js_path_process(&self.query, doc)
                .map(|found| found.into_iter().map(|reference| reference.val).collect())
                .map_err(|error| format!("The path could not be read: {error}"));
        };
        let mut found = vec![doc];
        for step in steps {
            let mut next = Vec::with_capacity(found.len());
            for value in found {
                match (step, value) {
                    (DirectStep::Name(name), Value::Object(object)) => next.extend(object.get(name)),
                    (DirectStep::Index(index), Value::Array(items)) => {
                        // Negative indexes count from the end (RFC 9535).
                        let position = if *index < 0 {
                            i64::try_from(items.len()).ok().map(|len| len + index)
                        } else {
                            Some(*index)
                        };
                        next.extend(
                            position
                                .and_then(|position| usize::try_from(position).ok())
                                .and_then(|position| items.get(position)),
                        );
                    }
                    (DirectStep::Wildcard, Value::Array(items)) => next.extend(items.iter()),
                    (DirectStep::Wildcard, Value::Object(object)) => next.extend(object.values()),
                    _ => {}
                }
            }
            found = next;
        }
        Ok(found)
    }
}

/// A JSONPath that parses (and does not use `match()`/`search()`), or a sentence saying why not.
pub fn compile_path(path: &str) -> Result<JpQuery, String> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err("Enter a JSONPath, for example `$.body.project.name`.".into());
    }
    if !trimmed.starts_with('$') {
        return Err(format!(
            "`{trimmed}` is not a JSONPath: it must start at `$`, for example `$.{}`.",
            trimmed.trim_start_matches('.')
        ));
    }
    let squeezed: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if squeezed.contains("match(") || squeezed.contains("search(") {
        return Err(format!(
            "`{trimmed}` uses match() or search(): use the \"matches regex\" operator instead."
        ));
    }
    parse_json_path(trimmed).map_err(|error| {
        let text = error.to_string();
        // pest reports `--> line:column`; people only need the column.
        let column = text
            .split_once("--> ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|position| position.rsplit(':').next())
            .and_then(|column| column.parse::<usize>().ok());
        let hint = if trimmed.contains('-') {
            " Names with dashes need brackets, for example `$.headers['x-foo']`."
        } else {
            ""
        };
        match column {
            Some(column) => format!("`{trimmed}` is not a valid JSONPath (a problem at character {column}).{hint}"),
            None => format!("`{trimmed}` is not a valid JSONPath.{hint}"),
        }
    })
}

/// A regular expression within the size limits, or a sentence saying why not.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
        .map_err(|error| match error {
            regex::Error::CompiledTooBig(_) => {
                "The regular expression is too large: simplify it (for example fewer repetitions).".to_string()
            }
            other => format!("The regular expression is not valid: {}", other.to_string().trim()),
        })
}

/// A rule ready to run against many documents.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    operator: Operator,
    path: CompiledPath,
    expected: Expected,
}

impl CompiledRule {
    /// Parses the path and the value for the operator.
    pub fn compile(rule: &Rule) -> Result<CompiledRule, RuleError> {
        let query = compile_path(&rule.path).map_err(|message| RuleError {
            field: RuleField::Path,
            message,
        })?;
        let value_error = |message: String| RuleError {
            field: RuleField::Value,
            message,
        };
        let expected = match rule.operator {
            Operator::Exists | Operator::IsEmpty => Expected::Nothing,
            Operator::Equals | Operator::NotEquals | Operator::Contains | Operator::StartsWith | Operator::EndsWith => {
                Expected::Literal(Literal::new(&rule.value))
            }
            Operator::Matches => Expected::Regex(compile_regex(&rule.value).map_err(value_error)?),
            Operator::GreaterThan | Operator::GreaterOrEqual | Operator::LessThan | Operator::LessOrEqual => {
                let ordered = Ordered::parse(&Value::String(rule.value.clone())).ok_or_else(|| {
                    value_error(format!(
                        "\"{}\" {} compares numbers, dates (2025-06-16T09:00:00Z) or durations (PT1H30M); `{}` is none of these.",
                        rule.operator.label(),
                        rule.operator.label(),
                        rule.value
                    ))
                })?;
                Expected::Ordered(ordered)
            }
            Operator::InList => {
                let items: Vec<Literal> = rule
                    .value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(Literal::new)
                    .collect();
                if items.is_empty() {
                    return Err(value_error(
                        "\"is one of\" needs a list of values separated by commas.".to_string(),
                    ));
                }
                Expected::List(items)
            }
        };
        Ok(CompiledRule {
            operator: rule.operator,
            path: CompiledPath::new(query),
            expected,
        })
    }

    /// Runs the rule against a document.
    pub fn evaluate(&self, doc: &Value) -> RuleResult {
        let found = match self.path.find(doc) {
            Ok(found) => found,
            Err(error) => {
                return RuleResult {
                    matched: false,
                    actual: None,
                    error: Some(error),
                }
            }
        };
        let actual = found.first().map(|value| (*value).clone());
        let mut note = None;
        let matched = match (&self.operator, &self.expected) {
            (Operator::NotEquals, Expected::Literal(literal)) => !found.iter().any(|value| literal.equals(value)),
            (Operator::IsEmpty, _) => found.is_empty() || found.iter().any(|value| is_empty(value)),
            _ => found.iter().any(|value| self.holds_for(value, &mut note)),
        };
        RuleResult {
            matched,
            actual,
            error: if matched { None } else { note },
        }
    }

    /// Whether one found value satisfies the rule; `note` says why a comparison was impossible.
    fn holds_for(&self, value: &Value, note: &mut Option<String>) -> bool {
        match (&self.operator, &self.expected) {
            (Operator::Equals, Expected::Literal(literal)) => literal.equals(value),
            (Operator::Contains, Expected::Literal(literal)) => match value {
                Value::Array(items) => items.iter().any(|item| literal.equals(item)),
                Value::Object(object) => object.contains_key(&literal.text),
                Value::Null => false,
                other => text_form(other).contains(literal.text.as_str()),
            },
            (Operator::StartsWith, Expected::Literal(literal)) => {
                is_scalar(value) && text_form(value).starts_with(literal.text.as_str())
            }
            (Operator::EndsWith, Expected::Literal(literal)) => {
                is_scalar(value) && text_form(value).ends_with(literal.text.as_str())
            }
            (Operator::Matches, Expected::Regex(regex)) => is_scalar(value) && regex.is_match(&text_form(value)),
            (Operator::Exists, _) => !value.is_null(),
            (Operator::InList, Expected::List(items)) => match value {
                Value::Array(elements) => elements
                    .iter()
                    .any(|element| items.iter().any(|item| item.equals(element))),
                other => items.iter().any(|item| item.equals(other)),
            },
            (operator, Expected::Ordered(expected)) => {
                let Some(actual) = Ordered::parse(value) else {
                    note.get_or_insert_with(|| {
                        format!(
                            "{} is not a number, a date or a duration, so it cannot be compared with `{}`.",
                            short(value),
                            expected_text(*expected)
                        )
                    });
                    return false;
                };
                let Some(ordering) = actual.compare(*expected) else {
                    note.get_or_insert_with(|| {
                        format!(
                            "{} is {} and the rule's value is {}: they cannot be compared.",
                            short(value),
                            actual.kind(),
                            expected.kind()
                        )
                    });
                    return false;
                };
                match operator {
                    Operator::GreaterThan => ordering.is_gt(),
                    Operator::GreaterOrEqual => ordering.is_ge(),
                    Operator::LessThan => ordering.is_lt(),
                    Operator::LessOrEqual => ordering.is_le(),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

fn expected_text(expected: Ordered) -> String {
    match expected {
        Ordered::Number(number) | Ordered::Duration(number) => number.to_string(),
        Ordered::DateTime(nanos) => OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|moment| moment.format(&Rfc3339).ok())
            .unwrap_or_default(),
    }
}

/// A value's text for a sentence, shortened.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

/// Compiles and runs one rule (for the preview of rules that are being typed).
pub fn evaluate_rule(rule: &Rule, doc: &Value) -> RuleResult {
    match CompiledRule::compile(rule) {
        Ok(compiled) => compiled.evaluate(doc),
        Err(error) => RuleResult {
            matched: false,
            actual: None,
            error: Some(error.message),
        },
    }
}

/// A flow's conditions, each rule compiled (or the reason it could not be).
#[derive(Debug, Clone)]
pub struct CompiledConditions {
    combine: Combine,
    groups: Vec<(Combine, Vec<Result<CompiledRule, RuleError>>)>,
}

impl CompiledConditions {
    /// Compiles every rule; rules that do not compile evaluate to "not matched" with their
    /// error, so the others can still be shown.
    pub fn compile(conditions: &Conditions) -> CompiledConditions {
        CompiledConditions {
            combine: conditions.combine,
            groups: conditions
                .groups
                .iter()
                .map(|group| (group.combine, group.rules.iter().map(CompiledRule::compile).collect()))
                .collect(),
        }
    }

    /// Every compile error with its group and rule index.
    pub fn errors(&self) -> impl Iterator<Item = (usize, usize, &RuleError)> {
        self.groups.iter().enumerate().flat_map(|(group, (_, rules))| {
            rules
                .iter()
                .enumerate()
                .filter_map(move |(rule, compiled)| compiled.as_ref().err().map(|error| (group, rule, error)))
        })
    }

    /// Evaluates every rule (no short-circuit: the results are shown).
    pub fn evaluate(&self, doc: &Value) -> ConditionsResult {
        let groups: Vec<GroupResult> = self
            .groups
            .iter()
            .map(|(combine, rules)| {
                let rules: Vec<RuleResult> = rules
                    .iter()
                    .map(|rule| match rule {
                        Ok(rule) => rule.evaluate(doc),
                        Err(error) => RuleResult {
                            matched: false,
                            actual: None,
                            error: Some(error.message.clone()),
                        },
                    })
                    .collect();
                GroupResult {
                    matched: combine_results(*combine, rules.iter().map(|rule| rule.matched)),
                    rules,
                }
            })
            .collect();
        ConditionsResult {
            matched: combine_results(self.combine, groups.iter().map(|group| group.matched)),
            groups,
        }
    }
}

/// `All` / `Any` over results; an empty list holds either way.
pub fn combine_results(combine: Combine, mut results: impl ExactSizeIterator<Item = bool>) -> bool {
    if results.len() == 0 {
        return true;
    }
    match combine {
        Combine::All => results.all(|matched| matched),
        Combine::Any => results.any(|matched| matched),
    }
}

/// Compiles and evaluates conditions in one go.
pub fn evaluate_conditions(conditions: &Conditions, doc: &Value) -> ConditionsResult {
    CompiledConditions::compile(conditions).evaluate(doc)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flows::model::ConditionGroup;

    const NEW_TIME_ENTRY: &str = include_str!("../../tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");

    fn doc() -> Value {
        let body: Value = serde_json::from_str(NEW_TIME_ENTRY).unwrap();
        json!({
            "event": { "id": "ev1", "type": "NEW_TIME_ENTRY", "source": "clockify",
                       "workspaceId": "684446430300f917a02c198b", "receivedAt": "2025-06-16T18:53:01Z" },
            "body": body,
            "headers": { "x-foo": "bar", "clockify-webhook-event-type": "NEW_TIME_ENTRY", "x-count": "12" }
        })
    }

    fn check(path: &str, operator: Operator, value: &str) -> RuleResult {
        evaluate_rule(
            &Rule {
                path: path.into(),
                operator,
                value: value.into(),
            },
            &doc(),
        )
    }

    fn holds(path: &str, operator: Operator, value: &str) -> bool {
        let result = check(path, operator, value);
        assert!(
            result.error.is_none() || !result.matched,
            "{path} {operator:?} {value}: {result:?}"
        );
        result.matched
    }

    #[test]
    fn equals_and_not_equals() {
        assert!(holds("$.body.project.name", Operator::Equals, "Test"));
        assert!(!holds("$.body.project.name", Operator::Equals, "test"));
        assert!(holds("$.body.billable", Operator::Equals, "true"));
        assert!(holds("$.body.timeInterval.offsetStart", Operator::Equals, "19800.0"));
        assert!(holds("$.headers['x-count']", Operator::Equals, "12.0"));
        assert!(holds("$.body.hourlyRate", Operator::Equals, "null"));
        assert!(holds("$.body.project.name", Operator::NotEquals, "Other"));
        assert!(!holds("$.body.project.name", Operator::NotEquals, "Test"));
        // Not equal to anything when missing; "none equals" over several values.
        assert!(holds("$.body.nothing", Operator::NotEquals, "x"));
        assert!(!holds("$.body.tags[*].name", Operator::NotEquals, "new"));
        // Long digit strings are ids: no rounding.
        let long = json!({ "id": "12345678901234567890" });
        let rule = Rule {
            path: "$.id".into(),
            operator: Operator::Equals,
            value: "12345678901234567891".into(),
        };
        assert!(!evaluate_rule(&rule, &long).matched);
    }

    #[test]
    fn contains_starts_ends() {
        assert!(holds("$.body.description", Operator::Contains, "es"));
        assert!(!holds("$.body.description", Operator::Contains, "xyz"));
        assert!(holds(
            "$.body.task.assigneeIds",
            Operator::Contains,
            "684446430300f917a02c198a"
        ));
        assert!(!holds("$.body.task.assigneeIds", Operator::Contains, "6844"));
        assert!(holds("$.body.project", Operator::Contains, "color"));
        assert!(holds("$.body.timeInterval.offsetStart", Operator::Contains, "98"));
        assert!(holds("$.body.project.color", Operator::StartsWith, "#03"));
        assert!(!holds("$.body.project.color", Operator::StartsWith, "03"));
        assert!(holds("$.body.timeInterval.start", Operator::EndsWith, "Z"));
        assert!(!holds("$.body.timeInterval.start", Operator::EndsWith, "2025"));
        assert!(!holds("$.body.tags", Operator::StartsWith, "["));
    }

    #[test]
    fn matches_uses_size_limited_regexes() {
        assert!(holds("$.body.project.color", Operator::Matches, "^#[0-9A-F]{6}$"));
        assert!(!holds("$.body.project.color", Operator::Matches, "^[a-z]+$"));
        assert!(holds("$.body.description", Operator::Matches, "(?i)^TEST$"));
        let invalid = check("$.body.description", Operator::Matches, "(unclosed");
        assert!(!invalid.matched);
        assert!(invalid.error.unwrap().contains("not valid"));
        let huge = check("$.body.description", Operator::Matches, r"\w{1000}\w{1000}\w{1000}");
        assert!(huge.error.unwrap().contains("too large"));
    }

    #[test]
    fn ordered_comparisons_on_numbers() {
        assert!(holds(
            "$.body.timeInterval.offsetStart",
            Operator::GreaterThan,
            "19799.5"
        ));
        assert!(!holds(
            "$.body.timeInterval.offsetStart",
            Operator::GreaterThan,
            "19800"
        ));
        assert!(holds(
            "$.body.timeInterval.offsetStart",
            Operator::GreaterOrEqual,
            "19800"
        ));
        assert!(holds("$.headers['x-count']", Operator::LessThan, "13"));
        assert!(!holds("$.headers['x-count']", Operator::LessThan, "12"));
        assert!(holds("$.headers['x-count']", Operator::LessOrEqual, "12"));
    }

    #[test]
    fn ordered_comparisons_on_dates() {
        assert!(holds(
            "$.body.timeInterval.start",
            Operator::GreaterThan,
            "2025-06-16T07:04:59.999Z"
        ));
        assert!(!holds(
            "$.body.timeInterval.start",
            Operator::GreaterThan,
            "2025-06-16T12:35:00+05:30"
        ));
        assert!(holds(
            "$.body.timeInterval.start",
            Operator::GreaterOrEqual,
            "2025-06-16T12:35:00+05:30"
        ));
        assert!(holds("$.body.timeInterval.end", Operator::LessThan, "2025-06-17"));
        assert!(holds(
            "$.body.timeInterval.zonedStart",
            Operator::LessOrEqual,
            "2025-06-16T12:35:00Z"
        ));
        assert_eq!(
            parse_date_time("2025-06-16T07:05:00.5Z"),
            parse_date_time("2025-06-16T07:05:00Z").map(|nanos| nanos + 500_000_000)
        );
    }

    #[test]
    fn ordered_comparisons_on_durations() {
        assert!(holds("$.body.timeInterval.duration", Operator::GreaterThan, "PT8H"));
        assert!(!holds("$.body.timeInterval.duration", Operator::GreaterThan, "P1DT2H"));
        assert!(holds("$.body.timeInterval.duration", Operator::LessOrEqual, "PT11H48M"));
        assert!(holds(
            "$.body.timeInterval.duration",
            Operator::GreaterOrEqual,
            "PT708M"
        ));
        assert!(holds("$.body.project.estimate.estimate", Operator::LessThan, "PT0.5S"));
        assert_eq!(parse_duration("PT1H30M"), Some(5_400.0));
        assert_eq!(parse_duration("P1DT2H"), Some(93_600.0));
        assert_eq!(parse_duration("PT0.5S"), Some(0.5));
        assert_eq!(parse_duration("P2W"), Some(1_209_600.0));
        assert_eq!(parse_duration("-PT5M"), Some(-300.0));
        for bad in ["P", "PT", "P1M", "P1Y", "PT1H2D", "PT1M1H", "1H", "PTxS"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn ordered_comparisons_of_different_kinds_say_why() {
        let result = check("$.body.timeInterval.duration", Operator::GreaterThan, "5");
        assert!(!result.matched);
        assert!(result
            .error
            .unwrap()
            .contains("is a duration and the rule's value is a number"));
        let result = check("$.body.description", Operator::GreaterThan, "PT1H");
        assert!(result.error.unwrap().contains("is not a number, a date or a duration"));
        let result = check("$.body.description", Operator::GreaterThan, "soon");
        assert!(result.error.unwrap().contains("`soon` is none of these"));
    }

    #[test]
    fn exists_is_empty_in_list() {
        assert!(holds("$.body.project", Operator::Exists, ""));
        assert!(!holds("$.body.hourlyRate", Operator::Exists, ""));
        assert!(!holds("$.body.nothing", Operator::Exists, ""));
        assert!(holds("$.body.nothing", Operator::IsEmpty, ""));
        assert!(holds("$.body.hourlyRate", Operator::IsEmpty, ""));
        assert!(holds("$.body.project.clientId", Operator::IsEmpty, ""));
        assert!(holds("$.body.customFieldValues", Operator::IsEmpty, ""));
        assert!(!holds("$.body.project", Operator::IsEmpty, ""));
        assert!(!holds("$.body.description", Operator::IsEmpty, ""));
        assert!(holds("$.body.type", Operator::InList, "BREAK, REGULAR"));
        assert!(!holds("$.body.type", Operator::InList, "BREAK,HOLIDAY"));
        assert!(holds("$.body.timeInterval.offsetStart", Operator::InList, "1, 19800"));
        assert!(holds(
            "$.body.task.assigneeIds",
            Operator::InList,
            "x,684446430300f917a02c198a"
        ));
        let empty_list = check("$.body.type", Operator::InList, " , ");
        assert!(empty_list.error.unwrap().contains("comma"));
    }

    #[test]
    fn jsonpath_edge_cases() {
        // Missing path: nothing found, no error.
        let missing = check("$.body.project.nothing.deeper", Operator::Equals, "x");
        assert_eq!((missing.matched, missing.actual, missing.error), (false, None, None));
        // Wildcard: any value.
        let wildcard = check("$.body.tags[*].name", Operator::Equals, "new");
        assert!(wildcard.matched);
        assert_eq!(wildcard.actual, Some(json!("new")));
        // Filter expression (RFC 9535 and the older parenthesised form).
        assert!(holds(
            "$.body.tags[?@.name == 'new'].archived",
            Operator::Equals,
            "false"
        ));
        assert!(holds(
            "$.body.tags[?(@.name == 'new')].id",
            Operator::StartsWith,
            "6845"
        ));
        assert!(!holds("$.body.tags[?@.name == 'old'].id", Operator::Exists, ""));
        // Header names with dashes need brackets.
        assert!(holds(
            "$.headers['clockify-webhook-event-type']",
            Operator::Equals,
            "NEW_TIME_ENTRY"
        ));
        let dashed = check("$.headers.x-foo", Operator::Equals, "bar");
        assert!(!dashed.matched);
        assert!(dashed.error.unwrap().contains("brackets"));
        // Invalid paths are errors, not panics.
        for bad in ["$.body[", "body.project", "", "$..[?", "$.body[?match(@.name, 'a')]"] {
            let result = check(bad, Operator::Exists, "");
            assert!(!result.matched && result.error.is_some(), "{bad}: {result:?}");
        }
        assert!(compile_path("body.project").unwrap_err().contains("must start at `$`"));
        // The actual value shown is the first one found.
        assert_eq!(
            check("$.body.project.name", Operator::Equals, "x").actual,
            Some(json!("Test"))
        );
    }

    #[test]
    fn direct_paths_find_what_the_query_engine_finds() {
        let doc = doc();
        let paths = [
            "$.body.project.name",
            "$['body']['project']['name']",
            "$.headers['x-foo']",
            "$.body.tags[0].name",
            "$.body.tags[-1].id",
            "$.body.tags[1]",
            "$.body.tags[-2]",
            "$.body.nothing.deeper",
            "$.body.project.name.deeper",
            "$.body.tags.name",
            "$.body.project[0]",
            "$",
            "$.body.tags[*].name",
            "$.body.tags[*]",
            "$.body.project.*",
            "$.body.*.name",
            "$.body.task.assigneeIds[*]",
            "$.body.description[*]",
            "$.body.tags[*].nothing",
            "$.headers.*",
        ];
        for path in paths {
            let compiled = CompiledPath::new(compile_path(path).unwrap());
            assert!(compiled.direct.is_some(), "{path}");
            let engine = CompiledPath {
                direct: None,
                ..compiled.clone()
            };
            assert_eq!(compiled.find(&doc), engine.find(&doc), "{path}");
        }
        for engine_only in [
            "$..name",
            "$.body.tags[?@.name == 'new']",
            "$.body.tags[0:1]",
            "$.body['a','b']",
        ] {
            assert!(
                CompiledPath::new(compile_path(engine_only).unwrap()).direct.is_none(),
                "{engine_only}"
            );
        }
    }

    #[test]
    fn groups_combine_all_and_any_and_empty_holds() {
        let rule = |path: &str, value: &str| Rule {
            path: path.into(),
            operator: Operator::Equals,
            value: value.into(),
        };
        let yes = rule("$.body.type", "REGULAR");
        let no = rule("$.body.type", "BREAK");
        let conditions = |combine, groups: Vec<(Combine, Vec<Rule>)>| Conditions {
            combine,
            groups: groups
                .into_iter()
                .map(|(combine, rules)| ConditionGroup { combine, rules })
                .collect(),
        };
        let doc = doc();
        assert!(evaluate_conditions(&Conditions::default(), &doc).matched);
        let any = conditions(Combine::All, vec![(Combine::Any, vec![yes.clone(), no.clone()])]);
        assert!(evaluate_conditions(&any, &doc).matched);
        let all = conditions(Combine::All, vec![(Combine::All, vec![yes.clone(), no.clone()])]);
        let result = evaluate_conditions(&all, &doc);
        assert!(!result.matched);
        assert_eq!(result.groups[0].rules.len(), 2);
        assert!(result.groups[0].rules[0].matched);
        let outer_any = conditions(
            Combine::Any,
            vec![(Combine::All, vec![no.clone()]), (Combine::All, vec![])],
        );
        assert!(evaluate_conditions(&outer_any, &doc).matched);
        // A broken rule fails alone; the others are still evaluated.
        let broken = conditions(Combine::All, vec![(Combine::Any, vec![rule("$.body[", "x"), yes])]);
        let compiled = CompiledConditions::compile(&broken);
        assert_eq!(compiled.errors().count(), 1);
        let result = compiled.evaluate(&doc);
        assert!(result.matched);
        assert!(result.groups[0].rules[0].error.is_some());
    }
}
