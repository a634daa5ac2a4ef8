//! A customer request body (create, PUT, PATCH), checked field by field (SPEC §4).

use std::collections::HashMap;

use serde_json::Value;

use super::contact::{parse_web_url, ContactKind, ContactValue};
use super::custom_attribute::{self, AttributesChange};
use super::external_id::{self, ExternalIdsChange};
use super::input::{bounded_text, required_text, Mode, Object, Patch};
use super::tag;
use super::FieldErrors;

/// Longest first name, last name or company.
pub const MAX_TEXT_LEN: usize = 255;

/// One nested email, phone or website of the body, at `<list>.<index>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactItem {
    pub kind: ContactKind,
    pub index: usize,
    /// The id the client sent; it updates only if it is one of this customer's items.
    pub id: Option<i64>,
    pub value: ContactValue,
}

impl ContactItem {
    /// The item's value field in the body, as error maps name it: `emails.3.email`.
    pub fn path(&self) -> String {
        format!("{}.{}.{}", self.kind.list(), self.index, self.kind.field())
    }
}

/// A valid customer body. Top-level fields follow update semantics (absent keeps, clear empties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerInput {
    pub first_name: Patch<String>,
    pub last_name: Patch<String>,
    pub company: Patch<String>,
    pub avatar: Patch<String>,
    /// Set explicitly; when absent, the customer is linked by email domain if it has no company.
    pub company_id: Patch<i64>,
    /// Every nested item, emails then phones then websites, each list in body order.
    pub contacts: Vec<ContactItem>,
    pub external_ids: ExternalIdsChange,
    /// The whole new list (normalized, sorted) when the body gives `tags`; `None` keeps them.
    pub tags: Option<Vec<String>>,
    /// Keys to set or remove; checked against the account's definitions by the service.
    pub custom_attributes: AttributesChange,
}

impl CustomerInput {
    pub fn parse(body: &Value, mode: Mode) -> Result<CustomerInput, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let first_name = match (mode, object.text("first_name", &mut errors)) {
            (Mode::Create | Mode::Replace, value) => {
                required_text(value, "first_name", MAX_TEXT_LEN, &mut errors)
                    .map_or(Patch::Absent, Patch::Set)
            }
            // An upsert needs it only to create (services::customers::upsert).
            (Mode::Patch | Mode::Upsert, value) => optional_text(value, "first_name", &mut errors),
        };
        let last_name = optional_text(
            object.text("last_name", &mut errors),
            "last_name",
            &mut errors,
        );
        let company = optional_text(object.text("company", &mut errors), "company", &mut errors);
        let avatar = match object.text("avatar", &mut errors) {
            Patch::Set(raw) => match parse_web_url(&raw) {
                Ok(url) => Patch::Set(url),
                Err(message) => {
                    errors.add("avatar", message);
                    Patch::Absent
                }
            },
            other => other,
        };
        let company_id = match object.integer("company_id", &mut errors) {
            Patch::Set(id) if id <= 0 => {
                errors.add("company_id", "must be a positive integer");
                Patch::Absent
            }
            other => other,
        };
        let mut contacts = Vec::new();
        for kind in ContactKind::ALL {
            read_list(&object, kind, &mut contacts, &mut errors);
        }
        flag_repeated_emails(&contacts, &mut errors);
        let external_ids = external_id::read(&object, &mut errors);
        let tags = tag::parse(&object, &mut errors);
        let custom_attributes = custom_attribute::read(&object, &mut errors);
        errors.into_result(CustomerInput {
            first_name,
            last_name,
            company,
            avatar,
            company_id,
            contacts,
            external_ids,
            tags,
            custom_attributes,
        })
    }
}

fn optional_text(value: Patch<String>, path: &str, errors: &mut FieldErrors) -> Patch<String> {
    match value {
        Patch::Set(text) => {
            bounded_text(text, path, MAX_TEXT_LEN, errors).map_or(Patch::Absent, Patch::Set)
        }
        other => other,
    }
}

