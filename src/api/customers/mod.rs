//! `/api/v1/accounts/{account_id}/customers` (SPEC §4).

pub mod list;
pub mod view;

use actix_web::{web, HttpResponse};

pub use list::list;

use super::extract::{Body, ContactPath, ItemPath, Member};
use super::views::{created, ok};
use crate::api::openapi::schemas as doc;
use crate::domain::customer::CustomerInput;
use crate::domain::input::Mode;
use crate::error::ApiError;
use crate::services::customers;
use crate::state::AppState;
use view::CustomerView;

/// `POST /customers`: 201 with `Location` and the customer (with stats).
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/customers",
    tag = "Customers",
    summary = "Create a customer",
    params(doc::AccountPath),
    request_body(content((doc::CustomerCreate = "application/json"), (doc::CustomerCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The customer, with stats", body = doc::Data<CustomerView>, headers(("Location" = String, description = "The customer's path"))),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = member
        .checked(&state.db, CustomerInput::parse(&body.0, Mode::Create))
        .await?;
    let account_id = member.account_id;
    let record = member
        .write(&state.db, move |conn| {
            customers::create(conn, account_id, &input)
        })
        .await?;
    let location = format!(
        "/api/v1/accounts/{account_id}/customers/{}",
        record.customer.id
    );
    Ok(created(location, CustomerView::from(record)))
}

/// `GET /customers/{id}`: the customer with stats.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers/{id}",
    tag = "Customers",
    summary = "Retrieve a customer",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The customer, with stats", body = doc::Data<CustomerView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    let record = member
        .read(&state.db, move |conn| customers::load(conn, account_id, id))
        .await?;
    Ok(ok(CustomerView::from(record)))
}

/// `PUT /customers/{id}`: `first_name` required.
#[utoipa::path(
    put,
    path = "/api/v1/accounts/{account_id}/customers/{id}",
    tag = "Customers",
    summary = "Update a customer (first_name required)",
    params(doc::ItemPath),
    request_body(content((doc::CustomerCreate = "application/json"), (doc::CustomerCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The customer, with stats", body = doc::Data<CustomerView>),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn replace(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(state, member, path.id, body, Mode::Replace).await
}

/// `PATCH /customers/{id}`: any field, none required.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/customers/{id}",
    tag = "Customers",
    summary = "Update some of a customer's fields",
    params(doc::ItemPath),
    request_body(content((doc::CustomerInput = "application/json"), (doc::CustomerInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The customer, with stats", body = doc::Data<CustomerView>),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn patch(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(state, member, path.id, body, Mode::Patch).await
}

async fn update(
    state: web::Data<AppState>,
    member: Member,
    id: i64,
    body: Body,
    mode: Mode,
) -> Result<HttpResponse, ApiError> {
    let input = member
        .checked(&state.db, CustomerInput::parse(&body.0, mode))
        .await?;
    let account_id = member.account_id;
    let record = member
        .write(&state.db, move |conn| {
            customers::update(conn, account_id, id, &input)
        })
        .await?;
    Ok(ok(CustomerView::from(record)))
}

/// `DELETE /customers/{id}`: 204, empty body.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/customers/{id}",
    tag = "Customers",
    summary = "Delete a customer (its conversations stay, unattached)",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    member
        .write(&state.db, move |conn| {
            customers::delete(conn, account_id, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /customers/{id}/{emails|phones|websites}/{item_id}`: 204.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/customers/{id}/{list}/{item_id}",
    tag = "Customers",
    summary = "Delete one email, phone or website",
    params(doc::ContactPath),
    responses(
        (status = 204, description = "Deleted"),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete_contact(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ContactPath>,
) -> Result<HttpResponse, ApiError> {
    let ContactPath {
        id,
        list: kind,
        item_id,
    } = path.into_inner();
    let account_id = member.account_id;
    member
        .write(&state.db, move |conn| {
            customers::delete_contact(conn, account_id, id, kind, item_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
