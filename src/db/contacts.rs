//! Customers' emails, phones and websites, one table (`kind` tells them apart).

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::customer_contacts;
use super::{any_of, DbConn, Scope};
use crate::db_run;
use crate::domain::contact::{ContactKind, ContactValue};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = customer_contacts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub kind: ContactKind,
    pub value: String,
    pub normalized: String,
    pub domain: String,
    pub match_key: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customer_contacts)]
pub struct NewContact<'a> {
    pub account_id: i64,
    pub customer_id: i64,
    pub kind: ContactKind,
    pub value: &'a str,
    pub normalized: &'a str,
    pub domain: &'a str,
    pub match_key: &'a str,
    pub created_at: NaiveDateTime,
}

/// The contacts of one customer, oldest first.
pub fn of_customer(conn: &mut DbConn, account: Scope, customer_id: i64) -> Result<Vec<Contact>> {
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::customer_id.eq(customer_id))
            .order(customer_contacts::id.asc())
            .select(Contact::as_select())
            .load(conn)
    })
}

/// `kind = 'email'` written out, not bound: only then can SQLite's planner use the partial
/// unique index on emails (`WHERE kind = 'email'`), which serves every lookup by address.
pub fn is_email() -> IsEmail {
    IsEmail
}

/// `customer_contacts.kind = 'email'`, written out (see [`is_email`]). Its own expression rather
/// than `dsl::sql`, whose statements diesel never caches: every statement with a literal
/// fragment would be prepared again on each call.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct IsEmail;

impl diesel::expression::Expression for IsEmail {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for IsEmail {}

impl<QS> diesel::expression::SelectableExpression<QS> for IsEmail {}

impl<GB> diesel::expression::ValidGrouping<GB> for IsEmail {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for IsEmail {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        out.push_sql("customer_contacts.kind = 'email'");
        Ok(())
    }
}

/// The customer holding email `normalized` (lower-cased): one probe of the unique email index.
pub fn email_holder(conn: &mut DbConn, account: Scope, normalized: &str) -> Result<Option<i64>> {
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(is_email())
            .filter(customer_contacts::normalized.eq(normalized))
            .select(customer_contacts::customer_id)
            .first(conn)
            .optional()
    })
}

/// The customer holding phone `digits`: several may, and the one that added it first wins. One
/// probe of `customer_contacts_match_idx`.
pub fn phone_holder(conn: &mut DbConn, account: Scope, digits: &str) -> Result<Option<i64>> {
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq(ContactKind::Phone))
            .filter(customer_contacts::match_key.eq(digits))
            .order(customer_contacts::id.asc())
            .select(customer_contacts::customer_id)
            .first(conn)
            .optional()
    })
}

/// The contacts of `customer_ids` in one query, by customer and then id (oldest first).
pub fn of_customers(
    conn: &mut DbConn,
    account: Scope,
    customer_ids: &[i64],
) -> Result<Vec<Contact>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(any_of::ids(customer_contacts::customer_id, customer_ids))
            .order((
                customer_contacts::customer_id.asc(),
                customer_contacts::id.asc(),
            ))
            .select(Contact::as_select())
            .load(conn)
    })
}

/// Inserts all `rows` in one statement and returns them as stored, oldest first.
pub fn insert_all(conn: &mut DbConn, rows: &[NewContact]) -> Result<Vec<Contact>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut inserted: Vec<Contact> = match conn {
        DbConn::Sqlite(conn) => insert_all_sqlite(conn, rows)?,
        DbConn::Postgres(conn) => diesel::insert_into(customer_contacts::table)
            .values(rows)
            .returning(Contact::as_returning())
            .get_results(conn)?,
    };
    // Neither backend promises RETURNING's order; ids grow in insertion order.
    inserted.sort_by_key(|c| c.id);
    Ok(inserted)
}

/// diesel runs a multi-row insert with RETURNING on SQLite as one INSERT per row (190 for the
/// largest customer); SQLite itself takes them in one statement since 3.35.
fn insert_all_sqlite(
    conn: &mut diesel::SqliteConnection,
    rows: &[NewContact],
) -> Result<Vec<Contact>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ");
    let mut query = diesel::sql_query(format!(
        "INSERT INTO customer_contacts \
         (account_id, customer_id, kind, value, normalized, domain, match_key, created_at) \
         VALUES {values} RETURNING id, customer_id, kind, value, normalized, domain, match_key"
    ))
    .into_boxed::<diesel::sqlite::Sqlite>();
    for row in rows {
        query = query
            .bind::<BigInt, _>(row.account_id)
            .bind::<BigInt, _>(row.customer_id)
            .bind::<Text, _>(row.kind)
            .bind::<Text, _>(row.value)
            .bind::<Text, _>(row.normalized)
            .bind::<Text, _>(row.domain)
            .bind::<Text, _>(row.match_key)
            .bind::<Timestamp, _>(row.created_at);
    }
    Ok(query.load(conn)?)
}

