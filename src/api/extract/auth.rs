//! Bearer authentication and account scoping.
//!
//! `CurrentUser` checks the token; `Member` also checks that its user belongs to the account in
//! the path, in the same query, run inside the request's own database work. An account the user
//! is not in is a 404, like a missing one.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use std::sync::Arc;

use crate::api::account_limit::AccountSlot;
use crate::db::{self, Db, DbConn};
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

/// A user acting in the account named by the path's `{account_id}`, as its signed token says.
///
/// The database's word on the token (not revoked, user active, a member of the account, and an
/// admin where the work asks for one) is taken inside the request's own database work, on the
/// same connection ([`Member::read`], [`Member::write`]): one checkout and one hand-off to the
/// blocking pool per request. It holds one of the account's slots (see `api::account_limit`)
/// for as long as the request runs.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: CurrentUser,
    pub account_id: i64,
    pub slot: Arc<AccountSlot>,
    admin_only: bool,
}

/// What a request's credentials claim, confirmed by [`Access::confirm`] before its work runs.
#[derive(Debug, Clone)]
pub(crate) enum Access {
    Member {
        user: CurrentUser,
        account_id: i64,
        admin_only: bool,
    },
    /// A contact form's guest: the account must take contact forms.
    Guest { account_id: i64 },
}

impl Access {
    /// Checks the credentials against the database, on the connection the work then uses.
    pub(crate) fn confirm(&self, conn: &mut DbConn) -> Result<(), ApiError> {
        match self {
            Access::Member {
                user,
                account_id,
                admin_only,
            } => match grant(conn, user, Some(*account_id))? {
                None => Err(ApiError::not_found()),
                Some(Role::Agent) if *admin_only => Err(ApiError::Forbidden),
                Some(_) => Ok(()),
            },
            Access::Guest { account_id } => match db::accounts::find(conn, *account_id)? {
                Some(account) if account.contact_form_enabled => Ok(()),
                _ => Err(guest_refused()),
            },
        }
    }

    /// `f` on one pooled connection, after [`Access::confirm`] there.
    pub(crate) async fn read<T, F>(self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db.read(move |conn| {
            self.confirm(conn)?;
            f(conn)
        })
        .await
    }

    /// `f` in one transaction, after [`Access::confirm`] in it.
    pub(crate) async fn write<T, F>(self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db.write(move |conn| {
            self.confirm(conn)?;
            f(conn)
        })
        .await
    }

    /// A refused input's `err`, once the credentials are confirmed: a refused token gets
    /// 401/403/404 whatever it sent (as if checked before reading it).
    pub(crate) async fn refused_input<T>(self, db: &Db, err: ApiError) -> Result<T, ApiError> {
        self.read(db, |_| Ok(())).await?;
        Err(err)
    }
}

impl Member {
    /// From here on, the work runs only for an admin of the account (403 for an agent).
    pub fn admin_only(&mut self) {
        self.admin_only = true;
    }

    pub(crate) fn access(&self) -> Access {
        Access::Member {
            user: self.user.clone(),
            account_id: self.account_id,
            admin_only: self.admin_only,
        }
    }

    /// Read-only work on one connection, once the credentials hold (see [`Member`]).
    pub async fn read<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.access().read(db, f).await
    }

    /// Work in one transaction, once the credentials hold (see [`Member`]).
    pub async fn write<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.access().write(db, f).await
    }

    /// `input` as it is, but an error only once the credentials are confirmed (see
    /// [`Access::refused_input`]): a refused token's 401/403/404 wins over a validation error.
    pub async fn checked<T, E: Into<ApiError>>(
        &self,
        db: &Db,
        input: Result<T, E>,
    ) -> Result<T, ApiError> {
        match input {
            Ok(value) => Ok(value),
            Err(err) => self.access().refused_input(db, err.into()).await,
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthorized("The access token is missing, invalid, expired or revoked.".into())
}

pub(crate) fn guest_refused() -> ApiError {
    ApiError::Unauthorized(
        "The fingerprint is malformed, or this account takes no contact forms.".into(),
    )
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

/// Checks in one query that the token is live and its user active, and reads the user's role in
/// `account_id` (if asked): `Err` 401 for a refused token, `Ok(None)` for no role there.
fn grant(
    conn: &mut DbConn,
    user: &CurrentUser,
    account_id: Option<i64>,
) -> Result<Option<Role>, ApiError> {
    let grant = db::tokens::authenticate(conn, &user.token_id, user.user_id, account_id)?
        .ok_or_else(invalid_token)?;
    // The stored token says which integration it serves; a claim that disagrees is forged.
    if user.integration != grant.integration {
        return Err(invalid_token());
    }
    Ok(grant.role)
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("AppState missing"))
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let user = bearer_claims(&req, &state)?;
            let checked = user.clone();
            state
                .db
                .read(move |conn| grant(conn, &checked, None))
                .await?;
            Ok(user)
        })
    }
}

impl FromRequest for Member {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let user = bearer_claims(&req, &state)?;
            let account_id = req
                .match_info()
                .get("account_id")
                .and_then(|s| s.parse::<i64>().ok())
                .filter(|id| *id > 0);
            let Some(account_id) = account_id else {
                // A malformed id names no account; a refused token still gets its 401 first.
                state.db.read(move |conn| grant(conn, &user, None)).await?;
                return Err(ApiError::not_found());
            };
            let slot = account_slot(&req, account_id).await?;
            Ok(Member {
                user,
                account_id,
                slot: Arc::new(slot),
                admin_only: false,
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
