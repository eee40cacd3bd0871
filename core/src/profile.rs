//! An add-on is a profile of the one engine: its key, plan, events, scopes, features and
//! settings. Nothing else in the code base distinguishes the two add-ons.

use crate::{
    events::ALL_EVENTS,
    scopes::ALL_SCOPES,
    settings::{SettingDefinition, API_STUDIO_SETTINGS, UNIVERSAL_WEBHOOK_SETTINGS},
};

/// What one add-on is and may do.
#[derive(Debug, PartialEq)]
pub struct Profile {
    /// Manifest key; the `sub` of every token Clockify signs for this add-on; URL prefix.
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Minimal Clockify subscription plan.
    pub plan: &'static str,
    /// Events declared in the manifest (Clockify allows at most 20).
    pub manifest_events: &'static [&'static str],
    /// Whether every other Clockify event is subscribed through the workspace webhooks API.
    pub subscribes_all_events: bool,
    pub scopes: &'static [&'static str],
    pub features: Features,
    pub settings: &'static [SettingDefinition],
}

/// Capabilities that differ between the add-ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Ingest URLs for webhooks from any source.
    pub custom_sources: bool,
    /// The API explorer may run non-GET operations (after an explicit confirmation).
    pub explorer_writes: bool,
    /// Flows may call arbitrary HTTP endpoints (setting-gated, SSRF-safe).
    pub generic_http_actions: bool,
    /// Bootstrap may pull heavy endpoints and time entries.
    pub heavy_bootstrap: bool,
}

const COMMON_EVENTS: &[&str] = &[
    "NEW_TIME_ENTRY",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
    "NEW_PROJECT",
    "PROJECT_UPDATED",
    "PROJECT_DELETED",
    "NEW_CLIENT",
    "CLIENT_UPDATED",
    "CLIENT_DELETED",
    "NEW_TAG",
    "TAG_UPDATED",
    "TAG_DELETED",
];

/// The 20 events Universal Webhook declares in its manifest; the other 31 are created as
/// workspace webhooks through the API after installation.
const UNIVERSAL_MANIFEST_EVENTS: &[&str] = &[
    "NEW_TIME_ENTRY",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
    "NEW_TIMER_STARTED",
    "TIMER_STOPPED",
    "TIME_ENTRY_RESTORED",
    "TIME_ENTRY_SPLIT",
    "NEW_PROJECT",
    "PROJECT_UPDATED",
    "PROJECT_DELETED",
    "NEW_CLIENT",
    "CLIENT_UPDATED",
    "CLIENT_DELETED",
    "NEW_TAG",
    "TAG_UPDATED",
    "TAG_DELETED",
    "NEW_TASK",
    "TASK_UPDATED",
    "TASK_DELETED",
    "USER_JOINED_WORKSPACE",
];

const API_STUDIO_SCOPES: &[&str] = &[
    "TIME_ENTRY_READ",
    "TIME_ENTRY_WRITE",
    "PROJECT_READ",
    "PROJECT_WRITE",
    "CLIENT_READ",
    "CLIENT_WRITE",
    "TAG_READ",
    "TAG_WRITE",
    "USER_READ",
    "USER_WRITE",
    "CUSTOM_FIELDS_READ",
    "CUSTOM_FIELDS_WRITE",
    "WORKSPACE_READ",
    "WORKSPACE_WRITE",
];

pub static API_STUDIO: Profile = Profile {
    key: "api-studio",
    name: "API Studio",
    description: "Pull your workspace's data, act on the 12 common Clockify events with no-code flows, \
                  and explore the Clockify API safely.",
    plan: "STANDARD",
    manifest_events: COMMON_EVENTS,
    subscribes_all_events: false,
    scopes: API_STUDIO_SCOPES,
    features: Features {
        custom_sources: false,
        explorer_writes: false,
        generic_http_actions: false,
        heavy_bootstrap: false,
    },
    settings: API_STUDIO_SETTINGS,
};

pub static UNIVERSAL_WEBHOOK: Profile = Profile {
    key: "universal-webhook",
    name: "Universal Webhook",
    description: "Take in every Clockify event and webhooks from any other source, keep them safely, \
                  and automate with no-code flows and the full Clockify API.",
    plan: "ENTERPRISE",
    manifest_events: UNIVERSAL_MANIFEST_EVENTS,
    subscribes_all_events: true,
    scopes: ALL_SCOPES,
    features: Features {
        custom_sources: true,
        explorer_writes: true,
        generic_http_actions: true,
        heavy_bootstrap: true,
    },
    settings: UNIVERSAL_WEBHOOK_SETTINGS,
};

/// Both add-ons, in the order they are listed.
pub static PROFILES: [&Profile; 2] = [&API_STUDIO, &UNIVERSAL_WEBHOOK];

/// Finds a profile by its manifest key (the first path segment of every add-on URL).
pub fn find_profile(key: &str) -> Option<&'static Profile> {
    PROFILES.iter().copied().find(|profile| profile.key == key)
}

impl Profile {
    /// Every event this add-on receives: the manifest's, plus the API-created ones.
    pub fn events(&self) -> Vec<&'static str> {
        if self.subscribes_all_events {
            ALL_EVENTS.iter().map(|event| event.name).collect()
        } else {
            self.manifest_events.to_vec()
        }
    }

    /// Events that must be created as workspace webhooks through the API after INSTALLED.
    pub fn api_created_events(&self) -> Vec<&'static str> {
        self.events()
            .into_iter()
            .filter(|event| !self.manifest_events.contains(event))
            .collect()
    }

    /// Settings sections in the order they first appear.
    pub fn sections(&self) -> Vec<&'static str> {
        let mut sections: Vec<&'static str> = Vec::new();
        for setting in self.settings {
            if !sections.contains(&setting.section) {
                sections.push(setting.section);
            }
        }
        sections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universal_webhook_covers_all_51_events_with_20_in_the_manifest() {
        assert_eq!(UNIVERSAL_WEBHOOK.manifest_events.len(), 20);
        assert_eq!(UNIVERSAL_WEBHOOK.events().len(), 51);
        assert_eq!(UNIVERSAL_WEBHOOK.api_created_events().len(), 31);
    }

    #[test]
    fn api_studio_has_12_events_7_resources_and_no_api_created_webhooks() {
        assert_eq!(API_STUDIO.events().len(), 12);
        assert!(API_STUDIO.api_created_events().is_empty());
        let mut resources: Vec<_> = API_STUDIO
            .scopes
            .iter()
            .map(|scope| scope.rsplit_once('_').map_or(*scope, |(resource, _)| resource))
            .collect();
        resources.dedup();
        assert_eq!(resources.len(), 7);
    }

    #[test]
    fn every_declared_event_and_scope_is_known() {
        for profile in PROFILES {
            for event in profile.manifest_events {
                assert!(crate::events::find_event(event).is_some(), "{event}");
            }
            for scope in profile.scopes {
                assert!(ALL_SCOPES.contains(scope), "{scope}");
            }
        }
    }
}
