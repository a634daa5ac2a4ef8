//! The repository's errors, and the only code that reads a database error's kind or text.

use std::fmt;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A boxed cause, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Result of repository work.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong at the database, in the terms the layers above decide on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row asked for is not there.
    #[error("no such row")]
    NotFound,
    /// The database can't be reached, the session is gone, or it is too busy to take the work
    /// (SQLite's writer waited out its busy timeout): worth retrying shortly.
    #[error("the database is unavailable")]
    Unavailable(#[source] Cause),
    /// The work passed the pool's time bound and was stopped.
    #[error("the work passed its time bound")]
    TooSlow,
    /// The change broke a constraint, or lost to a concurrent one.
    #[error("{kind} ({})", .constraint.as_deref().unwrap_or("constraint not named"))]
    Conflict {
        kind: ConflictKind,
        /// PostgreSQL's constraint name, or SQLite's `table.column, …` list.
        constraint: Option<String>,
    },
    /// The settings name no usable database.
    #[error("{0}")]
    Config(String),
    /// A migration could not be applied.
    #[error("migration failed")]
    Migration(#[source] Cause),
    /// Anything else: a defect, not the client's doing.
    #[error("database error")]
    Other(#[source] Cause),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    Unique,
    ForeignKey,
    /// A serialization failure or deadlock: a concurrent change won; the request may be retried.
    Concurrent,
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConflictKind::Unique => "unique violation",
            ConflictKind::ForeignKey => "foreign key violation",
            ConflictKind::Concurrent => "concurrent change",
        })
    }
}

impl Error {
    /// Whether this is a unique violation (of any constraint).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Error::Conflict {
                kind: ConflictKind::Unique,
                ..
            }
        )
    }

    fn conflict(kind: ConflictKind, info: &dyn diesel::result::DatabaseErrorInformation) -> Self {
        // PostgreSQL names the constraint; SQLite says "UNIQUE constraint failed: t.a, t.b".
        let constraint = info.constraint_name().map(str::to_string).or_else(|| {
            info.message()
                .split_once("constraint failed: ")
                .map(|(_, columns)| columns.to_string())
        });
        Error::Conflict { kind, constraint }
    }
}

/// Errors met by work on a connection (see [`crate::db::Db::read`]): the repository's own, and
/// whatever the caller's error type adds. The pool needs to tell a lost database apart, to retry.
pub trait WorkError: From<Error> + Send + 'static {
    fn is_unavailable(&self) -> bool;
}

impl WorkError for Error {
    fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

impl From<DieselError> for Error {
    fn from(err: DieselError) -> Self {
        if is_lost_connection(&err) {
            return Error::Unavailable(err.into());
        }
        if is_work_timeout(&err) {
            return Error::TooSlow;
        }
        match err {
            DieselError::NotFound => Error::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Error::conflict(ConflictKind::Unique, info.as_ref())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Error::conflict(ConflictKind::ForeignKey, info.as_ref())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Error::conflict(ConflictKind::Concurrent, info.as_ref())
            }
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if info.message().contains("deadlock detected") =>
            {
                Error::conflict(ConflictKind::Concurrent, info.as_ref())
            }
            // SQLite's writer waited out its busy timeout: the database is overloaded, not broken.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if info.message().contains("database is locked") =>
            {
                Error::Unavailable(err.into())
            }
            other => Error::Other(other.into()),
        }
    }
}

impl From<diesel::ConnectionError> for Error {
    fn from(err: diesel::ConnectionError) -> Self {
        Error::Unavailable(err.into())
    }
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Error::Unavailable(err.into())
    }
}

/// Whether `err` says the connection itself is gone (the server restarted, or ended this
/// session), rather than that a statement failed. libpq reports some of these without an
/// SQLSTATE, so diesel classifies them as `Unknown`: their text is the only sign.
fn is_lost_connection(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _)
        | DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            const SIGNS: [&str; 7] = [
                "server closed the connection",
                "terminating connection",
                "no connection to the server",
                "could not send data to server",
                "could not receive data from server",
                "SSL connection has been closed",
                "connection to server was lost",
            ];
            SIGNS.iter().any(|sign| info.message().contains(sign))
        }
        _ => false,
    }
}

/// Whether `err` is work stopped by the work timeout: PostgreSQL's `statement_timeout`
/// (SQLSTATE 57014, which diesel does not classify) or SQLite's deadline (see `sqlite_deadline`).
fn is_work_timeout(err: &DieselError) -> bool {
    matches!(err, DieselError::DatabaseError(_, info)
        if info.message() == "interrupted"
            || info.message().starts_with("canceling statement due to statement timeout"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str, Option<&'static str>);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.1
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn database(
        kind: DatabaseErrorKind,
        message: &'static str,
        name: Option<&'static str>,
    ) -> Error {
        DieselError::DatabaseError(kind, Box::new(Info(message, name))).into()
    }

    #[test]
    fn conflicts_name_their_constraint_on_either_backend() {
        let pg = database(
            DatabaseErrorKind::UniqueViolation,
            "duplicate key",
            Some("emails_key"),
        );
        assert!(
            matches!(pg, Error::Conflict { kind: ConflictKind::Unique, constraint: Some(ref c) } if c == "emails_key")
        );
        let sqlite = database(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed: customer_contacts.account_id, customer_contacts.value_key",
            None,
        );
        assert!(
            matches!(sqlite, Error::Conflict { constraint: Some(ref c), .. }
            if c == "customer_contacts.account_id, customer_contacts.value_key")
        );
        let fk = database(
            DatabaseErrorKind::ForeignKeyViolation,
            "FOREIGN KEY constraint failed",
            None,
        );
        assert!(matches!(
            fk,
            Error::Conflict {
                kind: ConflictKind::ForeignKey,
                constraint: None
            }
        ));
    }

    #[test]
    fn lost_sessions_busy_writers_and_timeouts_are_told_apart() {
        let lost = database(
            DatabaseErrorKind::Unknown,
            "server closed the connection unexpectedly",
            None,
        );
        assert!(lost.is_unavailable());
        let busy = database(DatabaseErrorKind::Unknown, "database is locked", None);
        assert!(busy.is_unavailable());
        let deadlock = database(DatabaseErrorKind::Unknown, "deadlock detected", None);
        assert!(matches!(
            deadlock,
            Error::Conflict {
                kind: ConflictKind::Concurrent,
                ..
            }
        ));
        let stopped = database(DatabaseErrorKind::Unknown, "interrupted", None);
        assert!(matches!(stopped, Error::TooSlow));
        let pg_stopped = database(
            DatabaseErrorKind::Unknown,
            "canceling statement due to statement timeout",
            None,
        );
        assert!(matches!(pg_stopped, Error::TooSlow));
        assert!(matches!(
            Error::from(DieselError::NotFound),
            Error::NotFound
        ));
        let other = database(DatabaseErrorKind::Unknown, "syntax error", None);
        assert!(matches!(other, Error::Other(_)));
    }
}
