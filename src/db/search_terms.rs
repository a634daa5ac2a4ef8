//! The search index, `customer_search_terms` (what each customer is found by: see
//! `domain::search`): written in the transaction of every change to a customer's names or
//! contacts, read by `db::customers::list`, gone with the customer (`ON DELETE CASCADE`).

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;

use super::schema::{customer_contacts, customer_search_terms, customers};
use super::{settings, DbConn, Result, Scope};
use crate::db_run;
use crate::domain::contact::ContactKind;
use crate::domain::search;

/// Rows per `INSERT`: three columns each, under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 10_000;
/// The setting that records that every customer written before search existed is indexed.
const BUILT: &str = "search_terms.built";
/// Customers indexed per transaction by [`build_pending`].
const BATCH: i64 = 2_000;

/// One row of the index.
pub type TermRow = (i64, String, i64);

/// Gives customer `id` the terms `after` in place of `before`: deletes what went, inserts what
/// came, nothing when they are the same.
pub fn replace(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
) -> Result<()> {
    let removed: Vec<&String> = before.difference(after).collect();
    if !removed.is_empty() {
        db_run!(conn, {
            diesel::delete(
                customer_search_terms::table
                    .filter(customer_search_terms::account_id.eq(account))
                    .filter(customer_search_terms::customer_id.eq(id))
                    .filter(customer_search_terms::term.eq_any(&removed)),
            )
            .execute(conn)
        })?;
    }
    let added: Vec<TermRow> = after
        .difference(before)
        .map(|term| (account.account_id(), term.clone(), id))
        .collect();
    insert(conn, &added)
}

/// Gives customer `id` exactly `terms`, whatever it had (a merge's survivor).
pub fn rewrite(conn: &mut DbConn, account: Scope, id: i64, terms: &BTreeSet<String>) -> Result<()> {
    db_run!(conn, {
        diesel::delete(
            customer_search_terms::table
                .filter(customer_search_terms::account_id.eq(account))
                .filter(customer_search_terms::customer_id.eq(id)),
        )
        .execute(conn)
    })?;
    let rows: Vec<TermRow> = terms
        .iter()
        .map(|term| (account.account_id(), term.clone(), id))
        .collect();
    insert(conn, &rows)
}

/// Inserts `rows`, many per statement; a row already there is left as it is (two servers
/// building the index at once write the same rows).
pub fn insert(conn: &mut DbConn, rows: &[TermRow]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(account_id, term, customer_id)| {
                (
                    customer_search_terms::account_id.eq(*account_id),
                    customer_search_terms::term.eq(term),
                    customer_search_terms::customer_id.eq(*customer_id),
                )
            })
            .collect();
        db_run!(conn, {
            diesel::insert_into(customer_search_terms::table)
                .values(&values)
                .on_conflict_do_nothing()
                .execute(conn)
        })?;
    }
    Ok(())
}

/// Indexes every customer written before the index existed (migration 17 creates it empty), in
/// batches of [`BATCH`] customers per transaction; once per database, when the server first
/// starts on it. Returns how many customers it indexed.
pub fn build_pending(conn: &mut DbConn) -> Result<usize> {
    if settings::get(conn, BUILT)?.is_some() {
        return Ok(0);
    }
    let mut after = 0;
    let mut indexed = 0;
    loop {
        type Names = (i64, i64, Option<String>, Option<String>, Option<String>);
        let batch: Vec<Names> = db_run!(conn, {
            customers::table
                .filter(customers::id.gt(after))
                .order(customers::id)
                .limit(BATCH)
                .select((
                    customers::id,
                    customers::account_id,
                    customers::first_name,
                    customers::last_name,
                    customers::company,
                ))
                .load(conn)
        })?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        let (first_id, last_id) = (first.0, last.0);
        // On `customer_contacts_customer_idx` (customer_id, id).
        let contacts: Vec<(i64, ContactKind, String)> = db_run!(conn, {
            customer_contacts::table
                .filter(customer_contacts::customer_id.between(first_id, last_id))
                .select((
                    customer_contacts::customer_id,
                    customer_contacts::kind,
                    customer_contacts::value,
                ))
                .load(conn)
        })?;
        let mut by_customer: HashMap<i64, Vec<(ContactKind, &str)>> = HashMap::new();
        for (customer_id, kind, value) in &contacts {
            by_customer
                .entry(*customer_id)
                .or_default()
                .push((*kind, value.as_str()));
        }
        let mut rows = Vec::new();
        for (id, account_id, first_name, last_name, company) in &batch {
            let terms = search::terms(
                first_name.as_deref(),
                last_name.as_deref(),
                company.as_deref(),
                by_customer.remove(id).unwrap_or_default(),
            );
            rows.extend(terms.into_iter().map(|term| (*account_id, term, *id)));
        }
        conn.transaction(|conn| insert(conn, &rows))?;
        after = last_id;
        indexed += batch.len();
    }
    settings::set(conn, BUILT, "1")?;
    Ok(indexed)
}
