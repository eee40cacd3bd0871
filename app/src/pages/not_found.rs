use leptos::prelude::*;

use crate::components::ErrorPanel;

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPanel title="Page not found" message="There is no add-on page at this address."/> }
}
