//! The only code that knows there are two backends.
//!
//! [`DbConn`] is SQLite or PostgreSQL; repository functions take `&mut DbConn` and use [`db_run!`],
//! which compiles the same diesel query once per backend. That keeps one set of queries while each
//! backend still gets its full dialect (`RETURNING`, `ON CONFLICT`) — what diesel's `MultiConnection`
//! would restrict to a common subset.

pub mod accounts;
pub mod any_of;
pub mod audit;
pub mod bulk;
pub mod companies;
mod connection;
pub mod contacts;
pub mod conversations;
pub mod custom_attributes;
pub mod customer_requests;
pub mod customers;
pub mod duplicates;
mod error;
pub mod events;
pub mod external_ids;
pub mod idempotency;
pub mod interactions;
pub mod journal;
mod keyset;
pub mod labels;
pub mod merges;
pub mod migrations;
pub mod notes;
pub mod rate_limits;
pub mod replicas;
pub mod row_lock;
pub mod schema;
mod scope;
pub mod search_terms;
pub mod settings;
pub mod sort_names;
mod sqlite_deadline;
mod sqlite_planner;
mod stored_text;
pub mod tags;
pub mod tokens;
pub mod users;
pub mod webhooks;
mod write_hook;

pub use connection::{Backend, ConnectionManager, DbConn};
pub use error::{Cause, ConflictKind, Error, Result, WorkError};
pub use scope::Scope;
pub use write_hook::{scope as with_write_hook, WriteHook};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::r2d2::Pool as R2d2Pool;

/// Runs `$body` with `$conn` rebound to the concrete connection of whichever backend is in use;
/// `$body` is diesel work, and its error becomes the repository's [`Error`].
#[macro_export]
macro_rules! db_run {
    ($conn:ident, $body:block) => {
        match $conn {
            $crate::db::DbConn::Sqlite($conn) => $crate::db::from_diesel($body),
            $crate::db::DbConn::Postgres($conn) => $crate::db::from_diesel($body),
        }
    };
}

/// Looks up one row with `$query` (a diesel select), locking it until the transaction ends when
/// `$lock` is [`Lock::ForUpdate`]: `FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// already serializes every writer.
#[macro_export]
macro_rules! find_one {
    ($conn:ident, $lock:expr, $query:expr) => {
        match ($conn, $lock) {
            ($crate::db::DbConn::Postgres(pg), $crate::db::Lock::ForUpdate) => {
                $crate::db::from_diesel($query.for_update().get_result(pg).optional())
            }
            ($conn, _) => $crate::db_run!($conn, { $query.get_result($conn).optional() }),
        }
    };
}

/// Whether a lookup also locks its row until the transaction ends (see [`find_one!`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    None,
    /// Writers of one row take turns: concurrent updates of a customer (and its 15/25/150
    /// limits) or a company run one after another.
    ForUpdate,
}

/// diesel's result as the repository's (see [`db_run!`]).
pub fn from_diesel<T>(result: diesel::QueryResult<T>) -> Result<T> {
    result.map_err(Error::from)
}

/// Settings that shape the pool.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub url: String,
    /// `None`: a default that suits the backend.
    pub size: Option<u32>,
    /// How long a request waits for a free connection before it gets a 503.
    pub connection_timeout: Duration,
    /// The most database time one request may take: a statement timeout on PostgreSQL, a
    /// progress-handler deadline on SQLite. `None`: unbounded (the command line's bulk work).
    pub work_timeout: Option<Duration>,
    /// PostgreSQL replicas of `url` that serve account reads (see [`replicas`]).
    pub read_urls: Vec<String>,
    /// How far behind the primary a replica may be and still serve reads.
    pub max_replica_lag: Duration,
}

impl PoolOptions {
    pub fn new(url: &str) -> Self {
        PoolOptions {
            url: url.to_string(),
            size: None,
            connection_timeout: Duration::from_secs(5),
            work_timeout: None,
            read_urls: Vec::new(),
            max_replica_lag: Duration::from_secs(1),
        }
    }
}

