//! Time entries: generated once, stored compactly (about 100 bytes each) and grouped by member,
//! newest first, the order Clockify lists them in.

use std::ops::Range;

use rand::{seq::index::sample, Rng};

use super::{names::DESCRIPTIONS, ObjectId, Project, TimeEntry};
use crate::datetime::DAY;

/// How far back the generated history reaches.
pub const HISTORY_DAYS: i64 = 60;
/// Shortest and longest generated entry, in 5-minute steps (15 min … 4 h).
const STEPS: Range<i64> = 3..49;
const STEP: i64 = 300;

/// Every time entry of the workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeEntries {
    /// Grouped by member (in `Workspace::users` order), newest start first.
    entries: Vec<TimeEntry>,
    /// The range of `entries` of each member, by member index.
    by_user: Vec<Range<usize>>,
}

/// What entries are generated from.
pub(super) struct Sources<'a> {
    pub users: usize,
    pub projects: &'a [Project],
    /// The range of `Workspace::tasks` of each project, by project index.
    pub project_tasks: &'a [Range<usize>],
    pub tags: usize,
}

fn index(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl TimeEntries {
    /// `count` entries spread randomly over the members, each starting and ending within the
    /// [`HISTORY_DAYS`] before `history_end`; about one member in six has a running timer
    /// (their newest entry, started in the last four hours).
    pub(super) fn generate(rng: &mut impl Rng, count: usize, history_end: i64, sources: &Sources<'_>) -> TimeEntries {
        if sources.users == 0 {
            return TimeEntries::default();
        }
        let window = HISTORY_DAYS * DAY;
        let mut entries: Vec<TimeEntry> = (0..count)
            .map(|_| {
                let user = rng.gen_range(0..sources.users);
                let duration = rng.gen_range(STEPS) * STEP;
                let offset = rng.gen_range(0..(window - duration) / STEP) * STEP;
                let start = history_end - duration - offset;
                let project = (!sources.projects.is_empty() && rng.gen_bool(0.85))
                    .then(|| rng.gen_range(0..sources.projects.len()));
                let task = project
                    .and_then(|project| sources.project_tasks.get(project))
                    .filter(|tasks| !tasks.is_empty() && rng.gen_bool(0.6))
                    .map(|tasks| rng.gen_range(tasks.clone()));
                let tag_count = rng.gen_range(0..=2).min(sources.tags);
                let mut tags: Vec<u32> = sample(rng, sources.tags, tag_count).into_iter().map(index).collect();
                tags.sort_unstable();
                let billable = project.is_some_and(|project| sources.projects[project].billable) && rng.gen_bool(0.9);
                TimeEntry {
                    id: ObjectId::random(rng),
                    user: index(user),
                    start,
                    end: Some(start + duration),
                    project: project.map(index),
                    task: task.map(index),
                    tags,
                    billable,
                    description: DESCRIPTIONS[rng.gen_range(0..DESCRIPTIONS.len())],
                }
            })
            .collect();
        entries.sort_unstable_by(|a, b| (a.user, b.start, a.id).cmp(&(b.user, a.start, b.id)));
        let mut by_user = Vec::with_capacity(sources.users);
        let mut from = 0;
        for user in 0..sources.users {
            let to = from + entries[from..].partition_point(|entry| entry.user as usize == user);
            by_user.push(from..to);
            from = to;
        }
        for range in &by_user {
            if range.is_empty() || !rng.gen_ratio(1, 6) {
                continue;
            }
            let newest = &mut entries[range.start];
            newest.start = history_end - rng.gen_range(1..=16) * 900;
            newest.end = None;
            entries[range.clone()].sort_unstable_by(|a, b| (b.start, a.id).cmp(&(a.start, b.id)));
        }
        TimeEntries { entries, by_user }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, grouped by member, newest first within a member.
    pub fn all(&self) -> &[TimeEntry] {
        &self.entries
    }

    /// The entries of the member at `user_index` in `Workspace::users`, newest first.
    pub fn of_user(&self, user_index: usize) -> &[TimeEntry] {
        self.by_user
            .get(user_index)
            .and_then(|range| self.entries.get(range.clone()))
            .unwrap_or(&[])
    }

    /// The entries whose timer is running, in member order.
    pub fn running(&self) -> impl Iterator<Item = &TimeEntry> {
        self.entries.iter().filter(|entry| entry.is_running())
    }
}

/// The entries of `newest_first` that start at or after `start` (a prefix of the slice).
pub fn starting_from(newest_first: &[TimeEntry], start: i64) -> &[TimeEntry] {
    &newest_first[..newest_first.partition_point(|entry| entry.start >= start)]
}
