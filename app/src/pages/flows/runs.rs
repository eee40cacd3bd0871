//! Flow runs: one flow's runs ([`FlowRuns`], the editor's "Runs" tab) and every flow's runs
//! ([`AllRuns`]). Work in progress.

use leptos::prelude::*;

/// One flow's runs.
#[component]
pub fn FlowRuns(#[prop(into)] flow_id: String) -> impl IntoView {
    view! { <div data-testid="flow-runs" data-flow-id=flow_id></div> }
}

/// Every flow's runs, with a flow filter.
#[component]
pub fn AllRuns() -> impl IntoView {
    view! { <div data-testid="all-runs"></div> }
}
