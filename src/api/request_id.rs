//! `X-Request-Id` on every response: the client's own (when it is a sane token) or a new UUID.
//! The access log prints it, so a client's report can be found in the logs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

use crate::error::{chain, ApiError};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// A client-sent id is kept when it is 1–128 visible ASCII characters; anything else is replaced.
fn client_id(req: &ServiceRequest) -> Option<HeaderValue> {
    let value = req.headers().get(HEADER)?;
    let text = value.to_str().ok()?;
    (!text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| value.clone())
}

/// A 500's cause, with every source, under the request's id: the client sees only the id.
fn log_internal_error<B>(response: &ServiceResponse<B>, id: &HeaderValue) {
    let cause = response
        .response()
        .error()
        .and_then(|e| match e.as_error::<ApiError>() {
            Some(ApiError::Internal(cause)) => Some(cause),
            _ => None,
        });
    if let Some(cause) = cause {
        let id = id.to_str().unwrap_or("?");
        log::error!("request {id}: internal error: {}", chain(cause.as_ref()));
    }
}

/// The middleware (`middleware::from_fn`); it also sets the id on the request, for the log.
pub async fn attach(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    #[allow(clippy::expect_used, reason = "a UUID's text is visible ASCII")]
    let id = client_id(&req).unwrap_or_else(|| {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .expect("a UUID is a valid header value")
    });
    req.headers_mut().insert(HEADER, id.clone());
    let mut response = next.call(req).await?;
    log_internal_error(&response, &id);
    response.headers_mut().insert(HEADER, id);
    Ok(response)
}
