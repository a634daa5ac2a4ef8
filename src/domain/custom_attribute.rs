//! Custom attributes (issue 19): the fields an account defines for its customers or companies
//! (`plan`, `seats`, `renewal_date`, …), each with a type its values are checked against.
//!
//! A record shows its values as `custom_attributes: {key: value}`. A body's `custom_attributes`
//! sets the keys it gives (`null` removes one) and keeps the others. Lists filter by them:
//! `?custom_attributes[plan]=pro`, and numbers and dates by `[gt]`, `[gte]`, `[lt]`, `[lte]`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::input::{bounded_text, required_text, Mode, Object, Patch};
use super::text_fold::fold;
use super::{text_enum, FieldErrors};

/// Longest label, option and text value, in characters.
pub const MAX_LABEL_LEN: usize = 255;
pub const MAX_OPTION_LEN: usize = 100;
pub const MAX_TEXT_LEN: usize = 1_000;
/// Most options of a list, and most definitions per account and record kind.
pub const MAX_OPTIONS: usize = 100;
pub const MAX_DEFINITIONS: i64 = 100;
/// Longest indexed text: a text value is compared (and filtered) by its folded start.
const MAX_INDEXED_CHARS: usize = 200;

text_enum! {
    /// What kind of record a definition is for.
    pub enum AttributeOwner { Customer = "customer", Company = "company" }
}

text_enum! {
    /// A definition's type, which its values are checked against.
    pub enum AttributeType {
        Text = "text", Number = "number", Boolean = "boolean", Date = "date", List = "list"
    }
}

/// A valid definition body. On create every field but `options` (lists only) is required; on
/// update only `label` and `options` may change, and `None` leaves them alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionInput {
    pub key: Option<String>,
    pub label: Option<String>,
    pub data_type: Option<AttributeType>,
    pub object_type: Option<AttributeOwner>,
    pub options: Option<Vec<String>>,
}

impl DefinitionInput {
    pub fn parse(body: &Value, mode: Mode) -> Result<DefinitionInput, FieldErrors> {
        let creating = mode == Mode::Create;
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let fixed = "cannot be changed: delete the attribute and define it again";
        let key = match object.text("key", &mut errors) {
            Patch::Absent if !creating => None,
            _ if !creating => {
                errors.add("key", fixed);
                None
            }
            value => required_text(value, "key", 50, &mut errors).and_then(|key| {
                parse_key(&key)
                    .map_err(|message| errors.add("key", message))
                    .ok()
            }),
        };
        let label = match object.text("label", &mut errors) {
            Patch::Absent if !creating => None,
            value => required_text(value, "label", MAX_LABEL_LEN, &mut errors),
        };
        let data_type = match object.text("type", &mut errors) {
            Patch::Absent if !creating => None,
            _ if !creating => {
                errors.add("type", fixed);
                None
            }
            Patch::Set(raw) => AttributeType::parse(raw.trim()).or_else(|| {
                errors.add("type", AttributeType::choices());
                None
            }),
            _ => {
                errors.add("type", "is required");
                None
            }
        };
        let object_type = match object.text("object_type", &mut errors) {
            Patch::Absent if !creating => None,
            _ if !creating => {
                errors.add("object_type", fixed);
                None
            }
            Patch::Set(raw) => AttributeOwner::parse(raw.trim()).or_else(|| {
                errors.add("object_type", AttributeOwner::choices());
                None
            }),
            _ => {
                errors.add("object_type", "is required");
                None
            }
        };
        let options = read_options(&object, &mut errors);
        match (data_type, &options) {
            (Some(AttributeType::List), None) if creating => {
                errors.add("options", "is required for a list: the values it may take")
            }
            (Some(t), Some(_)) if t != AttributeType::List => {
                errors.add("options", "is only for the list type")
            }
            _ => {}
        }
        errors.into_result(DefinitionInput {
            key,
            label,
            data_type,
            object_type,
            options,
        })
    }
}

