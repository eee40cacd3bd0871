//! The simulator's shared state: its key, the demo workspace, the installed add-ons, the
//! webhooks add-ons created through the API, the recent webhook deliveries and the traffic
//! control of the `/api` endpoints.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
};

use crate::{
    addon::Installation,
    tokens::{self, Signer},
    traffic::Traffic,
    webhooks::{ApiWebhook, Delivery, MAX_DELIVERIES},
    workspace::Workspace,
};

/// Locks `mutex`. Every change made under the simulator's locks is a single insert, remove or
/// assignment, so a lock poisoned by a panic elsewhere is still consistent and usable.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

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
    /// Webhooks created through `POST /api/v1/workspaces/{id}/webhooks`, oldest first.
    api_webhooks: Mutex<Vec<ApiWebhook>>,
    /// The last [`MAX_DELIVERIES`] webhook deliveries, oldest first.
    deliveries: Mutex<VecDeque<Delivery>>,
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
            api_webhooks: Mutex::new(Vec::new()),
            deliveries: Mutex::new(VecDeque::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Installation>> {
        locked(&self.installations)
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

    /// The installation (pending ones included) whose id is `addon_id`.
    pub fn installation_by_addon_id(&self, addon_id: &str) -> Option<Installation> {
        self.lock()
            .values()
            .find(|installation| installation.addon_id == addon_id)
            .cloned()
    }

    /// Records `installation`, replacing (and so revoking) any previous one with its key; the
    /// replaced installation's API-created webhooks go with it.
    pub fn insert(&self, installation: Installation) {
        let replaced = self.lock().insert(installation.key.clone(), installation.clone());
        if let Some(replaced) = replaced.filter(|replaced| replaced.addon_id != installation.addon_id) {
            self.forget_api_webhooks(&replaced.addon_id);
        }
    }

    /// Forgets add-on `key` (revoking its token, deleting the webhooks it created through the
    /// API) and returns what it was.
    pub fn remove(&self, key: &str) -> Option<Installation> {
        let removed = self.lock().remove(key);
        if let Some(removed) = &removed {
            self.forget_api_webhooks(&removed.addon_id);
        }
        removed
    }

    /// Removes add-on `key` (and its API-created webhooks) only if it is still the
    /// installation `addon_id`.
    pub fn remove_if(&self, key: &str, addon_id: &str) {
        let removed = {
            let mut installations = self.lock();
            let matches = installations
                .get(key)
                .is_some_and(|installation| installation.addon_id == addon_id);
            matches && installations.remove(key).is_some()
        };
        if removed {
            self.forget_api_webhooks(addon_id);
        }
    }

    /// Every webhook created through the API, oldest first.
    pub fn api_webhooks(&self) -> Vec<ApiWebhook> {
        locked(&self.api_webhooks).clone()
    }

    /// Reads or changes the API-created webhooks under their lock (so that a limit check and
    /// the insert it allows happen at once). `change` must not call back into the simulator's
    /// webhook methods.
    pub fn change_api_webhooks<T>(&self, change: impl FnOnce(&mut Vec<ApiWebhook>) -> T) -> T {
        change(&mut locked(&self.api_webhooks))
    }

    /// Deletes the API-created webhooks of installation `addon_id`, as Clockify does when an
    /// add-on is uninstalled.
    fn forget_api_webhooks(&self, addon_id: &str) {
        locked(&self.api_webhooks).retain(|webhook| webhook.addon_id != addon_id);
    }

    /// Remembers `deliveries`, keeping the last [`MAX_DELIVERIES`].
    pub fn record_deliveries(&self, deliveries: &[Delivery]) {
        let mut kept = locked(&self.deliveries);
        kept.extend(deliveries.iter().cloned());
        while kept.len() > MAX_DELIVERIES {
            kept.pop_front();
        }
    }

    /// The remembered deliveries, newest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        locked(&self.deliveries).iter().rev().cloned().collect()
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
        locked(&self.plan).clone()
    }

    /// Changes the workspace's plan, as an upgrade or downgrade in Clockify would.
    pub fn set_plan(&self, plan: &str) {
        *locked(&self.plan) = plan.to_string();
    }

    /// The backend URL add-ons call (`{public_url}/api`).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.public_url)
    }
}
