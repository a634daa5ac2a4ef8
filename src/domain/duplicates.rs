//! Duplicate candidates: why two customers may be one person, how sure that is, and the query
//! of `GET /customers/duplicates`.

use super::cursor::Cursor;
use super::paging::{param, refuse_unknown, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use super::{text_enum, FieldErrors};

text_enum! {
    /// What the customers of a group share: an email's canonical form (`jane.doe+x@gmail.com` =
    /// `janedoe@gmail.com`), a phone's digits, or a name and an email at one company domain
    /// (public email providers don't count).
    pub enum Reason { Email = "email", Phone = "phone", NameDomain = "name_domain" }
}

impl Reason {
    /// How likely two customers sharing this are one person.
    pub fn score(self) -> f64 {
        match self {
            Reason::Email => 0.9,
            Reason::Phone => 0.7,
            Reason::NameDomain => 0.6,
        }
    }
}

/// Two customers sharing several reasons: each is independent evidence.
pub fn combined_score(reasons: &[Reason]) -> f64 {
    let unlikely: f64 = reasons.iter().map(|r| 1.0 - r.score()).product();
    ((1.0 - unlikely) * 100.0).round() / 100.0
}

/// A `name_domain` key: the domain, then the name's sort key (`text_fold::sort_key`: case and
/// accents folded away, so `Jane Doe` and `jane doe` share it); a domain has no `|`.
pub fn name_domain_key(sort_name: &str, domain: &str) -> String {
    format!("{domain}|{sort_name}")
}

/// The name and domain of a `name_domain` key.
pub fn split_name_domain_key(key: &str) -> Option<(&str, &str)> {
    key.split_once('|').map(|(domain, name)| (name, domain))
}

/// `GET /customers/duplicates?reason=&limit=&cursor=`.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatesQuery {
    pub reason: Option<Reason>,
    pub limit: i64,
    /// The last group of the page before: `(reason, key)`.
    pub after: Option<(Reason, String)>,
}

const KEYS: [&str; 3] = ["reason", "limit", "cursor"];

impl DuplicatesQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<DuplicatesQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        refuse_unknown(
            pairs,
            &KEYS,
            "is not a parameter of this list (reason, limit, cursor)",
            &mut errors,
        );
        let reason = param(pairs, "reason").and_then(|raw| {
            let reason = Reason::parse(raw);
            if reason.is_none() {
                errors.add("reason", Reason::choices());
            }
            reason
        });
        let limit = match param(pairs, "limit").map(str::parse::<i64>) {
            None => DEFAULT_PER_PAGE,
            Some(Ok(n)) if (1..=MAX_PER_PAGE).contains(&n) => n,
            Some(_) => {
                errors.add(
                    "limit",
                    format!("must be an integer from 1 to {MAX_PER_PAGE}"),
                );
                DEFAULT_PER_PAGE
            }
        };
        let after = param(pairs, "cursor").and_then(|raw| {
            let after = Cursor::decode(raw)
                .and_then(|c| Some((Reason::parse(&c.sort)?, c.value)))
                .filter(|(r, _)| reason.is_none_or(|wanted| wanted == *r));
            if after.is_none() {
                errors.add("cursor", "is not a cursor of this list");
            }
            after
        });
        errors.into_result(DuplicatesQuery {
            reason,
            limit,
            after,
        })
    }
}

/// The cursor after group `(reason, key)`.
pub fn cursor_after(reason: Reason, key: &str) -> String {
    Cursor {
        sort: reason.as_str().to_string(),
        value: key.to_string(),
        id: 0,
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::paging::pairs;

    #[test]
    fn scores_combine_as_independent_evidence() {
        assert_eq!(combined_score(&[Reason::Email]), 0.9);
        assert_eq!(combined_score(&[Reason::Email, Reason::Phone]), 0.97);
        assert_eq!(combined_score(&[]), 0.0);
    }

    #[test]
    fn reads_the_query_and_its_cursor() {
        let cursor = cursor_after(Reason::Phone, "15550100000");
        let query = DuplicatesQuery::parse(&pairs(&[("limit", "5"), ("cursor", &cursor)])).unwrap();
        assert_eq!(query.limit, 5);
        assert_eq!(query.after, Some((Reason::Phone, "15550100000".into())));
        let bad = DuplicatesQuery::parse(&pairs(&[
            ("reason", "nickname"),
            ("limit", "0"),
            ("cursor", "x"),
            ("sort", "name"),
        ]))
        .unwrap_err();
        let keys: Vec<String> = serde_json::to_value(bad)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["cursor", "limit", "reason", "sort"]);
        let key = name_domain_key("jane | doe", "acme.com");
        assert_eq!(
            split_name_domain_key(&key),
            Some(("jane | doe", "acme.com"))
        );
    }
}
