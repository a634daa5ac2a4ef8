//! Bearer tokens: [`BearerToken`] is a token whose signature and claims hold and which the
//! database still honours; [`grant`] is that database check, optionally with the user's role in
//! one account. [`super::Caller`] builds on both for the account routes.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::db::{self, DbConn, Scope};
use crate::domain::{Integration, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// The user behind a bearer token. As an extractor (routes outside accounts, e.g. `/profile`) it
/// is checked against the database before the handler runs; inside [`super::Caller`] it is
/// only the token's claims until the request's own work confirms them.
#[derive(Debug, Clone)]
pub struct BearerToken {
    pub user_id: i64,
    pub token_id: String,
    /// Set when the token was issued for an integration.
    pub integration: Option<Integration>,
}

pub(super) fn invalid_token() -> ApiError {
    ApiError::Unauthorized("The access token is missing, invalid, expired or revoked.".into())
}

pub(crate) fn guest_refused() -> ApiError {
    ApiError::Unauthorized(
        "The fingerprint is malformed, or this account takes no contact forms.".into(),
    )
}

/// Reads `Authorization: Bearer <token>` and checks signature and claims (no database yet).
pub(super) fn bearer_claims(req: &HttpRequest, state: &AppState) -> Result<BearerToken, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(invalid_token)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(invalid_token());
    }
    let claims = state.jwt.verify(token.trim()).ok_or_else(invalid_token)?;
    let user_id = claims.user_id().ok_or_else(invalid_token)?;
    Ok(BearerToken {
        user_id,
        integration: claims.integration(),
        token_id: claims.jti,
    })
}

/// Checks in one query that the token is live and its user active, and reads the user's role in
/// `account_id` (if asked) with that account's scope: `Err` 401 for a refused token, `Ok(None)`
/// for no role there.
pub(super) fn grant(
    conn: &mut DbConn,
    token: &BearerToken,
    account_id: Option<i64>,
) -> Result<Option<(Role, Scope)>, ApiError> {
    let grant = db::tokens::authenticate(conn, &token.token_id, token.user_id, account_id)?
        .ok_or_else(invalid_token)?;
    // The stored token says which integration it serves; a claim that disagrees is forged.
    if token.integration != grant.integration {
        return Err(invalid_token());
    }
    Ok(grant.membership)
}

pub(super) fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("AppState missing"))
}

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let token = bearer_claims(&req, &state)?;
            let checked = token.clone();
            state
                .db
                .read(move |conn| grant(conn, &checked, None))
                .await?;
            Ok(token)
        })
    }
}
