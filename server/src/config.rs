//! Configuration: documented defaults, then an optional TOML file, then environment variables.
//! Every value is checked at start-up; each problem is reported on its own line.
//!
//! | key (file) | environment | default |
//! |---|---|---|
//! | `listen` | `LISTEN_ADDR` | `127.0.0.1:3000` |
//! | `public_base_url` | `PUBLIC_BASE_URL` | `http://<listen>` |
//! | `database_url` | `DATABASE_URL` (also the seed's `API_STUDIO_DB_URL`, `UNIVERSAL_WEBHOOK_DB_URL`) | `sqlite://data/addons.db` |
//! | `data_dir` | `DATA_DIR` | `data` |
//! | `secret_key` | `SECRET_KEY` (base64, 32 bytes) | generated once into `<data_dir>/secret.key` |
//! | `clockify_public_key_path` | `CLOCKIFY_PUBLIC_KEY_PATH` | Clockify's published key |
//! | `clockify_api_base_url` | `CLOCKIFY_API_BASE_URL` | the URLs in Clockify's tokens |
//! | `frame_ancestors` | `FRAME_ANCESTORS` (comma-separated) | `https://*.clockify.me` |
//! | `log_level` | `LOG_LEVEL` | `info` |
//! | `bootstrap_page_size` | `BOOTSTRAP_PAGE_SIZE` (1–5000) | the largest each endpoint takes |
//! | `production` | `PRODUCTION` (`true`/`1`) | `false` |
//! | `flow_retry_base_ms` | `FLOW_RETRY_BASE_MS` (1–600000) | `2000` |
//! | `flow_concurrency` | `FLOW_CONCURRENCY` (1–1024): flow runs executing at once | `32` |
//! | `flow_runs_per_flow` | `FLOW_RUNS_PER_FLOW` (1–1024): runs of one flow at once | `16` |
//!
//! Per-workspace setting defaults are overridden by the seed's variables (`API_STUDIO_BOOTSTRAP_*`,
//! `UW_*`, ...), listed in `addon_core::settings`.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

use addon_core::{crypto::SecretKey, profile::PROFILES};
use figment::{
    providers::{Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Clockify's origins, always allowed to frame our pages.
pub const CLOCKIFY_FRAME_ANCESTORS: &str = "https://*.clockify.me";

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_base_url: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// `None`: generate and keep one under `data_dir` (the embedded default).
    pub secret_key: Option<SecretKey>,
    /// `None`: trust only Clockify's published key.
    pub clockify_public_key_path: Option<PathBuf>,
    pub clockify_api_base_url: Option<String>,
    pub frame_ancestors: Vec<String>,
    pub log_level: String,
    /// Caps the page size the bootstrap asks for (tests and benchmarks use small pages).
    pub bootstrap_page_size: Option<u32>,
    pub production: bool,
    /// `UW_ENABLE_FLOWS`: false stops the flow runtime and makes every flow editor read-only.
    pub flows_enabled: bool,
    /// `UW_HTTP_ALLOW_PRIVATE_NETWORKS`: lets generic HTTP actions reach private and loopback
    /// addresses. For local development and benchmarks only; refused in production.
    pub http_allow_private_networks: bool,
    /// `FLOW_RETRY_BASE_MS`: the first retry's delay (doubling up to five minutes, full
    /// jitter). Tests and benchmarks shorten it.
    pub flow_retry_base_ms: u64,
    /// `FLOW_CONCURRENCY`: flow runs executing at once in this process.
    pub flow_concurrency: usize,
    /// `FLOW_RUNS_PER_FLOW`: runs of one flow executing at once (one busy flow cannot take
    /// every slot).
    pub flow_runs_per_flow: usize,
    /// Environment overrides of setting defaults: (add-on key, setting id) -> value.
    pub setting_overrides: BTreeMap<(String, String), Value>,
}

/// The configuration as read, before checking; every field is text.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RawConfig {
    listen: Option<String>,
    public_base_url: Option<String>,
    database_url: Option<String>,
    api_studio_db_url: Option<String>,
    universal_webhook_db_url: Option<String>,
    data_dir: Option<String>,
    secret_key: Option<String>,
    clockify_public_key_path: Option<String>,
    clockify_api_base_url: Option<String>,
    frame_ancestors: Option<String>,
    log_level: Option<String>,
    bootstrap_page_size: Option<String>,
    production: Option<String>,
    enable_flows: Option<String>,
    http_allow_private_networks: Option<String>,
    flow_retry_base_ms: Option<String>,
    flow_concurrency: Option<String>,
    flow_runs_per_flow: Option<String>,
}

