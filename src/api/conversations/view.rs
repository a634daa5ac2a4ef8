//! The conversation and interaction objects (SPEC §5).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::timestamp;
use crate::db::conversations::ConversationRow;
use crate::db::interactions::Interaction;

#[derive(Serialize, ToSchema)]
pub struct CustomerEmailView {
    id: i64,
    email: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    id: i64,
    account_id: i64,
    number: i64,
    channel: String,
    customer_id: Option<i64>,
    customer_email: Option<CustomerEmailView>,
    user_id: Option<i64>,
    status: String,
    subject: Option<String>,
    interactions_count: i64,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl ConversationView {
    /// Guests see no user ids: which agent handles them is the desk's business.
    pub fn new((c, email): ConversationRow, for_guest: bool) -> Self {
        ConversationView {
            id: c.id,
            account_id: c.account_id,
            number: c.number,
            channel: c.channel,
            customer_id: c.customer_id,
            customer_email: email.map(|(id, email)| CustomerEmailView { id, email }),
            user_id: c.user_id.filter(|_| !for_guest),
            status: c.status,
            subject: c.subject,
            interactions_count: c.interactions_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InteractionView {
    id: i64,
    conversation_id: i64,
    #[serde(rename = "type")]
    kind: String,
    body: String,
    source: Option<String>,
    user_id: Option<i64>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl InteractionView {
    pub fn new(i: Interaction, for_guest: bool) -> Self {
        InteractionView {
            id: i.id,
            conversation_id: i.conversation_id,
            kind: i.kind,
            body: i.body,
            source: i.source,
            user_id: i.user_id.filter(|_| !for_guest),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}
