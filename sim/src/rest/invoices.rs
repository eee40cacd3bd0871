//! `GET /v1/workspaces/{workspaceId}/invoices` (`INVOICE_READ`, paginated, optional
//! comma-separated `statuses` filter). Clockify answers an `InvoicesListDtoV1` wrapper, not an
//! array: `{"invoices": [page], "total": <all matching>}`. Amounts are in cents.

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
    datetime::format_timestamp,
    error::Result,
    state::AppState,
    workspace::{Invoice, Workspace},
};

/// Invoice routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/workspaces/{workspaceId}/invoices", get(list_invoices))
}

async fn list_invoices(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::InvoiceRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    let statuses: Option<Vec<&str>> = query.get("statuses").map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|status| !status.is_empty())
            .collect()
    });
    let matching: Vec<&Invoice> = workspace
        .invoices
        .iter()
        .filter(|invoice| {
            statuses
                .as_ref()
                .is_none_or(|statuses| statuses.is_empty() || statuses.contains(&invoice.status))
        })
        .collect();
    let (page, last_page) = paging.slice(&matching);
    Ok(Paged {
        body: json!({
            "invoices": page.iter().map(|invoice| invoice_dto(workspace, invoice)).collect::<Vec<_>>(),
            "total": matching.len(),
        }),
        last_page,
    })
}

/// An invoice as Clockify's `InvoiceDtoV1`.
pub fn invoice_dto(workspace: &Workspace, invoice: &Invoice) -> Value {
    let client = invoice
        .client_id
        .as_deref()
        .and_then(|client_id| workspace.client(client_id));
    json!({
        "id": invoice.id,
        "number": invoice.number,
        "clientId": invoice.client_id,
        "clientName": client.map(|client| client.name.as_str()),
        "currency": "USD",
        "amount": invoice.amount_cents,
        "paid": invoice.paid_cents,
        "balance": invoice.amount_cents - invoice.paid_cents,
        "issuedDate": format_timestamp(invoice.issued),
        "dueDate": format_timestamp(invoice.due),
        "status": invoice.status,
    })
}
