//! Reading request bodies field by field, collecting every error with its path.
//!
//! Bodies arrive as a JSON object: parsed JSON, or a bracket-key form turned into the same shape
//! (where every leaf is a string). Readers therefore accept a number or a boolean written as a
//! string, so `emails[0][id]=1` and `{"emails":[{"id":1}]}` mean the same.

use serde_json::{Map, Value};

use super::FieldErrors;

/// PostgreSQL can't store U+0000 in text, and no field needs it: a field the server reads is
/// refused with it (fields it does not know are ignored, U+0000 or not).
const NUL: &str = "must not contain NUL characters";

/// One field of a body, with update semantics: absent leaves a value alone, `null` or `""` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    #[default]
    Absent,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The new value as an `Option` (`Clear` → `None`), or `None` when absent.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Clear => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }
}

/// Which write a body belongs to. Every input reads its body for one of these; what each
/// requires is the input's own rule (a customer's PUT requires `first_name`, a company's PUT is
/// its PATCH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    /// `PUT`.
    Replace,
    /// `PATCH`: any field, none required.
    Patch,
    /// Match or create (companies): lists are merged into the match's.
    Upsert,
}

/// A JSON object being read, and where it sits in the body (`""` for the top, `"emails.3."` below).
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Object<'a> {
    /// The body's top level (the `Body` extractor already refused anything but an object).
    pub fn root(body: &'a Value) -> Result<Object<'a>, FieldErrors> {
        match body {
            Value::Object(map) => Ok(Object { map, prefix: "" }),
            _ => {
                let mut errors = FieldErrors::new();
                errors.add("body", "must be an object");
                Err(errors)
            }
        }
    }

    /// A nested object at `prefix` (which ends with a dot).
    pub fn nested(map: &'a Map<String, Value>, prefix: &'a str) -> Object<'a> {
        Object { map, prefix }
    }

    /// The dotted path of `key` in the body, as error maps name it.
    pub fn path(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// A text field: a string (kept as sent), `null` or `""` as `Clear`; other types, and text
    /// with U+0000, are an error.
    pub fn text(&self, key: &str, errors: &mut FieldErrors) -> Patch<String> {
        match self.map.get(key) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Clear,
            Some(Value::String(s)) if s.contains('\0') => {
                errors.add(self.path(key), NUL);
                Patch::Absent
            }
            Some(Value::String(s)) if s.trim().is_empty() => Patch::Clear,
            Some(Value::String(s)) => Patch::Set(s.clone()),
            Some(_) => {
                errors.add(self.path(key), "must be a string");
                Patch::Absent
            }
        }
    }

    /// An integer field: a JSON integer or a string of digits.
    pub fn integer(&self, key: &str, errors: &mut FieldErrors) -> Patch<i64> {
        match self.map.get(key) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Clear,
            Some(Value::String(s)) if s.trim().is_empty() => Patch::Clear,
            Some(value) => match as_integer(value) {
                Some(n) => Patch::Set(n),
                None => {
                    errors.add(self.path(key), "must be an integer");
                    Patch::Absent
                }
            },
        }
    }

    /// A boolean field: `true`/`false`, or `"true"`, `"false"`, `"1"`, `"0"` from a form.
    pub fn boolean(&self, key: &str, errors: &mut FieldErrors) -> Patch<bool> {
        match self.map.get(key) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Clear,
            Some(Value::Bool(b)) => Patch::Set(*b),
            Some(Value::String(s)) if matches!(s.as_str(), "true" | "1") => Patch::Set(true),
            Some(Value::String(s)) if matches!(s.as_str(), "false" | "0") => Patch::Set(false),
            Some(_) => {
                errors.add(self.path(key), "must be true or false");
                Patch::Absent
            }
        }
    }

    /// An array field; `null` clears it, another type is an error, and so is a text item with
    /// U+0000 (items that are objects are read field by field).
    pub fn array(&self, key: &str, errors: &mut FieldErrors) -> Patch<&'a Vec<Value>> {
        match self.map.get(key) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Clear,
            Some(Value::Array(items)) => {
                let mut nul = false;
                for (index, item) in items.iter().enumerate() {
                    if matches!(item, Value::String(s) if s.contains('\0')) {
                        errors.add(format!("{}.{index}", self.path(key)), NUL);
                        nul = true;
                    }
                }
                if nul {
                    Patch::Absent
                } else {
                    Patch::Set(items)
                }
            }
            Some(_) => {
                errors.add(self.path(key), "must be an array");
                Patch::Absent
            }
        }
    }
}

