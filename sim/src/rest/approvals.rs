//! `GET /v1/workspaces/{workspaceId}/approval-requests` (`APPROVAL_READ`, paginated, optional
//! `status` filter: `PENDING`, `APPROVED`, `REJECTED`). Entries and expenses of a request are
//! not itemised (empty lists).

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
    datetime::{format_duration, format_timestamp, DAY},
    error::Result,
    state::AppState,
    workspace::{ApprovalRequest, Workspace},
};

/// Approval routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/workspaces/{workspaceId}/approval-requests",
        get(list_approval_requests),
    )
}

async fn list_approval_requests(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::ApprovalRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    let status = query.get("status");
    let matching: Vec<&ApprovalRequest> = workspace
        .approval_requests
        .iter()
        .filter(|request| status.is_none_or(|status| request.state == status))
        .collect();
    Ok(paging.array(&matching, |request| approval_dto(workspace, request)))
}

/// An approval request as Clockify's `ApprovalDetailsDtoV1`.
pub fn approval_dto(workspace: &Workspace, request: &ApprovalRequest) -> Value {
    let name = |user_id: &str| workspace.user(user_id).map(|user| user.name.clone());
    let creator = workspace.user(&request.creator_id);
    let tracked = format_duration(request.tracked_seconds);
    let approved = if request.state == "APPROVED" {
        tracked.clone()
    } else {
        format_duration(0)
    };
    let pending = if request.state == "PENDING" {
        tracked.clone()
    } else {
        format_duration(0)
    };
    json!({
        "approvalRequest": {
            "id": request.id,
            "workspaceId": workspace.id,
            "dateRange": {
                "start": format_timestamp(request.week_start),
                "end": format_timestamp(request.week_start + 7 * DAY - 1),
            },
            "owner": {
                "userId": request.owner_id,
                "userName": name(&request.owner_id),
                "timeZone": "UTC",
                "startOfWeek": "MONDAY",
            },
            "creator": {
                "userId": request.creator_id,
                "userName": creator.map(|user| user.name.as_str()),
                "userEmail": creator.map(|user| user.email.as_str()),
            },
            "status": {
                "state": request.state,
                "updatedBy": request.updated_by,
                "updatedByUserName": name(&request.updated_by),
                "updatedAt": format_timestamp(request.updated_at),
                "note": "",
            },
        },
        "trackedTime": tracked,
        "approvedTime": approved,
        "pendingTime": pending,
        "billableTime": format_duration(0),
        "breakTime": format_duration(0),
        "billableAmount": 0.0,
        "costAmount": 0.0,
        "expenseTotal": 0.0,
        "entries": [],
        "expenses": [],
    })
}
