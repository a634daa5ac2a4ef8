//! A user made a member of an account: the one way the bootstrap, the command line and the tests
//! create users.

use crate::db::{self, users::User, DbConn};
use crate::domain::{EmailAddress, Role};

/// Who to create, and with what role in which account.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub account_id: i64,
    pub email: EmailAddress,
    pub first_name: String,
    pub last_name: Option<String>,
    /// `None`: the user can't log in with a password (tokens only).
    pub password_hash: Option<String>,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("no account with id {0}")]
    NoAccount(i64),
    #[error("a user with email {0} exists already")]
    EmailTaken(String),
    #[error(transparent)]
    Database(#[from] db::Error),
}

/// Creates the user and its membership, in the caller's transaction.
pub fn create(conn: &mut DbConn, new: NewMember) -> Result<User, MemberError> {
    let Some(account) = db::accounts::find(conn, new.account_id)? else {
        return Err(MemberError::NoAccount(new.account_id));
    };
    if db::users::find_by_email(conn, new.email.as_str())?.is_some() {
        return Err(MemberError::EmailTaken(new.email.as_str().to_string()));
    }
    let email = new.email.as_str().to_string();
    let user = db::users::create(
        conn,
        &db::users::NewUser {
            email: email.clone(),
            first_name: new.first_name.trim().to_string(),
            last_name: new
                .last_name
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty()),
            password_hash: new.password_hash,
        },
    )
    .map_err(|e| match e {
        // A concurrent creation took the email between the check and the insert.
        e if e.is_unique_violation() => MemberError::EmailTaken(email),
        e => e.into(),
    })?;
    db::users::add_member(conn, account.scope(), user.id, new.role)?;
    Ok(user)
}
