//! Request counters in fixed one-minute windows, kept in this process (the HTTP side that
//! classifies requests and writes the headers is `api::rate_limit`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many keys, expired windows are swept out on the next check.
const SWEEP_AT: usize = 10_000;

/// Counts requests per key in fixed windows.
pub struct Limiter {
    limit: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
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
        })
    }

    pub fn check(&self, key: &str) -> Decision {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_AT {
            windows.retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
        }
        let (started, count) = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(*started) >= WINDOW {
            *started = now;
            *count = 0;
        }
        let allowed = *count < self.limit;
        if allowed {
            *count += 1;
        }
        Decision {
            allowed,
            limit: self.limit,
            remaining: self.limit - *count,
            reset: (WINDOW.saturating_sub(now.duration_since(*started)))
                .as_secs()
                .max(1),
        }
    }
}

/// The limiters a server runs with.
pub struct RateLimits {
    pub per_user: Option<Limiter>,
    pub login_per_address: Option<Limiter>,
    pub guest_per_address: Option<Limiter>,
}
