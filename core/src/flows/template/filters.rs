//! The filters and functions flow templates add to (or put in place of) minijinja's:
//! `date`, `json`/`tojson`, `times`, a size-checked `replace`, a capped `range`, and the
//! formatter that prints JSON spellings and refuses undefined values.

use minijinja::{Error, ErrorKind, State, Value as JinjaValue};
use time::{
    format_description::{self, well_known::Rfc3339},
    macros::format_description as fd,
    OffsetDateTime, PrimitiveDateTime, UtcOffset,
};

use super::MAX_OUTPUT_BYTES;

/// The most items `range()` may produce (minijinja allows 100,000).
const MAX_RANGE_ITEMS: i64 = 1_000;

/// `range(stop)` / `range(start, stop, step)` as in Python, at most [`MAX_RANGE_ITEMS`] items.
pub(super) fn range_function(lower: i64, upper: Option<i64>, step: Option<i64>) -> Result<JinjaValue, Error> {
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
pub(super) fn times_filter(value: JinjaValue, factor: JinjaValue) -> Result<JinjaValue, Error> {
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
pub(super) fn date_filter(value: &JinjaValue, format: Option<&str>, offset: Option<&str>) -> Result<String, Error> {
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
pub(super) fn json_filter(value: &JinjaValue, indent: Option<JinjaValue>) -> Result<JinjaValue, Error> {
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
pub(super) fn replace_filter(value: &str, from: &str, to: &str) -> Result<String, Error> {
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
pub(super) fn json_friendly_formatter(
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
