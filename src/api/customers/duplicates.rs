//! `GET /customers/duplicates` and `GET /customers/{id}/duplicates`: who may be one person.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::CustomerView;
use crate::api::extract::{Caller, ItemPath};
use crate::api::openapi::schemas as doc;
use crate::api::paging::query_pairs;
use crate::domain::duplicates::{DuplicatesQuery, Reason};
use crate::error::ApiError;
use crate::services::customer_duplicates::{self, Candidate, Group};
use crate::state::AppState;

/// Customers that share one key.
#[derive(Serialize, ToSchema)]
pub struct GroupView {
    /// `email` (an email's canonical form: no `+tag`, Gmail without dots), `phone` (its
    /// digits) or `name_domain` (a name, and an email at one company domain).
    #[schema(value_type = String, example = "email")]
    reason: Reason,
    /// What they share: the canonical email, the digits, or `domain|name`.
    #[schema(example = "janedoe@gmail.com")]
    key: String,
    /// How likely they are one person, 0–1.
    #[schema(example = 0.9)]
    score: f64,
    /// How many customers share it (the first 50 are listed, by id).
    customer_count: usize,
    /// Without stats.
    customers: Vec<CustomerView>,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        GroupView {
            reason: g.reason,
            key: g.key,
            score: g.score,
            customer_count: g.customer_count,
            customers: g
                .customers
                .into_iter()
                .map(|r| CustomerView::from(r).without_stats())
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupsMeta {
    limit: i64,
    /// Where the next page starts (`?cursor=`); `null` on the last page.
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupsBody {
    data: Vec<GroupView>,
    meta: GroupsMeta,
}

/// `GET /customers/duplicates?reason=&limit=&cursor=`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers/duplicates",
    tag = "Customers",
    summary = "List groups of customers that may be one person",
    params(doc::AccountPath, doc::DuplicateFilters),
    responses(
        (status = 200, description = "A page of groups, by reason and key", body = GroupsBody),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query_pairs(&req).and_then(|pairs| Ok(DuplicatesQuery::parse(&pairs)?));
    let query = caller.checked(&state.db, query).await?;
    let limit = query.limit;
    let (groups, next_cursor) = caller
        .read(&state.db, move |conn, scope| {
            customer_duplicates::list(conn, scope, &query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GroupsBody {
        data: groups.into_iter().map(GroupView::from).collect(),
        meta: GroupsMeta { limit, next_cursor },
    }))
}

/// A customer that may be the same person.
#[derive(Serialize, ToSchema)]
pub struct CandidateView {
    /// Without stats.
    customer: CustomerView,
    /// What the two share.
    #[schema(value_type = Vec<String>, example = json!(["email", "phone"]))]
    reasons: Vec<Reason>,
    /// How likely they are one person, 0–1 (several reasons count as independent evidence).
    #[schema(example = 0.97)]
    score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CandidatesBody {
    /// Most likely first; at most 50.
    data: Vec<CandidateView>,
}

/// `GET /customers/{id}/duplicates`.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/customers/{id}/duplicates",
    tag = "Customers",
    summary = "List the customers that may be the same person as this one",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "Candidates, most likely first", body = CandidatesBody),
        (status = 308, description = "The customer was merged into another: `Location` names it", body = doc::ErrorBody, headers(("Location" = String, description = "The surviving customer's path"))),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn of_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let candidates = caller
        .read(&state.db, move |conn, scope| {
            customer_duplicates::of_customer(conn, scope, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CandidatesBody {
        data: candidates
            .into_iter()
            .map(
                |Candidate {
                     customer,
                     reasons,
                     score,
                 }| CandidateView {
                    customer: CustomerView::from(customer).without_stats(),
                    reasons,
                    score,
                },
            )
            .collect(),
    }))
}
