//! `/webhook_endpoints`: where the account's events are pushed (admins only, reads included:
//! an endpoint says where the account's data goes), and each endpoint's delivery log.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::events;
use super::extract::{BearerToken, Body, Caller, Credentials, DeliveryPath, ItemPath};
use super::openapi::schemas as doc;
use super::paging::{list_response, query_pairs};
use super::resource::{self, Create, Delete, List, Resource, Show, Update};
use super::views::{ok, timestamp};
use crate::db::row_lock::Table;
use crate::db::webhooks::LoggedDelivery;
use crate::db::{DbConn, Scope};
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window, NEWEST_FIRST};
use crate::domain::webhook::EndpointInput;
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::webhooks::{self, EndpointRecord, Policy};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub(crate) struct EndpointView {
    id: i64,
    #[schema(example = "https://hooks.example.com/supportdesk")]
    url: String,
    /// Event types and `kind.*` patterns; `*` is every type.
    #[schema(example = json!(["customer.*", "conversation.created"]))]
    events: Vec<String>,
    enabled: bool,
    /// `active`, `failing` (a delivery gave up after the retry window: nothing is sent until
    /// `enabled` is set to `true` again) or `disabled`.
    #[schema(example = "active")]
    status: &'static str,
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>)]
    failing_since: Option<NaiveDateTime>,
    /// The signing secret: in the create response only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    secret: Option<String>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, example = "2026-12-01T10:00:00+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, example = "2026-12-01T10:00:00+00:00")]
    updated_at: NaiveDateTime,
}

fn optional_timestamp<S: serde::Serializer>(
    at: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => timestamp(at, s),
        None => s.serialize_none(),
    }
}

impl From<EndpointRecord> for EndpointView {
    fn from(r: EndpointRecord) -> Self {
        let e = r.endpoint;
        let status = match (e.enabled, e.failing_since) {
            (false, _) => "disabled",
            (true, Some(_)) => "failing",
            (true, None) => "active",
        };
        EndpointView {
            id: e.id,
            url: e.url,
            events: serde_json::from_str(&e.event_types).unwrap_or_default(),
            enabled: e.enabled,
            status,
            failing_since: e.failing_since,
            secret: r.new_secret,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DeliveryView {
    id: i64,
    /// The event's id, also the delivery's `webhook-id`.
    event_id: String,
    #[schema(example = "customer.created")]
    event_type: String,
    /// `pending` (queued, or waiting for its next attempt), `succeeded` or `failed` (gave up).
    #[schema(example = "succeeded")]
    status: String,
    attempts: i32,
    /// The last attempt's HTTP status; `null` when it got no answer.
    response_status: Option<i32>,
    /// The last attempt's time to an answer, in milliseconds.
    latency_ms: Option<i32>,
    /// Why the last attempt failed, when it did.
    error: Option<String>,
    /// When a pending delivery is tried next.
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>)]
    next_attempt_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(value_type = Option<String>)]
    last_attempt_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String)]
    created_at: NaiveDateTime,
}

