//! Request extractors: who is asking (bearer auth, or a contact form's fingerprint) and what they
//! sent (JSON or form body).

mod auth;
mod body;
mod caller;
pub mod form;
mod path;

pub use auth::BearerToken;
pub use body::Body;
pub use caller::{Caller, Credentials, TokenOrFingerprint};
pub(crate) use path::not_found as path_not_found;
pub use path::{ContactPath, DeliveryPath, InteractionPath, ItemPath, NotePath};
