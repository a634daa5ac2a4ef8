//! `…/customers/{id}/notes` and `…/companies/{id}/notes` (issue 19): agents' markdown notes,
//! newest first, signed by the token's user. Guests never see them.

use std::marker::PhantomData;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::extract::{BearerToken, Body, Caller, Credentials, ItemPath, NotePath};
use crate::api::openapi::schemas as doc;
use crate::api::resource::{self, Create, Delete, List, Resource, Show, Update};
use crate::api::views::timestamp;
use crate::db::journal::Kind;
use crate::db::notes::NoteRow;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::input::Mode;
use crate::domain::note::{NoteChanges, NoteInput};
use crate::domain::owner::Owner;
use crate::domain::paging::{param, Page, Window, NEWEST_FIRST};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::notes;
use crate::state::AppState;

/// A note, with its author's id and name (`null` once that user is deleted).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "customer_id": 1, "body": "Prefers **phone** calls; renewal due in March.",
    "author": {"id": 2, "name": "Ada Agent"},
    "created_at": "2026-12-02T10:00:00+00:00", "updated_at": "2026-12-02T10:00:00+00:00"
}))]
pub struct NoteView {
    id: i64,
    /// Set on a customer's notes (absent on a company's).
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<i64>,
    /// Set on a company's notes (absent on a customer's).
    #[serde(skip_serializing_if = "Option::is_none")]
    company_id: Option<i64>,
    /// Markdown, as written.
    body: String,
    author: Option<AuthorView>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct AuthorView {
    id: i64,
    name: String,
}

impl From<NoteRow> for NoteView {
    fn from(row: NoteRow) -> Self {
        let n = row.note;
        NoteView {
            id: n.id,
            customer_id: n.customer_id,
            company_id: n.company_id,
            body: n.body,
            author: row.author.map(|a| AuthorView {
                id: a.id,
                name: match a.last_name {
                    Some(last) if !last.is_empty() => format!("{} {last}", a.first_name),
                    _ => a.first_name,
                },
            }),
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// Which kind of record the notes of a route belong to.
pub(crate) trait OwnerKind: 'static {
    fn owner(id: i64) -> Owner;
}

pub(crate) struct OfCustomer;
pub(crate) struct OfCompany;

impl OwnerKind for OfCustomer {
    fn owner(id: i64) -> Owner {
        Owner::Customer(id)
    }
}

impl OwnerKind for OfCompany {
    fn owner(id: i64) -> Owner {
        Owner::Company(id)
    }
}

/// The notes of one owner: the path's `{id}`.
pub(crate) struct Notes<O>(PhantomData<O>);

/// The owner (from the path) and the user who signs what is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoteCx {
    owner: Owner,
    author_id: Option<i64>,
}

impl<O: OwnerKind> Resource for Notes<O> {
    type Credentials = BearerToken;
    type Context = NoteCx;
    type Record = NoteRow;
    type View = NoteView;
    const TABLE: Table = Table::Notes;

    fn context<C: Credentials>(req: &HttpRequest, caller: &Caller<C>) -> Result<NoteCx, ApiError> {
        // The handlers' typed paths already refused anything but a positive id.
        let id = req
            .match_info()
            .get("id")
            .and_then(|id| id.parse().ok())
            .ok_or_else(ApiError::not_found)?;
        Ok(NoteCx {
            owner: O::owner(id),
            author_id: caller.credentials.token().map(|token| token.user_id),
        })
    }

    fn view(_: &NoteCx, row: NoteRow) -> NoteView {
        NoteView::from(row)
    }

    fn journaled(_: &NoteCx, row: &NoteRow) -> Option<(Kind, i64)> {
        Some((Kind::Note, row.note.id))
    }
}

impl<O: OwnerKind> Show for Notes<O> {
    fn load(conn: &mut DbConn, scope: Scope, cx: &NoteCx, id: i64) -> Result<NoteRow, ApiError> {
        notes::load(conn, scope, cx.owner, id)
    }
}

impl<O: OwnerKind> Create for Notes<O> {
    type New = NoteInput;

    fn parse(body: &Value) -> Result<NoteInput, FieldErrors> {
        NoteInput::parse(body)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        cx: &NoteCx,
        new: NoteInput,
    ) -> Result<NoteRow, ApiError> {
        notes::create(conn, scope, cx.owner, cx.author_id, &new)
    }

    fn location(account_id: i64, cx: &NoteCx, row: &NoteRow) -> String {
        format!(
            "/api/v1/accounts/{account_id}/{}/{}/notes/{}",
            cx.owner.collection(),
            cx.owner.id(),
            row.note.id
        )
    }
}

impl<O: OwnerKind> Update for Notes<O> {
    type Changes = NoteChanges;

