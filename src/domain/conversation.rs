//! Conversation and interaction bodies (SPEC §5).

use serde_json::Value;

use super::email::EmailAddress;
use super::input::{bounded_text, Object, Patch};
use super::{text_enum, FieldErrors};

/// Longest subject, source, and name given by a contact form.
pub const MAX_SHORT_TEXT: usize = 255;
/// Largest interaction body, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most interactions one conversation `POST` may carry.
pub const MAX_INTERACTIONS_PER_REQUEST: usize = 100;

text_enum! {
    /// Where a conversation stands; drafts are not counted in stats.
    pub enum Status { Posted = "posted", Draft = "draft", Pending = "pending", Closed = "closed" }
}

text_enum! {
    /// How a conversation reached the desk.
    pub enum Channel { Email = "email", Chat = "chat", Phone = "phone", Api = "api" }
}

text_enum! {
    /// Who wrote an interaction: the customer, an agent's reply, or an agent's internal note.
    pub enum InteractionType { Customer = "customer", Agent = "agent", Note = "note" }
}

/// A message to add to a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionInput {
    pub kind: InteractionType,
    pub body: String,
    pub source: Option<String>,
}

impl InteractionInput {
    /// Reads one interaction at `prefix` (`""` for a body of its own, `"interactions.0."` inside a
    /// conversation).
    fn read(object: &Object, errors: &mut FieldErrors) -> Option<InteractionInput> {
        let type_path = object.path("type");
        let kind = match read_enum(
            object,
            "type",
            InteractionType::parse,
            InteractionType::choices,
            errors,
        ) {
            Some(Patch::Set(kind)) => Some(kind),
            _ => {
                if !errors.contains(&type_path) {
                    errors.add(type_path, "is required");
                }
                None
            }
        };
        let body_path = object.path("body");
        let body = match object.text("body", errors) {
            Patch::Set(s) => {
                if s.len() > MAX_BODY_BYTES {
                    errors.add(
                        &body_path,
                        format!("must be at most {MAX_BODY_BYTES} bytes"),
                    );
                }
                Some(s)
            }
            // Not a string, or with U+0000: `text` said so.
            Patch::Absent if errors.contains(&body_path) => None,
            Patch::Absent | Patch::Clear => {
                errors.add(&body_path, "is required");
                None
            }
        };
        let source = optional_short_text(object, "source", errors);
        Some(InteractionInput {
            kind: kind?,
            body: body?,
            source,
        })
    }

    /// A body of its own (`POST …/interactions`).
    pub fn parse(body: &Value) -> Result<InteractionInput, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let input = InteractionInput::read(&object, &mut errors);
        match input {
            Some(input) if errors.is_empty() => Ok(input),
            _ => Err(errors),
        }
    }
}

/// Whose conversation a `POST` opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    Id(i64),
    /// `customer_email` (or `to`), with the body's key for error messages.
    Email(EmailAddress, &'static str),
}

/// A valid `POST /conversations` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConversation {
    /// `None` only for guests, whose customer is their fingerprint's email.
    pub customer: Option<CustomerRef>,
    pub subject: Option<String>,
    pub channel: Channel,
    pub status: Status,
    pub user_id: Option<i64>,
    /// Name the customer when this request creates it.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub interactions: Vec<InteractionInput>,
}

impl NewConversation {
    pub fn parse(body: &Value) -> Result<NewConversation, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let customer_id = match object.integer("customer_id", &mut errors) {
            Patch::Set(id) if id > 0 => Some(id),
            Patch::Set(_) => {
                errors.add("customer_id", "must be a positive integer");
                None
            }
            _ => None,
        };
        let email = ["customer_email", "to"].into_iter().find_map(|key| {
            match object.text(key, &mut errors) {
                Patch::Set(raw) => match EmailAddress::parse(&raw) {
                    Ok(email) => Some(CustomerRef::Email(email, key)),
                    Err(message) => {
                        errors.add(key, message);
                        None
                    }
                },
                _ => None,
            }
        });
        let customer = match (customer_id, email) {
            (Some(_), Some(CustomerRef::Email(_, key))) => {
                errors.add(key, "give customer_id or an email, not both");
                None
            }
            (Some(id), None) => Some(CustomerRef::Id(id)),
            (None, email) => email,
            (Some(_), Some(CustomerRef::Id(_))) => {
                unreachable!("emails parse to CustomerRef::Email")
            }
        };
        let channel = read_enum(
            &object,
            "channel",
            Channel::parse,
            Channel::choices,
            &mut errors,
        );
        let status = read_enum(
            &object,
            "status",
            Status::parse,
            Status::choices,
            &mut errors,
        );
        let user_id = read_user_id(&object, &mut errors);
        let subject = optional_short_text(&object, "subject", &mut errors);
        let first_name = optional_short_text(&object, "first_name", &mut errors);
        let last_name = optional_short_text(&object, "last_name", &mut errors);
        let interactions = read_interactions(&object, &mut errors);
        errors.into_result(NewConversation {
            customer,
            subject,
            channel: set_or(channel, Channel::Email),
            status: set_or(status, Status::Posted),
            user_id: user_id.and_then(|p| p.into_change()).flatten(),
            first_name,
            last_name,
            interactions,
        })
    }
}

/// A valid `PUT`/`PATCH /conversations/{id}` body: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationChanges {
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    /// `Some(None)` clears.
    pub subject: Option<Option<String>>,
    /// `Some(None)` unassigns.
    pub user_id: Option<Option<i64>>,
}

