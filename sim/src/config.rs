//! The simulator's configuration and its command line (every flag also from a `SIM_*` variable).

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;

use crate::workspace::WorkspaceSpec;

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
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            public_url: None,
            data_dir: PathBuf::from("./data/sim"),
            workspace: WorkspaceSpec::default(),
            install: Vec::new(),
        }
    }
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
    /// Seed of the demo workspace.
    #[arg(long, env = "SIM_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Members, the owner included.
    #[arg(long, env = "SIM_USERS", default_value_t = 8)]
    pub users: usize,
    /// Projects.
    #[arg(long, env = "SIM_PROJECTS", default_value_t = 12)]
    pub projects: usize,
    /// Clients.
    #[arg(long, env = "SIM_CLIENTS", default_value_t = 5)]
    pub clients: usize,
    /// Tags.
    #[arg(long, env = "SIM_TAGS", default_value_t = 10)]
    pub tags: usize,
    /// Name of the demo workspace.
    #[arg(long, env = "SIM_WORKSPACE_NAME", default_value = "Demo Workspace")]
    pub workspace_name: String,
    /// Subscription plan of the demo workspace.
    #[arg(long, env = "SIM_PLAN", default_value = "ENTERPRISE",
          value_parser = ["FREE", "BASIC", "STANDARD", "PRO", "ENTERPRISE"])]
    pub plan: String,
    /// Manifest URL to install after start (repeatable; comma-separated in SIM_INSTALL).
    #[arg(long = "install", env = "SIM_INSTALL", value_delimiter = ',')]
    pub install: Vec<String>,
}

impl Cli {
    /// The configuration these flags describe.
    pub fn config(&self) -> SimConfig {
        SimConfig {
            public_url: self.public_url.clone(),
            data_dir: self.data_dir.clone(),
            workspace: WorkspaceSpec {
                seed: self.seed,
                users: self.users,
                projects: self.projects,
                clients: self.clients,
                tags: self.tags,
                name: self.workspace_name.clone(),
                plan: self.plan.clone(),
            },
            install: self.install.clone(),
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
        assert!(Cli::try_parse_from(["sim", "--plan", "GOLD"]).is_err());
    }
}
