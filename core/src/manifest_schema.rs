//! Validation of a manifest against Clockify's official schema (1.6, shipped in `assets/`).

use std::sync::OnceLock;

use serde_json::Value;

/// Clockify's manifest JSON Schema, version 1.6 (draft-04), byte-for-byte as Clockify serves it.
pub const MANIFEST_SCHEMA_1_6: &str = include_str!("../assets/manifest-schema-1.6.json");

fn compiled_schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(MANIFEST_SCHEMA_1_6).expect("the shipped manifest schema is valid JSON");
        jsonschema::draft4::new(&schema).expect("the shipped manifest schema compiles")
    })
}

/// Checks a manifest against schema 1.6 and Clockify's documented extra rules
/// (at most 20 webhooks). Returns one readable line per problem.
pub fn validate_manifest(manifest: &Value) -> Result<(), Vec<String>> {
    let mut problems: Vec<String> = compiled_schema()
        .iter_errors(manifest)
        .map(|error| {
            let at = error.instance_path.to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("{at}: {error}")
        })
        .collect();
    let webhooks = manifest.get("webhooks").and_then(Value::as_array).map_or(0, Vec::len);
    if webhooks > crate::manifest::MAX_MANIFEST_WEBHOOKS {
        problems.push(format!(
            "/webhooks: {webhooks} webhooks declared; Clockify allows at most {}",
            crate::manifest::MAX_MANIFEST_WEBHOOKS
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rejects_a_manifest_without_key_and_with_a_bad_plan() {
        let problems = validate_manifest(&json!({
            "schemaVersion": "1.6", "name": "x", "baseUrl": "http://localhost",
            "minimalSubscriptionPlan": "GOLD"
        }))
        .unwrap_err();
        assert!(problems.iter().any(|p| p.contains("key")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("GOLD")), "{problems:?}");
    }
}
