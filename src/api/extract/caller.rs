//! Routes open to contact forms accept either an agent's bearer token or a guest's
//! `Authorization: Fingerprint <email>:<uuid>`, the latter only where the account allows it.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use std::sync::Arc;

use super::auth::{account_slot, guest_refused, Access, Member};
use crate::api::account_limit::AccountSlot;
use crate::db::{Db, DbConn};
use crate::domain::fingerprint::Fingerprint;
use crate::error::ApiError;
use crate::services::conversations::Actor;

/// An agent acting in the path's account, or a guest of it; like [`Member`], it holds one of
/// the account's slots while the request runs, and its credentials are confirmed inside the
/// request's own database work.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: i64,
    pub actor: Actor,
    pub slot: Arc<AccountSlot>,
    access: Access,
}

impl Caller {
    pub fn is_guest(&self) -> bool {
        matches!(self.actor, Actor::Guest { .. })
    }

    /// The email of a guest's fingerprint, as the guest sent it.
    pub fn guest_email(&self) -> Option<String> {
        match &self.actor {
            Actor::Guest { email, .. } => Some(email.as_str().to_string()),
            Actor::Agent { .. } => None,
        }
    }

    /// Read-only work on one connection, once the credentials hold.
    pub async fn read<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.access.clone().read(db, f).await
    }

    /// Work in one transaction, once the credentials hold.
    pub async fn write<T, F>(&self, db: &Db, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.access.clone().write(db, f).await
    }

    /// See [`Member::checked`].
    pub async fn checked<T, E: Into<ApiError>>(
        &self,
        db: &Db,
        input: Result<T, E>,
    ) -> Result<T, ApiError> {
        match input {
            Ok(value) => Ok(value),
            Err(err) => self.access.clone().refused_input(db, err.into()).await,
        }
    }
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

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(credentials) = fingerprint_credentials(&req) else {
                let member = Member::from_request(&req, &mut Payload::None).await?;
                return Ok(Caller {
                    account_id: member.account_id,
                    actor: Actor::Agent {
                        user_id: member.user.user_id,
                    },
                    access: member.access(),
                    slot: member.slot,
                });
            };
            let fingerprint = Fingerprint::parse(&credentials).ok_or_else(guest_refused)?;
            let account_id = req
                .match_info()
                .get("account_id")
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(guest_refused)?;
            Ok(Caller {
                account_id,
                actor: Actor::Guest {
                    fingerprint_hash: fingerprint.hash(),
                    email: fingerprint.email,
                },
                slot: Arc::new(account_slot(&req, account_id).await?),
                access: Access::Guest { account_id },
            })
        })
    }
}
