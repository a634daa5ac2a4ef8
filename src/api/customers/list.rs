//! `GET /customers`: a page, with `meta` and `links`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::CustomerView;
use crate::api::extract::Member;
use crate::api::openapi::schemas as doc;
use crate::api::paging::{list_response, query_pairs};
use crate::domain::customer_list::CustomerListQuery;
use crate::error::ApiError;
use crate::services::customers;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers",
    tag = "Customers",
    summary = "List customers",
    params(doc::AccountPath, doc::Paging, doc::CustomerFilters),
    responses(
        (status = 200, description = "A page of customers (without stats)", body = doc::ListOf<CustomerView>),
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
        .checked(&state.db, CustomerListQuery::parse(&pairs))
        .await?;
    let (account_id, window) = (member.account_id, query.window.clone());
    let page = member
        .read(&state.db, move |conn| {
            customers::list(conn, account_id, &query)
        })
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        CustomerView::from,
    ))
}
