//! The API explorer's engine: everything the browser and the server share about trying a
//! Clockify operation. Pure (it also compiles to WASM) except [`run`], behind `server`.
//!
//! - [`search::SearchIndex`]: instant ranked search over the operations (path, operationId,
//!   summary, tag, description, parameter and schema names), built once.
//! - [`form`]: from an operation and the user's form values (strings) and JSON body text to a
//!   validated [`form::PreparedRequest`], or a list of [`form::Problem`]s naming each field.
//! - [`policy`]: which operations a profile may run, and which need a confirmation.
//! - [`pager::PageWalk`]: "fetch all pages", one request at a time, until `Last-Page`.
//! - [`curl`] ("copy as curl", never with the token) and [`csv`] (export) renderings.
//! - [`schema_tree`]: a schema as a small tree with its `$ref` names, for the view.
//! - [`model`]: the JSON the browser and `POST /{addon}/explorer/execute` exchange.
//! - [`run`] (server): executes a request through the installation's budgeted client and
//!   records it in the acting user's history.

pub mod csv;
pub mod curl;
pub mod form;
pub mod model;
pub mod pager;
pub mod policy;
#[cfg(feature = "server")]
pub mod run;
pub mod schema_tree;
pub mod search;

pub use form::{prefill, prepare, FormValues, PreparedRequest, Problem};
pub use model::{ApiError, ExecuteRequest, ExecuteResult, HistoryItem};
pub use pager::PageWalk;
pub use policy::Refusal;
pub use search::SearchIndex;
