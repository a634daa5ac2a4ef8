//! What every request handler shares: the pool, the signing keys and the request limits.

use crate::auth::JwtKeys;
use crate::db::Db;
use crate::limits::RateLimits;

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    pub rate_limits: RateLimits,
    /// How long a client has to send its whole body (408 after).
    pub body_read_timeout: std::time::Duration,
    /// Where absolute links point (`https://api.example.com`); `None`: relative links.
    pub public_base_url: Option<String>,
    /// Writes without `If-Match` get a 428 (`REQUIRE_IF_MATCH`).
    pub require_if_match: bool,
    /// Caps each account's requests at the database.
    pub account_limits: crate::api::account_limit::AccountLimits,
}
