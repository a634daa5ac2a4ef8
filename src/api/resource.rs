//! The handler skeletons of the account's records, written once.
//!
//! Customers, companies, tiers and statuses, customer requests and conversations are all
//! created, read, updated, deleted and listed the same way: credentials first, then the body or
//! query parsed in `domain/` (its refusal only once the credentials hold), then one unit of work
//! in the account's [`Scope`], then the view. A record kind says only what differs, by
//! implementing [`Resource`] and the operations it serves; each route keeps a thin handler that
//! carries its OpenAPI annotation and calls the skeleton here.
//!
//! Every single-object response carries the `ETag` of the record's full view (see `api::etag`);
//! updates and deletes honour `If-Match` inside their transaction, with the row locked.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::etag::{self, IfMatch};
use super::extract::{BearerToken, Body, Caller, Credentials};
use super::paging::{list_response, query_pairs};
use super::views::{created, ok, ok_tagged};
use crate::db::{journal, row_lock, DbConn, Scope};
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::state::AppState;

/// A kind of record under `/api/v1/accounts/{account_id}/`.
pub(crate) trait Resource: 'static {
    /// Who may create and read one: [`BearerToken`] (agents) unless guests may too. Lists,
    /// updates and deletes are for agents.
    type Credentials: Credentials;
    /// What the work needs besides the scope, read from the request (the label kind, the
    /// caller's integration, …); `()` when nothing.
    type Context: Clone + Send + 'static;
    type Record: Send + 'static;
    type View: Serialize + Send + 'static;
    /// Writes are for the account's admins only (403 for an agent).
    const ADMIN_WRITES: bool = false;
    /// Reads too.
    const ADMIN_READS: bool = false;
    /// Where its rows live, for the lock a conditional write takes.
    const TABLE: row_lock::Table;

    fn context<C: Credentials>(
        req: &HttpRequest,
        caller: &Caller<C>,
    ) -> Result<Self::Context, ApiError>;

    /// The record's full view, as GET shows it; its tag is the record's `ETag`.
    fn view(cx: &Self::Context, record: Self::Record) -> Self::View;

    /// The feed's name for the record, when the view built for this caller is the one its
    /// events carry: then a write hands the view it built to the journal, which need not read
    /// the record again (see `db::journal::rendered`).
    fn journaled(_cx: &Self::Context, _record: &Self::Record) -> Option<(journal::Kind, i64)> {
        None
    }
}

/// `GET …/{id}`.
pub(crate) trait Show: Resource {
    fn load(
        conn: &mut DbConn,
        scope: Scope,
        cx: &Self::Context,
        id: i64,
    ) -> Result<Self::Record, ApiError>;
}

/// `POST …`: 201 with `Location`.
pub(crate) trait Create: Resource {
    type New: Send + 'static;

    fn parse(body: &Value) -> Result<Self::New, FieldErrors>;

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        cx: &Self::Context,
        new: Self::New,
    ) -> Result<Self::Record, ApiError>;

    /// The new record's path, for `Location`.
    fn location(account_id: i64, cx: &Self::Context, record: &Self::Record) -> String;
}

/// `PUT` and `PATCH …/{id}`.
pub(crate) trait Update: Show {
    type Changes: Send + 'static;

    /// What a write's answer shows when the contract has it show less than the full view
    /// (`None`: all of it); its `ETag` stays the full view's.
    fn trimmed(_view: &Self::View) -> Option<Self::View> {
        None
    }

    fn parse_changes(body: &Value, mode: Mode) -> Result<Self::Changes, FieldErrors>;

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        cx: &Self::Context,
        id: i64,
        changes: Self::Changes,
    ) -> Result<Self::Record, ApiError>;
}

/// `DELETE …/{id}`: 204.
pub(crate) trait Delete: Show {
    fn delete(conn: &mut DbConn, scope: Scope, cx: &Self::Context, id: i64)
        -> Result<(), ApiError>;
}

/// `GET …`: a page with `meta` and `links`.
pub(crate) trait List: Resource {
    type Query: Send + 'static;

    fn parse_query(pairs: &[(String, String)]) -> Result<Self::Query, FieldErrors>;

    fn window(query: &Self::Query) -> &Window;

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        cx: &Self::Context,
        query: &Self::Query,
    ) -> Result<Page<Self::Record>, ApiError>;
}

fn admin_writes<R: Resource, C: Credentials>(caller: &mut Caller<C>) {
    if R::ADMIN_WRITES {
        caller.admin_only();
    }
}

