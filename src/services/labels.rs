//! Customer tiers and statuses (SPEC §6): CRUD; one in use can't be deleted.

use crate::db::labels::{self, Label};
use crate::db::{self, DbConn, Scope};
use crate::domain::label::{LabelInput, LabelKind};
use crate::error::{ApiError, FieldErrors};

pub fn create(
    conn: &mut DbConn,
    account: Scope,
    kind: LabelKind,
    input: &LabelInput,
) -> Result<Label, ApiError> {
    Ok(labels::create(conn, account, kind, input)?)
}

pub fn load(
    conn: &mut DbConn,
    account: Scope,
    kind: LabelKind,
    id: i64,
) -> Result<Label, ApiError> {
    labels::find(conn, account, kind, id)?.ok_or_else(ApiError::not_found)
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    kind: LabelKind,
    id: i64,
    input: &LabelInput,
) -> Result<Label, ApiError> {
    let current = load(conn, account, kind, id)?;
    // A write that changes nothing writes nothing: `updated_at` and the ETag stay.
    let changes = db::differs(&input.name, &current.name)
        || db::differs(&input.color, &current.color)
        || db::differs(&input.position, &current.position);
    if !changes {
        return Ok(current);
    }
    Ok(labels::update(conn, account, id, input)?)
}

/// 409 while a company uses it.
pub fn delete(conn: &mut DbConn, account: Scope, kind: LabelKind, id: i64) -> Result<(), ApiError> {
    load(conn, account, kind, id)?;
    if labels::in_use(conn, account, id)? {
        let mut errors = FieldErrors::new();
        errors.add(
            "id",
            format!("is the {} of at least one company", kind.as_str()),
        );
        return Err(ApiError::Conflict(
            format!(
                "This {} is in use; move its companies first.",
                kind.as_str()
            ),
            errors,
        ));
    }
    labels::delete(conn, account, id)?;
    Ok(())
}

pub fn list(conn: &mut DbConn, account: Scope, kind: LabelKind) -> Result<Vec<Label>, ApiError> {
    Ok(labels::list(conn, account, kind)?)
}
