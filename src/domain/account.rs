//! Changes an admin may make to an account.

use serde_json::Value;

use super::input::{required_text, Object, Patch};
use super::phone::PhoneRegion;
use super::FieldErrors;

pub const MAX_NAME_LEN: usize = 255;

/// A validated `PATCH /accounts/{id}` body; `None` leaves a field as it is.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub contact_form_enabled: Option<bool>,
    /// `Some(None)` clears it.
    pub phone_region: Option<Option<PhoneRegion>>,
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
        let phone_region = match object.text("phone_region", &mut errors) {
            Patch::Absent => None,
            Patch::Clear => Some(None),
            Patch::Set(raw) => match PhoneRegion::parse(&raw) {
                Some(region) => Some(Some(region)),
                None => {
                    errors.add(
                        "phone_region",
                        "must be a two-letter region code (ISO 3166: US, GB, DE, …)",
                    );
                    None
                }
            },
        };
        errors.into_result(AccountPatch {
            name,
            contact_form_enabled,
            phone_region,
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
    fn a_phone_region_is_a_known_code_or_null() {
        let patch = AccountPatch::parse(&json!({"phone_region": "gb"})).unwrap();
        assert_eq!(patch.phone_region, Some(PhoneRegion::parse("GB")));
        let cleared = AccountPatch::parse(&json!({"phone_region": null})).unwrap();
        assert_eq!(cleared.phone_region, Some(None));
        assert!(AccountPatch::parse(&json!({"phone_region": "Narnia"})).is_err());
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
