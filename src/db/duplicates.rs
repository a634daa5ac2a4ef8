//! Duplicate candidates in the database: the registry of keys customers have shared
//! (`customer_duplicate_keys`), and the probes that find who shares a key.
//!
//! A write that gives a customer an email, a phone or a name probes whether another customer
//! already has the same key (index probes: `customer_contacts_match_idx`, and
//! `customers_account_name_idx` then each candidate's emails) and notes any shared key here. The
//! account-wide list walks this table's primary key, so it costs the same at a thousand or a
//! million customers; a key no longer shared (after a merge or delete) is skipped as it is read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::contacts::is_email;
use super::schema::{customer_contacts, customer_duplicate_keys, customers};
use super::{any_of, DbConn, Result, Scope};
use crate::db_run;
use crate::domain::contact::ContactKind;
use crate::domain::duplicates::{name_domain_key, split_name_domain_key, Reason};

/// The other customers (than `customer_id`) holding any of `keys` (emails' canonical forms,
/// phones' digits): `(customer_id, kind, key)`, each once. Index probes of
/// `customer_contacts_match_idx`.
pub fn sharing_contacts_with(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    keys: &[String],
) -> Result<Vec<(i64, ContactKind, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let kinds = [ContactKind::Email, ContactKind::Phone];
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq_any(kinds))
            .filter(any_of::texts(customer_contacts::match_key, keys))
            .filter(customer_contacts::customer_id.ne(customer_id))
            .select((
                customer_contacts::customer_id,
                customer_contacts::kind,
                customer_contacts::match_key,
            ))
            .distinct()
            .load(conn)
    })
}

/// Other customers named `name` with an email at one of `domains`: `(customer_id, domain)`.
pub fn same_name_at(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    name: &str,
    domains: &[String],
) -> Result<Vec<(i64, String)>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customers::table
            .inner_join(
                customer_contacts::table.on(customer_contacts::customer_id
                    .eq(customers::id)
                    .and(customer_contacts::account_id.eq(customers::account_id))),
            )
            .filter(customers::account_id.eq(account))
            .filter(customers::name.eq(name))
            .filter(customers::id.ne(customer_id))
            .filter(is_email())
            .filter(any_of::texts(customer_contacts::domain, domains))
            .select((customers::id, customer_contacts::domain))
            .distinct()
            .load(conn)
    })
}

/// Notes keys as shared (each once).
pub fn note(
    conn: &mut DbConn,
    account: Scope,
    keys: &[(Reason, String)],
    now: NaiveDateTime,
) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = keys
        .iter()
        .map(|(reason, key)| {
            (
                customer_duplicate_keys::account_id.eq(account.account_id()),
                customer_duplicate_keys::reason.eq(*reason),
                customer_duplicate_keys::match_key.eq(key),
                customer_duplicate_keys::created_at.eq(now),
            )
        })
        .collect();
    db_run!(conn, {
        diesel::insert_into(customer_duplicate_keys::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(conn)
    })?;
    Ok(())
}

/// Up to `limit` noted keys after `after`, in `(reason, key)` order, of one reason or all.
pub fn keys_page(
    conn: &mut DbConn,
    account: Scope,
    reason: Option<Reason>,
    after: Option<&(Reason, String)>,
    limit: i64,
) -> Result<Vec<(Reason, String)>> {
    db_run!(conn, {
        let mut query = customer_duplicate_keys::table
            .filter(customer_duplicate_keys::account_id.eq(account))
            .select((
                customer_duplicate_keys::reason,
                customer_duplicate_keys::match_key,
            ))
            .order((
                customer_duplicate_keys::reason.asc(),
                customer_duplicate_keys::match_key.asc(),
            ))
            .limit(limit)
            .into_boxed();
        if let Some(reason) = reason {
            query = query.filter(customer_duplicate_keys::reason.eq(reason));
        }
        if let Some((reason, key)) = after {
            query = query.filter(
                customer_duplicate_keys::reason
                    .gt(*reason)
                    .or(customer_duplicate_keys::reason
                        .eq(*reason)
                        .and(customer_duplicate_keys::match_key.gt(key.clone()))),
            );
        }
        query.load(conn)
    })
}

/// Who holds each of `keys` of one reason now: `(key, customer_id)`, each pair once.
pub fn holders(
    conn: &mut DbConn,
    account: Scope,
    reason: Reason,
    keys: &[String],
) -> Result<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let kind = match reason {
        Reason::Email => ContactKind::Email,
        Reason::Phone => ContactKind::Phone,
        Reason::NameDomain => return name_domain_holders(conn, account, keys),
    };
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq(kind))
            .filter(any_of::texts(customer_contacts::match_key, keys))
            .select((customer_contacts::match_key, customer_contacts::customer_id))
            .distinct()
            .load(conn)
    })
}

fn name_domain_holders(
    conn: &mut DbConn,
    account: Scope,
    keys: &[String],
) -> Result<Vec<(String, i64)>> {
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .filter_map(|k| split_name_domain_key(k))
        .collect();
    let names: Vec<String> = pairs.iter().map(|(name, _)| name.to_string()).collect();
    let domains: Vec<String> = pairs.iter().map(|(_, domain)| domain.to_string()).collect();
    let rows: Vec<(String, String, i64)> = db_run!(conn, {
        customers::table
            .inner_join(
                customer_contacts::table.on(customer_contacts::customer_id
                    .eq(customers::id)
                    .and(customer_contacts::account_id.eq(customers::account_id))),
            )
            .filter(customers::account_id.eq(account))
            .filter(any_of::texts(customers::name, &names))
            .filter(is_email())
            .filter(any_of::texts(customer_contacts::domain, &domains))
            .select((customers::name, customer_contacts::domain, customers::id))
            .distinct()
            .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(|(name, domain, id)| (name_domain_key(&name, &domain), id))
        .filter(|(key, _)| keys.contains(key))
        .collect())
}

/// Every key the account's customers share now, found by grouping all of its contacts: for the
/// command line's bulk `seed-data`, which writes rows without the API's probes. A scan of the
/// account, run once per seeding; the names' domains come back for the caller to filter.
pub fn all_shared(conn: &mut DbConn, account: Scope) -> Result<Vec<(Reason, String)>> {
    use diesel::dsl::count;
    let kinds = [ContactKind::Email, ContactKind::Phone];
    let contacts: Vec<(ContactKind, String)> = db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq_any(kinds))
            .group_by((customer_contacts::kind, customer_contacts::match_key))
            .having(
                count(customer_contacts::customer_id)
                    .aggregate_distinct()
                    .gt(1),
            )
            .select((customer_contacts::kind, customer_contacts::match_key))
            .load(conn)
    })?;
    let names: Vec<(String, String)> = db_run!(conn, {
        customers::table
            .inner_join(
                customer_contacts::table.on(customer_contacts::customer_id
                    .eq(customers::id)
                    .and(customer_contacts::account_id.eq(customers::account_id))),
            )
            .filter(customers::account_id.eq(account))
            .filter(customers::first_name.is_not_null())
            .filter(is_email())
            .group_by((customer_contacts::domain, customers::name))
            .having(count(customers::id).aggregate_distinct().gt(1))
            .select((customer_contacts::domain, customers::name))
            .load(conn)
    })?;
    Ok(contacts
        .into_iter()
        .map(|(kind, key)| match kind {
            ContactKind::Phone => (Reason::Phone, key),
            _ => (Reason::Email, key),
        })
        .chain(
            names
                .into_iter()
                .map(|(domain, name)| (Reason::NameDomain, name_domain_key(&name, &domain))),
        )
        .collect())
}
