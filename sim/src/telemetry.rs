//! Logging: JSON lines on stdout, level from `LOG_LEVEL` (default `info`).

use tracing_subscriber::EnvFilter;

/// Installs the global JSON subscriber. `LOG_LEVEL` takes a level (`debug`) or a full filter
/// (`sim=debug,info`); an invalid value falls back to `info`.
pub fn init() {
    let filter = std::env::var("LOG_LEVEL")
        .ok()
        .and_then(|level| EnvFilter::try_new(level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    // A subscriber may already be installed (tests); keep it then.
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).try_init();
}
