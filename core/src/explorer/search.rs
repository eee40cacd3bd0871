//! Ranked search over the operations, meant to run on every keystroke in the browser.
//!
//! Each operation is indexed once as lower-case fields (operationId, path, summary, method,
//! tag, parameter names, schema names, description), each with its words (camelCase, `-`,
//! `/`, `{}` and spaces split them; the whole identifier is a word too). A query is split into
//! tokens that must all match (AND). A token scores, in its best field, the field's weight
//! times how well it matched: a whole word (3), the start of a word (2), anywhere (1). Hits
//! in the operationId, path and summary weigh most, the description least. Ties keep the
//! spec's order, GETs first.

use std::{collections::BTreeSet, sync::OnceLock};

use serde_json::{Map, Value};

use crate::openapi::{
    schema::{deref, ref_name},
    ApiSpec, Method, Operation,
};

/// Where a token matched; the weight orders the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Path,
    Summary,
    Method,
    Tag,
    Parameter,
    Schema,
    Description,
}

impl Field {
    fn weight(self) -> u32 {
        match self {
            Field::Id => 12,
            Field::Path | Field::Summary => 10,
            Field::Method | Field::Tag => 6,
            Field::Parameter | Field::Schema => 4,
            Field::Description => 1,
        }
    }
}

/// One field of one operation: its lower-case text and words.
#[derive(Debug)]
struct Text {
    field: Field,
    lower: String,
    words: Vec<String>,
}

#[derive(Debug)]
struct Entry {
    id_lower: String,
    is_get: bool,
    texts: Vec<Text>,
}

/// A search result: the operation's position in [`ApiSpec::operations`] and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: u32,
}

/// The index over one spec's operations.
#[derive(Debug)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

/// How many `$ref` levels below the request and response schemas count as the operation's
/// schema names (the schema itself and what it refers to directly).
const SCHEMA_DEPTH: usize = 2;

impl SearchIndex {
    /// The index of the shipped Clockify spec, built once.
    pub fn clockify() -> &'static SearchIndex {
        static INDEX: OnceLock<SearchIndex> = OnceLock::new();
        INDEX.get_or_init(|| SearchIndex::new(ApiSpec::clockify()))
    }

    /// Indexes every operation of `spec`, in its order.
    pub fn new(spec: &ApiSpec) -> SearchIndex {
        let entries = spec
            .operations()
            .iter()
            .map(|operation| index_operation(operation, spec.schemas()))
            .collect();
        SearchIndex { entries }
    }

    /// How many operations are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no operation is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The operations matching every token of `query`, best first. An empty query matches
    /// nothing (the caller shows the full list instead).
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let query = query.to_lowercase();
        let tokens: Vec<&str> = query
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|token| !token.is_empty())
            .collect();
        if tokens.is_empty() {
            return Vec::new();
        }
        let whole = query.trim();
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let mut score = 0;
                for token in &tokens {
                    let best = entry
                        .texts
                        .iter()
                        .map(|text| text_score(text, token))
                        .max()
                        .unwrap_or(0);
                    if best == 0 {
                        return None;
                    }
                    score += best;
                }
                if entry.id_lower == whole {
                    score += 50;
                }
                if entry.is_get {
                    score += 1;
                }
                Some(Hit { index, score })
            })
            .collect();
        // Stable: equal scores keep the spec's order.
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.score));
        hits
    }
}

fn text_score(text: &Text, token: &str) -> u32 {
    // Most fields do not contain the token at all: one substring scan rules them out.
    if !text.lower.contains(token) {
        return 0;
    }
    let mut quality = 1;
    for word in &text.words {
        if word == token {
            quality = 3;
            break;
        }
        if word.starts_with(token) {
            quality = 2;
        }
    }
    quality * text.field.weight()
}

fn index_operation(operation: &Operation, schemas: &Map<String, Value>) -> Entry {
    let mut texts = vec![
        text(Field::Id, &operation.id),
        text(Field::Path, &operation.path),
        text(Field::Summary, &operation.summary),
        text(Field::Method, operation.method.as_str()),
        text(Field::Tag, &operation.tag),
    ];
    let parameters: Vec<&str> = operation
        .parameters
        .iter()
        .map(|parameter| parameter.name.as_str())
        .collect();
    if !parameters.is_empty() {
        texts.push(text(Field::Parameter, &parameters.join(" ")));
    }
    let mut names = BTreeSet::new();
    let roots = operation
        .request_body
        .as_ref()
        .map(|body| &body.schema)
        .into_iter()
        .chain(operation.response_schema.as_ref());
    for root in roots {
        collect_schema_names(root, schemas, SCHEMA_DEPTH, &mut names);
    }
    if !names.is_empty() {
        let names: Vec<&str> = names.into_iter().collect();
        texts.push(text(Field::Schema, &names.join(" ")));
    }
    if let Some(description) = &operation.description {
        texts.push(text(Field::Description, description));
    }
    Entry {
        id_lower: operation.id.to_lowercase(),
        is_get: operation.method == Method::Get,
        texts,
    }
}

