//! JSON logs. Secrets never reach them: request logs carry the path and a query string with
//! every sensitive parameter redacted, never headers or bodies.

use std::time::Instant;

use addon_core::workspace_log;
use axum::{extract::Request, middleware::Next, response::Response};
use tracing::{
    field::{Field, Visit},
    level_filters::LevelFilter,
    span::{Attributes, Id},
    subscriber::Interest,
    Level, Metadata, Subscriber,
};
use tracing_subscriber::{
    fmt,
    layer::{Context, Filter, SubscriberExt},
    registry::LookupSpan,
    util::SubscriberInitExt,
    Layer,
};

/// Query parameters and headers whose values are secrets.
pub const SENSITIVE_NAMES: &[&str] = &[
    "auth_token",
    "token",
    "session",
    "x-addon-token",
    "x-addon-lifecycle-token",
    "clockify-signature",
    "authorization",
    "secret",
];

/// Installs the JSON log subscriber (call once, from `main`). `level` applies outside any
/// workspace's span; inside one, the workspace's `log_level` setting does.
pub fn init(level: &str) {
    let global = level.parse().unwrap_or(LevelFilter::INFO);
    let layer = fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_filter(WorkspaceLevels { global });
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Crates whose chatter is kept to warnings and errors whatever the level.
const QUIET_TARGETS: &[&str] = &[
    "hyper",
    "hyper_util",
    "sqlx",
    "reqwest",
    "h2",
    "rustls",
    "tower",
    "tower_http",
    "tokio_util",
    "mio",
];

/// The level a workspace span asked for, kept in the span's extensions.
struct WorkspaceLevel(LevelFilter);

/// Lets an event through at the level of the innermost workspace span around it (see
/// `addon_core::workspace_log`), or at the server's level outside any.
struct WorkspaceLevels {
    global: LevelFilter,
}

impl WorkspaceLevels {
    fn quiet(meta: &Metadata<'_>) -> bool {
        let crate_name = meta.target().split("::").next().unwrap_or_default();
        QUIET_TARGETS.contains(&crate_name)
    }
}

impl<S> Filter<S> for WorkspaceLevels
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn enabled(&self, meta: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        if Self::quiet(meta) {
            return *meta.level() <= Level::WARN;
        }
        if meta.is_span() {
            return meta.name() == workspace_log::SPAN_NAME || *meta.level() <= self.global;
        }
        let level = cx
            .lookup_current()
            .and_then(|span| {
                span.scope()
                    .find_map(|span| span.extensions().get::<WorkspaceLevel>().map(|level| level.0))
            })
            .unwrap_or(self.global);
        *meta.level() <= level
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        // Any workspace may ask for any level, so only the quiet crates' chatter is ruled out
        // for good.
        if Self::quiet(meta) && *meta.level() > Level::WARN {
            Interest::never()
        } else {
            Interest::sometimes()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, cx: Context<'_, S>) {
        if attrs.metadata().name() != workspace_log::SPAN_NAME {
            return;
        }
        let mut visitor = LevelField(None);
        attrs.record(&mut visitor);
        if let (Some(level), Some(span)) = (visitor.0, cx.span(id)) {
            span.extensions_mut().insert(WorkspaceLevel(level));
        }
    }
}

/// Reads the workspace span's `log_level` field; an empty or unknown value leaves the
/// server's level in force.
struct LevelField(Option<LevelFilter>);

impl Visit for LevelField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == workspace_log::LEVEL_FIELD {
            self.0 = value.parse().ok().filter(|_| !value.is_empty());
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

/// The query string with the values of sensitive parameters replaced by `[redacted]`.
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_sensitive(name) => format!("{name}=[redacted]"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAMES.iter().any(|sensitive| name.contains(sensitive))
}

/// Logs one line per request: method, path, redacted query, status, duration.
pub async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(redact_query);
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        query = query.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_in_queries() {
        assert_eq!(
            redact_query("auth_token=eyJabc.def&theme=DARK&X-Addon-Token=x"),
            "auth_token=[redacted]&theme=DARK&X-Addon-Token=[redacted]"
        );
        assert_eq!(redact_query("page=2"), "page=2");
    }
}
