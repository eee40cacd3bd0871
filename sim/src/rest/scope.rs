//! The scopes the `/api` endpoints need. An installation whose manifest does not list an
//! endpoint's scope gets 403 `Addon with id … does not have permission …` (WRITE does not
//! imply READ).

/// A scope of Clockify's manifest `scopes` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The workspace itself (and reading its webhooks).
    WorkspaceRead,
    /// Changing the workspace's configuration (creating, changing, deleting webhooks).
    WorkspaceWrite,
    /// Members and their profiles.
    UserRead,
    /// User groups.
    GroupRead,
    /// Projects.
    ProjectRead,
    /// Tasks.
    TaskRead,
    /// Clients.
    ClientRead,
    /// Tags.
    TagRead,
    /// Custom fields.
    CustomFieldsRead,
    /// Time entries.
    TimeEntryRead,
    /// Holidays and time-off policies.
    TimeOffRead,
    /// Expenses.
    ExpenseRead,
    /// Invoices.
    InvoiceRead,
    /// Approval requests.
    ApprovalRead,
}

impl Scope {
    /// The name in the manifest, e.g. `USER_READ`.
    pub const fn name(self) -> &'static str {
        match self {
            Scope::WorkspaceRead => "WORKSPACE_READ",
            Scope::WorkspaceWrite => "WORKSPACE_WRITE",
            Scope::UserRead => "USER_READ",
            Scope::GroupRead => "GROUP_READ",
            Scope::ProjectRead => "PROJECT_READ",
            Scope::TaskRead => "TASK_READ",
            Scope::ClientRead => "CLIENT_READ",
            Scope::TagRead => "TAG_READ",
            Scope::CustomFieldsRead => "CUSTOM_FIELDS_READ",
            Scope::TimeEntryRead => "TIME_ENTRY_READ",
            Scope::TimeOffRead => "TIME_OFF_READ",
            Scope::ExpenseRead => "EXPENSE_READ",
            Scope::InvoiceRead => "INVOICE_READ",
            Scope::ApprovalRead => "APPROVAL_READ",
        }
    }
}
