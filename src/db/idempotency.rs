//! Stored answers to POSTs sent with an `Idempotency-Key` (see `api::idempotency`).
//!
//! One row per (account, principal, key). It is inserted *pending* in a transaction of its own,
//! before the request runs, so a duplicate on any instance finds it; the request's own
//! transaction marks it committed (through a [`super::WriteHook`]) when its write commits; then
//! the answer is stored. Only the holder of a row's `lock_id` may finish or release it, and a
//! pending row whose request went away is taken over only if its write never committed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{DbConn, Lock, Result};
use crate::{db_run, find_one};

/// Who sent the request and under which key, and what the key is bound to.
#[derive(Debug, Clone)]
pub struct Claim {
    pub account_id: i64,
    /// `user:<id>` or `guest:<fingerprint hash>`.
    pub principal: String,
    pub key: String,
    /// `POST <path and query>`.
    pub target: String,
    /// SHA-256 (hex) of the content type and the body.
    pub hash: String,
}

/// A key this request holds: its row, and the lock id only this request knows.
#[derive(Debug, Clone)]
pub struct Held {
    pub account_id: i64,
    pub id: i64,
    pub lock_id: String,
}

/// The held key's row, while this request still holds it.
macro_rules! held_row {
    ($held:expr) => {
        idempotency_keys::table
            .filter(idempotency_keys::account_id.eq($held.account_id))
            .filter(idempotency_keys::id.eq($held.id))
            .filter(idempotency_keys::lock_id.eq(&$held.lock_id))
    };
}

/// A stored answer.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    /// `[[name, value], …]` as JSON.
    pub headers: String,
    pub body: Vec<u8>,
}

/// What a request finds for its key.
#[derive(Debug)]
pub enum Begun {
    /// The key is this request's now: run it, then [`finish`] or [`release`] it.
    Run(Held),
    /// The first request's answer, to send again.
    Replay(StoredResponse),
    /// The key is bound to another request (`target` is the first one's); say which part differs.
    Mismatch { target: String, same_target: bool },
    /// The first request is still running.
    InFlight,
    /// The first request's write committed but its answer was never stored (its process stopped
    /// in between); it must not run again, and there is nothing to replay.
    Lost,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = idempotency_keys)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct Row {
    id: i64,
    request_target: String,
    request_hash: String,
    lock_id: Option<String>,
    locked_at: Option<NaiveDateTime>,
    committed_at: Option<NaiveDateTime>,
    response_status: Option<i32>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
    expires_at: NaiveDateTime,
}

fn find(conn: &mut DbConn, claim: &Claim, lock: Lock) -> Result<Option<Row>> {
    find_one!(
        conn,
        lock,
        idempotency_keys::table
            .filter(idempotency_keys::account_id.eq(claim.account_id))
            .filter(idempotency_keys::principal.eq(&claim.principal))
            .filter(idempotency_keys::idempotency_key.eq(&claim.key))
            .select(Row::as_select())
    )
}

/// What the stored row means for a request with `claim`, read without taking anything.
fn judge(row: &Row, claim: &Claim, stale_before: NaiveDateTime) -> Option<Begun> {
    if row.request_target != claim.target || row.request_hash != claim.hash {
        return Some(Begun::Mismatch {
            target: row.request_target.clone(),
            same_target: row.request_target == claim.target,
        });
    }
    if let (Some(status), None) = (row.response_status, &row.lock_id) {
        return Some(Begun::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            headers: row.response_headers.clone().unwrap_or_default(),
            body: row.response_body.clone().unwrap_or_default(),
        }));
    }
    if row.locked_at.is_some_and(|at| at > stale_before) {
        return Some(Begun::InFlight);
    }
    if row.committed_at.is_some() {
        return Some(Begun::Lost);
    }
    // Pending, its request gone, nothing committed: the caller may take it over.
    None
}

/// Looks the key up for `claim` and takes it when it is free: a new pending row (its own
/// transaction must commit before the request runs), an expired row reused, or a pending row
/// older than `stale_before` whose write never committed taken over. Run in a transaction.
pub fn begin(
    conn: &mut DbConn,
    claim: &Claim,
    ttl: chrono::Duration,
    stale_before: NaiveDateTime,
) -> Result<Begun> {
    let now = super::now();
    let lock_id = uuid::Uuid::new_v4().to_string();
    let expires_at = now + ttl;
    let existing = match find(conn, claim, Lock::ForUpdate)? {
        Some(row) => Some(row),
        None => {
            let inserted = db_run!(conn, {
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::account_id.eq(claim.account_id),
                        idempotency_keys::principal.eq(&claim.principal),
                        idempotency_keys::idempotency_key.eq(&claim.key),
                        idempotency_keys::request_target.eq(&claim.target),
                        idempotency_keys::request_hash.eq(&claim.hash),
                        idempotency_keys::lock_id.eq(&lock_id),
                        idempotency_keys::locked_at.eq(now),
                        idempotency_keys::created_at.eq(now),
                        idempotency_keys::expires_at.eq(expires_at),
                    ))
                    .on_conflict_do_nothing()
                    .returning(idempotency_keys::id)
                    .get_result::<i64>(conn)
                    .optional()
            })?;
            if let Some(id) = inserted {
                return Ok(Begun::Run(Held {
                    account_id: claim.account_id,
                    id,
                    lock_id,
                }));
            }
            // A concurrent request inserted it first (PostgreSQL waited for its commit).
            find(conn, claim, Lock::ForUpdate)?
        }
    };
    let Some(row) = existing else {
        // Inserted and purged in between: as good as in flight; the caller looks again.
        return Ok(Begun::InFlight);
    };
    if row.expires_at > now {
        if let Some(found) = judge(&row, claim, stale_before) {
            return Ok(found);
        }
    }
    // Expired (whatever it held), or abandoned before its write committed: start afresh. A
    // request that still runs under the old lock_id can no longer commit (see `mark_committed`).
    db_run!(conn, {
        diesel::update(
            idempotency_keys::table
                .filter(idempotency_keys::account_id.eq(claim.account_id))
                .filter(idempotency_keys::id.eq(row.id)),
        )
        .set((
            idempotency_keys::request_target.eq(&claim.target),
            idempotency_keys::request_hash.eq(&claim.hash),
            idempotency_keys::lock_id.eq(&lock_id),
            idempotency_keys::locked_at.eq(now),
            idempotency_keys::committed_at.eq(None::<NaiveDateTime>),
            idempotency_keys::response_status.eq(None::<i32>),
            idempotency_keys::response_headers.eq(None::<String>),
            idempotency_keys::response_body.eq(None::<Vec<u8>>),
            idempotency_keys::created_at.eq(now),
            idempotency_keys::expires_at.eq(expires_at),
        ))
        .execute(conn)
    })?;
    Ok(Begun::Run(Held {
        account_id: claim.account_id,
        id: row.id,
        lock_id,
    }))
}