/// A key: 1–50 of `a-z`, `0-9` and `_`, starting with a letter (it names a query parameter and
/// a JSON field, so it stays plain).
pub fn parse_key(raw: &str) -> Result<String, &'static str> {
    let key = raw.trim();
    let mut chars = key.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    match plain && key.len() <= 50 {
        true => Ok(key.to_string()),
        false => Err("must be 1–50 of a-z, 0-9 and _, starting with a letter"),
    }
}

fn read_options(object: &Object, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let items = match object.array("options", errors) {
        Patch::Set(items) => items,
        Patch::Clear => {
            errors.add("options", "must be an array of the values a list may take");
            return None;
        }
        Patch::Absent => return None,
    };
    if items.is_empty() || items.len() > MAX_OPTIONS {
        errors.add("options", format!("must hold 1 to {MAX_OPTIONS} values"));
        return None;
    }
    let mut options: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let path = format!("options.{index}");
        let Value::String(raw) = item else {
            errors.add(path, "must be a string");
            continue;
        };
        let Some(option) = bounded_text(raw.clone(), &path, MAX_OPTION_LEN, errors) else {
            continue;
        };
        if option.is_empty() {
            errors.add(path, "must not be blank");
        } else if options.contains(&option) {
            errors.add(path, "is listed twice");
        } else {
            options.push(option);
        }
    }
    Some(options)
}

/// What a record's values are checked against: a definition's type (and a list's options).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRule {
    pub data_type: AttributeType,
    pub options: Vec<String>,
}

/// A checked value: as the record shows it, and as the value index compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeValue {
    pub json: Value,
    /// Text (folded, for case- and accent-blind equality), a list's option, `true`/`false`, or
    /// a date as `YYYY-MM-DD` (which orders as dates do).
    pub text: Option<String>,
    pub number: Option<f64>,
}

impl AttributeRule {
    /// Checks a value from a body (or a form, whose numbers and booleans are text).
    pub fn check(&self, value: &Value) -> Result<AttributeValue, String> {
        match self.data_type {
            AttributeType::Text => match value {
                Value::String(s) if s.chars().count() > MAX_TEXT_LEN => {
                    Err(format!("must be at most {MAX_TEXT_LEN} characters"))
                }
                Value::String(s) if s.contains('\0') => {
                    Err("must not contain NUL characters".into())
                }
                Value::String(s) => Ok(AttributeValue {
                    json: Value::String(s.trim().to_string()),
                    text: Some(indexed_text(s)),
                    number: None,
                }),
                _ => Err("must be a string (a text attribute)".into()),
            },
            AttributeType::Number => {
                let number = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => parse_number(s),
                    _ => None,
                };
                match number {
                    Some(n) => Ok(AttributeValue {
                        json: serde_json::Number::from_f64(n).map_or(Value::Null, |n| {
                            // Whole numbers show without a fraction, as they were most likely sent.
                            match n.as_f64() {
                                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                                    Value::from(f as i64)
                                }
                                _ => Value::Number(n),
                            }
                        }),
                        text: None,
                        number: Some(n),
                    }),
                    None => Err("must be a number (a number attribute)".into()),
                }
            }
            AttributeType::Boolean => {
                let flag = match value {
                    Value::Bool(b) => Some(*b),
                    Value::String(s) => parse_boolean(s),
                    _ => None,
                };
                match flag {
                    Some(b) => Ok(AttributeValue {
                        json: Value::Bool(b),
                        text: Some(b.to_string()),
                        number: None,
                    }),
                    None => Err("must be true or false (a boolean attribute)".into()),
                }
            }
            AttributeType::Date => match value.as_str().and_then(parse_date) {
                Some(date) => Ok(AttributeValue {
                    json: Value::String(date.clone()),
                    text: Some(date),
                    number: None,
                }),
                None => Err("must be a date like 2026-12-31 (a date attribute)".into()),
            },
            AttributeType::List => match value.as_str().map(str::trim) {
                Some(option) if self.options.iter().any(|o| o == option) => Ok(AttributeValue {
                    json: Value::String(option.to_string()),
                    text: Some(option.to_string()),
                    number: None,
                }),
                _ => Err(format!(
                    "must be one of the list's options: {}",
                    self.options.join(", ")
                )),
            },
        }
    }
}

