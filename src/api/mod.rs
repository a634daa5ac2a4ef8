//! HTTP only: extractors, one module per resource, views. Handlers parse input into domain types,
//! run repository code in one transaction, and render a view.

pub mod accounts;
pub mod companies;
pub mod conversations;
pub mod customers;
pub mod extract;
pub mod fallback;
pub mod health;
pub mod paging;
pub mod rate_limit;
pub mod session;
pub mod views;
