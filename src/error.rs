//! `ApiError`: the only place HTTP statuses and the `{"message", "errors"}` body are built.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::{self, ConflictKind};
pub use crate::domain::FieldErrors;

/// Every way a request can fail. Handlers return `Result<_, ApiError>`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("This action is not allowed for your role.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    /// A read of a customer merged into another: 308 to the survivor (`Location` and `conflict`
    /// name it). Writes to a merged id are a 404 instead: a client that follows redirects must
    /// not change or delete the survivor by an old id.
    #[error("This customer was merged into customer {survivor_id}; it lives on at {}.", customer_path(*account_id, *survivor_id))]
    Merged { account_id: i64, survivor_id: i64 },
    #[error("Method not allowed.")]
    MethodNotAllowed,
    /// What the request names is gone for good (a feed cursor past the retention).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Conflict(String, FieldErrors),
    /// A stale `If-Match`: the record changed since the client read it (its tag now is `etag`).
    #[error("The record has changed since it was read (If-Match does not hold); nothing was written. Fetch it again and retry with its current ETag.")]
    PreconditionFailed { etag: String },
    /// `REQUIRE_IF_MATCH` is on and a write came without `If-Match`.
    #[error("This server requires If-Match on writes: send the ETag of the record as read.")]
    PreconditionRequired,
    #[error("The request body is larger than {0} bytes.")]
    PayloadTooLarge(usize),
    #[error(
        "Unsupported content type: send application/json or application/x-www-form-urlencoded."
    )]
    UnsupportedMediaType,
    #[error("The given data was invalid.")]
    Validation(FieldErrors),
    /// A 422 for a value another customer holds (an email is one customer's per account): the
    /// body's `conflict` names that customer.
    #[error("The given data was invalid.")]
    Taken {
        errors: FieldErrors,
        customer_id: i64,
    },
    /// Over a rate limit; retry after this many seconds.
    #[error("Too many requests; retry after {0} seconds.")]
    TooManyRequests(u64),
    #[error("The database is unavailable; try again shortly.")]
    Unavailable,
    /// The request's database work passed the configured bound and was stopped.
    #[error("The request took too long and was stopped; narrow it (a longer `q`, a smaller page) or try again.")]
    TooSlow,
    /// The account already has as many requests at the database as it may.
    #[error("Too many requests for this account are in progress; retry shortly.")]
    AccountBusy,
    /// The client stopped sending the body it announced.
    #[error("The request body was not received in time.")]
    BodyTimeout,
    /// The cause is logged with the request's id (see `api::request_id`), never sent.
    #[error("Internal server error.")]
    Internal(#[source] db::Cause),
}

impl ApiError {
    pub fn not_found() -> Self {
        ApiError::NotFound("Not found.".into())
    }

    pub fn internal(cause: impl Into<db::Cause>) -> Self {
        ApiError::Internal(cause.into())
    }

    /// A 422 with one message on one field.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(path, message);
        ApiError::Validation(errors)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a FieldErrors>,
    /// A 412's current tag of the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conflict: Option<Holder>,
}

/// Who holds the value a [`ApiError::Taken`] refused, or the survivor of a merge.
#[derive(Serialize)]
struct Holder {
    customer_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
}

/// A customer's path, as `Location` headers name it.
pub fn customer_path(account_id: i64, customer_id: i64) -> String {
    format!("/api/v1/accounts/{account_id}/customers/{customer_id}")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Merged { .. } => StatusCode::PERMANENT_REDIRECT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Taken { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::TooSlow => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::AccountBusy => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let errors = match self {
            ApiError::Validation(errors) | ApiError::Taken { errors, .. } => Some(errors),
            ApiError::Conflict(_, errors) if !errors.is_empty() => Some(errors),
            _ => None,
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#));
            }
            ApiError::Unavailable | ApiError::TooSlow => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::AccountBusy => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::BodyTimeout => {
                response.insert_header((header::CONNECTION, "close"));
            }
            ApiError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::PreconditionFailed { etag } => {
                response.insert_header((header::ETAG, etag.as_str()));
            }
            ApiError::Merged {
                account_id,
                survivor_id,
            } => {
                response
                    .insert_header((header::LOCATION, customer_path(*account_id, *survivor_id)));
            }
            _ => {}
        }
        let etag = match self {
            ApiError::PreconditionFailed { etag } => Some(etag.as_str()),
            _ => None,
        };
        let conflict = match self {
            ApiError::Taken { customer_id, .. } => Some(Holder {
                customer_id: *customer_id,
                location: None,
            }),
            ApiError::Merged {
                account_id,
                survivor_id,
            } => Some(Holder {
                customer_id: *survivor_id,
                location: Some(customer_path(*account_id, *survivor_id)),
            }),
            _ => None,
        };
        response.json(ErrorBody {
            message: self.to_string(),
            errors,
            etag,
            conflict,
        })
    }
}

