//! [`Caller`]: whoever calls a route under `/accounts/{account_id}`.
//!
//! Extracting one reads the credentials (signature and claims, or a fingerprint's shape) and
//! takes one of the account's slots, but asks the database nothing: the database's word (token
//! live, user active, a member of the account, an admin where the work asks for one; or an
//! account that takes contact forms) is taken inside the request's own work, on its connection
//! ([`Caller::read`], [`Caller::write`]), which then receives the account's [`Scope`]. One
//! checkout and one hand-off to the blocking pool per request. An account the caller can't
//! reach is a 404, like a missing one.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::auth::{app_state, bearer_claims, grant, guest_refused, BearerToken};
use crate::api::account_limit::AccountSlot;
use crate::api::etag::IfMatch;
use crate::api::events;
use crate::db::{self, journal, Db, DbConn, Scope};
use crate::domain::fingerprint::Fingerprint;
use crate::domain::{Identity, Role};
use crate::error::ApiError;
use crate::state::AppState;

/// The credentials a route takes: [`BearerToken`] (agents, the default) or [`TokenOrFingerprint`]
/// (agents, and the guests of contact forms).
pub trait Credentials: Clone + Send + Sized + 'static {
    /// The request's credentials, checked without the database.
    fn read(req: &HttpRequest, state: &AppState) -> Result<Self, ApiError>;

    /// The database's word on them for `account_id`: the account's scope, or why not.
    fn confirm(
        &self,
        conn: &mut DbConn,
        account_id: i64,
        admin_only: bool,
    ) -> Result<Scope, ApiError>;

    fn identity(&self) -> Identity;

    /// The token, when the credentials are one (checked first when the path names no account).
    fn token(&self) -> Option<&BearerToken>;
}

impl Credentials for BearerToken {
    fn read(req: &HttpRequest, state: &AppState) -> Result<Self, ApiError> {
        bearer_claims(req, state)
    }

    fn confirm(
        &self,
        conn: &mut DbConn,
        account_id: i64,
        admin_only: bool,
    ) -> Result<Scope, ApiError> {
        match grant(conn, self, Some(account_id))? {
            None => Err(ApiError::not_found()),
            Some((Role::Agent, _)) if admin_only => Err(ApiError::Forbidden),
            Some((_, scope)) => Ok(scope),
        }
    }

    fn identity(&self) -> Identity {
        Identity::Agent {
            user_id: self.user_id,
        }
    }

    fn token(&self) -> Option<&BearerToken> {
        Some(self)
    }
}

/// An agent's bearer token, or a guest's `Authorization: Fingerprint <email>:<uuid>` where the
/// account takes contact forms.
#[derive(Debug, Clone)]
pub enum TokenOrFingerprint {
    Token(BearerToken),
    Fingerprint(Fingerprint),
}

impl Credentials for TokenOrFingerprint {
    fn read(req: &HttpRequest, state: &AppState) -> Result<Self, ApiError> {
        match fingerprint_credentials(req) {
            None => bearer_claims(req, state).map(TokenOrFingerprint::Token),
            Some(credentials) => Fingerprint::parse(&credentials)
                .map(TokenOrFingerprint::Fingerprint)
                .ok_or_else(guest_refused),
        }
    }

    fn confirm(
        &self,
        conn: &mut DbConn,
        account_id: i64,
        admin_only: bool,
    ) -> Result<Scope, ApiError> {
        match self {
            TokenOrFingerprint::Token(token) => token.confirm(conn, account_id, admin_only),
            TokenOrFingerprint::Fingerprint(_) => match db::accounts::find(conn, account_id)? {
                Some(account) if account.contact_form_enabled => Ok(account.scope()),
                _ => Err(guest_refused()),
            },
        }
    }

    fn identity(&self) -> Identity {
        match self {
            TokenOrFingerprint::Token(token) => token.identity(),
            TokenOrFingerprint::Fingerprint(fingerprint) => Identity::Guest {
                fingerprint_hash: fingerprint.hash(),
                email: fingerprint.email.clone(),
            },
        }
    }

    fn token(&self) -> Option<&BearerToken> {
        match self {
            TokenOrFingerprint::Token(token) => Some(token),
            TokenOrFingerprint::Fingerprint(_) => None,
        }
    }
}

/// Whoever calls an account route, with credentials of kind `C`: see the module's documentation.
/// It holds one of the account's slots (see `api::account_limit`) while the request runs.
#[derive(Debug)]
pub struct Caller<C: Credentials = BearerToken> {
    /// The account the path names; reached only once [`Caller::read`] or [`Caller::write`]
    /// confirms it.
    pub account_id: i64,
    pub credentials: C,
    admin_only: bool,
    /// `Consistency: strong`: reads go to the primary even with replicas configured.
    strong: bool,
    _slot: AccountSlot,
}

