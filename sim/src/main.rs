//! `sim`: runs the local Clockify. See `sim --help`.

use anyhow::Context;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = sim::Cli::parse();
    sim::telemetry::init();
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    sim::run(cli.config(), listener).await
}
