//! `/customer_requests` (SPEC §7): `creator_id` is the token's user.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::RequestView;
use crate::api::extract::{Body, Member};
use crate::api::paging::{list_response, query_pairs};
use crate::api::parse_id;
use crate::api::views::{created, ok};
use crate::db::customer_requests::RequestFilter;
use crate::domain::customer_request::RequestInput;
use crate::domain::paging::{param, Window, NEWEST_FIRST};
use crate::error::{ApiError, FieldErrors};
use crate::services::customer_requests;
use crate::state::AppState;

pub async fn create_request(
    state: web::Data<AppState>,
    member: Member,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = RequestInput::parse(&body.0, true)?;
    let (account_id, creator) = (member.account_id, member.user.user_id);
    let row = state
        .db
        .write(move |conn| customer_requests::create(conn, account_id, creator, &input))
        .await?;
    let location = format!(
        "/api/v1/accounts/{account_id}/customer_requests/{}",
        row.0.id
    );
    Ok(created(location, RequestView::from(row)))
}

pub async fn show_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let account_id = member.account_id;
    let row = state
        .db
        .read(move |conn| customer_requests::load(conn, account_id, id))
        .await?;
    Ok(ok(RequestView::from(row)))
}

/// `PUT`/`PATCH`: company, customer, priority, body, attachment_url; absent fields stay.
pub async fn update_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let input = RequestInput::parse(&body.0, false)?;
    let account_id = member.account_id;
    let row = state
        .db
        .write(move |conn| customer_requests::update(conn, account_id, id, &input))
        .await?;
    Ok(ok(RequestView::from(row)))
}

pub async fn delete_request(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.1)?;
    let account_id = member.account_id;
    state
        .db
        .write(move |conn| customer_requests::delete(conn, account_id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET`: newest first; filters `conversation_id`, `company_id`, `customer_id`, `priority`.
pub async fn list_requests(
    state: web::Data<AppState>,
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req)?;
    let get = |key: &str| param(&pairs, key);
    let mut errors = FieldErrors::new();
    let window = Window::parse(&pairs, NEWEST_FIRST, true, &mut errors);
    let mut id_filter = |key: &str, min: i64, max: i64| {
        get(key).and_then(|raw| match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                errors.add(key, format!("must be a whole number from {min} to {max}"));
                None
            }
        })
    };
    let filter = RequestFilter {
        conversation_id: id_filter("conversation_id", 1, i64::MAX),
        company_id: id_filter("company_id", 1, i64::MAX),
        customer_id: id_filter("customer_id", 1, i64::MAX),
        priority: id_filter("priority", 0, 1),
    };
    errors.into_result(())?;
    let account_id = member.account_id;
    let query_window = window.clone();
    let page = state
        .db
        .read(move |conn| customer_requests::list(conn, account_id, &filter, &query_window))
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        RequestView::from,
    ))
}
