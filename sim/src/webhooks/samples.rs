//! The bodies the simulator sends when it fires an event: what Clockify would send, built from
//! the demo workspace.
//!
//! - Time-entry events (`NEW_TIME_ENTRY`, `NEW_TIMER_STARTED`, `TIMER_STOPPED`,
//!   `TIME_ENTRY_UPDATED`, `TIME_ENTRY_DELETED`, `TIME_ENTRY_RESTORED`, `TIME_ENTRY_SPLIT`): a
//!   time entry shaped exactly like a real `NEW_TIME_ENTRY` delivery
//!   (`tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json`): hydrated `project`, `task`,
//!   `user {id,name,status}` and `tags[]`, a zoned `timeInterval`, `currentlyRunning`, … with a
//!   fresh id each time, so repeated fires are distinct events. A started timer has
//!   `end`/`duration` null and `currentlyRunning: true`.
//! - Tags, clients, projects and tasks: the API DTOs the REST endpoints serve (tasks with the
//!   `progress` field a real `NEW_TASK` delivery has). `NEW_*` is a fresh entity (new id and
//!   name); `*_UPDATED`/`*_DELETED` an entity of the demo workspace.
//! - Everything else: the spec's DTO with the demo workspace's ids (users `UserDtoV1`, groups
//!   `UserGroupDtoV1`, invoices `InvoiceDtoV1`, expenses `ExpenseHydratedDtoV1`, approvals
//!   `ApprovalRequestDtoV1`, time off `TimeOffRequestFullV1Dto`, balances `BalanceDtoV1`,
//!   assignments `AssignmentDtoV1`, rates a `MembershipDtoV1` with `workspaceId`).

use rand::{seq::SliceRandom, Rng};
use serde_json::{json, Value};

use crate::{
    datetime::{format_date, format_duration, format_timestamp, DAY},
    rest::{
        approvals::approval_dto,
        catalog::{client_dto, tag_dto},
        expenses::expense_dto,
        invoices::invoice_dto,
        projects::{project_dto, task_dto},
        users::{user_dto, user_group_dto},
    },
    state::Sim,
    workspace::{object_id, ApprovalRequest, Client, Project, Tag, Task, UserGroup, Workspace},
};

/// The body Clockify would send for `event` (one of the 51), built from the demo workspace;
/// `Value::Null` for an unknown event.
pub fn sample_body(sim: &Sim, event: &str) -> Value {
    body_for(&sim.workspace, event, crate::datetime::now(), &mut rand::thread_rng())
}

