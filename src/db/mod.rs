//! The only code that knows there are two backends.
//!
//! [`DbConn`] is SQLite or PostgreSQL; repository functions take `&mut DbConn` and use [`db_run!`],
//! which compiles the same diesel query once per backend. That keeps one set of queries while each
//! backend still gets its full dialect (`RETURNING`, `ON CONFLICT`) — what diesel's `MultiConnection`
//! would restrict to a common subset.

pub mod accounts;
pub mod bulk;
pub mod companies;
mod connection;
pub mod contacts;
pub mod conversations;
pub mod customer_requests;
pub mod customers;
pub mod interactions;
pub mod labels;
pub mod migrations;
pub mod schema;
pub mod settings;
pub mod tokens;
pub mod users;

pub use connection::{Backend, ConnectionManager, DbConn, DbError};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;
use diesel::r2d2::Pool as R2d2Pool;

use crate::error::ApiError;

/// Runs `$body` with `$conn` rebound to the concrete connection of whichever backend is in use.
#[macro_export]
macro_rules! db_run {
    ($conn:ident: $body:block) => {
        match $conn {
            $crate::db::DbConn::Sqlite($conn) => $body,
            $crate::db::DbConn::Postgres($conn) => $body,
        }
    };
}

/// Settings that shape the pool.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub url: String,
    /// `None`: a default that suits the backend.
    pub size: Option<u32>,
    /// How long a request waits for a free connection before it gets a 503.
    pub connection_timeout: Duration,
}

impl PoolOptions {
    pub fn new(url: &str) -> Self {
        PoolOptions {
            url: url.to_string(),
            size: None,
            connection_timeout: Duration::from_secs(5),
        }
    }
}

/// The connection pool, shared by every worker. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: R2d2Pool<ConnectionManager>,
    backend: Backend,
    /// SQLite has one writer at a time. Writers of this process queue here, in turn, instead of
    /// in SQLite's busy handler, which sleeps and retries with back-off: under a burst of writes
    /// that starved some requests for a second (p99) while others got in.
    sqlite_writer: Arc<Mutex<()>>,
}

impl Db {
    /// Builds the pool without touching the database: a server may start while the database is down.
    pub fn new(options: &PoolOptions) -> Result<Db, DbError> {
        let manager = ConnectionManager::new(&options.url)?;
        let backend = manager.backend();
        let size = options.size.unwrap_or(match backend {
            // WAL lets readers run beside the one writer; more connections only queue on the lock.
            Backend::Sqlite => 8,
            Backend::Postgres => 10,
        });
        let pool = R2d2Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(false)
            .build_unchecked(manager);
        Ok(Db {
            pool,
            backend,
            sqlite_writer: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for start-up and command-line work, outside any request.
    pub fn get(&self) -> Result<diesel::r2d2::PooledConnection<ConnectionManager>, ApiError> {
        self.pool.get().map_err(|e| {
            log::warn!("database unavailable: {e}");
            ApiError::Unavailable
        })
    }

    /// Runs `f` on the blocking thread pool with a pooled connection, outside a transaction.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(move |db| f(&mut *db.get()?)).await
    }

    /// Runs `f` in one transaction on the blocking thread pool: it commits when `f` returns `Ok`
    /// and rolls everything back when it returns `Err`, so a failed request writes nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(move |db| {
            // SQLite writers take their turn before taking a connection, so waiting writers
            // don't hold the connections readers need.
            let _turn = match db.backend {
                // A panicked writer rolled back; the lock guards no data of its own.
                Backend::Sqlite => Some(db.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
                Backend::Postgres => None,
            };
            db.get()?.transaction(f)
        })
        .await
    }

    /// Runs `f` on actix's blocking thread pool (diesel is synchronous).
    async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Db) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        web::block(move || f(&db))
            .await
            .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
    }
}

/// The current time as stored: UTC, to the microsecond (what PostgreSQL keeps), so a value reads
/// back exactly as it was written on either backend.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Serializes start-up work (bootstrap) across instances: a transaction-scoped advisory lock on
/// PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the only write lock.
pub fn lock_for_startup(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(_) => conn.batch_execute("SELECT pg_advisory_xact_lock(5263436)"),
    }
}

/// A connection checked out of the pool.
pub type PooledConn = diesel::r2d2::PooledConnection<ConnectionManager>;
