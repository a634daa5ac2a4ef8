//! The query of `GET /customer_requests`: filters and page, newest first.

use super::paging::{param, Window, NEWEST_FIRST};
use super::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub conversation_id: Option<i64>,
    pub company_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub priority: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestListQuery {
    pub filter: RequestFilter,
    pub window: Window,
}

impl RequestListQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<RequestListQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let window = Window::parse(pairs, NEWEST_FIRST, true, &mut errors);
        let mut number = |key: &str, min: i64, max: i64| {
            param(pairs, key).and_then(|raw| match raw.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Some(n),
                _ => {
                    errors.add(key, format!("must be a whole number from {min} to {max}"));
                    None
                }
            })
        };
        let filter = RequestFilter {
            conversation_id: number("conversation_id", 1, i64::MAX),
            company_id: number("company_id", 1, i64::MAX),
            customer_id: number("customer_id", 1, i64::MAX),
            priority: number("priority", 0, 1),
        };
        errors.into_result(RequestListQuery { filter, window })
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
    fn reads_filters_and_refuses_what_is_out_of_range() {
        let query =
            RequestListQuery::parse(&pairs(&[("company_id", "7"), ("priority", "1")])).unwrap();
        assert_eq!(query.filter.company_id, Some(7));
        assert_eq!(query.filter.priority, Some(1));
        let errors = RequestListQuery::parse(&pairs(&[("priority", "2"), ("customer_id", "0")]))
            .unwrap_err();
        assert!(errors.contains("priority") && errors.contains("customer_id"));
    }
}
