//! [`Store`] over `sqlx::Any`: the same portable SQL on SQLite and Postgres.

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use async_trait::async_trait;
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions, AnyRow},
    AnyPool, Executor, Row,
};

use super::{Backend, Installation, Store, WebhookToken, WorkspaceDetails};
use crate::{Error, Result};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Tables holding rows of one installation, deleted together on DELETED.
const INSTALLATION_TABLES: &[&str] = &[
    "flow_run_steps",
    "flow_runs",
    "flow_versions",
    "flows",
    "flow_secrets",
    "flow_failure_toasts",
    "webhook_events",
    "flow_jobs",
    "webhook_rejections",
    "api_webhooks",
    "webhook_sources",
    "entities",
    "bootstrap_cursors",
    "bootstrap_jobs",
    "explorer_history",
    "webhook_tokens",
    "installations",
];

#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// Where write transactions run: on SQLite a pool of one connection, so writers queue
    /// here (in order, without sleeping) instead of in SQLite's busy handler, which backs off
    /// in steps of milliseconds; on Postgres the same pool as everything else. One writer
    /// connection also keeps its page cache warm: SQLite drops a connection's whole cache
    /// whenever another connection has written, so two writers taking turns re-read their pages
    /// at every turn (a second writer for ingestion was tried: docs/benchmarks.md).
    writer: AnyPool,
    backend: Backend,
}

/// How large SQLite's WAL may grow before the checkpointer holds the writers to rewind it.
/// Under the ingestion benchmark each rewind holds the writer for 4-7 ms at 1 KB bodies and
/// about 14 ms at 20 KB whether the limit is 64, 128 or 256 MiB (the hold is the writer pass's
/// two syncs, not the copying), so a smaller limit only means more holds; at 1 GiB each hold
/// took three times as long (docs/benchmarks.md, 2026-11-30).
const WAL_SIZE_LIMIT_BYTES: u64 = 256 * 1024 * 1024;

/// What a rewound WAL file is cut back to (`journal_size_limit`): twice [`WAL_SIZE_LIMIT_BYTES`],
/// above the size the WAL reaches before its rewind under the ingestion benchmark, so the file
/// is overwritten in place instead of being cut back and grown again at every rewind. Growing it
/// made each `fsync` (ext4 commits its journal, writing out every newly allocated block first)
/// hold the writer's checkpoint pass 30-36 ms at 20 KB bodies, 15-20 ms without
/// (docs/benchmarks.md). Costs disk: after a burst the WAL file stays up to this size.
const WAL_FILE_KEPT_BYTES: u64 = 2 * WAL_SIZE_LIMIT_BYTES;

/// SQLite's page cache per reading connection (its default, 2 MiB).
const SQLITE_READER_CACHE_KIB: u32 = 2 * 1024;
/// The writer's page cache: the indexes every batch of events updates stay in memory, instead
/// of being read back from the file system for each batch once the log outgrows 2 MiB.
const SQLITE_WRITER_CACHE_KIB: u32 = 24 * 1024;

/// SQLite's session settings for a connection with a page cache of `cache_kib`. WAL lets
/// readers work while the single writer commits. Temporary storage stays in memory: a
/// multi-row INSERT inside a transaction keeps a statement journal (to undo that statement
/// alone), which otherwise spilled into a temporary file created and deleted for each batch
/// of events (docs/benchmarks.md).
fn sqlite_pragmas(cache_kib: u32) -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; \
         PRAGMA cache_size = -{cache_kib}; PRAGMA wal_autocheckpoint = 0; \
         PRAGMA journal_size_limit = {WAL_FILE_KEPT_BYTES}; PRAGMA temp_store = MEMORY;"
    )
}

/// A pool of up to `connections` with the backend's session settings (on SQLite, a page cache
/// of `cache_kib` per connection).
async fn open_pool(options: AnyConnectOptions, backend: Backend, connections: u32, cache_kib: u32) -> Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(10))
        // A local file needs no ping before each use (a round trip to sqlx's worker thread).
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    connection.execute(&*sqlite_pragmas(cache_kib)).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|error| Error::Unavailable(format!("cannot open the database: {error}")))
}

