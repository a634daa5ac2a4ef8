//! One connection type over both backends, and the r2d2 manager that opens it.

use super::Result;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use super::error::Error;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` are PostgreSQL; anything else is a SQLite file.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A live connection to either backend.
pub enum DbConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// SQLite settings applied to every connection: foreign keys are off by default, and without a
/// busy timeout a second writer fails at once instead of waiting its turn. `optimize=0x10002`
/// refreshes the planner's statistics of tables that changed much since they were taken (what
/// SQLite advises on opening a long-lived connection); `analysis_limit` keeps that to a sample.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = NORMAL; PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;";

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction: commit on `Ok`, roll back on `Err`.
    ///
    /// SQLite transactions start with `BEGIN IMMEDIATE`, taking the write lock up front: a deferred
    /// transaction that reads and then writes can fail with `SQLITE_BUSY` without waiting, because
    /// the busy timeout does not apply to upgrading a read lock.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        self.begin()?;
        self.run_begun(f)
    }

    /// Runs `f` inside the transaction just begun, then commits or rolls back.
    pub fn run_begun<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        match f(self) {
            Ok(value) => {
                let committed = match self {
                    DbConn::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
                    DbConn::Postgres(c) => AnsiTransactionManager::commit_transaction(c),
                };
                committed.map_err(Error::from)?;
                Ok(value)
            }
            Err(err) => {
                let rolled_back = match self {
                    DbConn::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                    DbConn::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
                };
                if let Err(e) = rolled_back {
                    log::error!("rollback failed: {e}");
                }
                Err(err)
            }
        }
    }

    /// Runs `f` in a savepoint inside the current transaction: on `Err` only its own work is
    /// undone, and the transaction stays usable (PostgreSQL aborts a whole transaction on an error
    /// otherwise).
    pub fn savepoint<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        // Inside a transaction, diesel's `begin_transaction` issues `SAVEPOINT`.
        match self {
            DbConn::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction(c).map_err(Error::from)?
            }
            DbConn::Postgres(c) => {
                AnsiTransactionManager::begin_transaction(c).map_err(Error::from)?
            }
        }
        let result = f(self);
        let ended = match (&result, &mut *self) {
            (Ok(_), DbConn::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
            (Ok(_), DbConn::Postgres(c)) => AnsiTransactionManager::commit_transaction(c),
            (Err(_), DbConn::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
            (Err(_), DbConn::Postgres(c)) => AnsiTransactionManager::rollback_transaction(c),
        };
        match (ended, result) {
            (Ok(()), result) => result,
            (Err(e), Ok(_)) => Err(Error::from(e).into()),
            // The caller needs the first error; a failed rollback breaks the connection anyway.
            (Err(e), Err(original)) => {
                log::error!("savepoint rollback failed: {e}");
                Err(original)
            }
        }
    }

    /// Marks the connection broken, so the pool drops it instead of handing it out again.
    ///
    /// diesel only calls a connection broken when its transaction state is; a PostgreSQL
    /// connection whose server went away (a restart, `pg_terminate_backend`) would otherwise go
    /// back to the pool and fail every request that draws it.
    pub fn mark_broken(&mut self) {
        match self {
            DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
            DbConn::Postgres(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        }
        .set_in_error();
    }

    /// One round trip that proves the connection still works.
    pub fn ping(&mut self) -> Result<()> {
        match self {
            DbConn::Sqlite(c) => Ok(c.ping()?),
            DbConn::Postgres(c) => Ok(c.ping()?),
        }
    }

    /// Starts a transaction (see [`DbConn::transaction`]); [`DbConn::run_begun`] ends it.
    pub fn begin(&mut self) -> Result<()> {
        match self {
            DbConn::Sqlite(c) => Ok(AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN IMMEDIATE",
            )?),
            DbConn::Postgres(c) => Ok(AnsiTransactionManager::begin_transaction(c)?),
        }
    }

    /// Runs raw SQL that needs no results (pragmas, locks).
    pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
        match self {
            DbConn::Sqlite(c) => Ok(c.batch_execute(sql)?),
            DbConn::Postgres(c) => Ok(c.batch_execute(sql)?),
        }
    }
}

/// Opens connections for the pool, choosing the backend by the URL's scheme.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    backend: Backend,
    /// For SQLite, the file path (the `sqlite://` prefix removed); for PostgreSQL, the URL.
    target: String,
    /// PostgreSQL's `statement_timeout` for every connection (SQLite's bound is per request).
    statement_timeout: Option<std::time::Duration>,
}

