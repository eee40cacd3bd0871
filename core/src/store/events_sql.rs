//! [`EventStore`] for [`SqlStore`]: portable SQL for SQLite and Postgres.

use std::collections::{hash_map::Entry, HashMap};

use async_trait::async_trait;
use sqlx::{any::AnyRow, Row};

use super::{
    events::{EventFilter, EventPage, EventStore, NewEvent, RecordedEvent, RejectionCount, SourceRow, StoredEvent},
    flows::job_state,
    recording::{
        dedupe_hash, dedupe_slot, flow_job_events, DedupeSlot, EarlierEvents, EVENT_INSERT, EVENT_INSERT_END,
        JOB_INSERT, LIVE_FLOW,
    },
    sql::{cached_size_at_least, cached_size_chunks, contains_pattern, padded, placeholders},
    SqlStore, Store, WebhookToken,
};
use crate::Result;

/// Most dedupe keys (or ids) per lookup query (a power of two, see `cached_size_chunks`).
const DEDUPE_CHUNK: usize = 256;
/// Most rows per multi-row INSERT (12 binds each; SQLite allows 32766 binds).
const INSERT_CHUNK: usize = 128;

fn event_from_row(row: &AnyRow) -> Result<StoredEvent> {
    Ok(StoredEvent {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        event_type: row.try_get("event_type")?,
        dedupe_key: row.try_get("dedupe_key")?,
        status: row.try_get("status")?,
        received_at: row.try_get("received_at")?,
        headers: row.try_get("headers")?,
        query: row.try_get("query")?,
        body: row.try_get("body")?,
    })
}

