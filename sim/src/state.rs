//! The simulator's shared state: its key, the demo workspace, the installed add-ons and the
//! traffic control of the `/api` endpoints.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use crate::{
    addon::Installation,
    tokens::{self, Signer},
    traffic::Traffic,
    workspace::Workspace,
};

/// Shared state handed to every handler.
pub type AppState = Arc<Sim>;

/// The running simulator.
#[derive(Debug)]
pub struct Sim {
    /// Base URL under which add-ons reach the simulator (`{public_url}/api` is the backend URL).
    pub public_url: String,
    /// Signs every token the simulator issues.
    pub signer: Signer,
    /// The demo workspace.
    pub workspace: Workspace,
    /// The workspace's current plan (starts as `workspace.plan`; tests downgrade it).
    plan: Mutex<String>,
    /// Client for sim → add-on calls (10 s timeout).
    pub http: reqwest::Client,
    /// Rate limits, faults and statistics of the `/api` endpoints.
    pub traffic: Traffic,
    installations: Mutex<HashMap<String, Installation>>,
}

impl Sim {
    /// A simulator with no add-on installed.
    pub fn new(
        public_url: String,
        signer: Signer,
        workspace: Workspace,
        http: reqwest::Client,
        traffic: Traffic,
    ) -> Sim {
        Sim {
            public_url: public_url.trim_end_matches('/').to_string(),
            signer,
            plan: Mutex::new(workspace.plan.clone()),
            workspace,
            http,
            traffic,
            installations: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Installation>> {
        // A panic while holding the lock cannot leave the map half-updated (every change is
        // a single insert/remove), so a poisoned lock is still usable.
        self.installations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The completed installation of add-on `key`.
    pub fn installation(&self, key: &str) -> Option<Installation> {
        self.lock()
            .get(key)
            .filter(|installation| !installation.pending)
            .cloned()
    }

    /// Every completed installation, sorted by key.
    pub fn installations(&self) -> Vec<Installation> {
        let mut list: Vec<Installation> = self
            .lock()
            .values()
            .filter(|installation| !installation.pending)
            .cloned()
            .collect();
        list.sort_by(|a, b| a.key.cmp(&b.key));
        list
    }

    /// The installation whose token is `token` (pending ones included, so an add-on can call
    /// the API while it handles INSTALLED).
    pub fn installation_by_token(&self, token: &str) -> Option<Installation> {
        self.lock()
            .values()
            .find(|installation| installation.token == token)
            .cloned()
    }

    /// Whether `token` is the token of an installation (pending ones included).
    pub fn knows_token(&self, token: &str) -> bool {
        self.lock().values().any(|installation| installation.token == token)
    }

    /// Records `installation`, replacing (and so revoking) any previous one with its key.
    pub fn insert(&self, installation: Installation) {
        self.lock().insert(installation.key.clone(), installation);
    }

    /// Forgets add-on `key` (revoking its token) and returns what it was.
    pub fn remove(&self, key: &str) -> Option<Installation> {
        self.lock().remove(key)
    }

    /// Removes add-on `key` only if it is still the installation `addon_id`.
    pub fn remove_if(&self, key: &str, addon_id: &str) {
        let mut installations = self.lock();
        if installations
            .get(key)
            .is_some_and(|installation| installation.addon_id == addon_id)
        {
            installations.remove(key);
        }
    }

    /// Changes the stored installation of `key` (pending or not) and returns the result.
    pub fn update<T>(&self, key: &str, change: impl FnOnce(&mut Installation) -> T) -> Option<T> {
        self.lock().get_mut(key).map(change)
    }

    /// A fresh user token for `installation`, as the iframe's `auth_token`.
    pub fn user_token(&self, installation: &Installation, user_id: &str, role: &str, theme: &str) -> String {
        self.signer.sign(&tokens::user_claims(
            &installation.key,
            &self.workspace.id,
            &installation.addon_id,
            &self.public_url,
            user_id,
            role,
            theme,
        ))
    }

    /// The workspace's current subscription plan.
    pub fn plan(&self) -> String {
        self.plan
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Changes the workspace's plan, as an upgrade or downgrade in Clockify would.
    pub fn set_plan(&self, plan: &str) {
        *self.plan.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = plan.to_string();
    }

    /// The backend URL add-ons call (`{public_url}/api`).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.public_url)
    }
}