const ENV_KEYS: &[&str] = &[
    "LISTEN_ADDR",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
    "API_STUDIO_DB_URL",
    "UNIVERSAL_WEBHOOK_DB_URL",
    "DATA_DIR",
    "SECRET_KEY",
    "CLOCKIFY_PUBLIC_KEY_PATH",
    "CLOCKIFY_API_BASE_URL",
    "FRAME_ANCESTORS",
    "LOG_LEVEL",
    "BOOTSTRAP_PAGE_SIZE",
    "PRODUCTION",
    "UW_ENABLE_FLOWS",
    "UW_HTTP_ALLOW_PRIVATE_NETWORKS",
    "FLOW_RETRY_BASE_MS",
    "FLOW_CONCURRENCY",
    "FLOW_RUNS_PER_FLOW",
];

/// Why the configuration cannot be used: one line per problem.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Reads defaults, the optional file and the process environment.
    pub fn load(file: Option<PathBuf>) -> Result<Self, ConfigError> {
        let environment: BTreeMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &environment)
    }

    /// Reads defaults, the optional file and the given environment (tests pass their own).
    pub fn from_sources(file: Option<PathBuf>, environment: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        if let Some(path) = &file {
            if !path.exists() {
                return Err(ConfigError(vec![format!(
                    "config file {} does not exist",
                    path.display()
                )]));
            }
            figment = figment.merge(Toml::file(path));
        }
        let mut raw: RawConfig = figment
            .extract()
            .map_err(|error| ConfigError(error.into_iter().map(|e| e.to_string()).collect()))?;
        // Environment variables are read by name (not by prefix) so the seed's aliases stay explicit.
        let env = |key: &str| environment.get(key).filter(|value| !value.trim().is_empty()).cloned();
        for key in ENV_KEYS {
            if let Some(value) = env(key) {
                let slot = match *key {
                    "LISTEN_ADDR" => &mut raw.listen,
                    "PUBLIC_BASE_URL" => &mut raw.public_base_url,
                    "DATABASE_URL" => &mut raw.database_url,
                    "API_STUDIO_DB_URL" => &mut raw.api_studio_db_url,
                    "UNIVERSAL_WEBHOOK_DB_URL" => &mut raw.universal_webhook_db_url,
                    "DATA_DIR" => &mut raw.data_dir,
                    "SECRET_KEY" => &mut raw.secret_key,
                    "CLOCKIFY_PUBLIC_KEY_PATH" => &mut raw.clockify_public_key_path,
                    "CLOCKIFY_API_BASE_URL" => &mut raw.clockify_api_base_url,
                    "FRAME_ANCESTORS" => &mut raw.frame_ancestors,
                    "LOG_LEVEL" => &mut raw.log_level,
                    "BOOTSTRAP_PAGE_SIZE" => &mut raw.bootstrap_page_size,
                    "UW_ENABLE_FLOWS" => &mut raw.enable_flows,
                    "UW_HTTP_ALLOW_PRIVATE_NETWORKS" => &mut raw.http_allow_private_networks,
                    "FLOW_RETRY_BASE_MS" => &mut raw.flow_retry_base_ms,
                    "FLOW_CONCURRENCY" => &mut raw.flow_concurrency,
                    "FLOW_RUNS_PER_FLOW" => &mut raw.flow_runs_per_flow,
                    _ => &mut raw.production,
                };
                *slot = Some(value);
            }
        }
        check(raw, &env)
    }
}

