//! API tokens: one row per issued JWT, keyed by its `jti`, so tokens can be revoked.

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{account_members, accounts, api_tokens, users};
use super::{DbConn, Scope};
use crate::db_run;
use crate::domain::{Integration, Role};

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewToken<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub integration: Option<Integration>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, token: &NewToken) -> Result<()> {
    db_run!(conn, {
        diesel::insert_into(api_tokens::table)
            .values(token)
            .execute(conn)
    })?;
    Ok(())
}

/// Marks a token revoked (keeping the first revocation time); returns whether it exists.
pub fn revoke(conn: &mut DbConn, id: &str) -> Result<bool> {
    let now = super::now();
    db_run!(conn, {
        diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
        diesel::select(diesel::dsl::exists(api_tokens::table.find(id))).get_result(conn)
    })
}

/// What a live token grants: the user's role in the account asked about, if any.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The user's role in the account asked about, and that account's scope; `None` when the
    /// user is not a member of it (or none was asked about).
    pub membership: Option<(Role, Scope)>,
    /// The integration the token was issued for, as stored (the JWT's claim is not trusted).
    pub integration: Option<Integration>,
}

/// Checks in one query that token `jti` belongs to `user_id`, is neither revoked nor expired, and
/// that its user is active; also reads the user's role in `account_id`. `None`: refuse the token.
pub fn authenticate(
    conn: &mut DbConn,
    jti: &str,
    user_id: i64,
    account_id: Option<i64>,
) -> Result<Option<Grant>> {
    let now = super::now();
    // Ids are positive, so 0 matches no membership when no account is asked about.
    let account_id = account_id.unwrap_or(0);
    let row: Option<(Option<Role>, Option<Integration>, Option<String>)> = db_run!(conn, {
        api_tokens::table
            .inner_join(users::table)
            .left_join(
                account_members::table.on(account_members::user_id
                    .eq(users::id)
                    .and(account_members::account_id.eq(account_id))),
            )
            // The account's settings its scope carries (a primary-key probe in this statement).
            .left_join(accounts::table.on(accounts::id.eq(account_members::account_id)))
            .filter(api_tokens::id.eq(jti))
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null())
            .filter(api_tokens::expires_at.gt(now))
            .filter(users::active.eq(true))
            .select((
                account_members::role.nullable(),
                api_tokens::integration,
                accounts::phone_region.nullable(),
            ))
            .get_result(conn)
            .optional()
    })?;
    Ok(row.map(|(role, integration, phone_region)| Grant {
        membership: role.map(|role| (role, Scope::confirmed(account_id, phone_region.as_deref()))),
        integration,
    }))
}
