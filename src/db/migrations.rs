//! Embedded migrations, one folder per backend (`migrations/sqlite`, `migrations/postgres`) with the
//! same names in both; a test keeps them in step.

use diesel::backend::Backend as DieselBackend;
use diesel::migration::MigrationSource;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, Error, Result};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A fixed key for `pg_advisory_lock`, so instances starting together migrate one at a time.
const PG_MIGRATION_LOCK: i64 = 0x5350_4454_534b;

/// Runs every pending migration and returns the names applied, oldest first.
///
/// SQLite is switched to WAL here, once per file: the mode is persistent, and readers then no
/// longer block the writer.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>> {
    match conn {
        DbConn::Sqlite(c) => {
            diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA journal_mode = WAL;")?;
            apply(c, SQLITE)
        }
        DbConn::Postgres(c) => {
            use diesel::connection::SimpleConnection;
            c.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))?;
            let result = apply(c, POSTGRES);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))?;
            result
        }
    }
}

fn apply<C, DB>(conn: &mut C, source: EmbeddedMigrations) -> Result<Vec<String>>
where
    DB: DieselBackend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let failed = Error::Migration;
    let pending = conn.pending_migrations(source).map_err(failed)?;
    let names = pending.iter().map(|m| m.name().to_string()).collect();
    conn.run_migrations(&pending).map_err(failed)?;
    Ok(names)
}

/// Reverts every applied migration, newest first (tests check that down and up again give the
/// same schema).
pub fn revert_all(conn: &mut DbConn) -> Result<()> {
    fn revert<C, DB>(conn: &mut C, source: EmbeddedMigrations) -> Result<()>
    where
        DB: DieselBackend,
        C: MigrationHarness<DB>,
        EmbeddedMigrations: MigrationSource<DB>,
    {
        conn.revert_all_migrations(source)
            .map_err(Error::Migration)?;
        Ok(())
    }
    match conn {
        DbConn::Sqlite(c) => revert(c, SQLITE),
        DbConn::Postgres(c) => revert(c, POSTGRES),
    }
}
