//! SQLite's query planner, made to plan each statement once.
//!
//! The bundled SQLite is built with STAT4: once `ANALYZE` has run, a statement whose WHERE binds
//! an indexed column is prepared again on every call, to plan for the bound value. On the hot
//! path that was most of the server's CPU (SQL compiled per request), and it gave an account
//! created after the last `ANALYZE` plans for "almost no rows" that stayed as it grew. The query
//! planner stability guarantee (QPSG) plans once from the table-wide statistics instead.

use std::os::raw::{c_char, c_int};
use std::sync::Once;

use libsqlite3_sys as ffi;

/// Turns the stability guarantee on for every SQLite connection opened from now on.
pub(super) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain function with the signature SQLite expects; it is called
        // with a valid connection handle as each connection opens.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            log::warn!(
                "SQLite planner stability unavailable: sqlite3_auto_extension returned {rc}"
            );
        }
    });
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    let mut now_on: c_int = 0;
    // SAFETY: `db` is the connection being opened; the call takes an int and an out-pointer to
    // an int, as SQLITE_DBCONFIG_ENABLE_QPSG documents.
    unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            &mut now_on as *mut c_int,
        );
    }
    if now_on != 1 {
        log::warn!("SQLite refused the query planner stability guarantee");
    }
    ffi::SQLITE_OK
}
