//! Tags on customers and companies (issue 19): short labels, normalized so that `VIP`, ` vip `
//! and `ｖｉｐ` are one tag, at most [`MAX_TAGS`] per record.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use super::input::{Object, Patch};
use super::FieldErrors;

/// Most tags one customer or company may carry.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters (after normalizing).
pub const MAX_TAG_LEN: usize = 50;

/// A tag as stored and compared: compatibility-normalized (NFKC: full-width and ligature forms
/// become plain letters), lower-cased, trimmed, inner whitespace runs made one space. `None`
/// with the reason when it can't be a tag.
pub fn normalize(raw: &str) -> Result<String, &'static str> {
    let folded: String = raw.nfkc().collect::<String>().to_lowercase();
    let tag = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    if tag.is_empty() {
        return Err("can't be blank");
    }
    if tag.chars().count() > MAX_TAG_LEN {
        return Err("must be at most 50 characters once normalized");
    }
    if tag.chars().any(|c| c == ',' || c.is_control()) {
        return Err("can't contain commas or control characters once normalized");
    }
    Ok(tag)
}

/// The record's tags after a body's `tags`: `None` when the body doesn't give them (they stay);
/// otherwise the whole new list, normalized, each once, sorted. `null` and `[]` remove them all.
pub fn parse(object: &Object, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let path = object.path("tags");
    let items = match object.array("tags", errors) {
        Patch::Absent => return None,
        Patch::Clear => return Some(Vec::new()),
        Patch::Set(items) => items,
    };
    let mut tags = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match item {
            Value::String(raw) => match normalize(raw) {
                Ok(tag) => tags.push(tag),
                Err(why) => errors.add(format!("{path}.{index}"), why),
            },
            _ => errors.add(format!("{path}.{index}"), "must be a string"),
        }
    }
    tags.sort();
    tags.dedup();
    if let Err(message) = check_limit(tags.len()) {
        errors.add(&path, message);
    }
    Some(tags)
}

/// At most [`MAX_TAGS`] on one record: the message says by how many a list is over.
pub fn check_limit(count: usize) -> Result<(), String> {
    match count.checked_sub(MAX_TAGS) {
        Some(over) if over > 0 => Err(format!(
            "would have {count} tags: {over} over the limit of {MAX_TAGS}"
        )),
        _ => Ok(()),
    }
}

/// Stored tags (a JSON array of normalized tags, sorted) as a list.
pub fn from_json(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

#[allow(clippy::expect_used, reason = "a list of strings always serializes")]
pub fn to_json(tags: &[String]) -> String {
    serde_json::to_string(tags).expect("strings serialize")
}

/// `?tag=vip&tag=beta` (or `tag[]=`): every tag given, normalized; the list must carry them all.
pub fn parse_filter(pairs: &[(String, String)], errors: &mut FieldErrors) -> Vec<String> {
    let mut tags = Vec::new();
    for (key, value) in pairs {
        if key == "tag" || key == "tag[]" {
            match normalize(value) {
                Ok(tag) => tags.push(tag),
                Err(why) => errors.add("tag", why),
            }
        }
    }
    tags.sort();
    tags.dedup();
    if tags.len() > MAX_TAGS {
        errors.add("tag", format!("at most {MAX_TAGS} tags"));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_are_folded_to_one_form() {
        assert_eq!(normalize(" VIP ").unwrap(), "vip");
        assert_eq!(normalize("ｖｉｐ").unwrap(), "vip");
        assert_eq!(normalize("Billing\t  Issue").unwrap(), "billing issue");
        assert_eq!(normalize("Straße").unwrap(), "straße");
        assert!(normalize("  ").is_err());
        assert!(normalize("a,b").is_err());
        assert!(normalize(&"x".repeat(51)).is_err());
        assert!(normalize(&"é".repeat(50)).is_ok());
    }

    fn parsed(body: Value) -> (Option<Vec<String>>, FieldErrors) {
        let object = Object::root(&body).unwrap();
        let mut errors = FieldErrors::new();
        (parse(&object, &mut errors), errors)
    }

    #[test]
    fn a_body_replaces_the_list_or_leaves_it() {
        assert_eq!(parsed(json!({})).0, None);
        assert_eq!(parsed(json!({"tags": null})).0, Some(vec![]));
        let (tags, errors) = parsed(json!({"tags": ["Beta", "vip", "VIP"]}));
        assert!(errors.is_empty());
        assert_eq!(tags.unwrap(), ["beta", "vip"]);
        let (_, errors) = parsed(json!({"tags": ["ok", 3, " "]}));
        assert!(errors.contains("tags.1") && errors.contains("tags.2"));
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let (_, errors) = parsed(json!({ "tags": many }));
        assert!(errors.contains("tags"));
        let (_, errors) = parsed(json!({"tags": "vip"}));
        assert!(errors.contains("tags"));
    }

    #[test]
    fn the_filter_takes_every_tag_given() {
        let pairs = vec![
            ("tag".to_string(), "VIP".to_string()),
            ("tag[]".to_string(), "beta".to_string()),
            ("q".to_string(), "x".to_string()),
        ];
        let mut errors = FieldErrors::new();
        assert_eq!(parse_filter(&pairs, &mut errors), ["beta", "vip"]);
        assert!(errors.is_empty());
    }
}
