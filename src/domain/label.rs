//! Customer tiers and statuses: `name`, `color`, `position`.

use serde_json::Value;

use super::input::{bounded_text, required_text, Mode, Object, Patch};
use super::{text_enum, FieldErrors};

pub const MAX_COLOR_LEN: usize = 32;

text_enum! {
    /// Tiers and statuses share one shape and one table.
    pub enum LabelKind { Tier = "tier", Status = "status" }
}

impl LabelKind {
    /// The path segment of its routes (`customer_tiers`).
    pub fn route(self) -> &'static str {
        match self {
            LabelKind::Tier => "customer_tiers",
            LabelKind::Status => "customer_statuses",
        }
    }

    /// The company field that refers to this kind (`tier_id`).
    pub fn company_field(self) -> &'static str {
        match self {
            LabelKind::Tier => "tier_id",
            LabelKind::Status => "status_id",
        }
    }
}

/// A valid tier or status body; on update, `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelInput {
    pub name: Option<String>,
    /// `Some(None)` clears.
    pub color: Option<Option<String>>,
    pub position: Option<i64>,
}

impl LabelInput {
    /// `Create` requires `name`.
    pub fn parse(body: &Value, mode: Mode) -> Result<LabelInput, FieldErrors> {
        let creating = mode == Mode::Create;
        let object = Object::root(body)?;
        let mut errors = FieldErrors::new();
        let name = match object.text("name", &mut errors) {
            Patch::Absent if !creating => None,
            value => required_text(value, "name", 255, &mut errors),
        };
        let color = match object.text("color", &mut errors) {
            Patch::Set(c) => bounded_text(c, "color", MAX_COLOR_LEN, &mut errors).map(Some),
            Patch::Clear => Some(None),
            Patch::Absent => None,
        };
        let position = match object.integer("position", &mut errors) {
            Patch::Set(n) if (0..=1_000_000).contains(&n) => Some(n),
            Patch::Absent => None,
            _ => {
                errors.add("position", "must be a whole number from 0 to 1000000");
                None
            }
        };
        errors.into_result(LabelInput {
            name,
            color,
            position,
        })
    }
}