/// [`sample_body`] for `workspace` at time `now`, with `rng` choosing entities and ids.
pub(crate) fn body_for(workspace: &Workspace, event: &str, now: i64, rng: &mut impl Rng) -> Value {
    match event {
        "NEW_TIMER_STARTED" => time_entry(workspace, now, true, rng),
        "TIMER_STOPPED"
        | "NEW_TIME_ENTRY"
        | "TIME_ENTRY_UPDATED"
        | "TIME_ENTRY_DELETED"
        | "TIME_ENTRY_RESTORED"
        | "TIME_ENTRY_SPLIT" => time_entry(workspace, now, false, rng),
        "NEW_TAG" => tag_dto(workspace, &new_tag(rng)),
        "TAG_UPDATED" | "TAG_DELETED" => match workspace.tags.choose(rng) {
            Some(tag) => tag_dto(workspace, tag),
            None => tag_dto(workspace, &new_tag(rng)),
        },
        "NEW_CLIENT" => client_dto(workspace, &new_client(rng)),
        "CLIENT_UPDATED" | "CLIENT_DELETED" => match workspace.clients.choose(rng) {
            Some(client) => client_dto(workspace, client),
            None => client_dto(workspace, &new_client(rng)),
        },
        "NEW_PROJECT" => project_dto(workspace, &new_project(workspace, rng)),
        "PROJECT_UPDATED" | "PROJECT_DELETED" => match workspace.projects.choose(rng) {
            Some(project) => project_dto(workspace, project),
            None => project_dto(workspace, &new_project(workspace, rng)),
        },
        "NEW_TASK" => task_body(workspace, &new_task(workspace, rng)),
        "TASK_UPDATED" | "TASK_DELETED" => match workspace.tasks.choose(rng) {
            Some(task) => task_body(workspace, task),
            None => task_body(workspace, &new_task(workspace, rng)),
        },
        "ASSIGNMENT_CREATED" | "ASSIGNMENT_UPDATED" | "ASSIGNMENT_DELETED" | "ASSIGNMENT_PUBLISHED" => {
            assignment(workspace, now, event == "ASSIGNMENT_PUBLISHED", rng)
        }
        "NEW_INVOICE" | "INVOICE_UPDATED" => invoice(workspace, now, rng),
        "COST_RATE_UPDATED" | "BILLABLE_RATE_UPDATED" => rate(workspace, event == "COST_RATE_UPDATED", rng),
        "EXPENSE_CREATED" | "EXPENSE_UPDATED" | "EXPENSE_DELETED" | "EXPENSE_RESTORED" => expense(workspace, now, rng),
        "USER_JOINED_WORKSPACE"
        | "USERS_INVITED_TO_WORKSPACE"
        | "LIMITED_USERS_ADDED_TO_WORKSPACE"
        | "USER_DELETED_FROM_WORKSPACE"
        | "USER_ACTIVATED_ON_WORKSPACE"
        | "USER_DEACTIVATED_ON_WORKSPACE"
        | "USER_UPDATED"
        | "USER_EMAIL_CHANGED" => user(workspace, event, rng),
        "USER_GROUP_CREATED" => user_group_dto(workspace, &new_group(workspace, rng)),
        "USER_GROUP_UPDATED" | "USER_GROUP_DELETED" => match workspace.user_groups.choose(rng) {
            Some(group) => user_group_dto(workspace, group),
            None => user_group_dto(workspace, &new_group(workspace, rng)),
        },
        "NEW_APPROVAL_REQUEST" | "APPROVAL_REQUEST_STATUS_UPDATED" => {
            approval(workspace, now, event == "NEW_APPROVAL_REQUEST", rng)
        }
        "TIME_OFF_REQUESTED"
        | "TIME_OFF_REQUEST_UPDATED"
        | "TIME_OFF_REQUEST_APPROVED"
        | "TIME_OFF_REQUEST_REJECTED"
        | "TIME_OFF_REQUEST_WITHDRAWN"
        | "TIME_OFF_REQUEST_STARTED" => time_off_request(workspace, event, now, rng),
        "BALANCE_UPDATED" => balance(workspace, rng),
        _ => Value::Null,
    }
}

/// The last four hex digits of `id`, to tell generated names apart.
fn suffix(id: &str) -> &str {
    &id[id.len().saturating_sub(4)..]
}

/// `yyyy-MM-ddThh:mm:ss` (a zoned time without the zone; the simulator's members are on UTC).
fn zoned(seconds: i64) -> String {
    format_timestamp(seconds).trim_end_matches('Z').to_string()
}

/// The hydrated project of a time-entry event, with exactly a real delivery's fields.
fn hydrated_project(workspace: &Workspace, project: &Project, tracked: i64) -> Value {
    json!({
        "name": project.name,
        "clientId": project.client_id.as_deref().unwrap_or(""),
        "workspaceId": workspace.id,
        "billable": project.billable,
        "estimate": { "estimate": "PT0S", "type": "AUTO" },
        "color": project.color,
        "archived": project.archived,
        "clientName": project.client_name.as_deref().unwrap_or(""),
        "duration": format_duration(tracked),
        "note": "",
        "activeEstimate": "NONE",
        "timeEstimate": { "includeNonBillable": true, "estimate": 0, "type": "AUTO", "resetOption": null },
        "budgetEstimate": null,
        "id": project.id,
        "public": project.public,
        "template": false,
    })
}

/// The hydrated task of a time-entry event, with exactly a real delivery's fields.
fn hydrated_task(workspace: &Workspace, task: &Task, tracked: i64, now: i64) -> Value {
    json!({
        "name": task.name,
        "projectId": task.project_id,
        "assigneeId": task.assignee_ids.first().map(String::as_str).unwrap_or(""),
        "assigneeIds": task.assignee_ids,
        "userGroupIds": [],
        "estimate": "PT0S",
        "status": task.status,
        "workspaceId": workspace.id,
        "budgetEstimate": 0,
        "billable": task.billable,
        "hourlyRate": null,
        "costRate": null,
        "auditMetadata": { "updatedAt": (now - DAY) * 1000 },
        "id": task.id,
        "duration": format_duration(tracked),
    })
}

