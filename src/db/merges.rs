//! What is left of merged customers (`customer_merges`): each old id and the customer it lives
//! on in, so `GET /customers/{old}` can answer 308. Kept flat: merging a survivor repoints the
//! ids merged into it, so an old id is always one step from a live customer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::customer_merges;
use super::{any_of, DbConn, Result, Scope};
use crate::db_run;

/// The live customer old id `id` was merged into; `None` when `id` was never merged.
pub fn survivor_of(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<i64>> {
    db_run!(conn, {
        customer_merges::table
            .filter(customer_merges::account_id.eq(account))
            .filter(customer_merges::id.eq(id))
            .select(customer_merges::survivor_id)
            .first(conn)
            .optional()
    })
}

/// Notes `sources` as merged into `survivor`, with every id merged into them before.
pub fn record(
    conn: &mut DbConn,
    account: Scope,
    sources: &[i64],
    survivor: i64,
    now: NaiveDateTime,
) -> Result<()> {
    db_run!(conn, {
        diesel::update(
            customer_merges::table
                .filter(customer_merges::account_id.eq(account))
                .filter(any_of::ids(customer_merges::survivor_id, sources)),
        )
        .set(customer_merges::survivor_id.eq(survivor))
        .execute(conn)
    })?;
    let rows: Vec<_> = sources
        .iter()
        .map(|id| {
            (
                customer_merges::id.eq(*id),
                customer_merges::account_id.eq(account.account_id()),
                customer_merges::survivor_id.eq(survivor),
                customer_merges::merged_at.eq(now),
            )
        })
        .collect();
    db_run!(conn, {
        diesel::insert_into(customer_merges::table)
            .values(&rows)
            .execute(conn)
    })?;
    Ok(())
}
