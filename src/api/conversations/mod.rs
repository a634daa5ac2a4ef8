//! `/api/v1/accounts/{account_id}/conversations` (SPEC §5). Creating and reading one are open to
//! contact-form guests too (`Caller<TokenOrFingerprint>`); the rest is for agents.

pub mod interactions;
mod view;

use actix_web::{web, HttpRequest, HttpResponse};

use serde_json::Value;

use super::extract::{Body, Caller, Credentials, ItemPath, TokenOrFingerprint};
use super::resource::{self, Create, Delete, List, Resource, Show, Update};
use crate::api::openapi::schemas as doc;
use crate::db::conversations::ConversationRow;
use crate::db::journal::Kind;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::conversation::{ConversationChanges, NewConversation};
use crate::domain::conversation_list::ConversationListQuery;
use crate::domain::input::Mode;
use crate::domain::paging::{Page, Window};
use crate::domain::{EmailAddress, FieldErrors, Identity};
use crate::error::ApiError;
use crate::services::conversations;
use crate::state::AppState;
pub use view::{ConversationView, InteractionView};

/// `POST /conversations`: 201 with `Location`; creates the customer for a new email.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations",
    tag = "Conversations",
    summary = "Create a conversation (guests: contact forms)",
    params(doc::AccountPath),
    request_body(content((doc::ConversationInput = "application/json"), (doc::ConversationInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The conversation", body = doc::Data<ConversationView>, headers(("Location" = String, description = "The conversation's path"))),
        doc::WriteErrors
    ),
    security(("bearer" = []), ("fingerprint" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller<TokenOrFingerprint>,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::create::<Conversations>(state, caller, req, body).await
}

/// `GET /conversations/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{id}",
    tag = "Conversations",
    summary = "Retrieve a conversation (guests: their own)",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The conversation", body = doc::Data<ConversationView>),
        doc::ReadErrors
    ),
    security(("bearer" = []), ("fingerprint" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller<TokenOrFingerprint>,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Conversations>(state, caller, req, path.id).await
}

/// `PUT` and `PATCH /conversations/{id}`: `status`, `subject`, `user_id`, `channel`; absent fields stay.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/conversations/{id}",
    tag = "Conversations",
    summary = "Update a conversation (PUT does the same)",
    params(doc::ItemPath),
    request_body(content((doc::ConversationChanges = "application/json"), (doc::ConversationChanges = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The conversation", body = doc::Data<ConversationView>),
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
    resource::update::<Conversations>(state, caller, req, path.id, body, Mode::Patch).await
}

/// `DELETE /conversations/{id}`: 204; its interactions go with it.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/conversations/{id}",
    tag = "Conversations",
    summary = "Delete a conversation and its interactions",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted"),
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
    resource::delete::<Conversations>(state, caller, req, path.id).await
}

/// `GET /conversations`: filters `customer_id`, `status`, `channel`; paged like customers.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations",
    tag = "Conversations",
    summary = "List conversations",
    params(doc::AccountPath, doc::Paging, doc::ConversationFilters),
    responses(
        (status = 200, description = "A page of conversations", body = doc::ListOf<ConversationView>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    resource::list::<Conversations>(state, caller, req).await
}

/// Conversations as a [`Resource`]: guests may open and read their own, so the work and the
/// view need who is calling.
pub(crate) struct Conversations;

impl Resource for Conversations {
    type Credentials = TokenOrFingerprint;
    type Context = Identity;
    type Record = ConversationRow;
    type View = ConversationView;
    const TABLE: Table = Table::Conversations;

    fn context<C: Credentials>(_: &HttpRequest, caller: &Caller<C>) -> Result<Identity, ApiError> {
        Ok(caller.identity())
    }

    fn view(caller: &Identity, row: ConversationRow) -> ConversationView {
        ConversationView::new(row, caller.guest_email().map(EmailAddress::as_str))
    }

    /// A guest's view differs from an agent's: the journal reads the agent's for itself.
    fn journaled(caller: &Identity, row: &ConversationRow) -> Option<(Kind, i64)> {
        (!caller.is_guest()).then_some((Kind::Conversation, row.conversation.id))
    }
}

impl Show for Conversations {
    fn load(
        conn: &mut DbConn,
        scope: Scope,
        caller: &Identity,
        id: i64,
    ) -> Result<ConversationRow, ApiError> {
        conversations::load(conn, scope, caller, id)
    }
}

impl Create for Conversations {
    type New = NewConversation;

    fn parse(body: &Value) -> Result<NewConversation, FieldErrors> {
        NewConversation::parse(body)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        caller: &Identity,
        new: NewConversation,
    ) -> Result<ConversationRow, ApiError> {
        conversations::create(conn, scope, caller, new)
    }

    fn location(account_id: i64, _: &Identity, row: &ConversationRow) -> String {
        format!(
            "/api/v1/accounts/{account_id}/conversations/{}",
            row.conversation.id
        )
    }
}

impl Update for Conversations {
    type Changes = ConversationChanges;

    /// PUT and PATCH alike: absent fields stay.
    fn parse_changes(body: &Value, _: Mode) -> Result<ConversationChanges, FieldErrors> {
        ConversationChanges::parse(body)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        _: &Identity,
        id: i64,
        changes: ConversationChanges,
    ) -> Result<ConversationRow, ApiError> {
        conversations::update(conn, scope, id, &changes)
    }
}

impl Delete for Conversations {
    fn delete(conn: &mut DbConn, scope: Scope, _: &Identity, id: i64) -> Result<(), ApiError> {
        conversations::delete(conn, scope, id)
    }
}

impl List for Conversations {
    type Query = ConversationListQuery;

    fn parse_query(pairs: &[(String, String)]) -> Result<ConversationListQuery, FieldErrors> {
        ConversationListQuery::parse(pairs)
    }

    fn window(query: &ConversationListQuery) -> &Window {
        &query.window
    }

    fn list(
        conn: &mut DbConn,
        scope: Scope,
        _: &Identity,
        query: &ConversationListQuery,
    ) -> Result<Page<ConversationRow>, ApiError> {
        conversations::list(conn, scope, query)
    }
}
