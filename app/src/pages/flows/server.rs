//! The server functions of the flow list and the flow editor. Every one verifies the session
//! and reads or changes flows of the session's add-on and workspace only. Definitions are
//! checked with the same [`validate`](addon_core::flows::validate::validate) the editor runs
//! as the admin types, so a request that bypasses the page is refused for the same reasons
//! (an operation outside the add-on's permissions, an HTTP action while the setting is off,
//! a source of another workspace). While flows are off (the workspace setting, or the server
//! without a flow runtime) everything can be read and nothing changed.

use addon_core::flows::{
    model::{FlowDefinition, Trigger},
    validate::Problem,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// The largest definition accepted, as JSON (bytes).
pub const MAX_DEFINITION_BYTES: usize = 256 * 1024;

/// Most flows per workspace.
pub const MAX_FLOWS: usize = 200;

/// Stored events offered as samples for the preview.
pub const SAMPLE_COUNT: usize = 20;

/// Bodies larger than this (bytes) are not sent to the browser as samples.
pub const MAX_SAMPLE_BODY_BYTES: usize = 256 * 1024;

/// One row of the flow list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowSummary {
    pub id: String,
    pub name: String,
    /// The draft's trigger in words (`NEW_TIME_ENTRY, NEW_TAG`).
    pub trigger: String,
    /// `draft` (never published), `published` or `disabled`.
    pub status: String,
    pub published_version: Option<i64>,
    pub enabled: bool,
    /// The draft differs from the published version.
    pub unpublished_changes: bool,
    /// Finished runs (succeeded, failed, dead) and the succeeded ones.
    pub finished: i64,
    pub succeeded: i64,
    /// Runs queued, running or retrying.
    pub pending: i64,
    pub last_run: Option<String>,
}

impl FlowSummary {
    /// Succeeded runs among the finished ones, 0–100; `None` before the first finished run.
    pub fn success_percent(&self) -> Option<f64> {
        (self.finished > 0).then(|| self.succeeded as f64 * 100.0 / self.finished as f64)
    }
}

/// The flow list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowList {
    pub flows: Vec<FlowSummary>,
    /// Why flows cannot be changed now; `None` when they can.
    pub read_only: Option<String>,
}

/// A Clockify event the trigger can start on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOption {
    pub name: String,
    pub group: String,
    pub description: String,
}

/// A custom source the trigger can start on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOption {
    pub id: String,
    pub name: String,
    pub enabled: bool,
}

/// What the editor needs to know about the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowCatalog {
    /// The add-on's Clockify events (API Studio 12, Universal Webhook 51).
    pub event_types: Vec<EventOption>,
    /// Custom sources (Universal Webhook only).
    pub sources: Vec<SourceOption>,
    /// The add-on can have custom sources at all.
    pub custom_sources: bool,
    /// The add-on has generic HTTP actions at all.
    pub http_feature: bool,
    /// The workspace setting for generic HTTP actions is on (and the add-on has them).
    pub generic_http: bool,
    /// Why flows cannot be changed now; `None` when they can.
    pub read_only: Option<String>,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    pub time: String,
    pub name: String,
    pub summary: String,
}

/// A flow as the editor loads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowDetail {
    pub id: String,
    pub enabled: bool,
    pub draft: FlowDefinition,
    pub published_version: Option<i64>,
    pub published: Option<FlowDefinition>,
    /// Newest first.
    pub versions: Vec<VersionView>,
    pub updated: String,
}

/// What saving, publishing or importing did: the flow, or the problems that stopped it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved(Box<FlowDetail>),
    Invalid(Vec<Problem>),
}

/// A stored event offered to the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleEvent {
    pub id: String,
    pub source: String,
    pub source_name: String,
    pub event_type: String,
    pub time: String,
    pub received_at: i64,
    /// JSON object of header name to value (secrets were redacted at ingestion).
    pub headers: String,
    /// The raw body; empty with `too_large` when it is over [`MAX_SAMPLE_BODY_BYTES`].
    pub body: String,
    pub too_large: bool,
}

