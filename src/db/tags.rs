//! Tags: which customers and companies carry which (`customer_tags`, `company_tags`, for the
//! `?tag=` filters), and how many of each carry a tag (`tags`, for `GET /tags`). The records'
//! own `tags` columns hold the lists they show; these tables follow them in the same transaction.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{company_tags, customer_tags, tags};
use super::{DbConn, Result, Scope};
use crate::db_run;
use crate::domain::owner::Owner;
use crate::domain::paging::Window;

/// A tag and how many records carry it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TagCount {
    pub name: String,
    pub customers: i64,
    pub companies: i64,
}

/// Gives `owner` the tags `after` in place of `before` (both normalized, sorted): its index rows
/// and the counts. Writes nothing when they are the same.
pub fn replace(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    before: &[String],
    after: &[String],
) -> Result<()> {
    let added: Vec<String> = after
        .iter()
        .filter(|t| !before.contains(t))
        .cloned()
        .collect();
    let removed: Vec<String> = before
        .iter()
        .filter(|t| !after.contains(t))
        .cloned()
        .collect();
    if !removed.is_empty() {
        db_run!(conn, {
            match owner {
                Owner::Customer(id) => diesel::delete(
                    customer_tags::table
                        .filter(customer_tags::account_id.eq(account))
                        .filter(customer_tags::tag.eq_any(&removed))
                        .filter(customer_tags::customer_id.eq(id)),
                )
                .execute(conn),
                Owner::Company(id) => diesel::delete(
                    company_tags::table
                        .filter(company_tags::account_id.eq(account))
                        .filter(company_tags::tag.eq_any(&removed))
                        .filter(company_tags::company_id.eq(id)),
                )
                .execute(conn),
            }
        })?;
        uncount(conn, account, owner, &removed)?;
    }
    if !added.is_empty() {
        let account_id = account.account_id();
        db_run!(conn, {
            match owner {
                Owner::Customer(id) => {
                    let rows: Vec<_> = added
                        .iter()
                        .map(|tag| {
                            (
                                customer_tags::account_id.eq(account_id),
                                customer_tags::tag.eq(tag),
                                customer_tags::customer_id.eq(id),
                            )
                        })
                        .collect();
                    diesel::insert_into(customer_tags::table)
                        .values(rows)
                        .execute(conn)
                }
                Owner::Company(id) => {
                    let rows: Vec<_> = added
                        .iter()
                        .map(|tag| {
                            (
                                company_tags::account_id.eq(account_id),
                                company_tags::tag.eq(tag),
                                company_tags::company_id.eq(id),
                            )
                        })
                        .collect();
                    diesel::insert_into(company_tags::table)
                        .values(rows)
                        .execute(conn)
                }
            }
        })?;
        count(conn, account, owner, &added)?;
    }
    Ok(())
}

/// One more record of `owner`'s kind carries each of `names`.
fn count(conn: &mut DbConn, account: Scope, owner: Owner, names: &[String]) -> Result<()> {
    let rows: Vec<(String, i64, i64)> = names
        .iter()
        .map(|name| match owner {
            Owner::Customer(_) => (name.clone(), 1, 0),
            Owner::Company(_) => (name.clone(), 0, 1),
        })
        .collect();
    add_counts(conn, account, &rows)
}

/// Adds `(name, customers, companies)` to each tag's counts, creating the tags not yet known, in
/// one statement.
pub fn add_counts(conn: &mut DbConn, account: Scope, counts: &[(String, i64, i64)]) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let account_id = account.account_id();
    let rows: Vec<_> = counts
        .iter()
        .map(|(name, customers, companies)| {
            (
                tags::account_id.eq(account_id),
                tags::name.eq(name),
                tags::customers.eq(*customers),
                tags::companies.eq(*companies),
            )
        })
        .collect();
    db_run!(conn, {
        diesel::insert_into(tags::table)
            .values(rows)
            .on_conflict((tags::account_id, tags::name))
            .do_update()
            .set((
                tags::customers.eq(tags::customers + excluded(tags::customers)),
                tags::companies.eq(tags::companies + excluded(tags::companies)),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// One record of `owner`'s kind fewer carries each of `names` (its index rows are gone or going:
/// deleted here, or by the foreign keys' cascade when the record itself is deleted). A tag no
/// record carries any more leaves the list.
pub fn uncount(conn: &mut DbConn, account: Scope, owner: Owner, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    db_run!(conn, {
        let named = tags::table
            .filter(tags::account_id.eq(account))
            .filter(tags::name.eq_any(names));
        match owner {
            Owner::Customer(_) => diesel::update(named)
                .set(tags::customers.eq(tags::customers - 1))
                .execute(conn),
            Owner::Company(_) => diesel::update(named)
                .set(tags::companies.eq(tags::companies - 1))
                .execute(conn),
        }?;
        diesel::delete(
            tags::table
                .filter(tags::account_id.eq(account))
                .filter(tags::name.eq_any(names))
                .filter(tags::customers.le(0))
                .filter(tags::companies.le(0)),
        )
        .execute(conn)
    })?;
    Ok(())
}

/// One page of the account's tags by name (one row more when there is a next page).
pub fn list(conn: &mut DbConn, account: Scope, window: &Window) -> Result<Vec<TagCount>> {
    // After the cursor's name, or from the start: "" sorts before every tag.
    let after = window
        .cursor
        .as_ref()
        .map_or(String::new(), |c| c.value.clone());
    db_run!(conn, {
        tags::table
            .filter(tags::account_id.eq(account))
            .filter(tags::name.gt(after))
            .order(tags::name.asc())
            .limit(window.limit())
            .offset(window.offset())
            .select(TagCount::as_select())
            .load(conn)
    })
}

/// How many tags the account has.
pub fn total(conn: &mut DbConn, account: Scope) -> Result<i64> {
    db_run!(conn, {
        tags::table
            .filter(tags::account_id.eq(account))
            .count()
            .get_result(conn)
    })
}
