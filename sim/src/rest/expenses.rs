//! `GET /v1/workspaces/{workspaceId}/expenses` (`EXPENSE_READ`, paginated, optional `user-id`
//! filter). Clockify answers an `ExpensesAndTotalsDtoV1` wrapper, not an array:
//! `{"expenses": {"count": <all matching>, "expenses": [page]}, "dailyTotals", "weeklyTotals"}`
//! (the totals cover the page). Amounts are in cents.

use std::collections::BTreeMap;

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
    datetime::{format_date, format_timestamp, DAY},
    error::Result,
    state::AppState,
    workspace::{Expense, Workspace},
};

/// Expense routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/workspaces/{workspaceId}/expenses", get(list_expenses))
}

async fn list_expenses(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::ExpenseRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    let user_id = query.get("user-id");
    let matching: Vec<&Expense> = workspace
        .expenses
        .iter()
        .filter(|expense| user_id.is_none_or(|user| expense.user_id == user))
        .collect();
    let (page, last_page) = paging.slice(&matching);
    let mut daily: BTreeMap<i64, i64> = BTreeMap::new();
    let mut weekly: BTreeMap<i64, i64> = BTreeMap::new();
    for expense in page {
        *daily.entry(expense.day).or_default() += expense.total_cents;
        // 1970-01-01 was a Thursday, so day 4 was a Monday.
        *weekly.entry(expense.day - (expense.day - 4).rem_euclid(7)).or_default() += expense.total_cents;
    }
    let daily_totals: Vec<Value> = daily
        .iter()
        .rev()
        .map(|(&day, &total)| {
            json!({ "date": format_date(day), "dateAsInstant": format_timestamp(day * DAY), "total": total as f64 })
        })
        .collect();
    let weekly_totals: Vec<Value> = weekly
        .iter()
        .rev()
        .map(|(&day, &total)| json!({ "date": format_date(day), "total": total as f64 }))
        .collect();
    Ok(Paged {
        body: json!({
            "expenses": {
                "count": matching.len(),
                "expenses": page.iter().map(|expense| expense_dto(workspace, expense)).collect::<Vec<_>>(),
            },
            "dailyTotals": daily_totals,
            "weeklyTotals": weekly_totals,
        }),
        last_page,
    })
}

/// An expense as Clockify's `ExpenseHydratedDtoV1`.
pub fn expense_dto(workspace: &Workspace, expense: &Expense) -> Value {
    let category = workspace.expense_category(&expense.category_id).map(|category| {
        json!({
            "id": category.id,
            "name": category.name,
            "workspaceId": workspace.id,
            "archived": false,
            "hasUnitPrice": category.price_in_cents.is_some(),
            "priceInCents": category.price_in_cents,
            "unit": category.unit,
        })
    });
    let project = expense
        .project_id
        .as_deref()
        .and_then(|project_id| workspace.project(project_id))
        .map(|project| {
            json!({
                "id": project.id,
                "name": project.name,
                "color": project.color,
                "clientId": project.client_id.as_deref().unwrap_or(""),
                "clientName": project.client_name.as_deref().unwrap_or(""),
            })
        });
    json!({
        "id": expense.id,
        "workspaceId": workspace.id,
        "userId": expense.user_id,
        "date": format_date(expense.day),
        "category": category,
        "project": project,
        "task": null,
        "quantity": f64::from(expense.quantity),
        "total": expense.total_cents as f64,
        "billable": expense.billable,
        "notes": expense.notes,
        "fileId": "",
        "fileName": "",
        "locked": false,
        "isLocked": false,
    })
}
