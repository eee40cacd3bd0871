//! One module per page, each with the server functions it calls.

pub mod activity;
pub mod bootstrap;
pub mod data;
pub mod explorer;
pub mod failure_toasts;
pub mod flows;
pub mod not_found;
pub mod overview;
pub mod settings;
pub mod shell;
pub mod webhooks;
