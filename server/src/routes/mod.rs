//! The router: one module per resource, merged here, with the shared layers on top.

mod explorer;
mod health;
mod lifecycle;
mod manifests;
mod ui;
mod webhooks;

use axum::{middleware, Router};

use crate::{metrics, security, telemetry, AppState};

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(explorer::router())
        .merge(manifests::router())
        .merge(lifecycle::router())
        .merge(webhooks::router())
        .merge(ui::router(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::add_security_headers,
        ))
        .layer(middleware::from_fn(metrics::track_requests))
        .layer(middleware::from_fn(telemetry::log_requests))
        .with_state(state)
}
