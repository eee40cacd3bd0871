//! What a workspace holds. Plain data; the REST layer turns it into Clockify's DTOs.
//!
//! Ids are 24-hex strings like Mongo ObjectIds; references to other entities are by id.
//! Dates are day numbers (days since 1970-01-01) and times Unix seconds (UTC), see
//! [`crate::datetime`]. Money is in cents.

use std::fmt;

use rand::RngCore;
use serde::Serialize;

/// A 12-byte id, shown as 24 lowercase hex digits. Used where many values are stored (time
/// entries); the other entities keep their id as a `String`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub [u8; 12]);

impl ObjectId {
    /// A random id (consumes 12 bytes of `rng`, like [`super::object_id`]).
    pub fn random(rng: &mut impl RngCore) -> ObjectId {
        let mut bytes = [0u8; 12];
        rng.fill_bytes(&mut bytes);
        ObjectId(bytes)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// A workspace member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// 24-hex id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address (unique in the workspace).
    pub email: String,
    /// `OWNER`, `WORKSPACE_ADMIN`, `TEAM_MANAGER`, `PROJECT_MANAGER` or `REGULAR`.
    pub role: String,
    /// Always `ACTIVE`.
    pub status: String,
}

/// A client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    /// 24-hex id.
    pub id: String,
    /// Company name.
    pub name: String,
    /// Whether archived.
    pub archived: bool,
}

/// A project, possibly for a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// 24-hex id.
    pub id: String,
    /// Project name.
    pub name: String,
    /// The client's id, if any.
    pub client_id: Option<String>,
    /// The client's name, if any.
    pub client_name: Option<String>,
    /// Hex colour, e.g. `#03A9F4`.
    pub color: String,
    /// Whether time on it is billable by default.
    pub billable: bool,
    /// Whether archived.
    pub archived: bool,
    /// Whether visible to every member.
    pub public: bool,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// 24-hex id.
    pub id: String,
    /// Tag name.
    pub name: String,
    /// Whether archived.
    pub archived: bool,
}

/// A task of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// 24-hex id.
    pub id: String,
    /// Task name (unique within its project).
    pub name: String,
    /// The project's id.
    pub project_id: String,
    /// `ACTIVE` or `DONE`.
    pub status: &'static str,
    /// Whether billable.
    pub billable: bool,
    /// Assigned members' ids (zero or one).
    pub assignee_ids: Vec<String>,
}

/// A workspace custom field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// 24-hex id.
    pub id: String,
    /// Field name.
    pub name: String,
    /// `TXT`, `NUMBER`, `DROPDOWN_SINGLE`, `DROPDOWN_MULTIPLE`, `CHECKBOX` or `LINK`.
    pub field_type: &'static str,
    /// `TIMEENTRY` or `USER`.
    pub entity_type: &'static str,
    /// Choices of the dropdown kinds (empty otherwise).
    pub allowed_values: Vec<String>,
    /// Whether a value is required.
    pub required: bool,
    /// Placeholder text.
    pub placeholder: String,
    /// `VISIBLE` (the only status generated).
    pub status: &'static str,
}

/// A user group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    /// 24-hex id.
    pub id: String,
    /// Group name.
    pub name: String,
    /// Members' ids.
    pub user_ids: Vec<String>,
}

/// A holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// 24-hex id.
    pub id: String,
    /// Holiday name.
    pub name: String,
    /// First day (days since 1970-01-01).
    pub start_day: i64,
    /// Last day, inclusive.
    pub end_day: i64,
    /// Whether it repeats every year.
    pub occurs_annually: bool,
    /// Whether it applies to every member, new ones included.
    pub everyone_including_new: bool,
    /// The members it applies to.
    pub user_ids: Vec<String>,
}

/// A time-off policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffPolicy {
    /// 24-hex id.
    pub id: String,
    /// Policy name.
    pub name: String,
    /// `DAYS` or `HOURS`.
    pub time_unit: &'static str,
    /// Whether half days can be requested.
    pub allow_half_day: bool,
    /// Whether the balance may go negative.
    pub allow_negative_balance: bool,
    /// Whether requests need approval.
    pub requires_approval: bool,
    /// Days (or hours) accrued per year.
    pub yearly_accrual: u32,
    /// Whether archived.
    pub archived: bool,
    /// Whether it applies to every member, new ones included.
    pub everyone_including_new: bool,
}

/// An expense category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseCategory {
    /// 24-hex id.
    pub id: String,
    /// Category name.
    pub name: String,
    /// Unit of a priced category (`km`, …); `None` for plain amounts.
    pub unit: Option<&'static str>,
    /// Price per unit in cents, for a priced category.
    pub price_in_cents: Option<u32>,
}

/// An expense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expense {
    /// 24-hex id.
    pub id: String,
    /// Who spent it.
    pub user_id: String,
    /// The project, if any.
    pub project_id: Option<String>,
    /// The category's id.
    pub category_id: String,
    /// Day (days since 1970-01-01).
    pub day: i64,
    /// Units (1 for a plain amount).
    pub quantity: u32,
    /// Total in cents.
    pub total_cents: i64,
    /// Whether billable.
    pub billable: bool,
    /// Free text.
    pub notes: String,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// 24-hex id.
    pub id: String,
    /// Invoice number, e.g. `INV-0001`.
    pub number: String,
    /// The client's id, if the workspace has clients.
    pub client_id: Option<String>,
    /// Issue time (Unix seconds).
    pub issued: i64,
    /// Due time (Unix seconds).
    pub due: i64,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Paid so far, in cents.
    pub paid_cents: i64,
    /// `UNSENT`, `SENT`, `PAID`, `PARTIALLY_PAID`, `VOID` or `OVERDUE`.
    pub status: &'static str,
}

/// A timesheet approval request for one member's week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    /// 24-hex id.
    pub id: String,
    /// The member whose week it is.
    pub owner_id: String,
    /// Who submitted it (the owner, or an admin on their behalf).
    pub creator_id: String,
    /// Monday 00:00 UTC of the week (Unix seconds).
    pub week_start: i64,
    /// `PENDING`, `APPROVED` or `REJECTED`.
    pub state: &'static str,
    /// Who last changed the state.
    pub updated_by: String,
    /// When the state last changed (Unix seconds).
    pub updated_at: i64,
    /// Tracked time in the week, in seconds.
    pub tracked_seconds: i64,
}

/// A time entry, stored compactly: other entities are referred to by their index in the
/// workspace's lists (`users`, `projects`, `tasks`, `tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntry {
    /// The id.
    pub id: ObjectId,
    /// Index of the member in `Workspace::users`.
    pub user: u32,
    /// Start (Unix seconds).
    pub start: i64,
    /// End (Unix seconds); `None` while running.
    pub end: Option<i64>,
    /// Index in `Workspace::projects`.
    pub project: Option<u32>,
    /// Index in `Workspace::tasks` (a task of `project`).
    pub task: Option<u32>,
    /// Indexes in `Workspace::tags`.
    pub tags: Vec<u32>,
    /// Whether billable.
    pub billable: bool,
    /// What was done.
    pub description: &'static str,
}

impl TimeEntry {
    /// Whether the timer is still running.
    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }
}
