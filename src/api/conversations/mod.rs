//! `/api/v1/accounts/{account_id}/conversations` (SPEC §5). Creating and reading one are open to
//! contact-form guests too ([`Caller`]); the rest is for members.

pub mod interactions;
mod view;

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{Body, Caller, ItemPath, Member};
use super::paging::{list_response, query_pairs};
use super::views::{created, ok};
use crate::api::openapi::schemas as doc;
use crate::domain::conversation::{ConversationChanges, NewConversation};
use crate::domain::conversation_list::ConversationListQuery;
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
    caller: Caller,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = caller
        .checked(&state.db, NewConversation::parse(&body.0))
        .await?;
    let guest_email = caller.guest_email();
    let (account_id, actor) = (caller.account_id, caller.actor.clone());
    let row = caller
        .write(&state.db, move |conn| {
            conversations::create(conn, account_id, &actor, input)
        })
        .await?;
    let location = format!(
        "/api/v1/accounts/{account_id}/conversations/{}",
        row.conversation.id
    );
    Ok(created(
        location,
        ConversationView::new(row, guest_email.as_deref()),
    ))
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
    caller: Caller,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let guest_email = caller.guest_email();
    let (account_id, actor) = (caller.account_id, caller.actor.clone());
    let row = caller
        .read(&state.db, move |conn| {
            conversations::load(conn, account_id, &actor, id)
        })
        .await?;
    Ok(ok(ConversationView::new(row, guest_email.as_deref())))
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
    member: Member,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let changes = member
        .checked(&state.db, ConversationChanges::parse(&body.0))
        .await?;
    let account_id = member.account_id;
    let row = member
        .write(&state.db, move |conn| {
            conversations::update(conn, account_id, id, &changes)
        })
        .await?;
    Ok(ok(ConversationView::new(row, None)))
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
    member: Member,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let account_id = member.account_id;
    member
        .write(&state.db, move |conn| {
            conversations::delete(conn, account_id, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
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
    member: Member,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = member.checked(&state.db, query_pairs(&req)).await?;
    let query = member
        .checked(&state.db, ConversationListQuery::parse(&pairs))
        .await?;
    let (account_id, window) = (member.account_id, query.window.clone());
    let page = member
        .read(&state.db, move |conn| {
            conversations::list(conn, account_id, &query)
        })
        .await?;
    Ok(list_response(&req, &pairs, &window, page, |row| {
        ConversationView::new(row, None)
    }))
}
