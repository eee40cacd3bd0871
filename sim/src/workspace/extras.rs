//! Generators of the entities beyond members, clients, projects and tags: tasks, custom
//! fields, user groups, holidays, time-off policies, expenses, invoices and approval requests.
//!
//! Each takes its own random stream (see `super::stream`), so changing the size of one kind
//! does not change the others.

use std::ops::Range;

use rand::{seq::index::sample, Rng};

use super::{
    names::{nth_name, CUSTOM_FIELDS, EXPENSE_CATEGORIES, EXPENSE_NOTES, GROUP_NAMES, HOLIDAYS, POLICIES, TASK_NAMES},
    object_id, ApprovalRequest, Client, CustomField, Expense, ExpenseCategory, Holiday, Invoice, Project, Task,
    TimeOffPolicy, User, UserGroup,
};
use crate::datetime::{civil_from_days, days_from_civil, DAY};

/// `count` tasks spread randomly over `projects`, grouped by project; also answers the range
/// of the returned list that belongs to each project (by project index).
pub(super) fn tasks(
    rng: &mut impl Rng,
    count: usize,
    projects: &[Project],
    users: &[User],
) -> (Vec<Task>, Vec<Range<usize>>) {
    if projects.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut per_project = vec![0usize; projects.len()];
    for _ in 0..count {
        per_project[rng.gen_range(0..projects.len())] += 1;
    }
    let mut tasks = Vec::with_capacity(count);
    let mut ranges = Vec::with_capacity(projects.len());
    for (project, &task_count) in projects.iter().zip(&per_project) {
        let from = tasks.len();
        for index in 0..task_count {
            let assignee_ids = if !users.is_empty() && rng.gen_bool(0.5) {
                vec![users[rng.gen_range(0..users.len())].id.clone()]
            } else {
                Vec::new()
            };
            tasks.push(Task {
                id: object_id(rng),
                name: nth_name(TASK_NAMES, index),
                project_id: project.id.clone(),
                status: if rng.gen_ratio(1, 7) { "DONE" } else { "ACTIVE" },
                billable: project.billable,
                assignee_ids,
            });
        }
        ranges.push(from..tasks.len());
    }
    (tasks, ranges)
}

/// `count` time-entry custom fields, one of each type in turn.
pub(super) fn custom_fields(rng: &mut impl Rng, count: usize) -> Vec<CustomField> {
    let names: Vec<&str> = CUSTOM_FIELDS.iter().map(|(name, ..)| *name).collect();
    (0..count)
        .map(|index| {
            let (_, field_type, allowed) = CUSTOM_FIELDS[index % CUSTOM_FIELDS.len()];
            let name = nth_name(&names, index);
            CustomField {
                id: object_id(rng),
                placeholder: format!("Enter {}", name.to_lowercase()),
                name,
                field_type,
                entity_type: "TIMEENTRY",
                allowed_values: allowed.iter().map(|value| value.to_string()).collect(),
                required: rng.gen_ratio(1, 4),
                status: "VISIBLE",
            }
        })
        .collect()
}

/// `count` groups, each with a random share of the members (at least one if any).
pub(super) fn user_groups(rng: &mut impl Rng, count: usize, users: &[User]) -> Vec<UserGroup> {
    (0..count)
        .map(|index| {
            let size = if users.is_empty() {
                0
            } else {
                rng.gen_range(1..=users.len().div_ceil(2))
            };
            let mut members: Vec<usize> = sample(rng, users.len(), size).into_vec();
            members.sort_unstable();
            UserGroup {
                id: object_id(rng),
                name: nth_name(GROUP_NAMES, index),
                user_ids: members.into_iter().map(|member| users[member].id.clone()).collect(),
            }
        })
        .collect()
}

/// `count` one-day holidays of the year of `today` (the next years once the list runs out).
pub(super) fn holidays(rng: &mut impl Rng, count: usize, today: i64, users: &[User]) -> Vec<Holiday> {
    let (year, ..) = civil_from_days(today);
    let names: Vec<&str> = HOLIDAYS.iter().map(|(name, ..)| *name).collect();
    (0..count)
        .map(|index| {
            let (_, month, day) = HOLIDAYS[index % HOLIDAYS.len()];
            let round = (index / HOLIDAYS.len()) as i64;
            let start_day = days_from_civil(year + round, month, day);
            let everyone = rng.gen_bool(0.75);
            let user_ids = users
                .iter()
                .filter(|_| everyone || rng.gen_bool(0.5))
                .map(|user| user.id.clone())
                .collect();
            Holiday {
                id: object_id(rng),
                name: nth_name(&names, index),
                start_day,
                end_day: start_day,
                occurs_annually: round == 0,
                everyone_including_new: everyone,
                user_ids,
            }
        })
        .collect()
}

/// `count` policies.
pub(super) fn time_off_policies(rng: &mut impl Rng, count: usize) -> Vec<TimeOffPolicy> {
    let names: Vec<&str> = POLICIES.iter().map(|(name, _)| *name).collect();
    (0..count)
        .map(|index| {
            let time_unit = POLICIES[index % POLICIES.len()].1;
            TimeOffPolicy {
                id: object_id(rng),
                name: nth_name(&names, index),
                time_unit,
                allow_half_day: time_unit == "DAYS" && rng.gen_bool(0.5),
                allow_negative_balance: rng.gen_ratio(1, 4),
                requires_approval: rng.gen_bool(0.8),
                yearly_accrual: if time_unit == "DAYS" {
                    rng.gen_range(5..=25)
                } else {
                    rng.gen_range(8..=40)
                },
                archived: false,
                everyone_including_new: true,
            }
        })
        .collect()
}

