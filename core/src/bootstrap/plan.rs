//! What the bootstrap pulls: the resources of a profile, given its settings (pure).
//!
//! API Studio pulls the workspace, users, projects, clients, tags and custom fields. Universal
//! Webhook adds, by setting, the heavy endpoints (tasks of every project, user groups,
//! holidays, time-off policies, expenses, invoices, approval requests, running timers) and
//! every user's time entries within a look-back window. A profile only pulls what its scopes
//! allow, so API Studio's "heavy" adds the running timers only.

use crate::profile::Profile;

/// Where a response keeps its entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// The body is the entity itself (the workspace).
    Single,
    /// The body is an array of entities.
    Array,
    /// The array is under these object keys, e.g. `["expenses", "expenses"]`.
    Nested(&'static [&'static str]),
}

/// How a resource is paged (PLATFORM.md §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// One request returns everything.
    None,
    /// `page` from 1 and `page-size` up to this; `Last-Page` says when to stop.
    Pages { max_size: u32 },
}

/// One kind of entity and the list endpoint it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Stored entity kind, e.g. `projects`.
    pub kind: &'static str,
    /// Shown in the UI.
    pub label: &'static str,
    /// The OpenAPI operation.
    pub operation_id: &'static str,
    /// Path template relative to the backend URL; `{workspaceId}` and `{parentId}` are filled in.
    pub path: &'static str,
    /// The kind whose entities this resource is listed per (tasks per project).
    pub parent: Option<&'static str>,
    pub paging: Paging,
    pub items: Items,
    /// Object keys leading to an entity's id (`["id"]`, or `["approvalRequest", "id"]`).
    pub id_at: &'static [&'static str],
    /// The scope the call needs.
    pub scope: &'static str,
    /// A heavy endpoint, pulled only when the setting asks.
    pub heavy: bool,
    /// Time entries, pulled only when the setting asks, from the look-back start.
    pub time_entries: bool,
}

/// Page size asked of endpoints whose maximum Clockify does not state (PLATFORM.md §4.3:
/// third-party tools use 5000).
pub const LARGE_PAGE: u32 = 5000;

const fn resource(
    kind: &'static str,
    label: &'static str,
    operation_id: &'static str,
    path: &'static str,
    paging: Paging,
    items: Items,
    scope: &'static str,
) -> Resource {
    Resource {
        kind,
        label,
        operation_id,
        path,
        parent: None,
        paging,
        items,
        id_at: &["id"],
        scope,
        heavy: false,
        time_entries: false,
    }
}

const PAGES: Paging = Paging::Pages { max_size: LARGE_PAGE };

/// Every resource the engine knows, in the order they are pulled (parents before children).
pub static RESOURCES: &[Resource] = &[
    resource(
        "workspace",
        "Workspace",
        "getWorkspaceOfUser",
        "/v1/workspaces/{workspaceId}",
        Paging::None,
        Items::Single,
        "WORKSPACE_READ",
    ),
    resource(
        "users",
        "Users",
        "getUsersOfWorkspace",
        "/v1/workspaces/{workspaceId}/users",
        PAGES,
        Items::Array,
        "USER_READ",
    ),
    resource(
        "projects",
        "Projects",
        "getProjects",
        "/v1/workspaces/{workspaceId}/projects",
        PAGES,
        Items::Array,
        "PROJECT_READ",
    ),
    resource(
        "clients",
        "Clients",
        "getClients",
        "/v1/workspaces/{workspaceId}/clients",
        PAGES,
        Items::Array,
        "CLIENT_READ",
    ),
    resource(
        "tags",
        "Tags",
        "getTags",
        "/v1/workspaces/{workspaceId}/tags",
        PAGES,
        Items::Array,
        "TAG_READ",
    ),
    resource(
        "custom_fields",
        "Custom fields",
        "ofWorkspace",
        "/v1/workspaces/{workspaceId}/custom-fields",
        Paging::None,
        Items::Array,
        "CUSTOM_FIELDS_READ",
    ),
    Resource {
        heavy: true,
        ..resource(
            "user_groups",
            "User groups",
            "getUserGroups",
            "/v1/workspaces/{workspaceId}/user-groups",
            PAGES,
            Items::Array,
            "GROUP_READ",
        )
    },
    Resource {
        heavy: true,
        ..resource(
            "holidays",
            "Holidays",
            "getHolidays",
            "/v1/workspaces/{workspaceId}/holidays",
            Paging::None,
            Items::Array,
            "TIME_OFF_READ",
        )
    },
    Resource {
        heavy: true,
        ..resource(
            "time_off_policies",
            "Time-off policies",
            "findPoliciesForWorkspace",
            "/v1/workspaces/{workspaceId}/time-off/policies",
            Paging::Pages { max_size: 200 },
            Items::Array,
            "TIME_OFF_READ",
        )
    },
    Resource {
        heavy: true,
        ..resource(
            "expenses",
            "Expenses",
            "getExpenses",
            "/v1/workspaces/{workspaceId}/expenses",
            PAGES,
            Items::Nested(&["expenses", "expenses"]),
            "EXPENSE_READ",
        )
    },
    Resource {
        heavy: true,
        ..resource(
            "invoices",
            "Invoices",
            "getInvoices",
            "/v1/workspaces/{workspaceId}/invoices",
            PAGES,
            Items::Nested(&["invoices"]),
            "INVOICE_READ",
        )
    },
    Resource {
        heavy: true,
        id_at: &["approvalRequest", "id"],
        ..resource(
            "approval_requests",
            "Approval requests",
            "getApprovalRequests",
            "/v1/workspaces/{workspaceId}/approval-requests",
            PAGES,
            Items::Array,
            "APPROVAL_READ",
        )
    },
    Resource {
        heavy: true,
        ..resource(
            "running_time_entries",
            "Running timers",
            "getInProgressTimeEntries",
            "/v1/workspaces/{workspaceId}/time-entries/status/in-progress",
            Paging::Pages { max_size: 1000 },
            Items::Array,
            "TIME_ENTRY_READ",
        )
    },
    Resource {
        heavy: true,
        parent: Some("projects"),
        ..resource(
            "tasks",
            "Tasks",
            "getTasks",
            "/v1/workspaces/{workspaceId}/projects/{parentId}/tasks",
            PAGES,
            Items::Array,
            "TASK_READ",
        )
    },
    Resource {
        time_entries: true,
        parent: Some("users"),
        ..resource(
            "time_entries",
            "Time entries",
            "getTimeEntries",
            "/v1/workspaces/{workspaceId}/user/{parentId}/time-entries",
            PAGES,
            Items::Array,
            "TIME_ENTRY_READ",
        )
    },
];

