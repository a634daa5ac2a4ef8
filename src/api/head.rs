//! `HEAD` wherever `GET` works (RFC 9110 §9.3.2): the request is routed as a `GET`, and the
//! HTTP layer, which remembers the request was a `HEAD`, sends the headers without the body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// The middleware (`middleware::from_fn`), innermost, so everything else sees the real method.
pub async fn route_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
