//! Flows: the no-code engine's page. The engine itself is not built yet; the page says so
//! plainly rather than pretending.

use leptos::prelude::*;

use crate::components::Card;

#[component]
pub fn FlowsPage() -> impl IntoView {
    view! {
        <Card title="Flows">
            <p class="text-sm" data-testid="not-built">
                "No-code flows (when an event arrives, if conditions hold, call Clockify) are not available in this version yet."
            </p>
        </Card>
    }
}
