//! Event types, the patterns that select them (`customer.*`), and the feed's query and cursor.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::paging::{param, refuse_unknown};
use super::FieldErrors;

/// Every event type the feed carries, kind by kind.
pub const TYPES: &[&str] = &[
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.merged",
    "conversation.created",
    "conversation.updated",
    "conversation.deleted",
    "interaction.created",
    "company.created",
    "company.updated",
    "company.deleted",
    "customer_request.created",
    "customer_request.updated",
    "customer_request.deleted",
    "note.created",
    "note.updated",
    "note.deleted",
];

/// The types `pattern` selects: one type, `kind.*` (every type of a kind) or `*` (all); `None`
/// when it names no type.
pub fn expand(pattern: &str) -> Option<Vec<&'static str>> {
    let pattern = pattern.trim();
    let selected: Vec<&'static str> = match pattern.strip_suffix(".*") {
        _ if pattern == "*" => TYPES.to_vec(),
        Some(kind) => TYPES
            .iter()
            .copied()
            .filter(|t| t.split_once('.').is_some_and(|(k, _)| k == kind))
            .collect(),
        None => TYPES.iter().copied().filter(|t| *t == pattern).collect(),
    };
    (!selected.is_empty()).then_some(selected)
}

/// The types a list of patterns selects, in [`TYPES`] order, each once; the patterns that
/// select nothing are reported as `field.N`.
pub fn select(
    patterns: &[String],
    field: &str,
    errors: &mut FieldErrors,
) -> Option<Vec<&'static str>> {
    let mut chosen = Vec::new();
    for (index, pattern) in patterns.iter().enumerate() {
        match expand(pattern) {
            Some(types) => chosen.extend(types),
            None => errors.add(
                format!("{field}.{index}"),
                "is not an event type (customer.created, …) or a `kind.*` pattern",
            ),
        }
    }
    let selected: Vec<&'static str> = TYPES
        .iter()
        .copied()
        .filter(|t| chosen.contains(t))
        .collect();
    (!selected.is_empty()).then_some(selected)
}

/// Where a feed reader stands: the last event read (`position`, `id`) and when it was written,
/// so a cursor older than the retention is told apart (410) from one that is merely quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(rename = "p")]
    pub position: i64,
    pub id: i64,
    /// Microseconds since the Unix epoch.
    #[serde(rename = "t")]
    pub at_micros: i64,
}

impl FeedCursor {
    pub fn new(position: i64, id: i64, at: NaiveDateTime) -> FeedCursor {
        FeedCursor {
            position,
            id,
            at_micros: at.and_utc().timestamp_micros(),
        }
    }

    #[allow(clippy::expect_used, reason = "a struct of numbers always serializes")]
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serializes"))
    }

    pub fn decode(text: &str) -> Option<FeedCursor> {
        if text.len() > 512 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let cursor: FeedCursor = serde_json::from_slice(&bytes).ok()?;
        (cursor.position >= 0 && cursor.id >= 0).then_some(cursor)
    }

    pub fn at(&self) -> Option<NaiveDateTime> {
        chrono::DateTime::from_timestamp_micros(self.at_micros).map(|t| t.naive_utc())
    }
}

pub const DEFAULT_FEED_PAGE: i64 = 100;
pub const MAX_FEED_PAGE: i64 = 1000;

/// `GET /events?after=&types=&per_page=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedQuery {
    /// `None`: from the oldest event kept.
    pub after: Option<FeedCursor>,
    /// `None`: every type.
    pub types: Option<Vec<&'static str>>,
    pub per_page: i64,
}

impl FeedQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<FeedQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        refuse_unknown(
            pairs,
            &["after", "types", "per_page"],
            "is not a parameter of the event feed",
            &mut errors,
        );
        let after = param(pairs, "after").and_then(|raw| {
            let cursor = FeedCursor::decode(raw);
            if cursor.is_none() {
                errors.add(
                    "after",
                    "is not a cursor of the feed (take it from meta.next_cursor)",
                );
            }
            cursor
        });
        let types = param(pairs, "types").and_then(|raw| {
            let patterns: Vec<String> = raw.split(',').map(str::to_string).collect();
            select(&patterns, "types", &mut errors)
        });
        let per_page = match param(pairs, "per_page").map(|raw| raw.trim().parse::<i64>()) {
            None => DEFAULT_FEED_PAGE,
            Some(Ok(n)) if (1..=MAX_FEED_PAGE).contains(&n) => n,
            Some(_) => {
                errors.add(
                    "per_page",
                    format!("must be a whole number from 1 to {MAX_FEED_PAGE}"),
                );
                DEFAULT_FEED_PAGE
            }
        };
        errors.into_result(FeedQuery {
            after,
            types,
            per_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn patterns_select_types_and_unknown_ones_are_named() {
        assert_eq!(
            expand("customer.*").unwrap(),
            [
                "customer.created",
                "customer.updated",
                "customer.deleted",
                "customer.merged"
            ]
        );
        assert_eq!(expand("company.deleted").unwrap(), ["company.deleted"]);
        assert_eq!(expand("*").unwrap().len(), TYPES.len());
        assert!(expand("customer").is_none());
        assert!(expand("customers.*").is_none());
        let mut errors = FieldErrors::new();
        let chosen = select(
            &[
                "interaction.*".into(),
                "customer.created".into(),
                "nope".into(),
            ],
            "events",
            &mut errors,
        );
        assert_eq!(chosen.unwrap(), ["customer.created", "interaction.created"]);
        assert!(errors.contains("events.2"));
    }

    #[test]
    fn feed_query_reads_cursor_types_and_page() {
        let cursor = FeedCursor::new(7, 9, chrono::DateTime::UNIX_EPOCH.naive_utc());
        let query = FeedQuery::parse(&pairs(&[
            ("after", &cursor.encode()),
            ("types", "customer.*,company.created"),
            ("per_page", "500"),
        ]))
        .unwrap();
        assert_eq!(query.after, Some(cursor));
        assert_eq!(query.types.unwrap().len(), 5);
        assert_eq!(query.per_page, 500);
        let errors = FeedQuery::parse(&pairs(&[
            ("after", "x"),
            ("types", "customer"),
            ("per_page", "0"),
            ("page", "2"),
        ]))
        .unwrap_err();
        for field in ["after", "types.0", "per_page", "page"] {
            assert!(errors.contains(field), "{field}");
        }
    }
}
