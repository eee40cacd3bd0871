//! What templates render against: the event document shared with minijinja as objects that
//! read the JSON in place (nothing is converted per event), the outputs of the steps done,
//! and the secrets.

use std::{
    borrow::Cow,
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use minijinja::{
    value::{Enumerator, Object, ObjectRepr},
    Value as JinjaValue,
};
use serde_json::Value;

use super::{
    fast::{FastExpr, FastFilter, FastValue, Lookup, Segment, SimplePath},
    SECRET_MASK,
};

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
    pub(super) root: JinjaValue,
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
        crate::flows::document::workspace_id(&self.doc)
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
    pub(super) fn lookup(&self, path: &SimplePath) -> Lookup<'_> {
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
    pub(super) fn evaluate(&self, expression: &FastExpr) -> Option<FastValue<'_>> {
        let mut value = match self.lookup(&expression.path) {
            Lookup::Json(value) => FastValue::Json(Cow::Borrowed(value)),
            Lookup::Text(text) => FastValue::Text(Cow::Borrowed(text)),
            Lookup::MissingLast => FastValue::Missing,
            Lookup::Engine => return None,
        };
        for filter in &expression.filters {
            value = match (filter, value) {
                (FastFilter::Default(literal), FastValue::Missing) => FastValue::Json(Cow::Owned(literal.clone())),
                (FastFilter::Default(_), found) => found,
                (_, FastValue::Missing) => return None,
                (FastFilter::Json, FastValue::Json(json)) => {
                    FastValue::Text(Cow::Owned(serde_json::to_string(&*json).ok()?))
                }
                (FastFilter::Json, FastValue::Text(text)) => {
                    FastValue::Text(Cow::Owned(serde_json::to_string(&*text).ok()?))
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
                    FastValue::Text(Cow::Owned(changed))
                }
            };
        }
        match value {
            FastValue::Missing => None,
            other => Some(other),
        }
    }
}
