//! The deterministic demo workspace: users, clients, projects and tags derived from a seed.

use rand::{rngs::StdRng, seq::SliceRandom, Rng, RngCore, SeedableRng};
use serde::Serialize;

/// What to generate. The same spec always yields the same [`Workspace`].
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
    /// The workspace's name.
    pub name: String,
    /// The subscription plan (`FREE`, `BASIC`, `STANDARD`, `PRO`, `ENTERPRISE`).
    pub plan: String,
}

impl Default for WorkspaceSpec {
    fn default() -> Self {
        WorkspaceSpec {
            seed: 42,
            users: 8,
            projects: 12,
            clients: 5,
            tags: 10,
            name: "Demo Workspace".into(),
            plan: "ENTERPRISE".into(),
        }
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

/// The demo workspace the simulator serves.
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
}

const FIRST_NAMES: &[&str] = &[
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "Tim",
    "Frances",
    "Edsger",
    "Katherine",
    "Donald",
    "Hedy",
    "John",
    "Sophie",
    "Niklaus",
    "Annie",
    "Bjarne",
    "Joan",
];
const LAST_NAMES: &[&str] = &[
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Allen",
    "Dijkstra",
    "Johnson",
    "Knuth",
    "Lamarr",
    "Backus",
    "Wilson",
    "Wirth",
    "Easley",
    "Stroustrup",
    "Clarke",
];
const CLIENT_NAMES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Soylent Foods",
    "Vandelay Imports",
    "Wonka Sweets",
];
const PROJECT_NAMES: &[&str] = &[
    "Website Redesign",
    "Mobile App",
    "Data Migration",
    "Marketing Campaign",
    "Internal Tools",
    "Customer Portal",
    "API Integration",
    "Security Audit",
    "Onboarding Revamp",
    "Analytics Dashboard",
    "Support Desk",
    "Brand Refresh",
    "Cloud Move",
    "Billing System",
    "Research Sprint",
];
const TAG_NAMES: &[&str] = &[
    "meeting",
    "development",
    "design",
    "review",
    "support",
    "research",
    "planning",
    "bugfix",
    "documentation",
    "travel",
    "training",
    "sales",
];
/// Clockify's project colour palette.
const COLORS: &[&str] = &[
    "#03A9F4", "#F44336", "#4CAF50", "#FF9800", "#9C27B0", "#3F51B5", "#009688", "#795548", "#E91E63", "#607D8B",
];
const ROLES: &[&str] = &["WORKSPACE_ADMIN", "TEAM_MANAGER", "PROJECT_MANAGER"];

/// A 24-hex-character id like a Mongo ObjectId.
pub fn object_id(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 12];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `names[index]`, with " 2", " 3", … appended once the list runs out.
fn nth_name(names: &[&str], index: usize) -> String {
    let base = names[index % names.len()];
    match index / names.len() {
        0 => base.to_string(),
        round => format!("{base} {}", round + 1),
    }
}

fn email_for(name: &str, taken: &[User]) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' { '.' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let mut email = format!("{local}@example.com");
    let mut suffix = 2;
    while taken.iter().any(|user| user.email == email) {
        email = format!("{local}{suffix}@example.com");
        suffix += 1;
    }
    email
}

impl Workspace {
    /// Generates the workspace described by `spec`; the same spec gives identical data.
    pub fn generate(spec: &WorkspaceSpec) -> Workspace {
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let id = object_id(&mut rng);
        let owner = User {
            id: object_id(&mut rng),
            name: "Ada Admin".into(),
            email: "ada@example.com".into(),
            role: "OWNER".into(),
            status: "ACTIVE".into(),
        };
        let owner_id = owner.id.clone();
        let mut users = vec![owner];
        let mut first = FIRST_NAMES.to_vec();
        let mut last = LAST_NAMES.to_vec();
        first.shuffle(&mut rng);
        last.shuffle(&mut rng);
        for index in 0..spec.users.saturating_sub(1) {
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
                id: object_id(&mut rng),
                name,
                email,
                role: role.into(),
                status: "ACTIVE".into(),
            });
        }
        let clients: Vec<Client> = (0..spec.clients)
            .map(|index| Client {
                id: object_id(&mut rng),
                name: nth_name(CLIENT_NAMES, index),
                archived: false,
            })
            .collect();
        let projects = (0..spec.projects)
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
        let tags = (0..spec.tags)
            .map(|index| Tag {
                id: object_id(&mut rng),
                name: nth_name(TAG_NAMES, index),
                archived: false,
            })
            .collect();
        Workspace {
            id,
            name: spec.name.clone(),
            plan: spec.plan.clone(),
            owner_id,
            users,
            clients,
            projects,
            tags,
        }
    }

    /// The owner.
    pub fn owner(&self) -> &User {
        // `generate` always puts the owner first; fall back to a search for hand-built values.
        self.users
            .iter()
            .find(|user| user.id == self.owner_id)
            .unwrap_or(&self.users[0])
    }

    /// A member by id.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.id == user_id)
    }
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
