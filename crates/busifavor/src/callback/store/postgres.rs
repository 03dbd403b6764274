//! The PostgreSQL idempotency store (feature `postgres`): a durable inbox table that doubles
//! as an audit log.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::{ClaimOutcome, ClaimRequest, IdempotencyStore, Lease, StoreError, StoreFuture};

/// Table name used unless [`PostgresStore::with_table`] sets another.
pub const DEFAULT_INBOX_TABLE: &str = "wxpay_callback_inbox";

/// The migration that creates the inbox table (and its fencing sequence and index) under the
/// name [`DEFAULT_INBOX_TABLE`]; [`PostgresStore::migrate`] runs it for the configured name.
pub const INBOX_MIGRATION: &str = include_str!("postgres_inbox.sql");

const STORE: &str = "postgres";
/// Longest table name: the sequence and index names add `_status_idx` to it within
/// PostgreSQL's 63-byte identifiers.
const MAX_TABLE_LEN: usize = 63 - "_status_idx".len();

/// The statements, with the table name in them (built once per store).
struct Sql {
    claim: String,
    complete: String,
    release: String,
    record: String,
    purge: String,
}

impl Sql {
    fn new(t: &str) -> Self {
        Self {
            // One statement: insert a new row, or take over a released row or an expired
            // lease; otherwise (completed, or a live lease) the existing row is read back.
            claim: format!(
                "WITH claimed AS (
                    INSERT INTO {t} AS t
                        (notification_id, event_type, create_time, event, status, token, fencing, lease_until)
                    VALUES ($1, $2, $3, CAST($4::text AS jsonb), 'processing', $5,
                            nextval('{t}_fencing'), now() + make_interval(secs => $6::float8))
                    ON CONFLICT (notification_id) DO UPDATE
                        SET status = 'processing', token = EXCLUDED.token, fencing = EXCLUDED.fencing,
                            lease_until = EXCLUDED.lease_until, attempts = t.attempts + 1,
                            updated_at = now()
                        WHERE t.status = 'released'
                           OR (t.status = 'processing' AND t.lease_until <= now())
                    RETURNING t.fencing
                )
                SELECT 'claimed'::text, fencing, NULL::float8 FROM claimed
                UNION ALL
                SELECT t.status, t.fencing,
                       (EXTRACT(EPOCH FROM (t.lease_until - now())) * 1000)::float8
                  FROM {t} t
                 WHERE t.notification_id = $1 AND NOT EXISTS (SELECT 1 FROM claimed)"
            ),
            complete: format!(
                "UPDATE {t} SET status = 'completed', lease_until = NULL, completed_at = now(),
                        updated_at = now()
                  WHERE notification_id = $1 AND token = $2 AND status = 'processing'"
            ),
            release: format!(
                "UPDATE {t} SET status = 'released', lease_until = NULL, last_error = $3,
                        updated_at = now()
                  WHERE notification_id = $1 AND token = $2 AND status = 'processing'"
            ),
            record: format!(
                "SELECT notification_id, event_type, create_time, event::text, status, fencing,
                        attempts, last_error
                   FROM {t} WHERE notification_id = $1"
            ),
            purge: format!(
                "DELETE FROM {t}
                  WHERE status = 'completed' AND completed_at < now() - make_interval(secs => $1::float8)"
            ),
        }
    }
}

/// Claims and completions in a PostgreSQL table — a durable inbox shared by every handler
/// instance on the same database and table, kept across restarts, and readable for
/// reconciliation (what arrived, when, how often it was tried, whether it completed).
///
/// * **claim** — one `INSERT … ON CONFLICT (notification_id) DO UPDATE … WHERE` statement: a
///   new id is inserted as `processing` with a fresh token, a fencing number from the table's
///   sequence and a lease; a `released` row or one whose lease has expired is taken over the
///   same way (`attempts + 1`); a `completed` row or a live lease is left alone and read back.
/// * **complete** / **release** — `UPDATE … WHERE notification_id = $1 AND token = $2 AND
///   status = 'processing'`: a holder whose lease was taken over changes nothing.
/// * Completed rows stay (the audit log) until [`purge_completed`](Self::purge_completed)
///   removes those older than you need; retention is therefore at least that long.
///
/// Connections: a deadpool pool of tokio-postgres connections over plain TCP (`NoTls`; no
/// OpenSSL anywhere). Run [`migrate`](Self::migrate) once at start-up (or apply
/// [`INBOX_MIGRATION`] with your own tool).
///
/// ```no_run
/// # async fn run() -> Result<(), busifavor::callback::StoreError> {
/// use busifavor::callback::PostgresStore;
/// let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/test")?;
/// store.migrate().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    table: Arc<str>,
    sql: Arc<Sql>,
    keep_event: bool,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("table", &self.table)
            .field("keep_event", &self.keep_event)
            .field("pool", &self.pool.status())
            .finish()
    }
}