impl SqlStore {
    /// Connects by URL (`sqlite:` or `postgres:`), creating a SQLite file and its folder if
    /// missing, and runs that backend's migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|error| Error::Internal(format!("invalid database URL: {error}")))?;
        let pool = open_pool(
            options.clone(),
            backend,
            match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            },
            SQLITE_READER_CACHE_KIB,
        )
        .await?;
        if backend == Backend::Sqlite {
            enable_incremental_vacuum(&pool).await?;
        }
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let filled = super::events_sql::fill_in_dedupe_hashes(&pool).await?;
        if filled > 0 {
            tracing::info!(events = filled, "stored events got their dedupe hashes");
        }
        let writer = match backend {
            Backend::Sqlite => open_pool(options, backend, 1, SQLITE_WRITER_CACHE_KIB).await?,
            Backend::Postgres => pool.clone(),
        };
        if backend == Backend::Sqlite {
            let database = sqlite_file(&url).map(Path::to_path_buf);
            tokio::spawn(checkpoint_periodically(pool.clone(), writer.clone(), database));
        }
        Ok(Self { pool, writer, backend })
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads first waits for other writers (busy
    /// timeout) instead of failing when its snapshot went stale.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// A write transaction for the flow runtime's own bookkeeping: claims, job outcomes, step
    /// records. On Postgres it commits without waiting for the WAL flush (`synchronous_commit =
    /// off`, for this transaction only): a crash can lose its last few hundred milliseconds,
    /// which the leases recover from (an unrecorded claim is claimed again, so a run may repeat
    /// an action, as it does when the process dies between an action and its record: the
    /// runtime is at-least-once). Ingestion never uses it; an event is answered 2xx only once
    /// it is durable. On SQLite the same as [`SqlStore::begin_write`] (in WAL mode
    /// `synchronous = NORMAL` flushes only at checkpoints anyway).
    pub async fn begin_bookkeeping(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                self.writer
                    .begin_with("BEGIN; SET LOCAL synchronous_commit = off")
                    .await?
            }
        })
    }

    /// The pool, for tests and later stores that share it.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// How often SQLite's WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// Background checkpoints run back to back before the WAL is rewound on the writer.
const CATCH_UP_PASSES: usize = 3;

/// Checkpoints SQLite's WAL in the background, instead of in whichever commit crosses SQLite's
/// 1,000-page mark (`wal_autocheckpoint` is off on every connection): a checkpoint copies the
/// WAL's pages back into the database file, and inside a commit it held that commit, and every
/// write queued behind it, for tens of milliseconds. Ends when the pool is closed.
///
/// The checkpoint runs PASSIVE on a reading connection, copying while writes go on. But the WAL
/// only starts over from its beginning once every frame in it has been copied, and under a
/// steady stream of writes the frames appended meanwhile never let a background checkpoint
/// finish: the WAL grew by about 100 MB/s under the ingestion benchmark, without end. So once
/// the WAL holds more than [`WAL_SIZE_LIMIT_BYTES`], a second checkpoint runs on the writer
/// connection, where no write can append meanwhile, and copies the rest; the next write
/// transaction then rewinds the WAL (cut back to [`WAL_FILE_KEPT_BYTES`] if longer) and
/// overwrites it in place. That second step holds the writers for a moment, so it runs only
/// when the WAL has grown: every second or two at the benchmark's load, every few minutes at a
/// busy workspace's.
///
/// A checkpoint syncs the database file only when it copies the WAL's last frame, which under
/// load only the writer's pass does: that one sync flushed every page the background passes had
/// copied since the last rewind (20-40 ms with the writers held). So the database file at
/// `database` is synced in the background after each catch-up pass, and the writer's pass
/// flushes only its own few pages.
async fn checkpoint_periodically(pool: AnyPool, writer: AnyPool, database: Option<PathBuf>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let frame_limit = (WAL_SIZE_LIMIT_BYTES / 4096) as i64;
    loop {
        ticks.tick().await;
        if pool.is_closed() || writer.is_closed() {
            return;
        }
        // (busy, frames in the WAL, frames copied)
        let outcome: std::result::Result<(i64, i64, i64), sqlx::Error> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await;
        match outcome {
            Ok((_, frames, _)) if frames > frame_limit => {
                // Each pass copies what was appended during the one before, so the rest to copy
                // while holding the writers shrinks to a few milliseconds' worth.
                for _ in 0..CATCH_UP_PASSES {
                    let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
                    if let Some(database) = &database {
                        sync_file(database).await;
                    }
                }
                let started = std::time::Instant::now();
                match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&writer).await {
                    Ok(_) => metrics::histogram!("sqlite_wal_rewind_seconds").record(started.elapsed().as_secs_f64()),
                    Err(error) => tracing::debug!(%error, "WAL checkpoint on the writer skipped"),
                }
            }
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "WAL checkpoint skipped"),
        }
    }
}

