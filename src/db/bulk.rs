//! Many rows per statement, for `seed-data`: what makes a million customers take minutes
//! instead of hours. The API writes row by row; only the generator comes here.

use super::Result;
use diesel::prelude::*;

use super::contacts::NewContact;
use super::conversations::NewConversationRow;
use super::customers::NewCustomer;
use super::notes::NewNote;
use super::schema::{conversations, customer_contacts, customer_tags, customers, notes};
use super::DbConn;
use crate::db_run;

/// Rows per `INSERT`: with at most 12 columns this stays under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 2_000;

/// Inserts `rows`; returns their ids in the rows' order (each statement numbers its rows in
/// order, and `RETURNING` is sorted because neither backend promises its order).
pub fn insert_customers(conn: &mut DbConn, rows: &[NewCustomer]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut chunk_ids: Vec<i64> = db_run!(conn, {
            diesel::insert_into(customers::table)
                .values(chunk)
                .returning(customers::id)
                .get_results(conn)
        })?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Inserts `rows`; returns their ids in the rows' order, like [`insert_customers`].
pub fn insert_contacts(conn: &mut DbConn, rows: &[NewContact]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut chunk_ids: Vec<i64> = db_run!(conn, {
            diesel::insert_into(customer_contacts::table)
                .values(chunk)
                .returning(customer_contacts::id)
                .get_results(conn)
        })?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

pub fn insert_conversations(conn: &mut DbConn, rows: &[NewConversationRow]) -> Result<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        inserted += db_run!(conn, {
            diesel::insert_into(conversations::table)
                .values(chunk)
                .execute(conn)
        })?;
    }
    Ok(inserted)
}

pub fn insert_notes(conn: &mut DbConn, rows: &[NewNote]) -> Result<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        inserted += db_run!(conn, {
            diesel::insert_into(notes::table)
                .values(chunk)
                .execute(conn)
        })?;
    }
    Ok(inserted)
}

/// Inserts `(account_id, tag, customer_id)` rows of `customer_tags`.
pub fn insert_customer_tags(conn: &mut DbConn, rows: &[(i64, &str, i64)]) -> Result<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(account_id, tag, customer_id)| {
                (
                    customer_tags::account_id.eq(*account_id),
                    customer_tags::tag.eq(*tag),
                    customer_tags::customer_id.eq(*customer_id),
                )
            })
            .collect();
        inserted += db_run!(conn, {
            diesel::insert_into(customer_tags::table)
                .values(values)
                .execute(conn)
        })?;
    }
    Ok(inserted)
}

/// The highest customer id in the database (0 when there is none): seeded emails count on from
/// it, so a second run never repeats the first's.
pub fn last_customer_id(conn: &mut DbConn) -> Result<i64> {
    let max: Option<i64> = db_run!(conn, {
        customers::table
            .select(diesel::dsl::max(customers::id))
            .get_result(conn)
    })?;
    Ok(max.unwrap_or(0))
}

/// Refreshes the planner's statistics after a bulk load (both backends know `ANALYZE`).
pub fn analyze(conn: &mut DbConn) -> Result<()> {
    db_run!(conn, { diesel::sql_query("ANALYZE").execute(conn) })?;
    Ok(())
}
