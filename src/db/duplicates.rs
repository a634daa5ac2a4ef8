//! Duplicate candidates in the database: who has shared which key (`customer_duplicate_members`),
//! and the probes that find who shares a key.
//!
//! A write that gives a customer an email, a phone or a name probes whether another customer
//! already has the same key (index probes: `customer_contacts_match_idx`, and
//! `customers_account_sort_name_idx` then each candidate's emails) and notes both customers as members
//! of the key. The lists read members by their primary key (account, reason, key) or by customer,
//! so a page costs the same at a thousand customers or a million. A member that no longer holds
//! its key is for the caller to skip (see `services::customer_duplicates`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::contacts::is_email;
use super::schema::{
    customer_contacts, customer_duplicate_keys, customer_duplicate_members, customers,
};
use super::{any_of, DbConn, Result, Scope};
use crate::db_run;
use crate::domain::contact::ContactKind;
use crate::domain::duplicates::Reason;

/// For each of `keys` (emails' canonical forms, phones' digits) that another customer than
/// `customer_id` holds: `(kind, key, one such customer)`. Probes of
/// `customer_contacts_match_idx`; callers ask only about keys not yet [`registered`], which
/// have one holder at most (two when writers raced), so the probe reads a row or two per key.
pub fn other_holders(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    keys: &[String],
) -> Result<Vec<(ContactKind, String, i64)>> {
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
            .group_by((customer_contacts::kind, customer_contacts::match_key))
            .select((
                customer_contacts::kind,
                customer_contacts::match_key,
                diesel::dsl::min(customer_contacts::customer_id).assume_not_null(),
            ))
            .load(conn)
    })
}

/// Which of `keys` (of any reason) are already known to be shared.
pub fn registered(
    conn: &mut DbConn,
    account: Scope,
    keys: &[String],
) -> Result<Vec<(Reason, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customer_duplicate_keys::table
            .filter(customer_duplicate_keys::account_id.eq(account))
            .filter(customer_duplicate_keys::reason.eq_any(Reason::ALL))
            .filter(any_of::texts(customer_duplicate_keys::match_key, keys))
            .select((
                customer_duplicate_keys::reason,
                customer_duplicate_keys::match_key,
            ))
            .load(conn)
    })
}

/// Registers keys as shared (each once).
pub fn register(
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

/// Other customers whose name folds to `sort_name` (on `customers_account_sort_name_idx`), with
/// an email at one of `domains`: `(customer_id, domain)`.
pub fn same_name_at(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    sort_name: &str,
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
            .filter(customers::sort_name.eq(sort_name))
            .filter(customers::id.ne(customer_id))
            .filter(is_email())
            .filter(any_of::texts(customer_contacts::domain, domains))
            .select((customers::id, customer_contacts::domain))
            .distinct()
            .load(conn)
    })
}

/// Notes customers as members of shared keys (each once); register the keys too.
pub fn note(
    conn: &mut DbConn,
    account: Scope,
    members: &[(Reason, String, i64)],
    now: NaiveDateTime,
) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = members
        .iter()
        .map(|(reason, key, customer_id)| {
            (
                customer_duplicate_members::account_id.eq(account.account_id()),
                customer_duplicate_members::reason.eq(*reason),
                customer_duplicate_members::match_key.eq(key),
                customer_duplicate_members::customer_id.eq(*customer_id),
                customer_duplicate_members::created_at.eq(now),
            )
        })
        .collect();
    db_run!(conn, {
        diesel::insert_into(customer_duplicate_members::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(conn)
    })?;
    Ok(())
}

/// Up to `limit` shared keys after `after`, in `(reason, key)` order, of one reason or all: a
/// walk of the registry's primary key.
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

/// The noted members of `keys` of one reason: `(key, customer_id)`.
pub fn members(
    conn: &mut DbConn,
    account: Scope,
    reason: Reason,
    keys: &[String],
) -> Result<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customer_duplicate_members::table
            .filter(customer_duplicate_members::account_id.eq(account))
            .filter(customer_duplicate_members::reason.eq(reason))
            .filter(any_of::texts(customer_duplicate_members::match_key, keys))
            .select((
                customer_duplicate_members::match_key,
                customer_duplicate_members::customer_id,
            ))
            .load(conn)
    })
}

/// The shared keys customer `customer_id` was noted with.
pub fn keys_of(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
) -> Result<Vec<(Reason, String)>> {
    db_run!(conn, {
        customer_duplicate_members::table
            .filter(customer_duplicate_members::account_id.eq(account))
            .filter(customer_duplicate_members::customer_id.eq(customer_id))
            .select((
                customer_duplicate_members::reason,
                customer_duplicate_members::match_key,
            ))
            .load(conn)
    })
}

/// Every member of every key the account's customers share now, found by grouping all of its
/// contacts: for the command line's bulk `seed-data` (which writes rows without the API's
/// probes) and for keying phones again. A scan of the account; `public_domains` don't count for
/// names.
pub fn all_shared(
    conn: &mut DbConn,
    account: Scope,
    public_domains: &[&str],
) -> Result<Vec<(Reason, String, i64)>> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Member {
        #[diesel(sql_type = Text)]
        reason: String,
        #[diesel(sql_type = Text)]
        match_key: String,
        #[diesel(sql_type = BigInt)]
        customer_id: i64,
    }
    // Window functions, which diesel's DSL doesn't write; the account id and the domains are
    // written into the SQL (an integer, and quoted constants of this program).
    let id = account.account_id();
    let public: Vec<String> = public_domains
        .iter()
        .map(|d| format!("'{}'", d.replace('\'', "''")))
        .collect();
    let not_public = match public.is_empty() {
        true => String::new(),
        false => format!("AND e.domain NOT IN ({})", public.join(", ")),
    };
    let sql = format!(
        "SELECT kind AS reason, match_key, customer_id FROM ( \
             SELECT kind, match_key, customer_id, \
                 count(*) OVER (PARTITION BY kind, match_key) AS holders \
             FROM (SELECT DISTINCT kind, match_key, customer_id FROM customer_contacts \
                 WHERE account_id = {id} AND kind IN ('email', 'phone')) contacts \
         ) counted WHERE holders > 1 \
         UNION ALL \
         SELECT 'name_domain' AS reason, domain || '|' || sort_name AS match_key, id AS customer_id FROM ( \
             SELECT domain, sort_name, id, count(*) OVER (PARTITION BY domain, sort_name) AS holders \
             FROM (SELECT DISTINCT e.domain, c.sort_name, c.id FROM customers c \
                 JOIN customer_contacts e ON e.customer_id = c.id AND e.account_id = c.account_id \
                 WHERE c.account_id = {id} AND c.first_name IS NOT NULL AND e.kind = 'email' \
                 {not_public}) names \
         ) counted WHERE holders > 1"
    );
    let rows: Vec<Member> = db_run!(conn, { diesel::sql_query(&sql).load(conn) })?;
    Ok(rows
        .into_iter()
        .filter_map(|m| Some((Reason::parse(&m.reason)?, m.match_key, m.customer_id)))
        .collect())
}
