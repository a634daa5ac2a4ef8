//! Agents' notes on a customer or a company: each write keeps the owner's `notes_count`.

use crate::db::notes::{self, NoteRow};
use crate::db::{DbConn, Scope};
use crate::domain::cursor::Cursor;
use crate::domain::note::{NoteChanges, NoteInput};
use crate::domain::owner::Owner;
use crate::domain::paging::{Page, Window, NEWEST_FIRST};
use crate::error::ApiError;
use crate::services::customers::{self, Access};

/// Adds a note signed by `author_id` (the token's user).
pub fn create(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    author_id: Option<i64>,
    input: &NoteInput,
) -> Result<NoteRow, ApiError> {
    // Counting first also proves the owner is there (and, on PostgreSQL, holds it).
    if notes::add_to_count(conn, account, owner, 1)?.is_none() {
        return Err(owner_missing(conn, account, owner)?);
    }
    let id = notes::insert(conn, account, owner, &input.body, author_id)?;
    load(conn, account, owner, id)
}

pub fn load(conn: &mut DbConn, account: Scope, owner: Owner, id: i64) -> Result<NoteRow, ApiError> {
    match notes::find(conn, account, owner, id)? {
        Some(row) => Ok(row),
        None => Err(owner_missing(conn, account, owner)?),
    }
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    id: i64,
    changes: &NoteChanges,
) -> Result<NoteRow, ApiError> {
    let current = load(conn, account, owner, id)?;
    let Some(body) = changes.body.as_ref().filter(|b| **b != current.note.body) else {
        return Ok(current);
    };
    notes::update(conn, account, owner, id, body)?;
    load(conn, account, owner, id)
}

pub fn delete(conn: &mut DbConn, account: Scope, owner: Owner, id: i64) -> Result<(), ApiError> {
    // Read first: the feed's `note.deleted` carries the note, and another owner's note id is
    // a 404 here, not a delete.
    load(conn, account, owner, id)?;
    notes::delete(conn, account, owner, id)?;
    notes::add_to_count(conn, account, owner, -1)?;
    Ok(())
}

/// One page of the owner's notes, newest first; counted by the owner's `notes_count`.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    window: &Window,
) -> Result<Page<NoteRow>, ApiError> {
    let Some(total) = notes::count_of(conn, account, owner)? else {
        return Err(owner_missing(conn, account, owner)?);
    };
    let rows = notes::list(conn, account, owner, window)?;
    Ok(Page::new(
        rows,
        window.counts().then_some(total),
        window,
        |row| Cursor::after_id(NEWEST_FIRST, row.note.id),
    ))
}

/// The error for a note or owner that is not there: a customer merged into another is a 404
/// naming the survivor, whose notes these now are.
fn owner_missing(conn: &mut DbConn, account: Scope, owner: Owner) -> Result<ApiError, ApiError> {
    match owner {
        Owner::Customer(id) => customers::missing(conn, account, id, Access::Write),
        Owner::Company(_) => Ok(ApiError::not_found()),
    }
}
