//! HTTP only: extractors, one module per resource, views. Handlers parse input into domain types,
//! run repository code in one transaction, and render a view.

pub mod account_limit;
pub mod accounts;
pub mod companies;
pub mod conversations;
pub mod cors;
pub mod customers;
pub mod extract;
pub mod fallback;
pub mod head;
pub mod health;
pub mod openapi;
pub mod paging;
pub mod parse_errors;
pub mod rate_limit;
pub mod request_id;
pub mod session;
pub mod views;

use crate::error::ApiError;

/// A path id: a positive integer, or the path names nothing (404).
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(ApiError::not_found)
}
