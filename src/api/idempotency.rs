//! `Idempotency-Key` (IETF draft `draft-ietf-httpapi-idempotency-key-header`) on every POST under
//! `/api/v1/accounts/{account_id}/…`: the first request's answer is stored per (account,
//! principal, key) and replayed byte for byte to any retry, for `IDEMPOTENCY_KEY_TTL` (24 h).
//!
//! A resource-level middleware (every resource of `routes` has it), so the path's `account_id`
//! is known and the handlers know nothing of it. For a POST with the header it:
//!
//! 1. reads the body (as the `Body` extractor would: the size limit, the read timeout) and
//!    hashes it with its content type;
//! 2. reads the credentials as the handlers do (`Caller<TokenOrFingerprint>`: a bearer token or
//!    a guest's fingerprint) and, in one transaction, confirms them (`Credentials::confirm`: not revoked, user
//!    active, a member of the account; a guest's account takes contact forms) and looks the key
//!    up, inserting a *pending* row when it is new. Refused credentials get their usual
//!    401/404 and never a stored answer;
//! 3. for a key already used: the same request → the stored answer with `Idempotent-Replayed:
//!    true`; another path or body → 422 naming it; still running → waits up to
//!    `IDEMPOTENCY_WAIT_MS` for its answer, then 409;
//! 4. otherwise runs the handler with a [`WriteHook`] that marks the row committed inside the
//!    handler's own transaction (so a key never runs a second write, even when its first run
//!    lost its answer), then stores the answer, or frees the key when the answer is not one to
//!    keep (see [`kept`]).

use std::time::{Duration, Instant};

use actix_web::body::{self, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::api::extract::{Caller, Credentials, TokenOrFingerprint};
use crate::db::idempotency::{self as store, Begun, Claim, StoredResponse};
use crate::db::{self, WriteHook};
use crate::domain::Identity;
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;

/// The request header.
pub const KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set to `true` on a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Longest key accepted (a UUID is 36).
pub const MAX_KEY_LENGTH: usize = 255;

/// A pending key whose request started longer ago than this is taken as abandoned (its process
/// stopped): a new request may take it over, unless its write committed. A request still
/// running past it can no longer commit (see `db::idempotency::mark_committed`), so this bounds
/// waiting, not safety. Every bound a request runs under (slot and connection waits of 5 s, the
/// work timeout) is well inside it.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(60);

/// The settings (`IDEMPOTENCY_KEY_TTL`, `IDEMPOTENCY_WAIT_MS`), as app data.
#[derive(Debug, Clone)]
pub struct Policy {
    pub ttl: chrono::Duration,
    pub wait: Duration,
}

/// Whether an answer that wrote nothing is stored for replay: a success, and a refusal decided
/// by the request's own work on the data (404 of a record, 422). Not stored, so the key is free
/// for a retry: the answers of a request that never ran or may succeed when sent again — a body
/// that could not be read (400, 408, 413, 415), refused credentials or role (401, 403), a
/// conflict with a concurrent change (409), a limit (429) and every 5xx (each write is one
/// transaction: a 5xx wrote nothing). An answer whose write committed is always stored.
pub fn kept(status: StatusCode) -> bool {
    status.is_success()
        || status == StatusCode::NOT_FOUND
        || status == StatusCode::UNPROCESSABLE_ENTITY
}

/// The key sent, or why it is refused. `Ok(None)`: no header.
fn read_key(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let mut values = req.headers().get_all(KEY);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::BadRequest(
            "Send one Idempotency-Key header, not several.".into(),
        ));
    }
    let text = value.to_str().unwrap_or_default().trim();
    // The draft writes the key as a structured-field string ("…"); a bare token is the same key.
    let key = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if key.is_empty()
        || key.len() > MAX_KEY_LENGTH
        || !key.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
    {
        return Err(ApiError::BadRequest(format!(
            "The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} visible ASCII characters \
             (a UUID, for example)."
        )));
    }
    Ok(Some(key.to_string()))
}

/// SHA-256 (hex) of the content type (trimmed, lower-cased) and the body: what a key is bound
/// to, besides the method and path.
pub fn request_hash(content_type: &[u8], body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(content_type.trim_ascii().to_ascii_lowercase());
    hasher.update(b"\n");
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hash_of(req: &ServiceRequest, body: &[u8]) -> String {
    let content_type = req.headers().get(header::CONTENT_TYPE);
    request_hash(content_type.map_or(&[][..], |v| v.as_bytes()), body)
}

/// The body, read within the limit and the timeout; `Ok(None)` when it is over the limit (it
/// is put back as it came, for the handler to refuse with its 413).
async fn read_body(
    req: &mut ServiceRequest,
    state: &AppState,
) -> Result<Option<web::Bytes>, ApiError> {
    let limit = state.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut payload = req.take_payload();
    let read = async {
        let mut bytes = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::BadRequest(format!("Could not read the body: {e}")))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() > limit {
                return Ok::<_, ApiError>((bytes, false));
            }
        }
        Ok((bytes, true))
    };
    let (bytes, whole) = match actix_web::rt::time::timeout(state.body_read_timeout, read).await {
        Err(_) => return Err(ApiError::BodyTimeout),
        Ok(read) => read?,
    };
    let bytes = bytes.freeze();
    if whole {
        req.set_payload(Payload::from(bytes.clone()));
        Ok(Some(bytes))
    } else {
        let rest = futures_util::stream::once(async move { Ok(bytes) }).chain(payload);
        req.set_payload(Payload::from(
            Box::pin(rest) as actix_http::BoxedPayloadStream
        ));
        Ok(None)
    }
}