impl ConnectionManager {
    pub fn new(url: &str) -> Result<Self, Error> {
        let backend = Backend::from_url(url);
        let target = match backend {
            Backend::Postgres => url.to_string(),
            Backend::Sqlite => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url)
                .to_string(),
        };
        if target.is_empty() {
            return Err(Error::Config("DATABASE_URL names no database".into()));
        }
        if backend == Backend::Sqlite {
            super::sqlite_planner::install();
        }
        Ok(ConnectionManager {
            backend,
            target,
            statement_timeout: None,
        })
    }

    /// Sets the work bound: PostgreSQL connections get it as `statement_timeout`; on SQLite the
    /// progress handler that enforces [`crate::db::Db`]'s deadlines is installed.
    pub fn with_work_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.statement_timeout = timeout.filter(|_| self.backend == Backend::Postgres);
        if timeout.is_some() && self.backend == Backend::Sqlite {
            super::sqlite_deadline::install();
        }
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens one connection, outside any pool.
    pub fn connect(&self) -> Result<DbConn, Error> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                super::audit::install(&mut conn);
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                super::audit::install(&mut conn);
                // diesel prepares each statement once per connection; a generic plan lets
                // PostgreSQL plan it once too, instead of planning for every call's values. Not
                // on Citus: it routes a statement by the account id bound to it, which a
                // generic plan does not know ("could not create distributed plan"), so every
                // plan there is planned with its values.
                let plans = match is_citus(&mut conn)? {
                    false => "SET plan_cache_mode = force_generic_plan",
                    true => "SET plan_cache_mode = force_custom_plan",
                };
                conn.batch_execute(plans)?;
                // No parallel workers and no JIT: every statement here is short. Starting workers
                // cost a search 8 ms on a plan whose own work took 0.7 ms, and compiling a filtered
                // list's plan 40–107 ms on a 1–5 ms scan (auto_explain, 300k customers).
                conn.batch_execute("SET max_parallel_workers_per_gather = 0; SET jit = off")?;
                if let Some(timeout) = self.statement_timeout {
                    conn.batch_execute(&format!(
                        "SET statement_timeout = {}",
                        timeout.as_millis().max(1)
                    ))?;
                }
                Ok(DbConn::Postgres(conn))
            }
        }
    }
}

/// Whether the database is distributed by Citus (docs/SCALING.md).
fn is_citus(conn: &mut PgConnection) -> Result<bool, Error> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    use diesel::RunQueryDsl;
    let citus = diesel::select(sql::<Bool>(
        "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
    ))
    .get_result(conn)?;
    Ok(citus)
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = Error;

    fn connect(&self) -> Result<DbConn, Error> {
        ConnectionManager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Error> {
        conn.ping()
    }

    /// A PostgreSQL connection whose server went away is dropped rather than handed out again.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        match conn {
            DbConn::Sqlite(c) => c.is_broken(),
            DbConn::Postgres(c) => c.is_broken(),
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` builds the bundled SQLite without the process-wide page cache and
    /// memory statistics, whose mutexes serialized concurrent readers.
    #[test]
    fn sqlite_is_built_without_process_wide_locks() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("SELECT 1").unwrap();
        let options: Vec<String> =
            diesel::sql_query("SELECT compile_options FROM pragma_compile_options")
                .load::<CompileOption>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|o| o.compile_options)
                .collect();
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }
}
