//! Explorer: the Clockify API explorer's page. Not built yet; the page says so plainly.

use leptos::prelude::*;

use crate::components::Card;

#[component]
pub fn ExplorerPage() -> impl IntoView {
    view! {
        <Card title="API explorer">
            <p class="text-sm" data-testid="not-built">
                "The explorer for Clockify's 166 API operations is not available in this version yet."
            </p>
        </Card>
    }
}
