//! The deterministic demo workspace: members, clients, projects, tags, tasks, time entries and
//! the rest of what an add-on's bootstrap reads, all derived from a seed.
//!
//! Members, clients, projects and tags come from the seed's main random stream (so their ids
//! are the ones earlier versions generated); every other kind has its own stream derived from
//! the seed, so changing one size leaves the other kinds as they were.

mod entities;
mod extras;
mod names;
mod time_entries;

use std::{collections::HashMap, ops::Range};

use rand::{rngs::StdRng, seq::SliceRandom, Rng, RngCore, SeedableRng};
use serde::Serialize;

pub use entities::{
    ApprovalRequest, Client, CustomField, Expense, ExpenseCategory, Holiday, Invoice, ObjectId, Project, Tag, Task,
    TimeEntry, TimeOffPolicy, User, UserGroup,
};
use names::{email_for, nth_name, CLIENT_NAMES, COLORS, FIRST_NAMES, LAST_NAMES, PROJECT_NAMES, ROLES, TAG_NAMES};
pub use time_entries::{starting_from, TimeEntries, HISTORY_DAYS};

use crate::datetime::{self, DAY};

/// What to generate. The same spec always yields the same [`Workspace`].
///
/// [`WorkspaceSpec::default`] is the small demo workspace; [`WorkspaceSpec::benchmark`] the
/// large one (200 members, 2,000 projects, 20,000 tasks, 100,000 time entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSpec {
    /// Seed of the random generator.
    pub seed: u64,
    /// Number of members, the owner included (at least 1).
    pub users: usize,
    /// Number of projects.
    pub projects: usize,
    /// Number of clients.
    pub clients: usize,
    /// Number of tags.
    pub tags: usize,
    /// Number of tasks, spread over the projects (none without projects).
    pub tasks: usize,
    /// Number of time entries, spread over the members, all within the [`HISTORY_DAYS`]
    /// before `history_end`.
    pub time_entries: usize,
    /// Number of user groups.
    pub user_groups: usize,
    /// Number of holidays.
    pub holidays: usize,
    /// Number of time-off policies.
    pub time_off_policies: usize,
    /// Number of expenses.
    pub expenses: usize,
    /// Number of invoices.
    pub invoices: usize,
    /// Number of approval requests.
    pub approval_requests: usize,
    /// Number of custom fields.
    pub custom_fields: usize,
    /// The workspace's name.
    pub name: String,
    /// The subscription plan (`FREE`, `BASIC`, `STANDARD`, `PRO`, `ENTERPRISE`).
    pub plan: String,
    /// When the generated history ends (Unix seconds); `None` = midnight UTC of the day the
    /// workspace is generated. Time entries, expenses, holidays, … are dated relative to it,
    /// so fix it for data that is identical across days.
    pub history_end: Option<i64>,
}

impl Default for WorkspaceSpec {
    fn default() -> Self {
        WorkspaceSpec {
            seed: 42,
            users: 8,
            projects: 12,
            clients: 5,
            tags: 10,
            tasks: 60,
            time_entries: 400,
            user_groups: 3,
            holidays: 4,
            time_off_policies: 2,
            expenses: 20,
            invoices: 6,
            approval_requests: 5,
            custom_fields: 3,
            name: "Demo Workspace".into(),
            plan: "ENTERPRISE".into(),
            history_end: None,
        }
    }
}

impl WorkspaceSpec {
    /// The benchmark size: 200 members, 2,000 projects, 200 clients, 100 tags, 20,000 tasks,
    /// 100,000 time entries, 20 groups, 10 holidays, 5 policies, 2,000 expenses, 300 invoices,
    /// 200 approval requests and 10 custom fields (seed 42).
    pub fn benchmark() -> WorkspaceSpec {
        WorkspaceSpec {
            users: 200,
            projects: 2_000,
            clients: 200,
            tags: 100,
            tasks: 20_000,
            time_entries: 100_000,
            user_groups: 20,
            holidays: 10,
            time_off_policies: 5,
            expenses: 2_000,
            invoices: 300,
            approval_requests: 200,
            custom_fields: 10,
            name: "Benchmark Workspace".into(),
            ..WorkspaceSpec::default()
        }
    }
}

