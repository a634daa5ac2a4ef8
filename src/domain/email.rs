//! Email addresses, checked once at the edge.

use validator::ValidateEmail;

/// Longest address SMTP can carry (RFC 5321).
pub const MAX_EMAIL_LEN: usize = 254;

/// A syntactically valid email address, trimmed, with its case kept for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Trims and checks `raw`; the error is the message shown next to the field.
    pub fn parse(raw: &str) -> Result<EmailAddress, &'static str> {
        let email = raw.trim();
        if email.is_empty() {
            return Err("is required");
        }
        if email.chars().count() > MAX_EMAIL_LEN {
            return Err("must be at most 254 characters");
        }
        if !email.validate_email() {
            return Err("must be a valid email address");
        }
        Ok(EmailAddress(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for matching and uniqueness: lower-cased.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// The lower-cased part after the last `@`, an internationalized domain in its ASCII
    /// (punycode) form: the form company domains are stored in, so `jane@bücher.example` matches
    /// a company of `xn--bcher-kva.example` (and of `bücher.example`, stored as that).
    pub fn domain(&self) -> String {
        let normalized = self.normalized();
        let domain = normalized
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or_default();
        match url::Host::parse(domain) {
            Ok(url::Host::Domain(ascii)) => ascii,
            _ => domain.to_string(),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The form duplicate detection compares: lower-cased, without a `+tag`, and for Gmail
    /// without the dots it ignores (`Jane.Doe+shop@googlemail.com` = `janedoe@gmail.com`). Two
    /// customers may hold addresses with one canonical form; that makes them candidates.
    pub fn canonical(&self) -> String {
        let domain = self.domain();
        let normalized = self.normalized();
        let local = normalized
            .rsplit_once('@')
            .map_or(normalized.as_str(), |(local, _)| local);
        let local = local.split_once('+').map_or(local, |(base, _)| base);
        match domain.as_str() {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
            _ => format!("{local}@{domain}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_drops_tags_and_gmail_dots() {
        let canonical = |raw: &str| EmailAddress::parse(raw).unwrap().canonical();
        assert_eq!(
            canonical("Jane.Doe+shop@GoogleMail.com"),
            "janedoe@gmail.com"
        );
        assert_eq!(canonical("jane.doe+x@acme.com"), "jane.doe@acme.com");
        assert_eq!(canonical("jane@acme.com"), "jane@acme.com");
    }

    #[test]
    fn accepts_and_trims_a_plain_address() {
        assert_eq!(
            EmailAddress::parse(" Jane@Example.org ").unwrap().as_str(),
            "Jane@Example.org"
        );
    }

    #[test]
    fn normalizes_to_lower_case() {
        assert_eq!(
            EmailAddress::parse("Jane@Example.ORG")
                .unwrap()
                .normalized(),
            "jane@example.org"
        );
    }

    #[test]
    fn the_domain_is_lower_cased() {
        assert_eq!(
            EmailAddress::parse("Jane@Mail.ACME.com").unwrap().domain(),
            "mail.acme.com"
        );
        assert_eq!(
            EmailAddress::parse("jane@Bücher.example").unwrap().domain(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            EmailAddress::parse("jane@xn--bcher-kva.example")
                .unwrap()
                .domain(),
            "xn--bcher-kva.example"
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "jane",
            "jane@",
            "@example.org",
            "a b@example.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn rejects_an_address_over_254_characters() {
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(
            EmailAddress::parse(&long),
            Err("must be at most 254 characters")
        );
    }
}
