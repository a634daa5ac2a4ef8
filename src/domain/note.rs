//! Agents' notes on a customer or a company (issue 19): a markdown body, nothing else to set.

use serde_json::Value;

use super::conversation::MAX_BODY_BYTES;
use super::input::{Object, Patch};
use super::FieldErrors;

/// A valid note body: `body` is the one field, required to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteInput {
    /// Markdown, stored and returned as written (trimmed); rendering is the client's.
    pub body: String,
}

/// A valid `PATCH`/`PUT` of a note: without `body` it changes nothing, as every PATCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteChanges {
    pub body: Option<String>,
}

impl NoteChanges {
    pub fn parse(body: &Value) -> Result<NoteChanges, FieldErrors> {
        if Object::root(body)?.has("body") {
            NoteInput::parse(body).map(|note| NoteChanges {
                body: Some(note.body),
            })
        } else {
            Ok(NoteChanges { body: None })
        }
    }
}

impl NoteInput {
    pub fn parse(body: &Value) -> Result<NoteInput, FieldErrors> {
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let body = match object.text("body", &mut errors) {
            Patch::Set(text) if text.trim().is_empty() => {
                errors.add("body", "can't be blank");
                None
            }
            Patch::Set(text) if text.trim().len() > MAX_BODY_BYTES => {
                errors.add("body", format!("must be at most {MAX_BODY_BYTES} bytes"));
                None
            }
            Patch::Set(text) => Some(text.trim().to_string()),
            Patch::Absent | Patch::Clear => {
                if !errors.contains("body") {
                    errors.add("body", "is required");
                }
                None
            }
        };
        match body {
            Some(body) if errors.is_empty() => Ok(NoteInput { body }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused_on_body(body: Value) -> bool {
        NoteInput::parse(&body).unwrap_err().contains("body")
    }

    #[test]
    fn a_change_without_a_body_changes_nothing() {
        assert_eq!(NoteChanges::parse(&json!({})).unwrap().body, None);
        assert!(NoteChanges::parse(&json!({"body": " "})).is_err());
        assert!(NoteChanges::parse(&json!({"body": null})).is_err());
    }

    #[test]
    fn a_body_is_trimmed_markdown() {
        let note = NoteInput::parse(&json!({"body": "  **Called** about #12\n"})).unwrap();
        assert_eq!(note.body, "**Called** about #12");
    }

    #[test]
    fn the_body_is_required_and_not_blank() {
        assert!(refused_on_body(json!({})));
        assert!(refused_on_body(json!({"body": "  "})));
        assert!(refused_on_body(json!({"body": null})));
        assert!(refused_on_body(json!({"body": 12})));
        assert!(refused_on_body(
            json!({"body": "x".repeat(MAX_BODY_BYTES + 1)})
        ));
        assert!(NoteInput::parse(&json!({"body": "x".repeat(MAX_BODY_BYTES)})).is_ok());
    }
}
