//! `/customer_requests` (SPEC §7): `creator_id` is the token's user.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::RequestView;
use crate::api::extract::{Body, ItemPath, Member};
use crate::api::openapi::schemas as doc;
use crate::api::paging::{list_response, query_pairs};
use crate::api::views::{created, ok};
use crate::domain::customer_request::RequestInput;
use crate::domain::input::Mode;
use crate::domain::request_list::RequestListQuery;
use crate::error::ApiError;
use crate::services::customer_requests;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/customer_requests",
    tag = "Customer requests",
    summary = "Create a customer request",
    params(doc::AccountPath),
    request_body(content((doc::RequestCreate = "application/json"), (doc::RequestCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The request", body = doc::Data<RequestView>, headers(("Location" = String, description = "The request's path"))),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn create_request(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = member
        .checked(&state.db, RequestInput::parse(&body.0, Mode::Create))
        .await?;
    let (account_id, creator) = (member.account_id, member.user.user_id);
    let row = member
        .write(&state.db, move |conn| {
            customer_requests::create(conn, account_id, creator, &input)
        })
        .await?;
    let location = format!(
        "/api/v1/accounts/{account_id}/customer_requests/{}",
        row.request.id
    );
    Ok(created(location, RequestView::from(row)))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customer_requests/{id}",
    tag = "Customer requests",
    summary = "Retrieve a customer request",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The request", body = doc::Data<RequestView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    let row = member
        .read(&state.db, move |conn| {
            customer_requests::load(conn, account_id, id)
        })
        .await?;
    Ok(ok(RequestView::from(row)))
}

/// `PUT`/`PATCH`: company, customer, priority, body, attachment_url; absent fields stay.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/customer_requests/{id}",
    tag = "Customer requests",
    summary = "Update a customer request (PUT does the same)",
    params(doc::ItemPath),
    request_body(content((doc::RequestInput = "application/json"), (doc::RequestInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The request", body = doc::Data<RequestView>),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let input = member
        .checked(&state.db, RequestInput::parse(&body.0, Mode::Patch))
        .await?;
    let account_id = member.account_id;
    let row = member
        .write(&state.db, move |conn| {
            customer_requests::update(conn, account_id, id, &input)
        })
        .await?;
    Ok(ok(RequestView::from(row)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/customer_requests/{id}",
    tag = "Customer requests",
    summary = "Delete a customer request",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    member
        .write(&state.db, move |conn| {
            customer_requests::delete(conn, account_id, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET`: newest first; filters `conversation_id`, `company_id`, `customer_id`, `priority`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customer_requests",
    tag = "Customer requests",
    summary = "List customer requests, newest first",
    params(doc::AccountPath, doc::Paging, doc::RequestFilters),
    responses(
        (status = 200, description = "A page of requests", body = doc::ListOf<RequestView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list_requests(
    state: web::Data<AppState>,
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = member.checked(&state.db, query_pairs(&req)).await?;
    let query = member
        .checked(&state.db, RequestListQuery::parse(&pairs))
        .await?;
    let (account_id, window) = (member.account_id, query.window.clone());
    let page = member
        .read(&state.db, move |conn| {
            customer_requests::list(conn, account_id, &query.filter, &query.window)
        })
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        RequestView::from,
    ))
}
