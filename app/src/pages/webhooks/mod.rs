//! Webhooks: the log of every delivery the add-on received (live, filterable, with replay into
//! flows and a chart of the last 24 hours), how each Clockify event is subscribed, and for
//! Universal Webhook the custom sources that may post events from other systems.
//!
//! - [`log`]: the Log tab (filters, counts per source, the table, paging, "replay all matching");
//! - [`detail`]: the drawer with one event (pretty JSON body, headers, query, dedupe key, replay);
//! - [`chart`]: events per minute by type over the last 24 hours, as an inline SVG;
//! - [`sources`]: the Sources tab (list, create, rotate, disable; the secret is shown once);
//! - [`form`] (server only): the rules that turn the "New source" form into a stored source;
//! - [`server`]: the server functions the tabs call.

pub mod chart;
pub mod detail;
#[cfg(feature = "ssr")]
pub mod form;
pub mod log;
pub mod server;
pub mod sources;

use addon_core::profile::find_profile;
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
    /// For `api`: whether the workspace webhook exists now.
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub subscriptions: Vec<EventSubscription>,
    /// Webhook signing tokens Clockify handed over at installation.
    pub registered_tokens: usize,
    /// `None` when the add-on has no custom sources; otherwise the workspace's setting.
    pub custom_sources_enabled: Option<bool>,
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
    let api_webhooks = backend
        .store
        .api_webhooks(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let subscriptions = profile
        .events()
        .into_iter()
        .filter_map(find_event)
        .map(|event| {
            let manifest = profile.manifest_events.contains(&event.name);
            EventSubscription {
                event: event.name.to_string(),
                group: event.group.to_string(),
                description: event.description.to_string(),
                via: if manifest { "manifest" } else { "api" }.to_string(),
                created: manifest || api_webhooks.iter().any(|(_, event_type)| event_type == event.name),
            }
        })
        .collect();
    let custom_sources_enabled = if profile.features.custom_sources {
        let enabled = match backend
            .store
            .installation(profile.key, &session.workspace_id)
            .await
            .map_err(to_server_error)?
        {
            Some(installation) => server::custom_sources_setting(&backend, profile, &installation),
            None => false,
        };
        Some(enabled)
    } else {
        None
    };
    Ok(WebhookSummary {
        subscriptions,
        registered_tokens,
        custom_sources_enabled,
    })
}

/// What a repair of the workspace webhooks did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairOutcome {
    pub created: usize,
    pub removed: usize,
    pub kept: usize,
    /// `(event, reason)` of webhooks that could not be created.
    pub failed: Vec<(String, String)>,
}

impl RepairOutcome {
    fn summary(&self) -> String {
        let mut text = format!(
            "Repaired: {} created, {} missing, disabled or duplicate forgotten, {} already in place.",
            self.created, self.removed, self.kept
        );
        if !self.failed.is_empty() {
            let reasons: Vec<String> = self
                .failed
                .iter()
                .map(|(event, reason)| format!("{event}: {reason}"))
                .collect();
            text.push_str(&format!(
                " {} could not be created ({}).",
                self.failed.len(),
                reasons.join("; ")
            ));
        }
        text
    }
}

