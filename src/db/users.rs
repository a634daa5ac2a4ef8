//! Users (agents) and their membership of accounts.

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::accounts::Account;
use super::schema::{account_members, accounts, users};
use super::{DbConn, Scope};
use crate::db_run;
use crate::domain::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What creating a user needs; the email is stored as given and matched lower-cased.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct UserRow<'a> {
    email: &'a str,
    email_normalized: String,
    first_name: &'a str,
    last_name: Option<&'a str>,
    password_hash: Option<&'a str>,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, new: &NewUser) -> Result<User> {
    let now = super::now();
    let row = UserRow {
        email: &new.email,
        email_normalized: new.email.to_lowercase(),
        first_name: &new.first_name,
        last_name: new.last_name.as_deref(),
        password_hash: new.password_hash.as_deref(),
        active: true,
        created_at: now,
        updated_at: now,
    };
    db_run!(conn, {
        diesel::insert_into(users::table)
            .values(&row)
            .returning(User::as_returning())
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<User>> {
    db_run!(conn, {
        users::table
            .find(id)
            .select(User::as_select())
            .get_result(conn)
            .optional()
    })
}

/// Looks a user up by email, ignoring case.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>> {
    let normalized = email.to_lowercase();
    db_run!(conn, {
        users::table
            .filter(users::email_normalized.eq(&normalized))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    })
}

/// Makes `user_id` a member of `account_id` with `role`.
pub fn add_member(conn: &mut DbConn, account: Scope, user_id: i64, role: Role) -> Result<()> {
    let now = super::now();
    db_run!(conn, {
        diesel::insert_into(account_members::table)
            .values((
                account_members::account_id.eq(account),
                account_members::user_id.eq(user_id),
                account_members::role.eq(role),
                account_members::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// The accounts `user_id` belongs to, with its role in each, ordered by account id.
pub fn memberships(conn: &mut DbConn, user_id: i64) -> Result<Vec<(Account, Role)>> {
    db_run!(conn, {
        account_members::table
            .inner_join(accounts::table)
            .filter(account_members::user_id.eq(user_id))
            .order(accounts::id.asc())
            .select((Account::as_select(), account_members::role))
            .load(conn)
    })
}

/// Whether `user_id` is a member of `account_id`.
pub fn is_member(conn: &mut DbConn, account: Scope, user_id: i64) -> Result<bool> {
    db_run!(conn, {
        diesel::select(diesel::dsl::exists(
            account_members::table
                .filter(account_members::account_id.eq(account))
                .filter(account_members::user_id.eq(user_id)),
        ))
        .get_result(conn)
    })
}

/// Activates or deactivates a user; a deactivated user's tokens stop working at once.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> Result<()> {
    let now = super::now();
    db_run!(conn, {
        diesel::update(users::table.find(id))
            .set((users::active.eq(active), users::updated_at.eq(now)))
            .execute(conn)
    })?;
    Ok(())
}
