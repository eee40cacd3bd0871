//! The Clockify REST API as add-ons call it, under `/api`, authenticated by `X-Addon-Token`.
//!
//! One module per resource group; each has a `router()` merged here. Every route runs behind
//! [`gate::gate`] (statistics, rate limit, hourly budget, faults); list endpoints paginate
//! through [`paging`]; each endpoint checks its [`Scope`]. Besides the reads, add-ons manage
//! workspace webhooks (`/v1/workspaces/{id}/webhooks`, see `webhooks.rs`).

pub(crate) mod approvals;
mod auth;
pub(crate) mod catalog;
pub(crate) mod expenses;
pub mod gate;
pub(crate) mod invoices;
pub mod paging;
pub(crate) mod projects;
mod scope;
mod settings;
mod tag_writes;
pub(crate) mod time_entries;
pub(crate) mod time_off;
pub(crate) mod users;
mod webhooks;
pub(crate) mod workspaces;

use axum::{http::Uri, middleware, Router};

pub use auth::{AddonAuth, ADDON_TOKEN_HEADER};
pub use scope::Scope;

use crate::{error::Error, state::AppState};

/// Every `/api` route behind the traffic gate (the caller nests this under `/api`).
pub fn router(sim: AppState) -> Router<AppState> {
    Router::new()
        .merge(workspaces::router())
        .merge(settings::router())
        .merge(users::router())
        .merge(projects::router())
        .merge(catalog::router())
        .merge(tag_writes::router())
        .merge(time_entries::router())
        .merge(time_off::router())
        .merge(expenses::router())
        .merge(invoices::router())
        .merge(approvals::router())
        .merge(webhooks::router())
        .fallback(|uri: Uri| async move { Error::ApiNotFound(format!("No endpoint {}", uri.path())) })
        .layer(middleware::from_fn_with_state(sim, gate::gate))
}
