//! Starts the add-on server: reads configuration, sets up logs, serves.
//! `server write-manifests [dir]` regenerates the committed manifests instead.

use std::path::PathBuf;

use server::{config::Config, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("write-manifests") {
        let folder = PathBuf::from(args.get(1).map_or("manifests", String::as_str));
        return match server::write_manifests(&folder) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("{error:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let file = args
        .iter()
        .position(|arg| arg == "--config")
        .and_then(|index| args.get(index + 1))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CONFIG_FILE").map(PathBuf::from));
    let config = match Config::load(file) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_level);
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", config.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    match server::run(config, listener).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "server failed");
            std::process::ExitCode::FAILURE
        }
    }
}
