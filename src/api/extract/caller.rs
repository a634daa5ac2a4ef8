//! Routes open to contact forms accept either an agent's bearer token or a guest's
//! `Authorization: Fingerprint <email>:<uuid>`, the latter only where the account allows it.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use std::sync::Arc;

use super::auth::{account_slot, Member};
use crate::api::account_limit::AccountSlot;
use crate::db;
use crate::domain::fingerprint::Fingerprint;
use crate::error::ApiError;
use crate::services::conversations::Actor;
use crate::state::AppState;

/// An agent acting in the path's account, or a guest of it; like [`Member`], it holds one of
/// the account's slots while the request runs.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: i64,
    pub actor: Actor,
    pub slot: Arc<AccountSlot>,
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
}

fn refused() -> ApiError {
    ApiError::Unauthorized(
        "The fingerprint is malformed, or this account takes no contact forms.".into(),
    )
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
                    slot: member.slot,
                });
            };
            let fingerprint = Fingerprint::parse(&credentials).ok_or_else(refused)?;
            let account_id = req
                .match_info()
                .get("account_id")
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(refused)?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("AppState missing"))?;
            let account = state
                .db
                .read(move |conn| Ok(db::accounts::find(conn, account_id)?))
                .await?;
            match account {
                Some(account) if account.contact_form_enabled => Ok(Caller {
                    account_id,
                    actor: Actor::Guest {
                        fingerprint_hash: fingerprint.hash(),
                        email: fingerprint.email,
                    },
                    slot: Arc::new(account_slot(&req, account_id).await?),
                }),
                _ => Err(refused()),
            }
        })
    }
}