/// After a lost connection, how long every checkout first proves its connection with a ping:
/// the pool may hold more connections to the server that went away.
const RECHECK_AFTER_LOSS: Duration = Duration::from_secs(60);

/// The connection pool, shared by every worker. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: R2d2Pool<ConnectionManager>,
    manager: ConnectionManager,
    backend: Backend,
    work_timeout: Option<Duration>,
    /// SQLite has one writer at a time. Writers of this process queue here, in turn, instead of
    /// in SQLite's busy handler, which sleeps and retries with back-off: under a burst of writes
    /// that starved some requests for a second (p99) while others got in.
    sqlite_writer: Arc<Mutex<()>>,
    /// Until when checkouts ping first (see [`RECHECK_AFTER_LOSS`]); milliseconds since `epoch`.
    recheck_until_ms: Arc<AtomicU64>,
    /// Connections handed to requests so far (one per request is the rule; tests check it).
    checkouts: Arc<AtomicU64>,
    epoch: Instant,
    /// Where account reads may go instead of the primary (`DATABASE_READ_URL`).
    replicas: Option<Arc<replicas::Replicas>>,
}

impl Db {
    /// Builds the pool without touching the database: a server may start while the database is down.
    pub fn new(options: &PoolOptions) -> Result<Db> {
        let manager = ConnectionManager::new(&options.url)?.with_work_timeout(options.work_timeout);
        let backend = manager.backend();
        let size = options.size.unwrap_or(match backend {
            // WAL lets readers run beside the one writer; more connections only queue on the lock.
            Backend::Sqlite => 8,
            Backend::Postgres => 10,
        });
        // No test on checkout: a ping per request is a round trip on the hot path. Lost
        // connections are found by the request that meets one instead (see `Db::read`).
        let pool = R2d2Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(false)
            .build_unchecked(manager.clone());
        let replicas = match (options.read_urls.is_empty(), backend) {
            (true, _) => None,
            (false, Backend::Sqlite) => {
                return Err(Error::Config(
                    "DATABASE_READ_URL needs PostgreSQL: SQLite has no replicas".into(),
                ))
            }
            (false, Backend::Postgres) => Some(Arc::new(replicas::Replicas::new(
                &options.read_urls,
                size,
                options.work_timeout,
                options.max_replica_lag,
            )?)),
        };
        Ok(Db {
            pool,
            manager,
            backend,
            work_timeout: options.work_timeout,
            sqlite_writer: Arc::default(),
            recheck_until_ms: Arc::default(),
            checkouts: Arc::default(),
            epoch: Instant::now(),
            replicas,
        })
    }

    /// How many replicas serve reads right now (fresh and answering).
    pub fn serving_replicas(&self) -> usize {
        self.replicas.as_ref().map_or(0, |r| r.serving())
    }

    /// Whether reads may go to replicas: callers then say who they are ([`Db::read_as`]).
    pub fn has_replicas(&self) -> bool {
        self.replicas.is_some()
    }

    /// Remembers that `who` just wrote: its reads stay on the primary for a while.
    pub fn wrote(&self, who: &str) {
        if let Some(replicas) = &self.replicas {
            replicas.wrote(who);
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool's size: what per-account limits are sized from.
    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// How long a request waits for a free connection before it gets a 503.
    pub fn connection_timeout(&self) -> Duration {
        self.pool.connection_timeout()
    }

    /// Connections checked out right now (tests watch it).
    pub fn in_use(&self) -> u32 {
        let state = self.pool.state();
        state.connections - state.idle_connections
    }

    /// How many connections requests have checked out since the pool was made.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.load(Ordering::Relaxed)
    }

    /// A connection for start-up and command-line work, outside any request.
    pub fn get(&self) -> Result<PooledConn> {
        // Logged where the error is turned into an answer (`ApiError`), with its causes.
        Ok(self.pool.get()?)
    }

    /// Bookkeeping beside a request, not the request's own work (a rate-limit count): a pooled
    /// connection on the blocking pool, outside a transaction, not counted as the request's
    /// checkout.
    pub async fn bookkeeping<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(move |db| {
            let mut conn = db.get()?;
            db.bounded(|| f(&mut conn))
        })
        .await
    }