/// A JSON integer (`3`, or `3.0`: JSON Schema's integers include numbers with a zero fraction),
/// or a string holding one (form bodies carry only strings).
pub fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                // Both bounds exclusive: `i64::MAX as f64` rounds up to 2^63, which does not fit,
                // and a float at exactly -2^63 may stand for a number below it (JSON's
                // -9223372036854775809 reads as that float). An integer literal in range never
                // gets here: `as_i64` took it.
                .filter(|f| f.fract() == 0.0 && *f > i64::MIN as f64 && *f < i64::MAX as f64)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Checks a required, trimmed text of 1..=max characters; returns it trimmed.
pub fn required_text(
    value: Patch<String>,
    path: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    match value {
        Patch::Set(s) => bounded_text(s, path, max, errors),
        Patch::Absent | Patch::Clear => {
            if !errors.contains(path) {
                errors.add(path, "is required");
            }
            None
        }
    }
}

/// Trims `value` and checks it is at most `max` characters.
pub fn bounded_text(
    value: String,
    path: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        errors.add(path, format!("must be at most {max} characters"));
        return None;
    }
    Some(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read<T>(body: Value, f: impl FnOnce(Object, &mut FieldErrors) -> T) -> (T, FieldErrors) {
        let mut errors = FieldErrors::new();
        let value = f(Object::root(&body).unwrap(), &mut errors);
        (value, errors)
    }

    #[test]
    fn integers_may_have_a_zero_fraction() {
        assert_eq!(as_integer(&json!(215.0)), Some(215));
        assert_eq!(as_integer(&json!(-3.0)), Some(-3));
        assert_eq!(as_integer(&json!(2.5)), None);
        assert_eq!(as_integer(&json!(1e300)), None);
        assert_eq!(as_integer(&json!(9.3e18)), None);
        // Just below i64's range, written as JSON: it reads as the float -2^63.
        let below: serde_json::Value = serde_json::from_str("-9223372036854775809").unwrap();
        assert_eq!(as_integer(&below), None);
        assert_eq!(as_integer(&json!(i64::MIN)), Some(i64::MIN));
    }

    #[test]
    fn text_distinguishes_absent_cleared_and_set() {
        let body = json!({"a": null, "b": "", "c": "x"});
        let (v, errors) = read(body, |o, e| {
            (
                o.text("a", e),
                o.text("b", e),
                o.text("c", e),
                o.text("d", e),
            )
        });
        assert_eq!(
            v,
            (
                Patch::Clear,
                Patch::Clear,
                Patch::Set("x".into()),
                Patch::Absent
            )
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn a_wrong_type_is_an_error_on_that_path() {
        let (_, errors) = read(json!({"name": 5}), |o, e| o.text("name", e));
        assert!(errors.contains("name"));
    }

    #[test]
    fn integers_and_booleans_may_come_as_form_strings() {
        let body = json!({"id": "42", "on": "true", "off": "0"});
        let (v, errors) = read(body, |o, e| {
            (o.integer("id", e), o.boolean("on", e), o.boolean("off", e))
        });
        assert_eq!(v, (Patch::Set(42), Patch::Set(true), Patch::Set(false)));
        assert!(errors.is_empty());
    }

    #[test]
    fn nul_is_refused_in_the_text_read_and_only_there() {
        let body = json!({"a": "x\u{0}", "list": ["ok", "n\u{0}l"], "unknown\u{0}": "\u{0}"});
        let (v, errors) = read(body, |o, e| {
            (o.text("a", e), o.array("list", e).is_absent())
        });
        assert_eq!(v, (Patch::Absent, true));
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            json!({"a": [NUL], "list.1": [NUL]})
        );
    }

    #[test]
    fn only_objects_are_bodies() {
        assert!(Object::root(&json!([1, 2])).is_err());
    }
}
