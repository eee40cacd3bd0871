//! The Clockify REST API as add-ons call it, under `/api`, authenticated by `X-Addon-Token`.
//!
//! One module per resource group; each has a `router()` merged here. Every route runs behind
//! [`gate::gate`] (statistics, rate limit, hourly budget, faults); list endpoints paginate
//! through [`paging`]; each endpoint checks its [`Scope`].

mod approvals;
mod auth;
mod catalog;
mod expenses;
pub mod gate;
mod invoices;
pub mod paging;
mod projects;
mod scope;
mod settings;
mod time_entries;
mod time_off;
mod users;
mod workspaces;

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
        .merge(time_entries::router())
        .merge(time_off::router())
        .merge(expenses::router())
        .merge(invoices::router())
        .merge(approvals::router())
        .fallback(|uri: Uri| async move { Error::ApiNotFound(format!("No endpoint {}", uri.path())) })
        .layer(middleware::from_fn_with_state(sim, gate::gate))
}
