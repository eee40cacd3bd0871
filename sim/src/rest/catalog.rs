//! The workspace's small catalogues: `GET /v1/workspaces/{workspaceId}/clients`
//! (`CLIENT_READ`), paginated, and `/custom-fields` (`CUSTOM_FIELDS_READ`), which Clockify
//! does not paginate. Tags, which add-ons may also create, are in `tag_writes.rs`.

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
    error::Result,
    state::AppState,
    workspace::{Client, CustomField, Tag, Workspace},
};

/// Client and custom-field routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}/clients", get(list_clients))
        .route("/v1/workspaces/{workspaceId}/custom-fields", get(list_custom_fields))
}

async fn list_clients(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::ClientRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    Ok(paging.array(&workspace.clients, |client| client_dto(workspace, client)))
}

async fn list_custom_fields(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Path(workspace_id): Path<String>,
) -> Result<Json<Value>> {
    auth.require(&sim, &workspace_id, Scope::CustomFieldsRead)?;
    let workspace = &sim.workspace;
    Ok(Json(
        workspace
            .custom_fields
            .iter()
            .map(|field| custom_field_dto(workspace, field))
            .collect(),
    ))
}

/// A client as Clockify's `ClientWithCurrencyDtoV1`.
pub fn client_dto(workspace: &Workspace, client: &Client) -> Value {
    json!({
        "id": client.id,
        "name": client.name,
        "workspaceId": workspace.id,
        "archived": client.archived,
        "address": "",
        "email": "",
        "ccEmails": [],
        "note": "",
        "currencyId": workspace.id,
        "currencyCode": "USD",
    })
}

/// A tag as Clockify's `TagDtoV1`.
pub fn tag_dto(workspace: &Workspace, tag: &Tag) -> Value {
    json!({ "id": tag.id, "name": tag.name, "workspaceId": workspace.id, "archived": tag.archived })
}

/// A custom field as Clockify's `CustomFieldDtoV1`.
pub fn custom_field_dto(workspace: &Workspace, field: &CustomField) -> Value {
    json!({
        "id": field.id,
        "name": field.name,
        "type": field.field_type,
        "entityType": field.entity_type,
        "workspaceId": workspace.id,
        "allowedValues": field.allowed_values,
        "description": "",
        "placeholder": field.placeholder,
        "required": field.required,
        "onlyAdminCanEdit": false,
        "status": field.status,
        "projectDefaultValues": [],
        "workspaceDefaultValue": null,
    })
}
