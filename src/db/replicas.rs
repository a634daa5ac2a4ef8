//! Read replicas (`DATABASE_READ_URL`): PostgreSQL streaming replicas that serve account reads
//! while they are fresh enough; every write, and every read that must see one, stays on the
//! primary.
//!
//! Freshness is measured, not assumed. Every [`POLL`] the watcher samples the primary's WAL insert
//! position and each replica's replay position: a replica that has replayed what the primary had
//! written `lag` ago is `lag` behind. One further behind than `max_lag`, or not answering, or not
//! a replica at all, serves nothing until a later sample finds it caught up. So a replica that
//! serves a read has every write committed more than `max_lag + POLL` before it: within that
//! [`Replicas::window`] of a caller's own write, its reads go to the primary.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::r2d2::{Pool as R2d2Pool, PooledConnection};
use diesel::sql_types::{BigInt, Nullable};
use diesel::RunQueryDsl;

use super::{ConnectionManager, DbConn, Error, Result};

/// How often the watcher samples the primary and the replicas.
pub const POLL: Duration = Duration::from_millis(200);

/// How long a read waits for a replica connection before it goes to the primary instead: a
/// replica that just went down is skipped at the next sample, and no read waits on it for long.
const CHECKOUT_WAIT: Duration = Duration::from_millis(500);

/// Past this many callers remembered, those whose window has passed are forgotten.
const REMEMBERED_WRITERS: usize = 10_000;

pub struct Replicas {
    replicas: Vec<Replica>,
    /// Where the next read starts looking (round robin over the fresh replicas).
    next: AtomicUsize,
    max_lag: Duration,
    watch: Mutex<Watch>,
    /// When each caller last wrote, by [`Replicas::wrote`]'s key.
    writers: Mutex<HashMap<String, Instant>>,
}

struct Replica {
    /// `host:port/database`, without credentials: what the logs name it by.
    name: String,
    pool: R2d2Pool<ConnectionManager>,
    manager: ConnectionManager,
    fresh: AtomicBool,
}

/// The watcher's own connections (outside the pools) and the primary's recent positions.
#[derive(Default)]
struct Watch {
    primary: Option<DbConn>,
    replicas: Vec<Option<DbConn>>,
    /// (when, the primary's WAL insert position then), oldest first.
    samples: VecDeque<(Instant, i64)>,
}

impl Replicas {
    /// Pools for `urls` (PostgreSQL only), `size` connections each, none opened yet: every
    /// replica starts stale until the watcher's first sample.
    pub fn new(
        urls: &[String],
        size: u32,
        work_timeout: Option<Duration>,
        max_lag: Duration,
    ) -> Result<Replicas> {
        let mut replicas = Vec::new();
        for url in urls {
            let manager = ConnectionManager::new(url)?.with_work_timeout(work_timeout);
            if manager.backend() != super::Backend::Postgres {
                return Err(Error::Config(
                    "DATABASE_READ_URL takes postgres:// URLs of replicas of DATABASE_URL".into(),
                ));
            }
            let pool = R2d2Pool::builder()
                .max_size(size.max(1))
                .min_idle(Some(0))
                .connection_timeout(CHECKOUT_WAIT)
                .test_on_check_out(false)
                .build_unchecked(manager.clone());
            replicas.push(Replica {
                name: display_name(url),
                pool,
                manager,
                fresh: AtomicBool::new(false),
            });
        }
        let watch = Watch {
            replicas: replicas.iter().map(|_| None).collect(),
            ..Watch::default()
        };
        Ok(Replicas {
            replicas,
            next: AtomicUsize::new(0),
            max_lag,
            watch: Mutex::new(watch),
            writers: Mutex::default(),
        })
    }

    /// How many replicas serve reads right now.
    pub fn serving(&self) -> usize {
        self.replicas
            .iter()
            .filter(|r| r.fresh.load(Ordering::Relaxed))
            .count()
    }

    /// How long after a caller's write its reads stay on the primary: any replica in use then
    /// has replayed the write.
    fn window(&self) -> Duration {
        self.max_lag + 2 * POLL
    }

    /// Remembers that `who` just wrote (see [`Replicas::window`]).
    pub fn wrote(&self, who: &str) {
        let now = Instant::now();
        let mut writers = self.writers.lock().unwrap_or_else(|p| p.into_inner());
        if writers.len() >= REMEMBERED_WRITERS {
            let window = self.window();
            writers.retain(|_, at| now.duration_since(*at) < window);
        }
        writers.insert(who.to_string(), now);
    }

    /// Whether `who` wrote within the window.
    pub fn wrote_lately(&self, who: &str) -> bool {
        let writers = self.writers.lock().unwrap_or_else(|p| p.into_inner());
        writers
            .get(who)
            .is_some_and(|at| at.elapsed() < self.window())
    }