/// The trigger of a definition in words.
pub fn trigger_summary(trigger: &Trigger, source_name: impl Fn(&str) -> String) -> String {
    let mut parts: Vec<String> = trigger.event_types.iter().take(3).cloned().collect();
    if trigger.event_types.len() > 3 {
        parts.push(format!("+{} more", trigger.event_types.len() - 3));
    }
    let sources: Vec<String> = trigger.sources.iter().map(|id| source_name(id)).collect();
    if !sources.is_empty() {
        parts.push(format!("from {}", sources.join(", ")));
    }
    if parts.is_empty() {
        "no trigger yet".to_string()
    } else {
        parts.join(", ")
    }
}

/// One sentence about what a version does.
pub fn definition_summary(def: &FlowDefinition) -> String {
    let rules: usize = def.conditions.groups.iter().map(|group| group.rules.len()).sum();
    let plural = |count: usize, word: &str| {
        if count == 1 {
            format!("1 {word}")
        } else {
            format!("{count} {word}s")
        }
    };
    format!(
        "{}; {}; {}",
        trigger_summary(&def.trigger, str::to_string),
        plural(rules, "rule"),
        plural(def.actions.len(), "action")
    )
}

/// The definition of an export or import file: pretty JSON.
pub fn export_text(def: &FlowDefinition) -> String {
    serde_json::to_string_pretty(def).unwrap_or_default()
}

/// Parses an import file into a definition, with a readable reason when it is not one.
pub fn parse_import(text: &str) -> Result<FlowDefinition, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Paste the flow's JSON (an exported flow) first.".to_string());
    }
    if text.len() > MAX_DEFINITION_BYTES {
        return Err(format!(
            "The file is larger than {} KB; a flow definition is much smaller.",
            MAX_DEFINITION_BYTES / 1024
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        format!(
            "This is not valid JSON (line {}, column {}): {}.",
            error.line(),
            error.column(),
            describe_json_error(&error)
        )
    })?;
    if !value.is_object() {
        return Err("The JSON must be an object with name, trigger, conditions and actions.".to_string());
    }
    serde_json::from_value(value).map_err(|error| format!("This JSON is not a flow: {error}."))
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    // serde_json appends " at line L column C", which the message already says.
    match text.rfind(" at line ") {
        Some(position) => text[..position].to_string(),
        None => text,
    }
}

