//! `$ref` resolution against `#/components/schemas`.

use serde_json::{Map, Value};

/// How deep [`resolve`] expands nested references before leaving a `$ref` in place. Cycles
/// stop earlier: a schema is never expanded inside itself.
pub const MAX_REF_DEPTH: usize = 16;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The schema name of a `#/components/schemas/Name` reference.
pub fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_PREFIX)
}

/// The schema a `{"$ref": …}` object points to, one level, if it is such an object.
pub(crate) fn deref<'a>(schema: &'a Value, schemas: &'a Map<String, Value>) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_name)
        .and_then(|name| schemas.get(name))
        .unwrap_or(schema)
}

/// A copy of `schema` with every schema reference replaced by its target. A reference that is
/// unknown, cyclic (already being expanded) or deeper than [`MAX_REF_DEPTH`] is left as is, so
/// the result is finite. Keys beside a `$ref` are kept on top of the target's.
pub fn resolve(schema: &Value, schemas: &Map<String, Value>) -> Value {
    let mut stack = Vec::new();
    expand(schema, schemas, &mut stack)
}

fn expand<'a>(value: &'a Value, schemas: &'a Map<String, Value>, stack: &mut Vec<&'a str>) -> Value {
    match value {
        Value::Object(object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(ref_name)
                .and_then(|name| schemas.get_key_value(name));
            match target {
                Some((name, target)) if stack.len() < MAX_REF_DEPTH && !stack.contains(&name.as_str()) => {
                    stack.push(name);
                    let mut resolved = expand(target, schemas, stack);
                    stack.pop();
                    if let Value::Object(resolved_object) = &mut resolved {
                        for (key, sibling) in object.iter().filter(|(key, _)| *key != "$ref") {
                            resolved_object.insert(key.clone(), expand(sibling, schemas, stack));
                        }
                    }
                    resolved
                }
                _ => Value::Object(
                    object
                        .iter()
                        .map(|(key, child)| (key.clone(), expand(child, schemas, stack)))
                        .collect(),
                ),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| expand(item, schemas, stack)).collect()),
        other => other.clone(),
    }
}

/// The schema of a field inside an object schema, by JSON pointer over property names
/// (`/detailedFilter/pageSize`), following references (and `allOf` members) on the way.
pub(crate) fn resolve_pointer<'a>(
    schema: &'a Value,
    pointer: &str,
    schemas: &'a Map<String, Value>,
) -> Option<&'a Value> {
    let mut current = deref(schema, schemas);
    for field in pointer.split('/').skip(1) {
        current = property(current, field, schemas, 0)?;
    }
    Some(current)
}

fn property<'a>(schema: &'a Value, field: &str, schemas: &'a Map<String, Value>, depth: usize) -> Option<&'a Value> {
    if depth > MAX_REF_DEPTH {
        return None;
    }
    let schema = deref(schema, schemas);
    if let Some(found) = schema.get("properties").and_then(|properties| properties.get(field)) {
        return Some(deref(found, schemas));
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|member| property(member, field, schemas, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Map<String, Value> {
        let Value::Object(map) = json!({
            "Node": {
                "type": "object",
                "properties": {
                    "name": { "type": "string" },
                    "children": { "type": "array", "items": { "$ref": "#/components/schemas/Node" } },
                    "owner": { "$ref": "#/components/schemas/Owner", "description": "who" }
                }
            },
            "Owner": { "type": "object", "properties": { "id": { "type": "string" } } }
        }) else {
            unreachable!()
        };
        map
    }

    #[test]
    fn expands_references_and_stops_at_cycles() {
        let schemas = schemas();
        let resolved = resolve(&json!({ "$ref": "#/components/schemas/Node" }), &schemas);
        assert_eq!(resolved["properties"]["owner"]["properties"]["id"]["type"], "string");
        assert_eq!(resolved["properties"]["owner"]["description"], "who");
        assert_eq!(
            resolved["properties"]["children"]["items"],
            json!({ "$ref": "#/components/schemas/Node" })
        );
    }

    #[test]
    fn leaves_unknown_references() {
        let unknown = json!({ "$ref": "#/components/schemas/Nope" });
        assert_eq!(resolve(&unknown, &schemas()), unknown);
        let external = json!({ "$ref": "other.json#/X" });
        assert_eq!(resolve(&external, &schemas()), external);
    }

    #[test]
    fn follows_pointers_through_references() {
        let schemas = schemas();
        let node = json!({ "$ref": "#/components/schemas/Node" });
        assert_eq!(
            resolve_pointer(&node, "/owner/id", &schemas),
            Some(&json!({ "type": "string" }))
        );
        assert_eq!(resolve_pointer(&node, "/owner/missing", &schemas), None);
    }
}
