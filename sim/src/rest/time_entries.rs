//! `GET /v1/workspaces/{workspaceId}/user/{userId}/time-entries` (newest first; filters
//! `start` — entries starting at or after it —, `end` — entries starting at or before it —,
//! and `in-progress`) and `/time-entries/status/in-progress` (`page-size` default 10, at most
//! 1,000). Both `TIME_ENTRY_READ`, paginated.

use axum::{
    extract::{Path, State},
    routing::get,
    Router,
};
use serde_json::{json, Value};

use super::{
    paging::{self, ApiQuery, Paged, Paging},
    AddonAuth, Scope,
};
use crate::{
    datetime::{format_duration, format_timestamp, parse_timestamp},
    error::{Error, Result},
    state::AppState,
    workspace::{starting_from, TimeEntry, Workspace},
};

/// Time-entry routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/workspaces/{workspaceId}/user/{userId}/time-entries",
            get(list_time_entries),
        )
        .route(
            "/v1/workspaces/{workspaceId}/time-entries/status/in-progress",
            get(list_in_progress),
        )
}

fn time_parameter(query: &ApiQuery, name: &str) -> Result<Option<i64>> {
    query
        .get(name)
        .map(|text| {
            parse_timestamp(text).ok_or_else(|| {
                Error::ApiBadRequest(format!(
                    "Invalid value '{text}' for parameter '{name}': expected yyyy-MM-ddThh:mm:ssZ"
                ))
            })
        })
        .transpose()
}

async fn list_time_entries(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, user_id)): Path<(String, String)>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::TimeEntryRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let start = time_parameter(&query, "start")?;
    let end = time_parameter(&query, "end")?;
    let in_progress = match query.get("in-progress") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(Error::ApiBadRequest(format!(
                "Invalid value '{other}' for parameter 'in-progress': expected true or false"
            )))
        }
    };
    let workspace = &sim.workspace;
    let mut entries = workspace
        .time_entries_of(&user_id)
        .ok_or_else(|| Error::ApiNotFound(format!("User with id {user_id} not found")))?;
    if let Some(start) = start {
        entries = starting_from(entries, start);
    }
    if let Some(end) = end {
        // Newest first: the entries starting after `end` come first.
        entries = &entries[entries.partition_point(|entry| entry.start > end)..];
    }
    let matching: Vec<&TimeEntry> = entries
        .iter()
        .filter(|entry| in_progress.is_none_or(|running| entry.is_running() == running))
        .collect();
    Ok(paging.array(&matching, |entry| time_entry_dto(workspace, entry)))
}

async fn list_in_progress(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::TimeEntryRead)?;
    let paging = Paging::from_query(&query, paging::IN_PROGRESS)?;
    let workspace = &sim.workspace;
    let running: Vec<&TimeEntry> = workspace.time_entries.running().collect();
    Ok(paging.array(&running, |entry| time_entry_dto(workspace, entry)))
}

/// A time entry as Clockify's `TimeEntryWithRatesDtoV1`; a running one has `end` and
/// `duration` null.
pub fn time_entry_dto(workspace: &Workspace, entry: &TimeEntry) -> Value {
    let at = |index: u32| usize::try_from(index).ok();
    let user = at(entry.user).and_then(|index| workspace.users.get(index));
    let project = entry
        .project
        .and_then(at)
        .and_then(|index| workspace.projects.get(index));
    let task = entry.task.and_then(at).and_then(|index| workspace.tasks.get(index));
    let tag_ids: Vec<&str> = entry
        .tags
        .iter()
        .filter_map(|&index| at(index).and_then(|index| workspace.tags.get(index)))
        .map(|tag| tag.id.as_str())
        .collect();
    json!({
        "id": entry.id.to_string(),
        "description": entry.description,
        "userId": user.map(|user| user.id.as_str()),
        "workspaceId": workspace.id,
        "projectId": project.map(|project| project.id.as_str()),
        "taskId": task.map(|task| task.id.as_str()),
        "tagIds": tag_ids,
        "billable": entry.billable,
        "timeInterval": {
            "start": format_timestamp(entry.start),
            "end": entry.end.map(format_timestamp),
            "duration": entry.end.map(|end| format_duration(end - entry.start)),
        },
        "type": "REGULAR",
        "isLocked": false,
        "kioskId": null,
        "hourlyRate": null,
        "costRate": null,
        "customFieldValues": [],
    })
}