/// Helpers only the server needs.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::collections::HashMap;

    use addon_core::{
        flows::{
            model::FlowDefinition,
            runtime::generic_http_on,
            validate::{validate, Capabilities, Problem},
        },
        profile::Profile,
        session::Session,
        settings::EffectiveSettings,
        store::{events::SourceRow, flows::FlowRow},
    };
    use leptos::prelude::ServerFnError;

    use super::{definition_summary, FlowDetail, VersionView, MAX_DEFINITION_BYTES};
    use crate::backend::{
        authenticate, format_time, session_installation, session_profile, to_server_error, UiBackend,
    };

    /// Everything a flow server function works with.
    pub struct FlowContext {
        pub backend: UiBackend,
        pub session: Session,
        pub profile: &'static Profile,
        pub settings: EffectiveSettings,
    }

    /// Verifies the session and loads the installation and its settings.
    pub async fn context(token: &str) -> Result<FlowContext, ServerFnError> {
        let (backend, session) = authenticate(token)?;
        let profile = session_profile(&session)?;
        let installation = session_installation(&backend, &session).await?;
        let settings = EffectiveSettings::resolve(
            profile.key,
            profile.settings,
            &installation.settings,
            &backend.setting_overrides,
        );
        Ok(FlowContext {
            backend,
            session,
            profile,
            settings,
        })
    }

    impl FlowContext {
        pub fn addon(&self) -> &'static str {
            self.profile.key
        }

        pub fn workspace(&self) -> &str {
            &self.session.workspace_id
        }

        /// Why flows cannot be changed now, or `None`.
        pub fn read_only(&self) -> Option<String> {
            if !self.backend.flows.enabled() {
                Some(
                    "Flows are turned off on this server by its administrator: you can look at them, but not change them, and none run."
                        .to_string(),
                )
            } else if !self.settings.flag("flows_enabled") {
                Some(
                    "Flows are turned off in this workspace's settings (Settings → Flows → Flows enabled): you can look at them, but not change them, and none run."
                        .to_string(),
                )
            } else {
                None
            }
        }

        /// Refuses a change while flows are off.
        pub fn require_writable(&self) -> Result<(), ServerFnError> {
            match self.read_only() {
                Some(reason) => Err(ServerFnError::new(reason)),
                None => Ok(()),
            }
        }

        pub fn generic_http(&self) -> bool {
            generic_http_on(self.profile, &self.settings)
        }

        /// The workspace's custom sources (none for an add-on without them).
        pub async fn sources(&self) -> Result<Vec<SourceRow>, ServerFnError> {
            if !self.profile.features.custom_sources {
                return Ok(Vec::new());
            }
            self.backend
                .store
                .sources(self.addon(), self.workspace())
                .await
                .map_err(to_server_error)
        }

        /// What the workspace lets flows do.
        pub async fn capabilities(&self) -> Result<Capabilities<'static>, ServerFnError> {
            let source_ids = self.sources().await?.into_iter().map(|source| source.id).collect();
            Ok(Capabilities {
                profile: self.profile,
                generic_http: self.generic_http(),
                source_ids,
            })
        }

        /// Every problem of a definition, the size limit included.
        pub async fn problems(&self, def: &FlowDefinition) -> Result<Vec<Problem>, ServerFnError> {
            let size = serde_json::to_string(def).map(|text| text.len()).unwrap_or(usize::MAX);
            if size > MAX_DEFINITION_BYTES {
                return Ok(vec![Problem::new(
                    "definition",
                    format!(
                        "The flow is larger than {} KB: remove actions or shorten bodies.",
                        MAX_DEFINITION_BYTES / 1024
                    ),
                )]);
            }
            let caps = self.capabilities().await?;
            Ok(validate(def, &caps))
        }

        /// A flow of this workspace, or a readable "not found".
        pub async fn flow(&self, id: &str) -> Result<FlowRow, ServerFnError> {
            self.backend
                .store
                .flow(self.addon(), self.workspace(), id)
                .await
                .map_err(to_server_error)?
                .ok_or_else(|| ServerFnError::new("This flow does not exist (any more) in this workspace."))
        }

        /// A stored flow as the editor shows it.
        pub async fn detail(&self, row: FlowRow) -> Result<FlowDetail, ServerFnError> {
            let versions = self
                .backend
                .store
                .flow_versions(self.addon(), self.workspace(), &row.id)
                .await
                .map_err(to_server_error)?
                .into_iter()
                .map(|version| {
                    let (name, summary) = match parse_definition(&version.definition) {
                        Ok(def) => (def.name.clone(), definition_summary(&def)),
                        Err(message) => (String::new(), message),
                    };
                    VersionView {
                        version: version.version,
                        time: format_time(version.created_at),
                        name,
                        summary,
                    }
                })
                .collect();
            let draft = parse_definition(&row.draft).map_err(ServerFnError::new)?;
            let published = row.published.as_deref().and_then(|text| parse_definition(text).ok());
            Ok(FlowDetail {
                id: row.id,
                enabled: row.enabled,
                draft,
                published_version: row.published_version,
                published,
                versions,
                updated: format_time(row.updated_at),
            })
        }

        /// Source id → name.
        pub async fn source_names(&self) -> Result<HashMap<String, String>, ServerFnError> {
            Ok(self
                .sources()
                .await?
                .into_iter()
                .map(|source| (source.id, source.name))
                .collect())
        }
    }

    /// A stored definition.
    pub fn parse_definition(text: &str) -> Result<FlowDefinition, String> {
        serde_json::from_str(text).map_err(|error| format!("The stored flow cannot be read: {error}"))
    }

    /// A definition as stored.
    pub fn definition_json(def: &FlowDefinition) -> Result<String, ServerFnError> {
        serde_json::to_string(def).map_err(|error| ServerFnError::new(format!("the flow cannot be stored: {error}")))
    }
}

