//! `/{addon}/manifest` and the add-on icon.

use addon_core::{
    manifest::manifest,
    profile::{find_profile, Profile},
    Error,
};
use axum::{
    extract::{Path, State},
    http::header,
    response::IntoResponse,
    routing::get,
    Json, Router,
};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{addon}/manifest", get(serve_manifest))
        .route("/{addon}/icon.svg", get(icon))
}

/// The profile named by the first path segment, or a JSON 404.
pub fn profile_for(addon: &str) -> Result<&'static Profile, Error> {
    find_profile(addon).ok_or_else(|| Error::NotFound(format!("there is no add-on called {addon:?}")))
}

async fn serve_manifest(State(state): State<AppState>, Path(addon): Path<String>) -> Result<impl IntoResponse, Error> {
    let profile = profile_for(&addon)?;
    Ok(Json(manifest(profile, &state.config.public_base_url)))
}

async fn icon(Path(addon): Path<String>) -> Result<impl IntoResponse, Error> {
    let profile = profile_for(&addon)?;
    let letter = profile.name.chars().next().unwrap_or('A');
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"><rect width=\"24\" height=\"24\" rx=\"5\" fill=\"#03A9F4\"/>\
         <text x=\"12\" y=\"17\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#fff\">{letter}</text></svg>"
    );
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    ))
}
