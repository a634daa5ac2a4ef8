//! The query of `GET /companies`: filters and page.

use super::company::parse_domain;
use super::paging::{param, Window, NEWEST_FIRST};
use super::tag;
use super::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyFilter {
    pub domain: Option<String>,
    pub external_id: Option<String>,
    /// Normalized: the company must carry every one.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyListQuery {
    pub filter: CompanyFilter,
    pub window: Window,
}

impl CompanyListQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<CompanyListQuery, FieldErrors> {
        let get = |key: &str| param(pairs, key);
        let mut errors = FieldErrors::new();
        let window = Window::parse(pairs, NEWEST_FIRST, true, &mut errors);
        // A public provider's domain simply matches nothing.
        let domain =
            get("domain").map(|raw| parse_domain(raw).unwrap_or_else(|_| raw.to_lowercase()));
        let external_id = get("external_id").map(str::to_string);
        let tags = tag::parse_filter(pairs, &mut errors);
        errors.into_result(CompanyListQuery {
            filter: CompanyFilter {
                domain,
                external_id,
                tags,
            },
            window,
        })
    }
}
