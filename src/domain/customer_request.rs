//! Customer request bodies (SPEC §7, Linear's CustomerNeed).

use serde_json::Value;

use super::contact::parse_web_url;
use super::conversation::MAX_BODY_BYTES;
use super::input::{Mode, Object, Patch};
use super::FieldErrors;

/// Where the request's company comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyRef {
    Id(i64),
    ExternalId(String),
}

/// A valid request body; on update, absent fields stay (`Patch::Absent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInput {
    pub conversation_id: Option<i64>,
    /// `Patch::Clear` detaches the company.
    pub company: Patch<CompanyRef>,
    pub customer_id: Patch<i64>,
    pub priority: Option<i64>,
    pub body: Patch<String>,
    pub attachment_url: Patch<String>,
}

impl RequestInput {
    /// `Create` requires `conversation_id`; the other modes may not change it.
    pub fn parse(body: &Value, mode: Mode) -> Result<RequestInput, FieldErrors> {
        let creating = mode == Mode::Create;
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let conversation_id = match object.integer("conversation_id", &mut errors) {
            Patch::Set(id) if id > 0 && creating => Some(id),
            Patch::Set(_) if !creating => {
                errors.add("conversation_id", "can't be changed");
                None
            }
            _ if creating && !errors.contains("conversation_id") => {
                errors.add("conversation_id", "is required");
                None
            }
            _ => None,
        };
        let company = match (
            object.integer("company_id", &mut errors),
            object.text("company_external_id", &mut errors),
        ) {
            (Patch::Set(_), Patch::Set(_)) => {
                errors.add(
                    "company_external_id",
                    "give company_id or company_external_id, not both",
                );
                Patch::Absent
            }
            (Patch::Set(id), _) => Patch::Set(CompanyRef::Id(id)),
            (_, Patch::Set(external)) => {
                Patch::Set(CompanyRef::ExternalId(external.trim().to_string()))
            }
            (Patch::Clear, _) | (_, Patch::Clear) => Patch::Clear,
            _ => Patch::Absent,
        };
        let customer_id = object.integer("customer_id", &mut errors);
        let priority = match object.integer("priority", &mut errors) {
            Patch::Set(p @ (0 | 1)) => Some(p),
            Patch::Absent => None,
            _ => {
                errors.add("priority", "must be 0 (normal) or 1 (important)");
                None
            }
        };
        let text = match object.text("body", &mut errors) {
            Patch::Set(text) if text.len() > MAX_BODY_BYTES => {
                errors.add("body", format!("must be at most {MAX_BODY_BYTES} bytes"));
                Patch::Absent
            }
            other => other,
        };
        let attachment_url = match object.text("attachment_url", &mut errors) {
            Patch::Set(raw) => parse_web_url(&raw)
                .map(Patch::Set)
                .unwrap_or_else(|message| {
                    errors.add("attachment_url", message);
                    Patch::Absent
                }),
            other => other,
        };
        errors.into_result(RequestInput {
            conversation_id,
            company,
            customer_id,
            priority,
            body: text,
            attachment_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_seed_request() {
        let body = json!({"conversation_id": 7, "body": "Content of the request", "company_external_id": "cus-acme-12345",
                          "attachment_url": "https://conversations.support.com/conversations/12345"});
        let input = RequestInput::parse(&body, Mode::Create).unwrap();
        assert_eq!(
            input.company,
            Patch::Set(CompanyRef::ExternalId("cus-acme-12345".into()))
        );
        assert_eq!(input.priority, None);
    }

    #[test]
    fn conversation_is_required_and_priority_is_zero_or_one() {
        let Err(errors) = RequestInput::parse(&json!({"priority": 2}), Mode::Create) else {
            panic!()
        };
        assert!(errors.contains("conversation_id") && errors.contains("priority"));
    }
}
