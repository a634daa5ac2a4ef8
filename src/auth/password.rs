//! Password hashing with argon2id (the crate's defaults follow OWASP's recommendation).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`).
#[allow(
    clippy::expect_used,
    reason = "argon2 fails only on parameters out of range; these are its defaults"
)]
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Whether `password` matches `stored`. Pass `None` for a user without a password (or no user):
/// the check then runs against a dummy hash, so timing does not tell which emails exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (stored, real) = match stored {
        Some(s) => (s, true),
        None => (DUMMY.get_or_init(|| hash("not a password")).as_str(), false),
    };
    let ok = PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", Some(&stored)));
        assert!(!verify("wrong", Some(&stored)));
        assert!(!verify("correct horse", None));
    }
}
