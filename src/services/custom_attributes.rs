//! Custom attributes (issue 19): definitions CRUD (deleting one takes its values off every
//! record), values checked against them on every write, and list filters resolved against them.

use crate::db::custom_attributes::{self as stored, Definition};
use crate::db::{self, DbConn, Scope};
use crate::domain::custom_attribute::{
    self as attribute, AttributeFilter, AttributeOwner, AttributeType, AttributeValue,
    AttributesChange, DefinitionInput, IndexChanges, RawFilter, MAX_DEFINITIONS,
};
use crate::domain::input::Patch;
use crate::error::{ApiError, FieldErrors};

pub fn create(
    conn: &mut DbConn,
    account: Scope,
    input: &DefinitionInput,
) -> Result<Definition, ApiError> {
    let object_type = input.object_type.unwrap_or(AttributeOwner::Customer);
    if stored::count(conn, account, object_type)? >= MAX_DEFINITIONS {
        return Err(ApiError::field(
            "key",
            format!(
                "is one too many: an account defines at most {MAX_DEFINITIONS} attributes for {}",
                object_type.plural()
            ),
        ));
    }
    let key = input.key.as_deref().unwrap_or_default();
    let taken = stored::list(conn, account, Some(object_type))?
        .iter()
        .any(|d| d.key == key);
    if taken {
        return Err(ApiError::field("key", "has already been taken"));
    }
    stored::create(conn, account, input).map_err(|err| {
        // A concurrent writer defined the same key between the check and the insert.
        if err.is_unique_violation() {
            ApiError::field("key", "has already been taken")
        } else {
            err.into()
        }
    })
}

pub fn load(conn: &mut DbConn, account: Scope, id: i64) -> Result<Definition, ApiError> {
    stored::find(conn, account, id)?.ok_or_else(ApiError::not_found)
}

/// Changes the label, or a list's options: an option some record holds can't go (409).
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &DefinitionInput,
) -> Result<Definition, ApiError> {
    let current = load(conn, account, id)?;
    let options_before = current.options();
    if input.options.is_some() && current.data_type != AttributeType::List {
        return Err(ApiError::field("options", "is only for the list type"));
    }
    let label = input.label.clone().unwrap_or_else(|| current.label.clone());
    let options = input
        .options
        .clone()
        .unwrap_or_else(|| options_before.clone());
    if label == current.label && options == options_before {
        return Ok(current);
    }
    let removed: Vec<String> = options_before
        .iter()
        .filter(|o| !options.contains(o))
        .cloned()
        .collect();
    if !removed.is_empty()
        && stored::holds_any(conn, account, current.object_type, &current.key, &removed)?
    {
        let mut errors = FieldErrors::new();
        errors.add(
            "options",
            format!(
                "would drop an option some {} hold ({}): change their values first",
                current.object_type.plural(),
                removed.join(", ")
            ),
        );
        return Err(ApiError::Conflict(
            "An option in use can't be removed.".into(),
            errors,
        ));
    }
    Ok(stored::update(conn, account, id, &label, &options)?)
}

/// Deletes a definition, and its values from every record that has one (their `updated_at`
/// stays: the records didn't change, the account's schema did).
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    let current = load(conn, account, id)?;
    stored::strip(conn, account, current.object_type, &current.key)?;
    stored::delete(conn, account, id)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConn,
    account: Scope,
    object_type: Option<AttributeOwner>,
) -> Result<Vec<Definition>, ApiError> {
    Ok(stored::list(conn, account, object_type)?)
}

/// A record's values after a body's `custom_attributes`, checked against the account's
/// definitions (read only when the body sets some): its new JSON, and what changed in the
/// index. `None` when nothing changes.
pub fn apply(
    conn: &mut DbConn,
    account: Scope,
    owner: AttributeOwner,
    current_json: &str,
    change: &AttributesChange,
) -> Result<Option<(String, IndexChanges)>, ApiError> {
    let rules = match change {
        Patch::Absent => return Ok(None),
        Patch::Set(changes) if !changes.is_empty() => stored::rules(conn, account, owner)?,
        _ => Default::default(),
    };
    let current = attribute::from_json(current_json);
    let (after, indexed) = attribute::apply(&current, change, &rules, owner)?;
    if indexed.is_empty() {
        return Ok(None);
    }
    Ok(Some((attribute::to_json(&after), indexed)))
}

/// A list's `custom_attributes[…]` filters checked against the definitions (read only when
/// there are some); errors name the query parameter.
pub fn resolve_filters(
    conn: &mut DbConn,
    account: Scope,
    owner: AttributeOwner,
    raw: &[RawFilter],
) -> Result<Vec<AttributeFilter>, ApiError> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let rules = stored::rules(conn, account, owner)?;
    let mut errors = FieldErrors::new();
    let mut filters = Vec::with_capacity(raw.len());
    for filter in raw {
        match filter.resolve(rules.get(&filter.key), owner) {
            Ok(resolved) => filters.push(resolved),
            Err(message) => errors.add(filter.param.clone(), message),
        }
    }
    Ok(errors.into_result(filters)?)
}

/// Writes what changed of a record's values in the index (see [`apply`]).
pub fn write_index(
    conn: &mut DbConn,
    account: Scope,
    owner: crate::domain::owner::Owner,
    indexed: &[(String, Option<AttributeValue>)],
) -> Result<(), ApiError> {
    Ok(db::custom_attributes::write(conn, account, owner, indexed)?)
}