/// Flushes a file's written pages to disk, on a blocking thread.
async fn sync_file(path: &Path) {
    let path = path.to_path_buf();
    let synced = tokio::task::spawn_blocking(move || std::fs::File::open(path)?.sync_data()).await;
    if let Ok(Err(error)) = synced {
        tracing::debug!(%error, "syncing the database file before the WAL rewind failed");
    }
}

/// Lets retention give space back to the file system (`PRAGMA incremental_vacuum`). The mode
/// takes effect on a new file at once, on an older one after one VACUUM.
async fn enable_incremental_vacuum(pool: &AnyPool) -> Result<()> {
    let mode: i64 = sqlx::query_scalar("PRAGMA auto_vacuum").fetch_one(pool).await?;
    if mode != 2 {
        sqlx::query("PRAGMA auto_vacuum = INCREMENTAL").execute(pool).await?;
        sqlx::query("VACUUM").execute(pool).await?;
    }
    Ok(())
}

/// A LIKE pattern (used with `ESCAPE '\'` on a lower-cased column) for text containing `text` in
/// any case; `%`, `_` and `\` in `text` match only themselves.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for character in text.to_lowercase().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// `items` in chunks whose lengths are powers of two, at most `max` (itself a power of two),
/// largest first: 100 items go as 64, 32 and 4. A multi-row statement's text depends on its row
/// count, and each text is prepared once per connection and cached; with every count from 1 to
/// 100 the texts outnumbered the cache (100 per connection) and statements were prepared again
/// and again, where these sizes give at most eight texts per statement.
pub(super) fn cached_size_chunks<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    debug_assert!(max.is_power_of_two());
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = rest.len().min(max);
        let size = 1 << size.ilog2();
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// The smallest cached size (a power of two, see [`cached_size_chunks`]) that holds `count`
/// items: a lookup list of that size, padded with [`padded`], takes one query.
pub(super) fn cached_size_at_least(count: usize) -> usize {
    count.max(1).next_power_of_two()
}

/// `items`, then its last item repeated until there are `size` (an `IN (...)` list, where a
/// repeated value changes nothing).
pub(super) fn padded<T: Copy>(items: &[T], size: usize) -> impl Iterator<Item = T> + '_ {
    let filler = items.last().copied();
    items
        .iter()
        .copied()
        .chain(filler.into_iter().cycle())
        .take(size.max(items.len()))
}

/// The binds of a multi-row statement: `rows` rows of `columns` each, `($1, $2, ...), ($n+1,
/// ...)` on Postgres and `(?, ?, ...), (?, ...)` on SQLite, where they are numbered in order.
/// SQLite looks a named bind (`$7`) up by a linear search of the statement's names, and sqlx
/// asks for every bind's name at every execution, so a multi-row insert's lookups grew with the
/// square of its binds (9% of the writer's SQLite thread under the ingest benchmark,
/// docs/benchmarks.md); nameless binds are found at once.
pub(super) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let binds: Vec<String> = (1..=columns)
                .map(|column| match backend {
                    Backend::Postgres => format!("${}", row * columns + column),
                    Backend::Sqlite => "?".to_string(),
                })
                .collect();
            format!("({})", binds.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(Error::Internal(format!(
            "unsupported database URL scheme (use sqlite: or postgres:): {}",
            url.split(':').next().unwrap_or_default()
        )))
    }
}

