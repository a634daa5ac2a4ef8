//! A time bound on SQLite work, the counterpart of PostgreSQL's `statement_timeout`.
//!
//! SQLite has no timeout of its own, but calls a progress handler every few thousand virtual
//! machine steps and stops the statement (`SQLITE_INTERRUPT`) when it returns non-zero. diesel
//! gives no access to the raw connection, so the handler is installed on every connection this
//! process opens through SQLite's auto-extension hook. It reads a deadline kept per thread: a
//! pooled connection runs on the one blocking thread that checked it out, and
//! [`within`] sets the deadline there for the length of a request's database work.

use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Once;
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;

/// Virtual machine steps between two looks at the clock: a few microseconds of work, so the
/// look (one `clock_gettime`) costs nothing measurable.
const STEPS_PER_CHECK: c_int = 4_000;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `work` with SQLite statements on this thread interrupted once `timeout` has passed.
pub(super) fn within<T>(timeout: Duration, work: impl FnOnce() -> T) -> T {
    struct Reset(Option<Instant>);
    impl Drop for Reset {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _reset = Reset(DEADLINE.with(|d| d.replace(Some(Instant::now() + timeout))));
    work()
}

/// Installs the progress handler on every SQLite connection opened from now on.
pub(super) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain function with the signature SQLite expects; it is called
        // with a valid connection handle as each connection opens.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            log::warn!("SQLite work timeout unavailable: sqlite3_auto_extension returned {rc}");
        }
    });
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened; the handler keeps no pointer to it.
    unsafe {
        ffi::sqlite3_progress_handler(
            db,
            STEPS_PER_CHECK,
            Some(past_deadline),
            std::ptr::null_mut(),
        )
    };
    ffi::SQLITE_OK
}

/// Non-zero (stop the statement) once this thread's deadline has passed.
unsafe extern "C" fn past_deadline(_: *mut c_void) -> c_int {
    DEADLINE.with(|d| match d.get() {
        Some(deadline) if Instant::now() >= deadline => 1,
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    #[test]
    fn long_work_is_interrupted_and_short_work_is_not() {
        install();
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n";
        let started = Instant::now();
        let err = within(Duration::from_millis(50), || conn.batch_execute(endless)).unwrap_err();
        assert!(matches!(
            super::super::Error::from(err),
            super::super::Error::TooSlow
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
        within(Duration::from_secs(5), || conn.batch_execute("SELECT 1")).unwrap();
        // Outside `within` nothing is bounded (the deadline is reset).
        DEADLINE.with(|d| assert!(d.get().is_none()));
    }
}