fn parse_number(raw: &str) -> Option<f64> {
    raw.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_boolean(raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `YYYY-MM-DD`, a real date.
fn parse_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// A text value as the index compares it: folded, trimmed, cut to an index entry's size.
fn indexed_text(raw: &str) -> String {
    let folded = fold(raw.trim());
    match folded.char_indices().nth(MAX_INDEXED_CHARS) {
        Some((end, _)) => folded[..end].to_string(),
        None => folded,
    }
}

/// A body's `custom_attributes`: each key given is set, or removed by `null`; keys not given stay.
/// `"custom_attributes": null` removes them all. Values are checked against the definitions
/// by [`apply`], which needs them from the database.
pub type AttributesChange = Patch<Vec<(String, Value)>>;

/// Reads `custom_attributes` from a body: its shape only (an object of scalars).
pub fn read(object: &Object, errors: &mut FieldErrors) -> AttributesChange {
    let map = match object.get("custom_attributes") {
        None => return Patch::Absent,
        // A form writes an empty object (or null) as an empty value.
        Some(Value::Null) => return Patch::Clear,
        Some(Value::String(s)) if s.trim().is_empty() => return Patch::Clear,
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.add(
                "custom_attributes",
                "must be an object of key → value, like {\"plan\": \"pro\"}",
            );
            return Patch::Absent;
        }
    };
    let mut changes = Vec::with_capacity(map.len());
    for (key, value) in map {
        let path = format!("custom_attributes.{key}");
        if let Err(message) = parse_key(key) {
            errors.add(path, message);
        } else if matches!(value, Value::Object(_) | Value::Array(_)) {
            errors.add(path, "must be a single value (or null to remove it)");
        } else {
            changes.push((key.clone(), value.clone()));
        }
    }
    Patch::Set(changes)
}

/// A record's values, by key (sorted, so the stored JSON is stable).
pub type Attributes = BTreeMap<String, Value>;

/// What a write changes in the value index, by key: `Some` sets the value, `None` removes it.
pub type IndexChanges = Vec<(String, Option<AttributeValue>)>;

/// A record's values after `change`, each checked against its definition in `rules` (by key):
/// the values to show, and what changed in the index (`Some` value set, `None` removed).
/// Errors are named `custom_attributes.<key>`.
pub fn apply(
    current: &Attributes,
    change: &AttributesChange,
    rules: &BTreeMap<String, AttributeRule>,
    owner: AttributeOwner,
) -> Result<(Attributes, IndexChanges), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut after = current.clone();
    let mut indexed = Vec::new();
    match change {
        Patch::Absent => {}
        Patch::Clear => {
            indexed.extend(current.keys().map(|key| (key.clone(), None)));
            after.clear();
        }
        Patch::Set(changes) => {
            for (key, value) in changes {
                let path = format!("custom_attributes.{key}");
                let Some(rule) = rules.get(key) else {
                    errors.add(
                        path,
                        format!(
                            "is not a custom attribute of {} (define it at /custom_attribute_definitions)",
                            owner.plural()
                        ),
                    );
                    continue;
                };
                if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
                    if after.remove(key).is_some() {
                        indexed.push((key.clone(), None));
                    }
                    continue;
                }
                match rule.check(value) {
                    Ok(checked) => {
                        if after.get(key) != Some(&checked.json) {
                            after.insert(key.clone(), checked.json.clone());
                            indexed.push((key.clone(), Some(checked)));
                        }
                    }
                    Err(message) => errors.add(path, message),
                }
            }
        }
    }
    errors.into_result((after, indexed))
}

impl AttributeOwner {
    /// `customers` or `companies`.
    pub fn plural(self) -> &'static str {
        match self {
            AttributeOwner::Customer => "customers",
            AttributeOwner::Company => "companies",
        }
    }
}

/// The stored JSON of a record's values.
pub fn to_json(attributes: &Attributes) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "{}".into())
}

/// A record's values from its stored JSON (`{}` when unreadable, which the server never writes).
pub fn from_json(json: &str) -> Attributes {
    serde_json::from_str::<Map<String, Value>>(json)
        .map(|map| map.into_iter().collect())
        .unwrap_or_default()
}

