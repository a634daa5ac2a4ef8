//! The customer object, field for field as the seed shows it.

use chrono::NaiveDateTime;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::api::views::timestamp;
use crate::db::contacts::Contact;
use crate::db::conversations::ConversationStats;
use crate::domain::contact::ContactKind;
use crate::domain::naming::initials;
use crate::services::customers::CustomerRecord;

/// `{"id": 1, "email": "jane@example.org"}` (or `phone`, `website`).
#[derive(Clone)]
pub struct ContactView {
    id: i64,
    field: &'static str,
    value: String,
}

impl Serialize for ContactView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry(self.field, &self.value)?;
        map.end()
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct StatsView {
    conversations: ConversationsStatsView,
}

#[derive(Clone, Serialize, ToSchema)]
struct ConversationsStatsView {
    total: i64,
    posted: i64,
    pending: i64,
    closed: i64,
    email_channel: i64,
}

impl From<ConversationStats> for StatsView {
    fn from(s: ConversationStats) -> Self {
        StatsView {
            conversations: ConversationsStatsView {
                total: s.total,
                posted: s.posted,
                pending: s.pending,
                closed: s.closed,
                email_channel: s.email_channel,
            },
        }
    }
}

/// The seed's fields in the seed's order; `stats` only where the seed shows it.
#[derive(Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "name": "Jane Doe", "initials": "JD", "first_name": "Jane", "last_name": "Doe",
    "company": null, "account_id": 1, "avatar": null,
    "emails": [{"id": 1, "email": "jane@example.org"}],
    "phones": [{"id": 2, "phone": "123 123 1234"}],
    "websites": [{"id": 3, "website": "https://www.example.org/"}],
    "stats": {"conversations": {"total": 2, "posted": 0, "pending": 0, "closed": 2, "email_channel": 2}},
    "created_at": "2019-04-25T17:51:31+00:00", "updated_at": "2019-04-25T17:51:31+00:00",
    "company_id": null, "external_ids": {"stripe": "cus_123"}, "tags": ["vip"], "notes_count": 0
}))]
pub struct CustomerView {
    id: i64,
    name: String,
    initials: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    account_id: i64,
    avatar: Option<String>,
    #[schema(value_type = Vec<crate::api::openapi::schemas::EmailItem>)]
    emails: Vec<ContactView>,
    #[schema(value_type = Vec<crate::api::openapi::schemas::PhoneItem>)]
    phones: Vec<ContactView>,
    #[schema(value_type = Vec<crate::api::openapi::schemas::WebsiteItem>)]
    websites: Vec<ContactView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<StatsView>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
    /// Beyond the seed's fields (SPEC §6): the company the customer belongs to.
    company_id: Option<i64>,
    /// Beyond the seed's fields (issue 18): ids in other systems, one per source.
    #[serde(serialize_with = "stored_json")]
    #[schema(schema_with = crate::api::openapi::schemas::external_ids_view)]
    external_ids: String,
    /// Beyond the seed's fields (issue 19): labels, normalized and sorted.
    #[serde(serialize_with = "stored_json")]
    #[schema(value_type = Vec<String>, example = json!(["beta", "vip"]))]
    tags: String,
    /// Beyond the seed's fields (issue 19): how many notes agents wrote about the customer.
    notes_count: i64,
    /// Beyond the seed's fields (issue 19): the account's custom attributes, key → value.
    #[serde(serialize_with = "stored_json")]
    #[schema(value_type = Object, example = json!({"plan": "pro", "renewal_date": "2027-01-31"}))]
    custom_attributes: String,
}

/// Text this server stored as JSON (`customers.external_ids`, `tags`), written out as it is.
pub(crate) fn stored_json<S: Serializer>(json: &str, s: S) -> Result<S::Ok, S::Error> {
    let raw: &serde_json::value::RawValue =
        serde_json::from_str(json).map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

impl CustomerView {
    pub fn without_stats(&self) -> Self {
        CustomerView {
            stats: None,
            ..self.clone()
        }
    }
}

impl From<CustomerRecord> for CustomerView {
    fn from(record: CustomerRecord) -> Self {
        let c = record.customer;
        let [emails, phones, websites] =
            ContactKind::ALL.map(|kind| views_of(&record.contacts, kind));
        CustomerView {
            initials: initials(c.first_name.as_deref(), c.last_name.as_deref(), &c.name),
            id: c.id,
            name: c.name,
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            account_id: c.account_id,
            avatar: c.avatar,
            emails,
            phones,
            websites,
            stats: record.stats.map(StatsView::from),
            created_at: c.created_at,
            updated_at: c.updated_at,
            company_id: c.company_id,
            external_ids: c.external_ids,
            tags: c.tags,
            notes_count: c.notes_count,
            custom_attributes: c.custom_attributes,
        }
    }
}

fn views_of(contacts: &[Contact], kind: ContactKind) -> Vec<ContactView> {
    contacts
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| ContactView {
            id: c.id,
            field: kind.field(),
            value: c.value.clone(),
        })
        .collect()
}
