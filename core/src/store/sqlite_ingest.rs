//! SQLite ingestion's writer: one connection of its own, driven by one thread, with its
//! statements prepared once. Through sqlx every statement of a batch was a hand-off to sqlx's
//! worker thread and back, and every execution looked up each parameter's name; here a batch
//! is one hand-off, and each event is a few executions of cached statements (the ingestion
//! benchmark in docs/benchmarks.md measures the difference).
//!
//! The rest of the store keeps writing through sqlx's writer connection; the two take turns
//! on SQLite's write lock (busy timeout). The same thread also runs the WAL checkpoint that
//! lets the WAL rewind (see `checkpoint_periodically`): ingestion appends most of the WAL,
//! and nothing can append from this connection while it runs.

use std::{
    collections::{hash_map::Entry, HashMap},
    path::Path,
    sync::mpsc,
    time::{Duration, Instant},
};

use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};
use tokio::sync::oneshot;

use super::{
    events::{NewEvent, RecordedEvent},
    events_sql::new_id,
    recording::{flow_job_events, new_job_state, EarlierEvents, EVENT_INSERT, JOB_INSERT, LIVE_FLOW},
    sql::placeholders,
};
use crate::{Error, Result};

/// An earlier accepted event with a delivery's dedupe key (one index lookup per delivery).
const EARLIER_EVENTS: &str = "SELECT id, received_at, status FROM webhook_events \
     WHERE addon_key = $1 AND workspace_id = $2 AND source = $3 AND dedupe_key = $4";

enum Request {
    Record(Vec<NewEvent>, oneshot::Sender<Result<Vec<RecordedEvent>>>),
    Checkpoint(oneshot::Sender<Result<Duration>>),
}

/// Hands batches to the writer thread. The thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub(super) struct SqliteIngest {
    requests: mpsc::Sender<Request>,
}

impl SqliteIngest {
    /// Opens a connection to the database file at `path` (already migrated) with the
    /// session settings of `pragmas`, and starts its thread.
    pub fn open(path: &Path, pragmas: &str) -> Result<Self> {
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.execute_batch(pragmas)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        // Every batch uses these; more room than the default 16 for the other few.
        connection.set_prepared_statement_cache_capacity(32);
        let (requests, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-ingest".into())
            .spawn(move || serve(connection, queue))
            .map_err(|error| Error::Internal(format!("cannot start the SQLite ingest thread: {error}")))?;
        Ok(Self { requests })
    }

    /// Records a batch in one transaction (see `EventStore::record_events`).
    pub async fn record(&self, events: Vec<NewEvent>) -> Result<Vec<RecordedEvent>> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Record(events, reply))?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs a PASSIVE WAL checkpoint on the writer's connection, between batches; returns how
    /// long it held the writer.
    pub async fn checkpoint(&self) -> Result<Duration> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Checkpoint(reply))?;
        answer.await.map_err(|_| stopped())?
    }

    fn send(&self, request: Request) -> Result<()> {
        self.requests.send(request).map_err(|_| stopped())
    }
}

fn stopped() -> Error {
    Error::Unavailable("the SQLite ingest writer has stopped".into())
}

fn serve(mut connection: Connection, queue: mpsc::Receiver<Request>) {
    while let Ok(request) = queue.recv() {
        match request {
            Request::Record(events, reply) => {
                let _ = reply.send(record(&mut connection, &events));
            }
            Request::Checkpoint(reply) => {
                let started = Instant::now();
                let outcome = connection
                    .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    .map(|()| started.elapsed())
                    .map_err(Error::from);
                let _ = reply.send(outcome);
            }
        }
    }
}

fn record(connection: &mut Connection, events: &[NewEvent]) -> Result<Vec<RecordedEvent>> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut earlier = EarlierEvents::default();
    {
        let mut lookup = tx.prepare_cached(EARLIER_EVENTS)?;
        for event in events {
            let mut rows = lookup.query(params![
                event.addon_key,
                event.workspace_id,
                event.source,
                event.dedupe_key
            ])?;
            while let Some(row) = rows.next()? {
                let status: String = row.get(2)?;
                earlier.note(event, row.get(0)?, &status, row.get(1)?, event.dedupe_since);
            }
        }
    }
    let mut recorded = earlier.decide(events);
    {
        let mut insert = tx.prepare_cached(&format!("{EVENT_INSERT}{}", placeholders(1, 11)))?;
        for (event, outcome) in events.iter().zip(&recorded) {
            insert.execute(params![
                event.id,
                event.addon_key,
                event.workspace_id,
                event.source,
                event.event_type,
                event.dedupe_key,
                outcome.status,
                event.received_at,
                event.headers,
                event.query,
                event.body,
            ])?;
        }
    }
    let jobs = flow_job_events(events, &recorded);
    if !jobs.is_empty() {
        let mut live_flow = tx.prepare_cached(LIVE_FLOW)?;
        let mut insert = tx.prepare_cached(&format!("{JOB_INSERT}{}", placeholders(1, 11)))?;
        let mut flows_live: HashMap<(&str, &str), bool> = HashMap::new();
        for (event, index) in jobs {
            let installation = (event.addon_key.as_str(), event.workspace_id.as_str());
            let queued = match flows_live.entry(installation) {
                Entry::Occupied(known) => *known.get(),
                Entry::Vacant(slot) => *slot.insert(live_flow.exists(params![installation.0, installation.1])?),
            };
            recorded[index].job_queued = queued;
            let (state, outcome) = new_job_state(queued);
            insert.execute(params![
                new_id(),
                event.addon_key,
                event.workspace_id,
                event.id,
                event.source,
                event.event_type,
                state,
                outcome,
                0i64,
                event.received_at,
                event.received_at,
            ])?;
        }
    }
    tx.commit()?;
    Ok(recorded)
}
