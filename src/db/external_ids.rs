//! The index of customers' external ids (`customer_external_ids`): what lookups, upserts and
//! the uniqueness rule read. The customer's own row carries the same pairs for its view.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::customer_external_ids;
use super::{any_of, DbConn, Result, Scope};
use crate::db_run;
use crate::domain::external_id::ExternalIds;

/// The customer holding id `value` (of any source). One probe of its unique index.
pub fn holder(conn: &mut DbConn, account: Scope, value: &str) -> Result<Option<i64>> {
    db_run!(conn, {
        customer_external_ids::table
            .filter(customer_external_ids::account_id.eq(account))
            .filter(customer_external_ids::value.eq(value))
            .select(customer_external_ids::customer_id)
            .first(conn)
            .optional()
    })
}

/// Which of `values` are held, and by whom: `(value, customer_id)`.
pub fn holders(conn: &mut DbConn, account: Scope, values: &[String]) -> Result<Vec<(String, i64)>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customer_external_ids::table
            .filter(customer_external_ids::account_id.eq(account))
            .filter(any_of::texts(customer_external_ids::value, values))
            .select((
                customer_external_ids::value,
                customer_external_ids::customer_id,
            ))
            .load(conn)
    })
}

/// Makes the index hold `after` for the customer, where it held `before`: removed and changed
/// sources go, new and changed ones come. A value another customer holds fails on the unique
/// index (callers check first; the index decides between concurrent writers).
pub fn replace(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    before: &ExternalIds,
    after: &ExternalIds,
    now: NaiveDateTime,
) -> Result<()> {
    let gone: Vec<String> = before
        .iter()
        .filter(|(source, value)| after.get(*source) != Some(*value))
        .map(|(source, _)| source.clone())
        .collect();
    let new: Vec<(&String, &String)> = after
        .iter()
        .filter(|(source, value)| before.get(*source) != Some(*value))
        .collect();
    if !gone.is_empty() {
        db_run!(conn, {
            diesel::delete(
                customer_external_ids::table
                    .filter(customer_external_ids::account_id.eq(account))
                    .filter(customer_external_ids::customer_id.eq(customer_id))
                    .filter(any_of::texts(customer_external_ids::source, &gone)),
            )
            .execute(conn)
        })?;
    }
    if !new.is_empty() {
        let rows: Vec<_> = new
            .iter()
            .map(|(source, value)| {
                (
                    customer_external_ids::account_id.eq(account.account_id()),
                    customer_external_ids::customer_id.eq(customer_id),
                    customer_external_ids::source.eq(*source),
                    customer_external_ids::value.eq(*value),
                    customer_external_ids::created_at.eq(now),
                )
            })
            .collect();
        db_run!(conn, {
            diesel::insert_into(customer_external_ids::table)
                .values(&rows)
                .execute(conn)
        })?;
    }
    Ok(())
}

/// Gives every id of `from` to `to` (a merge; the caller checked their sources don't clash).
pub fn move_all(conn: &mut DbConn, account: Scope, from: &[i64], to: i64) -> Result<()> {
    db_run!(conn, {
        diesel::update(
            customer_external_ids::table
                .filter(customer_external_ids::account_id.eq(account))
                .filter(any_of::ids(customer_external_ids::customer_id, from)),
        )
        .set(customer_external_ids::customer_id.eq(to))
        .execute(conn)
    })?;
    Ok(())
}
