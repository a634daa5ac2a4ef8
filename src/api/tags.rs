//! `GET /accounts/{account_id}/tags` (issue 19): every tag the account's customers and companies
//! carry, by name, with how many of each carry it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::Caller;
use crate::api::openapi::schemas as doc;
use crate::api::paging::{list_response, query_pairs};
use crate::db::tags::{self, TagCount};
use crate::domain::cursor::Cursor;
use crate::domain::paging::{Page, Window};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::state::AppState;

/// The one order of the list.
const BY_NAME: &str = "name";

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "vip", "customers_count": 12, "companies_count": 3}))]
pub struct TagView {
    name: String,
    customers_count: i64,
    companies_count: i64,
}

impl From<TagCount> for TagView {
    fn from(t: TagCount) -> Self {
        TagView {
            name: t.name,
            customers_count: t.customers,
            companies_count: t.companies,
        }
    }
}

/// `GET /tags`: a page (`page` or `cursor`, `per_page`), by name.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/tags",
    tag = "Tags",
    summary = "List the account's tags, by name, with how many customers and companies carry each",
    params(doc::AccountPath, doc::Paging),
    responses(
        (status = 200, description = "A page of tags", body = doc::ListOf<TagView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let window = caller.checked(&state.db, parse_window(&pairs)).await?;
    let query_window = window.clone();
    let page = caller
        .read(&state.db, move |conn, scope| {
            let total = match query_window.counts() {
                true => Some(tags::total(conn, scope)?),
                false => None,
            };
            let rows = tags::list(conn, scope, &query_window)?;
            Ok(Page::new(rows, total, &query_window, |t| Cursor {
                sort: BY_NAME.into(),
                value: t.name.clone(),
                id: 0,
            }))
        })
        .await?;
    Ok(list_response(&req, &pairs, &window, page, TagView::from))
}

fn parse_window(pairs: &[(String, String)]) -> Result<Window, FieldErrors> {
    let mut errors = FieldErrors::new();
    let window = Window::parse(pairs, BY_NAME, false, &mut errors);
    errors.into_result(window)
}