/// Database errors: a missing row is a 404, a lost or overloaded database a 503, a constraint
/// the request broke a 409 (services that can name the field map it to a 422 first), the rest 500
/// with the cause kept for the log.
impl From<db::Error> for ApiError {
    fn from(err: db::Error) -> Self {
        match err {
            db::Error::NotFound => ApiError::not_found(),
            db::Error::Unavailable(cause) => {
                log::warn!("database unavailable: {}", chain(cause.as_ref()));
                ApiError::Unavailable
            }
            db::Error::TooSlow => ApiError::TooSlow,
            db::Error::Conflict { kind, constraint } => {
                log::info!("{kind} on {}", constraint.as_deref().unwrap_or("?"));
                let message = match kind {
                    ConflictKind::Unique => "The record conflicts with an existing one.",
                    ConflictKind::ForeignKey => "The record is in use or refers to a missing one.",
                    ConflictKind::Concurrent => {
                        "A concurrent change conflicted; retry the request."
                    }
                };
                ApiError::Conflict(message.into(), FieldErrors::new())
            }
            err @ (db::Error::Config(_) | db::Error::Migration(_) | db::Error::Other(_)) => {
                ApiError::Internal(err.into())
            }
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl db::WorkError for ApiError {
    fn is_unavailable(&self) -> bool {
        matches!(self, ApiError::Unavailable)
    }
}

/// `err` and each of its sources, `: `-separated, for one log line.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(err: ApiError) -> u16 {
        err.status_code().as_u16()
    }

    #[test]
    fn each_error_has_its_status() {
        let cases = [
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::Unauthorized("x".into()), 401),
            (ApiError::Forbidden, 403),
            (ApiError::not_found(), 404),
            (ApiError::MethodNotAllowed, 405),
            (ApiError::BodyTimeout, 408),
            (ApiError::Conflict("x".into(), FieldErrors::new()), 409),
            (
                ApiError::PreconditionFailed {
                    etag: "\"x\"".into(),
                },
                412,
            ),
            (ApiError::PayloadTooLarge(1), 413),
            (ApiError::PreconditionRequired, 428),
            (ApiError::UnsupportedMediaType, 415),
            (ApiError::field("name", "is required"), 422),
            (ApiError::TooManyRequests(1), 429),
            (ApiError::AccountBusy, 429),
            (ApiError::internal("x"), 500),
            (ApiError::Unavailable, 503),
            (ApiError::TooSlow, 503),
        ];
        for (err, expected) in cases {
            let name = format!("{err:?}");
            assert_eq!(status(err), expected, "{name}");
        }
    }

    #[test]
    fn each_database_error_has_its_status() {
        let conflict = |kind| db::Error::Conflict {
            kind,
            constraint: None,
        };
        let cases = [
            (db::Error::NotFound, 404),
            (db::Error::Unavailable("gone".into()), 503),
            (db::Error::TooSlow, 503),
            (conflict(ConflictKind::Unique), 409),
            (conflict(ConflictKind::ForeignKey), 409),
            (conflict(ConflictKind::Concurrent), 409),
            (db::Error::Migration("bad".into()), 500),
            (db::Error::Other("bad".into()), 500),
        ];
        for (err, expected) in cases {
            let name = format!("{err:?}");
            assert_eq!(status(err.into()), expected, "{name}");
        }
        assert_eq!(status(FieldErrors::new().into()), 422);
    }

    #[test]
    fn an_internal_error_keeps_its_causes() {
        let err = ApiError::from(db::Error::Other("disk on fire".into()));
        let ApiError::Internal(cause) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(chain(cause.as_ref()), "database error: disk on fire");
        // The client sees none of it.
        assert_eq!(err.to_string(), "Internal server error.");
    }
}
