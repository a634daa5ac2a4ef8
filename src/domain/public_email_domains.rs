//! Public email providers: never a company's domain (SPEC §6). The one list; keep it sorted.

pub const PUBLIC_EMAIL_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aim.com",
    "aol.com",
    "att.net",
    "bellsouth.net",
    "btinternet.com",
    "comcast.net",
    "cox.net",
    "daum.net",
    "earthlink.net",
    "fastmail.com",
    "fastmail.fm",
    "free.fr",
    "gmail.com",
    "gmx.at",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "hotmail.it",
    "hushmail.com",
    "icloud.com",
    "inbox.com",
    "laposte.net",
    "libero.it",
    "live.co.uk",
    "live.com",
    "live.fr",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "outlook.fr",
    "pm.me",
    "proton.me",
    "protonmail.ch",
    "protonmail.com",
    "qq.com",
    "rambler.ru",
    "rediffmail.com",
    "rocketmail.com",
    "sbcglobal.net",
    "seznam.cz",
    "sky.com",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "verizon.net",
    "virgilio.it",
    "wanadoo.fr",
    "web.de",
    "yahoo.ca",
    "yahoo.co.in",
    "yahoo.co.jp",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.com.au",
    "yahoo.com.br",
    "yahoo.de",
    "yahoo.es",
    "yahoo.fr",
    "yahoo.it",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
    "zohomail.com",
];

/// Whether `domain` (lower-case) is a public email provider.
pub fn is_public_email_domain(domain: &str) -> bool {
    PUBLIC_EMAIL_DOMAINS.binary_search(&domain).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_binary_search_works() {
        assert!(PUBLIC_EMAIL_DOMAINS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn knows_the_big_providers() {
        for domain in [
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "hotmail.com",
            "icloud.com",
        ] {
            assert!(is_public_email_domain(domain), "{domain}");
        }
        assert!(!is_public_email_domain("acme.com"));
    }
}