/// The file of a SQLite URL, or None for an in-memory database.
fn sqlite_file(url: &str) -> Option<&Path> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    let in_memory = path.is_empty() || path == ":memory:" || url.contains("mode=memory");
    (!in_memory).then(|| Path::new(path))
}

/// Makes sure the SQLite file's folder exists and asks SQLite to create the file.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let Some(path) = sqlite_file(url) else {
        return Ok(url.to_string());
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|error| Error::Internal(format!("cannot create {}: {error}", folder.display())))?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

fn installation_from_row(row: &AnyRow) -> Result<Installation> {
    Ok(Installation {
        addon_key: row.try_get("addon_key")?,
        workspace_id: row.try_get("workspace_id")?,
        addon_id: row.try_get("addon_id")?,
        addon_user_id: row.try_get("addon_user_id")?,
        installed_by: row.try_get("installed_by")?,
        api_url: row.try_get("api_url")?,
        backend_url: row.try_get("backend_url")?,
        reports_url: row.try_get("reports_url")?,
        token_urls: row.try_get("token_urls")?,
        status: row.try_get("status")?,
        settings: row.try_get("settings")?,
        token_ciphertext: row.try_get("token_ciphertext")?,
        workspace_name: row.try_get("workspace_name")?,
        workspace_plan: row.try_get("workspace_plan")?,
        installer_name: row.try_get("installer_name")?,
        installed_at: row.try_get("installed_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn save_installation(&self, installation: &Installation, tokens: &[WebhookToken]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in INSTALLATION_TABLES {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE addon_key = $1 AND workspace_id = $2"
            ))
            .bind(&installation.addon_key)
            .bind(&installation.workspace_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO installations (addon_key, workspace_id, addon_id, addon_user_id, installed_by, \
             api_url, backend_url, reports_url, token_urls, status, settings, token_ciphertext, \
             workspace_name, workspace_plan, installer_name, installed_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&installation.addon_key)
        .bind(&installation.workspace_id)
        .bind(&installation.addon_id)
        .bind(&installation.addon_user_id)
        .bind(&installation.installed_by)
        .bind(&installation.api_url)
        .bind(&installation.backend_url)
        .bind(&installation.reports_url)
        .bind(&installation.token_urls)
        .bind(&installation.status)
        .bind(&installation.settings)
        .bind(&installation.token_ciphertext)
        .bind(&installation.workspace_name)
        .bind(&installation.workspace_plan)
        .bind(&installation.installer_name)
        .bind(installation.installed_at)
        .bind(installation.updated_at)
        .execute(&mut *tx)
        .await?;
        for token in tokens {
            sqlx::query(
                "INSERT INTO webhook_tokens (addon_key, workspace_id, webhook_url, webhook_type, \
                 token_digest, token_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&installation.addon_key)
            .bind(&installation.workspace_id)
            .bind(&token.webhook_url)
            .bind(&token.webhook_type)
            .bind(&token.token_digest)
            .bind(&token.token_ciphertext)
            .bind(installation.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn installation(&self, addon_key: &str, workspace_id: &str) -> Result<Option<Installation>> {
        let row = sqlx::query("SELECT * FROM installations WHERE addon_key = $1 AND workspace_id = $2")
            .bind(addon_key)
            .bind(workspace_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(installation_from_row).transpose()
    }

    async fn webhook_tokens(&self, addon_key: &str, workspace_id: &str) -> Result<Vec<WebhookToken>> {
        let rows = sqlx::query(
            "SELECT webhook_url, webhook_type, token_digest, token_ciphertext FROM webhook_tokens \
             WHERE addon_key = $1 AND workspace_id = $2 ORDER BY webhook_url",
        )
        .bind(addon_key)
        .bind(workspace_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WebhookToken {
                    webhook_url: row.try_get("webhook_url")?,
                    webhook_type: row.try_get("webhook_type")?,
                    token_digest: row.try_get("token_digest")?,
                    token_ciphertext: row.try_get("token_ciphertext")?,
                })
            })
            .collect()
    }

    async fn set_status(&self, addon_key: &str, workspace_id: &str, status: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE installations SET status = $1, updated_at = $2 WHERE addon_key = $3 AND workspace_id = $4",
        )
        .bind(status)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn save_settings(&self, addon_key: &str, workspace_id: &str, settings: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE installations SET settings = $1, updated_at = $2 WHERE addon_key = $3 AND workspace_id = $4",
        )
        .bind(settings)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn save_workspace_details(
        &self,
        addon_key: &str,
        workspace_id: &str,
        details: &WorkspaceDetails,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE installations SET workspace_name = $1, workspace_plan = $2, installer_name = $3, \
             updated_at = $4 WHERE addon_key = $5 AND workspace_id = $6",
        )
        .bind(&details.name)
        .bind(&details.plan)
        .bind(&details.installer_name)
        .bind(now)
        .bind(addon_key)
        .bind(workspace_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_installation(&self, addon_key: &str, workspace_id: &str) -> Result<u64> {
        // Behind every write transaction already queued (on SQLite, the one writer connection).
        let mut tx = self.begin_write().await?;
        let mut deleted = 0;
        for table in INSTALLATION_TABLES {
            deleted += sqlx::query(&format!(
                "DELETE FROM {table} WHERE addon_key = $1 AND workspace_id = $2"
            ))
            .bind(addon_key)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn count_installation_rows(&self, addon_key: &str, workspace_id: &str) -> Result<i64> {
        let mut total = 0;
        for table in INSTALLATION_TABLES {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE addon_key = $1 AND workspace_id = $2"
            ))
            .bind(addon_key)
            .bind(workspace_id)
            .fetch_one(&self.pool)
            .await?;
            total += count;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{cached_size_at_least, cached_size_chunks, padded, placeholders, sqlite_file};
    use crate::store::Backend;

    #[test]
    fn sqlite_urls_name_their_file_unless_in_memory() {
        assert_eq!(
            sqlite_file("sqlite://data/addons.db"),
            Some(Path::new("data/addons.db"))
        );
        assert_eq!(sqlite_file("sqlite:///tmp/a.db?mode=rwc"), Some(Path::new("/tmp/a.db")));
        assert_eq!(sqlite_file("sqlite:b.db"), Some(Path::new("b.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://shared?mode=memory&cache=shared"), None);
    }

    #[test]
    fn multi_row_binds_are_numbered_on_postgres_and_nameless_on_sqlite() {
        assert_eq!(placeholders(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(placeholders(Backend::Sqlite, 1, 1), "(?)");
    }

    fn sizes(count: usize, max: usize) -> Vec<usize> {
        let items: Vec<usize> = (0..count).collect();
        cached_size_chunks(&items, max).map(<[usize]>::len).collect()
    }

    #[test]
    fn lookup_lists_are_padded_to_one_cached_size_with_their_last_item() {
        assert_eq!(cached_size_at_least(0), 1);
        assert_eq!(cached_size_at_least(1), 1);
        assert_eq!(cached_size_at_least(20), 32);
        assert_eq!(cached_size_at_least(256), 256);
        assert_eq!(padded(&[7, 8, 9], 4).collect::<Vec<_>>(), [7, 8, 9, 9]);
        assert_eq!(padded(&[7, 8], 2).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(padded::<i64>(&[], 4).count(), 0);
    }

    #[test]
    fn chunks_are_powers_of_two_largest_first_and_cover_everything_in_order() {
        assert_eq!(sizes(0, 64), Vec::<usize>::new());
        assert_eq!(sizes(1, 64), vec![1]);
        assert_eq!(sizes(100, 64), vec![64, 32, 4]);
        assert_eq!(sizes(63, 64), vec![32, 16, 8, 4, 2, 1]);
        assert_eq!(sizes(300, 128), vec![128, 128, 32, 8, 4]);
        let items: Vec<usize> = (0..77).collect();
        let joined: Vec<usize> = cached_size_chunks(&items, 64).flatten().copied().collect();
        assert_eq!(joined, items);
    }
}
