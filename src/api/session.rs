//! `POST /api/v1/auth/login` and `GET /api/v1/profile`.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::extract::{BearerToken, Body};
use super::views::{format_timestamp, ok, ProfileView, UserView};
use crate::api::openapi::schemas as doc;
use crate::auth;
use crate::db;
use crate::domain::input::{Object, Patch};
use crate::error::{ApiError, FieldErrors};
use crate::state::AppState;

/// How long a dashboard login lasts.
const LOGIN_TTL_HOURS: i64 = 24;

#[derive(Serialize, utoipa::ToSchema)]
struct LoginView {
    token: String,
    expires_at: String,
    user: UserView,
}

/// Exchanges an email and password for a token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "Auth",
    summary = "Exchange an email and password for a token",
    request_body(content((doc::LoginInput = "application/json"), (doc::LoginInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "A token valid 24 hours", body = doc::Data<LoginView>),
        (status = 401, description = "Wrong email or password, or a deactivated user", body = doc::ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = doc::ErrorBody),
        (status = 400, description = "Malformed JSON or form body", body = doc::ErrorBody),
        (status = 413, description = "Body over the size limit", body = doc::ErrorBody),
        (status = 415, description = "Neither JSON nor a form", body = doc::ErrorBody),
        (status = 422, description = "Validation failed; `errors` names each field", body = doc::ErrorBody)
    ),
)]
pub async fn login(state: web::Data<AppState>, body: Body) -> Result<HttpResponse, ApiError> {
    let (email, password) = read_credentials(&body.0)?;
    // Read the user, give the connection back, then check the hash: argon2 takes tens of
    // milliseconds, and a burst of logins holding connections through it would starve every
    // account of the pool.
    let user = state
        .db
        .read(move |conn| db::users::find_by_email(conn, &email))
        .await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // At most half the cores hash at once: a burst of logins queues here instead of taking
    // every core from the other requests.
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| ApiError::internal(format!("hashing slots closed: {e}")))?;
    let accepted = web::block(move || auth::password::verify(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::internal(format!("password check failed: {e}")))?;
    let user = match user {
        Some(user) if accepted && user.active => user,
        _ => {
            return Err(ApiError::Unauthorized(
                "The email or password is wrong.".into(),
            ))
        }
    };
    let keys = state.clone();
    let view = state
        .db
        .write(move |conn| {
            let ttl = chrono::Duration::hours(LOGIN_TTL_HOURS);
            let issued = auth::issue_token(conn, &keys.jwt, user.id, ttl, None)?;
            Ok::<_, db::Error>(LoginView {
                token: issued.token,
                expires_at: format_timestamp(&issued.expires_at),
                user: user.into(),
            })
        })
        .await?;
    Ok(ok(view))
}

/// The slots for password hashing: half the machine's cores, at least one.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new((cores / 2).max(1))
    })
}

fn read_credentials(body: &serde_json::Value) -> Result<(String, String), ApiError> {
    let object = Object::root(body)?;
    let mut errors = FieldErrors::new();
    let mut required = |key: &str| match object.text(key, &mut errors) {
        Patch::Set(value) => Some(value),
        _ => {
            if !errors.contains(key) {
                errors.add(key, "is required");
            }
            None
        }
    };
    let email = required("email");
    let password = required("password");
    match (email, password) {
        (Some(email), Some(password)) => Ok((email.trim().to_string(), password)),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The current user and the accounts it belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/profile",
    tag = "Auth",
    summary = "The token's user and its accounts",
    responses(
        (status = 200, description = "The user", body = doc::Data<ProfileView>),
        (status = 401, description = "Missing, invalid, expired or revoked token", body = doc::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn profile(
    state: web::Data<AppState>,
    token: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let user_id = token.user_id;
    let view = state
        .db
        .read(move |conn| {
            let user = db::users::find(conn, user_id)?.ok_or_else(ApiError::not_found)?;
            let memberships = db::users::memberships(conn, user_id)?;
            Ok::<_, ApiError>(ProfileView::new(user, memberships))
        })
        .await?;
    Ok(ok(view))
}