/// Seconds tracked in finished entries matching `belongs`.
fn tracked(workspace: &Workspace, belongs: impl Fn(&crate::workspace::TimeEntry) -> bool) -> i64 {
    workspace
        .time_entries
        .all()
        .iter()
        .filter(|entry| belongs(entry))
        .filter_map(|entry| entry.end.map(|end| end - entry.start))
        .sum()
}

/// A fresh time entry of a member of the workspace: on a task of a project when the workspace
/// has tasks (else on a project, if any), with one or two tags if it has tags. A running one
/// started within the last half hour; a finished one ended this minute after 15 min … 4 h.
fn time_entry(workspace: &Workspace, now: i64, running: bool, rng: &mut impl Rng) -> Value {
    let id = object_id(rng);
    let user = workspace.users.choose(rng);
    let task_index = (!workspace.tasks.is_empty()).then(|| rng.gen_range(0..workspace.tasks.len()));
    let task = task_index.map(|index| &workspace.tasks[index]);
    let project_index = match task {
        Some(task) => workspace.project_index(&task.project_id),
        None => (!workspace.projects.is_empty()).then(|| rng.gen_range(0..workspace.projects.len())),
    };
    let project = project_index.map(|index| &workspace.projects[index]);
    let tag_count = rng.gen_range(1..=2).min(workspace.tags.len());
    let tags: Vec<Value> = workspace
        .tags
        .choose_multiple(rng, tag_count)
        .map(|tag: &Tag| json!({ "name": tag.name, "workspaceId": workspace.id, "archived": tag.archived, "id": tag.id }))
        .collect();
    let description = workspace
        .time_entries
        .all()
        .choose(rng)
        .map_or("Working on the demo", |entry| entry.description);
    let minute = now - now.rem_euclid(60);
    let (start, end) = if running {
        (minute - rng.gen_range(1..=30) * 60, None)
    } else {
        (minute - rng.gen_range(3..49) * 300, Some(minute))
    };
    let project_body = project.zip(project_index).map(|(project, index)| {
        let index = u32::try_from(index).ok();
        hydrated_project(workspace, project, tracked(workspace, |entry| entry.project == index))
    });
    let task_body = task.zip(task_index).map(|(task, index)| {
        let index = u32::try_from(index).ok();
        hydrated_task(workspace, task, tracked(workspace, |entry| entry.task == index), now)
    });
    json!({
        "id": id,
        "description": description,
        "userId": user.map(|user| user.id.as_str()),
        "billable": project.is_some_and(|project| project.billable),
        "projectId": project.map(|project| project.id.as_str()),
        "timeInterval": {
            "start": format_timestamp(start),
            "end": end.map(format_timestamp),
            "duration": end.map(|end| format_duration(end - start)),
            "timeZone": "UTC",
            "offsetStart": 0,
            "offsetEnd": end.map(|_| 0),
            "zonedStart": zoned(start),
            "zonedEnd": end.map(zoned),
        },
        "workspaceId": workspace.id,
        "isLocked": false,
        "hourlyRate": null,
        "costRate": null,
        "customFieldValues": [],
        "type": "REGULAR",
        "kioskId": null,
        "approvalStatus": null,
        "projectCurrency": null,
        "currentlyRunning": running,
        "project": project_body,
        "task": task_body,
        "user": user.map(|user| json!({ "id": user.id, "name": user.name, "status": user.status })),
        "tags": tags,
    })
}

fn new_tag(rng: &mut impl Rng) -> Tag {
    let id = object_id(rng);
    Tag {
        name: format!("New tag {}", suffix(&id)),
        id,
        archived: false,
    }
}

fn new_client(rng: &mut impl Rng) -> Client {
    let id = object_id(rng);
    Client {
        name: format!("New client {}", suffix(&id)),
        id,
        archived: false,
    }
}

