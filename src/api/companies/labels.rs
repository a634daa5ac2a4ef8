//! `/customer_tiers` and `/customer_statuses`: the route says which (`web::Data<LabelKind>`).
//! Members read them; only admins change them.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::view::LabelView;
use crate::api::extract::{BearerToken, Body, Caller, Credentials, ItemPath};
use crate::api::openapi::schemas as doc;
use crate::api::resource::{self, Create, Delete, Resource, Show, Update};
use crate::api::views::ok_list;
use crate::db::labels::Label;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::input::Mode;
use crate::domain::label::{LabelInput, LabelKind};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::labels;
use crate::state::AppState;

/// `GET`: every tier (or status) of the account, by position.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customer_tiers",
    tag = "Tiers",
    summary = "List tiers by position",
    params(doc::AccountPath),
    responses(
        (status = 200, description = "Every tier", body = doc::Data<Vec<LabelView>>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn list_labels(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let kind = Labels::context(&req, &caller)?;
    let rows = caller
        .read(&state.db, move |conn, scope| {
            labels::list(conn, scope, kind)
        })
        .await?;
    Ok(ok_list(rows.into_iter().map(LabelView::from).collect()))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/customer_tiers",
    tag = "Tiers",
    summary = "Create a tier (admins)",
    params(doc::AccountPath),
    request_body(content((doc::LabelCreate = "application/json"), (doc::LabelCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The tier", body = doc::Data<LabelView>, headers(("Location" = String, description = "The tier's path"))),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn create_label(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::create::<Labels>(state, caller, req, body).await
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customer_tiers/{id}",
    tag = "Tiers",
    summary = "Retrieve a tier",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The tier", body = doc::Data<LabelView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show_label(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Labels>(state, caller, req, path.id).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/customer_tiers/{id}",
    tag = "Tiers",
    summary = "Update a tier (admins; PUT does the same)",
    params(doc::ItemPath),
    request_body(content((doc::LabelInput = "application/json"), (doc::LabelInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The tier", body = doc::Data<LabelView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update_label(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Labels>(state, caller, req, path.id, body, Mode::Patch).await
}

/// `DELETE`: 204, or 409 while a company uses it.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/customer_tiers/{id}",
    tag = "Tiers",
    summary = "Delete a tier (admins); 409 while a company uses it",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete_label(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Labels>(state, caller, req, path.id).await
}

/// Tiers and statuses as a [`Resource`]: the route's `web::Data<LabelKind>` says which.
pub(crate) struct Labels;

impl Resource for Labels {
    type Credentials = BearerToken;
    type Context = LabelKind;
    type Record = Label;
    type View = LabelView;
    const TABLE: Table = Table::CompanyLabels;
    const ADMIN_WRITES: bool = true;

    fn context<C: Credentials>(req: &HttpRequest, _: &Caller<C>) -> Result<LabelKind, ApiError> {
        req.app_data::<web::Data<LabelKind>>()
            .map(|kind| *kind.get_ref())
            .ok_or_else(|| ApiError::internal("a label route without its LabelKind"))
    }

    fn view(_: &LabelKind, label: Label) -> LabelView {
        LabelView::from(label)
    }
}

impl Show for Labels {
    fn load(conn: &mut DbConn, scope: Scope, kind: &LabelKind, id: i64) -> Result<Label, ApiError> {
        labels::load(conn, scope, *kind, id)
    }
}

impl Create for Labels {
    type New = LabelInput;

    fn parse(body: &Value) -> Result<LabelInput, FieldErrors> {
        LabelInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        kind: &LabelKind,
        new: LabelInput,
    ) -> Result<Label, ApiError> {
        labels::create(conn, scope, *kind, &new)
    }

    fn location(account_id: i64, kind: &LabelKind, label: &Label) -> String {
        format!(
            "/api/v1/accounts/{account_id}/{}/{}",
            kind.route(),
            label.id
        )
    }
}

impl Update for Labels {
    type Changes = LabelInput;

    fn parse_changes(body: &Value, mode: Mode) -> Result<LabelInput, FieldErrors> {
        LabelInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        kind: &LabelKind,
        id: i64,
        changes: LabelInput,
    ) -> Result<Label, ApiError> {
        labels::update(conn, scope, *kind, id, &changes)
    }
}

impl Delete for Labels {
    fn delete(conn: &mut DbConn, scope: Scope, kind: &LabelKind, id: i64) -> Result<(), ApiError> {
        labels::delete(conn, scope, *kind, id)
    }
}
