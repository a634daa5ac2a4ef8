//! Pure types and parsing: requests become these at the edge, so inner code never sees bad data.
//! Nothing here touches HTTP or the database.

pub mod account;
pub mod company;
pub mod company_list;
pub mod contact;
pub mod conversation;
pub mod conversation_list;
pub mod cursor;
pub mod custom_attribute;
pub mod customer;
pub mod customer_list;
pub mod customer_lookup;
pub mod customer_merge;
pub mod customer_request;
pub mod duplicates;
pub mod email;
pub mod event;
pub mod external_id;
mod field_errors;
pub mod fingerprint;
mod identity;
pub mod input;
pub mod label;
pub mod naming;
pub mod note;
pub mod owner;
pub mod paging;
pub mod phone;
pub mod public_email_domains;
pub mod request_list;
mod roles;
pub mod sample_data;
pub mod search;
pub mod tag;
mod text_enum;
pub mod text_fold;
pub mod webhook;

pub use email::EmailAddress;
pub use field_errors::FieldErrors;
pub use identity::Identity;
pub use roles::{Integration, Role};
pub(crate) use text_enum::text_enum;
