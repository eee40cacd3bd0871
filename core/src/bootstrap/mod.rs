//! The bootstrap: right after INSTALLED the add-on pulls its workspace's data through the
//! Clockify API, within the workspace's rate budget, resumably, with live progress.
//!
//! - [`plan`] (pure): which resources a profile pulls, given its settings.
//! - [`runner`]: pulls the units of one installation page by page, saving each page with its
//!   cursor in one transaction.
//! - [`jobs`]: starts, stops and resumes one job per installation in the background.

pub mod plan;

#[cfg(feature = "server")]
pub mod jobs;
#[cfg(feature = "server")]
pub mod runner;

pub use plan::{find_resource, plan, PlanOptions, Resource, RESOURCES};
