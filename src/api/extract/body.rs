//! The body of every write endpoint: `application/json`, or a bracket-key form, into one JSON value.
//! What is in it is the parsers' business (`domain/`): they read the fields they know, and refuse
//! U+0000 in any text they read (PostgreSQL can't store it); the others are ignored.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::Value;

use super::form;
use crate::api::openapi;
use crate::error::ApiError;
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
        // The fields the document names for this operation's form body.
        let known = match encoding {
            Encoding::Form => req
                .match_pattern()
                .and_then(|route| openapi::form_fields(req.method(), &route)),
            _ => None,
        };
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > limit as u64) {
                discard_rest(&mut payload, declared_length).await;
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
            let bytes = match actix_web::rt::time::timeout(read_timeout, read).await {
                Err(_) => return Err(ApiError::BodyTimeout),
                Ok(Err(ApiError::PayloadTooLarge(limit))) => {
                    discard_rest(&mut payload, None).await;
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                Ok(read) => read?,
            };
            let value = match encoding {
                Encoding::Json => serde_json::from_slice(&bytes)
                    .map_err(|e| ApiError::BadRequest(format!("Malformed JSON: {e}.")))?,
                Encoding::Form => form::parse(&bytes, known)
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
            Ok(Body(value))
        })
    }
}

/// Most a refused body is read on to its end, and for how long.
const DISCARD_AT_MOST: u64 = 16 << 20;
const DISCARD_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads a refused body to its end before the 413 goes out, as nginx's lingering close does: a
/// server that answers while the client is still sending and then closes resets the connection,
/// and the client loses the answer with it. Bounded in bytes and time; past either, the
/// connection is closed and a client still sending learns of the refusal as a reset.
async fn discard_rest(payload: &mut Payload, declared_length: Option<u64>) {
    if declared_length.is_some_and(|n| n > DISCARD_AT_MOST) {
        return;
    }
    let discard = async {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = payload.next().await {
            read += chunk.len() as u64;
            if read > DISCARD_AT_MOST {
                return;
            }
        }
    };
    let _ = actix_web::rt::time::timeout(DISCARD_FOR, discard).await;
}
