//! Company, tier/status and customer request objects (SPEC §6–7).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::customers::view::stored_json;
use crate::api::views::timestamp;
use crate::db::customer_requests::RequestRow;
use crate::db::labels::Label;
use crate::services::companies::CompanyRecord;

/// The seed's ACME after its upsert: both domains and both external ids on one company.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "name": "ACME", "domains": ["acme.com", "acme.dev"],
    "external_ids": ["cus-acme-12345", "own-customer-id"], "tier_id": null, "status_id": null,
    "owner_id": null, "revenue": null, "size": null, "logo_url": null, "managed_by": null,
    "request_count": 1, "important_request_count": 0, "tags": ["enterprise"], "notes_count": 0,
    "custom_attributes": {},
    "created_at": "2026-11-25T10:00:00+00:00", "updated_at": "2026-11-25T10:05:00+00:00"
}))]
pub(crate) struct CompanyView {
    id: i64,
    name: String,
    domains: Vec<String>,
    external_ids: Vec<String>,
    tier_id: Option<i64>,
    status_id: Option<i64>,
    owner_id: Option<i64>,
    revenue: Option<i64>,
    size: Option<i64>,
    logo_url: Option<String>,
    managed_by: Option<String>,
    request_count: i64,
    important_request_count: i64,
    /// Labels, normalized and sorted (issue 19).
    #[serde(serialize_with = "stored_json")]
    #[schema(value_type = Vec<String>, example = json!(["enterprise"]))]
    tags: String,
    /// How many notes agents wrote about the company (issue 19).
    notes_count: i64,
    /// The account's custom attributes, key → value (issue 19).
    #[serde(serialize_with = "stored_json")]
    #[schema(value_type = Object, example = json!({"plan": "enterprise", "seats": 120}))]
    custom_attributes: String,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl From<CompanyRecord> for CompanyView {
    fn from(r: CompanyRecord) -> Self {
        let c = r.company;
        CompanyView {
            id: c.id,
            name: c.name,
            domains: r.domains,
            external_ids: r.external_ids,
            tier_id: c.tier_id,
            status_id: c.status_id,
            owner_id: c.owner_id,
            revenue: c.revenue,
            size: c.size,
            logo_url: c.logo_url,
            managed_by: c.managed_by,
            request_count: r.request_count,
            important_request_count: r.important_request_count,
            tags: c.tags,
            notes_count: c.notes_count,
            custom_attributes: c.custom_attributes,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A tier or a status.
#[derive(Serialize, ToSchema)]
pub(crate) struct LabelView {
    id: i64,
    name: String,
    color: Option<String>,
    position: i64,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl From<Label> for LabelView {
    fn from(l: Label) -> Self {
        LabelView {
            id: l.id,
            name: l.name,
            color: l.color,
            position: l.position,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct AttachmentView {
    id: i64,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RequestView {
    id: i64,
    conversation_id: i64,
    company_id: Option<i64>,
    customer_id: Option<i64>,
    priority: i64,
    body: Option<String>,
    attachment: Option<AttachmentView>,
    creator_id: Option<i64>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl From<RequestRow> for RequestView {
    fn from(row: RequestRow) -> Self {
        let r = row.request;
        RequestView {
            id: r.id,
            conversation_id: r.conversation_id,
            company_id: r.company_id,
            customer_id: r.customer_id,
            priority: r.priority,
            body: r.body,
            attachment: row.attachment.map(|a| AttachmentView {
                id: a.id,
                url: a.url,
            }),
            creator_id: r.creator_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
