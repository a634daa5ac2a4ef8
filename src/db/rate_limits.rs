//! Rate-limit windows shared by every instance on one PostgreSQL (`rate_limit_windows`, an
//! unlogged table): each request under a limit counts itself with one atomic upsert of its
//! key's row for the minute, and reads the total back. See `limits`.

use diesel::prelude::*;

use super::schema::rate_limit_windows;
use super::{DbConn, Result};
use crate::db_run;

/// Counts one request of `key` in the window starting at `window_start` (Unix seconds); the
/// window's count with it.
pub fn count(conn: &mut DbConn, key: &str, window_start: i64) -> Result<u32> {
    use rate_limit_windows::dsl as w;
    let counted: i32 = db_run!(conn, {
        diesel::insert_into(w::rate_limit_windows)
            .values((
                w::key.eq(key),
                w::window_start.eq(window_start),
                w::count.eq(1),
            ))
            .on_conflict((w::key, w::window_start))
            .do_update()
            .set(w::count.eq(w::count + 1))
            .returning(w::count)
            .get_result(conn)
    })?;
    Ok(counted.max(0) as u32)
}

/// Forgets the windows that started before `window_start`.
pub fn purge_before(conn: &mut DbConn, window_start: i64) -> Result<usize> {
    use rate_limit_windows::dsl as w;
    db_run!(conn, {
        diesel::delete(w::rate_limit_windows.filter(w::window_start.lt(window_start))).execute(conn)
    })
}
