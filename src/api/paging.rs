//! Paged lists: `{"data": [...], "meta": {...}, "links": {...}}` with absolute links that keep the
//! query's other parameters.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::etag;
use crate::domain::paging::{Page, PageRequest, Window};
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;

#[derive(Serialize)]
pub struct PageMeta {
    current_page: i64,
    per_page: i64,
    total: i64,
    last_page: i64,
    from: Option<i64>,
    to: Option<i64>,
    /// Lists that page by cursor say where the next page starts (`?cursor=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

#[derive(Serialize)]
pub struct PageLinks {
    first: String,
    last: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
pub struct ListBody<T> {
    data: Vec<T>,
    meta: PageMeta,
    links: PageLinks,
}

/// The query string as key/value pairs, in order.
/// A value with a NUL character is a 422: the database could not compare it.
pub fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut errors = FieldErrors::new();
    for (key, _) in pairs
        .iter()
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        errors.add(key.replace('\0', ""), "must not contain NUL characters");
    }
    Ok(errors.into_result(pairs)?)
}

/// `meta` and `links` for page `page` of `total` items, `shown` of them on this page.
fn paging(
    req: &HttpRequest,
    pairs: &[(String, String)],
    page: PageRequest,
    total: i64,
    shown: usize,
    next_cursor: Option<String>,
) -> (PageMeta, PageLinks) {
    let last_page = page.last_page(total);
    let link = |n: i64| url_with(req, pairs, "page", &n.to_string());
    let meta = PageMeta {
        current_page: page.page,
        per_page: page.per_page,
        total,
        last_page,
        from: (shown > 0).then(|| page.offset() + 1),
        to: (shown > 0).then(|| page.offset() + shown as i64),
        next_cursor,
    };
    let links = PageLinks {
        first: link(1),
        last: link(last_page),
        prev: (page.page > 1).then(|| link((page.page - 1).min(last_page))),
        next: (page.page < last_page).then(|| link(page.page + 1)),
    };
    (meta, links)
}

/// This request's URL with `key` (`page` or `cursor`) set to `value`, the other removed.
/// Absolute on the configured `PUBLIC_BASE_URL`, relative without one: never built from the
/// request's `Host` or forwarding headers, which any client can set.
pub(crate) fn url_with(
    req: &HttpRequest,
    pairs: &[(String, String)],
    key: &str,
    value: &str,
) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs
        .iter()
        .filter(|(k, _)| k != "page" && k != "cursor" && k != key)
    {
        query.append_pair(k, v);
    }
    query.append_pair(key, value);
    let path_and_query = format!("{}?{}", req.path(), query.finish());
    let base = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.public_base_url.as_deref());
    match base {
        Some(base) => format!("{base}{path_and_query}"),
        None => path_and_query,
    }
}

/// The 200 response for a page of a list: numbered (with a total) unless the client paged by
/// cursor. Both carry `meta.next_cursor`, so a client can switch to cursors at any page.
pub fn list_response<T, V: Serialize>(
    req: &HttpRequest,
    pairs: &[(String, String)],
    window: &Window,
    page: Page<T>,
    view: impl FnMut(T) -> V,
) -> HttpResponse {
    let page = page.map(view);
    match page.total {
        Some(total) => page_response(req, pairs, window.page, total, page.rows, page.next_cursor),
        None => cursor_response(
            req,
            pairs,
            window.page.per_page,
            page.rows,
            page.next_cursor,
        ),
    }
}

/// The 200 response for page `page` of `data` out of `total`, with the cursor of the next page.
fn page_response<T: Serialize>(
    req: &HttpRequest,
    pairs: &[(String, String)],
    page: PageRequest,
    total: i64,
    data: Vec<T>,
    next_cursor: Option<String>,
) -> HttpResponse {
    let (meta, links) = paging(req, pairs, page, total, data.len(), next_cursor);
    etag::json_response(
        HttpResponse::Ok(),
        &ListBody { data, meta, links },
        etag::Tag::Weak,
    )
}

#[derive(Serialize)]
struct CursorBody<T> {
    data: Vec<T>,
    meta: CursorMeta,
    links: CursorLinks,
}

#[derive(Serialize)]
struct CursorMeta {
    per_page: i64,
    next_cursor: Option<String>,
}

#[derive(Serialize)]
struct CursorLinks {
    next: Option<String>,
}

/// The 200 response for a page fetched by `cursor`: no total and no page numbers (counting is
/// what would make deep pages slow), only the way on.
fn cursor_response<T: Serialize>(
    req: &HttpRequest,
    pairs: &[(String, String)],
    per_page: i64,
    data: Vec<T>,
    next_cursor: Option<String>,
) -> HttpResponse {
    let next = next_cursor
        .as_deref()
        .map(|c| url_with(req, pairs, "cursor", c));
    let body = CursorBody {
        data,
        meta: CursorMeta {
            per_page,
            next_cursor,
        },
        links: CursorLinks { next },
    };
    etag::json_response(HttpResponse::Ok(), &body, etag::Tag::Weak)
}
