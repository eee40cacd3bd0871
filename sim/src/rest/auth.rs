//! `X-Addon-Token` authentication: only installation tokens the simulator issued and has not
//! revoked are accepted.

use axum::{extract::FromRequestParts, http::request::Parts};

use super::Scope;
use crate::{
    addon::Installation,
    error::{Error, Result},
    state::{AppState, Sim},
};

/// The header add-ons authenticate with.
pub const ADDON_TOKEN_HEADER: &str = "x-addon-token";

/// The installation that made the request.
#[derive(Debug, Clone)]
pub struct AddonAuth(pub Installation);

impl AddonAuth {
    /// Refuses (403) an installation whose manifest lacks `scope`, then any workspace but
    /// the demo workspace.
    pub fn require(&self, sim: &Sim, workspace_id: &str, scope: Scope) -> Result<()> {
        if !self.0.has_scope(scope.name()) {
            return Err(Error::MissingScope {
                addon_id: self.0.addon_id.clone(),
                scope: scope.name(),
            });
        }
        self.check_workspace(sim, workspace_id)
    }

    /// Refuses access to any workspace but the demo workspace (403).
    pub fn check_workspace(&self, sim: &Sim, workspace_id: &str) -> Result<()> {
        if workspace_id == sim.workspace.id {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "Addon {} has no access to workspace {workspace_id}",
                self.0.key
            )))
        }
    }
}

impl FromRequestParts<AppState> for AddonAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, sim: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(ADDON_TOKEN_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| Error::Unauthorized("Full authentication is required".into()))?;
        sim.installation_by_token(token)
            .map(AddonAuth)
            .ok_or_else(|| Error::Unauthorized("Addon token is not valid".into()))
    }
}
