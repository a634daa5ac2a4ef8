//! The change feed's API side: what an event says (the record's view, as `GET` shows it to an
//! agent), appending a transaction's events before it commits, and `GET /events`.

use std::rc::Rc;
use std::sync::LazyLock;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::Notify;
use utoipa::ToSchema;

use super::companies::view::{CompanyView, RequestView};
use super::conversations::{ConversationView, InteractionView};
use super::customers::view::CustomerView;
use super::extract::Caller;
use super::notes::NoteView;
use super::openapi::schemas as doc;
use super::paging::{query_pairs, url_with};
use super::views::format_timestamp;
use crate::db::events::{self, Event, NewEvent, Place};
use crate::db::journal::{self, Action, Kind, Note};
use crate::db::{self, DbConn, Scope};
use crate::domain::event::{FeedCursor, FeedQuery};
use crate::domain::Identity;
use crate::error::ApiError;
use crate::services;
use crate::state::AppState;

/// Wakes this process's webhook worker when a write appended events (other instances poll).
static APPENDED: LazyLock<Notify> = LazyLock::new(Notify::new);

pub fn appended() -> &'static Notify {
    &APPENDED
}

/// Wakes this process's idle webhook worker when an endpoint was made or changed here.
static ENDPOINTS_CHANGED: LazyLock<Notify> = LazyLock::new(Notify::new);

pub fn endpoints_changed() -> &'static Notify {
    &ENDPOINTS_CHANGED
}

/// Renders records of `scope` for the journal (see [`journal::Render`]).
pub fn renderer(scope: Scope) -> Rc<journal::Render> {
    Rc::new(move |conn: &mut DbConn, kind: Kind, id: i64| render(conn, scope, kind, id))
}

/// A record's view as an agent reads it with `GET`, as JSON; `None` when it is gone.
fn render(conn: &mut DbConn, scope: Scope, kind: Kind, id: i64) -> db::Result<Option<String>> {
    let json = match kind {
        Kind::Customer => {
            services::customers::load(conn, scope, id).map(|r| to_json(&CustomerView::from(r)))
        }
        Kind::Conversation => {
            // Any agent sees the same conversation; the id plays no part.
            let agent = Identity::Agent { user_id: 0 };
            services::conversations::load(conn, scope, &agent, id)
                .map(|row| to_json(&ConversationView::new(row, None)))
        }
        Kind::Interaction => db::interactions::find_by_id(conn, scope, id)?
            .ok_or_else(ApiError::not_found)
            .map(|i| to_json(&InteractionView::new(i, false))),
        Kind::Company => {
            services::companies::load(conn, scope, id).map(|r| to_json(&CompanyView::from(r)))
        }
        Kind::CustomerRequest => services::customer_requests::load(conn, scope, id)
            .map(|row| to_json(&RequestView::from(row))),
        Kind::Note => db::notes::find_by_id(conn, scope, id)?
            .ok_or_else(ApiError::not_found)
            .map(|row| to_json(&NoteView::from(row))),
    };
    match json {
        Ok(json) => json.map(Some),
        Err(ApiError::NotFound(_) | ApiError::Merged { .. }) => Ok(None),
        Err(ApiError::Unavailable) => Err(db::Error::Unavailable("rendering an event".into())),
        Err(ApiError::TooSlow) => Err(db::Error::TooSlow),
        Err(ApiError::Internal(cause)) => Err(db::Error::Other(cause)),
        Err(other) => Err(db::Error::Other(other.to_string().into())),
    }
}

fn to_json<T: Serialize>(view: &T) -> db::Result<String> {
    serde_json::to_string(view).map_err(|e| db::Error::Other(e.into()))
}

/// What a delete's event carries: the record's id and what it was.
#[derive(Serialize)]
struct Tombstone<'a> {
    id: i64,
    deleted: bool,
    previous: &'a RawValue,
}

/// What a merge's event carries: the survivor's id, the ids merged into it, and the survivor.
#[derive(Serialize)]
struct Merge<'a> {
    id: i64,
    merged_ids: &'a [i64],
    customer: &'a RawValue,
}

/// Appends one event per noted change, in order, to the feed; returns whether there were any.
/// Runs last in the request's transaction: the events commit with the change, or neither does.
pub fn append(conn: &mut DbConn, scope: Scope, notes: Vec<Note>) -> db::Result<bool> {
    if notes.is_empty() {
        return Ok(false);
    }
    let now = db::now();
    let mut rows = Vec::with_capacity(notes.len());
    for note in notes {
        let view = match note.view {
            Some(view) => view,
            None => match render(conn, scope, note.kind, note.id)? {
                Some(view) => view,
                // Created or changed, then removed by a later step of the same work.
                None => continue,
            },
        };
        let data = match note.action {
            Action::Deleted => {
                let previous =
                    RawValue::from_string(view).map_err(|e| db::Error::Other(e.into()))?;
                to_json(&Tombstone {
                    id: note.id,
                    deleted: true,
                    previous: &previous,
                })?
            }
            Action::Merged => {
                let customer =
                    RawValue::from_string(view).map_err(|e| db::Error::Other(e.into()))?;
                to_json(&Merge {
                    id: note.id,
                    merged_ids: &note.merged_ids,
                    customer: &customer,
                })?
            }
            Action::Created | Action::Updated => view,
        };
        rows.push(NewEvent {
            account_id: scope.account_id(),
            // 128 random bits from the thread's CSPRNG (no system call per event, unlike a v4 UUID).
            public_id: format!("evt_{:032x}", rand::random::<u128>()),
            event_type: format!("{}.{}", note.kind.as_str(), note.action.as_str()),
            data,
            created_at: now,
        });
    }
    events::append(conn, &rows)?;
    Ok(!rows.is_empty())
}