/// One row of the inbox, for reconciliation and audits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboxRecord {
    /// The notification id.
    pub notification_id: String,
    /// Envelope `event_type`.
    pub event_type: String,
    /// Envelope `create_time`, as sent.
    pub create_time: String,
    /// The decrypted resource as JSON text, when kept.
    pub event: Option<String>,
    /// `processing`, `completed` or `released`.
    pub status: String,
    /// The latest claim's fencing number.
    pub fencing: u64,
    /// How many times it was claimed.
    pub attempts: u32,
    /// Why it was last released.
    pub last_error: Option<String>,
}

impl PostgresStore {
    /// A store on `url` (`postgres://user[:password]@host:port/database`), with a pool of up
    /// to 16 connections opened on demand: start-up succeeds while the database is down, and
    /// deliveries are answered 5xx until it answers. Plain TCP.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut pg = tokio_postgres::Config::from_str(url).map_err(|e| StoreError::Config {
            store: STORE,
            reason: format!("{e}; expected a URL like postgres://postgres@127.0.0.1:5432/test"),
        })?;
        pg.connect_timeout(Duration::from_secs(1));
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = Manager::from_config(pg, NoTls, manager_config);
        // No wait timeout of its own: the handler bounds every store call (`store_timeout`),
        // and waiting for a connection is the queue a burst of deliveries forms.
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(1)))
            .recycle_timeout(Some(Duration::from_secs(1)))
            .build()
            .map_err(|e| StoreError::Config {
                store: STORE,
                reason: e.to_string(),
            })?;
        Ok(Self::from_pool(pool))
    }

    /// Uses a pool built by the caller (size, timeouts, TLS through a rustls connector).
    pub fn from_pool(pool: Pool) -> Self {
        Self {
            pool,
            sql: Arc::new(Sql::new(DEFAULT_INBOX_TABLE)),
            table: DEFAULT_INBOX_TABLE.into(),
            keep_event: true,
        }
    }

    /// Uses another table name (default [`DEFAULT_INBOX_TABLE`]): letters, digits and `_`,
    /// starting with a letter or `_`, at most 52 bytes, optionally `schema.`-qualified.
    pub fn with_table(mut self, table: &str) -> Result<Self, StoreError> {
        let valid_part = |p: &str| {
            !p.is_empty()
                && p.len() <= MAX_TABLE_LEN
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !p.as_bytes()[0].is_ascii_digit()
        };
        let parts: Vec<&str> = table.split('.').collect();
        if parts.len() > 2 || !parts.iter().all(|p| valid_part(p)) {
            return Err(StoreError::Config {
                store: STORE,
                reason: format!(
                    "table name {table:?} must be [A-Za-z_][A-Za-z0-9_]* of at most {MAX_TABLE_LEN} bytes, optionally schema-qualified"
                ),
            });
        }
        self.sql = Arc::new(Sql::new(table));
        self.table = table.into();
        Ok(self)
    }

    /// Whether to keep the decrypted event in the `event` column (default true). It makes the
    /// table a full audit log, and holds user identifiers (openid, unionid).
    pub fn keep_event(mut self, keep: bool) -> Self {
        self.keep_event = keep;
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The connection pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Creates the table, its fencing sequence and its index if they do not exist
    /// ([`INBOX_MIGRATION`] for this table name), in one transaction under an advisory lock so
    /// that instances starting together do not race.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let sql = INBOX_MIGRATION.replace(DEFAULT_INBOX_TABLE, &self.table);
        let mut client = self.pool.get().await.map_err(pool_err)?;
        let tx = client.transaction().await.map_err(pg_err)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1::text))",
            &[&"wxpay_callback_inbox_migration"],
        )
        .await
        .map_err(pg_err)?;
        tx.batch_execute(&sql).await.map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)
    }

    /// Deletes completed rows older than `age`; returns how many. Keep at least
    /// [`MIN_RETENTION`](super::MIN_RETENTION) (24 h is a comfortable floor).
    pub async fn purge_completed(&self, age: Duration) -> Result<u64, StoreError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        client
            .execute(&self.sql.purge, &[&age.as_secs_f64()])
            .await
            .map_err(pg_err)
    }

    /// The inbox row of a notification, if any.
    pub async fn record(&self, notification_id: &str) -> Result<Option<InboxRecord>, StoreError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        let row = client
            .query_opt(&self.sql.record, &[&notification_id])
            .await
            .map_err(pg_err)?;
        row.map(|r| {
            Ok(InboxRecord {
                notification_id: r.try_get(0).map_err(pg_err)?,
                event_type: r.try_get(1).map_err(pg_err)?,
                create_time: r.try_get(2).map_err(pg_err)?,
                event: r.try_get(3).map_err(pg_err)?,
                status: r.try_get(4).map_err(pg_err)?,
                fencing: u64::try_from(r.try_get::<_, i64>(5).map_err(pg_err)?).unwrap_or(0),
                attempts: u32::try_from(r.try_get::<_, i32>(6).map_err(pg_err)?).unwrap_or(0),
                last_error: r.try_get(7).map_err(pg_err)?,
            })
        })
        .transpose()
    }

    async fn claim_inner(&self, request: ClaimRequest<'_>) -> Result<ClaimOutcome, StoreError> {
        let token = wxpay_crypto::random_nonce().map_err(|e| StoreError::Backend {
            store: STORE,
            source: Box::new(e),
        })?;
        // jsonb cannot hold U+0000; such an event is not kept rather than failing the claim.
        let event =
            (self.keep_event && !request.event.is_empty() && !request.event.contains("\\u0000"))
                .then_some(request.event);
        let lease = request.lease.as_secs_f64();
        let client = self.pool.get().await.map_err(pool_err)?;
        let statement = client
            .prepare_cached(&self.sql.claim)
            .await
            .map_err(pg_err)?;
        // A row inserted by a concurrent transaction after this statement's snapshot can be
        // neither claimed nor read back; the next attempt sees it.
        for _ in 0..3 {
            let rows = client
                .query(
                    &statement,
                    &[
                        &request.notification_id,
                        &request.event_type,
                        &request.create_time,
                        &event,
                        &token,
                        &lease,
                    ],
                )
                .await
                .map_err(pg_err)?;
            let Some(row) = rows.first() else { continue };
            let status: String = row.try_get(0).map_err(pg_err)?;
            let fencing: i64 = row.try_get(1).map_err(pg_err)?;
            let left_ms: Option<f64> = row.try_get(2).map_err(pg_err)?;
            return match status.as_str() {
                "claimed" => Ok(ClaimOutcome::Claimed(Lease::new(
                    request.notification_id,
                    token,
                    u64::try_from(fencing).unwrap_or(0),
                ))),
                "completed" => Ok(ClaimOutcome::Completed),
                "processing" | "released" => Ok(ClaimOutcome::InProgress {
                    retry_after: left_ms
                        .filter(|ms| *ms > 0.0)
                        .map(|ms| Duration::from_secs_f64(ms / 1000.0)),
                }),
                other => Err(StoreError::Corrupt {
                    store: STORE,
                    detail: format!("row {:?} has status {other:?}", request.notification_id),
                }),
            };
        }
        Ok(ClaimOutcome::InProgress { retry_after: None })
    }

    async fn complete_inner(&self, lease: &Lease) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        let statement = client
            .prepare_cached(&self.sql.complete)
            .await
            .map_err(pg_err)?;
        let n = client
            .execute(&statement, &[&lease.notification_id(), &lease.token()])
            .await
            .map_err(pg_err)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                notification_id: lease.notification_id().to_owned(),
            })
        }
    }

    async fn release_inner(&self, lease: &Lease, reason: &str) -> Result<(), StoreError> {
        let reason: String = reason.chars().take(1000).collect();
        let client = self.pool.get().await.map_err(pool_err)?;
        let statement = client
            .prepare_cached(&self.sql.release)
            .await
            .map_err(pg_err)?;
        client
            .execute(
                &statement,
                &[&lease.notification_id(), &lease.token(), &reason],
            )
            .await
            .map_err(pg_err)?;
        Ok(())
    }
}

impl IdempotencyStore for PostgresStore {
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> StoreFuture<'a, ClaimOutcome> {
        Box::pin(self.claim_inner(request))
    }

    fn complete<'a>(&'a self, lease: &'a Lease, _retention: Duration) -> StoreFuture<'a, ()> {
        Box::pin(self.complete_inner(lease))
    }

    fn release<'a>(&'a self, lease: &'a Lease, reason: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.release_inner(lease, reason))
    }

    fn name(&self) -> &'static str {
        STORE
    }
}

fn pool_err(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => pg_err(e),
        other => StoreError::Unavailable {
            store: STORE,
            source: Box::new(other),
        },
    }
}

fn pg_err(e: tokio_postgres::Error) -> StoreError {
    if e.as_db_error().is_some() {
        StoreError::Backend {
            store: STORE,
            source: Box::new(e),
        }
    } else {
        StoreError::Unavailable {
            store: STORE,
            source: Box::new(e),
        }
    }
}