/// How a list filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Comparison {
    fn parse(raw: &str) -> Option<Comparison> {
        Some(match raw {
            "eq" => Comparison::Eq,
            "gt" => Comparison::Gt,
            "gte" => Comparison::Gte,
            "lt" => Comparison::Lt,
            "lte" => Comparison::Lte,
            _ => return None,
        })
    }
}

/// One `custom_attributes[key]` or `custom_attributes[key][op]` of a list's query, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFilter {
    /// The query parameter, for errors.
    pub param: String,
    pub key: String,
    pub comparison: Comparison,
    pub value: String,
}

/// The `custom_attributes[…]` parameters of a query string; a malformed one is an error.
pub fn read_filters(pairs: &[(String, String)], errors: &mut FieldErrors) -> Vec<RawFilter> {
    let mut filters = Vec::new();
    for (param, value) in pairs {
        let Some(rest) = param.strip_prefix("custom_attributes[") else {
            continue;
        };
        let parsed = rest.split_once(']').and_then(|(key, tail)| {
            let comparison = match tail {
                "" => Some(Comparison::Eq),
                _ => tail
                    .strip_prefix('[')
                    .and_then(|t| t.strip_suffix(']'))
                    .and_then(Comparison::parse),
            }?;
            parse_key(key).ok().map(|key| (key, comparison))
        });
        match parsed {
            Some((key, comparison)) => filters.push(RawFilter {
                param: param.clone(),
                key,
                comparison,
                value: value.trim().to_string(),
            }),
            None => errors.add(
                param.clone(),
                "must be custom_attributes[key] or custom_attributes[key][gt|gte|lt|lte]",
            ),
        }
    }
    filters
}

/// A filter checked against its definition: what the value index compares.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeFilter {
    pub key: String,
    pub comparison: Comparison,
    pub value: FilterValue,
}

impl AttributeFilter {
    /// The value index column it compares.
    pub fn column(&self) -> &'static str {
        match self.value {
            FilterValue::Text(_) => "text_value",
            FilterValue::Number(_) => "number_value",
        }
    }

    /// Its comparison in SQL.
    pub fn operator(&self) -> &'static str {
        match self.comparison {
            Comparison::Eq => "=",
            Comparison::Gt => ">",
            Comparison::Gte => ">=",
            Comparison::Lt => "<",
            Comparison::Lte => "<=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Text(String),
    Number(f64),
}

