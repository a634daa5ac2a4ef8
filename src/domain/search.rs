//! What `q` matches (issue 19). A customer is indexed under *terms*: the folded words of its
//! names and company, each email whole and by parts, the digits of each phone from every position
//! (so 4 digits from anywhere in it find it), each website's host and its labels. A query's words
//! must each start one of the customer's terms, in any order.
//!
//! Terms live in `customer_search_terms` (see `db::search_terms`), so both backends search with
//! one index range per word.

use std::collections::BTreeSet;

use phonenumber::country;

use super::contact::{phone_digits, ContactKind};
use super::phone::PhoneRegion;
use super::text_fold::fold;

/// Longest term, in characters: longer text is indexed (and searched) by its start, so any term
/// fits an index entry.
pub const MAX_TERM_CHARS: usize = 200;
/// Fewest digits a phone is found by from the middle or end of its number.
pub const MIN_PHONE_DIGITS: usize = 4;

/// The terms a customer is found by.
pub fn terms<'a>(
    first_name: Option<&str>,
    last_name: Option<&str>,
    company: Option<&str>,
    contacts: impl IntoIterator<Item = (ContactKind, &'a str)>,
) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for text in [first_name, last_name, company].into_iter().flatten() {
        add_words(&mut terms, &fold(text));
    }
    for (kind, value) in contacts {
        match kind {
            ContactKind::Email => add_email(&mut terms, &fold(value)),
            ContactKind::Phone => add_phone(&mut terms, &phone_digits(value)),
            ContactKind::Website => add_website(&mut terms, value),
        }
    }
    terms.retain(|t| !t.is_empty());
    terms
}

/// Each whitespace-separated token as written (`o'brien`, `j.r.r`) and each run of letters and
/// digits in it (`o`, `brien`).
fn add_words(terms: &mut BTreeSet<String>, folded: &str) {
    for token in folded.split_whitespace() {
        let token = trim_punctuation(token);
        if token.is_empty() {
            continue;
        }
        terms.insert(cut(token));
        for word in alphanumeric_runs(token) {
            terms.insert(cut(word));
        }
    }
}

/// The address whole (`jane.doe@example.org`), its local part's words and its domain.
fn add_email(terms: &mut BTreeSet<String>, email: &str) {
    terms.insert(cut(email));
    if let Some((local, domain)) = email.rsplit_once('@') {
        for word in alphanumeric_runs(local) {
            terms.insert(cut(word));
        }
        terms.insert(cut(domain));
    }
}

/// Every suffix of the digits with at least [`MIN_PHONE_DIGITS`] (the whole number among them):
/// a query's digits then match from any position as a prefix of one of them.
fn add_phone(terms: &mut BTreeSet<String>, digits: &str) {
    if digits.len() <= MIN_PHONE_DIGITS {
        terms.insert(digits.to_string());
        return;
    }
    for start in 0..=digits.len() - MIN_PHONE_DIGITS {
        terms.insert(cut(&digits[start..]));
    }
}

/// The host (`www.acme.example`), without `www.`, and its labels.
fn add_website(terms: &mut BTreeSet<String>, url: &str) {
    let Some(host) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(fold))
    else {
        return;
    };
    let bare = host.strip_prefix("www.").unwrap_or(&host);
    terms.insert(cut(&host));
    terms.insert(cut(bare));
    for label in alphanumeric_runs(bare) {
        terms.insert(cut(label));
    }
}

/// A parsed `q`: the words that must each start one of a customer's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Distinct, none the start of another (it would add nothing), longest first: the first
    /// drives the index range, the longest being the likeliest to be rare.
    pub words: Vec<String>,
}

impl Search {
    /// Reads `q`. A query that is a phone number (`+1 123-123-1234`, `(555) 010 0000`) is one
    /// word, its digits; written internationally or in the account's `region`, its national
    /// number, which the digits of the phone as stored contain however it was written.
    /// Otherwise each whitespace-separated token is folded and trimmed of punctuation; one that
    /// still holds punctuation (`jane.doe@ex`, `acme.example`, `o'brien`) is kept whole (it
    /// starts an email, a host or a name as written), one that reads as a phone is its digits,
    /// and the rest are their runs of letters and digits.
    pub fn parse(q: &str, region: Option<PhoneRegion>) -> Search {
        let q = q.trim();
        let mut words = Vec::new();
        if is_phone_like(q) {
            words.push(national_digits(q, region));
        } else {
            for token in fold(q).split_whitespace() {
                let token = trim_punctuation(token);
                if is_phone_like(token) {
                    words.push(phone_digits(token));
                } else if token.chars().all(char::is_alphanumeric) {
                    words.extend(alphanumeric_runs(token).map(str::to_string));
                } else if !token.is_empty() {
                    words.push(token.to_string());
                }
            }
        }
        let mut words: Vec<String> = words.into_iter().map(|w| cut(&w)).collect();
        words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        words.dedup();
        let mut kept: Vec<String> = Vec::with_capacity(words.len());
        for word in words {
            if !kept.iter().any(|longer| longer.starts_with(&word)) {
                kept.push(word);
            }
        }
        Search { words: kept }
    }