/// How many entities of each kind a workspace has (`GET /sim/workspace` → `counts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Members, the owner included.
    pub users: usize,
    /// Projects.
    pub projects: usize,
    /// Clients.
    pub clients: usize,
    /// Tags.
    pub tags: usize,
    /// Custom fields.
    pub custom_fields: usize,
    /// Tasks of all projects.
    pub tasks: usize,
    /// User groups.
    pub user_groups: usize,
    /// Holidays.
    pub holidays: usize,
    /// Time-off policies.
    pub time_off_policies: usize,
    /// Expenses.
    pub expenses: usize,
    /// Invoices.
    pub invoices: usize,
    /// Approval requests.
    pub approval_requests: usize,
    /// Time entries of all members, running ones included.
    pub time_entries: usize,
    /// Time entries whose timer is running.
    pub in_progress_time_entries: usize,
}

/// The demo workspace the simulator serves.
///
/// Serializes (for `GET /sim/workspace`) to its id, name, plan, owner, members, clients,
/// projects and tags; the bulkier kinds are only reachable through the fields and methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    /// 24-hex id.
    pub id: String,
    /// Name, e.g. "Demo Workspace".
    pub name: String,
    /// Subscription plan (Clockify's `featureSubscriptionType`).
    pub plan: String,
    /// The owner (also the first entry of `users`).
    pub owner_id: String,
    /// Every member, owner first.
    pub users: Vec<User>,
    /// Clients.
    pub clients: Vec<Client>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Tasks, grouped by project in `projects` order (see [`Workspace::tasks_of`]).
    #[serde(skip)]
    pub tasks: Vec<Task>,
    /// Custom fields.
    #[serde(skip)]
    pub custom_fields: Vec<CustomField>,
    /// User groups.
    #[serde(skip)]
    pub user_groups: Vec<UserGroup>,
    /// Holidays.
    #[serde(skip)]
    pub holidays: Vec<Holiday>,
    /// Time-off policies.
    #[serde(skip)]
    pub time_off_policies: Vec<TimeOffPolicy>,
    /// Expense categories (a fixed few when there are expenses).
    #[serde(skip)]
    pub expense_categories: Vec<ExpenseCategory>,
    /// Expenses, newest first.
    #[serde(skip)]
    pub expenses: Vec<Expense>,
    /// Invoices, oldest first.
    #[serde(skip)]
    pub invoices: Vec<Invoice>,
    /// Approval requests.
    #[serde(skip)]
    pub approval_requests: Vec<ApprovalRequest>,
    /// Time entries of every member.
    #[serde(skip)]
    pub time_entries: TimeEntries,
    /// When the generated history ends (Unix seconds).
    #[serde(skip)]
    pub history_end: i64,
    #[serde(skip)]
    index: Index,
}

/// Lookups by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Index {
    users: HashMap<String, usize>,
    projects: HashMap<String, usize>,
    clients: HashMap<String, usize>,
    tasks: HashMap<String, usize>,
    /// The range of `tasks` of each project, by project index.
    project_tasks: Vec<Range<usize>>,
}

fn positions<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(position, item)| (id(item).to_string(), position))
        .collect()
}

