//! `GET` and `PATCH /api/v1/accounts/{account_id}`.

use actix_web::{web, HttpResponse};

use super::extract::{Body, Member};
use super::views::{ok, AccountView};
use crate::db::{self, accounts::AccountChanges};
use crate::domain::account::AccountPatch;
use crate::error::ApiError;
use crate::state::AppState;

/// The account, to its members.
pub async fn show(state: web::Data<AppState>, member: Member) -> Result<HttpResponse, ApiError> {
    let account_id = member.account_id;
    let account = state
        .db
        .read(move |conn| db::accounts::find(conn, account_id)?.ok_or_else(ApiError::not_found))
        .await?;
    Ok(ok(AccountView::from(account)))
}

/// Renames the account or switches contact forms; admins only.
pub async fn update(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    member.require_admin()?;
    let patch = AccountPatch::parse(&body.0)?;
    let account_id = member.account_id;
    let account = state
        .db
        .write(move |conn| {
            let changes = AccountChanges {
                name: patch.name,
                contact_form_enabled: patch.contact_form_enabled,
            };
            Ok(db::accounts::update(conn, account_id, &changes)?)
        })
        .await?;
    Ok(ok(AccountView::from(account)))
}
