//! Customers' external ids: at most one per integration source (`{"stripe": "cus_123"}`), each
//! naming at most one customer of the account whatever its source.

use std::collections::BTreeMap;

use serde_json::Value;

use super::input::{Object, Patch};
use super::FieldErrors;

/// Most sources one customer may have ids from.
pub const MAX_SOURCES: usize = 20;
/// Longest source name and longest id.
pub const MAX_SOURCE_LEN: usize = 40;
pub const MAX_VALUE_LEN: usize = 255;

/// A customer's ids, by source (sorted, so the stored JSON is stable).
pub type ExternalIds = BTreeMap<String, String>;

/// A body's `external_ids`: each source given is set, or removed by `null` / `""`; sources not
/// mentioned stay. `"external_ids": null` removes them all.
pub type ExternalIdsChange = Patch<Vec<(String, Option<String>)>>;

/// Reads `external_ids` from a body; errors are named `external_ids.<source>`.
pub fn read(object: &Object, errors: &mut FieldErrors) -> ExternalIdsChange {
    let map = match object.get("external_ids") {
        None => return Patch::Absent,
        Some(Value::Null) => return Patch::Clear,
        Some(Value::String(s)) if s.trim().is_empty() => return Patch::Clear,
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.add(
                "external_ids",
                "must be an object of source → id, like {\"stripe\": \"cus_123\"}",
            );
            return Patch::Absent;
        }
    };
    if map.len() > MAX_SOURCES {
        errors.add(
            "external_ids",
            format!("may have at most {MAX_SOURCES} sources"),
        );
        return Patch::Absent;
    }
    let mut changes: Vec<(String, Option<String>)> = Vec::new();
    for (raw_source, value) in map {
        let path = format!("external_ids.{raw_source}");
        let source = match parse_source(raw_source) {
            Ok(source) => source,
            Err(message) => {
                errors.add(path, message);
                continue;
            }
        };
        let value = match value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => match parse_value(s) {
                Ok(v) => Some(v),
                Err(message) => {
                    errors.add(path, message);
                    continue;
                }
            },
            _ => {
                errors.add(path, "must be a string (or null to remove it)");
                continue;
            }
        };
        if let Some(Some(other)) = value.as_ref().map(|v| {
            changes
                .iter()
                .find(|(_, given)| given.as_deref() == Some(v.as_str()))
                .map(|(s, _)| s.clone())
        }) {
            errors.add(path, format!("is the same id as external_ids.{other}"));
            continue;
        }
        changes.push((source, value));
    }
    Patch::Set(changes)
}

/// A source name: lower-cased; letters, digits, `_` and `-`, starting with a letter or digit.
fn parse_source(raw: &str) -> Result<String, String> {
    let source = raw.trim().to_ascii_lowercase();
    let valid = !source.is_empty()
        && source.len() <= MAX_SOURCE_LEN
        && source.starts_with(|c: char| c.is_ascii_alphanumeric())
        && source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match valid {
        true => Ok(source),
        false => Err(format!(
            "is not a source name (letters, digits, _ and -, at most {MAX_SOURCE_LEN})"
        )),
    }
}

fn parse_value(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    if value.chars().count() > MAX_VALUE_LEN {
        return Err(format!("must be at most {MAX_VALUE_LEN} characters"));
    }
    Ok(value.to_string())
}

/// The ids after `change`.
pub fn apply(current: &ExternalIds, change: &ExternalIdsChange) -> ExternalIds {
    match change {
        Patch::Absent => current.clone(),
        Patch::Clear => ExternalIds::new(),
        Patch::Set(changes) => {
            let mut ids = current.clone();
            for (source, value) in changes {
                match value {
                    Some(value) => ids.insert(source.clone(), value.clone()),
                    None => ids.remove(source),
                };
            }
            ids
        }
    }
}

/// The ids as stored in `customers.external_ids`.
#[allow(clippy::expect_used, reason = "a map of strings always serializes")]
pub fn to_json(ids: &ExternalIds) -> String {
    serde_json::to_string(ids).expect("a map of strings serializes")
}

/// The stored JSON read back; anything unreadable reads as none (only this module writes it).
pub fn from_json(stored: &str) -> ExternalIds {
    serde_json::from_str(stored).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_body(body: Value) -> (ExternalIdsChange, Vec<String>) {
        let object = Object::root(&body).unwrap();
        let mut errors = FieldErrors::new();
        let change = read(&object, &mut errors);
        let map = serde_json::to_value(&errors).unwrap();
        (change, map.as_object().unwrap().keys().cloned().collect())
    }

    #[test]
    fn sets_removes_and_keeps_sources() {
        let (change, errors) =
            read_body(json!({"external_ids": {"Stripe": " cus_1 ", "hubspot": null}}));
        assert!(errors.is_empty());
        let current = ExternalIds::from([
            ("hubspot".to_string(), "42".to_string()),
            ("zendesk".to_string(), "7".to_string()),
        ]);
        let after = apply(&current, &change);
        assert_eq!(to_json(&after), r#"{"stripe":"cus_1","zendesk":"7"}"#);
        assert_eq!(from_json(&to_json(&after)), after);
        assert!(apply(&current, &read_body(json!({"external_ids": null})).0).is_empty());
        assert_eq!(apply(&current, &Patch::Absent), current);
    }

    #[test]
    fn bad_sources_values_and_repeats_are_named() {
        let (_, errors) = read_body(json!({"external_ids": {
            "bad source": "1", "ok": 5, "a": "same", "b": "same", "long": "x".repeat(256)}}));
        assert_eq!(
            errors,
            [
                "external_ids.b",
                "external_ids.bad source",
                "external_ids.long",
                "external_ids.ok"
            ]
        );
        assert_eq!(
            read_body(json!({"external_ids": ["cus_1"]})).1,
            ["external_ids"]
        );
    }
}
