//! Flows: the no-code engine's page. The engine is not built yet; the page says so plainly.
//! The API explorer's "make a flow action" links here with `?action=<JSON draft>`; the page
//! shows the draft it received (as text) until the flow builder exists to take it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{Card, NotBuiltYet};

#[component]
pub fn FlowsPage() -> impl IntoView {
    let query = use_query_map();
    let draft = move || {
        query.read().get("action").map(|action| {
            serde_json::from_str::<serde_json::Value>(&action)
                .ok()
                .and_then(|draft| serde_json::to_string_pretty(&draft).ok())
                .unwrap_or(action)
        })
    };
    view! {
        <div class="flex flex-col gap-4">
            {move || draft().map(|draft| view! {
                <Card title="Action draft from the API explorer">
                    <p class="mb-2 text-sm" data-testid="flow-action-received">
                        "Received an action draft. The flow builder is not built yet, so it cannot become a step here; \
                         this is what it will start from:"
                    </p>
                    <pre class="overflow-x-auto rounded bg-slate-50 p-2 font-mono text-xs dark:bg-slate-900"
                         data-testid="flow-action-draft">{draft}</pre>
                </Card>
            })}
            <NotBuiltYet title="Flows"
                message="No-code flows (when an event arrives, if conditions hold, call Clockify) are not available in this version yet."/>
        </div>
    }
}
