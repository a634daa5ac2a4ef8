//! `GET /customers`: a page, with `meta` and `links`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::CustomerView;
use crate::api::extract::Member;
use crate::api::paging::{cursor_response, page_response, query_pairs};
use crate::domain::customer_list::CustomerListQuery;
use crate::error::ApiError;
use crate::services::customers;
use crate::state::AppState;

pub async fn list(
    state: web::Data<AppState>,
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(&req)?;
    let query = CustomerListQuery::parse(&pairs)?;
    let account_id = member.account_id;
    let page = query.page;
    let result = state
        .db
        .read(move |conn| customers::list(conn, account_id, &query))
        .await?;
    let data: Vec<CustomerView> = result.records.into_iter().map(CustomerView::from).collect();
    Ok(match result.total {
        Some(total) => page_response(&req, &pairs, page, total, data, result.next_cursor),
        None => cursor_response(&req, &pairs, page.per_page, data, result.next_cursor),
    })
}
