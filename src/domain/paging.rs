//! `page` and `per_page`, shared by every list.

use crate::error::FieldErrors;

pub const DEFAULT_PER_PAGE: i64 = 25;
pub const MAX_PER_PAGE: i64 = 100;
/// Far past any real list, and small enough that `page * per_page` cannot overflow.
const MAX_PAGE: i64 = 1_000_000_000;

/// The last value given for `key` in a query string's pairs, trimmed; `None` when absent or blank.
pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// Reads `page` (1, 2, …) and `per_page` (1–100) from query parameters.
    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        errors: &mut FieldErrors,
    ) -> PageRequest {
        let mut request = PageRequest::default();
        if let Some(raw) = page {
            match raw.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => request.page = n,
                _ => errors.add("page", "must be a whole number from 1"),
            }
        }
        if let Some(raw) = per_page {
            match raw.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => request.per_page = n,
                _ => errors.add(
                    "per_page",
                    format!("must be a whole number from 1 to {MAX_PER_PAGE}"),
                ),
            }
        }
        request
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The last page for `total` items (1 for an empty list).
    pub fn last_page(&self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            PageRequest::parse(None, None, &mut errors),
            PageRequest::default()
        );
        assert_eq!(
            PageRequest::parse(Some("3"), Some("100"), &mut errors).offset(),
            200
        );
        assert!(errors.is_empty());
        for (page, per_page) in [
            ("0", "1"),
            ("-1", "1"),
            ("x", "1"),
            ("1", "0"),
            ("1", "101"),
            ("99999999999999999999", "1"),
        ] {
            let mut errors = FieldErrors::new();
            PageRequest::parse(Some(page), Some(per_page), &mut errors);
            assert!(!errors.is_empty(), "{page} {per_page} accepted");
        }
    }

    #[test]
    fn last_page_counts_partial_pages() {
        let page = PageRequest {
            page: 1,
            per_page: 25,
        };
        assert_eq!(
            (page.last_page(0), page.last_page(25), page.last_page(26)),
            (1, 1, 2)
        );
    }
}
