//! The query of `GET /customers/lookup`: exactly one key, normalized the way the stored contacts
//! are, so the lookup is one probe of the contacts' `(account_id, kind, normalized)` index.

use super::contact::{parse_phone, ContactKind};
use super::paging::refuse_unknown;
use super::FieldErrors;

/// What identifies the customer looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupKey {
    pub kind: ContactKind,
    /// As stored in `customer_contacts.normalized`: the lower-cased email, or the phone's digits.
    pub normalized: String,
}

const KEYS: [&str; 2] = ["email", "phone"];

impl LookupKey {
    /// Reads the query string's pairs: one of `email` or `phone`, and nothing else (a misspelt
    /// key would otherwise look up nothing and read as "no such customer").
    pub fn parse(pairs: &[(String, String)]) -> Result<LookupKey, FieldErrors> {
        let mut errors = FieldErrors::new();
        refuse_unknown(
            pairs,
            &KEYS,
            "is not a parameter of the lookup (give one of email, phone)",
            &mut errors,
        );
        // A blank value counts as absent, as in the list's filters.
        let given: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(key, value)| KEYS.contains(&key.as_str()) && !value.trim().is_empty())
            .collect();
        let key = match given.as_slice() {
            [] => {
                errors.add("email", "give email or phone");
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
                errors.add(name.clone(), "give email or phone, not both");
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
    if name == "email" {
        Ok(LookupKey {
            kind: ContactKind::Email,
            normalized: raw.trim().to_lowercase(),
        })
    } else {
        let (_, digits) = parse_phone(raw)?;
        Ok(LookupKey {
            kind: ContactKind::Phone,
            normalized: digits,
        })
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
            Ok(LookupKey {
                kind: ContactKind::Phone,
                normalized: "5550100".into()
            }),
            "a blank key is absent"
        );
        assert_eq!(
            LookupKey::parse(&pairs(&[("email", " Jane@Example.ORG ")])),
            Ok(LookupKey {
                kind: ContactKind::Email,
                normalized: "jane@example.org".into()
            })
        );
        assert_eq!(
            LookupKey::parse(&pairs(&[("phone", "+1 (555) 010-0000")])),
            LookupKey::parse(&pairs(&[("phone", "15550100000")]))
        );
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
    }
}
