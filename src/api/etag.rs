//! Entity tags (RFC 9110 §8.8.3) and the conditional requests built on them.
//!
//! A representation's tag is a digest of the very bytes sent: the first 128 bits of the SHA-256
//! of the JSON body, base64url. So it changes exactly when the JSON does (nested contacts and
//! stats included), every instance computes the same one, and no query is spent on it.
//! Single objects carry a strong tag, list pages a weak one (`W/"…"`).
//!
//! - `If-None-Match` on a GET (or HEAD) answers `304 Not Modified` without a body when a tag
//!   matches (weak comparison), in [`not_modified`], a middleware over every route.
//! - `If-Match` on a PUT, PATCH or DELETE is compared (strong comparison) with the current
//!   representation inside the write's transaction, after its row is locked ([`IfMatch`]); a
//!   mismatch is a 412 and nothing is written. With `REQUIRE_IF_MATCH=true`, a write without
//!   one is a 428.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The strong tag of a body: `"<22 base64url characters>"`.
pub fn strong(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]))
}

/// The weak tag of a body: `W/"…"`.
pub fn weak(body: &[u8]) -> String {
    format!("W/{}", strong(body))
}

/// The tag a single object's view would be sent with (its `{"data": …}` body).
pub fn of_view<T: Serialize>(view: &T) -> Result<String, ApiError> {
    let body =
        serde_json::to_vec(&super::views::Data { data: view }).map_err(ApiError::internal)?;
    Ok(strong(&body))
}

/// How a response's tag is made.
pub enum Tag {
    /// From the body: a single object's.
    Strong,
    /// From the body, weak: a list page's.
    Weak,
    /// Given: a write's answer that shows less than its record's full view still carries the
    /// full view's tag (a customer's stats after PUT/PATCH), the one a GET would.
    Of(String),
}

/// `body` as JSON, with its `ETag`.
pub fn json_response<T: Serialize>(
    mut builder: HttpResponseBuilder,
    body: &T,
    tag: Tag,
) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let tag = match tag {
                Tag::Strong => strong(&bytes),
                Tag::Weak => weak(&bytes),
                Tag::Of(tag) => tag,
            };
            builder
                .insert_header((header::ETAG, tag))
                .insert_header(header::ContentType::json())
                .body(bytes)
        }
        Err(err) => actix_web::ResponseError::error_response(&ApiError::internal(err)),
    }
}

/// The tags of an `If-Match` or `If-None-Match` header: `None` for `*`.
fn listed_tags(headers: &HeaderMap, name: header::HeaderName) -> Option<Option<Vec<String>>> {
    let mut tags = Vec::new();
    let mut any = false;
    let mut seen = false;
    for value in headers.get_all(name) {
        seen = true;
        let Ok(text) = value.to_str() else { continue };
        for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag == "*" {
                any = true;
            } else {
                tags.push(tag.to_string());
            }
        }
    }
    match (seen, any) {
        (false, _) => None,
        (true, true) => Some(None),
        (true, false) => Some(Some(tags)),
    }
}

/// A tag without its weakness prefix, for the weak comparison.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// A write's `If-Match`: the representation it was based on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *`: the record must exist.
    Any,
    /// The record's current tag must be one of these (strong comparison: a weak tag never
    /// matches).
    Tags(Vec<String>),
}

impl IfMatch {
    /// The request's `If-Match`, if any; `required` (`REQUIRE_IF_MATCH`) makes its absence a 428.
    pub fn of(req: &HttpRequest, required: bool) -> Result<Option<IfMatch>, ApiError> {
        match listed_tags(req.headers(), header::IF_MATCH) {
            Some(None) => Ok(Some(IfMatch::Any)),
            Some(Some(tags)) => Ok(Some(IfMatch::Tags(tags))),
            None if required => Err(ApiError::PreconditionRequired),
            None => Ok(None),
        }
    }

    /// Whether a record whose current tag is `current` may be written.
    pub fn holds(&self, current: &str) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => tags
                .iter()
                .any(|tag| tag == current && !tag.starts_with("W/")),
        }
    }

    /// `Ok` when the current view (found and locked by the caller) still has a listed tag;
    /// otherwise the 412 that carries its tag.
    pub fn check<T: Serialize>(&self, current: &T) -> Result<(), ApiError> {
        let tag = of_view(current)?;
        match self.holds(&tag) {
            true => Ok(()),
            false => Err(ApiError::PreconditionFailed { etag: tag }),
        }
    }
}

/// Whether `If-None-Match` lists `tag` (weak comparison) or is `*`.
fn none_match_hits(headers: &HeaderMap, tag: &str) -> bool {
    match listed_tags(headers, header::IF_NONE_MATCH) {
        None => false,
        Some(None) => true,
        Some(Some(tags)) => tags.iter().any(|t| opaque(t) == opaque(tag)),
    }
}

/// The middleware (`middleware::from_fn`): a GET whose `If-None-Match` names the tag of the 200
/// it would get is answered `304 Not Modified`, with the tag and no body.
pub async fn not_modified(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let conditional = matches!(*req.method(), Method::GET | Method::HEAD)
        && req.headers().contains_key(header::IF_NONE_MATCH);
    let request_headers = conditional.then(|| req.headers().clone());
    let res = next.call(req).await?;
    let hit = match (&request_headers, res.headers().get(header::ETAG)) {
        (Some(headers), Some(tag)) if res.status() == StatusCode::OK => {
            tag.to_str().is_ok_and(|tag| none_match_hits(headers, tag))
        }
        _ => false,
    };
    if !hit {
        return Ok(res.map_into_left_body());
    }
    let tag: Option<HeaderValue> = res.headers().get(header::ETAG).cloned();
    let (req, _) = res.into_parts();
    let mut answer = HttpResponse::NotModified();
    if let Some(tag) = tag {
        answer.insert_header((header::ETAG, tag));
    }
    Ok(ServiceResponse::new(
        req,
        answer.finish().map_into_right_body(),
    ))
}
