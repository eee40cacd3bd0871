//! Webhooks: which Clockify events this add-on receives, and how each is subscribed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{loaded, Card},
    session::SessionView,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSubscription {
    pub event: String,
    pub group: String,
    pub description: String,
    /// `manifest` (declared in the manifest) or `api` (created through the webhooks API).
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub subscriptions: Vec<EventSubscription>,
    /// Webhook signing tokens Clockify handed over at installation.
    pub registered_tokens: usize,
}

#[server]
pub async fn load_webhook_summary(session: String) -> Result<WebhookSummary, ServerFnError> {
    use addon_core::events::find_event;

    use crate::backend::{authenticate, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let registered_tokens = backend
        .store
        .webhook_tokens(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .len();
    let subscriptions = profile
        .events()
        .into_iter()
        .filter_map(find_event)
        .map(|event| EventSubscription {
            event: event.name.to_string(),
            group: event.group.to_string(),
            description: event.description.to_string(),
            via: if profile.manifest_events.contains(&event.name) {
                "manifest"
            } else {
                "api"
            }
            .to_string(),
        })
        .collect();
    Ok(WebhookSummary {
        subscriptions,
        registered_tokens,
    })
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let summary = Resource::new(move || session.token.clone(), load_webhook_summary);
    loaded(
        summary,
        "Webhooks could not be loaded",
        |summary| view! { <SubscriptionTable summary/> },
    )
}

#[component]
fn SubscriptionTable(summary: WebhookSummary) -> impl IntoView {
    let total = summary.subscriptions.len();
    let from_manifest = summary.subscriptions.iter().filter(|s| s.via == "manifest").count();
    let rows = summary
        .subscriptions
        .into_iter()
        .map(|subscription| {
            let event = subscription.event.clone();
            view! {
                <tr class="border-t border-slate-100 dark:border-slate-700" data-event=event>
                    <td class="py-1.5 pr-3 font-mono text-xs">{subscription.event}</td>
                    <td class="py-1.5 pr-3 text-sm">{subscription.description}</td>
                    <td class="py-1.5 pr-3 text-sm text-slate-500 dark:text-slate-400">{subscription.group}</td>
                    <td class="py-1.5 text-xs">{if subscription.via == "manifest" { "manifest" } else { "workspace webhook (API; not created yet)" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Card title="Clockify events">
            <p class="mb-3 text-sm" data-testid="subscription-summary">
                {match total - from_manifest {
                    0 => format!("{total} events, all declared in the manifest. "),
                    via_api => format!(
                        "{total} events: {from_manifest} declared in the manifest; {via_api} more are to be created as workspace webhooks through the API, which this version does not do yet. "
                    ),
                }}
                {format!("Clockify registered {} webhook signing tokens at installation.", summary.registered_tokens)}
            </p>
            <table class="w-full text-left">
                <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr><th class="pb-2">"Event"</th><th class="pb-2">"What happened"</th><th class="pb-2">"Group"</th><th class="pb-2">"Subscribed via"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Card>
    }
}