/// The random stream of one entity kind: independent of the other kinds' sizes.
fn stream(seed: u64, kind: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Stream numbers of the kinds generated after the core ones.
mod kind {
    pub const TASKS: u64 = 1;
    pub const TIME_ENTRIES: u64 = 2;
    pub const CUSTOM_FIELDS: u64 = 3;
    pub const USER_GROUPS: u64 = 4;
    pub const HOLIDAYS: u64 = 5;
    pub const TIME_OFF_POLICIES: u64 = 6;
    pub const EXPENSES: u64 = 7;
    pub const INVOICES: u64 = 8;
    pub const APPROVAL_REQUESTS: u64 = 9;
}

/// A 24-hex-character id like a Mongo ObjectId.
pub fn object_id(rng: &mut impl RngCore) -> String {
    ObjectId::random(rng).to_string()
}

impl Workspace {
    /// Generates the workspace described by `spec`; the same spec gives identical data.
    ///
    /// The benchmark size ([`WorkspaceSpec::benchmark`]) takes about 1.5 s in a debug build;
    /// the whole simulator then holds about 40 MB.
    pub fn generate(spec: &WorkspaceSpec) -> Workspace {
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let id = object_id(&mut rng);
        let users = generate_users(&mut rng, spec.users);
        let owner_id = users[0].id.clone();
        let clients: Vec<Client> = (0..spec.clients)
            .map(|index| Client {
                id: object_id(&mut rng),
                name: nth_name(CLIENT_NAMES, index),
                archived: false,
            })
            .collect();
        let projects: Vec<Project> = (0..spec.projects)
            .map(|index| {
                // About two projects in three belong to a client.
                let client = if clients.is_empty() || rng.gen_ratio(1, 3) {
                    None
                } else {
                    clients.get(rng.gen_range(0..clients.len()))
                };
                Project {
                    id: object_id(&mut rng),
                    name: nth_name(PROJECT_NAMES, index),
                    client_id: client.map(|c| c.id.clone()),
                    client_name: client.map(|c| c.name.clone()),
                    color: COLORS[rng.gen_range(0..COLORS.len())].into(),
                    billable: rng.gen_bool(0.7),
                    archived: false,
                    public: rng.gen_bool(0.8),
                }
            })
            .collect();
        let tags: Vec<Tag> = (0..spec.tags)
            .map(|index| Tag {
                id: object_id(&mut rng),
                name: nth_name(TAG_NAMES, index),
                archived: false,
            })
            .collect();

        let history_end = spec
            .history_end
            .unwrap_or_else(|| datetime::start_of_day(datetime::now()));
        let today = history_end.div_euclid(DAY);
        let seed = spec.seed;
        let (tasks, project_tasks) = extras::tasks(&mut stream(seed, kind::TASKS), spec.tasks, &projects, &users);
        let time_entries = TimeEntries::generate(
            &mut stream(seed, kind::TIME_ENTRIES),
            spec.time_entries,
            history_end,
            &time_entries::Sources {
                users: users.len(),
                projects: &projects,
                project_tasks: &project_tasks,
                tags: tags.len(),
            },
        );
        let refs = extras::Refs {
            users: &users,
            projects: &projects,
            clients: &clients,
            today,
        };
        let mut expense_rng = stream(seed, kind::EXPENSES);
        let expense_categories = extras::expense_categories(&mut expense_rng, spec.expenses);
        let expenses = extras::expenses(&mut expense_rng, spec.expenses, &expense_categories, &refs);
        let invoices = extras::invoices(&mut stream(seed, kind::INVOICES), spec.invoices, &refs);
        let approval_requests = extras::approval_requests(
            &mut stream(seed, kind::APPROVAL_REQUESTS),
            spec.approval_requests,
            &refs,
        );
        let custom_fields = extras::custom_fields(&mut stream(seed, kind::CUSTOM_FIELDS), spec.custom_fields);
        let user_groups = extras::user_groups(&mut stream(seed, kind::USER_GROUPS), spec.user_groups, &users);
        let holidays = extras::holidays(&mut stream(seed, kind::HOLIDAYS), spec.holidays, today, &users);
        let time_off_policies =
            extras::time_off_policies(&mut stream(seed, kind::TIME_OFF_POLICIES), spec.time_off_policies);

        let index = Index {
            users: positions(&users, |user| &user.id),
            projects: positions(&projects, |project| &project.id),
            clients: positions(&clients, |client| &client.id),
            tasks: positions(&tasks, |task| &task.id),
            project_tasks,
        };
        Workspace {
            id,
            name: spec.name.clone(),
            plan: spec.plan.clone(),
            owner_id,
            users,
            clients,
            projects,
            tags,
            tasks,
            custom_fields,
            user_groups,
            holidays,
            time_off_policies,
            expense_categories,
            expenses,
            invoices,
            approval_requests,
            time_entries,
            history_end,
            index,
        }
    }

    /// The owner.
    pub fn owner(&self) -> &User {
        // `generate` always puts the owner first.
        self.users
            .iter()
            .find(|user| user.id == self.owner_id)
            .unwrap_or(&self.users[0])
    }

    /// A member by id.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.user_index(user_id).map(|index| &self.users[index])
    }

    /// The position of member `user_id` in `users`.
    pub fn user_index(&self, user_id: &str) -> Option<usize> {
        self.index.users.get(user_id).copied()
    }

    /// A project by id.
    pub fn project(&self, project_id: &str) -> Option<&Project> {
        self.project_index(project_id).map(|index| &self.projects[index])
    }

    /// The position of project `project_id` in `projects`.
    pub fn project_index(&self, project_id: &str) -> Option<usize> {
        self.index.projects.get(project_id).copied()
    }

    /// A client by id.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.index.clients.get(client_id).map(|&index| &self.clients[index])
    }

    /// A task by id.
    pub fn task(&self, task_id: &str) -> Option<&Task> {
        self.index.tasks.get(task_id).map(|&index| &self.tasks[index])
    }

    /// The tasks of the project at `project_index` in `projects`.
    pub fn tasks_of(&self, project_index: usize) -> &[Task] {
        self.index
            .project_tasks
            .get(project_index)
            .and_then(|range| self.tasks.get(range.clone()))
            .unwrap_or(&[])
    }

    /// An expense category by id.
    pub fn expense_category(&self, category_id: &str) -> Option<&ExpenseCategory> {
        self.expense_categories
            .iter()
            .find(|category| category.id == category_id)
    }

    /// The time entries of member `user_id`, newest first (`None` for an unknown member).
    pub fn time_entries_of(&self, user_id: &str) -> Option<&[TimeEntry]> {
        self.user_index(user_id).map(|index| self.time_entries.of_user(index))
    }

    /// How many entities of each kind there are.
    pub fn counts(&self) -> Counts {
        Counts {
            users: self.users.len(),
            projects: self.projects.len(),
            clients: self.clients.len(),
            tags: self.tags.len(),
            custom_fields: self.custom_fields.len(),
            tasks: self.tasks.len(),
            user_groups: self.user_groups.len(),
            holidays: self.holidays.len(),
            time_off_policies: self.time_off_policies.len(),
            expenses: self.expenses.len(),
            invoices: self.invoices.len(),
            approval_requests: self.approval_requests.len(),
            time_entries: self.time_entries.len(),
            in_progress_time_entries: self.time_entries.running().count(),
        }
    }
}