    /// A connection to a fresh replica, round robin; `None` when none is fresh or the one tried
    /// gives no connection in time (it is then marked stale until the watcher finds it well).
    pub fn checkout(&self) -> Option<(usize, PooledConnection<ConnectionManager>)> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let index = (0..count)
            .map(|i| (start + i) % count)
            .find(|&i| self.replicas[i].fresh.load(Ordering::Relaxed))?;
        match self.replicas[index].pool.get() {
            Ok(conn) => Some((index, conn)),
            Err(e) => {
                self.unusable(index, &e.to_string());
                None
            }
        }
    }

    /// A read on replica `index` met a lost connection or a dead server: no reads go there until
    /// the watcher finds it answering and fresh again.
    pub fn unusable(&self, index: usize, why: &str) {
        let replica = &self.replicas[index];
        if replica.fresh.swap(false, Ordering::Relaxed) {
            log::warn!(
                "read replica {} failed ({why}); its reads go to the primary",
                replica.name
            );
        }
    }

    /// One round of the watcher: the primary's position, then each replica's lag.
    pub fn sample(&self, primary: &ConnectionManager) {
        let mut watch = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let written = position(&mut watch.primary, primary, PRIMARY_POSITION);
        match written {
            Some(Some(lsn)) => watch.samples.push_back((now, lsn)),
            // The primary is away: replicas keep their state (they can't be compared now).
            _ => return,
        }
        // Enough history to tell a lag of `max_lag` (and a little more) from a longer one.
        let keep = self.max_lag + 4 * POLL;
        while watch.samples.len() > 1
            && watch
                .samples
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) > keep)
        {
            watch.samples.pop_front();
        }
        for (index, replica) in self.replicas.iter().enumerate() {
            let replayed = position(
                &mut watch.replicas[index],
                &replica.manager,
                REPLAY_POSITION,
            );
            let lag = match replayed {
                // Has replayed everything the primary had written at the newest sample at or
                // below its position: it is as far behind as that sample is old.
                Some(Some(lsn)) => watch
                    .samples
                    .iter()
                    .rev()
                    .find(|(_, written)| *written <= lsn)
                    .map(|(at, _)| now.duration_since(*at)),
                Some(None) => {
                    if replica.fresh.swap(false, Ordering::Relaxed) {
                        log::warn!("{} is not a replica (not in recovery)", replica.name);
                    }
                    continue;
                }
                None => None,
            };
            let fresh = lag.is_some_and(|lag| lag <= self.max_lag);
            let was = replica.fresh.swap(fresh, Ordering::Relaxed);
            match (was, fresh) {
                (false, true) => log::info!("read replica {} serves reads", replica.name),
                (true, false) => log::warn!(
                    "read replica {} is {} behind or away; its reads go to the primary",
                    replica.name,
                    lag.map_or("unreachable".to_string(), |l| format!("{l:?}")),
                ),
                _ => {}
            }
        }
    }
}

/// The primary's insert position, as an end of WAL: at a page (or segment) boundary it points
/// past the next page's header, where no record can end, and a replica's replay position (the
/// end of its last record) would never reach it on an idle primary.
const PRIMARY_POSITION: &str = "SELECT CASE WHEN p % s = 40 THEN p - 40 \
     WHEN p % b = 24 THEN p - 24 ELSE p END \
     FROM (SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS p, \
     current_setting('wal_block_size')::bigint AS b, \
     pg_size_bytes(current_setting('wal_segment_size')) AS s) AS wal";
/// NULL on a server that is not in recovery.
const REPLAY_POSITION: &str = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint";

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
}

/// `query`'s one value on the watcher's connection to `manager`'s server, (re)connecting as
/// needed: `None` when the server does not answer.
fn position(
    conn: &mut Option<DbConn>,
    manager: &ConnectionManager,
    query: &str,
) -> Option<Option<i64>> {
    if conn.is_none() {
        *conn = manager.connect().ok();
    }
    let result = match conn.as_mut()? {
        DbConn::Postgres(pg) => diesel::sql_query(format!("SELECT ({query}) AS position"))
            .get_result::<Position>(pg)
            .map(|row| row.position)
            .ok(),
        DbConn::Sqlite(_) => None,
    };
    if result.is_none() {
        *conn = None;
    }
    result
}

/// `postgres://user:secret@host:port/db?…` as `host:port/db`: no credentials in logs.
fn display_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_leave_credentials_out() {
        assert_eq!(
            display_name("postgres://app:s3cret@db-replica:5432/desk?sslmode=require"),
            "db-replica:5432/desk"
        );
        assert_eq!(display_name("postgres://replica/desk"), "replica/desk");
    }
}
