//! The simulator's configuration and its command line (every flag also from a `SIM_*` variable).

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;

use crate::{
    datetime,
    faults::{TrafficConfig, DEFAULT_FREE_HOURLY_BUDGET, DEFAULT_RATE_LIMIT, MAX_LATENCY_MS},
    workspace::WorkspaceSpec,
};

/// Everything [`crate::run`] needs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Base URL add-ons use to reach the simulator; `None` = `http://<listener address>`.
    pub public_url: Option<String>,
    /// Where the signing key lives (`sim-private-key.pem`, `sim-public-key.pem`).
    pub data_dir: PathBuf,
    /// The demo workspace to generate.
    pub workspace: WorkspaceSpec,
    /// Manifest URLs to install after start (retried while unreachable).
    pub install: Vec<String>,
    /// Start-up limits and faults of the `/api` endpoints.
    pub traffic: TrafficConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            public_url: None,
            data_dir: PathBuf::from("./data/sim"),
            workspace: WorkspaceSpec::default(),
            install: Vec::new(),
            traffic: TrafficConfig::default(),
        }
    }
}

/// A ready-made workspace size; the size flags override single numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// The small demo workspace ([`WorkspaceSpec::default`]).
    Demo,
    /// 200 members, 2,000 projects, 20,000 tasks, 100,000 time entries
    /// ([`WorkspaceSpec::benchmark`]).
    Benchmark,
}

impl Preset {
    /// The workspace this preset describes.
    pub fn spec(self) -> WorkspaceSpec {
        match self {
            Preset::Demo => WorkspaceSpec::default(),
            Preset::Benchmark => WorkspaceSpec::benchmark(),
        }
    }
}

fn parse_share(text: &str) -> Result<f64, String> {
    let share: f64 = text.parse().map_err(|_| format!("{text} is not a number"))?;
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err(format!("{text} is not between 0 and 1"))
    }
}

fn parse_time(text: &str) -> Result<i64, String> {
    datetime::parse_timestamp(text).ok_or_else(|| format!("{text} is not a time like 2024-01-15T00:00:00Z"))
}

/// The local Clockify: installs add-ons, signs their tokens, serves the API they use and a
/// workspace page that hosts their iframes.
#[derive(Debug, Clone, Parser)]
#[command(name = "sim", version, about)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, env = "SIM_LISTEN", default_value = "127.0.0.1:4000")]
    pub listen: SocketAddr,
    /// Base URL add-ons reach the simulator at [default: http://<listen>].
    #[arg(long, env = "SIM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory for the signing key.
    #[arg(long, env = "SIM_DATA_DIR", default_value = "./data/sim")]
    pub data_dir: PathBuf,
    /// Workspace size preset; the size flags below override single numbers.
    #[arg(long, env = "SIM_PRESET", value_enum, default_value_t = Preset::Demo)]
    pub preset: Preset,
    /// Seed of the demo workspace.
    #[arg(long, env = "SIM_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Members, the owner included [default: from --preset].
    #[arg(long, env = "SIM_USERS")]
    pub users: Option<usize>,
    /// Projects [default: from --preset].
    #[arg(long, env = "SIM_PROJECTS")]
    pub projects: Option<usize>,
    /// Clients [default: from --preset].
    #[arg(long, env = "SIM_CLIENTS")]
    pub clients: Option<usize>,
    /// Tags [default: from --preset].
    #[arg(long, env = "SIM_TAGS")]
    pub tags: Option<usize>,
    /// Tasks, spread over the projects [default: from --preset].
    #[arg(long, env = "SIM_TASKS")]
    pub tasks: Option<usize>,
    /// Time entries, spread over the members, within the last 60 days [default: from --preset].
    #[arg(long, env = "SIM_TIME_ENTRIES")]
    pub time_entries: Option<usize>,
    /// User groups [default: from --preset].
    #[arg(long, env = "SIM_USER_GROUPS")]
    pub user_groups: Option<usize>,
    /// Holidays [default: from --preset].
    #[arg(long, env = "SIM_HOLIDAYS")]
    pub holidays: Option<usize>,
    /// Time-off policies [default: from --preset].
    #[arg(long, env = "SIM_TIME_OFF_POLICIES")]
    pub time_off_policies: Option<usize>,
    /// Expenses [default: from --preset].
    #[arg(long, env = "SIM_EXPENSES")]
    pub expenses: Option<usize>,
    /// Invoices [default: from --preset].
    #[arg(long, env = "SIM_INVOICES")]
    pub invoices: Option<usize>,
    /// Approval requests [default: from --preset].
    #[arg(long, env = "SIM_APPROVAL_REQUESTS")]
    pub approval_requests: Option<usize>,
    /// Custom fields [default: from --preset].
    #[arg(long, env = "SIM_CUSTOM_FIELDS")]
    pub custom_fields: Option<usize>,
    /// End of the generated history, e.g. 2024-06-01T00:00:00Z [default: midnight UTC today].
    #[arg(long, env = "SIM_HISTORY_END", value_parser = parse_time)]
    pub history_end: Option<i64>,
    /// Name of the demo workspace [default: from --preset].
    #[arg(long, env = "SIM_WORKSPACE_NAME")]
    pub workspace_name: Option<String>,
    /// Subscription plan of the demo workspace (FREE also limits add-on calls per hour).
    #[arg(long, env = "SIM_PLAN", default_value = "ENTERPRISE",
          value_parser = ["FREE", "BASIC", "STANDARD", "PRO", "ENTERPRISE"])]
    pub plan: String,
    /// API requests per second per installation token (a token bucket; 429 above it).
    #[arg(long, env = "SIM_RATE_LIMIT", default_value_t = DEFAULT_RATE_LIMIT,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
    /// API calls per rolling hour of a FREE workspace, all add-ons together.
    #[arg(long, env = "SIM_FREE_HOURLY_BUDGET", default_value_t = DEFAULT_FREE_HOURLY_BUDGET)]
    pub free_hourly_budget: u32,
    /// Share (0-1) of API requests answered 503/500 at start (see PUT /sim/faults).
    #[arg(long, env = "SIM_ERROR_RATE", default_value_t = 0.0, value_parser = parse_share)]
    pub error_rate: f64,
    /// Milliseconds added to every API request at start.
    #[arg(long, env = "SIM_LATENCY_MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=MAX_LATENCY_MS))]
    pub latency_ms: u64,
    /// Share (0-1) of 200 API answers cut short (invalid JSON) at start.
    #[arg(long, env = "SIM_MALFORMED_RATE", default_value_t = 0.0, value_parser = parse_share)]
    pub malformed_rate: f64,
    /// Manifest URL to install after start (repeatable; comma-separated in SIM_INSTALL).
    #[arg(long = "install", env = "SIM_INSTALL", value_delimiter = ',')]
    pub install: Vec<String>,
}

