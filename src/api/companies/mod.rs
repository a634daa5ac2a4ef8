//! `/companies`, `/customer_tiers`, `/customer_statuses` and `/customer_requests` (SPEC §6–7).

pub mod labels;
pub mod requests;
mod view;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub use labels::{create_label, delete_label, list_labels, show_label, update_label};
pub use requests::{create_request, delete_request, list_requests, show_request, update_request};

use super::extract::{Body, ItemPath, Member};
use super::paging::{list_response, query_pairs};
use super::views::{created, ok};
use crate::api::openapi::schemas as doc;
use crate::domain::company::CompanyInput;
use crate::domain::company_list::CompanyListQuery;
use crate::domain::input::Mode;
use crate::error::ApiError;
use crate::services::companies;
use crate::state::AppState;
use view::CompanyView;

fn location(account_id: i64, id: i64) -> String {
    format!("/api/v1/accounts/{account_id}/companies/{id}")
}

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
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = member
        .checked(&state.db, CompanyInput::parse(&body.0, Mode::Create))
        .await?;
    let (account_id, integration) = (member.account_id, member.user.integration);
    let record = member
        .write(&state.db, move |conn| {
            companies::create(conn, account_id, integration, &input)
        })
        .await?;
    Ok(created(
        location(account_id, record.company.id),
        CompanyView::from(record),
    ))
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
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    let record = member
        .read(&state.db, move |conn| companies::load(conn, account_id, id))
        .await?;
    Ok(ok(CompanyView::from(record)))
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
    member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let input = member
        .checked(&state.db, CompanyInput::parse(&body.0, Mode::Patch))
        .await?;
    let account_id = member.account_id;
    let record = member
        .write(&state.db, move |conn| {
            companies::update(conn, account_id, id, &input)
        })
        .await?;
    Ok(ok(CompanyView::from(record)))
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
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    member
        .write(&state.db, move |conn| {
            companies::delete(conn, account_id, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /companies`: newest first; filters `domain`, `external_id`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/companies",
    tag = "Companies",
    summary = "List companies, newest first",
    params(doc::AccountPath, doc::Paging, doc::CompanyFilters),
    responses(
        (status = 200, description = "A page of companies", body = doc::ListOf<CompanyView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = member.checked(&state.db, query_pairs(&req)).await?;
    let query = member
        .checked(&state.db, CompanyListQuery::parse(&pairs))
        .await?;
    let (account_id, window) = (member.account_id, query.window.clone());
    let page = member
        .read(&state.db, move |conn| {
            companies::list(conn, account_id, &query)
        })
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        CompanyView::from,
    ))
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
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = member
        .checked(&state.db, CompanyInput::parse(&body.0, Mode::Upsert))
        .await?;
    let (account_id, integration) = (member.account_id, member.user.integration);
    let (record, result) = member
        .write(&state.db, move |conn| {
            companies::upsert(conn, account_id, integration, &input)
        })
        .await?;
    let mut response = match result {
        companies::UpsertResult::Created => {
            let mut created = HttpResponse::Created();
            created.insert_header((header::LOCATION, location(account_id, record.company.id)));
            created
        }
        _ => HttpResponse::Ok(),
    };
    Ok(response.json(UpsertBody {
        data: CompanyView::from(record),
        result: result.as_str(),
    }))
}
