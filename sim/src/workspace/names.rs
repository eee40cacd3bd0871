//! Word lists the generator draws names from, and the helpers that keep names unique.

use super::User;

pub(super) const FIRST_NAMES: &[&str] = &[
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
pub(super) const LAST_NAMES: &[&str] = &[
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
pub(super) const CLIENT_NAMES: &[&str] = &[
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
pub(super) const PROJECT_NAMES: &[&str] = &[
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
pub(super) const TAG_NAMES: &[&str] = &[
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
pub(super) const COLORS: &[&str] = &[
    "#03A9F4", "#F44336", "#4CAF50", "#FF9800", "#9C27B0", "#3F51B5", "#009688", "#795548", "#E91E63", "#607D8B",
];
pub(super) const ROLES: &[&str] = &["WORKSPACE_ADMIN", "TEAM_MANAGER", "PROJECT_MANAGER"];
pub(super) const TASK_NAMES: &[&str] = &[
    "Planning",
    "Design",
    "Implementation",
    "Testing",
    "Code review",
    "Deployment",
    "Documentation",
    "Bug fixing",
    "Meetings",
    "Research",
    "Quality assurance",
    "Client support",
];
/// `(name, type, allowed values)`.
pub(super) const CUSTOM_FIELDS: &[(&str, &str, &[&str])] = &[
    ("Cost center", "DROPDOWN_SINGLE", &["R&D", "Sales", "Operations"]),
    ("Ticket", "LINK", &[]),
    ("Overtime", "CHECKBOX", &[]),
    ("Units", "NUMBER", &[]),
    ("Phase", "DROPDOWN_MULTIPLE", &["Discovery", "Build", "Launch"]),
    ("Notes for billing", "TXT", &[]),
];
pub(super) const GROUP_NAMES: &[&str] = &[
    "Engineering",
    "Design",
    "Sales",
    "Support",
    "Marketing",
    "Finance",
    "Operations",
    "Leadership",
];
/// `(name, month, day)`.
pub(super) const HOLIDAYS: &[(&str, u32, u32)] = &[
    ("New Year's Day", 1, 1),
    ("Labour Day", 5, 1),
    ("Independence Day", 7, 4),
    ("Christmas Day", 12, 25),
    ("Boxing Day", 12, 26),
    ("Company Day", 9, 15),
];
/// `(name, time unit)`.
pub(super) const POLICIES: &[(&str, &str)] = &[
    ("Vacation", "DAYS"),
    ("Sick leave", "DAYS"),
    ("Parental leave", "DAYS"),
    ("Personal time", "HOURS"),
    ("Study leave", "DAYS"),
    ("Bereavement", "DAYS"),
];
/// `(name, unit, price per unit in cents)`.
pub(super) const EXPENSE_CATEGORIES: &[(&str, Option<&str>, Option<u32>)] = &[
    ("Travel", None, None),
    ("Meals", None, None),
    ("Software", None, None),
    ("Mileage", Some("km"), Some(45)),
];
pub(super) const EXPENSE_NOTES: &[&str] = &[
    "Train ticket",
    "Client lunch",
    "Design tool licence",
    "Drive to the client",
    "Hotel night",
    "Conference pass",
];
pub(super) const DESCRIPTIONS: &[&str] = &[
    "Sprint planning",
    "Fixing the login bug",
    "Weekly sync",
    "Reviewing pull requests",
    "Writing release notes",
    "Customer call",
    "Designing the new dashboard",
    "Refactoring the billing module",
    "Answering support tickets",
    "Preparing the demo",
    "",
];

/// `names[index]`, with " 2", " 3", … appended once the list runs out.
pub(super) fn nth_name(names: &[&str], index: usize) -> String {
    let base = names[index % names.len()];
    match index / names.len() {
        0 => base.to_string(),
        round => format!("{base} {}", round + 1),
    }
}

pub(super) fn email_for(name: &str, taken: &[User]) -> String {
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