/// The fixed expense categories (none when there are no expenses).
pub(super) fn expense_categories(rng: &mut impl Rng, expenses: usize) -> Vec<ExpenseCategory> {
    if expenses == 0 {
        return Vec::new();
    }
    EXPENSE_CATEGORIES
        .iter()
        .map(|(name, unit, price)| ExpenseCategory {
            id: object_id(rng),
            name: name.to_string(),
            unit: *unit,
            price_in_cents: *price,
        })
        .collect()
}

/// What expenses, invoices and approvals refer to.
pub(super) struct Refs<'a> {
    pub users: &'a [User],
    pub projects: &'a [Project],
    pub clients: &'a [Client],
    /// Day number of the end of the generated history.
    pub today: i64,
}

/// `count` expenses over the last 60 days, newest first.
pub(super) fn expenses(
    rng: &mut impl Rng,
    count: usize,
    categories: &[ExpenseCategory],
    refs: &Refs<'_>,
) -> Vec<Expense> {
    if refs.users.is_empty() || categories.is_empty() {
        return Vec::new();
    }
    let mut expenses: Vec<Expense> = (0..count)
        .map(|_| {
            let category = &categories[rng.gen_range(0..categories.len())];
            let project = (!refs.projects.is_empty() && rng.gen_bool(0.8))
                .then(|| &refs.projects[rng.gen_range(0..refs.projects.len())]);
            let (quantity, total_cents) = match category.price_in_cents {
                Some(price) => {
                    let quantity = rng.gen_range(5..=300);
                    (quantity, i64::from(quantity) * i64::from(price))
                }
                None => (1, rng.gen_range(5..=500) * 100 + rng.gen_range(0..100)),
            };
            Expense {
                id: object_id(rng),
                user_id: refs.users[rng.gen_range(0..refs.users.len())].id.clone(),
                project_id: project.map(|project| project.id.clone()),
                category_id: category.id.clone(),
                day: refs.today - rng.gen_range(0..60),
                quantity,
                total_cents,
                billable: project.is_some_and(|project| project.billable),
                notes: EXPENSE_NOTES[rng.gen_range(0..EXPENSE_NOTES.len())].to_string(),
            }
        })
        .collect();
    expenses.sort_by_key(|expense| std::cmp::Reverse(expense.day));
    expenses
}

/// `count` invoices, numbered `INV-0001`… in issue order, one about every four days up to today.
pub(super) fn invoices(rng: &mut impl Rng, count: usize, refs: &Refs<'_>) -> Vec<Invoice> {
    let today = refs.today * DAY;
    (0..count)
        .map(|index| {
            let issued = today - ((count - index) as i64 * 4 + rng.gen_range(0..3)) * DAY;
            let due = issued + 30 * DAY;
            let amount_cents = rng.gen_range(200..=20_000) * 100;
            let (status, paid_cents) = match rng.gen_range(0..10) {
                0 => ("UNSENT", 0),
                1 => ("VOID", 0),
                2 | 3 => ("PARTIALLY_PAID", amount_cents / 2),
                4..=6 => ("PAID", amount_cents),
                _ if due < today => ("OVERDUE", 0),
                _ => ("SENT", 0),
            };
            Invoice {
                id: object_id(rng),
                number: format!("INV-{:04}", index + 1),
                client_id: (!refs.clients.is_empty())
                    .then(|| refs.clients[rng.gen_range(0..refs.clients.len())].id.clone()),
                issued,
                due,
                amount_cents,
                paid_cents,
                status,
            }
        })
        .collect()
}

/// `count` weekly timesheet approvals of random members over the last eight weeks.
pub(super) fn approval_requests(rng: &mut impl Rng, count: usize, refs: &Refs<'_>) -> Vec<ApprovalRequest> {
    let Some(approver) = refs.users.first() else {
        return Vec::new();
    };
    // 1970-01-01 was a Thursday, so day 4 was a Monday.
    let this_monday = refs.today - (refs.today - 4).rem_euclid(7);
    (0..count)
        .map(|_| {
            let owner = &refs.users[rng.gen_range(0..refs.users.len())];
            let week_start = (this_monday - 7 * rng.gen_range(1..=8)) * DAY;
            let state = match rng.gen_range(0..4) {
                0 | 1 => "PENDING",
                2 => "APPROVED",
                _ => "REJECTED",
            };
            let pending = state == "PENDING";
            ApprovalRequest {
                id: object_id(rng),
                owner_id: owner.id.clone(),
                creator_id: owner.id.clone(),
                week_start,
                state,
                updated_by: if pending { owner.id.clone() } else { approver.id.clone() },
                updated_at: (week_start + 7 * DAY + rng.gen_range(1..=72) * 3600).min(refs.today * DAY),
                tracked_seconds: rng.gen_range(20..=45) * 3600,
            }
        })
        .collect()
}