/// A true/false variable; `default` when unset.
fn flag(name: &str, value: Option<&str>, default: bool, problems: &mut Vec<String>) -> bool {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None => default,
        Some("false" | "0" | "no") => false,
        Some("true" | "1" | "yes") => true,
        Some(other) => {
            problems.push(format!("{name}: {other:?} must be true or false"));
            default
        }
    }
}

/// A whole number in `range`; `default` when unset.
fn number(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
    problems: &mut Vec<String>,
) -> u64 {
    let Some(text) = value else {
        return default;
    };
    match text.trim().parse::<u64>() {
        Ok(number) if range.contains(&number) => number,
        _ => {
            problems.push(format!(
                "{name}: {text:?} must be a number from {} to {}",
                range.start(),
                range.end()
            ));
            default
        }
    }
}

fn check(raw: RawConfig, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let mut problems = Vec::new();
    let listen = raw.listen.as_deref().unwrap_or("127.0.0.1:3000");
    let listen: SocketAddr = listen.parse().unwrap_or_else(|_| {
        problems.push(format!("LISTEN_ADDR: {listen:?} is not an address like 127.0.0.1:3000"));
        SocketAddr::from(([127, 0, 0, 1], 3000))
    });
    let production = flag("PRODUCTION", raw.production.as_deref(), false, &mut problems);
    let flows_enabled = flag("UW_ENABLE_FLOWS", raw.enable_flows.as_deref(), true, &mut problems);
    let http_allow_private_networks = flag(
        "UW_HTTP_ALLOW_PRIVATE_NETWORKS",
        raw.http_allow_private_networks.as_deref(),
        false,
        &mut problems,
    );
    if production && http_allow_private_networks {
        problems
            .push("UW_HTTP_ALLOW_PRIVATE_NETWORKS: never in production (flows could reach internal services)".into());
    }
    let public_base_url = raw
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{listen}"))
        .trim_end_matches('/')
        .to_string();
    if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://")) {
        problems.push(format!(
            "PUBLIC_BASE_URL: {public_base_url:?} must start with http:// or https://"
        ));
    } else if production && !public_base_url.starts_with("https://") {
        problems.push("PUBLIC_BASE_URL: production needs an https:// URL that Clockify can reach".into());
    }
    let flow_retry_base_ms = number(
        "FLOW_RETRY_BASE_MS",
        raw.flow_retry_base_ms.as_deref(),
        1..=600_000,
        2_000,
        &mut problems,
    );
    let flow_concurrency = number(
        "FLOW_CONCURRENCY",
        raw.flow_concurrency.as_deref(),
        1..=1024,
        32,
        &mut problems,
    ) as usize;
    let flow_runs_per_flow = number(
        "FLOW_RUNS_PER_FLOW",
        raw.flow_runs_per_flow.as_deref(),
        1..=1024,
        16,
        &mut problems,
    ) as usize;
    let database_url = database_url(&raw, &mut problems);
    if production && database_url.starts_with("sqlite:") {
        tracing::warn!("production is running on SQLite; use Postgres (DATABASE_URL) for several instances");
    }
    let secret_key = raw.secret_key.as_deref().and_then(|text| {
        SecretKey::from_base64(text)
            .map_err(|problem| {
                problems.push(format!(
                    "SECRET_KEY: {problem} (generate one with `openssl rand -base64 32`)"
                ))
            })
            .ok()
    });
    if production && secret_key.is_none() {
        problems.push("SECRET_KEY: production needs an explicit key (base64, 32 bytes)".into());
    }
    let clockify_public_key_path = raw.clockify_public_key_path.map(PathBuf::from);
    if let Some(path) = &clockify_public_key_path {
        if production {
            problems.push("CLOCKIFY_PUBLIC_KEY_PATH: production trusts only Clockify's published key".into());
        } else if !path.exists() {
            problems.push(format!("CLOCKIFY_PUBLIC_KEY_PATH: {} does not exist", path.display()));
        }
    }
    if let Some(url) = &raw.clockify_api_base_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            problems.push(format!("CLOCKIFY_API_BASE_URL: {url:?} must be an http(s) URL"));
        }
    }
    let mut frame_ancestors = vec![CLOCKIFY_FRAME_ANCESTORS.to_string()];
    for origin in raw
        .frame_ancestors
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
    {
        if origin.is_empty() || frame_ancestors.iter().any(|known| known == origin) {
            continue;
        }
        if origin == "*" || !(origin.starts_with("http://") || origin.starts_with("https://")) {
            problems.push(format!(
                "FRAME_ANCESTORS: {origin:?} must be an http(s) origin, not a wildcard"
            ));
        } else {
            frame_ancestors.push(origin.to_string());
        }
    }
    let log_level = raw.log_level.unwrap_or_else(|| "info".into()).to_ascii_lowercase();
    if !["error", "warn", "info", "debug", "trace"].contains(&log_level.as_str()) {
        problems.push(format!(
            "LOG_LEVEL: {log_level:?} must be error, warn, info, debug or trace"
        ));
    }
    let bootstrap_page_size = raw
        .bootstrap_page_size
        .as_deref()
        .and_then(|text| match text.trim().parse::<u32>() {
            Ok(size @ 1..=5000) => Some(size),
            _ => {
                problems.push(format!("BOOTSTRAP_PAGE_SIZE: {text:?} must be a number from 1 to 5000"));
                None
            }
        });
    let mut setting_overrides = BTreeMap::new();
    for profile in PROFILES {
        for setting in profile.settings {
            let Some((name, value)) = setting.env.iter().find_map(|name| env(name).map(|value| (name, value))) else {
                continue;
            };
            let parsed = serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value.clone()));
            let parsed = match (&parsed, setting.kind) {
                (Value::String(text), addon_core::settings::SettingKind::DropdownMultiple) => {
                    Value::from(text.split(',').map(|item| item.trim().to_string()).collect::<Vec<_>>())
                }
                // `LOG_LEVEL=DEBUG` means the option `debug`.
                (Value::String(text), addon_core::settings::SettingKind::DropdownSingle)
                    if setting.options.values().contains(&text.to_ascii_lowercase().as_str()) =>
                {
                    Value::String(text.to_ascii_lowercase())
                }
                _ => parsed,
            };
            match setting.validate(&parsed) {
                Ok(valid) => {
                    setting_overrides.insert((profile.key.to_string(), setting.id.to_string()), valid);
                }
                Err(problem) => problems.push(format!("{name}: {problem}")),
            }
        }
    }
    if !problems.is_empty() {
        return Err(ConfigError(problems));
    }
    Ok(Config {
        listen,
        public_base_url,
        database_url,
        data_dir: PathBuf::from(raw.data_dir.unwrap_or_else(|| "data".into())),
        secret_key,
        clockify_public_key_path,
        clockify_api_base_url: raw.clockify_api_base_url,
        frame_ancestors,
        log_level,
        bootstrap_page_size,
        production,
        flows_enabled,
        http_allow_private_networks,
        flow_retry_base_ms,
        flow_concurrency,
        flow_runs_per_flow,
        setting_overrides,
    })
}

