//! Which add-on scopes an operation needs, and which operations only read.
//!
//! The spec does not say which add-on scope an endpoint requires, so the scope is derived from
//! the operation's first tag (the resource) and whether it only reads:
//!
//! | tag | scopes | why |
//! |---|---|---|
//! | User | `USER_*` | users, member profiles, roles, managers, a user's custom-field value |
//! | Workspace, Workspace (Deprecated) | `WORKSPACE_*` | workspace settings, rates, membership |
//! | Webhooks | `WORKSPACE_*` | webhooks are workspace configuration; no webhook scope exists |
//! | Approval | `APPROVAL_*` | |
//! | Client | `CLIENT_*` | |
//! | Custom fields | `CUSTOM_FIELDS_*` | including a project's custom-field defaults |
//! | Expense | `EXPENSE_*` | expenses, categories, receipts |
//! | Invoice | `INVOICE_*` | invoices, items, payments, settings |
//! | Project | `PROJECT_*` | including memberships, rates and estimates of a project |
//! | Task | `TASK_*` | including task rates |
//! | Tag | `TAG_*` | |
//! | Group | `GROUP_*` | user groups |
//! | Scheduling, Scheduling (Deprecated) | `SCHEDULING_*` | assignments and their totals |
//! | Time entry | `TIME_ENTRY_*` | |
//! | Entity changes (Experimental) | `TIME_ENTRY_*` | the supported document types are time entries, their rates and custom-field values |
//! | Template (Deprecated) | `TIME_ENTRY_*` | timesheet templates are rows of time entries |
//! | Holiday, Balance, Policy, Time Off | `TIME_OFF_*` | holidays belong to the time-off feature |
//! | Shared Report, Team Report, Time Entry Report, Expense Report, Audit Log Report | `REPORTS_*` | |
//!
//! `*` is `READ` when [`is_read_only`] and `WRITE` otherwise, so report generation (a POST that
//! only reads) needs `REPORTS_READ` while saving a shared report needs `REPORTS_WRITE`. WRITE
//! does not imply READ (PLATFORM.md §0.5); an operation needs exactly the one scope. A tag not
//! in the table yields no scopes: unknown, not "none needed".

use super::{Method, Operation};

/// Tag → (read scope, write scope).
const TAG_SCOPES: &[(&str, &str, &str)] = &[
    ("User", "USER_READ", "USER_WRITE"),
    ("Workspace", "WORKSPACE_READ", "WORKSPACE_WRITE"),
    ("Workspace (Deprecated)", "WORKSPACE_READ", "WORKSPACE_WRITE"),
    ("Webhooks", "WORKSPACE_READ", "WORKSPACE_WRITE"),
    ("Approval", "APPROVAL_READ", "APPROVAL_WRITE"),
    ("Client", "CLIENT_READ", "CLIENT_WRITE"),
    ("Custom fields", "CUSTOM_FIELDS_READ", "CUSTOM_FIELDS_WRITE"),
    ("Expense", "EXPENSE_READ", "EXPENSE_WRITE"),
    ("Invoice", "INVOICE_READ", "INVOICE_WRITE"),
    ("Project", "PROJECT_READ", "PROJECT_WRITE"),
    ("Task", "TASK_READ", "TASK_WRITE"),
    ("Tag", "TAG_READ", "TAG_WRITE"),
    ("Group", "GROUP_READ", "GROUP_WRITE"),
    ("Scheduling", "SCHEDULING_READ", "SCHEDULING_WRITE"),
    ("Scheduling (Deprecated)", "SCHEDULING_READ", "SCHEDULING_WRITE"),
    ("Time entry", "TIME_ENTRY_READ", "TIME_ENTRY_WRITE"),
    ("Entity changes (Experimental)", "TIME_ENTRY_READ", "TIME_ENTRY_WRITE"),
    ("Template (Deprecated)", "TIME_ENTRY_READ", "TIME_ENTRY_WRITE"),
    ("Holiday", "TIME_OFF_READ", "TIME_OFF_WRITE"),
    ("Balance", "TIME_OFF_READ", "TIME_OFF_WRITE"),
    ("Policy", "TIME_OFF_READ", "TIME_OFF_WRITE"),
    ("Time Off", "TIME_OFF_READ", "TIME_OFF_WRITE"),
    ("Shared Report", "REPORTS_READ", "REPORTS_WRITE"),
    ("Team Report", "REPORTS_READ", "REPORTS_WRITE"),
    ("Time Entry Report", "REPORTS_READ", "REPORTS_WRITE"),
    ("Expense Report", "REPORTS_READ", "REPORTS_WRITE"),
    ("Audit Log Report", "REPORTS_READ", "REPORTS_WRITE"),
];

