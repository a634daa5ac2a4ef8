//! HS256 JWTs with the claims SPEC §3 lists. Nothing but HS256 is accepted, and `exp`, `iss`,
//! `aud` and `sub` must be present and right.

use chrono::NaiveDateTime;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::domain::Integration;

pub const ISSUER: &str = "supportdesk";
pub const AUDIENCE: &str = "supportdesk-api";

/// The claims of a supportdesk token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 makes `sub` a string).
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<String>,
}

impl Claims {
    pub fn new(
        user_id: i64,
        jti: &str,
        issued_at: NaiveDateTime,
        expires_at: NaiveDateTime,
        integration: Option<Integration>,
    ) -> Claims {
        Claims {
            sub: user_id.to_string(),
            jti: jti.to_string(),
            iat: issued_at.and_utc().timestamp(),
            exp: expires_at.and_utc().timestamp(),
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            integration: integration.map(|i| i.as_str().to_string()),
        }
    }

    /// The user id, when `sub` holds a positive integer.
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok().filter(|id| *id > 0)
    }

    pub fn integration(&self) -> Option<Integration> {
        self.integration.as_deref().and_then(Integration::parse)
    }
}

/// The key pair and validation rules for one secret.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // A token is not good before its `nbf`, when it has one (ours carry none).
        validation.validate_nbf = true;
        // All instances share one clock source closely enough; an expired token is expired.
        validation.leeway = 0;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    #[allow(
        clippy::expect_used,
        reason = "HMAC signing of serializable claims has no failure"
    )]
    pub fn sign(&self, claims: &Claims) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// The claims of a well-formed, correctly signed, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .ok()
    }
}

/// A new random 256-bit secret, hex-encoded.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn claims(expires_in: Duration) -> Claims {
        let now = Utc::now().naive_utc();
        Claims::new(7, "jti-1", now, now + expires_in, None)
    }

    #[test]
    fn a_signed_token_verifies() {
        let keys = JwtKeys::new(b"secret");
        let token = keys.sign(&claims(Duration::hours(1)));
        assert_eq!(keys.verify(&token).unwrap().user_id(), Some(7));
    }

    #[test]
    fn another_secret_or_an_expired_token_fails() {
        let keys = JwtKeys::new(b"secret");
        assert!(JwtKeys::new(b"other")
            .verify(&keys.sign(&claims(Duration::hours(1))))
            .is_none());
        assert!(keys
            .verify(&keys.sign(&claims(Duration::hours(-1))))
            .is_none());
    }

    #[test]
    fn a_token_not_yet_valid_fails() {
        #[derive(Serialize)]
        struct WithNbf {
            #[serde(flatten)]
            claims: Claims,
            nbf: i64,
        }
        let keys = JwtKeys::new(b"secret");
        let sign = |nbf_in: Duration| {
            let with = WithNbf {
                claims: claims(Duration::hours(2)),
                nbf: (Utc::now() + nbf_in).timestamp(),
            };
            encode(&Header::new(Algorithm::HS256), &with, &keys.encoding).unwrap()
        };
        assert!(keys.verify(&sign(Duration::hours(1))).is_none());
        assert!(keys.verify(&sign(Duration::hours(-1))).is_some());
    }

    #[test]
    fn secrets_are_random_and_long() {
        assert_eq!(generate_secret().len(), 64);
        assert_ne!(generate_secret(), generate_secret());
    }
}
