//! What identifies one customer: the query of `GET /customers/lookup` (exactly one key), and the
//! `match` of `POST /customers/upsert`. Keys are normalized the way they are stored, so each
//! lookup is one probe of a unique or lookup index.

use super::contact::{parse_phone, ContactKind};
use super::customer::CustomerInput;
use super::input::Patch;
use super::paging::refuse_unknown;
use super::FieldErrors;

/// A key naming at most one customer (for a phone, the one that added it first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupKey {
    /// Lower-cased, as `customer_contacts.normalized` holds it.
    Email(String),
    /// As given (trimmed and checked): compared in the account's region (`domain::phone`).
    Phone(String),
    /// As sent (trimmed), whatever its source.
    ExternalId(String),
}

impl LookupKey {
    /// The query parameter (and the upsert's `match`) that gives this key.
    pub fn field(&self) -> &'static str {
        match self {
            LookupKey::Email(_) => "email",
            LookupKey::Phone(_) => "phone",
            LookupKey::ExternalId(_) => "external_id",
        }
    }
}

const KEYS: [&str; 3] = ["email", "phone", "external_id"];
const GIVE_ONE: &str = "give one of email, phone, external_id";

impl LookupKey {
    /// Reads the query string's pairs: one of `email`, `phone` or `external_id`, and nothing
    /// else (a misspelt key would otherwise look up nothing and read as "no such customer").
    pub fn parse(pairs: &[(String, String)]) -> Result<LookupKey, FieldErrors> {
        let mut errors = FieldErrors::new();
        refuse_unknown(
            pairs,
            &KEYS,
            "is not a parameter of the lookup (give one of email, phone, external_id)",
            &mut errors,
        );
        // A blank value counts as absent, as in the list's filters.
        let given: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(key, value)| KEYS.contains(&key.as_str()) && !value.trim().is_empty())
            .collect();
        let key = match given.as_slice() {
            [] => {
                errors.add("email", GIVE_ONE);
                None
            }
            [(name, raw)] => match parse(name, raw) {
                Ok(key) => Some(key),
                Err(message) => {
                    errors.add(name.clone(), message);
                    None
                }
            },
            [_, (name, _), ..] => {
                errors.add(name.clone(), format!("{GIVE_ONE}, not several"));
                None
            }
        };
        errors.into_result(())?;
        // No error means one key was given and it parsed.
        key.ok_or_else(FieldErrors::new)
    }
}

/// An email is only lower-cased, as the list's `email` filter does: one that isn't an address
/// simply identifies no customer (a 404), like any other unknown one. A phone must have digits
/// to compare.
fn parse(name: &str, raw: &str) -> Result<LookupKey, String> {
    match name {
        "email" => Ok(LookupKey::Email(raw.trim().to_lowercase())),
        "phone" => Ok(LookupKey::Phone(parse_phone(raw)?.0)),
        _ => Ok(LookupKey::ExternalId(raw.trim().to_string())),
    }
}

/// What an upsert matches by: the body's own values of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    ExternalId,
    Email,
    Phone,
}

impl MatchBy {
    /// Reads the body's `match`; the body must carry a value to match by.
    pub fn read(body: &serde_json::Value, input: &CustomerInput) -> Result<MatchBy, FieldErrors> {
        let mut errors = FieldErrors::new();
        let by = match body.get("match").and_then(|m| m.as_str()).map(str::trim) {
            Some("external_id") => Some(MatchBy::ExternalId),
            Some("email") => Some(MatchBy::Email),
            Some("phone") => Some(MatchBy::Phone),
            _ => None,
        };
        match by {
            None => errors.add("match", "must be one of external_id, email, phone"),
            Some(by) if by.keys(input).is_empty() => errors.add(
                by.list(),
                format!("must hold at least one value to match by {}", by.name()),
            ),
            Some(by) => return Ok(by),
        }
        Err(errors)
    }

