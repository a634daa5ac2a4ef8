//! Company bodies (SPEC §6): create, update, upsert.

use std::collections::HashSet;

use serde_json::Value;

use super::contact::parse_web_url;
use super::custom_attribute::{self, AttributesChange};
use super::input::{required_text, Mode, Object, Patch};
use super::public_email_domains::is_public_email_domain;
use super::tag;
use super::FieldErrors;

pub const MAX_NAME_LEN: usize = 255;
pub const MAX_EXTERNAL_ID_LEN: usize = 255;
/// Most domains, and most external ids, one company may have.
pub const MAX_LIST_LEN: usize = 50;

/// A valid company body. Lists are lower-cased/trimmed and free of repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub domains: Option<Vec<String>>,
    pub external_ids: Option<Vec<String>>,
    pub tier_id: Patch<i64>,
    pub status_id: Patch<i64>,
    pub owner_id: Patch<i64>,
    pub revenue: Patch<i64>,
    pub size: Patch<i64>,
    pub logo_url: Patch<String>,
    /// The whole new list (normalized, sorted) when the body gives `tags`; an upsert adds them.
    pub tags: Option<Vec<String>>,
    /// Keys to set or remove; checked against the account's definitions by the service.
    pub custom_attributes: AttributesChange,
}

impl CompanyInput {
    /// `Create` requires `name`; `Replace` and `Patch` change the given fields (`domains` and
    /// `external_ids` replace the lists); `Upsert` also takes `external_id`, and its lists are
    /// merged into the match's.
    pub fn parse(body: &Value, mode: Mode) -> Result<CompanyInput, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let name = match (mode, object.text("name", &mut errors)) {
            (Mode::Create, value) => required_text(value, "name", MAX_NAME_LEN, &mut errors),
            (_, Patch::Absent) => None,
            (_, value) => required_text(value, "name", MAX_NAME_LEN, &mut errors),
        };
        let domains = read_list(&object, "domains", parse_domain, &mut errors);
        let mut external_ids = read_list(&object, "external_ids", parse_external_id, &mut errors);
        if mode == Mode::Upsert {
            if let Patch::Set(raw) = object.text("external_id", &mut errors) {
                match parse_external_id(&raw) {
                    Ok(id) => external_ids.get_or_insert_with(Vec::new).push(id),
                    Err(message) => errors.add("external_id", message),
                }
            }
            if let Some(ids) = external_ids.as_mut() {
                dedupe(ids);
            }
        }
        let input = CompanyInput {
            name,
            domains,
            external_ids,
            tier_id: positive_id(&object, "tier_id", &mut errors),
            status_id: positive_id(&object, "status_id", &mut errors),
            owner_id: positive_id(&object, "owner_id", &mut errors),
            revenue: non_negative(&object, "revenue", &mut errors),
            size: non_negative(&object, "size", &mut errors),
            logo_url: match object.text("logo_url", &mut errors) {
                Patch::Set(raw) => parse_web_url(&raw)
                    .map(Patch::Set)
                    .unwrap_or_else(|message| {
                        errors.add("logo_url", message);
                        Patch::Absent
                    }),
                other => other,
            },
            tags: tag::parse(&object, &mut errors),
            custom_attributes: custom_attribute::read(&object, &mut errors),
        };
        errors.into_result(input)
    }
}

/// A company domain: a lower-cased host name (IDNs in their ASCII form) with at least two
/// labels, and not a public email provider.
pub fn parse_domain(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('.');
    let invalid = || "must be a domain name like acme.com".to_string();
    let domain = match url::Host::parse(trimmed) {
        Ok(url::Host::Domain(domain)) => domain.to_lowercase(),
        _ => return Err(invalid()),
    };
    let labels_ok = domain.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if domain.len() > 253 || !domain.contains('.') || !labels_ok {
        return Err(invalid());
    }
    if is_public_email_domain(&domain) {
        return Err(format!(
            "{domain} is a public email provider, not a company's domain"
        ));
    }
    Ok(domain)
}

