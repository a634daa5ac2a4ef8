//! Liveness and readiness probes; no token needed.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::api::openapi::schemas as doc;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /health`: the process is up.
#[utoipa::path(
    get,
    path = "/health",
    tag = "Health",
    summary = "Liveness: the process is up",
    responses(
        (status = 200, description = "Up", body = doc::Status)
    ),
)]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /ready`: the database answers (503 when it doesn't).
#[utoipa::path(
    get,
    path = "/ready",
    tag = "Health",
    summary = "Readiness: the database answers",
    responses(
        (status = 200, description = "Ready", body = doc::Status, example = json!({"status": "ready"})),
        (status = 503, description = "The database does not answer", body = doc::ErrorBody)
    ),
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .read(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|_| ApiError::Unavailable)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
