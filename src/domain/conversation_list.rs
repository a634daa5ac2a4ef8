//! The query of `GET /conversations`: filters, sort and page.

use super::conversation::{Channel, Status};
use super::paging::{param, Order, Window};
use super::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConversationSort {
    CreatedAsc,
    /// Newest first: the default.
    #[default]
    CreatedDesc,
    UpdatedAsc,
    UpdatedDesc,
}

impl ConversationSort {
    pub fn order(self) -> Order {
        Order::of(self.as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConversationSort::CreatedAsc => "created_at",
            ConversationSort::CreatedDesc => "-created_at",
            ConversationSort::UpdatedAsc => "updated_at",
            ConversationSort::UpdatedDesc => "-updated_at",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationSort> {
        [
            ConversationSort::CreatedAsc,
            ConversationSort::CreatedDesc,
            ConversationSort::UpdatedAsc,
            ConversationSort::UpdatedDesc,
        ]
        .into_iter()
        .find(|sort| sort.as_str() == s)
    }

    /// Sorted by `updated_at` rather than `created_at`.
    pub fn by_update(self) -> bool {
        matches!(
            self,
            ConversationSort::UpdatedAsc | ConversationSort::UpdatedDesc
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationFilter {
    pub customer_id: Option<i64>,
    pub status: Option<Status>,
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationListQuery {
    pub filter: ConversationFilter,
    pub sort: ConversationSort,
    pub window: Window,
}

impl ConversationListQuery {
    /// Reads the query string's pairs; unknown parameters are ignored, bad values are a 422.
    pub fn parse(pairs: &[(String, String)]) -> Result<ConversationListQuery, FieldErrors> {
        let get = |key: &str| param(pairs, key);
        let mut errors = FieldErrors::new();
        let sort = match get("sort") {
            None => ConversationSort::default(),
            Some(raw) => ConversationSort::parse(raw).unwrap_or_else(|| {
                errors.add(
                    "sort",
                    "must be one of created_at, -created_at, updated_at, -updated_at",
                );
                ConversationSort::default()
            }),
        };
        let window = Window::parse(pairs, sort.as_str(), true, &mut errors);
        let customer_id = get("customer_id").and_then(|raw| match raw.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("customer_id", "must be a positive integer");
                None
            }
        });
        let status = get("status").and_then(|raw| {
            Status::parse(raw).or_else(|| {
                errors.add("status", Status::choices());
                None
            })
        });
        let channel = get("channel").and_then(|raw| {
            Channel::parse(raw).or_else(|| {
                errors.add("channel", Channel::choices());
                None
            })
        });
        errors.into_result(ConversationListQuery {
            filter: ConversationFilter {
                customer_id,
                status,
                channel,
            },
            sort,
            window,
        })
    }
}

/// Interactions list oldest first, by id: their cursors name this sort.
pub const INTERACTION_SORT: &str = "id";

/// The query of `GET …/conversations/{id}/interactions`: only the page (no total is counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteractionListQuery {
    pub window: Window,
}

impl InteractionListQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<InteractionListQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let window = Window::parse(pairs, INTERACTION_SORT, false, &mut errors);
        errors.into_result(InteractionListQuery { window })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::paging::pairs;

    #[test]
    fn reads_filters() {
        let query = ConversationListQuery::parse(&pairs(&[
            ("customer_id", "3"),
            ("status", "closed"),
            ("channel", "chat"),
        ]))
        .unwrap();
        assert_eq!(
            query.filter,
            ConversationFilter {
                customer_id: Some(3),
                status: Some(Status::Closed),
                channel: Some(Channel::Chat)
            }
        );
    }

    #[test]
    fn bad_filters_are_named() {
        let Err(errors) = ConversationListQuery::parse(&pairs(&[
            ("customer_id", "x"),
            ("status", "open"),
            ("channel", "fax"),
        ])) else {
            panic!("accepted")
        };
        for key in ["customer_id", "status", "channel"] {
            assert!(errors.contains(key));
        }
    }
}