fn answer<B>(req: ServiceRequest, err: ApiError) -> ServiceResponse<EitherBody<B, BoxBody>> {
    respond(req, err.error_response())
}

fn respond<B>(
    req: ServiceRequest,
    response: HttpResponse,
) -> ServiceResponse<EitherBody<B, BoxBody>> {
    req.into_response(response).map_into_right_body()
}

fn conflict(message: &str, retry_after: Option<u64>) -> HttpResponse {
    let mut response = ApiError::Conflict(message.into(), FieldErrors::new()).error_response();
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// 422 naming what differs from the request the key was first used for.
fn mismatch(first_target: &str, same_target: bool) -> HttpResponse {
    let detail = if same_target {
        "was first used with a different body (or content type) on this path".to_string()
    } else {
        format!("was first used for {first_target}")
    };
    let mut errors = FieldErrors::new();
    errors.add("Idempotency-Key", detail);
    HttpResponse::UnprocessableEntity().json(serde_json::json!({
        "message": "This Idempotency-Key was already used for a different request; \
                    send a new key for a new request.",
        "errors": errors,
    }))
}

/// The stored answer, as it was sent, with `Idempotent-Replayed: true`.
fn replay(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    let headers: Vec<(String, String)> = serde_json::from_str(&stored.headers).unwrap_or_default();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.append_header((name, value));
        }
    }
    response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    response.body(stored.body)
}

/// The headers the handler set, to send again with the body.
fn stored_headers(response: &HttpResponse<()>) -> String {
    let headers: Vec<(&str, &str)> = response
        .headers()
        .iter()
        .filter(|(name, _)| **name != header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into())
}

/// Who is asking, as stored with a key: `user:<id>` for a bearer token's user,
/// `guest:<fingerprint hash>` for a contact form's guest.
fn principal(identity: &Identity) -> String {
    match identity {
        Identity::Agent { user_id } => format!("user:{user_id}"),
        Identity::Guest {
            fingerprint_hash, ..
        } => format!("guest:{fingerprint_hash}"),
    }
}

