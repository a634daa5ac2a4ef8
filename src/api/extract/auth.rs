//! Bearer authentication and account scoping.
//!
//! `CurrentUser` checks the token; `Member` also checks that its user belongs to the account in
//! the path, in the same query. An account the user is not in is a 404, like a missing one.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use std::sync::Arc;

use crate::api::account_limit::AccountSlot;
use crate::db;
use crate::domain::{Integration, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated user behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
    pub token_id: String,
    /// Set when the token was issued for an integration.
    pub integration: Option<Integration>,
}

/// A user acting in the account named by the path's `{account_id}`, with its role there.
/// It holds one of the account's slots (see `api::account_limit`) for as long as the request runs.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: CurrentUser,
    pub account_id: i64,
    pub role: Role,
    pub slot: Arc<AccountSlot>,
}

impl Member {
    /// 403 unless the member is an admin of the account.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Agent => Err(ApiError::Forbidden),
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthorized("The access token is missing, invalid, expired or revoked.".into())
}

/// Reads `Authorization: Bearer <token>` and checks signature and claims (no database yet).
fn bearer_claims(req: &HttpRequest, state: &AppState) -> Result<CurrentUser, ApiError> {
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
    Ok(CurrentUser {
        user_id,
        integration: claims.integration(),
        token_id: claims.jti,
    })
}

/// Authenticates the request and reads the user's role in `account_id` (if asked) in one query.
async fn authenticate(
    req: &HttpRequest,
    account_id: Option<i64>,
) -> Result<(CurrentUser, Option<Role>), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("AppState missing"))?
        .clone();
    let user = bearer_claims(req, &state)?;
    let (jti, user_id) = (user.token_id.clone(), user.user_id);
    let grant = state
        .db
        .read(move |conn| Ok(db::tokens::authenticate(conn, &jti, user_id, account_id)?))
        .await?
        .ok_or_else(invalid_token)?;
    // The stored token says which integration it serves; a claim that disagrees is forged.
    let integration = grant.integration.as_deref().and_then(Integration::parse);
    if user.integration != integration {
        return Err(invalid_token());
    }
    Ok((user, grant.role.as_deref().and_then(Role::parse)))
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(authenticate(&req, None).await?.0) })
    }
}

impl FromRequest for Member {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // A malformed id names no account: still authenticate first, so 401 wins over 404.
            let account_id = req
                .match_info()
                .get("account_id")
                .and_then(|s| s.parse::<i64>().ok())
                .filter(|id| *id > 0);
            let (user, role) = authenticate(&req, account_id).await?;
            let (Some(account_id), Some(role)) = (account_id, role) else {
                return Err(ApiError::not_found());
            };
            let slot = account_slot(&req, account_id).await?;
            Ok(Member {
                user,
                account_id,
                role,
                slot: Arc::new(slot),
            })
        })
    }
}

/// One of `account_id`'s slots, held for the rest of the request.
pub(crate) async fn account_slot(
    req: &HttpRequest,
    account_id: i64,
) -> Result<AccountSlot, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("AppState missing"))?;
    state.account_limits.enter(account_id).await
}
