//! Opaque list cursors: where the last page ended, in the list's sort order.
//!
//! A cursor is base64url JSON `{"s": sort, "v": last sort value, "id": last id}`. Clients must treat
//! it as opaque; it only saves the server from counting and skipping rows (keyset paging).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The last row of a page, as the next page's lower bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor belongs to (`-created_at`, `name`, …).
    #[serde(rename = "s")]
    pub sort: String,
    /// The last row's sort value: a name, or a timestamp written with [`TIME_FORMAT`].
    #[serde(rename = "v")]
    pub value: String,
    pub id: i64,
}

/// Microsecond timestamps, so a bound compares exactly with what is stored.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

impl Cursor {
    #[allow(
        clippy::expect_used,
        reason = "a struct of numbers and strings always serializes"
    )]
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serializes"))
    }

    /// `None` for anything that is not a well-formed cursor. Cursors are not signed, so a client
    /// may forge one: its value is bounded (no NUL, ≤ 1024 characters), which is all a forged
    /// cursor could use to upset a query; at worst it starts the list at another row.
    pub fn decode(text: &str) -> Option<Cursor> {
        if text.len() > 4096 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let cursor: Cursor = serde_json::from_slice(&bytes).ok()?;
        let sane = !cursor.value.contains('\0') && cursor.value.chars().count() <= 1024;
        sane.then_some(cursor)
    }

    /// A cursor after a row of a time-sorted list.
    pub fn after_time(sort: &str, at: NaiveDateTime, id: i64) -> Cursor {
        Cursor {
            sort: sort.to_string(),
            value: at.format(TIME_FORMAT).to_string(),
            id,
        }
    }

    /// A cursor after a row of a list sorted by id alone.
    pub fn after_id(sort: &str, id: i64) -> Cursor {
        Cursor {
            sort: sort.to_string(),
            value: String::new(),
            id,
        }
    }

    /// The timestamp bound, for a time-sorted list (years 1–9999, which every backend stores).
    pub fn time(&self) -> Option<NaiveDateTime> {
        use chrono::Datelike;
        NaiveDateTime::parse_from_str(&self.value, TIME_FORMAT)
            .ok()
            .filter(|t| (1..=9999).contains(&t.year()))
    }

    /// The row a time-sorted page starts after: its timestamp and id (a cursor whose time is
    /// unreadable bounds at the epoch's start, so it matches what a forged one would).
    pub fn after_time_key(&self) -> (NaiveDateTime, i64) {
        (self.time().unwrap_or_default(), self.id)
    }

    /// The row a text-sorted page starts after: its text and id.
    pub fn after_text_key(&self) -> (String, i64) {
        (self.value.clone(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_round_trip() {
        let at =
            NaiveDateTime::parse_from_str("2026-01-02 03:04:05.678901", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        let cursor = Cursor::after_time("-created_at", at, 42);
        let decoded = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!((decoded.time(), decoded.id), (Some(at), 42));
        let by_name = Cursor {
            sort: "name".into(),
            value: "2026-01-02T03:04:05".into(),
            id: 7,
        };
        assert_eq!(Cursor::decode(&by_name.encode()), Some(by_name));
    }

    #[test]
    fn forged_values_are_refused() {
        let nul = Cursor {
            sort: "name".into(),
            value: "a\0b".into(),
            id: 1,
        };
        assert_eq!(Cursor::decode(&nul.encode()), None);
        let ancient = Cursor {
            sort: "-created_at".into(),
            value: "-5000-01-01T00:00:00.000000".into(),
            id: 1,
        };
        assert_eq!(Cursor::decode(&ancient.encode()).unwrap().time(), None);
    }

    #[test]
    fn garbage_is_no_cursor() {
        for bad in ["", "abc", "eyJ4IjoxfQ", "!!!"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