/// The middleware (`middleware::from_fn`), on each resource.
pub async fn guard<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error> {
    let applies = req.method() == Method::POST
        && req.match_info().get("account_id").is_some()
        && req.headers().contains_key(KEY);
    if !applies {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let (Some(state), Some(policy)) = (
        req.app_data::<web::Data<AppState>>().cloned(),
        req.app_data::<web::Data<Policy>>().cloned(),
    ) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    // What a handler answers before it confirms credentials, this answers first too.
    let body = match read_body(&mut req, &state).await {
        Ok(Some(body)) => body,
        // Over the limit: the handler refuses it (413) and nothing runs.
        Ok(None) => return Ok(next.call(req).await?.map_into_left_body()),
        Err(err) => return Ok(answer(req, err)),
    };
    let caller =
        match Caller::<TokenOrFingerprint>::from_request(req.request(), &mut Payload::None).await {
            Ok(caller) => caller,
            Err(err) => return Ok(answer(req, err)),
        };
    let (credentials, account_id) = (caller.credentials.clone(), caller.account_id);
    let key = match read_key(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return Ok(next.call(req).await?.map_into_left_body()),
        // Refused credentials answer first, as everywhere.
        Err(err) => {
            let err = match caller.checked(&state.db, Err::<(), _>(err)).await {
                Err(err) => err,
                Ok(()) => ApiError::internal("a refused key was accepted"),
            };
            return Ok(answer(req, err));
        }
    };
    let claim = Claim {
        account_id,
        principal: principal(&caller.identity()),
        key,
        target: format!(
            "POST {}",
            req.uri()
                .path_and_query()
                .map_or_else(|| req.path(), |p| p.as_str())
        ),
        hash: hash_of(&req, &body),
    };
    let ttl = policy.ttl;
    let abandoned_after =
        chrono::Duration::from_std(ABANDONED_AFTER).unwrap_or(chrono::Duration::MAX);
    let begin = |confirm: bool| {
        let claim = claim.clone();
        let credentials = credentials.clone();
        let db = state.db.clone();
        async move {
            let work = move |conn: &mut db::DbConn| -> Result<Begun, ApiError> {
                if confirm {
                    credentials.confirm(conn, account_id, false)?;
                }
                Ok(store::begin(
                    conn,
                    &claim,
                    ttl,
                    db::now() - abandoned_after,
                )?)
            };
            db.write(work).await
        }
    };
    let mut begun = match begin(true).await {
        Ok(begun) => begun,
        Err(err) => return Ok(answer(req, err)),
    };
    // The handler takes its own slot; waiting for another request holds none.
    drop(caller);
    let deadline = Instant::now() + policy.wait;
    let mut pause = Duration::from_millis(10);
    let held =
        loop {
            match begun {
                Begun::Run(held) => break held,
                Begun::Replay(stored) => return Ok(respond(req, replay(stored))),
                Begun::Mismatch {
                    target,
                    same_target,
                } => return Ok(respond(req, mismatch(&target, same_target))),
                Begun::Lost => return Ok(respond(req, conflict(
                    "The request first sent with this Idempotency-Key was carried out, but its \
                     response could not be stored; it is not run again. Read the record, or \
                     send a new key.",
                    None,
                ))),
                Begun::InFlight => {
                    if Instant::now() >= deadline {
                        return Ok(respond(req, conflict(
                            "A request with this Idempotency-Key is still in progress; retry \
                         shortly.",
                            Some(1),
                        )));
                    }
                    actix_web::rt::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                    let (claim, db) = (claim.clone(), state.db.clone());
                    let seen = db
                        .read(move |conn| {
                            store::peek(conn, &claim, db::now() - abandoned_after)
                                .map_err(ApiError::from)
                        })
                        .await;
                    begun = match seen {
                        Ok(Some(seen)) => seen,
                        // Freed, expired or abandoned: try to take it (confirmed already).
                        Ok(None) => match begin(false).await {
                            Ok(begun) => begun,
                            Err(err) => return Ok(answer(req, err)),
                        },
                        Err(err) => return Ok(answer(req, err)),
                    };
                }
            }
        };
    run(req, next, &state, held).await
}

/// Runs the handler under the key, then stores its answer or frees the key.
async fn run<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    state: &AppState,
    held: store::Held,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error> {
    let hook = {
        let held = held.clone();
        WriteHook::new(move |conn| store::mark_committed(conn, &held))
    };
    let result = db::with_write_hook(hook.clone(), next.call(req)).await;
    let response = match result {
        Ok(response) if hook.committed() || kept(response.status()) => response,
        other => {
            if !hook.committed() {
                let held = held.clone();
                let released = state
                    .db
                    .write(move |conn| store::release(conn, &held))
                    .await;
                if let Err(e) = released {
                    log::warn!("could not free an idempotency key: {e}");
                }
            }
            return Ok(other?.map_into_left_body());
        }
    };
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let cause = e.into().to_string();
            let response = ApiError::internal(cause).error_response();
            return Ok(ServiceResponse::new(req, response).map_into_right_body());
        }
    };
    let stored = StoredResponse {
        status: response.status().as_u16(),
        headers: stored_headers(&response),
        body: bytes.to_vec(),
    };
    let saved = state
        .db
        .write(move |conn| store::finish(conn, &held, &stored))
        .await;
    match saved {
        Ok(true) => {}
        Ok(false) => log::warn!("an idempotency key was taken over before its answer was stored"),
        // The answer still goes out; a retry finds the key committed without an answer (409).
        Err(e) => log::warn!("could not store the answer of an idempotency key: {e}"),
    }
    Ok(ServiceResponse::new(req, response.set_body(bytes))
        .map_into_boxed_body()
        .map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn key(value: &str) -> Result<Option<String>, ApiError> {
        read_key(
            &TestRequest::post()
                .insert_header((KEY, value))
                .to_srv_request(),
        )
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert_eq!(key("abc-123").unwrap().as_deref(), Some("abc-123"));
        assert_eq!(key("\"abc-123\"").unwrap().as_deref(), Some("abc-123"));
        assert!(key("").is_err());
        assert!(key("\"\"").is_err());
        assert!(key("a b").is_err());
        assert!(key(&"k".repeat(MAX_KEY_LENGTH)).is_ok());
        assert!(key(&"k".repeat(MAX_KEY_LENGTH + 1)).is_err());
        assert_eq!(
            read_key(&TestRequest::post().to_srv_request()).unwrap(),
            None
        );
    }

    #[test]
    fn only_answers_of_work_that_ran_are_kept() {
        for status in [200, 201, 204, 404, 422] {
            assert!(kept(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [400, 401, 403, 408, 409, 413, 415, 429, 500, 503] {
            assert!(!kept(StatusCode::from_u16(status).unwrap()), "{status}");
        }
    }

    #[test]
    fn the_hash_covers_the_content_type_and_the_body() {
        let hash = |content_type: &str, body: &[u8]| {
            let req = TestRequest::post()
                .insert_header((header::CONTENT_TYPE, content_type))
                .to_srv_request();
            hash_of(&req, body)
        };
        let json = hash("application/json", b"{}");
        assert_eq!(json, hash(" Application/JSON ", b"{}"));
        assert_ne!(json, hash("application/x-www-form-urlencoded", b"{}"));
        assert_ne!(json, hash("application/json", b"{ }"));
    }
}
