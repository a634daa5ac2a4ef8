//! Guest credentials of contact forms: `Authorization: Fingerprint <email>:<uuid v4>`.

use sha2::{Digest, Sha256};

use super::email::EmailAddress;

/// A well-formed fingerprint: the visitor's email and the random UUID (v4) its page made.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    pub email: EmailAddress,
    uuid: uuid::Uuid,
}

impl Fingerprint {
    /// Parses the credentials after `Fingerprint `; `None` for anything malformed.
    pub fn parse(credentials: &str) -> Option<Fingerprint> {
        // The UUID has no colon; the email (rarely) may, so split at the last one.
        let (email, uuid) = credentials.trim().rsplit_once(':')?;
        let email = EmailAddress::parse(email).ok()?;
        let uuid = uuid::Uuid::parse_str(uuid.trim()).ok()?;
        (uuid.get_version_num() == 4).then_some(Fingerprint { email, uuid })
    }

    /// What is stored: SHA-256 of the lower-cased email and the UUID, hex-encoded.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(format!(
            "{}:{}",
            self.email.normalized(),
            self.uuid.hyphenated()
        ));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";

    #[test]
    fn parses_an_email_and_a_v4_uuid() {
        let fp = Fingerprint::parse(&format!("Jane@Example.org:{UUID}")).unwrap();
        assert_eq!(fp.email.as_str(), "Jane@Example.org");
        assert_eq!(fp.hash().len(), 64);
    }

    #[test]
    fn the_hash_ignores_email_case_and_depends_on_the_uuid() {
        let a = Fingerprint::parse(&format!("jane@example.org:{UUID}")).unwrap();
        let b = Fingerprint::parse(&format!("JANE@example.org:{}", UUID.to_uppercase())).unwrap();
        let c =
            Fingerprint::parse("jane@example.org:9f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b").unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn refuses_malformed_credentials() {
        for bad in [
            "",
            "jane@example.org",
            UUID,
            &format!("not-an-email:{UUID}"),
            "jane@example.org:not-a-uuid",
            // A version 1 UUID.
            "jane@example.org:6fa459ea-ee8a-11e9-8a34-2a2ae2dbcce4",
        ] {
            assert!(Fingerprint::parse(bad).is_none(), "{bad:?} was accepted");
        }
    }
}
