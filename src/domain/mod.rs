//! Pure types and parsing: requests become these at the edge, so inner code never sees bad data.
//! Nothing here touches HTTP or the database.

pub mod account;
pub mod contact;
pub mod customer;
pub mod customer_list;
pub mod email;
pub mod input;
pub mod naming;
pub mod paging;
mod roles;

pub use email::EmailAddress;
pub use roles::{Integration, Role};
