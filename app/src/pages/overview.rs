//! Overview: the installation as stored, from real data, its activity and its data pull.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{loaded, Card, Field, StatusBadge},
    pages::{activity::ActivityCard, bootstrap::BootstrapPanel},
    session::SessionView,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationOverview {
    pub workspace_id: String,
    /// `None` until the details have been fetched from Clockify.
    pub workspace_name: Option<String>,
    pub workspace_plan: Option<String>,
    pub status: String,
    pub installed_at: String,
    pub installed_by: String,
    pub api_region: String,
    pub api_url: String,
    pub addon_plan: String,
    pub events: usize,
    pub scopes: usize,
    pub webhook_subscriptions: usize,
}

/// The installation of this session's add-on in this session's workspace.
#[server]
pub async fn load_overview(session: String) -> Result<InstallationOverview, ServerFnError> {
    use addon_core::claims::api_region;

    use crate::backend::{authenticate, format_time, session_installation, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let installation = session_installation(&backend, &session).await?;
    let webhook_subscriptions = backend
        .store
        .webhook_tokens(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?
        .len();
    let installed_by = match (&installation.installer_name, &installation.installed_by) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => format!("user {id}"),
        (None, None) => "unknown".into(),
    };
    Ok(InstallationOverview {
        workspace_id: installation.workspace_id,
        workspace_name: installation.workspace_name,
        workspace_plan: installation.workspace_plan,
        status: installation.status,
        installed_at: format_time(installation.installed_at),
        installed_by,
        api_region: api_region(&installation.backend_url),
        api_url: installation.backend_url,
        addon_plan: profile.plan.to_string(),
        events: profile.events().len(),
        scopes: profile.scopes.len(),
        webhook_subscriptions,
    })
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let overview = Resource::new(move || session.token.clone(), load_overview);
    // The activity card and the data-pull panel load their own resources; they sit beside (not
    // inside) the overview's Suspense so that every resource is created in the same order on
    // server and client.
    view! {
        <div class="grid gap-4">
            {loaded(overview, "The installation could not be loaded", |data| view! { <OverviewCards data/> })}
            <ActivityCard/>
            <BootstrapPanel/>
        </div>
    }
}

#[component]
fn OverviewCards(data: InstallationOverview) -> impl IntoView {
    let name = data
        .workspace_name
        .clone()
        .unwrap_or_else(|| "Fetching from Clockify…".into());
    let plan = data.workspace_plan.clone().unwrap_or_else(|| "unknown".into());
    view! {
        <div class="grid gap-4">
            <Card title="Workspace">
                <div class="mb-4 flex items-center gap-3">
                    <h1 class="text-2xl font-semibold text-slate-900 dark:text-white" data-testid="workspace-name">{name}</h1>
                    <StatusBadge status=data.status.clone()/>
                </div>
                <dl class="grid grid-cols-2 gap-4 md:grid-cols-3">
                    <Field label="Workspace plan" value=plan test_id="workspace-plan"/>
                    <Field label="Installed" value=data.installed_at.clone() test_id="installed-at"/>
                    <Field label="Installed by" value=data.installed_by.clone() test_id="installed-by"/>
                    <Field label="API region" value=data.api_region.clone() test_id="api-region"/>
                    <Field label="API URL" value=data.api_url.clone()/>
                    <Field label="Workspace ID" value=data.workspace_id.clone()/>
                </dl>
            </Card>
            <Card title="This add-on">
                <dl class="grid grid-cols-2 gap-4 md:grid-cols-4">
                    <Field label="Minimal plan" value=data.addon_plan.clone()/>
                    <Field label="Clockify events" value=data.events.to_string() test_id="event-count"/>
                    <Field label="API scopes" value=data.scopes.to_string()/>
                    <Field label="Webhook subscriptions" value=data.webhook_subscriptions.to_string() test_id="webhook-subscriptions"/>
                </dl>
            </Card>
        </div>
    }
}