/// The `$ref` schema names in `schema`, following references `depth` levels deep.
fn collect_schema_names<'a>(
    schema: &'a Value,
    schemas: &'a Map<String, Value>,
    depth: usize,
    names: &mut BTreeSet<&'a str>,
) {
    match schema {
        Value::Object(object) => {
            if let Some(name) = object.get("$ref").and_then(Value::as_str).and_then(ref_name) {
                if names.insert(name) && depth > 1 {
                    let target = deref(schema, schemas);
                    if !std::ptr::eq(target, schema) {
                        collect_schema_names(target, schemas, depth - 1, names);
                    }
                }
                return;
            }
            for child in object.values() {
                collect_schema_names(child, schemas, depth, names);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_schema_names(item, schemas, depth, names);
            }
        }
        _ => {}
    }
}

fn text(field: Field, original: &str) -> Text {
    Text {
        field,
        lower: original.to_lowercase(),
        words: words(original),
    }
}

/// Lower-case words of `text`: split at anything but letters and digits and at camelCase
/// humps; a camelCase identifier also counts as one whole word (`workspaceId` gives
/// `workspaceid`, `workspace` and `id`).
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|chunk| !chunk.is_empty())
    {
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut previous_lower = false;
        for c in chunk.chars() {
            if c.is_uppercase() && previous_lower && !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            current.extend(c.to_lowercase());
        }
        if !current.is_empty() {
            parts.push(current);
        }
        if parts.len() > 1 {
            words.push(chunk.to_lowercase());
        }
        words.extend(parts);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(query: &str) -> Vec<String> {
        let spec = ApiSpec::clockify();
        SearchIndex::clockify()
            .search(query)
            .into_iter()
            .map(|hit| spec.operations()[hit.index].id.clone())
            .collect()
    }

    #[test]
    fn splits_words_at_humps_and_separators() {
        assert_eq!(words("getTags"), ["gettags", "get", "tags"]);
        assert_eq!(
            words("/v1/workspaces/{workspaceId}/page-size"),
            ["v1", "workspaces", "workspaceid", "workspace", "id", "page", "size"]
        );
        assert_eq!(words("Find tags"), ["find", "tags"]);
    }

    #[test]
    fn list_tags_comes_first_for_tags() {
        let found = ids("tags");
        assert_eq!(found.first().map(String::as_str), Some("getTags"), "{found:?}");
        assert!(found.contains(&"createNewTag".to_string()), "{found:?}");
    }

    #[test]
    fn tokens_are_anded_and_case_insensitive() {
        let found = ids("POST Tag");
        assert!(!found.is_empty());
        // Every hit matches both tokens somewhere.
        let spec = ApiSpec::clockify();
        for id in &found {
            let operation = spec.operation(id).unwrap();
            let all = format!("{operation:?}").to_lowercase();
            assert!(all.contains("post") && all.contains("tag"), "{id}");
        }
        assert!(ids("tags zzzznothing").is_empty());
        assert!(ids("   ").is_empty());
    }

    #[test]
    fn matches_operation_ids_paths_parameters_and_schema_names() {
        assert_eq!(
            ids("getUsersOfWorkspace").first().map(String::as_str),
            Some("getUsersOfWorkspace")
        );
        assert!(ids("time-off/policies").contains(&"findPoliciesForWorkspace".to_string()));
        // `strict-name-search` is a query parameter of getTags.
        assert!(ids("strict-name-search").contains(&"getTags".to_string()));
        // getTags answers TagDtoV1 objects.
        assert!(ids("TagDtoV1").contains(&"getTags".to_string()));
    }

    #[test]
    fn summary_hits_outrank_description_hits() {
        let index = SearchIndex::new(ApiSpec::clockify());
        let spec = ApiSpec::clockify();
        let hits = index.search("tags");
        let score_of = |id: &str| {
            hits.iter()
                .find(|hit| spec.operations()[hit.index].id == id)
                .map(|hit| hit.score)
        };
        let get_tags = score_of("getTags").unwrap();
        for hit in &hits {
            let operation = &spec.operations()[hit.index];
            let in_description_only = !operation.summary.to_lowercase().contains("tag")
                && !operation.path.contains("tag")
                && !operation.id.to_lowercase().contains("tag");
            if in_description_only {
                assert!(hit.score < get_tags, "{}", operation.id);
            }
        }
    }

    #[test]
    fn searching_every_operation_is_fast() {
        let index = SearchIndex::clockify();
        assert_eq!(index.len(), 166);
        let started = std::time::Instant::now();
        let queries = ["t", "ta", "tag", "tags", "time entry", "workspace user", "zz"];
        for _ in 0..20 {
            for query in queries {
                index.search(query);
            }
        }
        let per_search = started.elapsed() / (20 * queries.len() as u32);
        println!("search: {per_search:?} per query over {} operations", index.len());
    }
}