fn new_project(workspace: &Workspace, rng: &mut impl Rng) -> Project {
    let id = object_id(rng);
    let client = workspace.clients.choose(rng);
    Project {
        name: format!("New project {}", suffix(&id)),
        id,
        client_id: client.map(|client| client.id.clone()),
        client_name: client.map(|client| client.name.clone()),
        color: "#03A9F4".into(),
        billable: true,
        archived: false,
        public: true,
    }
}

fn new_task(workspace: &Workspace, rng: &mut impl Rng) -> Task {
    let id = object_id(rng);
    let project = workspace.projects.choose(rng);
    Task {
        name: format!("New task {}", suffix(&id)),
        project_id: project.map_or_else(|| object_id(rng), |project| project.id.clone()),
        id,
        status: "ACTIVE",
        billable: project.is_some_and(|project| project.billable),
        assignee_ids: Vec::new(),
    }
}

fn new_group(workspace: &Workspace, rng: &mut impl Rng) -> UserGroup {
    let id = object_id(rng);
    UserGroup {
        name: format!("New group {}", suffix(&id)),
        id,
        user_ids: workspace
            .users
            .choose(rng)
            .map(|user| user.id.clone())
            .into_iter()
            .collect(),
    }
}

/// A task as `TaskDtoV1` plus the `progress` a real `NEW_TASK` delivery carries.
fn task_body(workspace: &Workspace, task: &Task) -> Value {
    let mut body = task_dto(workspace, task);
    body["progress"] = Value::Null;
    body
}

fn some_user_id(workspace: &Workspace, rng: &mut impl Rng) -> String {
    workspace
        .users
        .choose(rng)
        .map_or_else(|| workspace.owner_id.clone(), |user| user.id.clone())
}

fn assignment(workspace: &Workspace, now: i64, published: bool, rng: &mut impl Rng) -> Value {
    let task = workspace.tasks.choose(rng);
    let project_id = match task {
        Some(task) => Some(task.project_id.clone()),
        None => workspace.projects.choose(rng).map(|project| project.id.clone()),
    };
    let billable = project_id
        .as_deref()
        .and_then(|project_id| workspace.project(project_id))
        .is_some_and(|project| project.billable);
    // The coming Monday to Friday (1970-01-01 was a Thursday, so day 4 was a Monday).
    let today = now.div_euclid(DAY);
    let monday = today + 7 - (today - 4).rem_euclid(7);
    json!({
        "id": object_id(rng),
        "workspaceId": workspace.id,
        "userId": some_user_id(workspace, rng),
        "projectId": project_id,
        "taskId": task.map(|task| task.id.as_str()),
        "billable": billable,
        "hoursPerDay": 8.0,
        "includeNonWorkingDays": false,
        "excludeDays": [],
        "note": "",
        "period": { "start": format_timestamp(monday * DAY), "end": format_timestamp((monday + 5) * DAY - 1) },
        "published": published,
        "recurring": { "repeat": false, "seriesId": null, "weeks": 0 },
        "startTime": "09:00",
    })
}

fn invoice(workspace: &Workspace, now: i64, rng: &mut impl Rng) -> Value {
    match workspace.invoices.choose(rng) {
        Some(invoice) => invoice_dto(workspace, invoice),
        None => {
            let client = workspace.clients.choose(rng);
            json!({
                "id": object_id(rng),
                "number": "INV-0001",
                "clientId": client.map(|client| client.id.as_str()),
                "clientName": client.map(|client| client.name.as_str()),
                "currency": "USD",
                "amount": 100_000,
                "paid": 0,
                "balance": 100_000,
                "issuedDate": format_timestamp(now - now.rem_euclid(DAY)),
                "dueDate": format_timestamp(now - now.rem_euclid(DAY) + 30 * DAY),
                "status": "UNSENT",
            })
        }
    }
}

fn rate(workspace: &Workspace, cost: bool, rng: &mut impl Rng) -> Value {
    let amount = rng.gen_range(20..=150) * 100;
    let (hourly, cost_rate) = if cost {
        (Value::Null, json!({ "amount": amount, "currency": "USD" }))
    } else {
        (json!({ "amount": amount, "currency": "USD" }), Value::Null)
    };
    json!({
        "userId": some_user_id(workspace, rng),
        "targetId": workspace.id,
        "workspaceId": workspace.id,
        "membershipType": "WORKSPACE",
        "membershipStatus": "ACTIVE",
        "hourlyRate": hourly,
        "costRate": cost_rate,
    })
}

