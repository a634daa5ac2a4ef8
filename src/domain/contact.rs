//! A customer's emails, phones and websites: one shape (`{"id", "<field>"}`), three rules.

use super::email::EmailAddress;
use super::text_enum;

/// Longest URL accepted for websites and avatars.
pub const MAX_URL_LEN: usize = 2048;
/// Longest phone number, in characters.
pub const MAX_PHONE_LEN: usize = 50;

text_enum! {
    /// Which list a nested item belongs to; its text is the item's field name in the body
    /// (`{"email": …}`).
    pub enum ContactKind { Email = "email", Phone = "phone", Website = "website" }
}

impl ContactKind {
    /// The item's field name in the body (`{"email": …}`).
    pub fn field(self) -> &'static str {
        self.as_str()
    }

    /// The body's key for the list (`"emails"`).
    pub fn list(self) -> &'static str {
        match self {
            ContactKind::Email => "emails",
            ContactKind::Phone => "phones",
            ContactKind::Website => "websites",
        }
    }

    /// Most items one customer may have (SPEC §4).
    pub fn limit(self) -> usize {
        match self {
            ContactKind::Email => 15,
            ContactKind::Phone => 25,
            ContactKind::Website => 150,
        }
    }

    /// Checks a raw value; returns it as stored and its normalized form.
    pub fn parse_value(self, raw: &str) -> Result<ContactValue, String> {
        match self {
            ContactKind::Email => EmailAddress::parse(raw)
                .map(|email| ContactValue {
                    normalized: email.normalized(),
                    domain: email.domain(),
                    match_key: email.canonical(),
                    value: email.into_inner(),
                })
                .map_err(str::to_string),
            ContactKind::Phone => parse_phone(raw).map(|(value, digits)| ContactValue {
                value,
                match_key: digits.clone(),
                normalized: digits,
                domain: String::new(),
            }),
            ContactKind::Website => parse_web_url(raw).map(|value| ContactValue {
                value,
                normalized: String::new(),
                domain: String::new(),
                match_key: String::new(),
            }),
        }
    }
}

/// A checked email, phone or website.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactValue {
    /// As the client wrote it, trimmed.
    pub value: String,
    /// What lookups and uniqueness compare: lower-cased email, the phone's digits, `""` for websites.
    pub normalized: String,
    /// An email's lower-cased domain (what links customers to companies); `""` otherwise.
    pub domain: String,
    /// What duplicate detection and phone lookups compare: the email's canonical form
    /// ([`EmailAddress::canonical`]), the phone's digits, `""` for websites.
    pub match_key: String,
}

/// A phone: 1–50 characters of digits, spaces and `+ - ( ) . x`, with at least 3 digits.
/// Returns it trimmed, and its digits (what the `phone` filter compares).
pub fn parse_phone(raw: &str) -> Result<(String, String), String> {
    let phone = raw.trim();
    if phone.is_empty() {
        return Err("is required".into());
    }
    if phone.chars().count() > MAX_PHONE_LEN {
        return Err(format!("must be at most {MAX_PHONE_LEN} characters"));
    }
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
    {
        return Err("may contain only digits, spaces and + - ( ) . x".into());
    }
    let digits = phone_digits(phone);
    if digits.len() < 3 {
        return Err("must contain at least 3 digits".into());
    }
    Ok((phone.to_string(), digits))
}

/// The digits of a phone number, which is how phones are compared.
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// An absolute http(s) URL of at most 2048 characters, trimmed.
pub fn parse_web_url(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    if text.chars().count() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    match url::Url::parse(text) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(text.to_string())
        }
        _ => Err("must be an absolute http or https URL".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_their_formatting_and_compare_by_digits() {
        assert_eq!(
            parse_phone(" 123 123 1234 "),
            Ok(("123 123 1234".into(), "1231231234".into()))
        );
        assert_eq!(
            parse_phone("+1 (555) 010-9999 x12").unwrap().1,
            "1555010999912"
        );
    }

    #[test]
    fn phones_need_three_digits_and_only_phone_characters() {
        assert!(parse_phone("12").is_err());
        assert!(parse_phone("call me").is_err());
        assert!(parse_phone("123; DROP TABLE").is_err());
        assert!(parse_phone(&"1".repeat(51)).is_err());
        assert!(parse_phone(&"1".repeat(50)).is_ok());
    }

    #[test]
    fn websites_are_absolute_http_urls() {
        assert!(parse_web_url("https://www.example.org/").is_ok());
        assert!(parse_web_url("http://example.org/a?b=c").is_ok());
        for bad in [
            "www.example.org",
            "ftp://example.org",
            "javascript:alert(1)",
            "https://",
            "/relative",
        ] {
            assert!(parse_web_url(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_web_url(&format!("https://e.org/{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn emails_normalize_to_lower_case() {
        let value = ContactKind::Email.parse_value("Jane@Example.org").unwrap();
        assert_eq!(
            (value.value.as_str(), value.normalized.as_str()),
            ("Jane@Example.org", "jane@example.org")
        );
    }
}