    /// Whether nothing searchable was given (`q=_`): such a query matches no one.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `q` reads as a phone number, so the account's region changes its meaning.
    pub fn is_phone(q: &str) -> bool {
        is_phone_like(q.trim())
    }
}

/// The bounds of the terms `word` starts: `word <= term < word + U+10FFFF`, which both backends
/// compare bytewise (SQLite's default, PostgreSQL's `COLLATE "C"`), so it is one index range.
pub fn prefix_range(word: &str) -> (String, String) {
    (word.to_string(), format!("{word}{}", char::MAX))
}

/// Digits with phone punctuation only (`+ - ( ) .` and spaces), at least [`MIN_PHONE_DIGITS`]
/// digits: a number, not a word.
fn is_phone_like(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && text.chars().filter(char::is_ascii_digit).count() >= MIN_PHONE_DIGITS
}

/// A phone query's national number when it parses as one (`+1 123-123-1234` → `1231231234`,
/// `020 7946 0000` in GB → `2079460000`), else its digits.
fn national_digits(q: &str, region: Option<PhoneRegion>) -> String {
    let region: Option<country::Id> = region.and_then(|r| r.as_str().parse().ok());
    let international = q.starts_with('+');
    match phonenumber::parse(region, q) {
        Ok(number) if international || region.is_some() => {
            let national = number.national();
            format!(
                "{}{}",
                "0".repeat(national.zeros() as usize),
                national.value()
            )
        }
        _ => phone_digits(q),
    }
}

fn trim_punctuation(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_alphanumeric())
}

fn alphanumeric_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `text` cut to [`MAX_TERM_CHARS`] characters.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_TERM_CHARS) {
        Some((end, _)) => text[..end].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(terms: &BTreeSet<String>, q: &str, region: Option<PhoneRegion>) -> bool {
        let search = Search::parse(q, region);
        !search.is_empty()
            && search
                .words
                .iter()
                .all(|w| terms.iter().any(|t| t.starts_with(w.as_str())))
    }

    fn jane() -> BTreeSet<String> {
        terms(
            Some("Émile"),
            Some("O'Brien-Straße"),
            Some("ACME Ltd."),
            [
                (ContactKind::Email, "Jane.Doe@Example.org"),
                (ContactKind::Phone, "+1 (123) 123-1234"),
                (ContactKind::Phone, "020 7946 0000"),
                (ContactKind::Website, "https://www.Acme-Corp.example/about"),
            ],
        )
    }

    #[test]
    fn names_match_in_any_order_case_and_accents_aside() {
        let terms = jane();
        for q in [
            "emile",
            "ÉMILE",
            "emi",
            "brien emile",
            "o'brien",
            "strasse",
            "STRAßE",
            "acme",
            "ltd.",
            "  Émile   O'Brien-Straße ",
        ] {
            assert!(matches(&terms, q, None), "{q}");
        }
        for q in ["milе", "emile zola", "brienn", "_", ""] {
            assert!(!matches(&terms, q, None), "{q}");
        }
    }

    #[test]
    fn emails_match_whole_by_words_and_by_domain() {
        let terms = jane();
        for q in [
            "jane.doe@example.org",
            "JANE.DOE@EX",
            "doe",
            "example.org",
            "example",
        ] {
            assert!(matches(&terms, q, None), "{q}");
        }
        assert!(!matches(&terms, "doe@example.org", None));
    }

    #[test]
    fn phones_match_by_digits_from_any_four() {
        let terms = jane();
        for q in [
            "+1 123-123-1234",
            "11231231234",
            "123-123-1234",
            "(123) 123",
            "1234",
            "3123",
            "emile 1231",
            "020 7946",
            "79460000",
        ] {
            assert!(matches(&terms, q, None), "{q}");
        }
        assert!(!matches(&terms, "9999", None));
        // Written internationally, a number is searched by its national part.
        let stored = super::terms(None, None, None, [(ContactKind::Phone, "123-123-1234")]);
        assert!(matches(&stored, "+1 123-123-1234", None));
        assert!(
            !matches(&stored, "11231231234", None),
            "no region to read it in"
        );
        let us = PhoneRegion::parse("US");
        assert!(matches(&stored, "1 123 123 1234", us));
        let gb = PhoneRegion::parse("GB");
        let london = super::terms(None, None, None, [(ContactKind::Phone, "+44 20 7946 0000")]);
        assert!(matches(&london, "020 7946 0000", gb));
    }

    #[test]
    fn websites_match_by_host_and_labels() {
        let terms = jane();
        for q in ["acme-corp.example", "www.acme", "corp", "acme-corp"] {
            assert!(matches(&terms, q, None), "{q}");
        }
        assert!(!matches(&terms, "about", None), "paths are not searched");
    }

    #[test]
    fn words_are_distinct_longest_first_and_bounded() {
        assert_eq!(Search::parse("jan JANE doe", None).words, ["jane", "doe"]);
        assert!(Search::parse("_ - ..", None).is_empty());
        let long = "x".repeat(300);
        assert_eq!(Search::parse(&long, None).words[0].len(), MAX_TERM_CHARS);
        let (low, high) = prefix_range("ab");
        assert!(low.as_str() <= "ab" && "abz" < high.as_str() && "ac" > high.as_str());
    }
}
