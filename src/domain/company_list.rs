//! The query of `GET /companies`: filters, sort and page. Every parameter is one this list
//! knows: a misspelt filter or sort is a 422, never ignored (it would widen the answer).

use super::company::parse_domain;
use super::custom_attribute::{self, AttributeFilter, RawFilter};
use super::paging::{param, refuse_unknown, Order, Window};
use super::tag;
use super::text_fold::fold;
use super::FieldErrors;

/// Longest `q` accepted.
const MAX_QUERY_LEN: usize = 255;

const KNOWN: &[&str] = &[
    "page",
    "per_page",
    "cursor",
    "sort",
    "q",
    "domain",
    "external_id",
    "tier_id",
    "status_id",
    "owner_id",
    "tag",
    "tag[]",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompanySort {
    CreatedAsc,
    /// Newest first: the default.
    #[default]
    CreatedDesc,
    UpdatedAsc,
    UpdatedDesc,
    NameAsc,
    NameDesc,
}

impl CompanySort {
    const ALL: [CompanySort; 6] = [
        CompanySort::CreatedAsc,
        CompanySort::CreatedDesc,
        CompanySort::UpdatedAsc,
        CompanySort::UpdatedDesc,
        CompanySort::NameAsc,
        CompanySort::NameDesc,
    ];

    pub fn order(self) -> Order {
        Order::of(self.as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CompanySort::CreatedAsc => "created_at",
            CompanySort::CreatedDesc => "-created_at",
            CompanySort::UpdatedAsc => "updated_at",
            CompanySort::UpdatedDesc => "-updated_at",
            CompanySort::NameAsc => "name",
            CompanySort::NameDesc => "-name",
        }
    }

    pub fn by_name(self) -> bool {
        matches!(self, CompanySort::NameAsc | CompanySort::NameDesc)
    }

    fn parse(s: &str) -> Option<CompanySort> {
        CompanySort::ALL.into_iter().find(|sort| sort.as_str() == s)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyFilter {
    pub domain: Option<String>,
    pub external_id: Option<String>,
    pub tier_id: Option<i64>,
    pub status_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// Normalized: the company must carry every one.
    pub tags: Vec<String>,
    /// Folded (`domain::text_fold`): a part of the name, or the start of a domain or external id.
    pub q: Option<String>,
    /// `custom_attributes[key]…` as given: the service checks them against the definitions.
    pub attributes: Vec<RawFilter>,
    /// The same, checked (what the repository filters by).
    pub attribute_filters: Vec<AttributeFilter>,
}

impl CompanyFilter {
    /// `q` as a `LIKE` pattern for a part of the folded name, with `%`, `_` and `\` escaped
    /// (used with `ESCAPE '\'`); `prefix` for the start of a key instead.
    pub fn q_pattern(&self, prefix: bool) -> Option<String> {
        self.q.as_ref().map(|q| {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            match prefix {
                true => format!("{escaped}%"),
                false => format!("%{escaped}%"),
            }
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyListQuery {
    pub filter: CompanyFilter,
    pub sort: CompanySort,
    pub window: Window,
}

impl CompanyListQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<CompanyListQuery, FieldErrors> {
        let get = |key: &str| param(pairs, key);
        let mut errors = FieldErrors::new();
        // `custom_attributes[…]` are read (and their shape checked) by `read_filters`.
        let named: Vec<(String, String)> = pairs
            .iter()
            .filter(|(key, _)| !key.starts_with("custom_attributes["))
            .cloned()
            .collect();
        refuse_unknown(
            &named,
            KNOWN,
            "is not a parameter of this list (page, per_page, cursor, sort, q, domain, \
             external_id, tier_id, status_id, owner_id, tag, custom_attributes[key])",
            &mut errors,
        );
        let attributes = custom_attribute::read_filters(pairs, &mut errors);
        let sort = match get("sort") {
            None => CompanySort::default(),
            Some(s) => CompanySort::parse(s).unwrap_or_else(|| {
                errors.add(
                    "sort",
                    "must be one of created_at, -created_at, updated_at, -updated_at, name, -name",
                );
                CompanySort::default()
            }),
        };
        let window = Window::parse(pairs, sort.as_str(), !sort.by_name(), &mut errors);
        // A public provider's domain simply matches nothing.
        let domain =
            get("domain").map(|raw| parse_domain(raw).unwrap_or_else(|_| raw.to_lowercase()));
        let external_id = get("external_id").map(str::to_string);
        let mut id = |key: &str| {
            get(key).and_then(|raw| match raw.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add(key, "must be a positive integer");
                    None
                }
            })
        };
        let (tier_id, status_id, owner_id) = (id("tier_id"), id("status_id"), id("owner_id"));
        let q = get("q").and_then(|q| {
            if q.chars().count() > MAX_QUERY_LEN {
                errors.add("q", format!("must be at most {MAX_QUERY_LEN} characters"));
                None
            } else {
                Some(fold(q))
            }
        });
        let tags = tag::parse_filter(pairs, &mut errors);
        errors.into_result(CompanyListQuery {
            filter: CompanyFilter {
                domain,
                external_id,
                tier_id,
                status_id,
                owner_id,
                tags,
                q,
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

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_sort_filters_and_q() {
        let query = CompanyListQuery::parse(&pairs(&[
            ("sort", "-name"),
            ("tier_id", "3"),
            ("q", "Société"),
            ("tag", "VIP"),
        ]))
        .unwrap();
        assert_eq!(query.sort, CompanySort::NameDesc);
        assert_eq!(query.filter.tier_id, Some(3));
        assert_eq!(query.filter.q.as_deref(), Some("societe"));
        assert_eq!(query.filter.tags, ["vip"]);
    }

    #[test]
    fn unknown_parameters_and_sorts_are_refused() {
        let errors = CompanyListQuery::parse(&pairs(&[
            ("sort", "revenue"),
            ("tier", "3"),
            ("owner_id", "0"),
        ]))
        .unwrap_err();
        for field in ["sort", "tier", "owner_id"] {
            assert!(errors.contains(field), "{field}");
        }
    }
}
