//! The middleware in front of every `/api` route: counts the request, adds the latency fault,
//! applies the per-token rate limit and the hourly budget (429), injects failures, and cuts
//! 200 answers short when the malformed fault strikes. See [`crate::traffic`].

use axum::{
    body::{to_bytes, Body},
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::ADDON_TOKEN_HEADER;
use crate::state::AppState;

/// The `byPath` key of requests that matched no route.
pub const UNMATCHED: &str = "(unmatched)";

/// Runs `request` through the traffic controls and, if admitted, the handler.
pub async fn gate(State(sim): State<AppState>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| {
            let template = matched.as_str();
            template.strip_prefix("/api").unwrap_or(template).to_string()
        })
        .unwrap_or_else(|| UNMATCHED.to_string());
    let token = request
        .headers()
        .get(ADDON_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|token| sim.knows_token(token))
        .map(str::to_string);
    let latency = sim.traffic.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match sim.traffic.admit(&path, token.as_deref()) {
        Err(error) => error.into_response(),
        Ok(()) => {
            let response = next.run(request).await;
            if response.status() == StatusCode::OK && sim.traffic.malform() {
                cut_short(response).await
            } else {
                response
            }
        }
    };
    sim.traffic.answered(response.status().as_u16());
    response
}

/// The first half of the body: never valid JSON for an object or array.
async fn cut_short(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}
