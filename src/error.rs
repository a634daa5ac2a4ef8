//! `ApiError`: the only place HTTP statuses and the `{"message", "errors"}` body are built.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

/// Messages per field, keyed by the dotted path into the request body (`emails.0.email`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `path`.
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.entry(path.into()).or_default().push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    /// `Ok(value)` when nothing was recorded, else a 422 carrying every message.
    pub fn into_result<T>(self, value: T) -> Result<T, ApiError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation(self))
        }
    }
}

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
    #[error("Method not allowed.")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String, FieldErrors),
    #[error("The request body is larger than {0} bytes.")]
    PayloadTooLarge(usize),
    #[error(
        "Unsupported content type: send application/json or application/x-www-form-urlencoded."
    )]
    UnsupportedMediaType,
    #[error("The given data was invalid.")]
    Validation(FieldErrors),
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
    /// The cause is logged, never sent.
    #[error("Internal server error.")]
    Internal(String),
}

impl ApiError {
    pub fn not_found() -> Self {
        ApiError::NotFound("Not found.".into())
    }

    pub fn internal(cause: impl Into<String>) -> Self {
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
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::TooSlow => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::AccountBusy => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            log::error!("internal error: {cause}");
        }
        let errors = match self {
            ApiError::Validation(errors) => Some(errors),
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
            _ => {}
        }
        response.json(ErrorBody {
            message: self.to_string(),
            errors,
        })
    }
}

/// Database errors: a missing row is a 404, a lost or unreachable database a 503, a constraint
/// the request broke a 409 (handlers that can name the field map it to a 422 first), the rest 500.
impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        if crate::db::is_lost_connection(&err) {
            return ApiError::Unavailable;
        }
        if crate::db::is_work_timeout(&err) {
            return ApiError::TooSlow;
        }
        match err {
            DieselError::NotFound => ApiError::not_found(),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                log::info!("unique violation: {}", info.message());
                ApiError::Conflict(
                    "The record conflicts with an existing one.".into(),
                    FieldErrors::new(),
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                log::info!("foreign key violation: {}", info.message());
                ApiError::Conflict(
                    "The record is in use or refers to a missing one.".into(),
                    FieldErrors::new(),
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict(
                    "A concurrent change conflicted; retry the request.".into(),
                    FieldErrors::new(),
                )
            }
            // SQLite's writer waited out its busy timeout: the database is overloaded, not broken.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("database is locked") =>
            {
                ApiError::Unavailable
            }
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("deadlock detected") =>
            {
                ApiError::Conflict(
                    "A concurrent change conflicted; retry the request.".into(),
                    FieldErrors::new(),
                )
            }
            other => ApiError::Internal(format!("database: {other}")),
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(err: crate::db::DbError) -> Self {
        match err {
            crate::db::DbError::Connection(_) => ApiError::Unavailable,
            crate::db::DbError::Query(e) => e.into(),
            crate::db::DbError::Config(msg) => ApiError::Internal(msg),
        }
    }
}
