//! `/customer_tiers` and `/customer_statuses`: the route says which (`web::Data<LabelKind>`).
//! Members read them; only admins change them.

use actix_web::{web, HttpResponse};

use super::view::LabelView;
use crate::api::extract::{Body, ItemPath, Member};
use crate::api::openapi::schemas as doc;
use crate::api::views::{created, ok};
use crate::domain::input::Mode;
use crate::domain::label::{LabelInput, LabelKind};
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
    kind: web::Data<LabelKind>,
    member: Member,
) -> Result<HttpResponse, ApiError> {
    let (account_id, kind) = (member.account_id, **kind);
    let rows = member
        .read(&state.db, move |conn| labels::list(conn, account_id, kind))
        .await?;
    Ok(ok(rows
        .into_iter()
        .map(LabelView::from)
        .collect::<Vec<_>>()))
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
    kind: web::Data<LabelKind>,
    mut member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    member.admin_only();
    let input = member
        .checked(&state.db, LabelInput::parse(&body.0, Mode::Create))
        .await?;
    let (account_id, kind) = (member.account_id, **kind);
    let label = member
        .write(&state.db, move |conn| {
            labels::create(conn, account_id, kind, &input)
        })
        .await?;
    let location = format!(
        "/api/v1/accounts/{account_id}/{}/{}",
        kind.route(),
        label.id
    );
    Ok(created(location, LabelView::from(label)))
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
    kind: web::Data<LabelKind>,
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let (account_id, kind) = (member.account_id, **kind);
    let label = member
        .read(&state.db, move |conn| {
            labels::load(conn, account_id, kind, id)
        })
        .await?;
    Ok(ok(LabelView::from(label)))
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
    kind: web::Data<LabelKind>,
    mut member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    member.admin_only();
    let id = path.id;
    let input = member
        .checked(&state.db, LabelInput::parse(&body.0, Mode::Patch))
        .await?;
    let (account_id, kind) = (member.account_id, **kind);
    let label = member
        .write(&state.db, move |conn| {
            labels::update(conn, account_id, kind, id, &input)
        })
        .await?;
    Ok(ok(LabelView::from(label)))
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
    kind: web::Data<LabelKind>,
    mut member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    member.admin_only();
    let id = path.id;
    let (account_id, kind) = (member.account_id, **kind);
    member
        .write(&state.db, move |conn| {
            labels::delete(conn, account_id, kind, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
