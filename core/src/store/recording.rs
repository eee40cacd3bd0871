//! What recording a batch of deliveries decides, apart from the SQL that stores it: which
//! events duplicate an earlier accepted one, and which may get a flow job; and the statements'
//! fixed parts.

use std::collections::HashMap;

use super::events::{event_status, NewEvent, RecordedEvent};

/// The columns of a new `webhook_events` row, in bind order (12), taken from a `VALUES` list
/// whose rows with a NULL id are padding up to a cached size (`cached_size_at_least`): one
/// statement per batch instead of one per chunk of a cached size.
pub(super) const EVENT_INSERT: &str = "INSERT INTO webhook_events (id, addon_key, workspace_id, source, \
     event_type, dedupe_key, dedupe_hash, status, received_at, headers, query, body) SELECT * FROM (VALUES ";
/// What ends [`EVENT_INSERT`] after its rows.
pub(super) const EVENT_INSERT_END: &str = ") AS new_events WHERE column1 IS NOT NULL";
/// The columns of a new, queued `flow_jobs` row, in bind order (10).
pub(super) const JOB_INSERT: &str = "INSERT INTO flow_jobs (id, addon_key, workspace_id, event_id, source, \
     event_type, state, attempts, run_after, created_at) VALUES ";
/// Whether an installation (`$1`, `$2`) has a published, enabled flow.
pub(super) const LIVE_FLOW: &str = "SELECT id FROM flows WHERE addon_key = $1 AND workspace_id = $2 \
     AND enabled <> 0 AND published_version IS NOT NULL LIMIT 1";

/// Where a dedupe key applies: installation, source and key.
pub(super) type DedupeSlot<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The dedupe slot of `event`.
pub(super) fn dedupe_slot(event: &NewEvent) -> DedupeSlot<'_> {
    (
        event.addon_key.as_str(),
        event.workspace_id.as_str(),
        event.source.as_str(),
        event.dedupe_key.as_str(),
    )
}

/// The oldest accepted event already stored for each dedupe slot of a batch.
#[derive(Debug, Default)]
pub(super) struct EarlierEvents<'a> {
    oldest: HashMap<DedupeSlot<'a>, (String, i64)>,
}

impl<'a> EarlierEvents<'a> {
    /// Notes a stored event (`id`, `status`, `received_at`) with `event`'s dedupe key; it
    /// counts if it was accepted at or after `since`.
    pub fn note(&mut self, event: &'a NewEvent, id: String, status: &str, received_at: i64, since: i64) {
        if status != event_status::ACCEPTED || received_at < since {
            return;
        }
        let slot = dedupe_slot(event);
        if self.oldest.get(&slot).is_none_or(|(_, at)| received_at < *at) {
            self.oldest.insert(slot, (id, received_at));
        }
    }

    /// Decides each event in order, so a later event of the batch duplicates an earlier one.
    /// Nothing is queued yet: see [`flow_job_events`].
    pub fn decide(mut self, events: &'a [NewEvent]) -> Vec<RecordedEvent> {
        events
            .iter()
            .map(|event| {
                let slot = dedupe_slot(event);
                let duplicate_of = self
                    .oldest
                    .get(&slot)
                    .filter(|(_, at)| *at >= event.dedupe_since)
                    .map(|(id, _)| id.clone());
                let status = if duplicate_of.is_some() {
                    event_status::DUPLICATE
                } else {
                    self.oldest.insert(slot, (event.id.clone(), event.received_at));
                    event_status::ACCEPTED
                };
                RecordedEvent {
                    id: event.id.clone(),
                    status: status.to_string(),
                    duplicate_of,
                    job_queued: false,
                }
            })
            .collect()
    }
}

/// The events that get a flow job if their installation has a published, enabled flow
/// (accepted, with flows on), each with its index in the batch. Without such a flow nothing is
/// queued: a job would only be marked done at once, and its rows cost more to write than the
/// event's own (docs/benchmarks.md).
pub(super) fn flow_job_events<'a>(events: &'a [NewEvent], recorded: &[RecordedEvent]) -> Vec<(&'a NewEvent, usize)> {
    events
        .iter()
        .zip(recorded)
        .enumerate()
        .filter(|(_, (event, outcome))| event.queue_flow && outcome.duplicate_of.is_none())
        .map(|(index, (event, _))| (event, index))
        .collect()
}

/// What `webhook_events_by_dedupe_hash` indexes: the first 8 bytes of the SHA-256 of a dedupe
/// slot's parts (each followed by a NUL), as a signed 64-bit integer (the type both databases
/// index). Rows found by it are compared on the columns themselves.
pub(super) fn dedupe_hash((addon_key, workspace_id, source, dedupe_key): DedupeSlot<'_>) -> i64 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [addon_key, workspace_id, source, dedupe_key] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::dedupe_hash;

    #[test]
    fn dedupe_hashes_are_fixed_and_differ_by_every_part() {
        let base = dedupe_hash(("api-studio", "w1", "clockify", "k"));
        // Stored rows keep their hashes: the function must never change. (Python:
        // struct.unpack('>q', sha256(b'api-studio\0w1\0clockify\0k\0').digest()[:8]))
        assert_eq!(base, -5716940838088021250);
        for other in [
            ("universal-webhook", "w1", "clockify", "k"),
            ("api-studio", "w2", "clockify", "k"),
            ("api-studio", "w1", "source", "k"),
            ("api-studio", "w1", "clockify", "k2"),
            // The same bytes split differently.
            ("api-studio", "w1c", "lockify", "k"),
        ] {
            assert_ne!(base, dedupe_hash(other), "{other:?}");
        }
    }
}
