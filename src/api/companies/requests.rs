//! `/customer_requests` (SPEC §7): `creator_id` is the token's user.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::RequestView;
use serde_json::Value;

use crate::api::extract::{BearerToken, Body, Caller, Credentials, ItemPath};
use crate::api::openapi::schemas as doc;
use crate::api::resource::{self, Create, Delete, List, Resource, Show, Update};
use crate::db::customer_requests::RequestRow;
use crate::db::journal::Kind;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::customer_request::RequestInput;
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window};
use crate::domain::request_list::RequestListQuery;
use crate::domain::FieldErrors;
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
    caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::create::<Requests>(state, caller, req, body).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Requests>(state, caller, req, path.id).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Requests>(state, caller, req, path.id, body, Mode::Patch).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Requests>(state, caller, req, path.id).await
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
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Requests>(state, caller, req).await
}

/// Customer requests as a [`Resource`]: a new request's `creator_id` is the calling agent.
pub(crate) struct Requests;

impl Resource for Requests {
    type Credentials = BearerToken;
    /// The calling agent's user id.
    type Context = Option<i64>;
    type Record = RequestRow;
    type View = RequestView;
    const TABLE: Table = Table::CustomerRequests;

    fn context<C: Credentials>(
        _: &HttpRequest,
        caller: &Caller<C>,
    ) -> Result<Option<i64>, ApiError> {
        Ok(caller.credentials.token().map(|token| token.user_id))
    }

    fn view(_: &Option<i64>, row: RequestRow) -> RequestView {
        RequestView::from(row)
    }

    fn journaled(_: &Option<i64>, row: &RequestRow) -> Option<(Kind, i64)> {
        Some((Kind::CustomerRequest, row.request.id))
    }
}

impl Show for Requests {
    fn load(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<i64>,
        id: i64,
    ) -> Result<RequestRow, ApiError> {
        customer_requests::load(conn, scope, id)
    }
}

impl Create for Requests {
    type New = RequestInput;

    fn parse(body: &Value) -> Result<RequestInput, FieldErrors> {
        RequestInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        creator: &Option<i64>,
        new: RequestInput,
    ) -> Result<RequestRow, ApiError> {
        customer_requests::create(conn, scope, *creator, &new)
    }

    fn location(account_id: i64, _: &Option<i64>, row: &RequestRow) -> String {
        format!(
            "/api/v1/accounts/{account_id}/customer_requests/{}",
            row.request.id
        )
    }
}

impl Update for Requests {
    type Changes = RequestInput;

    fn parse_changes(body: &Value, mode: Mode) -> Result<RequestInput, FieldErrors> {
        RequestInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<i64>,
        id: i64,
        changes: RequestInput,
    ) -> Result<RequestRow, ApiError> {
        customer_requests::update(conn, scope, id, &changes)
    }
}

impl Delete for Requests {
    fn delete(conn: &mut DbConn, scope: Scope, _: &Option<i64>, id: i64) -> Result<(), ApiError> {
        customer_requests::delete(conn, scope, id)
    }
}

impl List for Requests {
    type Query = RequestListQuery;

    fn parse_query(pairs: &[(String, String)]) -> Result<RequestListQuery, FieldErrors> {
        RequestListQuery::parse(pairs)
    }

    fn window(query: &RequestListQuery) -> &Window {
        &query.window
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<i64>,
        query: &RequestListQuery,
    ) -> Result<Page<RequestRow>, ApiError> {
        customer_requests::list(conn, scope, &query.filter, &query.window)
    }
}