/// Reads `emails` (or `phones`, `websites`): an array of `{"id"?, "<field>"}` objects.
/// `null` or an empty list changes nothing: items not mentioned stay.
fn read_list(
    object: &Object,
    kind: ContactKind,
    out: &mut Vec<ContactItem>,
    errors: &mut FieldErrors,
) {
    let Patch::Set(items) = object.array(kind.list(), errors) else {
        return;
    };
    if items.len() > kind.limit() {
        errors.add(
            kind.list(),
            format!("may have at most {} {}", kind.limit(), kind.list()),
        );
        return;
    }
    for (index, item) in items.iter().enumerate() {
        let prefix = format!("{}.{}.", kind.list(), index);
        let Value::Object(map) = item else {
            errors.add(format!("{}.{}", kind.list(), index), "must be an object");
            continue;
        };
        let item = Object::nested(map, &prefix);
        let id = match item.integer("id", errors) {
            Patch::Set(id) => Some(id),
            _ => None,
        };
        let path = item.path(kind.field());
        match item.text(kind.field(), errors) {
            Patch::Set(raw) => match kind.parse_value(&raw) {
                Ok(value) => out.push(ContactItem {
                    kind,
                    index,
                    id,
                    value,
                }),
                Err(message) => errors.add(path, message),
            },
            _ if errors.contains(&path) => {}
            _ => errors.add(path, "is required"),
        }
    }
}

/// The same email twice in one body (in any case) is an error on the later one.
fn flag_repeated_emails(contacts: &[ContactItem], errors: &mut FieldErrors) {
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for item in contacts.iter().filter(|c| c.kind == ContactKind::Email) {
        if let Some(first) = first_seen.insert(&item.value.normalized, item.index) {
            errors.add(item.path(), format!("is the same as emails.{first}.email"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(body: Value, mode: Mode) -> Vec<String> {
        match CustomerInput::parse(&body, mode) {
            Err(errors) => {
                let map = serde_json::to_value(&errors).unwrap();
                map.as_object().unwrap().keys().cloned().collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_seed_body() {
        let body = json!({"first_name": "Jane", "last_name": "Doe",
            "emails": [{"email": "jane@example.org"}], "phones": [{"phone": "123 123 1234"}],
            "websites": [{"website": "https://www.example.org/"}]});
        let input = CustomerInput::parse(&body, Mode::Create).unwrap();
        assert_eq!(input.first_name, Patch::Set("Jane".into()));
        assert_eq!(input.company, Patch::Absent);
        assert_eq!(input.contacts.len(), 3);
        assert_eq!(input.contacts[1].path(), "phones.0.phone");
    }

    #[test]
    fn first_name_is_required_on_create_and_put_only() {
        assert_eq!(errors_of(json!({}), Mode::Create), ["first_name"]);
        assert_eq!(
            errors_of(json!({"first_name": "  "}), Mode::Replace),
            ["first_name"]
        );
        let patch = CustomerInput::parse(&json!({"first_name": null}), Mode::Patch).unwrap();
        assert_eq!(patch.first_name, Patch::Clear);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let body = json!({"first_name": "J", "last_name": 5, "avatar": "nope",
            "emails": [{"email": "ok@example.org"}, {"email": "bad"}, "x", {"id": 3}],
            "phones": [{"phone": "1"}], "websites": [{"website": "ftp://x.org"}]});
        assert_eq!(
            errors_of(body, Mode::Create),
            [
                "avatar",
                "emails.1.email",
                "emails.2",
                "emails.3.email",
                "last_name",
                "phones.0.phone",
                "websites.0.website"
            ]
        );
    }

    #[test]
    fn lists_over_their_limit_are_refused_whole() {
        let emails: Vec<Value> = (0..16)
            .map(|i| json!({"email": format!("e{i}@example.org")}))
            .collect();
        assert_eq!(
            errors_of(json!({"first_name": "J", "emails": emails}), Mode::Create),
            ["emails"]
        );
        let emails: Vec<Value> = (0..15)
            .map(|i| json!({"email": format!("e{i}@example.org")}))
            .collect();
        assert!(
            CustomerInput::parse(&json!({"first_name": "J", "emails": emails}), Mode::Create)
                .is_ok()
        );
    }

    #[test]
    fn the_same_email_twice_in_one_body_is_refused() {
        let body = json!({"first_name": "J", "emails": [{"email": "a@example.org"}, {"email": "A@Example.org"}]});
        assert_eq!(errors_of(body, Mode::Create), ["emails.1.email"]);
    }

    #[test]
    fn form_ids_arrive_as_strings() {
        let body = json!({"first_name": "J", "emails": [{"id": "7", "email": "a@example.org"}]});
        assert_eq!(
            CustomerInput::parse(&body, Mode::Replace).unwrap().contacts[0].id,
            Some(7)
        );
    }
}