/// The owner "Ada Admin" and `count - 1` more members (at least the owner).
fn generate_users(rng: &mut StdRng, count: usize) -> Vec<User> {
    let owner = User {
        id: object_id(rng),
        name: "Ada Admin".into(),
        email: "ada@example.com".into(),
        role: "OWNER".into(),
        status: "ACTIVE".into(),
    };
    let mut users = vec![owner];
    let mut first = FIRST_NAMES.to_vec();
    let mut last = LAST_NAMES.to_vec();
    first.shuffle(rng);
    last.shuffle(rng);
    for index in 0..count.saturating_sub(1) {
        let mut name = format!(
            "{} {}",
            first[index % first.len()],
            last[(index + index / last.len()) % last.len()]
        );
        if users.iter().any(|user| user.name == name) {
            name = format!("{name} {}", index + 1);
        }
        let email = email_for(&name, &users);
        let role = ROLES.get(index).copied().unwrap_or("REGULAR");
        users.push(User {
            id: object_id(rng),
            name,
            email,
            role: role.into(),
            status: "ACTIVE".into(),
        });
    }
    users
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn same_seed_same_workspace_other_seed_other_ids() {
        let spec = WorkspaceSpec::default();
        assert_eq!(Workspace::generate(&spec), Workspace::generate(&spec));
        let other = Workspace::generate(&WorkspaceSpec {
            seed: 7,
            ..spec.clone()
        });
        assert_ne!(other.id, Workspace::generate(&spec).id);
    }

    #[test]
    fn sizes_ids_and_owner() {
        let workspace = Workspace::generate(&WorkspaceSpec::default());
        assert_eq!(workspace.users.len(), 8);
        assert_eq!(workspace.projects.len(), 12);
        assert_eq!(workspace.clients.len(), 5);
        assert_eq!(workspace.tags.len(), 10);
        assert_eq!(workspace.name, "Demo Workspace");
        assert_eq!(workspace.plan, "ENTERPRISE");
        let owner = workspace.owner();
        assert_eq!((owner.name.as_str(), owner.role.as_str()), ("Ada Admin", "OWNER"));
        assert_eq!(owner.email, "ada@example.com");
        let mut ids = HashSet::new();
        let all_ids = std::iter::once(&workspace.id)
            .chain(workspace.users.iter().map(|u| &u.id))
            .chain(workspace.clients.iter().map(|c| &c.id))
            .chain(workspace.projects.iter().map(|p| &p.id))
            .chain(workspace.tags.iter().map(|t| &t.id));
        for id in all_ids {
            assert_eq!(id.len(), 24);
            assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(ids.insert(id.clone()), "duplicate id {id}");
        }
        assert!(workspace.projects.iter().any(|p| p.client_id.is_some()));
    }

    #[test]
    fn large_workspaces_keep_names_and_emails_unique() {
        let spec = WorkspaceSpec {
            users: 60,
            projects: 40,
            tags: 30,
            ..Default::default()
        };
        let workspace = Workspace::generate(&spec);
        let emails: HashSet<_> = workspace.users.iter().map(|u| &u.email).collect();
        assert_eq!(emails.len(), 60);
        let projects: HashSet<_> = workspace.projects.iter().map(|p| &p.name).collect();
        assert_eq!(projects.len(), 40);
        for project in &workspace.projects {
            if let Some(client_id) = &project.client_id {
                assert!(workspace.clients.iter().any(|c| &c.id == client_id));
            }
        }
    }

    /// A fixed end of history, so the assertions do not depend on today's date.
    const HISTORY_END: i64 = 1_717_200_000; // 2024-06-01T00:00:00Z

    fn fixed(spec: WorkspaceSpec) -> WorkspaceSpec {
        WorkspaceSpec {
            history_end: Some(HISTORY_END),
            ..spec
        }
    }

    #[test]
    fn every_kind_has_its_size_and_unique_ids() {
        let workspace = Workspace::generate(&fixed(WorkspaceSpec::default()));
        let counts = workspace.counts();
        assert_eq!(
            (counts.tasks, counts.time_entries, counts.user_groups, counts.holidays),
            (60, 400, 3, 4)
        );
        assert_eq!((counts.time_off_policies, counts.expenses, counts.invoices), (2, 20, 6));
        assert_eq!((counts.approval_requests, counts.custom_fields), (5, 3));
        let entry_ids: Vec<String> = workspace.time_entries.all().iter().map(|e| e.id.to_string()).collect();
        let all_ids = workspace
            .tasks
            .iter()
            .map(|t| &t.id)
            .chain(workspace.custom_fields.iter().map(|f| &f.id))
            .chain(workspace.user_groups.iter().map(|g| &g.id))
            .chain(workspace.holidays.iter().map(|h| &h.id))
            .chain(workspace.time_off_policies.iter().map(|p| &p.id))
            .chain(workspace.expenses.iter().map(|e| &e.id))
            .chain(workspace.invoices.iter().map(|i| &i.id))
            .chain(workspace.approval_requests.iter().map(|a| &a.id))
            .chain(entry_ids.iter());
        let mut ids = HashSet::new();
        for id in all_ids {
            assert_eq!(id.len(), 24);
            assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(ids.insert(id.clone()), "duplicate id {id}");
        }
    }

    #[test]
    fn tasks_belong_to_their_projects() {
        let workspace = Workspace::generate(&fixed(WorkspaceSpec::default()));
        let mut total = 0;
        for (index, project) in workspace.projects.iter().enumerate() {
            let tasks = workspace.tasks_of(index);
            total += tasks.len();
            assert!(tasks.iter().all(|task| task.project_id == project.id));
            let names: HashSet<_> = tasks.iter().map(|task| &task.name).collect();
            assert_eq!(names.len(), tasks.len(), "task names are unique within a project");
        }
        assert_eq!(total, 60);
        assert!(workspace.tasks_of(999).is_empty());
        let task = &workspace.tasks[0];
        assert_eq!(workspace.task(&task.id), Some(task));
    }

    #[test]
    fn time_entries_lie_in_the_history_newest_first() {
        let workspace = Workspace::generate(&fixed(WorkspaceSpec::default()));
        let oldest = HISTORY_END - HISTORY_DAYS * DAY;
        let mut seen = 0;
        for (index, user) in workspace.users.iter().enumerate() {
            let entries = workspace.time_entries_of(&user.id).unwrap();
            assert_eq!(entries, workspace.time_entries.of_user(index));
            seen += entries.len();
            assert!(entries.windows(2).all(|pair| pair[0].start >= pair[1].start));
            for entry in entries {
                assert_eq!(entry.user as usize, index);
                assert!(entry.start >= oldest && entry.start < HISTORY_END);
                if let Some(end) = entry.end {
                    assert!(end > entry.start && end <= HISTORY_END);
                }
                if let Some(task) = entry.task {
                    let project = &workspace.projects[entry.project.unwrap() as usize];
                    assert_eq!(workspace.tasks[task as usize].project_id, project.id);
                }
            }
            let cut = HISTORY_END - 7 * DAY;
            let recent = starting_from(entries, cut);
            assert_eq!(recent.len(), entries.iter().filter(|e| e.start >= cut).count());
        }
        assert_eq!(seen, 400);
        assert!(workspace.time_entries.running().count() >= 1);
        assert!(workspace.time_entries_of("nobody").is_none());
    }

    #[test]
    fn sizes_of_one_kind_leave_the_others_alone() {
        let base = Workspace::generate(&fixed(WorkspaceSpec::default()));
        let other = Workspace::generate(&fixed(WorkspaceSpec {
            expenses: 3,
            time_entries: 10,
            ..WorkspaceSpec::default()
        }));
        assert_eq!(base.users, other.users);
        assert_eq!(base.projects, other.projects);
        assert_eq!(base.tasks, other.tasks);
        assert_eq!(base.invoices, other.invoices);
        assert_ne!(base.expenses, other.expenses);
        assert_eq!(Workspace::generate(&fixed(WorkspaceSpec::default())), base);
    }

    #[test]
    fn empty_workspaces_generate() {
        let workspace = Workspace::generate(&WorkspaceSpec {
            users: 0,
            projects: 0,
            clients: 0,
            tags: 0,
            ..WorkspaceSpec::default()
        });
        assert!(workspace.tasks.is_empty());
        assert_eq!(workspace.time_entries.len(), 400, "entries without project or tags");
        assert!(workspace.invoices.iter().all(|invoice| invoice.client_id.is_none()));
    }

    #[test]
    fn the_benchmark_size_generates() {
        let started = std::time::Instant::now();
        let workspace = Workspace::generate(&fixed(WorkspaceSpec::benchmark()));
        let counts = workspace.counts();
        assert_eq!(
            (counts.users, counts.projects, counts.tasks, counts.time_entries),
            (200, 2_000, 20_000, 100_000)
        );
        let busiest = (0..200).map(|user| workspace.time_entries.of_user(user).len()).max();
        assert!(busiest.is_some_and(|busiest| busiest < 1_000), "{busiest:?}");
        // Informational only (no assertion): debug builds are several times slower.
        println!("benchmark workspace generated in {:?}", started.elapsed());
    }

    #[test]
    fn a_single_user_is_the_owner() {
        let workspace = Workspace::generate(&WorkspaceSpec {
            users: 0,
            ..Default::default()
        });
        assert_eq!(workspace.users.len(), 1);
        assert_eq!(workspace.owner().id, workspace.owner_id);
    }
}