/// POSTs that only query (path templates). PLATFORM.md §4.5 names `users/info`,
/// `invoices/info`, `time-off/requests`, the reports and the webhook logs; the audit log and
/// the two scheduling totals filters are queries in the same way (their operationIds start
/// with `get`, their bodies are filters).
const READ_ONLY_POSTS: &[&str] = &[
    "/v1/workspaces/{workspaceId}/users/info",
    "/v1/workspaces/{workspaceId}/invoices/info",
    "/v1/workspaces/{workspaceId}/time-off/requests",
    "/v1/workspaces/{workspaceId}/webhooks/{webhookId}/logs",
    "/v1/workspaces/{workspaceId}/reports/detailed",
    "/v1/workspaces/{workspaceId}/reports/summary",
    "/v1/workspaces/{workspaceId}/reports/weekly",
    "/v1/workspaces/{workspaceId}/reports/attendance",
    "/v1/workspaces/{workspaceId}/reports/expenses/detailed",
    "/v1/workspaces/{workspaceId}/audit-log",
    "/v1/workspaces/{workspaceId}/scheduling/assignments/projects/totals",
    "/v1/workspaces/{workspaceId}/scheduling/assignments/user-filter/totals",
];

/// Whether the operation changes nothing: every GET, and the POSTs in the list above. Meant for
/// deciding what may run without a write confirmation (e.g. in an API explorer).
pub fn is_read_only(operation: &Operation) -> bool {
    match operation.method {
        Method::Get => true,
        Method::Post => READ_ONLY_POSTS.contains(&operation.path.as_str()),
        Method::Put | Method::Patch | Method::Delete => false,
    }
}

/// The add-on scopes the operation needs (see the module table); empty when its tag is unknown.
pub fn required_scopes(operation: &Operation) -> Vec<&'static str> {
    TAG_SCOPES
        .iter()
        .find(|(tag, _, _)| *tag == operation.tag)
        .map(|&(_, read, write)| vec![if is_read_only(operation) { read } else { write }])
        .unwrap_or_default()
}

/// The required scopes not among `granted` (e.g. a profile's `scopes`).
pub fn missing_scopes(operation: &Operation, granted: &[&str]) -> Vec<&'static str> {
    required_scopes(operation)
        .into_iter()
        .filter(|scope| !granted.contains(scope))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        openapi::ApiSpec,
        profile::{API_STUDIO, UNIVERSAL_WEBHOOK},
        scopes::ALL_SCOPES,
    };

    fn scopes_of(id: &str) -> Vec<&'static str> {
        required_scopes(ApiSpec::clockify().operation(id).unwrap())
    }

    #[test]
    fn every_operation_needs_one_known_scope() {
        for operation in ApiSpec::clockify().operations() {
            let scopes = required_scopes(operation);
            assert_eq!(scopes.len(), 1, "{}", operation.id);
            assert!(ALL_SCOPES.contains(&scopes[0]), "{}", operation.id);
        }
    }

    #[test]
    fn samples() {
        let cases = [
            ("getProjects", "PROJECT_READ"),
            ("createNewProject", "PROJECT_WRITE"),
            ("addUsersToProject", "PROJECT_WRITE"),
            ("getTasks", "TASK_READ"),
            ("getTimeEntries", "TIME_ENTRY_READ"),
            ("stopRunningTimeEntry", "TIME_ENTRY_WRITE"),
            ("getUserGroups", "GROUP_READ"),
            ("getWebhooks", "WORKSPACE_READ"),
            ("createWebhook", "WORKSPACE_WRITE"),
            ("getLogsForWebhook", "WORKSPACE_READ"),
            ("filterUsersOfWorkspace", "USER_READ"),
            ("getInvoicesInfo", "INVOICE_READ"),
            ("getHolidays", "TIME_OFF_READ"),
            ("getTimeOffRequest", "TIME_OFF_READ"),
            ("createTimeOffRequest", "TIME_OFF_WRITE"),
            ("generateDetailedReport", "REPORTS_READ"),
            ("saveSharedReportV1", "REPORTS_WRITE"),
            ("getCreatedEntityInfo", "TIME_ENTRY_READ"),
            ("getFilteredProjectTotals", "SCHEDULING_READ"),
            ("ofWorkspace", "CUSTOM_FIELDS_READ"),
        ];
        for (id, scope) in cases {
            assert_eq!(scopes_of(id), vec![scope], "{id}");
        }
    }

    #[test]
    fn read_only_posts_exist_and_are_posts() {
        let spec = ApiSpec::clockify();
        for path in READ_ONLY_POSTS {
            assert!(
                spec.operations()
                    .iter()
                    .any(|operation| operation.method == Method::Post && operation.path == *path),
                "{path}"
            );
        }
        let read_only = spec.operations().iter().filter(|operation| is_read_only(operation));
        assert_eq!(read_only.count(), 50 + READ_ONLY_POSTS.len());
    }

    #[test]
    fn profiles_lack_the_scopes_they_did_not_declare() {
        let spec = ApiSpec::clockify();
        let report = spec.operation("generateDetailedReport").unwrap();
        assert_eq!(missing_scopes(report, API_STUDIO.scopes), vec!["REPORTS_READ"]);
        assert!(missing_scopes(report, UNIVERSAL_WEBHOOK.scopes).is_empty());
        let projects = spec.operation("getProjects").unwrap();
        assert!(missing_scopes(projects, API_STUDIO.scopes).is_empty());
    }
}
