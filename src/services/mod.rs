//! Use cases: what one request does inside its transaction, between parsed input and the
//! repository. Handlers call these inside `Db::write`/`Db::read`.

pub mod companies;
pub mod conversations;
pub mod custom_attributes;
pub mod customer_duplicates;
pub mod customer_merge;
pub mod customer_requests;
pub mod customers;
pub mod labels;
pub mod members;
pub mod notes;
pub mod phones;
pub mod seed_data;
pub mod webhooks;
