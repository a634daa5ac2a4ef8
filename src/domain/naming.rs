//! A customer's computed `name` and `initials` (SPEC §4).

use unicode_segmentation::UnicodeSegmentation;

/// `first_name` and `last_name` joined by one space, trimmed; when both are empty, the first
/// email; when there is none either, `""`.
pub fn display_name(
    first_name: Option<&str>,
    last_name: Option<&str>,
    first_email: Option<&str>,
) -> String {
    let joined = [first_name, last_name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if joined.is_empty() {
        first_email.unwrap_or_default().to_string()
    } else {
        joined
    }
}

/// The first letter of `first_name` and of `last_name`, upper-cased; one letter when only one is
/// set; when both are empty, the first letter of `name`. A "letter" is a whole grapheme, so
/// a decomposed "é" keeps its accent.
pub fn initials(first_name: Option<&str>, last_name: Option<&str>, name: &str) -> String {
    let letters: String = [first_name, last_name]
        .into_iter()
        .flatten()
        .filter_map(first_letter)
        .collect();
    if letters.is_empty() {
        first_letter(name).unwrap_or_default()
    } else {
        letters
    }
}

fn first_letter(text: &str) -> Option<String> {
    text.trim().graphemes(true).next().map(str::to_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_first_and_last() {
        assert_eq!(
            display_name(Some("Jane"), Some("Doe"), Some("x@y.z")),
            "Jane Doe"
        );
        assert_eq!(display_name(Some(" Jane "), None, None), "Jane");
        assert_eq!(display_name(None, Some("Doe"), None), "Doe");
        assert_eq!(
            display_name(Some(""), Some("  "), Some("jane@example.org")),
            "jane@example.org"
        );
        assert_eq!(display_name(None, None, None), "");
    }

    #[test]
    fn initials_take_one_letter_of_each_name() {
        assert_eq!(initials(Some("Jane"), Some("Doe"), "Jane Doe"), "JD");
        assert_eq!(initials(Some("jane"), None, "jane"), "J");
        assert_eq!(initials(None, Some("doe"), "doe"), "D");
    }

    #[test]
    fn initials_are_unicode_aware() {
        assert_eq!(initials(Some("émile"), Some("zola"), "émile zola"), "ÉZ");
        // "e" followed by a combining acute accent: one letter, accent kept.
        assert_eq!(initials(Some("e\u{301}mile"), None, ""), "E\u{301}");
        assert_eq!(initials(Some("łukasz"), Some("żak"), ""), "ŁŻ");
        assert_eq!(initials(Some("straße"), None, ""), "S");
        assert_eq!(initials(Some("ßa"), None, ""), "SS");
    }

    #[test]
    fn without_names_initials_come_from_the_name() {
        assert_eq!(initials(None, None, "jane@example.org"), "J");
        assert_eq!(initials(Some(""), Some(""), ""), "");
    }
}