impl ConversationChanges {
    pub fn parse(body: &Value) -> Result<ConversationChanges, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let status = read_enum(
            &object,
            "status",
            Status::parse,
            Status::choices,
            &mut errors,
        );
        let channel = read_enum(
            &object,
            "channel",
            Channel::parse,
            Channel::choices,
            &mut errors,
        );
        let subject = match object.text("subject", &mut errors) {
            Patch::Set(s) => bounded_text(s, "subject", MAX_SHORT_TEXT, &mut errors).map(Some),
            Patch::Clear => Some(None),
            Patch::Absent => None,
        };
        let user_id = read_user_id(&object, &mut errors).and_then(|p| p.into_change());
        errors.into_result(ConversationChanges {
            status: status.and_then(|p| p.into_change()).flatten(),
            channel: channel.and_then(|p| p.into_change()).flatten(),
            subject,
            user_id,
        })
    }
}

/// An enum field: `None` when absent; a clear or unknown value is an error.
fn read_enum<T>(
    object: &Object,
    key: &str,
    parse: fn(&str) -> Option<T>,
    choices: fn() -> String,
    errors: &mut FieldErrors,
) -> Option<Patch<T>> {
    match object.text(key, errors) {
        Patch::Absent => None,
        Patch::Set(raw) => match parse(raw.trim()) {
            Some(value) => Some(Patch::Set(value)),
            None => {
                errors.add(object.path(key), choices());
                None
            }
        },
        Patch::Clear => {
            errors.add(object.path(key), choices());
            None
        }
    }
}

fn set_or<T>(value: Option<Patch<T>>, default: T) -> T {
    match value {
        Some(Patch::Set(v)) => v,
        _ => default,
    }
}

/// `user_id`: an assignee's id, or null to unassign. Membership is checked against the database.
fn read_user_id(object: &Object, errors: &mut FieldErrors) -> Option<Patch<i64>> {
    match object.integer("user_id", errors) {
        Patch::Absent => None,
        Patch::Set(id) if id <= 0 => {
            errors.add("user_id", "must be a positive integer");
            None
        }
        other => Some(other),
    }
}

fn optional_short_text(object: &Object, key: &str, errors: &mut FieldErrors) -> Option<String> {
    match object.text(key, errors) {
        Patch::Set(text) => bounded_text(text, &object.path(key), MAX_SHORT_TEXT, errors),
        _ => None,
    }
}

fn read_interactions(object: &Object, errors: &mut FieldErrors) -> Vec<InteractionInput> {
    let Patch::Set(items) = object.array("interactions", errors) else {
        return Vec::new();
    };
    if items.len() > MAX_INTERACTIONS_PER_REQUEST {
        errors.add(
            "interactions",
            format!("may have at most {MAX_INTERACTIONS_PER_REQUEST} items"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let prefix = format!("interactions.{index}.");
        match item {
            Value::Object(map) => {
                if let Some(input) = InteractionInput::read(&Object::nested(map, &prefix), errors) {
                    out.push(input);
                }
            }
            _ => errors.add(format!("interactions.{index}"), "must be an object"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_keys(result: Result<impl std::fmt::Debug, FieldErrors>) -> Vec<String> {
        match result {
            Err(errors) => serde_json::to_value(&errors)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_contact_form_widget_body() {
        let body = json!({"subject": "Help", "channel": "email", "status": "posted", "first_name": "Jane",
            "last_name": "Doe", "to": "jane@example.org",
            "interactions": [{"type": "customer", "body": "Hi…", "source": "Form @ www.example.com"}]});
        let input = NewConversation::parse(&body).unwrap();
        assert!(
            matches!(&input.customer, Some(CustomerRef::Email(e, "to")) if e.as_str() == "jane@example.org")
        );
        assert_eq!(input.interactions[0].kind, InteractionType::Customer);
        assert_eq!(
            input.interactions[0].source.as_deref(),
            Some("Form @ www.example.com")
        );
    }

    #[test]
    fn defaults_are_email_and_posted() {
        let input = NewConversation::parse(&json!({"customer_id": 4})).unwrap();
        assert_eq!(
            (input.channel, input.status, input.customer),
            (Channel::Email, Status::Posted, Some(CustomerRef::Id(4)))
        );
    }

    #[test]
    fn paths_follow_the_body() {
        let body = json!({"to": "nope", "status": "open", "channel": "fax",
            "interactions": [{"type": "customer", "body": ""}, {"type": "robot", "body": "x"}, 5]});
        assert_eq!(
            error_keys(NewConversation::parse(&body)),
            [
                "channel",
                "interactions.0.body",
                "interactions.1.type",
                "interactions.2",
                "status",
                "to"
            ]
        );
    }

    #[test]
    fn interaction_type_and_body_are_required() {
        assert_eq!(
            error_keys(InteractionInput::parse(&json!({}))),
            ["body", "type"]
        );
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        assert_eq!(
            error_keys(InteractionInput::parse(
                &json!({"type": "note", "body": big})
            )),
            ["body"]
        );
    }

    #[test]
    fn changes_read_only_what_is_given() {
        let changes =
            ConversationChanges::parse(&json!({"status": "closed", "user_id": null})).unwrap();
        assert_eq!(changes.status, Some(Status::Closed));
        assert_eq!(changes.user_id, Some(None));
        assert_eq!(changes.channel, None);
        assert_eq!(
            error_keys(ConversationChanges::parse(&json!({"status": null}))),
            ["status"]
        );
    }
}
