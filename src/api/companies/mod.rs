//! `/companies`, `/customer_tiers`, `/customer_statuses` and `/customer_requests` (SPEC §6–7).

pub mod labels;
pub mod requests;
pub(crate) mod view;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub use labels::{create_label, delete_label, list_labels, show_label, update_label};
pub use requests::{create_request, delete_request, list_requests, show_request, update_request};

use serde_json::Value;

use super::extract::{BearerToken, Body, Caller, Credentials, ItemPath};
use super::resource::{self, Create, Delete, List, Resource, Show, Update};
use crate::api::openapi::schemas as doc;
use crate::api::views::upserted;
use crate::db::journal::Kind;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::company::CompanyInput;
use crate::domain::company_list::CompanyListQuery;
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window};
use crate::domain::{FieldErrors, Integration};
use crate::error::ApiError;
use crate::services::companies::{self, CompanyRecord};
use crate::state::AppState;
use view::CompanyView;

/// `POST /companies`: 201; a token issued for an integration makes the company managed by it.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/companies",
    tag = "Companies",
    summary = "Create a company",
    params(doc::AccountPath),
    request_body(content((doc::CompanyCreate = "application/json"), (doc::CompanyCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The company", body = doc::Data<CompanyView>, headers(("Location" = String, description = "The company's path"))),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
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
    resource::create::<Companies>(state, caller, req, body).await
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/companies/{id}",
    tag = "Companies",
    summary = "Retrieve a company",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The company", body = doc::Data<CompanyView>),
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
    resource::show::<Companies>(state, caller, req, path.id).await
}

/// `PUT`/`PATCH /companies/{id}`: given fields change; 409 for a managed company's locked fields.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/companies/{id}",
    tag = "Companies",
    summary = "Update a company (PUT does the same); 409 for an integration's locked fields",
    params(doc::ItemPath),
    request_body(content((doc::CompanyInput = "application/json"), (doc::CompanyInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The company", body = doc::Data<CompanyView>),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Companies>(state, caller, req, path.id, body, Mode::Patch).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/companies/{id}",
    tag = "Companies",
    summary = "Delete a company",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
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
    resource::delete::<Companies>(state, caller, req, path.id).await
}

/// `GET /companies`: newest first; filters `domain`, `external_id`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/companies",
    tag = "Companies",
    summary = "List companies, newest first",
    description = "Also filters by custom attributes: `custom_attributes[key]=value`, and for \
        numbers and dates `custom_attributes[key][gt]=…` (`gte`, `lt`, `lte`). Any other \
        unknown parameter is a 422.",
    params(doc::AccountPath, doc::Paging, doc::CompanyFilters),
    responses(
        (status = 200, description = "A page of companies", body = doc::ListOf<CompanyView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Companies>(state, caller, req).await
}

#[derive(Serialize, utoipa::ToSchema)]
struct UpsertBody {
    data: CompanyView,
    result: &'static str,
}

/// `POST /companies/upsert`: 201 `created`, or 200 `updated` / `unchanged`.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/companies/upsert",
    tag = "Companies",
    summary = "Create or update a company matched by external id, then domain",
    params(doc::AccountPath),
    request_body(content((doc::CompanyUpsert = "application/json"), (doc::CompanyUpsert = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Updated or unchanged", body = UpsertBody),
        (status = 201, description = "Created", body = UpsertBody, headers(("Location" = String, description = "The company's path"))),
        (status = 409, description = "Conflicts with the current state (a locked field, a record in use)", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn upsert(
    state: web::Data<AppState>,
    caller: Caller,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = caller
        .checked(&state.db, CompanyInput::parse(&body.0, Mode::Upsert))
        .await?;
    let integration = caller.credentials.integration;
    let (record, result) = caller
        .write(&state.db, move |conn, scope| {
            companies::upsert(conn, scope, integration, &input)
        })
        .await?;
    let created = result == companies::UpsertResult::Created;
    let location = Companies::location(caller.account_id, &integration, &record);
    Ok(upserted(
        created,
        location,
        UpsertBody {
            data: CompanyView::from(record),
            result: result.as_str(),
        },
    ))
}

/// Companies as a [`Resource`]: the work needs the integration the token serves, if any (an
/// integration's companies lock the fields it manages).
pub(crate) struct Companies;

impl Resource for Companies {
    type Credentials = BearerToken;
    type Context = Option<Integration>;
    type Record = CompanyRecord;
    type View = CompanyView;
    const TABLE: Table = Table::Companies;

    fn context<C: Credentials>(
        _: &HttpRequest,
        caller: &Caller<C>,
    ) -> Result<Option<Integration>, ApiError> {
        Ok(caller
            .credentials
            .token()
            .and_then(|token| token.integration))
    }

    fn view(_: &Option<Integration>, record: CompanyRecord) -> CompanyView {
        CompanyView::from(record)
    }

    fn journaled(_: &Option<Integration>, record: &CompanyRecord) -> Option<(Kind, i64)> {
        Some((Kind::Company, record.company.id))
    }
}

impl Show for Companies {
    fn load(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<Integration>,
        id: i64,
    ) -> Result<CompanyRecord, ApiError> {
        companies::load(conn, scope, id)
    }
}

impl Create for Companies {
    type New = CompanyInput;

    fn parse(body: &Value) -> Result<CompanyInput, FieldErrors> {
        CompanyInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        integration: &Option<Integration>,
        new: CompanyInput,
    ) -> Result<CompanyRecord, ApiError> {
        companies::create(conn, scope, *integration, &new)
    }

    fn location(account_id: i64, _: &Option<Integration>, record: &CompanyRecord) -> String {
        format!(
            "/api/v1/accounts/{account_id}/companies/{}",
            record.company.id
        )
    }
}

impl Update for Companies {
    type Changes = CompanyInput;

    fn parse_changes(body: &Value, mode: Mode) -> Result<CompanyInput, FieldErrors> {
        CompanyInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<Integration>,
        id: i64,
        changes: CompanyInput,
    ) -> Result<CompanyRecord, ApiError> {
        companies::update(conn, scope, id, &changes)
    }
}

impl Delete for Companies {
    fn delete(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<Integration>,
        id: i64,
    ) -> Result<(), ApiError> {
        companies::delete(conn, scope, id)
    }
}

impl List for Companies {
    type Query = CompanyListQuery;

    fn parse_query(pairs: &[(String, String)]) -> Result<CompanyListQuery, FieldErrors> {
        CompanyListQuery::parse(pairs)
    }

    fn window(query: &CompanyListQuery) -> &Window {
        &query.window
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        _: &Option<Integration>,
        query: &CompanyListQuery,
    ) -> Result<Page<CompanyRecord>, ApiError> {
        companies::list(conn, scope, query)
    }
}