/// Creates the missing or disabled workspace webhooks of the session's installation and
/// removes stray ones (the same idempotent reconcile that runs at start-up and installation).
#[server]
pub async fn repair_workspace_webhooks(session: String) -> Result<RepairOutcome, ServerFnError> {
    use crate::backend::{authenticate, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    if !profile.subscribes_all_events {
        return Err(ServerFnError::new(format!(
            "{} receives its events through the manifest only; there is nothing to repair",
            profile.name
        )));
    }
    let installation = session_installation(&backend, &session).await?;
    if installation.status != "ACTIVE" {
        return Err(ServerFnError::new(
            "the add-on is inactive in this workspace; activate it in Clockify first",
        ));
    }
    let client = backend.bootstrap.client(&installation).map_err(to_server_error)?;
    let done = addon_core::ingest::subscriptions::reconcile(
        backend.store.as_ref(),
        &client,
        &backend.secrets,
        profile,
        &installation,
        &backend.public_base_url,
    )
    .await
    .map_err(to_server_error)?;
    Ok(RepairOutcome {
        created: done.created.len(),
        removed: done.removed.len(),
        kept: done.kept,
        failed: done.failed,
    })
}

/// The tabs of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Log,
    Subscriptions,
    Sources,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::Log => "Log",
            Tab::Subscriptions => "Subscriptions",
            Tab::Sources => "Sources",
        }
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let has_sources = find_profile(&session.addon_key).is_some_and(|profile| profile.features.custom_sources);
    let repair_token = session.token.clone();
    let summary = Resource::new(move || session.token.clone(), load_webhook_summary);
    // The repair lives here, not in the table: its outcome must survive the table's re-render
    // when the summary reloads after a repair.
    let repair = {
        let token = repair_token;
        Action::new(move |(): &()| {
            let token = token.clone();
            async move { repair_workspace_webhooks(token).await }
        })
    };
    Effect::new(move |_| {
        if matches!(repair.value().get(), Some(Ok(_))) {
            summary.refetch();
        }
    });
    let tab = RwSignal::new(Tab::Log);
    let tabs: Vec<Tab> = if has_sources {
        vec![Tab::Log, Tab::Subscriptions, Tab::Sources]
    } else {
        vec![Tab::Log, Tab::Subscriptions]
    };
    let buttons = tabs
        .into_iter()
        .map(|target| {
            let selected = move || tab.get() == target;
            // The Sources tab says when the workspace setting turned them off.
            let off_badge = (target == Tab::Sources).then(|| {
                view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let off = matches!(summary.await, Ok(WebhookSummary { custom_sources_enabled: Some(false), .. }));
                            off.then(|| view! {
                                <span data-testid="sources-off-badge"
                                      class="ml-1.5 rounded bg-slate-200 px-1 py-0.5 text-[10px] font-semibold uppercase text-slate-600 dark:bg-slate-600 dark:text-slate-200">
                                    "off"
                                </span>
                            })
                        })}
                    </Suspense>
                }
            });
            view! {
                <button type="button" role="tab" data-tab=target.label() aria-selected=move || selected().to_string()
                        class=move || if selected() {
                            "-mb-px border-b-2 border-[#03a9f4] px-3 py-2 text-sm font-semibold text-[#03a9f4]"
                        } else {
                            "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-[#03a9f4] dark:text-slate-300"
                        }
                        on:click=move |_| tab.set(target)>
                    {target.label()}
                    {off_badge}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="flex flex-col gap-4">
            <div role="tablist" class="flex gap-1 border-b border-slate-200 dark:border-slate-700" data-testid="webhook-tabs">
                {buttons}
            </div>
            {move || match tab.get() {
                Tab::Log => view! { <log::LogTab/> }.into_any(),
                Tab::Subscriptions => loaded(
                    summary,
                    "Webhooks could not be loaded",
                    move |summary| view! { <SubscriptionTable summary repair/> },
                )
                .into_any(),
                Tab::Sources => view! { <sources::SourcesTab/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn SubscriptionTable(
    summary: WebhookSummary,
    repair: Action<(), Result<RepairOutcome, ServerFnError>>,
) -> impl IntoView {
    let repair_message = move || {
        repair.value().get().map(|outcome| match outcome {
            Ok(outcome) => view! {
                <p class="mt-2 text-sm text-emerald-700 dark:text-emerald-400" data-testid="repair-outcome">{outcome.summary()}</p>
            }
            .into_any(),
            Err(error) => view! {
                <p class="mt-2 text-sm text-red-700 dark:text-red-400" role="alert" data-testid="repair-outcome">
                    {format!("The webhooks could not be repaired: {}", crate::session::error_message(&error))}
                </p>
            }
            .into_any(),
        })
    };
    let total = summary.subscriptions.len();
    let from_manifest = summary.subscriptions.iter().filter(|s| s.via == "manifest").count();
    let via_api = total - from_manifest;
    let api_created = summary
        .subscriptions
        .iter()
        .filter(|s| s.via == "api" && s.created)
        .count();
    let rows = summary
        .subscriptions
        .into_iter()
        .map(|subscription| {
            let event = subscription.event.clone();
            let via = match (subscription.via.as_str(), subscription.created) {
                ("manifest", _) => "manifest",
                (_, true) => "workspace webhook (API)",
                (_, false) => "workspace webhook (API; not created yet)",
            };
            view! {
                <tr class="border-t border-slate-100 dark:border-slate-700" data-event=event>
                    <td class="py-1.5 pr-3 font-mono text-xs">{subscription.event}</td>
                    <td class="py-1.5 pr-3 text-sm">{subscription.description}</td>
                    <td class="py-1.5 pr-3 text-sm text-slate-500 dark:text-slate-400">{subscription.group}</td>
                    <td class="py-1.5 text-xs">{via}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Card title="Clockify events">
            <p class="mb-3 text-sm" data-testid="subscription-summary">
                {match via_api {
                    0 => format!("{total} events, all declared in the manifest. "),
                    via_api => format!(
                        "{total} events: {from_manifest} declared in the manifest; {via_api} as workspace webhooks created through the API ({api_created} exist now). "
                    ),
                }}
                {format!("Clockify registered {} webhook signing tokens at installation.", summary.registered_tokens)}
            </p>
            {(via_api > 0).then(|| view! {
                <div class="mb-3">
                    <button type="button" data-testid="repair-webhooks"
                            class="rounded border border-[#03a9f4] px-3 py-1 text-sm text-[#03a9f4] hover:bg-sky-50 disabled:opacity-50 dark:hover:bg-slate-700"
                            disabled=move || repair.pending().get()
                            on:click=move |_| { repair.dispatch(()); }>
                        {move || if repair.pending().get() { "Repairing…" } else { "Repair workspace webhooks now" }}
                    </button>
                    {repair_message}
                </div>
            })}
            <table class="w-full text-left">
                <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr><th class="pb-2">"Event"</th><th class="pb-2">"What happened"</th><th class="pb-2">"Group"</th><th class="pb-2">"Subscribed via"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Card>
    }
}
