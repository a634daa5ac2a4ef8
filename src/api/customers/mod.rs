//! `/api/v1/accounts/{account_id}/customers` (SPEC §4).

pub mod duplicates;
pub mod list;
pub mod merge;
pub mod view;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub use list::list;
pub use merge::merge;

use super::extract::{BearerToken, Body, Caller, ContactPath, Credentials, ItemPath};
use super::resource::{self, Create, Delete, List, Resource, Show, Update};
use crate::api::openapi::schemas as doc;
use crate::api::paging::query_pairs;
use crate::api::views::{ok, upserted};
use crate::db::journal::Kind;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::customer::CustomerInput;
use crate::domain::customer_list::CustomerListQuery;
use crate::domain::customer_lookup::{LookupKey, MatchBy};
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::customers::{self, CustomerRecord};
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
    caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::create::<Customers>(state, caller, req, body).await
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
        (status = 308, description = "The customer was merged into another: `Location` (and `conflict.location`) names it", body = doc::ErrorBody, headers(("Location" = String, description = "The surviving customer's path"))),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Customers>(state, caller, req, path.id).await
}

/// `GET /customers/lookup?email=|phone=|external_id=`: the one customer a key identifies, as `GET
/// /customers/{id}` shows it (`Content-Location` names that path), or 404.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers/lookup",
    tag = "Customers",
    summary = "Find the customer an email, phone or external id identifies",
    params(doc::AccountPath, doc::CustomerLookup),
    responses(
        (status = 200, description = "The customer, with stats", body = doc::Data<CustomerView>, headers(("Content-Location" = String, description = "The customer's path"))),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn lookup(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = query_pairs(&req).and_then(|pairs| Ok(LookupKey::parse(&pairs)?));
    let key = caller.checked(&state.db, key).await?;
    let account_id = caller.account_id;
    let record = caller
        .read(&state.db, move |conn, scope| {
            customers::lookup(conn, scope, &key)
        })
        .await?;
    let path = Customers::location(account_id, &(), &record);
    let mut response = ok(CustomerView::from(record));
    if let Ok(value) = header::HeaderValue::from_str(&path) {
        response
            .headers_mut()
            .insert(header::CONTENT_LOCATION, value);
    }
    Ok(response)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct CustomerUpsertBody {
    data: CustomerView,
    /// `created`, `updated` or `unchanged`.
    result: &'static str,
}

/// `POST /customers/upsert`: 201 `created`, or 200 `updated` / `unchanged`.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/customers/upsert",
    tag = "Customers",
    summary = "Create or update the customer an external id, email or phone of the body identifies",
    params(doc::AccountPath),
    request_body(content((doc::CustomerUpsert = "application/json"), (doc::CustomerUpsert = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Updated or unchanged (with stats)", body = CustomerUpsertBody),
        (status = 201, description = "Created (with stats)", body = CustomerUpsertBody, headers(("Location" = String, description = "The customer's path"))),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn upsert(
    state: web::Data<AppState>,
    caller: Caller,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let parsed = CustomerInput::parse(&body.0, Mode::Upsert)
        .and_then(|input| Ok((MatchBy::read(&body.0, &input)?, input)));
    let (by, input) = caller.checked(&state.db, parsed).await?;
    let (record, result) = caller
        .write(&state.db, move |conn, scope| {
            customers::upsert(conn, scope, by, &input)
        })
        .await?;
    let created = result == customers::UpsertResult::Created;
    let location = Customers::location(caller.account_id, &(), &record);
    Ok(upserted(
        created,
        location,
        CustomerUpsertBody {
            data: CustomerView::from(record),
            result: result.as_str(),
        },
    ))
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Customers>(state, caller, req, path.id, body, Mode::Replace).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Customers>(state, caller, req, path.id, body, Mode::Patch).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Customers>(state, caller, req, path.id).await
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
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ContactPath>,
) -> Result<HttpResponse, ApiError> {
    let ContactPath {
        id,
        list: kind,
        item_id,
    } = path.into_inner();
    // The precondition is the customer's: the item is part of its representation.
    let if_match = caller.if_match(&state, &req).await?;
    caller
        .write(&state.db, move |conn, scope| {
            if let Some(if_match) = &if_match {
                resource::precondition::<Customers>(conn, scope, &(), id, if_match)?;
            }
            customers::delete_contact(conn, scope, id, kind, item_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Customers as a [`Resource`]: the handlers above are its routes.
pub(crate) struct Customers;

impl Resource for Customers {
    type Credentials = BearerToken;
    type Context = ();
    type Record = CustomerRecord;
    type View = CustomerView;
    const TABLE: Table = Table::Customers;

    fn context<C: Credentials>(_: &HttpRequest, _: &Caller<C>) -> Result<(), ApiError> {
        Ok(())
    }

    fn view(_: &(), record: CustomerRecord) -> CustomerView {
        CustomerView::from(record)
    }

    fn journaled(_: &(), record: &CustomerRecord) -> Option<(Kind, i64)> {
        Some((Kind::Customer, record.customer.id))
    }
}

impl Show for Customers {
    fn load(conn: &mut DbConn, scope: Scope, _: &(), id: i64) -> Result<CustomerRecord, ApiError> {
        customers::load(conn, scope, id)
    }
}

impl Create for Customers {
    type New = CustomerInput;

    fn parse(body: &Value) -> Result<CustomerInput, FieldErrors> {
        CustomerInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        _: &(),
        new: CustomerInput,
    ) -> Result<CustomerRecord, ApiError> {
        customers::create(conn, scope, &new)
    }

    fn location(account_id: i64, _: &(), record: &CustomerRecord) -> String {
        format!(
            "/api/v1/accounts/{account_id}/customers/{}",
            record.customer.id
        )
    }
}

impl Update for Customers {
    type Changes = CustomerInput;

    /// SPEC §4: PUT and PATCH answer the customer without stats.
    fn trimmed(view: &CustomerView) -> Option<CustomerView> {
        Some(view.without_stats())
    }

    fn parse_changes(body: &Value, mode: Mode) -> Result<CustomerInput, FieldErrors> {
        CustomerInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        _: &(),
        id: i64,
        changes: CustomerInput,
    ) -> Result<CustomerRecord, ApiError> {
        customers::update(conn, scope, id, &changes)
    }
}

impl Delete for Customers {
    fn delete(conn: &mut DbConn, scope: Scope, _: &(), id: i64) -> Result<(), ApiError> {
        customers::delete(conn, scope, id)
    }
}

impl List for Customers {
    type Query = CustomerListQuery;

    fn parse_query(pairs: &[(String, String)]) -> Result<CustomerListQuery, FieldErrors> {
        CustomerListQuery::parse(pairs)
    }

    fn window(query: &CustomerListQuery) -> &Window {
        &query.window
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        _: &(),
        query: &CustomerListQuery,
    ) -> Result<Page<CustomerRecord>, ApiError> {
        customers::list(conn, scope, query)
    }
}
