//! `GET /v1/workspaces/{workspaceId}/projects` (paginated) and `/projects/{projectId}`
//! (`PROJECT_READ`), and `/projects/{projectId}/tasks` (`TASK_READ`, paginated).

use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use super::{
    paging::{self, ApiQuery, Paged, Paging},
    AddonAuth, Scope,
};
use crate::{
    error::{Error, Result},
    state::AppState,
    workspace::{Project, Task, Workspace},
};

/// Project routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}/projects", get(list_projects))
        .route("/v1/workspaces/{workspaceId}/projects/{projectId}", get(get_project))
        .route(
            "/v1/workspaces/{workspaceId}/projects/{projectId}/tasks",
            get(list_tasks),
        )
}

async fn list_projects(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::ProjectRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    Ok(paging.array(&workspace.projects, |project| project_dto(workspace, project)))
}

fn project_index(workspace: &Workspace, project_id: &str) -> Result<usize> {
    workspace
        .project_index(project_id)
        .ok_or_else(|| Error::ApiNotFound(format!("Project with id {project_id} not found")))
}

async fn get_project(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, project_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::ProjectRead)?;
    let workspace = &sim.workspace;
    let project = &workspace.projects[project_index(workspace, &project_id)?];
    Ok(Json(project_dto(workspace, project)))
}

async fn list_tasks(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, project_id)): Path<(String, String)>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::TaskRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    let tasks = workspace.tasks_of(project_index(workspace, &project_id)?);
    Ok(paging.array(tasks, |task| task_dto(workspace, task)))
}

/// A project as Clockify's `ProjectDtoV1` (plus `clientId`/`clientName`, which Clockify sends
/// as `""` for a project without client).
pub fn project_dto(workspace: &Workspace, project: &Project) -> Value {
    json!({
        "id": project.id,
        "name": project.name,
        "workspaceId": workspace.id,
        "clientId": project.client_id.as_deref().unwrap_or(""),
        "clientName": project.client_name.as_deref().unwrap_or(""),
        "color": project.color,
        "billable": project.billable,
        "archived": project.archived,
        "public": project.public,
        "template": false,
        "note": "",
        "duration": "PT0S",
        "hourlyRate": { "amount": 0, "currency": "USD" },
        "costRate": null,
        "estimate": { "estimate": "PT0S", "type": "AUTO" },
        "timeEstimate": {
            "estimate": "PT0S", "type": "AUTO", "resetOption": null, "active": false, "includeNonBillable": true
        },
        "budgetEstimate": null,
        "memberships": [],
    })
}

/// A task as Clockify's `TaskDtoV1`.
pub fn task_dto(workspace: &Workspace, task: &Task) -> Value {
    json!({
        "id": task.id,
        "name": task.name,
        "projectId": task.project_id,
        "workspaceId": workspace.id,
        "assigneeIds": task.assignee_ids,
        "assigneeId": task.assignee_ids.first().map(String::as_str).unwrap_or(""),
        "userGroupIds": [],
        "estimate": "PT0S",
        "duration": "PT0S",
        "status": task.status,
        "budgetEstimate": 0,
        "billable": task.billable,
        "hourlyRate": null,
        "costRate": null,
    })
}
