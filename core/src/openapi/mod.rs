//! A typed model of the Clockify OpenAPI file (PLATFORM.md §4.4): operations with their server,
//! parameters, bodies, pagination and the add-on scopes they need. Pure: it also compiles to
//! WASM, so the front end can use the same model.
//!
//! - [`ApiSpec::clockify`] loads the shipped spec once (166 operations on 108 paths);
//!   [`ApiSpec::parse`] loads any OpenAPI 3 JSON document and never panics.
//! - Each [`Operation`] knows its [`ApiServer`] (API, Reports, audit log) from its path item's
//!   `servers`; the base URL always comes from the token claims through [`ApiBases`], never
//!   from the spec's hosts.
//! - [`Operation::render_path`] fills in the path with percent-encoded values.
//! - [`Pagination`] (see [`pagination`]) encodes the pagination rules and their exceptions.
//! - [`required_scopes`] and [`is_read_only`] (see [`scopes`]) map operations to add-on scopes.
//! - [`ApiSpec::resolve`] expands `$ref`s, stopping at cycles.

mod operation;
pub mod pagination;
mod path;
mod raw;
pub mod schema;
pub mod scopes;
mod spec;

pub use operation::{
    ApiBases, ApiServer, Method, Operation, ParamLocation, ParamType, Parameter, RequestBody, UnknownMethod,
};
pub use pagination::{Pagination, LAST_PAGE_HEADER, UNSTATED_MAX_PAGE_SIZE};
pub use path::{encode_path_segment, PathError};
pub use scopes::{is_read_only, missing_scopes, required_scopes};
pub use spec::{ApiSpec, SpecError, CLOCKIFY_OPENAPI};
