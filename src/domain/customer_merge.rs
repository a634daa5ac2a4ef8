//! The body of `POST /customers/{id}/merge`, and the rule that picks each field's value.

use chrono::NaiveDateTime;
use serde_json::Value;

use super::input::{as_integer, Object, Patch};
use super::FieldErrors;

/// Most customers one merge may fold into its target.
pub const MAX_SOURCES: usize = 50;

/// The fields a rule may name, in the order a body's errors list them.
pub const FIELDS: [&str; 5] = ["first_name", "last_name", "company", "avatar", "company_id"];

/// Where a field of the merged customer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    /// The target's value, or when it has none the first source's (in `from` order) that has one.
    #[default]
    TargetFirst,
    /// The target's value, even none.
    Target,
    /// The first source's value (in `from` order) that has one, else the target's.
    Source,
    /// The value of the most recently updated customer that has one.
    Newest,
}

/// A valid merge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequest {
    /// The customers merged into the target: distinct, in the order given.
    pub from: Vec<i64>,
    /// Show the result and what moves, write nothing.
    pub preview: bool,
    /// One rule per field of [`FIELDS`], in that order.
    pub rules: [Rule; 5],
}

impl MergeRequest {
    pub fn parse(body: &Value, target: i64) -> Result<MergeRequest, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let from = read_from(&object, target, &mut errors);
        let preview = match object.boolean("preview", &mut errors) {
            Patch::Set(preview) => preview,
            _ => false,
        };
        let rules = read_rules(&object, &mut errors);
        errors.into_result(MergeRequest {
            from,
            preview,
            rules,
        })
    }

    pub fn rule(&self, field: &str) -> Rule {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .map_or(Rule::TargetFirst, |i| self.rules[i])
    }
}

fn read_from(object: &Object, target: i64, errors: &mut FieldErrors) -> Vec<i64> {
    let items = match object.get("from") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        // A form body with one id, or a lone id: `from=12`.
        Some(single @ (Value::String(_) | Value::Number(_))) => std::slice::from_ref(single),
        _ => {
            errors.add("from", "must list the ids of the customers to merge in");
            return Vec::new();
        }
    };
    if items.len() > MAX_SOURCES {
        errors.add(
            "from",
            format!("may list at most {MAX_SOURCES} customers per merge"),
        );
        return Vec::new();
    }
    let mut from = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("from.{index}");
        match as_integer(item) {
            Some(id) if id == target => errors.add(
                path,
                "is the customer merged into: a customer can't merge with itself",
            ),
            Some(id) if from.contains(&id) => errors.add(path, "is listed twice"),
            Some(id) if id > 0 => from.push(id),
            _ => errors.add(path, "must be a customer id"),
        }
    }
    from
}

fn read_rules(object: &Object, errors: &mut FieldErrors) -> [Rule; 5] {
    let mut rules = [Rule::TargetFirst; 5];
    let map = match object.get("rules") {
        None | Some(Value::Null) => return rules,
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.add(
                "rules",
                "must be an object of field → target, source or newest",
            );
            return rules;
        }
    };
    for (field, value) in map {
        let path = format!("rules.{field}");
        let Some(index) = FIELDS.iter().position(|f| f == field) else {
            errors.add(
                path,
                format!("is not a field a rule may pick ({})", FIELDS.join(", ")),
            );
            continue;
        };
        rules[index] = match value.as_str().map(str::trim) {
            Some("target") => Rule::Target,
            Some("source") => Rule::Source,
            Some("newest") => Rule::Newest,
            _ => {
                errors.add(path, "must be target, source or newest");
                continue;
            }
        };
    }
    rules
}

/// One customer's value of a field, and when that customer was last updated.
#[derive(Debug)]
pub struct Candidate<'a, T> {
    pub value: Option<&'a T>,
    pub updated_at: NaiveDateTime,
}

// By hand: a derive would ask `T: Copy`, and only the reference is copied.
impl<T> Clone for Candidate<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Candidate<'_, T> {}

/// The merged value: `target` first, then `sources` in `from` order.
pub fn pick<'a, T>(
    rule: Rule,
    target: Candidate<'a, T>,
    sources: &[Candidate<'a, T>],
) -> Option<&'a T> {
    let first_source = || sources.iter().find_map(|c| c.value);
    match rule {
        Rule::Target => target.value,
        Rule::TargetFirst => target.value.or_else(first_source),
        Rule::Source => first_source().or(target.value),
        Rule::Newest => std::iter::once(&target)
            .chain(sources)
            .filter(|c| c.value.is_some())
            // The first of equals wins: the target, then sources in order.
            .fold(None::<&Candidate<T>>, |best, c| match best {
                Some(b) if b.updated_at >= c.updated_at => Some(b),
                _ => Some(c),
            })
            .and_then(|c| c.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(body: Value) -> Vec<String> {
        let errors = serde_json::to_value(MergeRequest::parse(&body, 1).unwrap_err()).unwrap();
        errors.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn reads_ids_preview_and_rules() {
        let body = json!({"from": [3, "2"], "preview": "true", "rules": {"last_name": "newest"}});
        let request = MergeRequest::parse(&body, 1).unwrap();
        assert_eq!(request.from, [3, 2]);
        assert!(request.preview);
        assert_eq!(request.rule("last_name"), Rule::Newest);
        assert_eq!(request.rule("first_name"), Rule::TargetFirst);
        assert_eq!(
            MergeRequest::parse(&json!({"from": "4"}), 1).unwrap().from,
            [4]
        );
    }

    #[test]
    fn names_each_problem() {
        assert_eq!(errors_of(json!({})), ["from"]);
        assert_eq!(errors_of(json!({"from": []})), ["from"]);
        assert_eq!(
            errors_of(json!({"from": [1, 2, 2, "x", -3]})),
            ["from.0", "from.2", "from.3", "from.4"]
        );
        assert_eq!(
            errors_of(json!({"from": [2], "rules": {"email": "target", "company": "oldest"}})),
            ["rules.company", "rules.email"]
        );
        let many: Vec<i64> = (2..=52).collect();
        assert_eq!(errors_of(json!({ "from": many })), ["from"]);
    }

    #[test]
    fn each_rule_picks_its_value() {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
        let (a, b, c) = (
            "target".to_string(),
            "older".to_string(),
            "newer".to_string(),
        );
        let target = Candidate {
            value: None,
            updated_at: at(5),
        };
        let sources = [
            Candidate {
                value: Some(&b),
                updated_at: at(1),
            },
            Candidate {
                value: Some(&c),
                updated_at: at(9),
            },
        ];
        assert_eq!(pick(Rule::TargetFirst, target, &sources), Some(&b));
        assert_eq!(pick(Rule::Target, target, &sources), None);
        assert_eq!(pick(Rule::Newest, target, &sources), Some(&c));
        let target = Candidate {
            value: Some(&a),
            updated_at: at(5),
        };
        assert_eq!(pick(Rule::TargetFirst, target, &sources), Some(&a));
        assert_eq!(pick(Rule::Source, target, &sources), Some(&b));
        assert_eq!(pick(Rule::Newest, target, &sources[..1]), Some(&a));
    }
}
