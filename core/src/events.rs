//! The 51 Clockify webhook events (manifest schema 1.6), grouped as Clockify's docs group them.

/// One Clockify webhook event type, e.g. `NEW_TIME_ENTRY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventType {
    pub name: &'static str,
    pub group: &'static str,
    pub description: &'static str,
}

macro_rules! events {
    ($( $group:literal => [ $( $name:literal : $desc:literal ),* $(,)? ] ),* $(,)?) => {
        /// Every event Clockify can send, in the documentation's order.
        pub const ALL_EVENTS: &[EventType] = &[
            $( $( EventType { name: $name, group: $group, description: $desc }, )* )*
        ];
    };
}

events! {
    "Time tracking" => [
        "NEW_TIMER_STARTED": "Timer started",
        "TIMER_STOPPED": "Timer stopped",
        "NEW_TIME_ENTRY": "Time entry created manually",
        "TIME_ENTRY_UPDATED": "Time entry updated",
        "TIME_ENTRY_DELETED": "Time entry deleted",
        "TIME_ENTRY_RESTORED": "Time entry restored",
        "TIME_ENTRY_SPLIT": "Time entry split",
        "NEW_TAG": "Tag created",
        "TAG_UPDATED": "Tag updated",
        "TAG_DELETED": "Tag deleted",
    ],
    "Clients & projects" => [
        "NEW_CLIENT": "Client created",
        "CLIENT_UPDATED": "Client updated",
        "CLIENT_DELETED": "Client deleted",
        "NEW_PROJECT": "Project created",
        "PROJECT_UPDATED": "Project updated",
        "PROJECT_DELETED": "Project deleted",
        "NEW_TASK": "Task created",
        "TASK_UPDATED": "Task updated",
        "TASK_DELETED": "Task deleted",
    ],
    "Scheduling" => [
        "ASSIGNMENT_CREATED": "Assignment created",
        "ASSIGNMENT_UPDATED": "Assignment updated",
        "ASSIGNMENT_DELETED": "Assignment deleted",
        "ASSIGNMENT_PUBLISHED": "Assignment published",
    ],
    "Financials" => [
        "NEW_INVOICE": "Invoice created",
        "INVOICE_UPDATED": "Invoice updated",
        "COST_RATE_UPDATED": "Cost rate updated",
        "BILLABLE_RATE_UPDATED": "Billable rate updated",
    ],
    "Expenses" => [
        "EXPENSE_CREATED": "Expense created",
        "EXPENSE_UPDATED": "Expense updated",
        "EXPENSE_DELETED": "Expense deleted",
        "EXPENSE_RESTORED": "Expense restored",
    ],
    "Workspace & users" => [
        "USER_JOINED_WORKSPACE": "User joined workspace",
        "USERS_INVITED_TO_WORKSPACE": "Users invited to workspace",
        "LIMITED_USERS_ADDED_TO_WORKSPACE": "Limited users added to workspace",
        "USER_DELETED_FROM_WORKSPACE": "User deleted from workspace",
        "USER_ACTIVATED_ON_WORKSPACE": "User activated on workspace",
        "USER_DEACTIVATED_ON_WORKSPACE": "User deactivated on workspace",
        "USER_UPDATED": "User updated",
        "USER_EMAIL_CHANGED": "User e-mail changed",
        "USER_GROUP_CREATED": "User group created",
        "USER_GROUP_UPDATED": "User group updated",
        "USER_GROUP_DELETED": "User group deleted",
    ],
    "Approvals" => [
        "NEW_APPROVAL_REQUEST": "New approval request",
        "APPROVAL_REQUEST_STATUS_UPDATED": "Approval request status updated",
    ],
    "Time off" => [
        "TIME_OFF_REQUESTED": "Time off requested",
        "TIME_OFF_REQUEST_UPDATED": "Time off request updated",
        "TIME_OFF_REQUEST_APPROVED": "Time off request approved",
        "TIME_OFF_REQUEST_REJECTED": "Time off request rejected",
        "TIME_OFF_REQUEST_WITHDRAWN": "Time off request withdrawn",
        "TIME_OFF_REQUEST_STARTED": "Time off request started",
        "BALANCE_UPDATED": "Time off balance updated",
    ],
}

/// Looks an event up by its Clockify name.
pub fn find_event(name: &str) -> Option<&'static EventType> {
    ALL_EVENTS.iter().find(|event| event.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_51_distinct_events() {
        let mut names: Vec<_> = ALL_EVENTS.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 51);
    }

    #[test]
    fn finds_events_by_name() {
        assert_eq!(find_event("NEW_TIME_ENTRY").map(|e| e.group), Some("Time tracking"));
        assert!(find_event("NOT_AN_EVENT").is_none());
    }
}
