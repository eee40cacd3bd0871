//! The Leptos pages and server functions, with the UI backend as context.

use std::sync::OnceLock;

use app::{shell, App};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};

use crate::AppState;

/// The route list, generated once per process. Generating it renders the app with resource
/// loading suppressed process-wide, so a page rendering at that moment (another server in the
/// same test process) would wait forever (leptos-rs/leptos#4773); once is enough anyway.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: &AppState) -> Router<AppState> {
    let backend = state.ui_backend();
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            route_list(),
            move || provide_context(backend.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
}