/// The settings that shape a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanOptions {
    pub include_heavy: bool,
    pub include_time_entries: bool,
    /// Days of time entries to pull.
    pub lookback_days: u32,
}

/// The resources `profile` pulls with `options`, in order.
pub fn plan(profile: &Profile, options: PlanOptions) -> Vec<&'static Resource> {
    RESOURCES
        .iter()
        .filter(|resource| profile.scopes.contains(&resource.scope))
        .filter(|resource| !resource.heavy || options.include_heavy)
        .filter(|resource| !resource.time_entries || options.include_time_entries)
        // A child needs its parent in the plan.
        .filter(|resource| {
            resource.parent.is_none_or(|parent| {
                RESOURCES
                    .iter()
                    .any(|other| other.kind == parent && profile.scopes.contains(&other.scope))
            })
        })
        .collect()
}

/// The resource of `kind`.
pub fn find_resource(kind: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|resource| resource.kind == kind)
}

impl Resource {
    /// The concrete path for a workspace (and parent, for child resources).
    pub fn path_for(&self, workspace_id: &str, parent_id: Option<&str>) -> String {
        self.path
            .replace("{workspaceId}", workspace_id)
            .replace("{parentId}", parent_id.unwrap_or_default())
    }

    /// An entity's id; `None` when it has none.
    pub fn entity_id<'a>(&self, item: &'a serde_json::Value) -> Option<&'a str> {
        let mut value = item;
        for key in self.id_at {
            value = value.get(key)?;
        }
        value.as_str()
    }

    /// The entities in a response body; `None` when the body has another shape.
    pub fn items<'a>(&self, body: &'a serde_json::Value) -> Option<Vec<&'a serde_json::Value>> {
        match self.items {
            Items::Single => body.is_object().then(|| vec![body]),
            Items::Array => body.as_array().map(|items| items.iter().collect()),
            Items::Nested(keys) => {
                let mut value = body;
                for key in keys {
                    value = value.get(key)?;
                }
                value.as_array().map(|items| items.iter().collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::profile::{API_STUDIO, UNIVERSAL_WEBHOOK};

    fn kinds(resources: Vec<&Resource>) -> Vec<&str> {
        resources.iter().map(|resource| resource.kind).collect()
    }

    #[test]
    fn api_studio_pulls_the_basics() {
        assert_eq!(
            kinds(plan(&API_STUDIO, PlanOptions::default())),
            ["workspace", "users", "projects", "clients", "tags", "custom_fields"]
        );
        // Its scopes allow only the running timers among the heavy endpoints.
        let heavy = PlanOptions {
            include_heavy: true,
            include_time_entries: true,
            lookback_days: 30,
        };
        let with_heavy = kinds(plan(&API_STUDIO, heavy));
        assert!(with_heavy.contains(&"running_time_entries"));
        assert!(!with_heavy.contains(&"tasks"));
        assert!(with_heavy.contains(&"time_entries"));
    }

    #[test]
    fn universal_webhook_adds_heavy_endpoints_and_time_entries_by_setting() {
        let basic = plan(&UNIVERSAL_WEBHOOK, PlanOptions::default());
        assert_eq!(basic.len(), 6);
        let all = plan(
            &UNIVERSAL_WEBHOOK,
            PlanOptions {
                include_heavy: true,
                include_time_entries: true,
                lookback_days: 30,
            },
        );
        assert_eq!(all.len(), RESOURCES.len());
        // Parents come before their children.
        let position = |kind| all.iter().position(|resource| resource.kind == kind).unwrap();
        assert!(position("projects") < position("tasks"));
        assert!(position("users") < position("time_entries"));
    }

    #[test]
    fn items_are_found_in_every_shape() {
        let expenses = find_resource("expenses").unwrap();
        let body = json!({ "expenses": { "count": 2, "expenses": [{ "id": "a" }, { "id": "b" }] } });
        assert_eq!(expenses.items(&body).unwrap().len(), 2);
        assert!(expenses.items(&json!([1])).is_none());
        let workspace = find_resource("workspace").unwrap();
        assert_eq!(workspace.items(&json!({ "id": "w" })).unwrap().len(), 1);
        assert!(workspace.items(&json!("text")).is_none());
        let approvals = find_resource("approval_requests").unwrap();
        assert_eq!(
            approvals.entity_id(&json!({ "approvalRequest": { "id": "r1" } })),
            Some("r1")
        );
        assert_eq!(approvals.entity_id(&json!({ "id": "r1" })), None);
        let tasks = find_resource("tasks").unwrap();
        assert_eq!(tasks.path_for("w1", Some("p1")), "/v1/workspaces/w1/projects/p1/tasks");
    }
}
