//! Changes an admin may make to an account.

use serde_json::Value;

use super::input::{required_text, Object, Patch};
use super::FieldErrors;

pub const MAX_NAME_LEN: usize = 255;

/// A validated `PATCH /accounts/{id}` body; `None` leaves a field as it is.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub contact_form_enabled: Option<bool>,
}

impl AccountPatch {
    pub fn parse(body: &Value) -> Result<AccountPatch, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let name = match object.text("name", &mut errors) {
            Patch::Absent if !errors.contains("name") => None,
            other => required_text(other, "name", MAX_NAME_LEN, &mut errors),
        };
        let contact_form_enabled = match object.boolean("contact_form_enabled", &mut errors) {
            Patch::Set(b) => Some(b),
            Patch::Clear => {
                errors.add("contact_form_enabled", "must be true or false");
                None
            }
            Patch::Absent => None,
        };
        errors.into_result(AccountPatch {
            name,
            contact_form_enabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_fields() {
        let patch =
            AccountPatch::parse(&json!({"name": " ACME ", "contact_form_enabled": true})).unwrap();
        assert_eq!(patch.name.as_deref(), Some("ACME"));
        assert_eq!(patch.contact_form_enabled, Some(true));
    }

    #[test]
    fn an_empty_name_is_invalid() {
        assert!(AccountPatch::parse(&json!({"name": ""})).is_err());
    }

    #[test]
    fn an_empty_body_changes_nothing() {
        assert_eq!(
            AccountPatch::parse(&json!({})).unwrap(),
            AccountPatch::default()
        );
    }
}
