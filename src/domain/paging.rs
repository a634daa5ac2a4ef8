//! `page`, `per_page` and `cursor`, shared by every list.

use super::cursor::Cursor;
use super::FieldErrors;

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

/// For the queries that take only `known` parameters (where a misspelt one would silently change
/// the answer): each other key is an error, `message` next to it.
pub fn refuse_unknown(
    pairs: &[(String, String)],
    known: &[&str],
    message: &str,
    errors: &mut FieldErrors,
) {
    for (key, _) in pairs {
        if !known.contains(&key.as_str()) {
            errors.add(key.clone(), message);
        }
    }
}

/// A query string's pairs, as the parsers' tests write them.
#[cfg(test)]
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
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

/// Which way a list runs along its sort key; ties are broken by id the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

impl Order {
    /// The order a `sort` parameter names: `-key` runs down, `key` up.
    pub fn of(sort: &str) -> Order {
        match sort.starts_with('-') {
            true => Order::Desc,
            false => Order::Asc,
        }
    }
}

/// The sort of lists that only list newest first (companies, customer requests).
pub const NEWEST_FIRST: &str = "-created_at";

/// Which rows of a list to return: page `page.page` (counted, with a total), or the rows after
/// `cursor` (keyset paging: no count and no skipped rows, so a deep page costs what the first does).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub page: PageRequest,
    pub cursor: Option<Cursor>,
}

impl Window {
    /// Reads `page`, `per_page` and `cursor`. A cursor must come from a list sorted by `sort`, and
    /// carry a time when `time_sorted`.
    pub fn parse(
        pairs: &[(String, String)],
        sort: &str,
        time_sorted: bool,
        errors: &mut FieldErrors,
    ) -> Window {
        let page = PageRequest::parse(param(pairs, "page"), param(pairs, "per_page"), errors);
        let cursor = param(pairs, "cursor").and_then(|raw| match Cursor::decode(raw) {
            Some(c) if c.sort == sort && (!time_sorted || c.time().is_some()) => Some(c),
            _ => {
                errors.add(
                    "cursor",
                    "is not a cursor of this list and sort (take it from meta.next_cursor)",
                );
                None
            }
        });
        Window { page, cursor }
    }

    /// Rows to fetch: one more than the page holds, to learn whether a next page exists.
    pub fn limit(&self) -> i64 {
        self.page.per_page + 1
    }

    /// Rows to skip: none after a cursor.
    pub fn offset(&self) -> i64 {
        match self.cursor {
            Some(_) => 0,
            None => self.page.offset(),
        }
    }

    /// Whether the list counts its matches (page numbers need a total; cursors don't).
    pub fn counts(&self) -> bool {
        self.cursor.is_none()
    }
}

/// One page of a list, as its service returns it.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// How many match in all; `None` when paging by cursor.
    pub total: Option<i64>,
    /// Where the next page starts, when there is one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// From rows fetched with [`Window::limit`]: the extra row, if any, only says there is more.
    pub fn new(
        mut rows: Vec<T>,
        total: Option<i64>,
        window: &Window,
        cursor_after: impl Fn(&T) -> Cursor,
    ) -> Page<T> {
        let more = rows.len() as i64 > window.page.per_page;
        rows.truncate(window.page.per_page as usize);
        let next_cursor = rows
            .last()
            .filter(|_| more)
            .map(|last| cursor_after(last).encode());
        Page {
            rows,
            total,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            next_cursor: self.next_cursor,
        }
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
    fn a_page_keeps_its_size_and_points_past_its_last_row() {
        let window = Window {
            page: PageRequest {
                page: 1,
                per_page: 2,
            },
            cursor: None,
        };
        let after = |n: &i64| Cursor {
            sort: "id".into(),
            value: String::new(),
            id: *n,
        };
        let page = Page::new(vec![1, 2, 3], Some(3), &window, after);
        assert_eq!(page.rows, vec![1, 2]);
        let next = Cursor::decode(page.next_cursor.as_deref().unwrap()).unwrap();
        assert_eq!(next.id, 2);
        assert_eq!(
            Page::new(vec![1, 2], None, &window, after).next_cursor,
            None
        );
    }

    #[test]
    fn a_cursor_must_belong_to_the_sort() {
        let pairs = |cursor: String| vec![("cursor".to_string(), cursor)];
        let by_id = Cursor {
            sort: "id".into(),
            value: String::new(),
            id: 9,
        }
        .encode();
        let mut errors = FieldErrors::new();
        let window = Window::parse(&pairs(by_id.clone()), "id", false, &mut errors);
        assert_eq!((window.offset(), window.counts()), (0, false));
        assert!(errors.is_empty());
        for (sort, time_sorted) in [("-created_at", true), ("id", true)] {
            let mut errors = FieldErrors::new();
            Window::parse(&pairs(by_id.clone()), sort, time_sorted, &mut errors);
            assert!(errors.contains("cursor"), "{sort}");
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
