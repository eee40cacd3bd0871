//! The slice of the OpenAPI 3 document the model reads, as serde shapes.
//!
//! Only what [`super::ApiSpec`] needs is typed; everything else is skipped. `paths` and the path
//! items are read into [`Ordered`] so the operations keep the order of the file even when
//! `serde_json` is built without `preserve_order`.

use std::{collections::BTreeMap, fmt, marker::PhantomData};

use serde::{
    de::{MapAccess, Visitor},
    Deserialize, Deserializer,
};
use serde_json::{Map, Value};

/// A JSON object read as a list of entries in document order.
#[derive(Debug)]
pub(crate) struct Ordered<V>(pub(crate) Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<V> {
            type Value = Ordered<V>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(Ordered(entries))
            }
        }

        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

/// The document's top level.
#[derive(Debug, Deserialize)]
pub(crate) struct RawDocument {
    pub(crate) openapi: String,
    #[serde(default)]
    pub(crate) info: RawInfo,
    #[serde(default)]
    pub(crate) servers: Vec<RawServer>,
    #[serde(default)]
    pub(crate) security: Option<Vec<BTreeMap<String, Value>>>,
    #[serde(default)]
    pub(crate) tags: Vec<RawTag>,
    pub(crate) paths: Ordered<Ordered<Value>>,
    #[serde(default)]
    pub(crate) components: RawComponents,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawInfo {
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawServer {
    pub(crate) url: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawTag {
    pub(crate) name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawComponents {
    #[serde(default)]
    pub(crate) schemas: Map<String, Value>,
    #[serde(default)]
    pub(crate) parameters: Map<String, Value>,
    #[serde(default)]
    pub(crate) request_bodies: Map<String, Value>,
    #[serde(default)]
    pub(crate) security_schemes: BTreeMap<String, RawSecurityScheme>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawSecurityScheme {
    #[serde(default, rename = "type")]
    pub(crate) scheme_type: String,
    #[serde(default, rename = "in")]
    pub(crate) location: String,
    #[serde(default)]
    pub(crate) name: String,
}

/// One operation object of a path item.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawOperation {
    pub(crate) operation_id: Option<String>,
    #[serde(default)]
    pub(crate) summary: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    #[serde(default)]
    pub(crate) deprecated: bool,
    #[serde(default)]
    pub(crate) parameters: Vec<Value>,
    #[serde(default)]
    pub(crate) request_body: Option<Value>,
    #[serde(default)]
    pub(crate) responses: Map<String, Value>,
    #[serde(default)]
    pub(crate) security: Option<Vec<BTreeMap<String, Value>>>,
    #[serde(default)]
    pub(crate) servers: Vec<RawServer>,
}

/// A parameter object (after `$ref` resolution).
#[derive(Debug, Deserialize)]
pub(crate) struct RawParameter {
    pub(crate) name: String,
    #[serde(rename = "in")]
    pub(crate) location: String,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) schema: Option<Value>,
    #[serde(default)]
    pub(crate) example: Option<Value>,
}

/// A request body object (after `$ref` resolution).
#[derive(Debug, Deserialize)]
pub(crate) struct RawRequestBody {
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) content: Map<String, Value>,
}
