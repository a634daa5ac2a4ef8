//! Agents' notes on customers and companies, and the `notes_count` each owner keeps.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::journal::{self, Kind};
use super::schema::{companies, customers, notes, users};
use super::{any_of, DbConn, Result, Scope};
use crate::db_run;
use crate::domain::owner::Owner;
use crate::domain::paging::Window;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notes)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Note {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub company_id: Option<i64>,
    pub body: String,
    pub author_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A note row as `seed-data` bulk-loads it (the API inserts one at a time, in [`insert`]).
#[derive(Debug, Insertable)]
#[diesel(table_name = notes)]
pub struct NewNote<'a> {
    pub account_id: i64,
    pub customer_id: Option<i64>,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The user who wrote a note, as the note shows them.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Author {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
}

/// A note with its author (`None` once that user is deleted).
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub note: Note,
    pub author: Option<Author>,
}

/// `$body` with `$rows` bound to the account's notes of `$owner` (expanded once per kind of
/// owner, as the two filters are different types).
macro_rules! with_owner {
    ($account:expr, $owner:expr, |$rows:ident| $body:expr) => {
        match $owner {
            Owner::Customer(id) => {
                let $rows = notes::table
                    .filter(notes::account_id.eq($account))
                    .filter(notes::customer_id.eq(id));
                $body
            }
            Owner::Company(id) => {
                let $rows = notes::table
                    .filter(notes::account_id.eq($account))
                    .filter(notes::company_id.eq(id));
                $body
            }
        }
    };
}

/// The owner's `notes_count`, moved by `delta`; `None` when the account has no such owner. On
/// PostgreSQL the update holds the owner's row until the transaction ends, so a note is never
/// written for an owner being deleted.
pub fn add_to_count(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    delta: i64,
) -> Result<Option<i64>> {
    db_run!(conn, {
        match owner {
            Owner::Customer(id) => diesel::update(
                customers::table
                    .filter(customers::account_id.eq(account))
                    .filter(customers::id.eq(id)),
            )
            .set(customers::notes_count.eq(customers::notes_count + delta))
            .returning(customers::notes_count)
            .get_result(conn)
            .optional(),
            Owner::Company(id) => diesel::update(
                companies::table
                    .filter(companies::account_id.eq(account))
                    .filter(companies::id.eq(id)),
            )
            .set(companies::notes_count.eq(companies::notes_count + delta))
            .returning(companies::notes_count)
            .get_result(conn)
            .optional(),
        }
    })
}

/// The owner's `notes_count`; `None` when the account has no such owner.
pub fn count_of(conn: &mut DbConn, account: Scope, owner: Owner) -> Result<Option<i64>> {
    db_run!(conn, {
        match owner {
            Owner::Customer(id) => customers::table
                .filter(customers::account_id.eq(account))
                .filter(customers::id.eq(id))
                .select(customers::notes_count)
                .get_result(conn)
                .optional(),
            Owner::Company(id) => companies::table
                .filter(companies::account_id.eq(account))
                .filter(companies::id.eq(id))
                .select(companies::notes_count)
                .get_result(conn)
                .optional(),
        }
    })
}

pub fn insert(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    body: &str,
    author_id: Option<i64>,
) -> Result<i64> {
    let now = super::now();
    let (customer_id, company_id) = match owner {
        Owner::Customer(id) => (Some(id), None),
        Owner::Company(id) => (None, Some(id)),
    };
    let id: i64 = db_run!(conn, {
        diesel::insert_into(notes::table)
            .values((
                notes::account_id.eq(account),
                notes::customer_id.eq(customer_id),
                notes::company_id.eq(company_id),
                notes::body.eq(body),
                notes::author_id.eq(author_id),
                notes::created_at.eq(now),
                notes::updated_at.eq(now),
            ))
            .returning(notes::id)
            .get_result(conn)
    })?;
    journal::created(Kind::Note, id);
    Ok(id)
}

/// One note of the owner, with its author.
pub fn find(conn: &mut DbConn, account: Scope, owner: Owner, id: i64) -> Result<Option<NoteRow>> {
    let row: Option<(Note, Option<Author>)> = db_run!(conn, {
        with_owner!(account, owner, |rows| rows
            .filter(notes::id.eq(id))
            .left_join(users::table)
            .select((Note::as_select(), Option::<Author>::as_select()))
            .get_result(conn)
            .optional())
    })?;
    Ok(row.map(|(note, author)| NoteRow { note, author }))
}

/// One note by its id alone (the feed renders it without its owner).
pub fn find_by_id(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<NoteRow>> {
    let row: Option<(Note, Option<Author>)> = db_run!(conn, {
        notes::table
            .filter(notes::account_id.eq(account))
            .filter(notes::id.eq(id))
            .left_join(users::table)
            .select((Note::as_select(), Option::<Author>::as_select()))
            .get_result(conn)
            .optional()
    })?;
    Ok(row.map(|(note, author)| NoteRow { note, author }))
}

/// One page of the owner's notes, newest first (one row more when there is a next page), on
/// `notes_customer_idx` / `notes_company_idx`.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    window: &Window,
) -> Result<Vec<NoteRow>> {
    let rows: Vec<(Note, Option<Author>)> = db_run!(conn, {
        // Below the cursor's id, or from the top: `i64::MAX` keeps one statement shape.
        let below = window.cursor.as_ref().map_or(i64::MAX, |c| c.id);
        with_owner!(account, owner, |rows| rows
            .filter(notes::id.lt(below))
            .left_join(users::table)
            .order(notes::id.desc())
            .limit(window.limit())
            .offset(window.offset())
            .select((Note::as_select(), Option::<Author>::as_select()))
            .load(conn))
    })?;
    Ok(rows
        .into_iter()
        .map(|(note, author)| NoteRow { note, author })
        .collect())
}

/// Sets the body; whether the owner has such a note.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    id: i64,
    body: &str,
) -> Result<bool> {
    let now = super::now();
    let ids: Vec<i64> = db_run!(conn, {
        with_owner!(account, owner, |rows| diesel::update(
            rows.filter(notes::id.eq(id))
        )
        .set((notes::body.eq(body), notes::updated_at.eq(now)))
        .returning(notes::id)
        .get_results(conn))
    })?;
    journal::updated_all(Kind::Note, &ids);
    Ok(!ids.is_empty())
}

/// Deletes one note of the owner; whether there was one.
pub fn delete(conn: &mut DbConn, account: Scope, owner: Owner, id: i64) -> Result<bool> {
    journal::deleting(conn, Kind::Note, id)?;
    let deleted = db_run!(conn, {
        with_owner!(account, owner, |rows| diesel::delete(
            rows.filter(notes::id.eq(id))
        )
        .execute(conn))
    })?;
    Ok(deleted > 0)
}

/// Gives the notes of customers `from` to customer `to` (a merge); returns how many moved.
pub fn move_to(conn: &mut DbConn, account: Scope, from: &[i64], to: i64) -> Result<usize> {
    let now = super::now();
    let moved: Vec<i64> = db_run!(conn, {
        diesel::update(
            notes::table
                .filter(notes::account_id.eq(account))
                .filter(any_of::ids(notes::customer_id, from)),
        )
        .set((notes::customer_id.eq(to), notes::updated_at.eq(now)))
        .returning(notes::id)
        .get_results(conn)
    })?;
    journal::updated_all(Kind::Note, &moved);
    Ok(moved.len())
}
