//! The messages of a conversation.

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::journal::{self, Kind};
use super::schema::interactions;
use super::{DbConn, Scope};
use crate::db_run;
use crate::domain::conversation::InteractionType;
use crate::domain::paging::Window;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interactions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Interaction {
    pub id: i64,
    pub conversation_id: i64,
    pub kind: InteractionType,
    pub body: String,
    pub source: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = interactions)]
pub struct NewInteraction<'a> {
    pub account_id: i64,
    pub conversation_id: i64,
    pub kind: InteractionType,
    pub body: &'a str,
    pub source: Option<&'a str>,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts `rows` in one statement.
pub fn insert_all(conn: &mut DbConn, rows: &[NewInteraction]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = db_run!(conn, {
        diesel::insert_into(interactions::table)
            .values(rows)
            .returning(interactions::id)
            .get_results(conn)
    })?;
    for id in ids {
        journal::created(Kind::Interaction, id);
    }
    Ok(())
}

/// Which interactions a reader may see: guests never see agents' internal notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    WithoutNotes,
}

/// One page of a conversation's interactions, oldest first (one row more when there is a next
/// page), and how many there are when the window counts.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    conversation_id: i64,
    visibility: Visibility,
    window: &Window,
) -> Result<(Option<i64>, Vec<Interaction>)> {
    db_run!(conn, {
        let filtered = || {
            let mut query = interactions::table
                .filter(interactions::account_id.eq(account))
                .filter(interactions::conversation_id.eq(conversation_id))
                .into_boxed();
            if visibility == Visibility::WithoutNotes {
                query = query.filter(interactions::kind.ne(InteractionType::Note));
            }
            query
        };
        let total = window
            .counts()
            .then(|| filtered().count().get_result(conn))
            .transpose()?;
        let mut rows = filtered();
        if let Some(cursor) = &window.cursor {
            rows = rows.filter(interactions::id.gt(cursor.id));
        }
        let rows = rows
            .order(interactions::id.asc())
            .limit(window.limit())
            .offset(window.offset())
            .select(Interaction::as_select())
            .load(conn)?;
        Ok((total, rows))
    })
}

/// Inserts one interaction and returns that very row (not "the newest": another writer may have
/// committed one since).
pub fn insert_one(conn: &mut DbConn, row: &NewInteraction) -> Result<Interaction> {
    let interaction: Interaction = db_run!(conn, {
        diesel::insert_into(interactions::table)
            .values(row)
            .returning(Interaction::as_returning())
            .get_result(conn)
    })?;
    journal::created(Kind::Interaction, interaction.id);
    Ok(interaction)
}

/// One interaction by its id alone (the feed renders it without its conversation's id).
pub fn find_by_id(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<Interaction>> {
    db_run!(conn, {
        interactions::table
            .filter(interactions::account_id.eq(account))
            .filter(interactions::id.eq(id))
            .select(Interaction::as_select())
            .get_result(conn)
            .optional()
    })
}

/// How many interactions a guest sees (all but notes).
pub fn count_without_notes(conn: &mut DbConn, account: Scope, conversation_id: i64) -> Result<i64> {
    db_run!(conn, {
        interactions::table
            .filter(interactions::account_id.eq(account))
            .filter(interactions::conversation_id.eq(conversation_id))
            .filter(interactions::kind.ne(InteractionType::Note))
            .count()
            .get_result(conn)
    })
}

pub fn find(
    conn: &mut DbConn,
    account: Scope,
    conversation_id: i64,
    id: i64,
) -> Result<Option<Interaction>> {
    db_run!(conn, {
        interactions::table
            .filter(interactions::account_id.eq(account))
            .filter(interactions::conversation_id.eq(conversation_id))
            .filter(interactions::id.eq(id))
            .select(Interaction::as_select())
            .get_result(conn)
            .optional()
    })
}

pub fn delete(conn: &mut DbConn, account: Scope, conversation_id: i64, id: i64) -> Result<bool> {
    let deleted = db_run!(conn, {
        diesel::delete(
            interactions::table
                .filter(interactions::account_id.eq(account))
                .filter(interactions::conversation_id.eq(conversation_id))
                .filter(interactions::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(deleted > 0)
}
