//! Secrets for HTTP actions (Universal Webhook). Work in progress.

use leptos::prelude::*;

/// The secrets manager.
#[component]
pub fn FlowSecrets() -> impl IntoView {
    view! { <div data-testid="flow-secrets"></div> }
}
