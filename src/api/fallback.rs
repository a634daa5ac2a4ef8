//! JSON for what no handler answers: unknown routes, wrong methods, and any error response that
//! actix itself produced with a plain-text or empty body.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;

pub async fn not_found() -> HttpResponse {
    ApiError::NotFound("No such route.".into()).error_response()
}

/// 405 with the resource's methods in `Allow` (RFC 9110 requires it).
pub async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = ApiError::MethodNotAllowed.error_response();
    // Every GET route answers HEAD too (see `api::head`).
    let allow = allow.replacen("GET", "GET, HEAD", 1);
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// For `ErrorHandlers::default_handler`: an error response that is not JSON gets a JSON body
/// with the same status (`{"message": "<reason>"}`), so clients always get the documented shape.
pub fn json_error_body<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = status.canonical_reason().unwrap_or("Error").to_string() + ".";
    let body = serde_json::json!({ "message": message }).to_string();
    let (req, original) = res.into_parts();
    let mut response: HttpResponse<BoxBody> = HttpResponse::build(status)
        .content_type("application/json")
        .body(body);
    // Keep what other layers said (CORS, Allow, request id); only the body and its type change.
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
