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
        Store,
    },
    Error, Result,
};

/// Most events per transaction.
pub const MAX_BATCH: usize = 256;
/// Deliveries waiting for the writer before senders wait too (back-pressure).
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<RecordedEvent, String>>;

/// Hands deliveries to the writer task. Cheap to clone.
#[derive(Clone, Debug)]
pub struct IngestWriter {
    sender: mpsc::Sender<(NewEvent, Reply)>,
}

impl IngestWriter {
    /// Starts the writer task on `store`.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, receiver));
        IngestWriter { sender }
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
        let outcome = store.record_events(events).await;
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
