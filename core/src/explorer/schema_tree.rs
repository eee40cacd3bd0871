//! A request or response schema as a small tree for the operation view: each node has its
//! property name, a type label with the `$ref` schema name (`array of TagDtoV1`), whether it
//! is required, and its description. References are followed lazily and stop at cycles, at
//! [`MAX_DEPTH`] levels and after [`MAX_NODES`] nodes (such a node is marked `truncated`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::openapi::schema::{deref, ref_name};

/// Levels below the root.
pub const MAX_DEPTH: usize = 6;
/// Nodes in one tree.
pub const MAX_NODES: usize = 600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaNode {
    /// The property name; `None` at the root.
    pub name: Option<String>,
    /// `string`, `integer (int32)`, `object TagDtoV1`, `array of string`, `one of …`.
    pub kind: String,
    pub required: bool,
    pub description: Option<String>,
    pub children: Vec<SchemaNode>,
    /// Children were left out (a cycle, the depth or the size limit).
    pub truncated: bool,
}

struct Builder<'a> {
    schemas: &'a Map<String, Value>,
    stack: Vec<&'a str>,
    nodes: usize,
}

/// The tree of `schema` (with `$ref`s into `schemas`).
pub fn schema_tree(schema: &Value, schemas: &Map<String, Value>) -> SchemaNode {
    let mut builder = Builder {
        schemas,
        stack: Vec::new(),
        nodes: 0,
    };
    builder.node(None, schema, false, 0)
}

impl<'a> Builder<'a> {
    fn node(&mut self, name: Option<String>, schema: &'a Value, required: bool, depth: usize) -> SchemaNode {
        self.nodes += 1;
        let reference = schema.get("$ref").and_then(Value::as_str).and_then(ref_name);
        let target = deref(schema, self.schemas);
        let description = schema
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut node = SchemaNode {
            name,
            kind: String::new(),
            required,
            description,
            children: Vec::new(),
            truncated: false,
        };
        let cyclic = reference.is_some_and(|reference| self.stack.contains(&reference));
        let limited = cyclic || depth >= MAX_DEPTH || self.nodes >= MAX_NODES;
        if let Some(reference) = reference {
            self.stack.push(reference);
        }
        let kind = type_name(target);
        node.kind = match (kind.as_str(), reference) {
            ("object", Some(reference)) => format!("object {reference}"),
            (_, Some(reference)) if kind != "array" => format!("{kind} ({reference})"),
            _ => kind.clone(),
        };
        if kind == "array" {
            if let Some(items) = target.get("items") {
                if limited {
                    node.kind = format!("array of {}", items_label(items, self.schemas));
                    node.truncated = true;
                } else {
                    let item = self.node(None, items, false, depth + 1);
                    node.kind = format!("array of {}", item.kind);
                    node.children = item.children;
                    node.truncated = item.truncated;
                }
            }
        } else if let Some(options) = target
            .get("oneOf")
            .or_else(|| target.get("anyOf"))
            .and_then(Value::as_array)
        {
            node.kind = "one of".into();
            if limited {
                node.truncated = !options.is_empty();
            } else {
                for option in options {
                    let child = self.node(None, option, false, depth + 1);
                    node.children.push(child);
                }
            }
        } else {
            let properties = self.properties(target);
            if limited {
                node.truncated = !properties.is_empty();
            } else {
                for (property, child_schema, child_required) in properties {
                    if self.nodes >= MAX_NODES {
                        node.truncated = true;
                        break;
                    }
                    let child = self.node(Some(property.to_string()), child_schema, child_required, depth + 1);
                    node.children.push(child);
                }
            }
        }
        if reference.is_some() {
            self.stack.pop();
        }
        node
    }

    /// Properties of an object schema and of its `allOf` members: (name, schema, required).
    fn properties(&self, schema: &'a Value) -> Vec<(&'a str, &'a Value, bool)> {
        let mut found = Vec::new();
        let mut members = vec![schema];
        if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
            members.extend(all_of.iter().map(|member| deref(member, self.schemas)));
        }
        for member in members {
            let required: Vec<&str> = member
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(properties) = member.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    found.push((name.as_str(), property, required.contains(&name.as_str())));
                }
            }
        }
        found
    }
}

fn type_name(schema: &Value) -> String {
    let base = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"))
        .or_else(|| schema.get("allOf").map(|_| "object"))
        .unwrap_or("any");
    let mut name = base.to_string();
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        name = format!("{name} ({format})");
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|value| value.as_str().map_or_else(|| value.to_string(), str::to_string))
            .collect();
        name = format!("{name}: {}", values.join(" | "));
    }
    name
}

fn items_label(items: &Value, schemas: &Map<String, Value>) -> String {
    match items.get("$ref").and_then(Value::as_str).and_then(ref_name) {
        Some(reference) => reference.to_string(),
        None => type_name(deref(items, schemas)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::openapi::ApiSpec;

    #[test]
    fn shows_ref_names_and_required_marks() {
        let spec = ApiSpec::clockify();
        let tags = spec.operation("getTags").unwrap();
        let tree = schema_tree(tags.response_schema.as_ref().unwrap(), spec.schemas());
        assert!(tree.kind.starts_with("array of object"), "{}", tree.kind);
        assert!(tree.children.iter().any(|child| child.name.as_deref() == Some("name")));
    }

    #[test]
    fn stops_at_cycles_and_limits() {
        let Value::Object(schemas) = json!({
            "Node": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "description": "the id" },
                "kind": { "type": "string", "enum": ["A", "B"] },
                "children": { "type": "array", "items": { "$ref": "#/components/schemas/Node" } }
            } }
        }) else {
            unreachable!()
        };
        let tree = schema_tree(&json!({ "$ref": "#/components/schemas/Node" }), &schemas);
        assert_eq!(tree.kind, "object Node");
        let id = &tree.children.iter().find(|c| c.name.as_deref() == Some("id")).unwrap();
        assert!(id.required);
        assert_eq!(id.description.as_deref(), Some("the id"));
        let kind = tree
            .children
            .iter()
            .find(|c| c.name.as_deref() == Some("kind"))
            .unwrap();
        assert_eq!(kind.kind, "string: A | B");
        let children = tree
            .children
            .iter()
            .find(|c| c.name.as_deref() == Some("children"))
            .unwrap();
        assert_eq!(children.kind, "array of object Node");
        assert!(children.truncated);
        assert!(children.children.is_empty());
    }

    #[test]
    fn every_operation_gives_a_bounded_tree() {
        fn count(node: &SchemaNode) -> usize {
            1 + node.children.iter().map(count).sum::<usize>()
        }
        let spec = ApiSpec::clockify();
        for operation in spec.operations() {
            for schema in operation
                .response_schema
                .iter()
                .chain(operation.request_body.as_ref().map(|body| &body.schema))
            {
                let tree = schema_tree(schema, spec.schemas());
                assert!(count(&tree) <= MAX_NODES + 1, "{}", operation.id);
            }
        }
    }
}
