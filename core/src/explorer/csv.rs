//! CSV export of a JSON list (RFC 4180): one row per item, one column per key in order of
//! first appearance. Nested objects are flattened one level (`hourlyRate.amount`); anything
//! deeper, and arrays, go in as compact JSON. Fields with a comma, a quote or a line break are
//! quoted, quotes doubled; lines end with CRLF. A text that a spreadsheet would run as a formula
//! (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so an
//! exported name such as `=HYPERLINK(...)` opens as text (OWASP's advice on CSV injection).

use serde_json::{Map, Value};

/// The column of items that are not objects.
const VALUE_COLUMN: &str = "value";

/// `items` as CSV text, header first. An empty list gives an empty string.
pub fn to_csv(items: &[Value]) -> String {
    let rows: Vec<Map<String, Value>> = items.iter().map(flatten).collect();
    let mut columns: Vec<&str> = Vec::new();
    for row in &rows {
        for key in row.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    if columns.is_empty() {
        return String::new();
    }
    let mut csv = String::new();
    push_line(&mut csv, columns.iter().map(|column| column.to_string()));
    for row in &rows {
        push_line(
            &mut csv,
            columns
                .iter()
                .map(|column| row.get(*column).map(cell).unwrap_or_default()),
        );
    }
    csv
}

/// Objects one level deep become `parent.child` keys; other items are one `value`.
fn flatten(item: &Value) -> Map<String, Value> {
    let mut row = Map::new();
    match item {
        Value::Object(object) => {
            for (key, value) in object {
                match value {
                    Value::Object(inner) if !inner.is_empty() => {
                        for (inner_key, inner_value) in inner {
                            row.insert(format!("{key}.{inner_key}"), inner_value.clone());
                        }
                    }
                    other => {
                        row.insert(key.clone(), other.clone());
                    }
                }
            }
        }
        other => {
            row.insert(VALUE_COLUMN.to_string(), other.clone());
        }
    }
    row
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) if text.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{text}"),
        Value::String(text) => text.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

fn push_line(csv: &mut String, fields: impl Iterator<Item = String>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            csv.push(',');
        }
        csv.push_str(&quote(&field));
    }
    csv.push_str("\r\n");
}

/// RFC 4180 quoting of one field.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flattens_one_level_and_quotes() {
        let items = vec![
            json!({ "id": "1", "name": "Plain", "rate": { "amount": 10, "currency": "USD" }, "tags": ["a", "b"] }),
            json!({ "id": "2", "name": "Comma, \"quoted\"\nline", "archived": true, "rate": null }),
        ];
        assert_eq!(
            to_csv(&items),
            "id,name,rate.amount,rate.currency,tags,archived,rate\r\n\
             1,Plain,10,USD,\"[\"\"a\"\",\"\"b\"\"]\",,\r\n\
             2,\"Comma, \"\"quoted\"\"\nline\",,,,true,\r\n"
        );
    }

    #[test]
    fn texts_a_spreadsheet_would_run_open_as_text() {
        // Keys in alphabetical order, which is also their order of appearance.
        let items =
            vec![json!({ "amount": -5, "name": "=HYPERLINK(\"http://x\")", "note": "@SUM(A1)", "plain": "a-b" })];
        assert_eq!(
            to_csv(&items),
            "amount,name,note,plain\r\n-5,\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),a-b\r\n"
        );
    }

    #[test]
    fn deeper_objects_stay_json_and_scalars_get_a_value_column() {
        let items = vec![json!({ "a": { "b": { "c": 1 } } })];
        assert_eq!(to_csv(&items), "a.b\r\n\"{\"\"c\"\":1}\"\r\n");
        assert_eq!(to_csv(&[json!("x"), json!(2)]), "value\r\nx\r\n2\r\n");
        assert_eq!(to_csv(&[]), "");
    }
}
