//! Request extractors: who is asking (bearer auth) and what they sent (JSON or form body).

mod auth;
mod body;
pub mod form;

pub use auth::{CurrentUser, Member};
pub use body::Body;
