//! The Redis idempotency store (feature `redis`): shared by every process that uses the same
//! Redis and key prefix.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};

use super::{ClaimOutcome, ClaimRequest, IdempotencyStore, Lease, StoreError, StoreFuture};

/// Key prefix used unless [`RedisStore::with_prefix`] sets another: `wxpay:callback`.
pub const DEFAULT_REDIS_PREFIX: &str = "wxpay:callback";

const STORE: &str = "redis";
const DONE: &str = "d";

/// Fencing: `INCR`, floored at the server's clock in microseconds, so the numbers keep
/// growing even if Redis loses the counter (a restart without persistence, a failover).
const FENCE_LUA: &str = r"
local f = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
if f < floor then
  redis.call('SET', KEYS[1], string.format('%.0f', floor))
  return floor
end
return f
";

/// Completion: compare-and-set on the claim token. A key that expired untaken is marked done
/// too (the work was done); a key held by another claim, or already done, is left alone.
const COMPLETE_LUA: &str = r"
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
";

/// Release: delete the key only while it still holds our claim.
const RELEASE_LUA: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Claims and completions in Redis, shared by every handler instance pointed at the same
/// server and prefix (Redis 7.0 or later).
///
/// One key per notification, `<prefix>:n:<id>`:
/// * **claim** — one atomic `MULTI`: `INCR <prefix>:fencing` (the fencing number, floored at
///   the server's `TIME` in microseconds by a short script so it keeps growing even if Redis
///   loses the counter), then
///   `SET <key> c:<token> NX PX <lease> GET` (sets only when absent and returns what was
///   there: nothing → claimed; `d` → completed; `c:…` → in progress, with `PTTL` as the time
///   left). An expired lease is simply an absent key.
/// * **complete** — a Lua compare-and-set: only while the key still holds our token (or has
///   expired untaken) does it become `d` for the retention period; a holder whose lease was
///   taken over gets [`StoreError::LeaseLost`] and changes nothing.
/// * **release** — a Lua compare-and-delete on the token.
///
/// Connections go through the `redis` crate's [`ConnectionManager`], which reconnects after
/// failures; while Redis is unreachable every delivery is answered 5xx and nothing is marked
/// done. Plain TCP (`redis://`); use a private network or a TLS-terminating proxy.
///
/// Guarantees: as strong as the Redis deployment. A single Redis with persistence keeps
/// completions across its restarts; without persistence (or after a failover that loses
/// recent writes) completions can be forgotten, and a redelivery would then be processed
/// again — the user's own writes must stay idempotent (see the fencing number).
///
/// ```no_run
/// # async fn run() -> Result<(), busifavor::callback::StoreError> {
/// use busifavor::callback::RedisStore;
/// let store = RedisStore::connect("redis://127.0.0.1:6379").await?.with_prefix("shop:wxpay")?;
/// # let _ = store; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    fencing_key: Arc<str>,
    complete: Arc<Script>,
    release: Arc<Script>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[user:password@]host:port[/db]`) now, so a wrong URL or an
    /// unreachable server is reported at start-up. Reconnects by itself later.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(config_error)?;
        let conn = ConnectionManager::new_with_config(client, manager_config())
            .await
            .map_err(map_err)?;
        Ok(Self::from_manager(conn))
    }

    /// Like [`connect`](Self::connect) but connects on first use: start-up succeeds while
    /// Redis is down, and deliveries are answered 5xx until it is reachable.
    pub fn connect_lazy(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(config_error)?;
        let conn = ConnectionManager::new_lazy_with_config(client, manager_config())
            .map_err(config_error)?;
        Ok(Self::from_manager(conn))
    }

    /// Uses a connection manager configured by the caller (timeouts, retries, TLS).
    pub fn from_manager(conn: ConnectionManager) -> Self {
        let prefix: Arc<str> = DEFAULT_REDIS_PREFIX.into();
        Self {
            conn,
            fencing_key: format!("{prefix}:fencing").into(),
            prefix,
            complete: Arc::new(Script::new(COMPLETE_LUA)),
            release: Arc::new(Script::new(RELEASE_LUA)),
        }
    }

    /// Sets the key prefix (default [`DEFAULT_REDIS_PREFIX`]): handlers that must see the same
    /// notifications use the same prefix; unrelated applications use different ones.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Result<Self, StoreError> {
        let prefix = prefix.into();
        if prefix.is_empty() || prefix.chars().any(char::is_whitespace) {
            return Err(StoreError::Config {
                store: STORE,
                reason: format!(
                    "key prefix {prefix:?} must be non-empty and without white space, e.g. \"shop:wxpay\""
                ),
            });
        }
        self.fencing_key = format!("{prefix}:fencing").into();
        self.prefix = prefix.into();
        Ok(self)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, notification_id: &str) -> String {
        format!("{}:n:{notification_id}", self.prefix)
    }

    async fn claim_inner(&self, request: ClaimRequest<'_>) -> Result<ClaimOutcome, StoreError> {
        let token = wxpay_crypto::random_nonce().map_err(|e| StoreError::Backend {
            store: STORE,
            source: Box::new(e),
        })?;
        let key = self.key(request.notification_id);
        let claim_value = format!("c:{token}");
        let mut conn = self.conn.clone();
        let (fencing, previous, pttl): (u64, Option<String>, i64) = redis::pipe()
            .atomic()
            .cmd("EVAL")
            .arg(FENCE_LUA)
            .arg(1)
            .arg(&*self.fencing_key)
            .cmd("SET")
            .arg(&key)
            .arg(&claim_value)
            .arg("NX")
            .arg("PX")
            .arg(millis(request.lease))
            .arg("GET")
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .map_err(map_err)?;
        match previous.as_deref() {
            None => Ok(ClaimOutcome::Claimed(Lease::new(
                request.notification_id,
                claim_value,
                fencing,
            ))),
            Some(DONE) => Ok(ClaimOutcome::Completed),
            Some(v) if v.starts_with("c:") => Ok(ClaimOutcome::InProgress {
                retry_after: u64::try_from(pttl).ok().map(Duration::from_millis),
            }),
            Some(other) => Err(StoreError::Corrupt {
                store: STORE,
                detail: format!(
                    "key {key} holds {:?}; is another program using the prefix {:?}?",
                    other.chars().take(32).collect::<String>(),
                    self.prefix
                ),
            }),
        }
    }

    async fn complete_inner(&self, lease: &Lease, retention: Duration) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let done: i64 = self
            .complete
            .key(self.key(lease.notification_id()))
            .arg(lease.token())
            .arg(DONE)
            .arg(millis(retention))
            .invoke_async(&mut conn)
            .await
            .map_err(map_err)?;
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                notification_id: lease.notification_id().to_owned(),
            })
        }
    }

    async fn release_inner(&self, lease: &Lease) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let _released: i64 = self
            .release
            .key(self.key(lease.notification_id()))
            .arg(lease.token())
            .invoke_async(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

impl IdempotencyStore for RedisStore {
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> StoreFuture<'a, ClaimOutcome> {
        Box::pin(self.claim_inner(request))
    }

    fn complete<'a>(&'a self, lease: &'a Lease, retention: Duration) -> StoreFuture<'a, ()> {
        Box::pin(self.complete_inner(lease, retention))
    }

    fn release<'a>(&'a self, lease: &'a Lease, _reason: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.release_inner(lease))
    }

    fn name(&self) -> &'static str {
        STORE
    }
}

/// Short timeouts and few reconnection retries: a callback has 5 s in all, and a store that
/// does not answer quickly is better reported (5xx, WeChat Pay retries) than waited for.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_millis(200))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn config_error(e: RedisError) -> StoreError {
    StoreError::Config {
        store: STORE,
        reason: format!("{e}; expected a URL like redis://127.0.0.1:6379"),
    }
}

fn map_err(e: RedisError) -> StoreError {
    if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() {
        StoreError::Unavailable {
            store: STORE,
            source: Box::new(e),
        }
    } else {
        StoreError::Backend {
            store: STORE,
            source: Box::new(e),
        }
    }
}