impl From<LoggedDelivery> for DeliveryView {
    fn from((d, event_id, event_type): LoggedDelivery) -> Self {
        let pending = d.status == crate::db::webhooks::PENDING;
        DeliveryView {
            id: d.id,
            event_id,
            event_type,
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            latency_ms: d.latency_ms,
            error: d.error,
            next_attempt_at: pending.then_some(d.next_attempt_at),
            last_attempt_at: d.last_attempt_at,
            created_at: d.created_at,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints",
    tag = "Webhooks",
    summary = "List webhook endpoints (admins)",
    params(doc::AccountPath, doc::Paging),
    responses(
        (status = 200, description = "A page of endpoints", body = doc::ListOf<EndpointView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Endpoints>(state, caller, req).await
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints",
    tag = "Webhooks",
    summary = "Create a webhook endpoint (admins); its secret is shown this once",
    params(doc::AccountPath),
    request_body(content((doc::EndpointCreate = "application/json"), (doc::EndpointCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The endpoint, with its `secret`", body = doc::Data<EndpointView>, headers(("Location" = String, description = "The endpoint's path"))),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let created = resource::create::<Endpoints>(state, caller, req, body).await?;
    // An idle worker looks for endpoints once a second; this one it needn't wait for.
    events::endpoints_changed().notify_one();
    Ok(created)
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints/{id}",
    tag = "Webhooks",
    summary = "Retrieve a webhook endpoint (admins)",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The endpoint", body = doc::Data<EndpointView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Endpoints>(state, caller, req, path.id).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints/{id}",
    tag = "Webhooks",
    summary = "Update a webhook endpoint (admins; PUT does the same); `enabled: true` revives a failing one",
    params(doc::ItemPath),
    request_body(content((doc::EndpointInput = "application/json"), (doc::EndpointInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The endpoint", body = doc::Data<EndpointView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let updated =
        resource::update::<Endpoints>(state, caller, req, path.id, body, Mode::Patch).await?;
    events::endpoints_changed().notify_one();
    Ok(updated)
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints/{id}",
    tag = "Webhooks",
    summary = "Delete a webhook endpoint and its delivery log (admins)",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Endpoints>(state, caller, req, path.id).await
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints/{id}/deliveries",
    tag = "Webhooks",
    summary = "An endpoint's delivery log, newest first (admins)",
    params(doc::ItemPath, doc::Paging),
    responses(
        (status = 200, description = "A page of deliveries", body = doc::ListOf<DeliveryView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    mut caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    caller.admin_only();
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let mut errors = FieldErrors::new();
    let window = Window::parse(&pairs, NEWEST_FIRST, true, &mut errors);
    let window = caller
        .checked(&state.db, errors.into_result(window))
        .await?;
    let (endpoint_id, query_window) = (path.id, window.clone());
    let page: Page<LoggedDelivery> = caller
        .read(&state.db, move |conn, scope| {
            webhooks::deliveries(conn, scope, endpoint_id, &query_window)
        })
        .await?;
    Ok(list_response(
        &req,
        &pairs,
        &window,
        page,
        DeliveryView::from,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/webhook_endpoints/{id}/deliveries/{delivery_id}/redeliver",
    tag = "Webhooks",
    summary = "Send a delivery again (admins): due now, with a fresh retry window, in the endpoint's order",
    params(
        doc::AccountPath,
        ("id" = i64, Path, description = "The endpoint's id", minimum = 1),
        ("delivery_id" = i64, Path, description = "The delivery's id", minimum = 1),
    ),
    responses(
        (status = 200, description = "The delivery, pending", body = doc::Data<DeliveryView>),
        (status = 400, description = "A malformed `Idempotency-Key`", body = doc::ErrorBody),
        (status = 422, description = "An `Idempotency-Key` already used for another request", body = doc::ErrorBody),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn redeliver(
    state: web::Data<AppState>,
    mut caller: Caller,
    policy: web::Data<Policy>,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    caller.admin_only();
    let (policy, endpoint_id, id) = (**policy, path.id, path.delivery_id);
    let delivery = caller
        .write(&state.db, move |conn, scope| {
            webhooks::redeliver(conn, scope, &policy, endpoint_id, id)
        })
        .await?;
    events::appended().notify_one();
    Ok(ok(DeliveryView::from(delivery)))
}

/// Webhook endpoints as a [`Resource`]: admins only, reads too.
pub(crate) struct Endpoints;

impl Resource for Endpoints {
    type Credentials = BearerToken;
    type Context = Policy;
    type Record = EndpointRecord;
    type View = EndpointView;
    const TABLE: Table = Table::WebhookEndpoints;
    const ADMIN_WRITES: bool = true;
    const ADMIN_READS: bool = true;

    fn context<C: Credentials>(req: &HttpRequest, _: &Caller<C>) -> Result<Policy, ApiError> {
        req.app_data::<web::Data<Policy>>()
            .map(|policy| *policy.get_ref())
            .ok_or_else(|| ApiError::internal("webhook routes without their Policy"))
    }

    fn view(_: &Policy, record: EndpointRecord) -> EndpointView {
        EndpointView::from(record)
    }
}

impl Show for Endpoints {
    fn load(
        conn: &mut DbConn,
        scope: Scope,
        _: &Policy,
        id: i64,
    ) -> Result<EndpointRecord, ApiError> {
        webhooks::load(conn, scope, id)
    }
}

impl Create for Endpoints {
    type New = EndpointInput;

    fn parse(body: &Value) -> Result<EndpointInput, FieldErrors> {
        EndpointInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        policy: &Policy,
        new: EndpointInput,
    ) -> Result<EndpointRecord, ApiError> {
        webhooks::create(conn, scope, policy, &new)
    }

    fn location(account_id: i64, _: &Policy, record: &EndpointRecord) -> String {
        format!(
            "/api/v1/accounts/{account_id}/webhook_endpoints/{}",
            record.endpoint.id
        )
    }
}

impl Update for Endpoints {
    type Changes = EndpointInput;

    fn parse_changes(body: &Value, mode: Mode) -> Result<EndpointInput, FieldErrors> {
        EndpointInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        policy: &Policy,
        id: i64,
        changes: EndpointInput,
    ) -> Result<EndpointRecord, ApiError> {
        webhooks::update(conn, scope, policy, id, &changes)
    }
}

impl Delete for Endpoints {
    fn delete(conn: &mut DbConn, scope: Scope, _: &Policy, id: i64) -> Result<(), ApiError> {
        webhooks::delete(conn, scope, id)
    }
}

impl List for Endpoints {
    type Query = Window;

    fn parse_query(pairs: &[(String, String)]) -> Result<Window, FieldErrors> {
        let mut errors = FieldErrors::new();
        let window = Window::parse(pairs, NEWEST_FIRST, true, &mut errors);
        errors.into_result(window)
    }

    fn window(query: &Window) -> &Window {
        query
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        _: &Policy,
        window: &Window,
    ) -> Result<Page<EndpointRecord>, ApiError> {
        webhooks::list(conn, scope, window)
    }
}
