//! `GET /v1/workspaces/{workspaceId}/users` (`USER_READ`) and `/user-groups` (`GROUP_READ`),
//! both paginated.

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
    error::Result,
    state::AppState,
    workspace::{User, UserGroup, Workspace},
};

/// Member routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}/users", get(list_users))
        .route("/v1/workspaces/{workspaceId}/user-groups", get(list_user_groups))
}

async fn list_users(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::UserRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    Ok(paging.array(&workspace.users, |user| user_dto(workspace, user)))
}

async fn list_user_groups(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::GroupRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    Ok(paging.array(&workspace.user_groups, |group| user_group_dto(workspace, group)))
}

/// A member as Clockify's `UserDtoV1`.
pub fn user_dto(workspace: &Workspace, user: &User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "status": user.status,
        "profilePicture": "",
        "activeWorkspace": workspace.id,
        "defaultWorkspace": workspace.id,
        "memberships": [],
        "customFields": [],
        "settings": {
            "weekStart": "MONDAY",
            "timeZone": "UTC",
            "timeFormat": "HOUR24",
            "dateFormat": "YYYY-MM-DD",
            "sendNewsletter": false,
            "weeklyUpdates": false,
            "longRunning": false,
            "scheduledReports": true,
            "approval": true,
            "pto": true,
            "alerts": true,
            "reminders": true,
            "timeTrackingManual": false,
            "summaryReportSettings": { "group": "PROJECT", "subgroup": "TIME_ENTRY" },
            "isCompactViewOn": false,
            "dashboardSelection": "ME",
            "dashboardViewType": "PROJECT",
            "dashboardPinToTop": false,
            "projectListCollapse": 50,
            "collapseAllProjectLists": false,
            "groupSimilarEntriesDisabled": false,
            "myStartOfDay": "09:00",
            "lang": "EN",
            "multiFactorEnabled": false,
            "theme": "DEFAULT",
            "scheduling": true,
            "onboarding": false,
            "showOnlyWorkingDays": false,
            "projectPickerTaskFilter": false,
            "invoiceReminders": true,
        },
    })
}

/// A group as Clockify's `UserGroupDtoV1`.
pub fn user_group_dto(workspace: &Workspace, group: &UserGroup) -> Value {
    json!({
        "id": group.id,
        "name": group.name,
        "workspaceId": workspace.id,
        "userIds": group.user_ids,
        "teamManagers": [],
    })
}