    fn name(self) -> &'static str {
        match self {
            MatchBy::ExternalId => "external_id",
            MatchBy::Email => "email",
            MatchBy::Phone => "phone",
        }
    }

    /// The body's list that holds the values matched.
    fn list(self) -> &'static str {
        match self {
            MatchBy::ExternalId => "external_ids",
            MatchBy::Email => "emails",
            MatchBy::Phone => "phones",
        }
    }

    /// The body's values of this kind, in body order, as lookup keys.
    pub fn keys(self, input: &CustomerInput) -> Vec<LookupKey> {
        match self {
            MatchBy::ExternalId => match &input.external_ids {
                Patch::Set(ids) => ids
                    .iter()
                    .filter_map(|(_, value)| value.clone().map(LookupKey::ExternalId))
                    .collect(),
                _ => Vec::new(),
            },
            MatchBy::Email | MatchBy::Phone => {
                let kind = match self {
                    MatchBy::Email => ContactKind::Email,
                    _ => ContactKind::Phone,
                };
                input
                    .contacts
                    .iter()
                    .filter(|c| c.kind == kind)
                    .map(|c| match kind {
                        ContactKind::Email => LookupKey::Email(c.value.normalized.clone()),
                        _ => LookupKey::Phone(c.value.value.clone()),
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::paging::pairs;

    fn errors_of(list: &[(&str, &str)]) -> Vec<String> {
        let errors = serde_json::to_value(LookupKey::parse(&pairs(list)).unwrap_err()).unwrap();
        errors.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn keys_are_normalized_as_stored() {
        assert_eq!(
            LookupKey::parse(&pairs(&[("email", ""), ("phone", "555 0100")])),
            Ok(LookupKey::Phone("555 0100".into())),
            "a blank key is absent"
        );
        assert_eq!(
            LookupKey::parse(&pairs(&[("email", " Jane@Example.ORG ")])),
            Ok(LookupKey::Email("jane@example.org".into()))
        );
        assert_eq!(
            LookupKey::parse(&pairs(&[("phone", " +1 (555) 010-0000 ")])),
            Ok(LookupKey::Phone("+1 (555) 010-0000".into()))
        );
    }

    #[test]
    fn an_upsert_matches_by_the_bodys_own_values() {
        use crate::domain::input::Mode;
        use serde_json::json;
        let body = json!({"match": "phone", "phones": [{"phone": "+1 (555) 010-0000"}],
            "external_ids": {"stripe": "cus_1"}});
        let input = CustomerInput::parse(&body, Mode::Upsert).unwrap();
        let by = MatchBy::read(&body, &input).unwrap();
        assert_eq!(
            by.keys(&input),
            [LookupKey::Phone("+1 (555) 010-0000".into())]
        );
        assert_eq!(
            MatchBy::ExternalId.keys(&input),
            [LookupKey::ExternalId("cus_1".into())]
        );
        let field = |body: serde_json::Value| {
            let input = CustomerInput::parse(&body, Mode::Upsert).unwrap();
            let errors = serde_json::to_value(MatchBy::read(&body, &input).unwrap_err()).unwrap();
            errors
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(field(json!({"match": "email"})), ["emails"]);
        assert_eq!(field(json!({"match": "name"})), ["match"]);
        assert_eq!(field(json!({})), ["match"]);
    }

    #[test]
    fn exactly_one_known_key() {
        assert_eq!(errors_of(&[]), ["email"]);
        assert_eq!(
            errors_of(&[("email", "a@b.org"), ("phone", "123")]),
            ["phone"]
        );
        assert_eq!(
            errors_of(&[("email", "a@b.org"), ("emial", "x")]),
            ["emial"]
        );
        assert_eq!(errors_of(&[("email", " "), ("phone", "")]), ["email"]);
        assert_eq!(errors_of(&[("phone", "12")]), ["phone"]);
        assert_eq!(
            LookupKey::parse(&pairs(&[("external_id", " cus_1 ")])),
            Ok(LookupKey::ExternalId("cus_1".into()))
        );
    }
}
