//! Rate-limit windows shared by every instance on one PostgreSQL (`rate_limit_windows`, an
//! unlogged table): each request under a limit counts itself with one atomic upsert of its
//! key's row for the minute, and reads the total back. See `limits`.

use diesel::sql_types::{BigInt, Integer, Text};
use diesel::RunQueryDsl;

use super::{DbConn, Result};

#[derive(diesel::QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    count: i32,
}

/// Counts one request of `key` in the window starting at `window_start` (Unix seconds); the
/// window's count with it.
pub fn count(conn: &mut DbConn, key: &str, window_start: i64) -> Result<u32> {
    let upsert = diesel::sql_query(
        "INSERT INTO rate_limit_windows (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + 1 \
         RETURNING count",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(window_start);
    let counted: Counted = crate::db_run!(conn, { upsert.get_result(conn) })?;
    Ok(counted.count.max(0) as u32)
}

/// Forgets the windows that started before `window_start`.
pub fn purge_before(conn: &mut DbConn, window_start: i64) -> Result<usize> {
    let delete = diesel::sql_query("DELETE FROM rate_limit_windows WHERE window_start < $1")
        .bind::<BigInt, _>(window_start);
    crate::db_run!(conn, { delete.execute(conn) })
}