fn database_url(raw: &RawConfig, problems: &mut Vec<String>) -> String {
    // One process and one database serve both add-ons; the seed's two names must agree.
    let legacy: Vec<&String> = [&raw.api_studio_db_url, &raw.universal_webhook_db_url]
        .into_iter()
        .flatten()
        .collect();
    if legacy.len() == 2 && legacy[0] != legacy[1] && raw.database_url.is_none() {
        problems.push(
            "API_STUDIO_DB_URL and UNIVERSAL_WEBHOOK_DB_URL differ; both add-ons share one database, set DATABASE_URL"
                .into(),
        );
    }
    let url = raw
        .database_url
        .clone()
        .or_else(|| legacy.first().map(|url| (*url).clone()))
        .unwrap_or_else(|| "sqlite://data/addons.db".into());
    if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        problems.push(format!(
            "DATABASE_URL: must start with sqlite: or postgres:// (got {:?})",
            url.split(':').next().unwrap_or_default()
        ));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_sources(None, &env)
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let config = load(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_base_url, "http://127.0.0.1:3000");
        assert_eq!(config.database_url, "sqlite://data/addons.db");
        assert_eq!(config.frame_ancestors, vec![CLOCKIFY_FRAME_ANCESTORS]);
    }

    #[test]
    fn the_seeds_names_keep_working() {
        let config = load(&[
            ("API_STUDIO_DB_URL", "postgres://db/addons"),
            ("UW_WEBHOOK_LOG_RETENTION_DAYS", "30"),
            ("API_STUDIO_BOOTSTRAP_MAX_RPS", "10"),
        ])
        .unwrap();
        assert_eq!(config.database_url, "postgres://db/addons");
        let key = |addon: &str, id: &str| (addon.to_string(), id.to_string());
        assert_eq!(
            config.setting_overrides[&key("universal-webhook", "webhook_log_retention_days")],
            30
        );
        assert_eq!(config.setting_overrides[&key("api-studio", "bootstrap_max_rps")], 10);
    }

    #[test]
    fn every_log_level_the_server_takes_is_a_workspace_default_too() {
        for level in ["error", "WARN", "info", "Debug", "trace"] {
            let config = load(&[("LOG_LEVEL", level)]).unwrap_or_else(|error| panic!("{level}: {error:?}"));
            let key = ("universal-webhook".to_string(), "log_level".to_string());
            assert_eq!(config.setting_overrides[&key], level.to_ascii_lowercase());
        }
    }

    #[test]
    fn every_problem_gets_its_own_line() {
        let error = load(&[
            ("LISTEN_ADDR", "nowhere"),
            ("DATABASE_URL", "mysql://x"),
            ("UW_BOOTSTRAP_MAX_RPS", "500"),
            ("FRAME_ANCESTORS", "*"),
        ])
        .unwrap_err();
        assert_eq!(error.0.len(), 4, "{error}");
        assert!(error.0[0].starts_with("LISTEN_ADDR"));
        assert!(error
            .to_string()
            .contains("UW_BOOTSTRAP_MAX_RPS: Bootstrap requests per second must be between 1 and 50"));
    }

    #[test]
    fn flow_runtime_sizes_are_checked() {
        let config = load(&[("FLOW_CONCURRENCY", "64"), ("FLOW_RUNS_PER_FLOW", "4")]).unwrap();
        assert_eq!((config.flow_concurrency, config.flow_runs_per_flow), (64, 4));
        let defaults = load(&[]).unwrap();
        assert_eq!((defaults.flow_concurrency, defaults.flow_runs_per_flow), (32, 16));
        let error = load(&[("FLOW_CONCURRENCY", "0"), ("FLOW_RUNS_PER_FLOW", "many")]).unwrap_err();
        assert_eq!(
            error.0,
            vec![
                "FLOW_CONCURRENCY: \"0\" must be a number from 1 to 1024".to_string(),
                "FLOW_RUNS_PER_FLOW: \"many\" must be a number from 1 to 1024".to_string(),
            ]
        );
    }

    #[test]
    fn production_demands_https_a_key_and_clockifys_key() {
        let error = load(&[("PRODUCTION", "true"), ("CLOCKIFY_PUBLIC_KEY_PATH", "/tmp/x.pem")]).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("PUBLIC_BASE_URL: production"), "{text}");
        assert!(text.contains("SECRET_KEY: production"), "{text}");
        assert!(text.contains("CLOCKIFY_PUBLIC_KEY_PATH: production"), "{text}");
    }
}
