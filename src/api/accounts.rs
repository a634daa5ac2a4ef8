//! `GET` and `PATCH /api/v1/accounts/{account_id}`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{Body, Caller};
use super::views::{ok, AccountView};
use crate::api::openapi::schemas as doc;
use crate::db::row_lock::{self, Table};
use crate::db::{self, accounts::AccountChanges};
use crate::domain::account::AccountPatch;
use crate::domain::phone::PhoneRegion;
use crate::error::ApiError;
use crate::services;
use crate::state::AppState;

/// The account, to its members.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}",
    tag = "Accounts",
    summary = "Retrieve the account",
    params(doc::AccountPath),
    responses(
        (status = 200, description = "The account", body = doc::Data<AccountView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let account = caller
        .read(&state.db, move |conn, scope| {
            db::accounts::find(conn, scope.account_id())?.ok_or_else(ApiError::not_found)
        })
        .await?;
    Ok(ok(AccountView::from(account)))
}

/// Renames the account or switches contact forms; admins only.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}",
    tag = "Accounts",
    summary = "Update the account (admins)",
    params(doc::AccountPath),
    request_body(content((doc::AccountInput = "application/json"), (doc::AccountInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The account", body = doc::Data<AccountView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    mut caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    caller.admin_only();
    let if_match = caller.if_match(&state, &req).await?;
    let patch = caller
        .checked(&state.db, AccountPatch::parse(&body.0))
        .await?;
    let account = caller
        .write(&state.db, move |conn, scope| {
            let id = scope.account_id();
            if if_match.is_some() {
                row_lock::lock(conn, Table::Accounts, scope, id)?;
            }
            let current = db::accounts::find(conn, id)?.ok_or_else(ApiError::not_found)?;
            if let Some(if_match) = &if_match {
                if_match.check(&AccountView::from(current.clone()))?;
            }
            let changes = AccountChanges {
                name: patch.name,
                contact_form_enabled: patch.contact_form_enabled,
                phone_region: patch
                    .phone_region
                    .map(|region| region.map(|r| r.as_str().to_string())),
            };
            // A write that changes nothing writes nothing: `updated_at` and the ETag stay.
            if !changes.alters(&current) {
                return Ok(current);
            }
            let account = db::accounts::update(conn, scope, &changes)?;
            if account.phone_region != current.phone_region {
                let region = account.phone_region.as_deref().and_then(PhoneRegion::parse);
                services::phones::rekey_all(conn, scope, region)?;
            }
            Ok(account)
        })
        .await?;
    Ok(ok(AccountView::from(account)))
}