/// Every flow of the workspace with its status and run figures.
#[server]
pub async fn load_flow_list(session: String) -> Result<FlowList, ServerFnError> {
    use std::collections::HashMap;

    use addon_core::store::flows::run_status;

    use crate::backend::{format_time, to_server_error};

    let ctx = ssr::context(&session).await?;
    let rows = ctx
        .backend
        .store
        .flows(ctx.addon(), ctx.workspace())
        .await
        .map_err(to_server_error)?;
    let stats = ctx
        .backend
        .store
        .flow_run_stats(ctx.addon(), ctx.workspace())
        .await
        .map_err(to_server_error)?;
    let names = ctx.source_names().await?;
    // flow id → (finished, succeeded, pending, last run)
    let mut figures: HashMap<String, (i64, i64, i64, i64)> = HashMap::new();
    for stat in stats {
        let entry = figures.entry(stat.flow_id.clone()).or_default();
        match stat.status.as_str() {
            run_status::SUCCEEDED => {
                entry.0 += stat.count;
                entry.1 += stat.count;
            }
            run_status::FAILED | run_status::DEAD => entry.0 += stat.count,
            _ => entry.2 += stat.count,
        }
        entry.3 = entry.3.max(stat.last_at);
    }
    let flows = rows
        .into_iter()
        .map(|row| {
            let draft = ssr::parse_definition(&row.draft).ok();
            let trigger = match &draft {
                Some(def) => trigger_summary(&def.trigger, |id| {
                    names.get(id).cloned().unwrap_or_else(|| id.to_string())
                }),
                None => "unreadable".to_string(),
            };
            let (finished, succeeded, pending, last) = figures.get(&row.id).copied().unwrap_or_default();
            let status = if !row.enabled {
                "disabled"
            } else if row.published_version.is_some() {
                "published"
            } else {
                "draft"
            };
            let unpublished_changes = row.published.is_some()
                && row
                    .published
                    .as_deref()
                    .and_then(|text| ssr::parse_definition(text).ok())
                    != draft;
            FlowSummary {
                name: if row.name.trim().is_empty() {
                    "(no name)".to_string()
                } else {
                    row.name
                },
                id: row.id,
                trigger,
                status: status.to_string(),
                published_version: row.published_version,
                enabled: row.enabled,
                unpublished_changes,
                finished,
                succeeded,
                pending,
                last_run: (last > 0).then(|| format_time(last)),
            }
        })
        .collect();
    Ok(FlowList {
        flows,
        read_only: ctx.read_only(),
    })
}

/// The event types, sources and switches the editor offers.
#[server]
pub async fn load_flow_catalog(session: String) -> Result<FlowCatalog, ServerFnError> {
    use addon_core::events::find_event;

    let ctx = ssr::context(&session).await?;
    let event_types = ctx
        .profile
        .events()
        .into_iter()
        .filter_map(find_event)
        .map(|event| EventOption {
            name: event.name.to_string(),
            group: event.group.to_string(),
            description: event.description.to_string(),
        })
        .collect();
    let sources = ctx
        .sources()
        .await?
        .into_iter()
        .map(|source| SourceOption {
            id: source.id,
            name: source.name,
            enabled: source.enabled,
        })
        .collect();
    Ok(FlowCatalog {
        event_types,
        sources,
        custom_sources: ctx.profile.features.custom_sources,
        http_feature: ctx.profile.features.generic_http_actions,
        generic_http: ctx.generic_http(),
        read_only: ctx.read_only(),
    })
}

