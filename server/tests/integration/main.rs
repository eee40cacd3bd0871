//! Black-box tests of the add-on server over real HTTP, each on SQLite and on Postgres.

mod binary;
mod support;

mod bootstrap;
mod explorer;
mod flows;
mod health;
mod lifecycle;
mod manifests;
mod redaction;
mod simulator;
mod ui;
mod webhooks;
mod workspace_logs;
