//! The conversation and interaction objects (SPEC §5).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::views::timestamp;
use crate::db::conversations::ConversationRow;
use crate::db::interactions::Interaction;
use crate::domain::conversation::{Channel, InteractionType, Status};

#[derive(Serialize, ToSchema)]
pub(super) struct CustomerEmailView {
    /// `null` for a guest.
    id: Option<i64>,
    email: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    id: i64,
    account_id: i64,
    /// `null` for a guest: it would tell how many conversations the account has.
    number: Option<i64>,
    #[schema(value_type = String)]
    channel: Channel,
    customer_id: Option<i64>,
    customer_email: Option<CustomerEmailView>,
    user_id: Option<i64>,
    #[schema(value_type = String)]
    status: Status,
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
    /// A guest (`guest_email`: the email of its fingerprint) sees only what it sent and its own
    /// conversation: no user ids (which agent handles it is the desk's business), no number, and
    /// not whether its email already belonged to a customer (no customer or contact id, and its
    /// email as it sent it, not as stored).
    pub fn new(row: ConversationRow, guest_email: Option<&str>) -> Self {
        let c = row.conversation;
        let for_guest = guest_email.is_some();
        let customer_email = match guest_email {
            Some(sent) => Some(CustomerEmailView {
                id: None,
                email: sent.to_string(),
            }),
            None => row.customer_email.map(|contact| CustomerEmailView {
                id: Some(contact.id),
                email: contact.value,
            }),
        };
        ConversationView {
            id: c.id,
            account_id: c.account_id,
            number: Some(c.number).filter(|_| !for_guest),
            channel: c.channel,
            customer_id: c.customer_id.filter(|_| !for_guest),
            customer_email,
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
    #[schema(value_type = String)]
    kind: InteractionType,
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
