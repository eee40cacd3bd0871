//! "Test on recent events": what the draft and the published version would do. Work in progress.

use addon_core::flows::model::FlowDefinition;
use leptos::prelude::*;

/// The draft test panel.
#[component]
pub fn DraftTest(#[prop(into)] flow_id: String, #[prop(into)] draft: Signal<FlowDefinition>) -> impl IntoView {
    let _ = draft;
    view! { <div data-testid="draft-test" data-flow-id=flow_id></div> }
}
