//! How phones are compared (lookups, the `phone` filter, duplicates, merges): as E.164 when the
//! account has a default region, so `(555) 010-0000` in the US is `+1 555 010 0000`; as their
//! digits otherwise.

use phonenumber::country;
use phonenumber::Mode;

use super::contact::phone_digits;

/// An account's default region for phones written without a country code: an ISO 3166 code
/// the phone number metadata knows (`US`, `GB`, `DE`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneRegion(country::Id);

impl PhoneRegion {
    /// `us` or ` US ` → `US`; `None` for anything that is not a known region.
    pub fn parse(raw: &str) -> Option<PhoneRegion> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return None;
        }
        code.parse::<country::Id>().ok().map(PhoneRegion)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// The compared form of a phone (already checked by `contact::parse_phone`): with a region,
/// the digits of its E.164 form; without one, or when it isn't a number the region's plan can
/// read, its digits.
pub fn phone_key(phone: &str, region: Option<PhoneRegion>) -> String {
    let Some(PhoneRegion(id)) = region else {
        return phone_digits(phone);
    };
    match phonenumber::parse(Some(id), phone) {
        Ok(number) => phone_digits(&number.format().mode(Mode::E164).to_string()),
        Err(_) => phone_digits(phone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_makes_national_and_international_forms_one() {
        let us = PhoneRegion::parse(" us ");
        assert_eq!(us.map(|r| r.as_str().to_string()), Some("US".into()));
        for phone in [
            "(555) 010-0000",
            "+1 555 010 0000",
            "1-555-010-0000",
            "555.010.0000",
        ] {
            assert_eq!(phone_key(phone, us), "15550100000", "{phone}");
        }
        let gb = PhoneRegion::parse("GB");
        assert_eq!(phone_key("020 7946 0000", gb), "442079460000");
        assert_eq!(phone_key("+44 20 7946 0000", us), "442079460000");
        assert_eq!(
            phone_key("(555) 010-0000", None),
            "5550100000",
            "digits without a region"
        );
        assert!(PhoneRegion::parse("XX").is_none());
        assert!(PhoneRegion::parse("USA").is_none());
    }
}
