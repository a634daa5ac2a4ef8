//! [`Identity`]: who a request's caller is, as the services see it once the credentials hold.

use super::EmailAddress;

/// An agent (a member of the account, by a bearer token) or a contact-form guest (by a
/// `Fingerprint` of its email and a browser-made uuid).
#[derive(Debug, Clone)]
pub enum Identity {
    Agent {
        user_id: i64,
    },
    Guest {
        email: EmailAddress,
        fingerprint_hash: String,
    },
}

impl Identity {
    pub fn is_guest(&self) -> bool {
        matches!(self, Identity::Guest { .. })
    }

    /// The email of a guest's fingerprint, as the guest sent it.
    pub fn guest_email(&self) -> Option<&EmailAddress> {
        match self {
            Identity::Guest { email, .. } => Some(email),
            Identity::Agent { .. } => None,
        }
    }
}
