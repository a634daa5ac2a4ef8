//! Credentials: signing and checking JWTs, hashing passwords, issuing revocable tokens.

pub mod jwt;
pub mod password;

use chrono::{Duration, NaiveDateTime};

use crate::db::{self, DbConn};
use crate::domain::Integration;
pub use jwt::{Claims, JwtKeys};

/// The name of the stored setting that holds the generated signing secret.
const JWT_SECRET_SETTING: &str = "jwt_secret";

/// The signing keys: `JWT_SECRET` when given, else the secret stored in the database (generated
/// on first use), so every instance and command on one database signs alike.
pub fn load_keys(conn: &mut DbConn, configured: Option<&str>) -> db::Result<JwtKeys> {
    let secret = match configured {
        Some(secret) => secret.to_string(),
        None => db::settings::get_or_init(conn, JWT_SECRET_SETTING, jwt::generate_secret)?,
    };
    Ok(JwtKeys::new(secret.as_bytes()))
}

/// A freshly issued bearer token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    /// The JWT's `jti`, the id `tokens revoke` takes.
    pub id: String,
    pub expires_at: NaiveDateTime,
}

/// Records a token for `user_id` valid for `ttl` and returns it signed.
pub fn issue_token(
    conn: &mut DbConn,
    keys: &JwtKeys,
    user_id: i64,
    ttl: Duration,
    integration: Option<Integration>,
) -> db::Result<IssuedToken> {
    let now = db::now();
    let expires_at = now + ttl;
    let id = uuid::Uuid::new_v4().to_string();
    db::tokens::insert(
        conn,
        &db::tokens::NewToken {
            id: &id,
            user_id,
            integration,
            created_at: now,
            expires_at,
        },
    )?;
    let claims = Claims::new(user_id, &id, now, expires_at, integration);
    Ok(IssuedToken {
        token: keys.sign(&claims),
        id,
        expires_at,
    })
}