    /// A connection of its own, outside the pool and without the work timeout: for migrations,
    /// which may rewrite a large table.
    pub fn connect_unbounded(&self) -> Result<DbConn> {
        self.manager.clone().with_work_timeout(None).connect()
    }

    /// A pooled connection for a request; while connections were lately lost, one that answers
    /// a ping (the dead ones met on the way are dropped).
    fn checkout(&self) -> Result<PooledConn> {
        self.checkouts.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.get()?;
        if self.millis_since_epoch() >= self.recheck_until_ms.load(Ordering::Relaxed) {
            return Ok(conn);
        }
        // Each dead connection is dropped; at worst the pool opens a fresh one.
        for _ in 0..self.pool.max_size() {
            if conn.ping().is_ok() {
                return Ok(conn);
            }
            conn.mark_broken();
            drop(conn);
            conn = self.get()?;
        }
        Ok(conn)
    }

    /// Called with a connection that just failed with `Unavailable`. On PostgreSQL that means
    /// the session is gone: drop it, and have checkouts ping for a while. Returns whether the
    /// work is worth retrying on another connection.
    fn connection_lost(&self, conn: &mut DbConn) -> bool {
        if self.backend != Backend::Postgres {
            // SQLite's only `Unavailable` is a writer that waited out the busy timeout.
            return false;
        }
        conn.mark_broken();
        let until = self.millis_since_epoch() + RECHECK_AFTER_LOSS.as_millis() as u64;
        self.recheck_until_ms.fetch_max(until, Ordering::Relaxed);
        log::warn!("lost a database connection; checking pooled connections for a while");
        true
    }

    fn millis_since_epoch(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Runs `f` on the blocking thread pool with a pooled connection, outside a transaction.
    /// A read that meets a lost connection runs once more on a live one: reads are safe to repeat.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        self.blocking(move |db| db.read_on_primary(&f)).await
    }

    /// Like [`Db::read`], on a fresh replica when there is one, unless `who` wrote lately or the
    /// caller asked for `strong` consistency. A replica that fails with a lost connection is
    /// set aside and the read runs on the primary.
    pub async fn read_as<T, E, F>(&self, who: &str, strong: bool, f: F) -> Result<T, E>
    where
        F: Fn(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        let replicas = match &self.replicas {
            Some(replicas) if !strong && !replicas.wrote_lately(who) => replicas.clone(),
            _ => return self.read(f).await,
        };
        self.blocking(move |db| {
            if let Some((index, mut conn)) = replicas.checkout() {
                db.checkouts.fetch_add(1, Ordering::Relaxed);
                match db.bounded(|| f(&mut conn)) {
                    Err(e) if e.is_unavailable() => {
                        conn.mark_broken();
                        replicas.unusable(index, "lost connection");
                    }
                    result => return result,
                }
            }
            db.read_on_primary(&f)
        })
        .await
    }

