//! Flows: the no-code engine's page. The engine is not built yet; the page says so plainly.

use leptos::prelude::*;

use crate::components::NotBuiltYet;

#[component]
pub fn FlowsPage() -> impl IntoView {
    view! {
        <NotBuiltYet title="Flows"
            message="No-code flows (when an event arrives, if conditions hold, call Clockify) are not available in this version yet."/>
    }
}
