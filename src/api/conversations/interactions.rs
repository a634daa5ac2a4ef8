//! `…/conversations/{conversation_id}/interactions`: the messages, oldest first.

use actix_web::{web, HttpRequest, HttpResponse};

use super::InteractionView;
use crate::api::extract::{Body, Caller, InteractionPath, ItemPath, TokenOrFingerprint};
use crate::api::openapi::schemas as doc;
use crate::api::paging::{list_response, query_pairs};
use crate::api::views::{created, ok};
use crate::db::row_lock::{self, Table};
use crate::domain::conversation::InteractionInput;
use crate::domain::conversation_list::InteractionListQuery;
use crate::error::ApiError;
use crate::services::conversations;
use crate::state::AppState;

/// `GET …/interactions`: a page (`page` or `cursor`, `per_page`); guests don't see notes.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{id}/interactions",
    tag = "Interactions",
    summary = "List a conversation's interactions, oldest first (guests: no notes)",
    params(doc::ItemPath, doc::Paging),
    responses(
        (status = 200, description = "A page of interactions", body = doc::ListOf<InteractionView>),
        doc::ListErrors
    ),
    security(("bearer" = []), ("fingerprint" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller<TokenOrFingerprint>,
    path: web::Path<ItemPath>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let conversation_id = path.id;
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let query = caller
        .checked(&state.db, InteractionListQuery::parse(&pairs))
        .await?;
    let window = query.window;
    let identity = caller.identity();
    let for_guest = identity.is_guest();
    let query_window = window.clone();
    let page = caller
        .read(&state.db, move |conn, scope| {
            conversations::list_interactions(conn, scope, &identity, conversation_id, &query_window)
        })
        .await?;
    Ok(list_response(&req, &pairs, &window, page, |i| {
        InteractionView::new(i, for_guest)
    }))
}

/// `GET …/interactions/{id}`, members only (contact forms list them instead).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{id}/interactions/{interaction_id}",
    tag = "Interactions",
    summary = "Retrieve an interaction",
    params(doc::InteractionPath),
    responses(
        (status = 200, description = "The interaction", body = doc::Data<InteractionView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<InteractionPath>,
) -> Result<HttpResponse, ApiError> {
    let conversation_id = path.id;
    let id = path.interaction_id;
    let found = caller
        .read(&state.db, move |conn, scope| {
            conversations::load_interaction(conn, scope, conversation_id, id)
        })
        .await?;
    Ok(ok(InteractionView::new(found, false)))
}

/// `POST …/interactions`: 201; agents' replies and notes are signed with the token's user.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{id}/interactions",
    tag = "Interactions",
    summary = "Add a message or note (guests: customer messages)",
    params(doc::ItemPath),
    request_body(content((doc::InteractionInput = "application/json"), (doc::InteractionInput = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The interaction", body = doc::Data<InteractionView>, headers(("Location" = String, description = "The interaction's path"))),
        doc::WriteErrors
    ),
    security(("bearer" = []), ("fingerprint" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller<TokenOrFingerprint>,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let conversation_id = path.id;
    let input = caller
        .checked(&state.db, InteractionInput::parse(&body.0))
        .await?;
    let identity = caller.identity();
    let for_guest = identity.is_guest();
    let interaction = caller
        .write(&state.db, move |conn, scope| {
            conversations::add_interaction(conn, scope, &identity, conversation_id, &input)
        })
        .await?;
    let account_id = caller.account_id;
    let location = format!(
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/interactions/{}",
        interaction.id
    );
    Ok(created(
        location,
        InteractionView::new(interaction, for_guest),
    ))
}

/// `DELETE …/interactions/{id}`: 204, members only.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/conversations/{id}/interactions/{interaction_id}",
    tag = "Interactions",
    summary = "Delete an interaction",
    params(doc::InteractionPath),
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
    path: web::Path<InteractionPath>,
) -> Result<HttpResponse, ApiError> {
    let conversation_id = path.id;
    let id = path.interaction_id;
    let if_match = caller.if_match(&state, &req).await?;
    caller
        .write(&state.db, move |conn, scope| {
            if let Some(if_match) = &if_match {
                row_lock::lock(conn, Table::Interactions, scope, id)?;
                let current = conversations::load_interaction(conn, scope, conversation_id, id)?;
                if_match.check(&InteractionView::new(current, false))?;
            }
            conversations::delete_interaction(conn, scope, conversation_id, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
