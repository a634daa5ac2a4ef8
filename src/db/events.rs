//! The change feed: one row per change, appended in the change's own transaction (see
//! [`super::journal`] and `api::events`).
//!
//! Readers take events in `(position, id)` order, and a reader must never meet, later, an event
//! that sorts before one it already read. Ids alone can't promise that on PostgreSQL: a
//! transaction takes its id from the sequence early and may commit after one that took a larger
//! id. So each event's `position` is its transaction's id (`pg_current_xact_id()`, the column's
//! default), and readers see only positions below the oldest transaction still running
//! (`pg_snapshot_xmin`): every transaction below it has ended, and any transaction that ends later
//! has a larger id. Several writers, several instances: no lock, no gap. On SQLite `position` is
//! always 0 and one writer at a time commits in id order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::events;
use super::{DbConn, Result, Scope};
use crate::db_run;

#[derive(Insertable, Debug)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub account_id: i64,
    pub public_id: String,
    pub event_type: String,
    pub data: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Event {
    pub id: i64,
    pub account_id: i64,
    pub position: i64,
    pub public_id: String,
    pub event_type: String,
    pub data: String,
    pub created_at: NaiveDateTime,
}

/// Where a reader stands: the last event it read, `(position, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    pub position: i64,
    pub id: i64,
}

impl From<crate::domain::event::FeedCursor> for Place {
    fn from(cursor: crate::domain::event::FeedCursor) -> Place {
        Place {
            position: cursor.position,
            id: cursor.id,
        }
    }
}

impl Event {
    pub fn place(&self) -> Place {
        Place {
            position: self.position,
            id: self.id,
        }
    }
}

/// Appends `rows` in one statement.
pub fn append(conn: &mut DbConn, rows: &[NewEvent]) -> Result<()> {
    match rows {
        [] => {}
        // One row (the usual write) as a statement of its own, its values a tuple: diesel keeps
        // that prepared, where a multi-row insert is parsed again each time, and where on
        // PostgreSQL it never caches a statement built from a derived `Insertable` (whose
        // fields may be `DEFAULT`).
        [row] => {
            db_run!(conn, {
                diesel::insert_into(events::table)
                    .values((
                        events::account_id.eq(row.account_id),
                        events::public_id.eq(&row.public_id),
                        events::event_type.eq(&row.event_type),
                        events::data.eq(&row.data),
                        events::created_at.eq(row.created_at),
                    ))
                    .execute(conn)
            })?;
        }
        rows => {
            db_run!(conn, {
                diesel::insert_into(events::table)
                    .values(rows)
                    .execute(conn)
            })?;
        }
    }
    Ok(())
}

/// Up to `limit` of the account's events after `after`, in feed order, of the given types
/// (`None`: all), and only those no later commit can precede (see the module's documentation).
pub fn page(
    conn: &mut DbConn,
    account: Scope,
    after: Place,
    types: Option<&[&str]>,
    limit: i64,
) -> Result<Vec<Event>> {
    let settled = settled_below(conn)?;
    db_run!(conn, {
        let mut query = events::table
            .filter(events::account_id.eq(account))
            // `position >= p AND (position > p OR id > i)`: the bound an index range can use.
            .filter(events::position.ge(after.position))
            .filter(
                events::position
                    .gt(after.position)
                    .or(events::id.gt(after.id)),
            )
            .filter(events::position.lt(settled))
            .order((events::position.asc(), events::id.asc()))
            .select(Event::as_select())
            .limit(limit)
            .into_boxed();
        if let Some(types) = types {
            query = query.filter(events::event_type.eq_any(types.to_vec()));
        }
        query.load(conn)
    })
}

/// What the webhook dispatcher reads of an event: all but its data.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EventHead {
    pub id: i64,
    pub account_id: i64,
    pub position: i64,
    pub event_type: String,
    pub created_at: NaiveDateTime,
}

impl EventHead {
    pub fn place(&self) -> Place {
        Place {
            position: self.position,
            id: self.id,
        }
    }
}

/// Every account's events after `after`, in feed order (the webhook dispatcher's read), like
/// [`page`] but without their data.
pub fn after(conn: &mut DbConn, after: Place, limit: i64) -> Result<Vec<EventHead>> {
    let settled = settled_below(conn)?;
    super::from_diesel(match conn {
        // `position` is always 0: the rowid is the order (and SQLite has no index on the pair).
        DbConn::Sqlite(lite) => events::table
            .filter(events::id.gt(after.id))
            .order(events::id.asc())
            .select(EventHead::as_select())
            .limit(limit)
            .load(lite),
        DbConn::Postgres(pg) => events::table
            // `position >= p AND (position > p OR id > i)`: the bound an index range can use.
            .filter(events::position.ge(after.position))
            .filter(
                events::position
                    .gt(after.position)
                    .or(events::id.gt(after.id)),
            )
            .filter(events::position.lt(settled))
            .order((events::position.asc(), events::id.asc()))
            .select(EventHead::as_select())
            .limit(limit)
            .load(pg),
    })
}

/// The position below which every writer has ended: the oldest running transaction's id on
/// PostgreSQL; past everything on SQLite, whose one writer commits in id order.
fn settled_below(conn: &mut DbConn) -> Result<i64> {
    match conn {
        DbConn::Sqlite(_) => Ok(1),
        DbConn::Postgres(pg) => {
            #[derive(QueryableByName)]
            struct Xmin {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                xmin: i64,
            }
            super::from_diesel(
                diesel::sql_query(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
                )
                .get_result::<Xmin>(pg),
            )
            .map(|row| row.xmin)
        }
    }
}

/// Deletes up to `batch` of the oldest events written before `cutoff` (with their deliveries);
/// returns how many. It reads the table's head in id order, which is (near enough) time order,
/// so it needs no index of its own and never scans.
pub fn purge_before(conn: &mut DbConn, cutoff: NaiveDateTime, batch: i64) -> Result<usize> {
    db_run!(conn, {
        let head: Vec<(i64, NaiveDateTime)> = events::table
            .order(events::id.asc())
            .select((events::id, events::created_at))
            .limit(batch)
            .load(conn)?;
        let expired: Vec<i64> = head
            .into_iter()
            .take_while(|(_, at)| *at < cutoff)
            .map(|(id, _)| id)
            .collect();
        diesel::delete(events::table.filter(events::id.eq_any(&expired))).execute(conn)
    })
}