fn expense(workspace: &Workspace, now: i64, rng: &mut impl Rng) -> Value {
    match workspace.expenses.choose(rng) {
        Some(expense) => expense_dto(workspace, expense),
        None => json!({
            "id": object_id(rng),
            "workspaceId": workspace.id,
            "userId": some_user_id(workspace, rng),
            "date": format_date(now.div_euclid(DAY)),
            "category": null,
            "project": null,
            "task": null,
            "quantity": 1.0,
            "total": 2_500.0,
            "billable": false,
            "notes": "Taxi",
            "fileId": "",
            "fileName": "",
            "locked": false,
            "isLocked": false,
        }),
    }
}

fn user(workspace: &Workspace, event: &str, rng: &mut impl Rng) -> Value {
    let user = workspace.users.choose(rng).unwrap_or_else(|| workspace.owner());
    let mut body = user_dto(workspace, user);
    body["status"] = json!(match event {
        "USERS_INVITED_TO_WORKSPACE" => "PENDING_EMAIL_VERIFICATION",
        "LIMITED_USERS_ADDED_TO_WORKSPACE" => "LIMITED",
        "USER_DELETED_FROM_WORKSPACE" => "DELETED",
        _ => "ACTIVE",
    });
    body
}

/// An approval request as `ApprovalRequestDtoV1`: a pending one for a new request, a decided
/// one for a status change (made up from a member's last week when the workspace has none).
fn approval(workspace: &Workspace, now: i64, new: bool, rng: &mut impl Rng) -> Value {
    let wanted = |request: &&ApprovalRequest| (request.state == "PENDING") == new;
    let made_up;
    let request = match workspace
        .approval_requests
        .iter()
        .filter(wanted)
        .collect::<Vec<_>>()
        .choose(rng)
    {
        Some(request) => *request,
        None => {
            let owner_id = some_user_id(workspace, rng);
            let today = now.div_euclid(DAY);
            let week_start = (today - (today - 4).rem_euclid(7) - 7) * DAY;
            made_up = ApprovalRequest {
                id: object_id(rng),
                creator_id: owner_id.clone(),
                updated_by: if new {
                    owner_id.clone()
                } else {
                    workspace.owner_id.clone()
                },
                owner_id,
                week_start,
                state: if new { "PENDING" } else { "APPROVED" },
                updated_at: now,
                tracked_seconds: 40 * 3600,
            };
            &made_up
        }
    };
    approval_dto(workspace, request)["approvalRequest"].take()
}

fn time_off_request(workspace: &Workspace, event: &str, now: i64, rng: &mut impl Rng) -> Value {
    let user = workspace.users.choose(rng).unwrap_or_else(|| workspace.owner());
    let owner = workspace.owner();
    let policy = workspace.time_off_policies.choose(rng);
    let time_unit = policy.map_or("DAYS", |policy| policy.time_unit);
    let start_day = now.div_euclid(DAY) + if event == "TIME_OFF_REQUEST_STARTED" { 0 } else { 14 };
    let days = rng.gen_range(1..=5);
    let status = match event {
        "TIME_OFF_REQUEST_APPROVED" | "TIME_OFF_REQUEST_STARTED" => "APPROVED",
        "TIME_OFF_REQUEST_REJECTED" => "REJECTED",
        _ => "PENDING",
    };
    let changed_by = if status == "PENDING" { user } else { owner };
    json!({
        "id": object_id(rng),
        "workspaceId": workspace.id,
        "policyId": policy.map_or_else(|| object_id(rng), |policy| policy.id.clone()),
        "policyName": policy.map_or("Vacation", |policy| policy.name.as_str()),
        "userId": user.id,
        "userName": user.name,
        "userEmail": user.email,
        "userTimeZone": "UTC",
        "requesterUserId": user.id,
        "requesterUserName": user.name,
        "timeUnit": time_unit,
        "timeOffPeriod": {
            "period": { "start": format_timestamp(start_day * DAY), "end": format_timestamp((start_day + days) * DAY - 1) },
            "halfDay": false,
            "halfDayPeriod": "NOT_DEFINED",
            "halfDayHours": null,
        },
        "balance": 20.0 - days as f64,
        "balanceDiff": days as f64,
        "note": if event == "TIME_OFF_REQUEST_WITHDRAWN" { "Withdrawn" } else { "" },
        "status": {
            "statusType": status,
            "changedAt": format_timestamp(now),
            "changedByUserId": changed_by.id,
            "changedByUserName": changed_by.name,
            "changedForUserName": user.name,
            "note": "",
        },
        "createdAt": format_timestamp(now - DAY),
    })
}