fn admin_reads<R: Resource, C: Credentials>(caller: &mut Caller<C>) {
    if R::ADMIN_READS {
        caller.admin_only();
    }
}

/// The record's full view, and that view serialized once: the answer's body (or, when the answer
/// shows less, its tag) and, when the feed reports the record, its event's data (see
/// `db::journal::rendered`).
fn full_view<R: Resource>(
    cx: &R::Context,
    record: R::Record,
) -> Result<(R::View, Box<RawValue>), ApiError> {
    let journaled = R::journaled(cx, &record);
    let view = R::view(cx, record);
    let json = serde_json::value::to_raw_value(&view).map_err(ApiError::internal)?;
    if let Some((kind, id)) = journaled {
        journal::rendered(kind, id, json.get());
    }
    Ok((view, json))
}

pub(crate) async fn create<R: Create>(
    state: web::Data<AppState>,
    mut caller: Caller<R::Credentials>,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    admin_writes::<R, _>(&mut caller);
    let new = caller.checked(&state.db, R::parse(&body.0)).await?;
    let cx = R::context(&req, &caller)?;
    let account_id = caller.account_id;
    let (location, view) = caller
        .write(&state.db, move |conn, scope| {
            let record = R::create(conn, scope, &cx, new)?;
            let location = R::location(account_id, &cx, &record);
            Ok((location, full_view::<R>(&cx, record)?.1))
        })
        .await?;
    Ok(created(location, view))
}

pub(crate) async fn show<R: Show>(
    state: web::Data<AppState>,
    mut caller: Caller<R::Credentials>,
    req: HttpRequest,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    admin_reads::<R, _>(&mut caller);
    let cx = R::context(&req, &caller)?;
    let work_cx = cx.clone();
    let record = caller
        .read(&state.db, move |conn, scope| {
            R::load(conn, scope, &work_cx, id)
        })
        .await?;
    Ok(ok(R::view(&cx, record)))
}

pub(crate) async fn update<R: Update>(
    state: web::Data<AppState>,
    mut caller: Caller<BearerToken>,
    req: HttpRequest,
    id: i64,
    body: Body,
    mode: Mode,
) -> Result<HttpResponse, ApiError> {
    admin_writes::<R, _>(&mut caller);
    let if_match = caller.if_match(&state, &req).await?;
    let changes = caller
        .checked(&state.db, R::parse_changes(&body.0, mode))
        .await?;
    let cx = R::context(&req, &caller)?;
    let (view, json) = caller
        .write(&state.db, move |conn, scope| {
            if let Some(if_match) = &if_match {
                precondition::<R>(conn, scope, &cx, id, if_match)?;
            }
            let record = R::update(conn, scope, &cx, id, changes)?;
            full_view::<R>(&cx, record)
        })
        .await?;
    Ok(match R::trimmed(&view) {
        // The body is the full view, as serialized once.
        None => ok(json),
        Some(shown) => ok_tagged(shown, etag::of_view(&json)?),
    })
}

/// Locks the record, then refuses the write (412, nothing written) unless `if_match` holds for
/// its current full view; 404 when it's gone.
pub(crate) fn precondition<R: Show>(
    conn: &mut DbConn,
    scope: Scope,
    cx: &R::Context,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    row_lock::lock(conn, R::TABLE, scope, id)?;
    let current = R::load(conn, scope, cx, id)?;
    if_match.check(&R::view(cx, current))
}

pub(crate) async fn delete<R: Delete>(
    state: web::Data<AppState>,
    mut caller: Caller<BearerToken>,
    req: HttpRequest,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    admin_writes::<R, _>(&mut caller);
    let if_match = caller.if_match(&state, &req).await?;
    let cx = R::context(&req, &caller)?;
    caller
        .write(&state.db, move |conn, scope| {
            if let Some(if_match) = &if_match {
                precondition::<R>(conn, scope, &cx, id, if_match)?;
            }
            R::delete(conn, scope, &cx, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub(crate) async fn list<R: List>(
    state: web::Data<AppState>,
    mut caller: Caller<BearerToken>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    admin_reads::<R, _>(&mut caller);
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let query = caller.checked(&state.db, R::parse_query(&pairs)).await?;
    let cx = R::context(&req, &caller)?;
    let window = R::window(&query).clone();
    let work_cx = cx.clone();
    let page = caller
        .read(&state.db, move |conn, scope| {
            R::list(conn, scope, &work_cx, &query)
        })
        .await?;
    Ok(list_response(&req, &pairs, &window, page, |record| {
        R::view(&cx, record)
    }))
}