/// One flow: its draft, the published version and every version.
#[server]
pub async fn load_flow(session: String, id: String) -> Result<FlowDetail, ServerFnError> {
    let ctx = ssr::context(&session).await?;
    let row = ctx.flow(&id).await?;
    ctx.detail(row).await
}

/// Creates a flow from a definition (checked like every save); enabled, not yet published.
#[server(input = Json)]
pub async fn create_flow(session: String, definition: FlowDefinition) -> Result<SaveOutcome, ServerFnError> {
    use addon_core::{lifecycle::now_millis, store::flows::FlowRow, store::new_id};

    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let problems = ctx.problems(&definition).await?;
    if !problems.is_empty() {
        return Ok(SaveOutcome::Invalid(problems));
    }
    let existing = ctx
        .backend
        .store
        .flows(ctx.addon(), ctx.workspace())
        .await
        .map_err(to_server_error)?
        .len();
    if existing >= MAX_FLOWS {
        return Err(ServerFnError::new(format!(
            "This workspace already has {MAX_FLOWS} flows, the most it can have: delete one first."
        )));
    }
    let now = now_millis();
    let row = FlowRow {
        id: new_id(),
        addon_key: ctx.addon().to_string(),
        workspace_id: ctx.workspace().to_string(),
        name: definition.name.trim().to_string(),
        enabled: true,
        draft: ssr::definition_json(&definition)?,
        published_version: None,
        published: None,
        created_at: now,
        updated_at: now,
    };
    ctx.backend.store.save_flow(&row).await.map_err(to_server_error)?;
    Ok(SaveOutcome::Saved(Box::new(ctx.detail(row).await?)))
}

/// Saves the draft of a flow after checking it; the published version keeps running.
#[server(input = Json)]
pub async fn save_flow_draft(
    session: String,
    id: String,
    definition: FlowDefinition,
) -> Result<SaveOutcome, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let mut row = ctx.flow(&id).await?;
    let problems = ctx.problems(&definition).await?;
    if !problems.is_empty() {
        return Ok(SaveOutcome::Invalid(problems));
    }
    row.name = definition.name.trim().to_string();
    row.draft = ssr::definition_json(&definition)?;
    row.updated_at = now_millis();
    ctx.backend.store.save_flow(&row).await.map_err(to_server_error)?;
    let row = ctx.flow(&id).await?;
    Ok(SaveOutcome::Saved(Box::new(ctx.detail(row).await?)))
}

/// Saves and publishes a definition as the flow's next version (it must have no problems),
/// then wakes the runtime.
#[server(input = Json)]
pub async fn publish_flow_draft(
    session: String,
    id: String,
    definition: FlowDefinition,
) -> Result<SaveOutcome, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let mut row = ctx.flow(&id).await?;
    let problems = ctx.problems(&definition).await?;
    if !problems.is_empty() {
        return Ok(SaveOutcome::Invalid(problems));
    }
    let text = ssr::definition_json(&definition)?;
    let now = now_millis();
    row.name = definition.name.trim().to_string();
    row.draft = text.clone();
    row.updated_at = now;
    ctx.backend.store.save_flow(&row).await.map_err(to_server_error)?;
    ctx.backend
        .store
        .publish_flow(ctx.addon(), ctx.workspace(), &id, &text, now)
        .await
        .map_err(to_server_error)?
        .ok_or_else(|| ServerFnError::new("This flow does not exist (any more) in this workspace."))?;
    ctx.backend.flows.wake();
    let row = ctx.flow(&id).await?;
    Ok(SaveOutcome::Saved(Box::new(ctx.detail(row).await?)))
}