/// An event as the feed and webhook deliveries show it.
#[derive(Serialize, ToSchema)]
pub struct EventView<'a> {
    /// Stable: a webhook receiver dedupes on it (it is also the `webhook-id`).
    #[schema(example = "evt_5f0c6b0e8a4e4d1c9f0b7a3d2e1c4b5a")]
    id: &'a str,
    #[schema(example = "customer.updated")]
    r#type: &'a str,
    #[schema(example = "2026-12-01T10:00:00+00:00")]
    timestamp: String,
    account_id: i64,
    /// The object as the API shows it; for a `*.deleted` event, `{"id", "deleted": true,
    /// "previous": {…the object…}}`; for `customer.merged`, `{"id", "merged_ids": […],
    /// "customer": {…the survivor…}}`.
    #[schema(value_type = Object)]
    data: &'a RawValue,
}

impl<'a> EventView<'a> {
    fn of(event: &'a Event) -> EventView<'a> {
        EventView {
            id: &event.public_id,
            r#type: &event.event_type,
            timestamp: format_timestamp(&event.created_at),
            account_id: event.account_id,
            // Stored `data` is JSON this server wrote.
            data: serde_json::from_str(&event.data).unwrap_or(RawValue::NULL),
        }
    }
}

/// The event's JSON, as a webhook delivers it and `events tail` prints it.
pub fn envelope(event: &Event) -> String {
    serde_json::to_string(&EventView::of(event)).unwrap_or_default()
}

/// How long the feed keeps events.
#[derive(Debug, Clone, Copy)]
pub struct Retention(pub chrono::Duration);

/// `GET /events`: the account's changes in commit order, after `after`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/events",
    tag = "Events",
    summary = "Read the change feed",
    description = "Every change to the account's customers, conversations, interactions, companies and customer requests, in an order no later commit can break: follow `meta.next_cursor` (`?after=`) and no event is missed or repeated. Without `after`, from the oldest event kept (`EVENT_RETENTION`, 30 days). A cursor older than that gets 410: resync, then read on without `after`.",
    params(
        doc::AccountPath,
        ("after" = Option<String>, Query, description = "The `meta.next_cursor` of the page before"),
        ("types" = Option<String>, Query, description = "Comma-separated types or `kind.*` patterns: `customer.*,company.deleted`", example = "customer.*",
            pattern = r"^\s*((\*|(customer|conversation|company|customer_request)\.(\*|created|updated|deleted)|interaction\.(\*|created))\s*(,\s*(\*|(customer|conversation|company|customer_request)\.(\*|created|updated|deleted)|interaction\.(\*|created))\s*)*)?$"),
        ("per_page" = Option<i64>, Query, description = "Events per page, 1 to 1000 (default 100)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "A page of events", body = doc::EventPage),
        (status = 410, description = "The cursor is older than the retention; events after it may be gone", body = doc::ErrorBody),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn feed(
    state: web::Data<AppState>,
    retention: web::Data<Retention>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let query = caller.checked(&state.db, FeedQuery::parse(&pairs)).await?;
    let now = db::now();
    if let Some(after) = &query.after {
        let cutoff = now - retention.0;
        if after.at().is_none_or(|at| at < cutoff) {
            return caller.checked(&state.db, Err(ApiError::Gone(
                "The cursor is older than the event retention; events after it may have been purged. Resync, then read the feed again without `after`.".into(),
            ))).await;
        }
    }
    let place = query.after.map(Place::from).unwrap_or_default();
    let (types, limit) = (query.types.clone(), query.per_page + 1);
    let mut rows = caller
        .read(&state.db, move |conn, scope| {
            Ok(events::page(conn, scope, place, types.as_deref(), limit)?)
        })
        .await?;
    let has_more = rows.len() as i64 > query.per_page;
    rows.truncate(query.per_page as usize);
    // A reader that caught up is current as of now, however old its last event: its cursor
    // must not expire while the account is quiet.
    let next = match (rows.last(), has_more) {
        (Some(last), true) => FeedCursor::new(last.position, last.id, last.created_at),
        (Some(last), false) => FeedCursor::new(last.position, last.id, now),
        (None, _) => FeedCursor::new(place.position, place.id, now),
    }
    .encode();
    Ok(HttpResponse::Ok().json(FeedPage {
        data: rows.iter().map(EventView::of).collect(),
        meta: FeedMeta {
            next_cursor: &next,
            has_more,
        },
        links: FeedLinks {
            next: url_with(&req, &pairs, "after", &next),
        },
    }))
}

#[derive(Serialize)]
struct FeedPage<'a> {
    data: Vec<EventView<'a>>,
    meta: FeedMeta<'a>,
    links: FeedLinks,
}

#[derive(Serialize, ToSchema)]
pub struct FeedMeta<'a> {
    /// Where to read on from (`?after=`), also when the page is empty.
    next_cursor: &'a str,
    /// More events are ready now; `false`: caught up (poll again later with `next_cursor`).
    has_more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FeedLinks {
    /// This query with `after` set to `meta.next_cursor`.
    next: String,
}
