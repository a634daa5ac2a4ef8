//! `POST /customers/{id}/merge`: fold duplicates into one customer, or preview doing so.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::CustomerView;
use crate::api::extract::{Body, Caller, ItemPath};
use crate::api::openapi::schemas as doc;
use crate::domain::customer_merge::MergeRequest;
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::customer_merge::{self, MergeOutcome, Moved};
use crate::state::AppState;

/// A merge's answer.
#[derive(Serialize, ToSchema)]
pub struct MergeBody {
    /// The surviving customer, with stats: as it is now, or for a preview as it would be.
    data: CustomerView,
    /// The customers merged into it; their ids now answer 308 to it.
    merged_ids: Vec<i64>,
    moved: MovedView,
    preview: bool,
    /// Whether the merge can be made; a preview shows `errors` when it can't (the merge itself
    /// answers 422 with them).
    mergeable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, Vec<String>>>)]
    errors: Option<FieldErrors>,
}

/// What moves to the survivor.
#[derive(Serialize, ToSchema)]
pub struct MovedView {
    conversations: i64,
    customer_requests: i64,
    emails: usize,
    phones: usize,
    websites: usize,
    external_ids: usize,
    notes: i64,
    /// The sources' contacts the survivor already has: dropped, their conversations repointed.
    duplicate_contacts: usize,
}

impl From<Moved> for MovedView {
    fn from(m: Moved) -> Self {
        MovedView {
            conversations: m.conversations,
            customer_requests: m.customer_requests,
            emails: m.emails,
            phones: m.phones,
            websites: m.websites,
            external_ids: m.external_ids,
            notes: m.notes,
            duplicate_contacts: m.duplicate_contacts,
        }
    }
}

/// `POST /customers/{id}/merge`: `{"from": [ids], "preview": bool, "rules": {field: rule}}`.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/customers/{id}/merge",
    tag = "Customers",
    summary = "Merge customers into this one (or preview the merge)",
    params(doc::ItemPath),
    request_body(content((doc::CustomerMerge = "application/json"), (doc::CustomerMerge = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Merged, or the preview of the merge", body = MergeBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let target = path.id;
    let request = caller
        .checked(&state.db, MergeRequest::parse(&body.0, target))
        .await?;
    let preview = request.preview;
    let outcome = match preview {
        // A preview writes nothing: a read, with no lock and no event.
        true => {
            caller
                .read(&state.db, move |conn, scope| {
                    customer_merge::merge(conn, scope, target, &request)
                })
                .await?
        }
        false => {
            caller
                .write(&state.db, move |conn, scope| {
                    customer_merge::merge(conn, scope, target, &request)
                })
                .await?
        }
    };
    let MergeOutcome {
        record,
        merged_ids,
        moved,
        blocked,
    } = outcome;
    Ok(HttpResponse::Ok().json(MergeBody {
        preview,
        data: CustomerView::from(record),
        merged_ids,
        moved: moved.into(),
        mergeable: blocked.is_none(),
        errors: blocked,
    }))
}