/// Turns a flow on or off (a disabled flow keeps its versions and runs nothing).
#[server]
pub async fn set_flow_enabled(session: String, id: String, enabled: bool) -> Result<FlowDetail, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let mut row = ctx.flow(&id).await?;
    row.enabled = enabled;
    row.updated_at = now_millis();
    ctx.backend.store.save_flow(&row).await.map_err(to_server_error)?;
    if enabled {
        ctx.backend.flows.wake();
    }
    let row = ctx.flow(&id).await?;
    ctx.detail(row).await
}

/// Deletes a flow with its versions and runs.
#[server]
pub async fn delete_flow(session: String, id: String) -> Result<(), ServerFnError> {
    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let deleted = ctx
        .backend
        .store
        .delete_flow(ctx.addon(), ctx.workspace(), &id)
        .await
        .map_err(to_server_error)?;
    if deleted {
        Ok(())
    } else {
        Err(ServerFnError::new(
            "This flow does not exist (any more) in this workspace.",
        ))
    }
}

/// Copies a published version into the draft (nothing is published).
#[server]
pub async fn restore_flow_version(session: String, id: String, version: i64) -> Result<FlowDetail, ServerFnError> {
    use addon_core::lifecycle::now_millis;

    use crate::backend::to_server_error;

    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let mut row = ctx.flow(&id).await?;
    let stored = ctx
        .backend
        .store
        .flow_versions(ctx.addon(), ctx.workspace(), &id)
        .await
        .map_err(to_server_error)?
        .into_iter()
        .find(|candidate| candidate.version == version)
        .ok_or_else(|| ServerFnError::new(format!("This flow has no version {version}.")))?;
    let def = ssr::parse_definition(&stored.definition).map_err(ServerFnError::new)?;
    row.name = def.name.trim().to_string();
    row.draft = stored.definition;
    row.updated_at = now_millis();
    ctx.backend.store.save_flow(&row).await.map_err(to_server_error)?;
    let row = ctx.flow(&id).await?;
    ctx.detail(row).await
}

/// Creates a flow from an exported file's text. Bad JSON and definitions with problems are
/// answered as problems (field `import` for the file itself).
#[server]
pub async fn import_flow(session: String, text: String) -> Result<SaveOutcome, ServerFnError> {
    let ctx = ssr::context(&session).await?;
    ctx.require_writable()?;
    let definition = match parse_import(&text) {
        Ok(definition) => definition,
        Err(message) => return Ok(SaveOutcome::Invalid(vec![Problem::new("import", message)])),
    };
    create_flow(session, definition).await
}

/// The draft of a flow as an export file's text.
#[server]
pub async fn export_flow(session: String, id: String) -> Result<String, ServerFnError> {
    let ctx = ssr::context(&session).await?;
    let row = ctx.flow(&id).await?;
    let def = ssr::parse_definition(&row.draft).map_err(ServerFnError::new)?;
    Ok(export_text(&def))
}

