//! The engine behind both Clockify add-ons.
//!
//! Everything outside the `server` feature is pure and also compiles to WASM (the Leptos
//! front end uses it): the event catalog, scopes, settings definitions, the two add-on
//! profiles and the manifests generated from them, and the shapes of Clockify's token claims.
//! Behind `server`: token verification, encryption at rest, storage and the lifecycle.
#![forbid(unsafe_code)]

pub mod bootstrap;
pub mod claims;
pub mod events;
pub mod explorer;
pub mod flows;
pub mod manifest;
pub mod openapi;
pub mod profile;
pub mod scopes;
pub mod settings;

#[cfg(feature = "server")]
pub mod clockify;
#[cfg(feature = "server")]
pub mod crypto;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod hex;
#[cfg(feature = "server")]
pub mod ingest;
#[cfg(feature = "server")]
pub mod lifecycle;
#[cfg(feature = "server")]
pub mod manifest_schema;
#[cfg(feature = "server")]
pub mod session;
#[cfg(feature = "server")]
pub mod shutdown;
#[cfg(feature = "server")]
pub mod sources;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod token;
#[cfg(feature = "server")]
pub mod workspace_log;

#[cfg(feature = "server")]
pub use error::{Error, Result};
