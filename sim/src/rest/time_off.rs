//! `GET /v1/workspaces/{workspaceId}/holidays` (not paginated, optional `assigned-to` member
//! filter) and `/time-off/policies` (paginated: `page-size` ≤ 200, `page` ≤ 1,000), both
//! `TIME_OFF_READ`.

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
    datetime::format_date,
    error::Result,
    state::AppState,
    workspace::{Holiday, TimeOffPolicy, Workspace},
};

/// Time-off routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}/holidays", get(list_holidays))
        .route("/v1/workspaces/{workspaceId}/time-off/policies", get(list_policies))
}

async fn list_holidays(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::TimeOffRead)?;
    let workspace = &sim.workspace;
    let assigned_to = query.get("assigned-to");
    Ok(Json(
        workspace
            .holidays
            .iter()
            .filter(|holiday| assigned_to.is_none_or(|user| holiday.user_ids.iter().any(|id| id == user)))
            .map(|holiday| holiday_dto(workspace, holiday))
            .collect(),
    ))
}

async fn list_policies(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::TimeOffRead)?;
    let paging = Paging::from_query(&query, paging::TIME_OFF)?;
    let workspace = &sim.workspace;
    Ok(paging.array(&workspace.time_off_policies, |policy| policy_dto(workspace, policy)))
}

/// A holiday as Clockify's `HolidayDtoV1`.
pub fn holiday_dto(workspace: &Workspace, holiday: &Holiday) -> Value {
    json!({
        "id": holiday.id,
        "name": holiday.name,
        "workspaceId": workspace.id,
        "datePeriod": { "startDate": format_date(holiday.start_day), "endDate": format_date(holiday.end_day) },
        "occursAnnually": holiday.occurs_annually,
        "everyoneIncludingNew": holiday.everyone_including_new,
        "userIds": holiday.user_ids,
        "userGroupIds": [],
        "automaticTimeEntryCreation": false,
        "projectId": null,
        "taskId": null,
    })
}

/// A policy as Clockify's `PolicyDtoV1`.
pub fn policy_dto(workspace: &Workspace, policy: &TimeOffPolicy) -> Value {
    let negative_balance = policy
        .allow_negative_balance
        .then(|| json!({ "amount": 5.0, "period": "YEAR", "shouldReset": true, "timeUnit": policy.time_unit }));
    json!({
        "id": policy.id,
        "name": policy.name,
        "workspaceId": workspace.id,
        "timeUnit": policy.time_unit,
        "allowHalfDay": policy.allow_half_day,
        "allowNegativeBalance": policy.allow_negative_balance,
        "negativeBalance": negative_balance,
        "approve": {
            "requiresApproval": policy.requires_approval,
            "specificMembers": false,
            "teamManagers": policy.requires_approval,
            "userIds": [],
        },
        "archived": policy.archived,
        "automaticAccrual": {
            "amount": f64::from(policy.yearly_accrual),
            "period": "YEAR",
            "timeUnit": policy.time_unit,
        },
        "automaticTimeEntryCreation": { "enabled": false, "defaultEntities": null },
        "everyoneIncludingNew": policy.everyone_including_new,
        "projectId": null,
        "userGroupIds": [],
        "userIds": [],
    })
}
