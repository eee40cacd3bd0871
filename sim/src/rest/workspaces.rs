//! `GET /v1/workspaces/{workspaceId}` (`WORKSPACE_READ`) and
//! `GET /v1/workspaces/{workspaceId}/member-profile/{userId}` (`USER_READ`).

use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use super::{AddonAuth, Scope};
use crate::{
    error::{Error, Result},
    state::AppState,
    workspace::{User, Workspace},
};

/// Workspace routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}", get(get_workspace))
        .route(
            "/v1/workspaces/{workspaceId}/member-profile/{userId}",
            get(get_member_profile),
        )
}

async fn get_workspace(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::WorkspaceRead)?;
    Ok(Json(workspace_dto(&sim.workspace, &sim.plan())))
}

async fn get_member_profile(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path((workspace_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::UserRead)?;
    let user = sim
        .workspace
        .user(&user_id)
        .ok_or_else(|| Error::ApiNotFound(format!("User with id {user_id} not found")))?;
    Ok(Json(member_profile_dto(user)))
}

const WORKING_DAYS: [&str; 5] = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"];

/// The workspace as Clockify's `WorkspaceDtoV1`.
pub fn workspace_dto(workspace: &Workspace, plan: &str) -> Value {
    let memberships: Vec<Value> = workspace
        .users
        .iter()
        .map(|user| {
            json!({
                "userId": user.id,
                "targetId": workspace.id,
                "membershipType": "WORKSPACE",
                "membershipStatus": user.status,
                "hourlyRate": null,
                "costRate": null,
            })
        })
        .collect();
    json!({
        "id": workspace.id,
        "name": workspace.name,
        "imageUrl": "",
        "featureSubscriptionType": plan,
        "cakeOrganizationId": null,
        "hourlyRate": { "amount": 0, "currency": "USD" },
        "costRate": { "amount": 0, "currency": "USD" },
        "currencies": [{ "id": workspace.id, "code": "USD", "isDefault": true }],
        "features": [],
        "subdomain": { "enabled": false, "name": null },
        "memberships": memberships,
        "workspaceSettings": workspace_settings_dto(),
    })
}

/// Minimal `WorkspaceSettingsDtoV1` with Clockify's defaults.
fn workspace_settings_dto() -> Value {
    json!({
        "timeRoundingInReports": false,
        "onlyAdminsSeeBillableRates": true,
        "onlyAdminsCreateProject": true,
        "onlyAdminsSeeDashboard": false,
        "defaultBillableProjects": true,
        "lockTimeEntries": null,
        "round": { "round": "Round to nearest", "minutes": "15" },
        "projectFavorites": true,
        "canSeeTimeSheet": true,
        "canSeeTracker": true,
        "projectPickerSpecialFilter": false,
        "forceProjects": false,
        "forceTasks": false,
        "forceTags": false,
        "forceDescription": false,
        "onlyAdminsSeeAllTimeEntries": false,
        "onlyAdminsSeePublicProjectsEntries": false,
        "trackTimeDownToSecond": true,
        "projectGroupingLabel": "client",
        "adminOnlyPages": [],
        "automaticLock": null,
        "onlyAdminsCreateTag": false,
        "onlyAdminsCreateTask": false,
        "timeTrackingMode": "DEFAULT",
        "isProjectPublicByDefault": true,
        "multiFactorEnabled": false,
        "durationFormat": "FULL",
        "numberFormat": "COMMA_PERIOD",
        "currencyFormat": "CURRENCY_SPACE_VALUE",
        "workingDays": WORKING_DAYS,
    })
}

/// A member as Clockify's `MemberProfileDtoV1`.
pub fn member_profile_dto(user: &User) -> Value {
    json!({
        "name": user.name,
        "email": user.email,
        "imageUrl": "",
        "hasPassword": true,
        "hasPendingApprovalRequest": false,
        "userCustomFieldValues": [],
        "weekStart": "MONDAY",
        "workCapacity": "PT8H",
        "workingDays": WORKING_DAYS,
        "workspaceNumber": 1,
    })
}
