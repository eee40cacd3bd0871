//! Tags an add-on creates: `POST /v1/workspaces/{workspaceId}/tags` (`TAG_WRITE`, body
//! `{"name": …}`) answers 201 with the new tag, Clockify's `TagDtoV1`; a blank, too long or
//! already used name is a Clockify-shaped 400. The simulator keeps the created tags, and
//! `GET …/tags` (`TAG_READ`, paginated) lists them after the generated ones.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::{
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    routing::get,
    Extension, Json, Router,
};
use serde::Deserialize;
use serde_json::Value;

use super::{
    catalog::tag_dto,
    paging::{self, ApiQuery, Paged, Paging},
    AddonAuth, Scope,
};
use crate::{
    error::{Error, Result},
    state::AppState,
    workspace::{object_id, Tag},
};

/// The scope creating a tag needs.
const TAG_WRITE: &str = "TAG_WRITE";

/// Longest tag name Clockify accepts.
const MAX_NAME_CHARS: usize = 100;

/// The tags created in this simulator, oldest first.
#[derive(Debug, Clone, Default)]
pub struct CreatedTags(Arc<Mutex<Vec<Tag>>>);

impl CreatedTags {
    fn lock(&self) -> MutexGuard<'_, Vec<Tag>> {
        // Every change is one push, so a poisoned lock is still consistent.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The tag routes, with their own store of created tags (one per simulator).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/workspaces/{workspaceId}/tags", get(list_tags).post(create_tag))
        .layer(Extension(CreatedTags::default()))
}

async fn list_tags(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Extension(created): Extension<CreatedTags>,
    Path(workspace_id): Path<String>,
    query: ApiQuery,
) -> Result<Paged> {
    auth.require(&sim, &workspace_id, Scope::TagRead)?;
    let paging = Paging::from_query(&query, paging::STANDARD)?;
    let workspace = &sim.workspace;
    let mut tags = workspace.tags.clone();
    tags.extend(created.lock().iter().cloned());
    Ok(paging.array(&tags, |tag| tag_dto(workspace, tag)))
}

#[derive(Debug, Deserialize)]
struct NewTag {
    name: Option<String>,
}

async fn create_tag(
    auth: AddonAuth,
    State(sim): State<AppState>,
    Extension(created): Extension<CreatedTags>,
    Path(workspace_id): Path<String>,
    body: std::result::Result<Json<NewTag>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    if !auth.0.has_scope(TAG_WRITE) {
        return Err(Error::MissingScope {
            addon_id: auth.0.addon_id.clone(),
            scope: TAG_WRITE,
        });
    }
    auth.check_workspace(&sim, &workspace_id)?;
    let Json(new_tag) = body.map_err(|rejection| Error::ApiBadRequest(rejection.body_text()))?;
    let name = new_tag.name.unwrap_or_default().trim().to_string();
    if name.is_empty() {
        return Err(Error::ApiBadRequest("Tag name can not be empty".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::ApiBadRequest(format!(
            "Tag name can not be longer than {MAX_NAME_CHARS} characters"
        )));
    }
    let mut tags = created.lock();
    let taken = sim.workspace.tags.iter().chain(tags.iter()).any(|tag| tag.name == name);
    if taken {
        return Err(Error::ApiBadRequest(format!("Tag with name '{name}' already exists")));
    }
    let tag = Tag {
        id: object_id(&mut rand::thread_rng()),
        name,
        archived: false,
    };
    tags.push(tag.clone());
    tracing::info!(tag = %tag.name, "tag created");
    let tag_dto = tag_dto(&sim.workspace, &tag);
    // Clockify tells the subscribers: NEW_TAG, delivered in the background.
    crate::webhooks::spawn_deliver(&sim, "NEW_TAG", tag_dto.clone());
    Ok((StatusCode::CREATED, Json(tag_dto)))
}