    fn parse_changes(body: &Value, _: Mode) -> Result<NoteChanges, FieldErrors> {
        NoteChanges::parse(body)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        cx: &NoteCx,
        id: i64,
        changes: NoteChanges,
    ) -> Result<NoteRow, ApiError> {
        notes::update(conn, scope, cx.owner, id, &changes)
    }
}

impl<O: OwnerKind> Delete for Notes<O> {
    fn delete(conn: &mut DbConn, scope: Scope, cx: &NoteCx, id: i64) -> Result<(), ApiError> {
        notes::delete(conn, scope, cx.owner, id)
    }
}

impl<O: OwnerKind> List for Notes<O> {
    type Query = Window;

    fn parse_query(pairs: &[(String, String)]) -> Result<Window, FieldErrors> {
        let mut errors = FieldErrors::new();
        // Newest first is the one order; a `sort` asking for another is refused, not ignored.
        if param(pairs, "sort").is_some_and(|sort| sort.trim() != NEWEST_FIRST) {
            errors.add("sort", format!("must be {NEWEST_FIRST} (newest first)"));
        }
        let window = Window::parse(pairs, NEWEST_FIRST, false, &mut errors);
        errors.into_result(window)
    }

    fn window(window: &Window) -> &Window {
        window
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        cx: &NoteCx,
        window: &Window,
    ) -> Result<Page<NoteRow>, ApiError> {
        notes::list(conn, scope, cx.owner, window)
    }
}

/// One kind of owner's handlers, at `$notes` (the list) and `$note` (one note).
macro_rules! note_routes {
    ($kind:ty, $notes:literal, $note:literal,
     $list:ident, $create:ident, $show:ident, $update:ident, $delete:ident) => {
        #[utoipa::path(
            get,
            path = $notes,
            tag = "Notes",
            summary = "List notes, newest first",
            params(doc::ItemPath, doc::Paging),
            responses(
                (status = 200, description = "A page of notes", body = doc::ListOf<NoteView>),
                doc::ListErrors
            ),
            security(("bearer" = []))
        )]
        pub async fn $list(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            _path: web::Path<ItemPath>,
        ) -> Result<HttpResponse, ApiError> {
            resource::list::<Notes<$kind>>(state, caller, req).await
        }

        #[utoipa::path(
            post,
            path = $notes,
            tag = "Notes",
            summary = "Add a note, signed by the token's user",
            params(doc::ItemPath),
            request_body(content((doc::NoteInput = "application/json"), (doc::NoteInput = "application/x-www-form-urlencoded"))),
            responses(
                (status = 201, description = "The note", body = doc::Data<NoteView>, headers(("Location" = String, description = "The note's path"))),
                doc::WriteErrors
            ),
            security(("bearer" = []))
        )]
        pub async fn $create(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            _path: web::Path<ItemPath>,
            body: Body,
        ) -> Result<HttpResponse, ApiError> {
            resource::create::<Notes<$kind>>(state, caller, req, body).await
        }

        #[utoipa::path(
            get,
            path = $note,
            tag = "Notes",
            summary = "Retrieve a note",
            params(doc::NotePath),
            responses(
                (status = 200, description = "The note", body = doc::Data<NoteView>),
                doc::ReadErrors
            ),
            security(("bearer" = []))
        )]
        pub async fn $show(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            path: web::Path<NotePath>,
        ) -> Result<HttpResponse, ApiError> {
            resource::show::<Notes<$kind>>(state, caller, req, path.note_id).await
        }

        #[utoipa::path(
            patch,
            path = $note,
            tag = "Notes",
            summary = "Change a note's body (PUT does the same)",
            params(doc::NotePath),
            request_body(content((doc::NoteChanges = "application/json"), (doc::NoteChanges = "application/x-www-form-urlencoded"))),
            responses(
                (status = 200, description = "The note", body = doc::Data<NoteView>),
                doc::WriteErrors
            ),
            security(("bearer" = []))
        )]
        pub async fn $update(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            path: web::Path<NotePath>,
            body: Body,
        ) -> Result<HttpResponse, ApiError> {
            let id = path.note_id;
            resource::update::<Notes<$kind>>(state, caller, req, id, body, Mode::Patch).await
        }

        #[utoipa::path(
            delete,
            path = $note,
            tag = "Notes",
            summary = "Delete a note",
            params(doc::NotePath),
            responses(
                (status = 204, description = "Deleted"),
                doc::ReadErrors
            ),
            security(("bearer" = []))
        )]
        pub async fn $delete(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            path: web::Path<NotePath>,
        ) -> Result<HttpResponse, ApiError> {
            resource::delete::<Notes<$kind>>(state, caller, req, path.note_id).await
        }
    };
}

note_routes!(
    OfCustomer,
    "/api/v1/accounts/{account_id}/customers/{id}/notes",
    "/api/v1/accounts/{account_id}/customers/{id}/notes/{note_id}",
    list_customer_notes,
    create_customer_note,
    show_customer_note,
    update_customer_note,
    delete_customer_note
);

note_routes!(
    OfCompany,
    "/api/v1/accounts/{account_id}/companies/{id}/notes",
    "/api/v1/accounts/{account_id}/companies/{id}/notes/{note_id}",
    list_company_notes,
    create_company_note,
    show_company_note,
    update_company_note,
    delete_company_note
);
