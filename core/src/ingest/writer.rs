//! One writer for all deliveries (group commit): it takes every delivery that has queued up
//! (up to [`MAX_BATCH`]) without waiting for more, records them in one transaction, then
//! answers each waiting request. Deliveries that arrive during a commit form the next batch,
//! so batches grow with the load by themselves: one event commits alone when traffic is light,
//! and under load one commit answers many. SQLite has a single writer anyway; one transaction
//! per batch instead of per event is what makes ingestion fast on it, and Postgres gets
//! batched inserts too.

use std::{sync::Arc, time::Instant};

use tokio::sync::{mpsc, oneshot};

use crate::{
    store::{
        events::{NewEvent, RecordedEvent},
        Backend, Store,
    },
    Error, Result,
};

/// Most events per transaction.
pub const MAX_BATCH: usize = 256;
/// Deliveries waiting for the writer before senders wait too (back-pressure).
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<RecordedEvent, String>>;

/// Hands deliveries to the writer. Cheap to clone.
#[derive(Clone, Debug)]
pub struct IngestWriter {
    sender: mpsc::Sender<(NewEvent, Reply)>,
}

impl IngestWriter {
    /// Starts the writer on `store`. On SQLite it gets a thread of its own: on the server's
    /// runtime it was one task among every connection's, each of a batch's statements wakes it
    /// from sqlx's SQLite thread, and under load such a wake waited behind the connections' work
    /// in the runtime's shared queue, so a batch took about twice its working time
    /// (docs/benchmarks.md). Its own single-threaded runtime runs it as soon as it is woken.
    /// On Postgres it stays a task: a connection it opened would be driven by its runtime, and
    /// the pool is shared with every other query.
    pub fn start(store: Arc<dyn Store>) -> Result<Self> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        if store.backend() == Backend::Postgres {
            tokio::spawn(write_batches(store, receiver));
            return Ok(IngestWriter { sender });
        }
        let cannot_start = |error: std::io::Error| Error::Internal(format!("cannot start the event writer: {error}"));
        // Timers only (the pool's acquire timeout): with no I/O driver, a wake is a plain
        // futex wake instead of a write to the driver's eventfd.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(cannot_start)?;
        std::thread::Builder::new()
            .name("ingest-writer".into())
            .spawn(move || runtime.block_on(write_batches(store, receiver)))
            .map_err(cannot_start)?;
        Ok(IngestWriter { sender })
    }

    /// Records `event` (and its flow job) and returns once it is committed.
    pub async fn submit(&self, event: NewEvent) -> Result<RecordedEvent> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((event, reply))
            .await
            .map_err(|_| Error::Unavailable("the event writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("the event writer has stopped".into()))?
            .map_err(Error::Internal)
    }
}

async fn write_batches(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<(NewEvent, Reply)>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (events, replies): (Vec<NewEvent>, Vec<Reply>) = batch.into_iter().unzip();
        let started = Instant::now();
        let count = events.len();
        let outcome = store.record_events(&events).await;
        metrics::histogram!("webhook_ingest_batch_events").record(count as f64);
        metrics::histogram!("webhook_ingest_batch_seconds").record(started.elapsed().as_secs_f64());
        match outcome {
            Ok(recorded) => {
                for (reply, outcome) in replies.into_iter().zip(recorded) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                tracing::error!(%error, events = count, "a batch of events was not recorded");
                for reply in replies {
                    let _ = reply.send(Err(format!("the event was not recorded: {error}")));
                }
            }
        }
    }
}