impl RawFilter {
    /// Checks the filter against the attribute's rule (`None`: no such attribute).
    pub fn resolve(
        &self,
        rule: Option<&AttributeRule>,
        owner: AttributeOwner,
    ) -> Result<AttributeFilter, String> {
        let Some(rule) = rule else {
            return Err(format!("is not a custom attribute of {}", owner.plural()));
        };
        let ordered = matches!(rule.data_type, AttributeType::Number | AttributeType::Date);
        if self.comparison != Comparison::Eq && !ordered {
            return Err(
                "compares numbers and dates only (a range on a text, list or boolean attribute)"
                    .into(),
            );
        }
        let checked = rule.check(&Value::String(self.value.clone()))?;
        let value = match checked.number {
            Some(n) => FilterValue::Number(n),
            None => FilterValue::Text(checked.text.unwrap_or_default()),
        };
        Ok(AttributeFilter {
            key: self.key.clone(),
            comparison: self.comparison,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::paging::pairs;
    use serde_json::json;

    fn rules() -> BTreeMap<String, AttributeRule> {
        let rule = |data_type, options: &[&str]| AttributeRule {
            data_type,
            options: options.iter().map(|o| o.to_string()).collect(),
        };
        BTreeMap::from([
            ("plan".into(), rule(AttributeType::List, &["free", "pro"])),
            ("seats".into(), rule(AttributeType::Number, &[])),
            ("vip".into(), rule(AttributeType::Boolean, &[])),
            ("renewal".into(), rule(AttributeType::Date, &[])),
            ("notes".into(), rule(AttributeType::Text, &[])),
        ])
    }

    fn change(body: Value) -> AttributesChange {
        let mut errors = FieldErrors::new();
        let change = read(&Object::root(&body).unwrap(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        change
    }

    #[test]
    fn values_are_checked_against_their_types() {
        let body = json!({"custom_attributes": {"plan": "pro", "seats": "12", "vip": "true",
            "renewal": "2026-12-31", "notes": " Émile's account "}});
        let (after, indexed) = apply(
            &Attributes::new(),
            &change(body),
            &rules(),
            AttributeOwner::Customer,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&after).unwrap(),
            json!({"notes": "Émile's account", "plan": "pro", "renewal": "2026-12-31", "seats": 12, "vip": true})
        );
        let notes = indexed.iter().find(|(k, _)| k == "notes").unwrap();
        assert_eq!(
            notes.1.as_ref().unwrap().text.as_deref(),
            Some("emile's account")
        );

        let bad = json!({"custom_attributes": {"plan": "gold", "seats": "ten", "vip": "yes",
            "renewal": "2026-02-30", "notes": 5, "unknown": 1}});
        let errors = apply(
            &Attributes::new(),
            &change(bad),
            &rules(),
            AttributeOwner::Customer,
        )
        .unwrap_err();
        for key in ["plan", "seats", "vip", "renewal", "notes", "unknown"] {
            assert!(
                errors.contains(&format!("custom_attributes.{key}")),
                "{key}"
            );
        }
    }

    #[test]
    fn null_removes_a_key_and_others_stay() {
        let current: Attributes =
            BTreeMap::from([("plan".into(), json!("pro")), ("seats".into(), json!(3))]);
        let (after, indexed) = apply(
            &current,
            &change(json!({"custom_attributes": {"plan": null, "seats": 3}})),
            &rules(),
            AttributeOwner::Customer,
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&after).unwrap(), json!({"seats": 3}));
        assert_eq!(
            indexed,
            vec![("plan".to_string(), None)],
            "an unchanged value writes nothing"
        );
        // A form's empty value removes them all, as null does.
        assert_eq!(change(json!({"custom_attributes": ""})), Patch::Clear);
    }

    #[test]
    fn definitions_are_checked() {
        let ok = json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer", "options": ["free", "pro"]});
        assert!(DefinitionInput::parse(&ok, Mode::Create).is_ok());
        let bad = json!({"key": "Plan!", "label": "", "type": "money", "object_type": "deal", "options": ["a", "a"]});
        let errors = DefinitionInput::parse(&bad, Mode::Create).unwrap_err();
        for key in ["key", "label", "type", "object_type", "options.1"] {
            assert!(errors.contains(key), "{key}: {errors:?}");
        }
        let list_without_options =
            json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer"});
        assert!(DefinitionInput::parse(&list_without_options, Mode::Create)
            .unwrap_err()
            .contains("options"));
        let retyped = json!({"type": "text", "key": "other"});
        let errors = DefinitionInput::parse(&retyped, Mode::Patch).unwrap_err();
        assert!(errors.contains("type") && errors.contains("key"));
    }

    #[test]
    fn filters_read_and_resolve() {
        let mut errors = FieldErrors::new();
        let raw = read_filters(
            &pairs(&[
                ("custom_attributes[plan]", "pro"),
                ("custom_attributes[seats][gt]", "10"),
                ("custom_attributes[bad key]", "x"),
                ("custom_attributes[seats][between]", "x"),
            ]),
            &mut errors,
        );
        assert_eq!(raw.len(), 2);
        assert!(errors.contains("custom_attributes[bad key]"));
        assert!(errors.contains("custom_attributes[seats][between]"));
        let rules = rules();
        let seats = raw[1]
            .resolve(rules.get("seats"), AttributeOwner::Customer)
            .unwrap();
        assert_eq!(seats.value, FilterValue::Number(10.0));
        assert!(raw[0]
            .resolve(rules.get("plan"), AttributeOwner::Customer)
            .is_ok());
        let text_gt = RawFilter {
            param: "custom_attributes[plan][gt]".into(),
            key: "plan".into(),
            comparison: Comparison::Gt,
            value: "pro".into(),
        };
        assert!(text_gt
            .resolve(rules.get("plan"), AttributeOwner::Customer)
            .is_err());
        assert!(raw[0].resolve(None, AttributeOwner::Customer).is_err());
    }
}
