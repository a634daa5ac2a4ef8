//! Request counters in fixed one-minute windows aligned to the clock (the HTTP side that
//! classifies requests and writes the headers is `api::rate_limit`). With `SHARED_RATE_LIMITS`
//! on PostgreSQL they are counted in the database, so every instance behind a load balancer
//! enforces one limit: one atomic upsert of the key's window per request (`db::rate_limits`).
//! Otherwise (the default, and always on SQLite) each process counts its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::db::{self, Db};

const WINDOW_SECS: i64 = 60;
/// Past this many keys, windows of earlier minutes are swept out on the next check.
const SWEEP_AT: usize = 10_000;

/// Counts requests per key in fixed windows.
pub struct Limiter {
    limit: u32,
    /// Per key: the start of its current window (Unix seconds) and its count there.
    windows: Mutex<HashMap<String, (i64, u32)>>,
    /// Where counts are shared with the other instances; `None`: this process only.
    shared: Option<Db>,
}

/// The outcome of one check, and what the headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset: u64,
}

impl Limiter {
    /// `None` for a limit of 0 (off).
    pub fn per_minute(limit: u32) -> Option<Limiter> {
        (limit > 0).then(|| Limiter {
            limit,
            windows: Mutex::new(HashMap::new()),
            shared: None,
        })
    }

    /// Counted in `db` (`Some`: PostgreSQL, shared by every instance on it) instead of here.
    pub fn shared_in(mut self, db: Option<Db>) -> Limiter {
        self.shared = db;
        self
    }

    /// Counts one request of `key` and says whether it is within the limit. Should the shared
    /// count fail (the database away), the request is counted here: the limit still holds per
    /// instance, and the request meets the outage in its own work.
    pub async fn check(&self, key: &str) -> Decision {
        let now = unix_now();
        let window_start = now - now.rem_euclid(WINDOW_SECS);
        let count = match &self.shared {
            Some(db) => {
                let owned = key.to_string();
                match db
                    .bookkeeping(move |conn| db::rate_limits::count(conn, &owned, window_start))
                    .await
                {
                    Ok(count) => count,
                    Err(e) => {
                        log::warn!("counting a rate limit in the database failed: {e}");
                        self.count_here(key, window_start)
                    }
                }
            }
            None => self.count_here(key, window_start),
        };
        Decision {
            allowed: count <= self.limit,
            limit: self.limit,
            remaining: self.limit.saturating_sub(count),
            reset: (window_start + WINDOW_SECS - now).max(1) as u64,
        }
    }

    /// Counts one request of `key` in this process; its window's count with it.
    fn count_here(&self, key: &str, window_start: i64) -> u32 {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_AT {
            windows.retain(|_, (started, _)| *started == window_start);
        }
        let (started, count) = windows.entry(key.to_string()).or_insert((window_start, 0));
        if *started != window_start {
            *started = window_start;
            *count = 0;
        }
        *count = count.saturating_add(1);
        *count
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The limiters a server runs with.
pub struct RateLimits {
    pub per_user: Option<Limiter>,
    pub login_per_address: Option<Limiter>,
    pub guest_per_address: Option<Limiter>,
}

/// How often the shared windows of minutes past are deleted.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(300);

/// Deletes shared windows older than the last two minutes, every [`PURGE_INTERVAL`]; nothing
/// without shared limits.
pub async fn purge_shared_windows(db: Option<Db>) {
    let Some(db) = db else {
        return;
    };
    let mut ticks = actix_web::rt::time::interval(PURGE_INTERVAL);
    loop {
        ticks.tick().await;
        let before = unix_now() - 2 * WINDOW_SECS;
        if let Err(e) = db
            .bookkeeping(move |conn| db::rate_limits::purge_before(conn, before))
            .await
        {
            log::warn!("purging old rate-limit windows failed: {e}");
        }
    }
}
