//! The Clockify REST API as add-ons call it, under `/api`, authenticated by `X-Addon-Token`.
//!
//! One module per resource; each has a `router()` merged here.

mod auth;
mod settings;
mod workspaces;

use axum::Router;

pub use auth::{AddonAuth, ADDON_TOKEN_HEADER};

use crate::state::AppState;

/// Every `/api` route (the caller nests this under `/api`).
pub fn router() -> Router<AppState> {
    Router::new().merge(workspaces::router()).merge(settings::router())
}
