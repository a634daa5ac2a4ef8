//! `/companies`, `/customer_tiers`, `/customer_statuses` and `/customer_requests` (SPEC §6–7).

mod labels;
mod requests;
mod view;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub use labels::{create_label, delete_label, list_labels, show_label, update_label};
pub use requests::{create_request, delete_request, list_requests, show_request, update_request};

use super::extract::{Body, Member};
use super::paging::{list_response, query_pairs};
use super::parse_id;
use super::views::{created, ok};
use crate::domain::company::{CompanyInput, CompanyMode};
use crate::domain::company_list::CompanyListQuery;
use crate::error::ApiError;
use crate::services::companies;
use crate::state::AppState;
use view::CompanyView;

fn location(account_id: i64, id: i64) -> String {
    format!("/api/v1/accounts/{account_id}/companies/{id}")
}

/// `POST /companies`: 201; a token issued for an integration makes the company managed by it.
pub async fn create(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = CompanyInput::parse(&body.0, CompanyMode::Create)?;
    let (account_id, integration) = (member.account_id, member.user.integration);
    let record = state
        .db
        .write(move |conn| companies::create(conn, account_id, integration, &input))
        .await?;
    Ok(created(
        location(account_id, record.company.id),
        CompanyView::from(record),
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let account_id = member.account_id;
    let record = state
        .db
        .read(move |conn| companies::load(conn, account_id, id))
        .await?;
    Ok(ok(CompanyView::from(record)))
}

/// `PUT`/`PATCH /companies/{id}`: given fields change; 409 for a managed company's locked fields.
pub async fn update(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let input = CompanyInput::parse(&body.0, CompanyMode::Update)?;
    let account_id = member.account_id;
    let record = state
        .db
        .write(move |conn| companies::update(conn, account_id, id, &input))
        .await?;
    Ok(ok(CompanyView::from(record)))
}

pub async fn delete(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let account_id = member.account_id;
    state
        .db
        .write(move |conn| companies::delete(conn, account_id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /companies`: newest first; filters `domain`, `external_id`.
pub async fn list(
    state: web::Data<AppState>,
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req)?;
    let query = CompanyListQuery::parse(&pairs)?;
    let (account_id, window) = (member.account_id, query.window.clone());
    let page = state
        .db
        .read(move |conn| companies::list(conn, account_id, &query))
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        CompanyView::from,
    ))
}

#[derive(Serialize)]
struct UpsertBody {
    data: CompanyView,
    result: &'static str,
}

/// `POST /companies/upsert`: 201 `created`, or 200 `updated` / `unchanged`.
pub async fn upsert(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = CompanyInput::parse(&body.0, CompanyMode::Upsert)?;
    let (account_id, integration) = (member.account_id, member.user.integration);
    let (record, result) = state
        .db
        .write(move |conn| companies::upsert(conn, account_id, integration, &input))
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