/// Changes one contact's value (and the forms derived from it).
pub fn update_value(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    value: &ContactValue,
) -> Result<()> {
    db_run!(conn, {
        diesel::update(
            customer_contacts::table
                .filter(customer_contacts::account_id.eq(account))
                .filter(customer_contacts::id.eq(id)),
        )
        .set((
            customer_contacts::value.eq(&value.value),
            customer_contacts::normalized.eq(&value.normalized),
            customer_contacts::domain.eq(&value.domain),
            customer_contacts::match_key.eq(&value.match_key),
        ))
        .execute(conn)
    })?;
    Ok(())
}

/// Gives an email row a placeholder key (`#<id>`, never an address) so another row of the same
/// customer can take its address within one transaction.
pub fn park_email(conn: &mut DbConn, account: Scope, id: i64) -> Result<()> {
    let placeholder = format!("#{id}");
    db_run!(conn, {
        diesel::update(
            customer_contacts::table
                .filter(customer_contacts::account_id.eq(account))
                .filter(customer_contacts::id.eq(id)),
        )
        .set(customer_contacts::normalized.eq(&placeholder))
        .execute(conn)
    })?;
    Ok(())
}

/// The email rows of the account that hold any of `normalized` (lower-cased addresses).
pub fn emails_in_use(
    conn: &mut DbConn,
    account: Scope,
    normalized: &[String],
) -> Result<Vec<Contact>> {
    if normalized.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(is_email())
            .filter(any_of::texts(customer_contacts::normalized, normalized))
            .select(Contact::as_select())
            .load(conn)
    })
}

/// Deletes contact `id` if it is a `kind` of `customer_id`; returns whether it was. The
/// conversations it started stay and forget it (unlinked here: the foreign key can't
/// `SET NULL` on a database distributed by account).
pub fn delete(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    kind: ContactKind,
    id: i64,
) -> Result<bool> {
    use super::schema::conversations;
    let deleted = db_run!(conn, {
        let contact = customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::id.eq(id))
            .filter(customer_contacts::customer_id.eq(customer_id))
            .filter(customer_contacts::kind.eq(kind));
        diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(
                    conversations::customer_contact_id
                        .eq_any(contact.select(customer_contacts::id.nullable())),
                ),
        )
        .set(conversations::customer_contact_id.eq(None::<i64>))
        .execute(conn)?;
        diesel::delete(contact).execute(conn)
    })?;
    Ok(deleted > 0)
}

/// A merge's contacts: `keep` move to customer `to`; each `(dropped, kept)` pair is a duplicate
/// whose conversations now name the kept one, and which is deleted.
pub fn merge_into(
    conn: &mut DbConn,
    account: Scope,
    to: i64,
    keep: &[i64],
    duplicates: &[(i64, i64)],
) -> Result<()> {
    use super::schema::conversations;
    db_run!(conn, {
        if !keep.is_empty() {
            diesel::update(
                customer_contacts::table
                    .filter(customer_contacts::account_id.eq(account))
                    .filter(any_of::ids(customer_contacts::id, keep)),
            )
            .set(customer_contacts::customer_id.eq(to))
            .execute(conn)?;
        }
        for (dropped, kept) in duplicates {
            diesel::update(
                conversations::table
                    .filter(conversations::account_id.eq(account))
                    .filter(conversations::customer_contact_id.eq(dropped)),
            )
            .set(conversations::customer_contact_id.eq(kept))
            .execute(conn)?;
        }
        let dropped: Vec<i64> = duplicates.iter().map(|(dropped, _)| *dropped).collect();
        if !dropped.is_empty() {
            diesel::delete(
                customer_contacts::table
                    .filter(customer_contacts::account_id.eq(account))
                    .filter(any_of::ids(customer_contacts::id, &dropped)),
            )
            .execute(conn)?;
        }
        diesel::QueryResult::Ok(())
    })
}

/// Every phone of the account: `(id, value, key)`, for re-keying them in a new region.
pub fn phones_of_account(conn: &mut DbConn, account: Scope) -> Result<Vec<(i64, String, String)>> {
    db_run!(conn, {
        customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq(ContactKind::Phone))
            .select((
                customer_contacts::id,
                customer_contacts::value,
                customer_contacts::match_key,
            ))
            .load(conn)
    })
}

/// Sets a phone's compared form (`normalized` and `match_key` are the same for phones).
pub fn set_phone_key(conn: &mut DbConn, account: Scope, id: i64, key: &str) -> Result<()> {
    db_run!(conn, {
        diesel::update(
            customer_contacts::table
                .filter(customer_contacts::account_id.eq(account))
                .filter(customer_contacts::id.eq(id)),
        )
        .set((
            customer_contacts::normalized.eq(key),
            customer_contacts::match_key.eq(key),
        ))
        .execute(conn)
    })?;
    Ok(())
}