fn source_from_row(row: &AnyRow) -> Result<SourceRow> {
    Ok(SourceRow {
        id: row.try_get("id")?,
        addon_key: row.try_get("addon_key")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        ingest_token: row.try_get("ingest_token")?,
        scheme: row.try_get("scheme")?,
        event_type_from: row.try_get("event_type_from")?,
        dedupe_from: row.try_get("dedupe_from")?,
        secret_ciphertext: row.try_get("secret_ciphertext")?,
        previous_ciphertext: row.try_get("previous_ciphertext")?,
        previous_until: row.try_get("previous_until")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const FILTER: &str = "addon_key = $1 AND workspace_id = $2 \
     AND ($3 IS NULL OR event_type = $3) AND ($4 IS NULL OR source = $4) AND ($5 IS NULL OR status = $5) \
     AND ($6 IS NULL OR received_at >= $6) AND ($7 IS NULL OR LOWER(body) LIKE $7 ESCAPE '\\' \
     OR LOWER(dedupe_key) LIKE $7 ESCAPE '\\' OR LOWER(id) LIKE $7 ESCAPE '\\')";

#[async_trait]
impl EventStore for SqlStore {
    async fn record_events(&self, events: &[NewEvent]) -> Result<Vec<RecordedEvent>> {
        let mut tx = self.begin_write().await?;
        // Earlier accepted events with the batch's dedupe keys, found by their hashes, a
        // chunk of the batch per query. A key's window starts at the earliest `dedupe_since`
        // among the batch's deliveries with that key; `decide` applies each one's own.
        let mut earlier = EarlierEvents::default();
        let mut since: HashMap<DedupeSlot<'_>, i64> = HashMap::new();
        for event in events {
            let at = since.entry(dedupe_slot(event)).or_insert(event.dedupe_since);
            *at = (*at).min(event.dedupe_since);
        }
        let hashes: Vec<i64> = events.iter().map(|event| dedupe_hash(dedupe_slot(event))).collect();
        for (chunk, chunk_hashes) in events.chunks(DEDUPE_CHUNK).zip(hashes.chunks(DEDUPE_CHUNK)) {
            // The hash alone, not a `received_at` range too: with one, SQLite chose the time
            // index and read every event of the window for each batch (ingestion slowed as the
            // log grew). The window is applied in `EarlierEvents`; a hash rarely has more than
            // one row. One query per batch: the list is padded to a cached size by repeating a
            // hash, where chunks of cached sizes took a round trip each.
            let size = cached_size_at_least(chunk_hashes.len());
            let sql = format!(
                "SELECT id, addon_key, workspace_id, source, dedupe_key, received_at, status FROM webhook_events \
                 WHERE dedupe_hash IN {}",
                placeholders(self.backend(), 1, size)
            );
            let mut query = sqlx::query(&sql);
            for hash in padded(chunk_hashes, size) {
                query = query.bind(hash);
            }
            for row in query.fetch_all(&mut *tx).await? {
                let stored: (String, String, String, String) = (
                    row.try_get("addon_key")?,
                    row.try_get("workspace_id")?,
                    row.try_get("source")?,
                    row.try_get("dedupe_key")?,
                );
                // A hash collision is only a wasted read: the columns themselves must match.
                let Some(event) = chunk.iter().find(|event| {
                    dedupe_slot(event)
                        == (
                            stored.0.as_str(),
                            stored.1.as_str(),
                            stored.2.as_str(),
                            stored.3.as_str(),
                        )
                }) else {
                    continue;
                };
                let status: String = row.try_get("status")?;
                let window_start = since[&dedupe_slot(event)];
                earlier.note(
                    event,
                    row.try_get("id")?,
                    &status,
                    row.try_get("received_at")?,
                    window_start,
                );
            }
        }
        let mut recorded = earlier.decide(events);
        // Multi-row inserts: the events (one statement per batch, padded to a cached size with
        // rows of NULLs the statement skips), then a flow job for each accepted one a flow can take.
        for ((chunk, outcomes), chunk_hashes) in events
            .chunks(INSERT_CHUNK)
            .zip(recorded.chunks(INSERT_CHUNK))
            .zip(hashes.chunks(INSERT_CHUNK))
        {
            let size = cached_size_at_least(chunk.len());
            let sql = format!(
                "{EVENT_INSERT}{}{EVENT_INSERT_END}",
                placeholders(self.backend(), size, 12)
            );
            let mut query = sqlx::query(&sql);
            for ((event, outcome), hash) in chunk.iter().zip(outcomes).zip(chunk_hashes) {
                query = query
                    .bind(&event.id)
                    .bind(&event.addon_key)
                    .bind(&event.workspace_id)
                    .bind(&event.source)
                    .bind(&event.event_type)
                    .bind(&event.dedupe_key)
                    .bind(*hash)
                    .bind(&outcome.status)
                    .bind(event.received_at)
                    .bind(&event.headers)
                    .bind(&event.query)
                    .bind(&event.body);
            }
            for _ in chunk.len()..size {
                // Typed, so that Postgres gives the padding rows' columns the events' types.
                let text = None::<&str>;
                let number = None::<i64>;
                query = query
                    .bind(text)
                    .bind(text)
                    .bind(text)
                    .bind(text)
                    .bind(text)
                    .bind(text)
                    .bind(number)
                    .bind(text)
                    .bind(number)
                    .bind(text)
                    .bind(text)
                    .bind(text);
            }
            query.execute(&mut *tx).await?;
        }
        let mut flows_live: HashMap<(&str, &str), bool> = HashMap::new();
        let mut jobs = Vec::new();
        for (event, index) in flow_job_events(events, &recorded) {
            let installation = (event.addon_key.as_str(), event.workspace_id.as_str());
            if let Entry::Vacant(slot) = flows_live.entry(installation) {
                let live: Option<String> = sqlx::query_scalar(LIVE_FLOW)
                    .bind(installation.0)
                    .bind(installation.1)
                    .fetch_optional(&mut *tx)
                    .await?;
                slot.insert(live.is_some());
            }
            if flows_live[&installation] {
                recorded[index].job_queued = true;
                jobs.push(event);
            }
        }
        for chunk in cached_size_chunks(&jobs, INSERT_CHUNK) {
            let sql = format!("{JOB_INSERT}{}", placeholders(self.backend(), chunk.len(), 10));
            let mut query = sqlx::query(&sql);
            for event in chunk {
                query = query
                    .bind(new_id())
                    .bind(&event.addon_key)
                    .bind(&event.workspace_id)
                    .bind(&event.id)
                    .bind(&event.source)
                    .bind(&event.event_type)
                    .bind(job_state::QUEUED)
                    .bind(0i64)
                    .bind(event.received_at)
                    .bind(event.received_at);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn record_rejection(
        &self,
        addon_key: &str,
        workspace_id: &str,
        source: &str,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_rejections (addon_key, workspace_id, source, reason, count, last_at) \
             VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (addon_key, workspace_id, source, reason) \
             DO UPDATE SET count = webhook_rejections.count + 1, last_at = excluded.last_at",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(source)
        .bind(reason)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn rejection_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<RejectionCount>> {
        let rows = sqlx::query(
            "SELECT source, reason, count, last_at FROM webhook_rejections WHERE addon_key = $1 AND workspace_id = $2 \
             ORDER BY source, reason",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RejectionCount {
                    source: row.try_get("source")?,
                    reason: row.try_get("reason")?,
                    count: row.try_get("count")?,
                    last_at: row.try_get("last_at")?,
                })
            })
            .collect()
    }

    async fn events(
        &self,
        addon_key: &str,
        workspace_id: &str,
        filter: &EventFilter,
        offset: i64,
        limit: i64,
    ) -> Result<EventPage> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(contains_pattern);
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM webhook_events WHERE {FILTER}"))
            .bind(addon_key)
            .bind(workspace_id)
            .bind(&filter.event_type)
            .bind(&filter.source)
            .bind(&filter.status)
            .bind(filter.since)
            .bind(&text)
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT * FROM webhook_events WHERE {FILTER} ORDER BY received_at DESC, id DESC LIMIT $8 OFFSET $9"
        ))
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&filter.event_type)
        .bind(&filter.source)
        .bind(&filter.status)
        .bind(filter.since)
        .bind(&text)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok(EventPage {
            items: rows.iter().map(event_from_row).collect::<Result<_>>()?,
            total,
        })
    }

    async fn event(&self, addon_key: &str, workspace_id: &str, id: &str) -> Result<Option<StoredEvent>> {
        let row = sqlx::query("SELECT * FROM webhook_events WHERE addon_key = $1 AND workspace_id = $2 AND id = $3")
            .bind(addon_key)
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(event_from_row).transpose()
    }

    async fn events_by_ids(&self, addon_key: &str, workspace_id: &str, ids: &[String]) -> Result<Vec<StoredEvent>> {
        let mut events = Vec::with_capacity(ids.len());
        for chunk in cached_size_chunks(ids, DEDUPE_CHUNK) {
            // By id alone, so the primary key is used (with the installation's columns in the
            // WHERE, SQLite scanned the installation's events instead); checked per row below.
            let sql = format!(
                "SELECT * FROM webhook_events WHERE id IN {}",
                placeholders(self.backend(), 1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(self.pool()).await? {
                let owner: (String, String) = (row.try_get("addon_key")?, row.try_get("workspace_id")?);
                if owner.0 == addon_key && owner.1 == workspace_id {
                    events.push(event_from_row(&row)?);
                }
            }
        }
        Ok(events)
    }

    async fn events_per_minute(
        &self,
        addon_key: &str,
        workspace_id: &str,
        since: i64,
    ) -> Result<Vec<(i64, String, i64)>> {
        let rows = sqlx::query(
            "SELECT received_at / 60000 AS minute, event_type, COUNT(*) AS count FROM webhook_events \
             WHERE addon_key = $1 AND workspace_id = $2 AND received_at >= $3 \
             GROUP BY received_at / 60000, event_type ORDER BY minute",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("minute")?,
                    row.try_get("event_type")?,
                    row.try_get("count")?,
                ))
            })
            .collect()
    }

    async fn event_counts(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT source, status, COUNT(*) AS count FROM webhook_events WHERE addon_key = $1 AND workspace_id = $2 \
             GROUP BY source, status ORDER BY source, status",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("source")?, row.try_get("status")?, row.try_get("count")?)))
            .collect()
    }

    async fn enqueue_replays(
        &self,
        addon_key: &str,
        workspace_id: &str,
        event_ids: &[String],
        now: i64,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut queued = 0;
        for event_id in event_ids {
            let found: Option<(String, String)> = sqlx::query_as(
                "SELECT source, event_type FROM webhook_events WHERE addon_key = $1 AND workspace_id = $2 AND id = $3",
            )
            .bind(addon_key)
            .bind(workspace_id)
            .bind(event_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((source, event_type)) = found {
                let job = JobToQueue {
                    addon_key,
                    workspace_id,
                    event_id,
                    source: &source,
                    event_type: &event_type,
                };
                insert_flow_job(&mut tx, &job, now).await?;
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    async fn count_flow_jobs(&self, addon_key: &str, workspace_id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM flow_jobs WHERE addon_key = $1 AND workspace_id = $2")
                .bind(addon_key)
                .bind(workspace_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    async fn delete_events_before(&self, addon_key: &str, workspace_id: &str, cutoff: i64, limit: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events \
             WHERE addon_key = $1 AND workspace_id = $2 AND received_at < $3 LIMIT $4)",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(cutoff)
        .bind(limit)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    async fn reclaim_space(&self) -> Result<()> {
        if self.backend() == super::Backend::Sqlite {
            sqlx::query("PRAGMA incremental_vacuum").execute(self.pool()).await?;
        }
        Ok(())
    }

    async fn installation_settings(&self) -> Result<Vec<(String, String, String)>> {
        let rows =
            sqlx::query("SELECT addon_key, workspace_id, settings FROM installations ORDER BY addon_key, workspace_id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("addon_key")?,
                    row.try_get("workspace_id")?,
                    row.try_get("settings")?,
                ))
            })
            .collect()
    }

    async fn save_api_webhook(
        &self,
        addon_key: &str,
        workspace_id: &str,
        webhook_id: &str,
        event_type: &str,
        token: &WebhookToken,
        now: i64,
    ) -> Result<()> {
        // Only while the installation exists: a reconcile still running when DELETED arrives
        // must not leave rows behind.
        let mut tx = self.begin_write().await?;
        let installed: Option<String> =
            sqlx::query_scalar("SELECT addon_id FROM installations WHERE addon_key = $1 AND workspace_id = $2")
                .bind(addon_key)
                .bind(workspace_id)
                .fetch_optional(&mut *tx)
                .await?;
        if installed.is_none() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO api_webhooks (addon_key, workspace_id, webhook_id, event_type, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (addon_key, workspace_id, webhook_id) DO NOTHING",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(webhook_id)
        .bind(event_type)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO webhook_tokens (addon_key, workspace_id, webhook_url, webhook_type, token_digest, \
             token_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .bind(&token.webhook_url)
        .bind(&token.webhook_type)
        .bind(&token.token_digest)
        .bind(&token.token_ciphertext)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_webhooks(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT webhook_id, event_type FROM api_webhooks WHERE addon_key = $1 AND workspace_id = $2 \
             ORDER BY event_type",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("webhook_id")?, row.try_get("event_type")?)))
            .collect()
    }

    async fn delete_api_webhook(&self, addon_key: &str, workspace_id: &str, webhook_id: &str) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM api_webhooks WHERE addon_key = $1 AND workspace_id = $2 AND webhook_id = $3")
            .bind(addon_key)
            .bind(workspace_id)
            .bind(webhook_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_tokens WHERE addon_key = $1 AND workspace_id = $2 AND webhook_type = $3")
            .bind(addon_key)
            .bind(workspace_id)
            .bind(api_webhook_type(webhook_id))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save_source(&self, source: &SourceRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_sources (id, addon_key, workspace_id, name, ingest_token, scheme, event_type_from, \
             dedupe_from, secret_ciphertext, previous_ciphertext, previous_until, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO UPDATE SET \
             name = excluded.name, scheme = excluded.scheme, event_type_from = excluded.event_type_from, \
             dedupe_from = excluded.dedupe_from, secret_ciphertext = excluded.secret_ciphertext, \
             previous_ciphertext = excluded.previous_ciphertext, previous_until = excluded.previous_until, \
             enabled = excluded.enabled, updated_at = excluded.updated_at",
        )
        .bind(&source.id)
        .bind(&source.addon_key)
        .bind(&source.workspace_id)
        .bind(&source.name)
        .bind(&source.ingest_token)
        .bind(&source.scheme)
        .bind(&source.event_type_from)
        .bind(&source.dedupe_from)
        .bind(&source.secret_ciphertext)
        .bind(&source.previous_ciphertext)
        .bind(source.previous_until)
        .bind(i64::from(source.enabled))
        .bind(source.created_at)
        .bind(source.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn sources(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<SourceRow>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_sources WHERE addon_key = $1 AND workspace_id = $2 ORDER BY created_at, id",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    async fn source_by_ingest_token(&self, ingest_token: &str) -> Result<Option<SourceRow>> {
        let row = sqlx::query("SELECT * FROM webhook_sources WHERE ingest_token = $1")
            .bind(ingest_token)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(source_from_row).transpose()
    }
}

/// Gives events stored before `dedupe_hash` existed their hash, a few hundred per transaction
/// (the migration that added the column cannot: SQL has no SHA-256). Until then such an event
/// would not be found as an earlier delivery. Returns how many it filled in.
pub(super) async fn fill_in_dedupe_hashes(pool: &sqlx::AnyPool) -> Result<u64> {
    let mut filled = 0;
    loop {
        let rows = sqlx::query(
            "SELECT id, addon_key, workspace_id, source, dedupe_key FROM webhook_events \
             WHERE dedupe_hash IS NULL LIMIT 500",
        )
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let mut tx = pool.begin().await?;
        for row in &rows {
            let id: String = row.try_get("id")?;
            let (addon_key, workspace_id, source, dedupe_key): (String, String, String, String) = (
                row.try_get("addon_key")?,
                row.try_get("workspace_id")?,
                row.try_get("source")?,
                row.try_get("dedupe_key")?,
            );
            sqlx::query("UPDATE webhook_events SET dedupe_hash = $1 WHERE id = $2")
                .bind(dedupe_hash((&addon_key, &workspace_id, &source, &dedupe_key)))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        filled += rows.len() as u64;
    }
}

/// The `webhook_type` of an API-created webhook's token row.
pub fn api_webhook_type(webhook_id: &str) -> String {
    format!("API {webhook_id}")
}

/// A flow job for a stored event (a replay).
struct JobToQueue<'a> {
    addon_key: &'a str,
    workspace_id: &'a str,
    event_id: &'a str,
    source: &'a str,
    event_type: &'a str,
}

async fn insert_flow_job(tx: &mut sqlx::Transaction<'_, sqlx::Any>, job: &JobToQueue<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO flow_jobs (id, addon_key, workspace_id, event_id, source, event_type, state, attempts, \
         run_after, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)",
    )
    .bind(new_id())
    .bind(job.addon_key)
    .bind(job.workspace_id)
    .bind(job.event_id)
    .bind(job.source)
    .bind(job.event_type)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A random 128-bit id, hex.
pub fn new_id() -> String {
    use rand::RngCore;
    // Time first (milliseconds, 48 bits), then 80 random bits: new rows land at the end of
    // the primary-key index instead of on a random page, which is what a batch of inserts
    // would otherwise rewrite page by page. Ids stay 32 hex digits and unguessable enough for
    // row ids; secrets and URL tokens are generated elsewhere, wholly at random.
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64);
    let mut random = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut random);
    let mut id = crate::hex::encode(&millis.to_be_bytes()[2..]);
    id.push_str(&crate::hex::encode(&random));
    id
}

#[cfg(test)]
mod tests {
    use super::new_id;

    #[test]
    fn ids_are_32_hex_digits_and_sort_by_creation_time() {
        let first = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_id();
        for id in [&first, &second] {
            assert_eq!(id.len(), 32, "{id}");
            assert!(id.chars().all(|character| character.is_ascii_hexdigit()), "{id}");
        }
        assert!(first < second, "{first} then {second}");
        assert_ne!(new_id(), new_id(), "the random part differs within a millisecond");
    }
}
