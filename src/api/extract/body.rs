//! The body of every write endpoint: `application/json`, or a bracket-key form, into one JSON value.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::Value;

use super::form;
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;

/// The request body as a JSON value, whichever of the two encodings it came in.
#[derive(Debug)]
pub struct Body(pub Value);

enum Encoding {
    Json,
    Form,
    /// No `Content-Type`: accepted only for an empty body.
    Unspecified,
    Other,
}

fn encoding(req: &HttpRequest) -> Encoding {
    match req.mime_type() {
        Ok(Some(mime)) => match (
            mime.type_().as_str(),
            mime.subtype().as_str(),
            mime.suffix(),
        ) {
            ("application", "json", _) => Encoding::Json,
            ("application", _, Some(suffix)) if suffix.as_str() == "json" => Encoding::Json,
            ("application", "x-www-form-urlencoded", _) => Encoding::Form,
            _ => Encoding::Other,
        },
        Ok(None) => Encoding::Unspecified,
        Err(_) => Encoding::Other,
    }
}

impl FromRequest for Body {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Body, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>();
        let limit = state.map(|s| s.max_body_bytes).unwrap_or(1 << 20);
        let read_timeout = state
            .map(|s| s.body_read_timeout)
            .unwrap_or(std::time::Duration::from_secs(30));
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let encoding = encoding(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > limit as u64) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            // A client that announces a body and stops sending it would hold the request open
            // for ever: the whole body must arrive within the read timeout.
            let read = async {
                let mut bytes = web::BytesMut::new();
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::BadRequest(format!("Could not read the body: {e}"))
                    })?;
                    if bytes.len() + chunk.len() > limit {
                        return Err(ApiError::PayloadTooLarge(limit));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(bytes)
            };
            let bytes = actix_web::rt::time::timeout(read_timeout, read)
                .await
                .map_err(|_| ApiError::BodyTimeout)??;
            let value = match encoding {
                Encoding::Json => serde_json::from_slice(&bytes)
                    .map_err(|e| ApiError::BadRequest(format!("Malformed JSON: {e}.")))?,
                Encoding::Form => form::parse(&bytes)
                    .map_err(|e| ApiError::BadRequest(format!("Malformed form body: {e}.")))?,
                Encoding::Unspecified if bytes.iter().all(u8::is_ascii_whitespace) => {
                    Value::Object(Default::default())
                }
                Encoding::Unspecified | Encoding::Other => {
                    return Err(ApiError::UnsupportedMediaType)
                }
            };
            if !value.is_object() {
                return Err(ApiError::BadRequest(
                    "The request body must be an object.".into(),
                ));
            }
            reject_nul_characters(&value)?;
            Ok(Body(value))
        })
    }
}

/// PostgreSQL can't store NUL in text, and no field of ours needs it: a 422 on each field that
/// has one, before anything reaches the database.
fn reject_nul_characters(body: &Value) -> Result<(), ApiError> {
    fn walk(value: &Value, path: &str, errors: &mut FieldErrors) {
        let child = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            Value::String(s) if s.contains('\0') => {
                errors.add(path, "must not contain NUL characters")
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, &child(&index.to_string()), errors);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    if key.contains('\0') {
                        errors.add(
                            child(&key.replace('\0', "")),
                            "must not contain NUL characters",
                        );
                    }
                    walk(item, &child(key), errors);
                }
            }
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    walk(body, "", &mut errors);
    errors.into_result(())
}
