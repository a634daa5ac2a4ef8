//! What every request handler shares: the pool, the signing keys and the request limits.

use crate::api::rate_limit::RateLimits;
use crate::auth::JwtKeys;
use crate::db::Db;

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    pub rate_limits: RateLimits,
}
