//! `GET /customers`: a page, with `meta` and `links`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::view::CustomerView;
use super::Customers;
use crate::api::extract::Caller;
use crate::api::openapi::schemas as doc;
use crate::api::resource;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers",
    tag = "Customers",
    summary = "List customers",
    description = "Also filters by custom attributes: `custom_attributes[key]=value` (the value \
        equals it), and for numbers and dates `custom_attributes[key][gt]=…` (`gte`, `lt`, \
        `lte`). An undefined key or a value of the wrong type is a 422 naming the parameter.",
    params(doc::AccountPath, doc::Paging, doc::CustomerFilters),
    responses(
        (status = 200, description = "A page of customers (without stats)", body = doc::ListOf<CustomerView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Customers>(state, caller, req).await
}
