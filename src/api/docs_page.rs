//! Interactive API docs at `/docs/`: Swagger UI reading the document served at
//! `/api/v1/openapi.json`, with "Authorize" for a bearer token and "Try it out" on every
//! operation. Its files are compiled into the binary (`utoipa-swagger-ui` with its vendored
//! build), so neither building nor viewing the page reaches beyond this server.

use std::sync::{Arc, OnceLock};

use actix_web::http::header;
use actix_web::{web, HttpResponse, ResponseError};
use utoipa_swagger_ui::Config;

use crate::api::fallback;
use crate::error::ApiError;

/// Where the page reads the document (see `routes`).
const DOCUMENT_URL: &str = "/api/v1/openapi.json";

fn config() -> Arc<Config<'static>> {
    static CONFIG: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Arc::new(
                Config::new([DOCUMENT_URL])
                    .display_request_duration(true)
                    .filter(true)
                    // No badge from the public validator: the page asks this server only.
                    .validator_url("none"),
            )
        })
        .clone()
}

/// `GET /docs`: to `/docs/`, where the page's relative links to its files resolve. The target
/// is relative, so it stays right behind a proxy that mounts the API under a prefix.
pub async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "docs/"))
        .finish()
}

/// `GET /docs/{file}`: the page (`/docs/`) and its files; JSON 404 for any other name.
pub async fn file(path: web::Path<String>) -> HttpResponse {
    match utoipa_swagger_ui::serve(&path, config()) {
        Ok(Some(file)) if file.content_type == "text/html" => {
            let page = String::from_utf8_lossy(&file.bytes).replace(
                "<title>Swagger UI</title>",
                "<title>supportdesk API</title>",
            );
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(page)
        }
        Ok(Some(file)) => HttpResponse::Ok()
            .content_type(file.content_type)
            .body(file.bytes.into_owned()),
        Ok(None) => fallback::not_found().await,
        Err(e) => ApiError::internal(format!("the docs page: {e}")).error_response(),
    }
}