fn balance(workspace: &Workspace, rng: &mut impl Rng) -> Value {
    let user = workspace.users.choose(rng).unwrap_or_else(|| workspace.owner());
    let policy = workspace.time_off_policies.choose(rng);
    let total = policy.map_or(20.0, |policy| f64::from(policy.yearly_accrual));
    let used = f64::from(rng.gen_range(0..=5));
    json!({
        "id": object_id(rng),
        "workspaceId": workspace.id,
        "userId": user.id,
        "userName": user.name,
        "policyId": policy.map_or_else(|| object_id(rng), |policy| policy.id.clone()),
        "policyName": policy.map_or("Vacation", |policy| policy.name.as_str()),
        "policyTimeUnit": policy.map_or("DAYS", |policy| policy.time_unit),
        "policyArchived": policy.is_some_and(|policy| policy.archived),
        "balance": total - used,
        "used": used,
        "total": total,
        "negativeBalanceAmount": 0.0,
        "negativeBalanceLimit": false,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use addon_core::events::ALL_EVENTS;
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;
    use crate::workspace::WorkspaceSpec;

    const NEW_TIME_ENTRY: &str = include_str!("../../tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");
    const TIME_ENTRY_UPDATED: &str = include_str!("../../tests/fixtures/webhook-samples/TIME_ENTRY_UPDATED.json");
    const NEW_TASK: &str = include_str!("../../tests/fixtures/webhook-samples/NEW_TASK.json");

    fn workspace() -> Workspace {
        Workspace::generate(&WorkspaceSpec::default())
    }

    fn keys(value: &Value) -> BTreeSet<&str> {
        value
            .as_object()
            .map(|fields| fields.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn is_object_id(value: &Value) -> bool {
        value
            .as_str()
            .is_some_and(|id| id.len() == 24 && id.bytes().all(|byte| byte.is_ascii_hexdigit()))
    }

    /// Events whose DTO has no `workspaceId` (`UserDtoV1`, `InvoiceDtoV1`).
    fn without_workspace_id(event: &str) -> bool {
        (event.starts_with("USER") && !event.starts_with("USER_GROUP_"))
            || event == "LIMITED_USERS_ADDED_TO_WORKSPACE"
            || event.contains("INVOICE")
    }

    #[test]
    fn every_event_has_a_body_with_its_key_and_workspace() {
        let workspace = workspace();
        let mut rng = StdRng::seed_from_u64(7);
        assert_eq!(ALL_EVENTS.len(), 51);
        for event in ALL_EVENTS {
            let body = body_for(&workspace, event.name, 1_717_200_000, &mut rng);
            assert!(body.is_object(), "{}: {body}", event.name);
            let key = if event.name.ends_with("RATE_UPDATED") {
                "userId"
            } else {
                "id"
            };
            assert!(is_object_id(&body[key]), "{}: no {key} in {body}", event.name);
            if without_workspace_id(event.name) {
                if event.name.starts_with("USER") || event.name.starts_with("LIMITED") {
                    assert_eq!(body["activeWorkspace"], json!(workspace.id), "{}", event.name);
                }
            } else {
                assert_eq!(body["workspaceId"], json!(workspace.id), "{}: {body}", event.name);
            }
        }
        assert_eq!(body_for(&workspace, "NOT_AN_EVENT", 0, &mut rng), Value::Null);
    }

    #[test]
    fn time_entries_have_the_shape_of_a_real_delivery() {
        let sample: Value = serde_json::from_str(NEW_TIME_ENTRY).unwrap();
        let updated: Value = serde_json::from_str(TIME_ENTRY_UPDATED).unwrap();
        let workspace = workspace();
        let mut rng = StdRng::seed_from_u64(1);
        for event in [
            "NEW_TIME_ENTRY",
            "NEW_TIMER_STARTED",
            "TIMER_STOPPED",
            "TIME_ENTRY_UPDATED",
        ] {
            let body = body_for(&workspace, event, 1_717_200_000, &mut rng);
            assert_eq!(keys(&body), keys(&sample), "{event}");
            for nested in ["timeInterval", "project", "task", "user"] {
                assert_eq!(keys(&body[nested]), keys(&sample[nested]), "{event}: {nested}");
            }
            assert_eq!(keys(&body["tags"][0]), keys(&sample["tags"][0]), "{event}");
            assert!(keys(&body).is_superset(&keys(&updated)), "{event}");
            assert_eq!(body["project"]["id"], body["projectId"]);
            assert_eq!(body["user"]["id"], body["userId"]);
            assert_eq!(body["task"]["projectId"], body["projectId"]);
            let running = event == "NEW_TIMER_STARTED";
            assert_eq!(body["currentlyRunning"], json!(running), "{event}");
            assert_eq!(body["timeInterval"]["end"].is_null(), running, "{event}");
            assert_eq!(body["timeInterval"]["duration"].is_null(), running, "{event}");
            let start = body["timeInterval"]["start"].as_str().unwrap();
            assert!(crate::datetime::parse_timestamp(start).is_some());
            assert_eq!(body["timeInterval"]["zonedStart"], json!(start.trim_end_matches('Z')));
        }
        let first = body_for(&workspace, "NEW_TIME_ENTRY", 1_717_200_000, &mut rng);
        let second = body_for(&workspace, "NEW_TIME_ENTRY", 1_717_200_000, &mut rng);
        assert_ne!(first["id"], second["id"], "every fire is a new time entry");
    }

    #[test]
    fn tasks_have_the_shape_of_a_real_delivery_and_new_entities_are_new() {
        let sample: Value = serde_json::from_str(NEW_TASK).unwrap();
        let workspace = workspace();
        let mut rng = StdRng::seed_from_u64(3);
        for event in ["NEW_TASK", "TASK_UPDATED"] {
            assert_eq!(
                keys(&body_for(&workspace, event, 0, &mut rng)),
                keys(&sample),
                "{event}"
            );
        }
        let updated = body_for(&workspace, "TAG_UPDATED", 0, &mut rng);
        assert!(workspace.tags.iter().any(|tag| json!(tag.id) == updated["id"]));
        let new = body_for(&workspace, "NEW_TAG", 0, &mut rng);
        assert!(!workspace.tags.iter().any(|tag| json!(tag.id) == new["id"]));
        assert_eq!(keys(&new), keys(&updated));
        let project = body_for(&workspace, "NEW_PROJECT", 0, &mut rng);
        assert!(workspace.project(project["id"].as_str().unwrap()).is_none());
    }

    #[test]
    fn an_empty_workspace_still_has_bodies() {
        let workspace = Workspace::generate(&WorkspaceSpec {
            users: 0,
            projects: 0,
            clients: 0,
            tags: 0,
            tasks: 0,
            time_entries: 0,
            user_groups: 0,
            holidays: 0,
            time_off_policies: 0,
            expenses: 0,
            invoices: 0,
            approval_requests: 0,
            custom_fields: 0,
            ..WorkspaceSpec::default()
        });
        let mut rng = StdRng::seed_from_u64(5);
        for event in ALL_EVENTS {
            let body = body_for(&workspace, event.name, 1_717_200_000, &mut rng);
            let key = if event.name.ends_with("RATE_UPDATED") {
                "userId"
            } else {
                "id"
            };
            assert!(is_object_id(&body[key]), "{}: {body}", event.name);
        }
        let entry = body_for(&workspace, "NEW_TIME_ENTRY", 1_717_200_000, &mut rng);
        assert!(entry["project"].is_null() && entry["task"].is_null());
        assert_eq!(entry["tags"], json!([]));
    }
}
