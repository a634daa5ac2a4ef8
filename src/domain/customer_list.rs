//! The query of `GET /customers`: filters, sort and page.

use chrono::{DateTime, NaiveDateTime};

use super::contact::phone_digits;
use super::custom_attribute::{self, AttributeFilter, RawFilter};
use super::paging::{param, Order, Window};
use super::search::Search;
use super::tag;
use super::FieldErrors;

/// Longest `q` accepted.
const MAX_QUERY_LEN: usize = 255;
/// The `sort` a search's cursors carry: results come best match first, whatever `sort` says.
pub const SEARCH_CURSOR: &str = "q";
/// How far page numbers reach into search results (offsets are scanned; cursors are not).
const SEARCH_PAGES_REACH: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerSort {
    CreatedAsc,
    /// Newest first: the default.
    #[default]
    CreatedDesc,
    UpdatedAsc,
    UpdatedDesc,
    NameAsc,
    NameDesc,
}

impl CustomerSort {
    pub fn order(self) -> Order {
        Order::of(self.as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerSort::CreatedAsc => "created_at",
            CustomerSort::CreatedDesc => "-created_at",
            CustomerSort::UpdatedAsc => "updated_at",
            CustomerSort::UpdatedDesc => "-updated_at",
            CustomerSort::NameAsc => "name",
            CustomerSort::NameDesc => "-name",
        }
    }

    pub fn by_name(self) -> bool {
        matches!(self, CustomerSort::NameAsc | CustomerSort::NameDesc)
    }

    pub fn parse(s: &str) -> Option<CustomerSort> {
        Some(match s {
            "created_at" => CustomerSort::CreatedAsc,
            "-created_at" => CustomerSort::CreatedDesc,
            "updated_at" => CustomerSort::UpdatedAsc,
            "-updated_at" => CustomerSort::UpdatedDesc,
            "name" => CustomerSort::NameAsc,
            "-name" => CustomerSort::NameDesc,
            _ => return None,
        })
    }
}

/// Which customers to list; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFilter {
    /// Lower-cased: any of the customer's emails, exactly.
    pub email: Option<String>,
    /// Any of the customer's phones, compared by digits (in the account's region, the service
    /// makes them its E.164 digits: see `domain::phone`).
    pub phone_digits: Option<String>,
    /// The phone as given (trimmed).
    pub phone: Option<String>,
    /// `q` as given (trimmed): what [`Self::search`] was read from.
    pub q: Option<String>,
    /// `q`'s words (see `domain::search`); the service reads a phone number in the account's
    /// region.
    pub search: Option<Search>,
    pub company_id: Option<i64>,
    pub updated_since: Option<NaiveDateTime>,
    /// Normalized: the customer must carry every one.
    pub tags: Vec<String>,
    /// `custom_attributes[key]…` as given: the service checks them against the definitions.
    pub attributes: Vec<RawFilter>,
    /// The same, checked (what the repository filters by).
    pub attribute_filters: Vec<AttributeFilter>,
}