/// What a waiting duplicate sees now: `None` while the first request still runs (or the row
/// is gone or free to take, which [`begin`] then decides).
pub fn peek(
    conn: &mut DbConn,
    claim: &Claim,
    stale_before: NaiveDateTime,
) -> Result<Option<Begun>> {
    let now = super::now();
    Ok(find(conn, claim, Lock::None)?
        .filter(|row| row.expires_at > now)
        .and_then(|row| judge(&row, claim, stale_before)))
}

/// In the request's own transaction, as its last statement: records that its write commits
/// with it. A conflict when the row is no longer this request's (it was taken over), which
/// rolls the write back: a request runs to a commit at most once per key.
pub fn mark_committed(conn: &mut DbConn, held: &Held) -> Result<()> {
    let now = super::now();
    let updated = db_run!(conn, {
        diesel::update(held_row!(held))
            .set(idempotency_keys::committed_at.eq(now))
            .execute(conn)
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(super::Error::Conflict {
            kind: super::ConflictKind::Concurrent,
            constraint: Some("idempotency_keys.lock_id".into()),
        })
    }
}

/// Stores the answer and frees the row; `false` when it was taken over meanwhile.
pub fn finish(conn: &mut DbConn, held: &Held, response: &StoredResponse) -> Result<bool> {
    let updated = db_run!(conn, {
        diesel::update(held_row!(held))
            .set((
                idempotency_keys::lock_id.eq(None::<String>),
                idempotency_keys::response_status.eq(i32::from(response.status)),
                idempotency_keys::response_headers.eq(&response.headers),
                idempotency_keys::response_body.eq(&response.body),
            ))
            .execute(conn)
    })?;
    Ok(updated == 1)
}

/// Frees the key for a retry: the request wrote nothing and its answer is not kept.
pub fn release(conn: &mut DbConn, held: &Held) -> Result<()> {
    db_run!(conn, {
        diesel::delete(held_row!(held).filter(idempotency_keys::committed_at.is_null()))
            .execute(conn)
    })?;
    Ok(())
}

/// Deletes up to `batch` rows expired by `now`, oldest first, through the `expires_at` index;
/// returns how many.
pub fn purge_expired(conn: &mut DbConn, now: NaiveDateTime, batch: i64) -> Result<usize> {
    db_run!(conn, {
        let expired: Vec<i64> = idempotency_keys::table
            .filter(idempotency_keys::expires_at.le(now))
            .order(idempotency_keys::expires_at)
            .select(idempotency_keys::id)
            .limit(batch)
            .load(conn)?;
        if expired.is_empty() {
            return Ok(0);
        }
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::id.eq_any(&expired)))
            .execute(conn)
    })
}

/// Rows deleted per statement by the purge: short transactions, a short write lock on SQLite.
pub const PURGE_BATCH: i64 = 500;

/// Deletes expired keys every `every` while the server runs (and once at start), in batches of
/// [`PURGE_BATCH`] through the `expires_at` index, until none is left. Lookups ignore expired
/// rows anyway, so this only bounds the table. Every instance runs it; they delete disjoint or
/// already-deleted rows, which is harmless.
pub async fn purge_expired_periodically(db: super::Db, every: std::time::Duration) {
    let mut ticks = actix_web::rt::time::interval(every);
    loop {
        ticks.tick().await;
        let mut purged = 0;
        loop {
            let now = super::now();
            match db
                .write(move |conn| {
                    super::audit::cross_tenant(|| purge_expired(conn, now, PURGE_BATCH))
                })
                .await
            {
                Ok(n) => {
                    purged += n;
                    if n < PURGE_BATCH as usize {
                        break;
                    }
                }
                Err(e) => {
                    log::warn!("purging expired idempotency keys failed: {e}");
                    break;
                }
            }
        }
        if purged > 0 {
            log::info!("purged {purged} expired idempotency keys");
        }
    }
}
