//! Explorer: the Clockify API explorer's page. Not built yet; the page says so plainly.

use leptos::prelude::*;

use crate::components::NotBuiltYet;

#[component]
pub fn ExplorerPage() -> impl IntoView {
    view! {
        <NotBuiltYet title="API explorer"
            message="The explorer for Clockify's 166 API operations is not available in this version yet."/>
    }
}