impl CustomerFilter {
    /// No filter given: every customer of the account.
    pub fn is_empty(&self) -> bool {
        *self == CustomerFilter::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerListQuery {
    pub filter: CustomerFilter,
    pub sort: CustomerSort,
    pub window: Window,
}

impl CustomerListQuery {
    /// Reads the query string's pairs; unknown parameters are ignored, bad values are a 422.
    pub fn parse(pairs: &[(String, String)]) -> Result<CustomerListQuery, FieldErrors> {
        let get = |key: &str| param(pairs, key);
        let mut errors = FieldErrors::new();
        let sort = match get("sort") {
            None => CustomerSort::default(),
            Some(s) => CustomerSort::parse(s.trim()).unwrap_or_else(|| {
                errors.add(
                    "sort",
                    "must be one of created_at, -created_at, updated_at, -updated_at, name, -name",
                );
                CustomerSort::default()
            }),
        };
        let email = get("email").map(str::to_lowercase);
        let phone_digits = get("phone").and_then(|phone| {
            let digits = phone_digits(phone);
            if digits.is_empty() {
                errors.add("phone", "must contain digits");
                None
            } else {
                Some(digits)
            }
        });
        let q = get("q").and_then(|q| {
            if q.chars().count() > MAX_QUERY_LEN {
                errors.add("q", format!("must be at most {MAX_QUERY_LEN} characters"));
                None
            } else {
                Some(q.to_string())
            }
        });
        if q.is_some() && get("sort").is_some() {
            errors.add(
                "sort",
                "cannot be combined with q: search results come best match first",
            );
        }
        let company_id = get("company_id").and_then(|raw| match raw.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("company_id", "must be a positive integer");
                None
            }
        });
        let updated_since =
            get("updated_since").and_then(|raw| match DateTime::parse_from_rfc3339(raw) {
                Ok(at) => Some(at.naive_utc()),
                Err(_) => {
                    errors.add(
                        "updated_since",
                        "must be an RFC 3339 time like 2019-04-25T17:51:31+00:00",
                    );
                    None
                }
            });
        let tags = tag::parse_filter(pairs, &mut errors);
        let attributes = custom_attribute::read_filters(pairs, &mut errors);
        let window = match q {
            // Ranked results page by the term each was found under.
            Some(_) => {
                let window = Window::parse(pairs, SEARCH_CURSOR, false, &mut errors);
                if window.offset() + window.limit() > SEARCH_PAGES_REACH {
                    errors.add(
                        "page",
                        format!(
                            "with q, pages reach the first {SEARCH_PAGES_REACH} results; \
                             go on with meta.next_cursor"
                        ),
                    );
                }
                window
            }
            None => Window::parse(pairs, sort.as_str(), !sort.by_name(), &mut errors),
        };
        errors.into_result(CustomerListQuery {
            filter: CustomerFilter {
                email,
                phone: phone_digits.as_ref().and(get("phone")).map(str::to_string),
                phone_digits,
                search: q.as_deref().map(|q| Search::parse(q, None)),
                q,
                company_id,
                updated_since,
                tags,
                attributes,
                attribute_filters: Vec::new(),
            },
            sort,
            window,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::paging::pairs;

    #[test]
    fn reads_filters_and_sort() {
        let query = CustomerListQuery::parse(&pairs(&[
            ("email", " Jane@Example.org "),
            ("phone", "(123) 123-1234"),
            ("sort", "-name"),
            ("updated_since", "2019-04-25T17:51:31+02:00"),
        ]))
        .unwrap();
        assert_eq!(query.filter.email.as_deref(), Some("jane@example.org"));
        assert_eq!(query.filter.phone_digits.as_deref(), Some("1231231234"));
        assert_eq!(query.sort, CustomerSort::NameDesc);
        assert_eq!(
            query.filter.updated_since.unwrap().to_string(),
            "2019-04-25 15:51:31"
        );
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let result = CustomerListQuery::parse(&pairs(&[
            ("sort", "id"),
            ("updated_since", "yesterday"),
            ("phone", "abc"),
        ]));
        let Err(errors) = result else {
            panic!("accepted")
        };
        for key in ["sort", "updated_since", "phone"] {
            assert!(errors.contains(key), "{key}");
        }
    }

    #[test]
    fn q_is_searched_best_first() {
        let query = CustomerListQuery::parse(&pairs(&[("q", " Émile DOE ")])).unwrap();
        assert_eq!(query.filter.q.as_deref(), Some("Émile DOE"));
        assert_eq!(query.filter.search.unwrap().words, ["emile", "doe"]);
        let Err(errors) = CustomerListQuery::parse(&pairs(&[("q", "x"), ("sort", "name")])) else {
            panic!("sorted a search")
        };
        assert!(errors.contains("sort"));
        let Err(errors) =
            CustomerListQuery::parse(&pairs(&[("q", "x"), ("page", "11"), ("per_page", "100")]))
        else {
            panic!("paged past the reach")
        };
        assert!(errors.contains("page"));
    }
}