fn parse_external_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if id.is_empty() {
        return Err("is required".into());
    }
    if id.chars().count() > MAX_EXTERNAL_ID_LEN {
        return Err(format!("must be at most {MAX_EXTERNAL_ID_LEN} characters"));
    }
    Ok(id.to_string())
}

/// An array of strings, each checked by `parse`; `null` is an empty list. Repeats are dropped.
fn read_list(
    object: &Object,
    key: &str,
    parse: fn(&str) -> Result<String, String>,
    errors: &mut FieldErrors,
) -> Option<Vec<String>> {
    let items = match object.array(key, errors) {
        Patch::Set(items) => items,
        Patch::Clear => return Some(Vec::new()),
        Patch::Absent => return None,
    };
    if items.len() > MAX_LIST_LEN {
        errors.add(key, format!("may have at most {MAX_LIST_LEN} items"));
        return None;
    }
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("{key}.{index}");
        match item {
            Value::String(raw) => match parse(raw) {
                Ok(value) => out.push(value),
                Err(message) => errors.add(path, message),
            },
            _ => errors.add(path, "must be a string"),
        }
    }
    dedupe(&mut out);
    Some(out)
}

fn dedupe(items: &mut Vec<String>) {
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
}

fn positive_id(object: &Object, key: &str, errors: &mut FieldErrors) -> Patch<i64> {
    match object.integer(key, errors) {
        Patch::Set(id) if id <= 0 => {
            errors.add(key, "must be a positive integer");
            Patch::Absent
        }
        other => other,
    }
}

fn non_negative(object: &Object, key: &str, errors: &mut FieldErrors) -> Patch<i64> {
    match object.integer(key, errors) {
        Patch::Set(n) if n < 0 => {
            errors.add(key, "must be zero or more");
            Patch::Absent
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn domains_are_lower_cased_host_names() {
        assert_eq!(parse_domain(" ACME.com. "), Ok("acme.com".into()));
        assert_eq!(
            parse_domain("bücher.example"),
            Ok("xn--bcher-kva.example".into())
        );
        for bad in [
            "acme",
            "acme..com",
            "-acme.com",
            "acme.com/path",
            "http://acme.com",
            "10.0.0.1",
            "",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn public_email_providers_are_refused() {
        assert!(parse_domain("Gmail.com")
            .unwrap_err()
            .contains("public email provider"));
    }

    #[test]
    fn reads_the_seed_company() {
        let body = json!({"name": "ACME", "domains": ["acme.com"], "external_ids": ["cus-acme-12345"],
                          "tier_id": 3, "revenue": 1250, "size": 12});
        let input = CompanyInput::parse(&body, Mode::Create).unwrap();
        assert_eq!(input.domains, Some(vec!["acme.com".to_string()]));
        assert_eq!(
            (input.revenue, input.size, input.tier_id),
            (Patch::Set(1250), Patch::Set(12), Patch::Set(3))
        );
    }

    #[test]
    fn upserts_take_a_single_external_id_too() {
        let body = json!({"domains": ["acme.com", "ACME.dev", "acme.com"], "external_id": "own-customer-id"});
        let input = CompanyInput::parse(&body, Mode::Upsert).unwrap();
        assert_eq!(
            input.domains,
            Some(vec!["acme.com".to_string(), "acme.dev".to_string()])
        );
        assert_eq!(
            input.external_ids,
            Some(vec!["own-customer-id".to_string()])
        );
        assert_eq!(input.name, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let body =
            json!({"domains": ["gmail.com", 5], "revenue": -1, "tier_id": 0, "logo_url": "x"});
        let Err(errors) = CompanyInput::parse(&body, Mode::Create) else {
            panic!()
        };
        for key in [
            "name",
            "domains.0",
            "domains.1",
            "revenue",
            "tier_id",
            "logo_url",
        ] {
            assert!(errors.contains(key), "{key}");
        }
    }
}
