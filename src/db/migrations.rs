//! Embedded migrations, one folder per backend (`migrations/sqlite`, `migrations/postgres`) with the
//! same names in both; a test keeps them in step.

use diesel::migration::MigrationVersion;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A fixed key for `pg_advisory_lock`, so instances starting together migrate one at a time.
const PG_MIGRATION_LOCK: i64 = 0x5350_4454_534b; // "SPDTSK"

/// Runs every pending migration and returns the names applied, oldest first.
///
/// SQLite is switched to WAL here, once per file: the mode is persistent, and readers then no
/// longer block the writer.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied: Vec<MigrationVersion<'static>> = match conn {
        DbConn::Sqlite(c) => {
            diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA journal_mode = WAL;")?;
            c.run_pending_migrations(SQLITE)
                .map_err(|e| DbError::Config(format!("migration failed: {e}")))?
                .into_iter()
                .map(|v| v.as_owned())
                .collect()
        }
        DbConn::Postgres(c) => {
            use diesel::connection::SimpleConnection;
            c.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))?;
            let result = c.run_pending_migrations(POSTGRES).map(|versions| {
                versions
                    .into_iter()
                    .map(|v| v.as_owned())
                    .collect::<Vec<_>>()
            });
            c.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))?;
            result.map_err(|e| DbError::Config(format!("migration failed: {e}")))?
        }
    };
    Ok(applied.iter().map(|v| v.to_string()).collect())
}