impl<C: Credentials> Caller<C> {
    /// From here on, the work runs only for an admin of the account (403 for an agent).
    pub fn admin_only(&mut self) {
        self.admin_only = true;
    }

    pub fn identity(&self) -> Identity {
        self.credentials.identity()
    }

    fn confirm(&self) -> impl Fn(&mut DbConn) -> Result<Scope, ApiError> + Send + 'static {
        let (credentials, account_id, admin_only) =
            (self.credentials.clone(), self.account_id, self.admin_only);
        move |conn| credentials.confirm(conn, account_id, admin_only)
    }

    /// Who the caller is to the replica routing: its reads stay on the primary a while after
    /// its own writes (see `db::replicas`).
    fn reader(&self) -> String {
        match self.identity() {
            Identity::Agent { user_id } => format!("user:{user_id}"),
            Identity::Guest {
                fingerprint_hash, ..
            } => format!("guest:{fingerprint_hash}"),
        }
    }

    /// Read-only work on one connection, in the account's scope once the credentials hold: on a
    /// read replica when one is configured and fresh, unless the caller wrote lately or asked
    /// for `Consistency: strong`.
    pub async fn read<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut DbConn, Scope) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let confirm = self.confirm();
        let work = move |conn: &mut DbConn| {
            let scope = confirm(conn)?;
            f(conn, scope)
        };
        match db.has_replicas() {
            true => db.read_as(&self.reader(), self.strong, work).await,
            false => db.read(work).await,
        }
    }

    /// Work in one transaction, in the account's scope once the credentials hold. Every change
    /// the work makes to a record the feed reports is journaled, and its event appended before
    /// the transaction commits (see `api::events`).
    pub async fn write<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn, Scope) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let confirm = self.confirm();
        let (value, appended) = db
            .write(move |conn| {
                let scope = confirm(conn)?;
                let (value, changes) = journal::record(events::renderer(scope), || f(conn, scope));
                let value = value?;
                let appended = events::append(conn, scope, changes)?;
                Ok::<_, ApiError>((value, appended))
            })
            .await?;
        if db.has_replicas() {
            db.wrote(&self.reader());
        }
        if appended {
            events::appended().notify_one();
        }
        Ok(value)
    }

    /// The request's `If-Match` (a 428 without one under `REQUIRE_IF_MATCH`), refused only once
    /// the credentials are confirmed, like any input.
    pub async fn if_match(
        &self,
        state: &AppState,
        req: &HttpRequest,
    ) -> Result<Option<IfMatch>, ApiError> {
        self.checked(&state.db, IfMatch::of(req, state.require_if_match))
            .await
    }

    /// `input` as it is, but an error only once the credentials are confirmed: refused
    /// credentials get their 401/403/404 whatever was sent (as if checked before reading it).
    pub async fn checked<T, E: Into<ApiError>>(
        &self,
        db: &Db,
        input: Result<T, E>,
    ) -> Result<T, ApiError> {
        match input {
            Ok(value) => Ok(value),
            Err(err) => {
                self.read(db, |_, _| Ok(())).await?;
                Err(err.into())
            }
        }
    }
}

/// `Consistency: strong` (any case): the caller's reads must see every committed write.
fn wants_strong_consistency(req: &HttpRequest) -> bool {
    req.headers()
        .get("consistency")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("strong"))
}

/// The credentials after `Fingerprint `, when that is the scheme used.
fn fingerprint_credentials(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, credentials) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("fingerprint")
        .then(|| credentials.to_string())
}

impl<C: Credentials> FromRequest for Caller<C> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let credentials = C::read(&req, &state)?;
            let account_id = req
                .match_info()
                .get("account_id")
                .and_then(|s| s.parse::<i64>().ok())
                .filter(|id| *id > 0);
            let Some(account_id) = account_id else {
                // A malformed id names no account; a refused token still gets its 401 first.
                let Some(token) = credentials.token().cloned() else {
                    return Err(guest_refused());
                };
                state.db.read(move |conn| grant(conn, &token, None)).await?;
                return Err(ApiError::not_found());
            };
            let search = crate::api::account_limit::is_search(&req);
            let slot = state.account_limits.enter(account_id, search).await?;
            Ok(Caller {
                account_id,
                credentials,
                admin_only: false,
                strong: wants_strong_consistency(&req),
                _slot: slot,
            })
        })
    }
}
