//! No-code flows: "when this event arrives, if that holds, do this".
//!
//! - [`alerts`]: where failed runs are reported (a toast in Clockify, a webhook).
//! - [`model`]: the definition (trigger, conditions, actions), serialised as JSON.
//! - [`document`]: the JSON document rules and templates read (event, body, headers, steps).
//! - [`condition`]: rule evaluation (JSONPath, operators on text, numbers, dates, durations).
//! - [`template`]: `{{ expression | filter }}` rendering (Jinja syntax via minijinja).
//! - [`validate`]: the checks the builder and the server both run before saving.
//! - [`evaluate`]: a compiled flow: trigger match, condition results, rendered requests; the
//!   builder's live preview and the runtime use the same code.
//!
//! Behind `server`: [`http_guard`] (generic HTTP actions that can only reach public
//! addresses) and [`runtime`] (workers that run flows for queued events).

pub mod alerts;
pub mod condition;
pub mod document;
pub mod evaluate;
pub mod model;
pub mod template;
pub mod validate;

#[cfg(feature = "server")]
pub mod http_guard;
#[cfg(feature = "server")]
pub mod runtime;
