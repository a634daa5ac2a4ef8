//! HTTP only: extractors, one module per resource, views. Handlers parse input into domain types,
//! run repository code in one transaction, and render a view.

pub mod account_limit;
pub mod accounts;
pub mod companies;
pub mod conversations;
pub mod cors;
pub mod custom_attributes;
pub mod customers;
pub mod docs_page;
pub mod etag;
pub mod events;
pub mod extract;
pub mod fallback;
pub mod head;
pub mod health;
pub mod idempotency;
pub mod notes;
pub mod openapi;
pub mod paging;
pub mod parse_errors;
pub mod rate_limit;
pub mod request_id;
pub(crate) mod resource;
pub mod session;
pub mod tags;
pub mod views;
pub mod webhooks;