impl Cli {
    /// The workspace these flags describe: the preset with the given sizes replaced.
    pub fn workspace_spec(&self) -> WorkspaceSpec {
        let preset = self.preset.spec();
        let size = |flag: Option<usize>, preset: usize| flag.unwrap_or(preset);
        WorkspaceSpec {
            seed: self.seed,
            users: size(self.users, preset.users),
            projects: size(self.projects, preset.projects),
            clients: size(self.clients, preset.clients),
            tags: size(self.tags, preset.tags),
            tasks: size(self.tasks, preset.tasks),
            time_entries: size(self.time_entries, preset.time_entries),
            user_groups: size(self.user_groups, preset.user_groups),
            holidays: size(self.holidays, preset.holidays),
            time_off_policies: size(self.time_off_policies, preset.time_off_policies),
            expenses: size(self.expenses, preset.expenses),
            invoices: size(self.invoices, preset.invoices),
            approval_requests: size(self.approval_requests, preset.approval_requests),
            custom_fields: size(self.custom_fields, preset.custom_fields),
            name: self.workspace_name.clone().unwrap_or(preset.name),
            plan: self.plan.clone(),
            history_end: self.history_end,
        }
    }

    /// The configuration these flags describe.
    pub fn config(&self) -> SimConfig {
        SimConfig {
            public_url: self.public_url.clone(),
            data_dir: self.data_dir.clone(),
            workspace: self.workspace_spec(),
            install: self.install.clone(),
            traffic: TrafficConfig {
                rate_limit: self.rate_limit,
                free_hourly_budget: self.free_hourly_budget,
                error_rate: self.error_rate,
                latency_ms: self.latency_ms,
                malformed_rate: self.malformed_rate,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_repeated_installs() {
        let cli = Cli::try_parse_from(["sim", "--install", "http://a/manifest", "--install", "http://b/m"]).unwrap();
        let config = cli.config();
        assert_eq!(cli.listen.to_string(), "127.0.0.1:4000");
        assert_eq!(config.workspace, WorkspaceSpec::default());
        assert_eq!(config.install, ["http://a/manifest", "http://b/m"]);
        assert_eq!(config.traffic, TrafficConfig::default());
        assert!(Cli::try_parse_from(["sim", "--plan", "GOLD"]).is_err());
        assert!(Cli::try_parse_from(["sim", "--error-rate", "1.5"]).is_err());
        assert!(Cli::try_parse_from(["sim", "--rate-limit", "0"]).is_err());
    }

    #[test]
    fn presets_with_overrides() {
        let cli = Cli::try_parse_from(["sim", "--preset", "benchmark", "--tasks", "7", "--rate-limit", "9"]).unwrap();
        let config = cli.config();
        assert_eq!(
            config.workspace,
            WorkspaceSpec {
                tasks: 7,
                ..WorkspaceSpec::benchmark()
            }
        );
        assert_eq!(config.traffic.rate_limit, 9);
        let cli = Cli::try_parse_from(["sim", "--history-end", "2024-06-01T00:00:00Z"]).unwrap();
        assert_eq!(cli.config().workspace.history_end, Some(1_717_200_000));
        assert!(Cli::try_parse_from(["sim", "--history-end", "June"]).is_err());
    }
}