    /// A read that meets a lost connection runs once more on a live one: reads are safe to repeat.
    fn read_on_primary<T, E: WorkError>(
        &self,
        f: &impl Fn(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.checkout()?;
        match self.bounded(|| f(&mut conn)) {
            Err(e) if e.is_unavailable() && self.connection_lost(&mut conn) => {
                drop(conn);
                let mut conn = self.checkout()?;
                self.bounded(|| f(&mut conn))
            }
            result => result,
        }
    }

    /// Runs `f` in one transaction on the blocking thread pool: it commits when `f` returns `Ok`
    /// and rolls everything back when it returns `Err`, so a failed request writes nothing.
    /// A `BEGIN` that meets a lost connection is retried on a live one (nothing has run yet).
    /// A [`WriteHook`] installed on the calling task runs last in the transaction.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        let hook = write_hook::current();
        self.blocking(move |db| {
            // SQLite writers take their turn before taking a connection, so waiting writers
            // don't hold the connections readers need.
            let _turn = match db.backend {
                // A panicked writer rolled back; the lock guards no data of its own.
                Backend::Sqlite => Some(db.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
                Backend::Postgres => None,
            };
            let mut conn = db.checkout()?;
            if let Err(e) = conn.begin() {
                if !e.is_unavailable() || !db.connection_lost(&mut conn) {
                    return Err(e.into());
                }
                drop(conn);
                conn = db.checkout()?;
                conn.begin()?;
            }
            let result: Result<T, E> = db.bounded(|| {
                conn.run_begun(|conn| {
                    let value = f(conn)?;
                    if let Some(hook) = &hook {
                        hook.run(conn)?;
                    }
                    Ok(value)
                })
            });
            match (&result, &hook) {
                (Ok(_), Some(hook)) => hook.mark_committed(),
                (Err(e), _) if e.is_unavailable() => {
                    db.connection_lost(&mut conn);
                }
                _ => {}
            }
            result
        })
        .await
    }

    /// Runs `work` under this pool's work timeout (SQLite's deadline; PostgreSQL's statement
    /// timeout is set on the connection).
    fn bounded<T>(&self, work: impl FnOnce() -> T) -> T {
        match (self.backend, self.work_timeout) {
            (Backend::Sqlite, Some(timeout)) => sqlite_deadline::within(timeout, work),
            _ => work(),
        }
    }

    /// Runs `f` on actix's blocking thread pool (diesel is synchronous).
    async fn blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        let db = self.clone();
        web::block(move || audit::request_work(|| f(&db)))
            .await
            .map_err(|e| E::from(Error::Other(e.to_string().into())))?
    }
}

/// Keeps SQLite's planner statistics true while the server runs: `PRAGMA optimize` every `every`
/// re-samples the tables that changed much since their last analysis (a sample, bounded by
/// `analysis_limit`), as SQLite advises for long-lived connections. PostgreSQL's autovacuum does
/// the same on its own.
pub async fn refresh_statistics(db: Db, every: Duration) {
    if db.backend != Backend::Sqlite {
        return;
    }
    let mut ticks = actix_web::rt::time::interval(every);
    ticks.tick().await; // the first tick is now; connections already ran it as they opened
    loop {
        ticks.tick().await;
        if let Err(e) = db.read(|conn| conn.batch_execute("PRAGMA optimize")).await {
            log::warn!("refreshing SQLite's statistics failed: {e}");
        }
    }
}

/// Samples the primary and the replicas every [`replicas::POLL`] (see [`replicas`]), so reads go
/// only to replicas that keep up.
pub async fn watch_replicas(db: Db) {
    let Some(replicas) = db.replicas.clone() else {
        return;
    };
    let mut ticks = actix_web::rt::time::interval(replicas::POLL);
    loop {
        ticks.tick().await;
        let (replicas, primary) = (replicas.clone(), db.manager.clone());
        if web::block(move || replicas.sample(&primary)).await.is_err() {
            log::warn!("sampling the read replicas failed");
        }
    }
}

/// The current time as stored: UTC, to the microsecond (what PostgreSQL keeps), so a value reads
/// back exactly as it was written on either backend.
/// Whether an update's `change` (`None`: left alone) would change the column's value `now`: how
/// a write that changes nothing is told apart, so it writes nothing.
pub(crate) fn differs<T: PartialEq>(change: &Option<T>, now: &T) -> bool {
    change.as_ref().is_some_and(|value| value != now)
}

pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Serializes start-up work (bootstrap) across instances: a transaction-scoped advisory lock on
/// PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the only write lock.
pub fn lock_for_startup(conn: &mut DbConn) -> Result<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(_) => conn.batch_execute("SELECT pg_advisory_xact_lock(5263436)"),
    }
}

/// A connection checked out of the pool.
pub type PooledConn = diesel::r2d2::PooledConnection<ConnectionManager>;

diesel::define_sql_function! {
    /// SQL `lower()`; on SQLite it folds ASCII only. For the repositories (child modules).
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}