/// The last [`SAMPLE_COUNT`] accepted events the trigger starts on (any events when the
/// trigger is empty), newest first, for the preview.
#[server(input = Json)]
pub async fn load_sample_events(session: String, trigger: Trigger) -> Result<Vec<SampleEvent>, ServerFnError> {
    use std::collections::BTreeMap;

    use addon_core::{
        flows::evaluate::triggers_on,
        store::events::{event_status, EventFilter, StoredEvent, CLOCKIFY_SOURCE},
    };

    use crate::backend::{format_time, to_server_error};

    /// Above this many event types one unfiltered query is cheaper than one per type.
    const MAX_TYPE_QUERIES: usize = 8;
    /// How far back the unfiltered query looks (events).
    const WIDE_LIMIT: i64 = 500;

    let ctx = ssr::context(&session).await?;
    let names = ctx.source_names().await?;
    let custom = ctx.profile.features.custom_sources;
    let sources: Vec<String> = if custom {
        trigger
            .sources
            .iter()
            .filter(|id| names.contains_key(*id))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let empty = trigger.event_types.is_empty() && sources.is_empty();
    let accepted = |event_type: Option<String>, source: Option<String>| EventFilter {
        event_type,
        source,
        status: Some(event_status::ACCEPTED.to_string()),
        since: None,
        text: None,
    };
    let mut filters: Vec<(EventFilter, i64)> = Vec::new();
    let own_source = (!custom).then(|| CLOCKIFY_SOURCE.to_string());
    if empty {
        filters.push((accepted(None, own_source), SAMPLE_COUNT as i64));
    } else if trigger.event_types.len() > MAX_TYPE_QUERIES {
        filters.push((accepted(None, own_source), WIDE_LIMIT));
    } else {
        for event_type in &trigger.event_types {
            filters.push((
                accepted(Some(event_type.clone()), own_source.clone()),
                SAMPLE_COUNT as i64,
            ));
        }
        for source in &sources {
            filters.push((accepted(None, Some(source.clone())), WIDE_LIMIT.min(100)));
        }
    }
    let mut found: BTreeMap<(i64, String), StoredEvent> = BTreeMap::new();
    for (filter, limit) in filters {
        let page = ctx
            .backend
            .store
            .events(ctx.addon(), ctx.workspace(), &filter, 0, limit)
            .await
            .map_err(to_server_error)?;
        for event in page.items {
            let starts = empty || triggers_on(&trigger, &event.source, &event.event_type);
            if starts {
                found.insert((event.received_at, event.id.clone()), event);
            }
        }
    }
    Ok(found
        .into_values()
        .rev()
        .take(SAMPLE_COUNT)
        .map(|event| {
            let too_large = event.body.len() > MAX_SAMPLE_BODY_BYTES;
            let source_name = if event.source == CLOCKIFY_SOURCE {
                "Clockify".to_string()
            } else {
                names
                    .get(&event.source)
                    .cloned()
                    .unwrap_or_else(|| event.source.clone())
            };
            SampleEvent {
                time: format_time(event.received_at),
                source_name,
                body: if too_large { String::new() } else { event.body },
                too_large,
                id: event.id,
                source: event.source,
                event_type: event.event_type,
                received_at: event.received_at,
                headers: event.headers,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_name_what_is_wrong() {
        let error = parse_import("{\"name\": ").unwrap_err();
        assert!(
            error.starts_with("This is not valid JSON (line 1, column 8)"),
            "{error}"
        );
        assert!(!error.contains(" at line "), "{error}");
        assert_eq!(
            parse_import("[1]").unwrap_err(),
            "The JSON must be an object with name, trigger, conditions and actions."
        );
        assert!(parse_import("{\"name\": 3}")
            .unwrap_err()
            .starts_with("This JSON is not a flow"));
        assert_eq!(
            parse_import("  ").unwrap_err(),
            "Paste the flow's JSON (an exported flow) first."
        );
        let def = parse_import(r#"{"name":"x","trigger":{"eventTypes":["NEW_TAG"]}}"#).unwrap();
        assert_eq!(def.trigger.event_types, vec!["NEW_TAG".to_string()]);
        assert_eq!(parse_import(&export_text(&def)).unwrap(), def);
    }

    #[test]
    fn summaries_read_as_sentences() {
        let trigger = Trigger {
            event_types: vec!["A".into(), "B".into(), "C".into(), "D".into()],
            sources: vec!["s1".into()],
        };
        assert_eq!(
            trigger_summary(&trigger, |id| format!("source {id}")),
            "A, B, C, +1 more, from source s1"
        );
        assert_eq!(trigger_summary(&Trigger::default(), str::to_string), "no trigger yet");
        let summary = FlowSummary {
            id: "f".into(),
            name: "n".into(),
            trigger: String::new(),
            status: "published".into(),
            published_version: Some(1),
            enabled: true,
            unpublished_changes: false,
            finished: 4,
            succeeded: 3,
            pending: 0,
            last_run: None,
        };
        assert_eq!(summary.success_percent(), Some(75.0));
    }
}
