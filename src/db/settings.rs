//! Server-wide settings stored in the database, so every instance on it agrees.

use super::Result;
use diesel::prelude::*;

use super::schema::settings;
use super::DbConn;
use crate::db_run;

/// Returns the stored value of `name`, storing `make()` first when there is none.
/// Instances racing on first start all end up with the value that was stored first.
pub fn get_or_init(conn: &mut DbConn, name: &str, make: impl FnOnce() -> String) -> Result<String> {
    let stored: Option<String> = db_run!(conn, {
        settings::table
            .find(name)
            .select(settings::value)
            .get_result(conn)
            .optional()
    })?;
    if let Some(value) = stored {
        return Ok(value);
    }
    let candidate = make();
    db_run!(conn, {
        diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(&candidate)))
            .on_conflict_do_nothing()
            .execute(conn)?;
        settings::table
            .find(name)
            .select(settings::value)
            .get_result(conn)
    })
}

/// The stored value of `name`, if any.
pub fn get(conn: &mut DbConn, name: &str) -> Result<Option<String>> {
    db_run!(conn, {
        settings::table
            .find(name)
            .select(settings::value)
            .get_result(conn)
            .optional()
    })
}

/// Stores `value` as `name`, replacing what was there.
pub fn set(conn: &mut DbConn, name: &str, value: &str) -> Result<()> {
    db_run!(conn, {
        diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .on_conflict(settings::name)
            .do_update()
            .set(settings::value.eq(value))
            .execute(conn)
    })?;
    Ok(())
}
