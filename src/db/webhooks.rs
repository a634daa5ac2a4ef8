//! Webhook endpoints, their deliveries, and the dispatcher's place in the feed (see
//! `crate::delivery` for the worker that uses them).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::events::Place;
use super::schema::{events, webhook_deliveries, webhook_dispatch, webhook_endpoints};
use super::{DbConn, Lock, Result, Scope};
use crate::domain::cursor::Cursor;
use crate::domain::paging::{Order, Window};
use crate::{db_run, find_one, keyset_page};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Endpoint {
    pub id: i64,
    pub account_id: i64,
    pub url: String,
    /// JSON array of types and patterns.
    pub event_types: String,
    pub enabled: bool,
    /// When it was created or last enabled: it gets the events written since.
    pub enabled_at: NaiveDateTime,
    pub secret: String,
    pub failing_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint<'a> {
    pub account_id: i64,
    pub url: &'a str,
    pub event_types: &'a str,
    pub enabled: bool,
    pub enabled_at: NaiveDateTime,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub event_types: Option<String>,
    pub enabled: Option<bool>,
    pub enabled_at: Option<NaiveDateTime>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

impl EndpointChanges {
    /// Whether applying these would change `current`.
    pub fn alters(&self, current: &Endpoint) -> bool {
        super::differs(&self.url, &current.url)
            || super::differs(&self.event_types, &current.event_types)
            || super::differs(&self.enabled, &current.enabled)
            || super::differs(&self.failing_since, &current.failing_since)
    }
}

pub fn insert(conn: &mut DbConn, row: &NewEndpoint) -> Result<Endpoint> {
    db_run!(conn, {
        diesel::insert_into(webhook_endpoints::table)
            .values(row)
            .returning(Endpoint::as_returning())
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64, lock: Lock) -> Result<Option<Endpoint>> {
    find_one!(
        conn,
        lock,
        webhook_endpoints::table
            .filter(webhook_endpoints::account_id.eq(account))
            .filter(webhook_endpoints::id.eq(id))
            .select(Endpoint::as_select())
    )
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    changes: &EndpointChanges,
) -> Result<Endpoint> {
    db_run!(conn, {
        diesel::update(
            webhook_endpoints::table
                .filter(webhook_endpoints::account_id.eq(account))
                .filter(webhook_endpoints::id.eq(id)),
        )
        .set(changes)
        .returning(Endpoint::as_returning())
        .get_result(conn)
    })
}

/// Deletes the endpoint and its delivery log.
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<bool> {
    let deleted = db_run!(conn, {
        diesel::delete(
            webhook_endpoints::table
                .filter(webhook_endpoints::account_id.eq(account))
                .filter(webhook_endpoints::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(deleted > 0)
}

/// One page of the account's endpoints, newest first (one row more when there is a next page),
/// and how many there are when the window counts.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    window: &Window,
) -> Result<(Option<i64>, Vec<Endpoint>)> {
    db_run!(conn, {
        let all = || {
            webhook_endpoints::table
                .filter(webhook_endpoints::account_id.eq(account))
                .into_boxed()
        };
        let total = window
            .counts()
            .then(|| all().count().get_result(conn))
            .transpose()?;
        let rows = keyset_page!(
            all(),
            window,
            Order::Desc,
            webhook_endpoints::created_at,
            webhook_endpoints::id,
            window.cursor.as_ref().map(Cursor::after_time_key),
        )
        .select(Endpoint::as_select())
        .load(conn)?;
        Ok((total, rows))
    })
}

/// The enabled endpoints of `accounts` (failing ones included: their deliveries queue).
pub fn enabled_of(conn: &mut DbConn, accounts: &[i64]) -> Result<Vec<Endpoint>> {
    db_run!(conn, {
        webhook_endpoints::table
            .filter(webhook_endpoints::account_id.eq_any(accounts))
            .filter(webhook_endpoints::enabled.eq(true))
            .select(Endpoint::as_select())
            .load(conn)
    })
}

/// Whether any account has an enabled endpoint: until one does, the dispatcher has nothing to do
/// (an endpoint only gets events written after it was created).
pub fn any_enabled(conn: &mut DbConn) -> Result<bool> {
    db_run!(conn, {
        diesel::select(diesel::dsl::exists(
            webhook_endpoints::table.filter(webhook_endpoints::enabled.eq(true)),
        ))
        .get_result(conn)
    })
}

/// Whether a pending delivery is due at `now` (the worker's read before it claims in a write).
pub fn any_due(conn: &mut DbConn, now: NaiveDateTime) -> Result<bool> {
    db_run!(conn, {
        diesel::select(diesel::dsl::exists(
            webhook_deliveries::table
                .filter(webhook_deliveries::status.eq(PENDING))
                .filter(webhook_deliveries::next_attempt_at.le(now)),
        ))
        .get_result(conn)
    })
}

/// The dispatcher's place, locked until the transaction ends; `None` while another instance's
/// dispatcher holds it (PostgreSQL; SQLite's one writer never meets that).
pub fn lock_dispatch_place(conn: &mut DbConn) -> Result<Option<Place>> {
    let query = webhook_dispatch::table
        .filter(webhook_dispatch::id.eq(1))
        .select((webhook_dispatch::position, webhook_dispatch::event_id));
    let row: Option<(i64, i64)> = match conn {
        DbConn::Postgres(pg) => {
            super::from_diesel(query.for_update().skip_locked().get_result(pg).optional())?
        }
        DbConn::Sqlite(lite) => super::from_diesel(query.get_result(lite).optional())?,
    };
    Ok(row.map(|(position, id)| Place { position, id }))
}

pub fn set_dispatch_place(conn: &mut DbConn, place: Place) -> Result<()> {
    db_run!(conn, {
        diesel::update(webhook_dispatch::table.filter(webhook_dispatch::id.eq(1)))
            .set((
                webhook_dispatch::position.eq(place.position),
                webhook_dispatch::event_id.eq(place.id),
            ))
            .execute(conn)
    })?;
    Ok(())
}

#[derive(Insertable, Debug)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery {
    pub account_id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub status: &'static str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub retry_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// The join to a delivery's event, within its account (see `db::audit`).
macro_rules! event_of_delivery {
    () => {
        events::table.on(events::id
            .eq(webhook_deliveries::event_id)
            .and(events::account_id.eq(webhook_deliveries::account_id)))
    };
}

/// Queues deliveries; one that already exists (same endpoint and event) is left as it is.
pub fn queue(conn: &mut DbConn, rows: &[NewDelivery]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Postgres(pg) => super::from_diesel(
            diesel::insert_into(webhook_deliveries::table)
                .values(rows)
                .on_conflict((
                    webhook_deliveries::account_id,
                    webhook_deliveries::endpoint_id,
                    webhook_deliveries::event_id,
                ))
                .do_nothing()
                .execute(pg),
        )?,
        // diesel can't combine a multi-row insert with ON CONFLICT on SQLite; a statement per
        // row costs little there (no round trip).
        DbConn::Sqlite(lite) => {
            for row in rows {
                super::from_diesel(
                    diesel::insert_into(webhook_deliveries::table)
                        .values(row)
                        .on_conflict((
                            webhook_deliveries::account_id,
                            webhook_deliveries::endpoint_id,
                            webhook_deliveries::event_id,
                        ))
                        .do_nothing()
                        .execute(lite),
                )?;
            }
            0
        }
    };
    Ok(())
}

pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due deliveries for one attempt each, marked with `claim_id` until
/// `claimed_until`: each the oldest pending delivery of an enabled, healthy endpoint, so an
/// endpoint gets its events one at a time and in order. On PostgreSQL rows another instance is
/// claiming are skipped (`FOR UPDATE SKIP LOCKED`); no two workers claim one attempt. A worker
/// that dies mid-attempt leaves its delivery due again once `claimed_until` passes.
///
/// The accounts with something due are found first (a read across accounts, without locks),
/// then each account's deliveries are claimed within it: a distributed database (Citus) locks
/// rows only in a statement that stays on one account's node.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    claimed_until: NaiveDateTime,
    claim_id: &str,
    limit: i64,
) -> Result<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Account {
        #[diesel(sql_type = BigInt)]
        account_id: i64,
    }
    // On `webhook_deliveries_due_idx` (next_attempt_at) WHERE status = 'pending'.
    const ACCOUNTS: &str = "SELECT DISTINCT account_id FROM webhook_deliveries \
        WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT $2";
    const DUE: &str = "SELECT d.id FROM webhook_deliveries d \
        JOIN webhook_endpoints e ON e.account_id = d.account_id AND e.id = d.endpoint_id \
        WHERE d.account_id = $5 AND d.status = 'pending' AND d.next_attempt_at <= $1 \
          AND e.enabled AND e.failing_since IS NULL \
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.account_id = d.account_id \
                          AND p.endpoint_id = d.endpoint_id AND p.status = 'pending' AND p.id < d.id) \
        ORDER BY d.next_attempt_at LIMIT $2";
    let claim = |lock: &str| {
        format!(
            "UPDATE webhook_deliveries SET next_attempt_at = $3, claim_id = $4, attempts = attempts + 1 \
             WHERE account_id = $5 AND id IN ({DUE}{lock}) RETURNING id"
        )
    };
    let (accounts_sql, claim_sql) = match conn {
        DbConn::Postgres(_) => (ACCOUNTS.to_string(), claim(" FOR UPDATE OF d SKIP LOCKED")),
        DbConn::Sqlite(_) => (ACCOUNTS.replace('$', "?"), claim("").replace('$', "?")),
    };
    let accounts: Vec<Account> = db_run!(conn, {
        diesel::sql_query(&accounts_sql)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(conn)
    })?;
    let mut claimed = Vec::new();
    for account in accounts {
        let left = limit - claimed.len() as i64;
        if left <= 0 {
            break;
        }
        let rows: Vec<Id> = db_run!(conn, {
            diesel::sql_query(&claim_sql)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(left)
                .bind::<Timestamp, _>(claimed_until)
                .bind::<Text, _>(claim_id)
                .bind::<BigInt, _>(account.account_id)
                .load(conn)
        })?;
        claimed.extend(rows.into_iter().map(|row| row.id));
    }
    Ok(claimed)
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery_id: i64,
    pub attempts: i32,
    pub retry_until: NaiveDateTime,
    pub endpoint_id: i64,
    pub url: String,
    pub secret: String,
    pub event: super::events::Event,
}

pub fn attempts(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Attempt>> {
    type Row = (
        i64,
        i32,
        NaiveDateTime,
        i64,
        String,
        String,
        super::events::Event,
    );
    let rows: Vec<Row> = db_run!(conn, {
        webhook_deliveries::table
            .inner_join(
                webhook_endpoints::table.on(webhook_endpoints::id
                    .eq(webhook_deliveries::endpoint_id)
                    .and(webhook_endpoints::account_id.eq(webhook_deliveries::account_id))),
            )
            .inner_join(event_of_delivery!())
            .filter(webhook_deliveries::id.eq_any(ids))
            .order(webhook_deliveries::id.asc())
            .select((
                webhook_deliveries::id,
                webhook_deliveries::attempts,
                webhook_deliveries::retry_until,
                webhook_endpoints::id,
                webhook_endpoints::url,
                webhook_endpoints::secret,
                super::events::Event::as_select(),
            ))
            .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(delivery_id, attempts, retry_until, endpoint_id, url, secret, event)| Attempt {
                delivery_id,
                attempts,
                retry_until,
                endpoint_id,
                url,
                secret,
                event,
            },
        )
        .collect())
}

/// How one attempt ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// [`SUCCEEDED`], [`FAILED`] (gave up) or [`PENDING`] (retry at `next_attempt_at`).
    pub status: &'static str,
    pub next_attempt_at: NaiveDateTime,
    pub attempted_at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

/// Records an attempt's outcome, if `claim_id` still holds the delivery (a redelivery may have
/// reset it meanwhile); a delivery that gave up marks its endpoint failing. Returns whether
/// it was recorded.
pub fn record(
    conn: &mut DbConn,
    attempt: &Attempt,
    claim_id: &str,
    outcome: &Outcome,
) -> Result<bool> {
    let recorded = db_run!(conn, {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::account_id.eq(attempt.event.account_id))
                .filter(webhook_deliveries::id.eq(attempt.delivery_id))
                .filter(webhook_deliveries::claim_id.eq(claim_id)),
        )
        .set((
            webhook_deliveries::status.eq(outcome.status),
            webhook_deliveries::next_attempt_at.eq(outcome.next_attempt_at),
            webhook_deliveries::claim_id.eq(None::<String>),
            webhook_deliveries::last_attempt_at.eq(Some(outcome.attempted_at)),
            webhook_deliveries::response_status.eq(outcome.response_status),
            webhook_deliveries::latency_ms.eq(Some(outcome.latency_ms)),
            webhook_deliveries::error.eq(outcome.error.as_deref()),
        ))
        .execute(conn)
    })? > 0;
    if recorded && outcome.status == FAILED {
        db_run!(conn, {
            diesel::update(
                webhook_endpoints::table
                    .filter(webhook_endpoints::account_id.eq(attempt.event.account_id))
                    .filter(webhook_endpoints::id.eq(attempt.endpoint_id))
                    .filter(webhook_endpoints::failing_since.is_null()),
            )
            .set(webhook_endpoints::failing_since.eq(Some(outcome.attempted_at)))
            .execute(conn)
        })?;
    }
    Ok(recorded)
}

/// A delivery as its endpoint's log shows it.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub response_status: Option<i32>,
    pub latency_ms: Option<i32>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A delivery and its event's public id and type.
pub type LoggedDelivery = (Delivery, String, String);

/// One page of an endpoint's deliveries, newest first (one row more when there is a next page).
pub fn deliveries(
    conn: &mut DbConn,
    account: Scope,
    endpoint_id: i64,
    window: &Window,
) -> Result<(Option<i64>, Vec<LoggedDelivery>)> {
    db_run!(conn, {
        let all = || {
            webhook_deliveries::table
                .inner_join(event_of_delivery!())
                .filter(webhook_deliveries::account_id.eq(account))
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .into_boxed()
        };
        let total = window
            .counts()
            .then(|| all().count().get_result(conn))
            .transpose()?;
        let rows = keyset_page!(
            all(),
            window,
            Order::Desc,
            webhook_deliveries::created_at,
            webhook_deliveries::id,
            window.cursor.as_ref().map(Cursor::after_time_key),
        )
        .select((Delivery::as_select(), events::public_id, events::event_type))
        .load(conn)?;
        Ok((total, rows))
    })
}

pub fn find_delivery(
    conn: &mut DbConn,
    account: Scope,
    endpoint_id: i64,
    id: i64,
) -> Result<Option<LoggedDelivery>> {
    db_run!(conn, {
        webhook_deliveries::table
            .inner_join(event_of_delivery!())
            .filter(webhook_deliveries::account_id.eq(account))
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::id.eq(id))
            .select((Delivery::as_select(), events::public_id, events::event_type))
            .get_result(conn)
            .optional()
    })
}

/// Gives the endpoint's queued deliveries a fresh retry window (a failing endpoint revived).
pub fn renew_queue(
    conn: &mut DbConn,
    account: Scope,
    endpoint_id: i64,
    retry_until: NaiveDateTime,
) -> Result<()> {
    db_run!(conn, {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::account_id.eq(account))
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .filter(webhook_deliveries::status.eq(PENDING)),
        )
        .set(webhook_deliveries::retry_until.eq(retry_until))
        .execute(conn)
    })?;
    Ok(())
}

/// Queues the delivery again, due now, with a fresh retry window and backoff (its attempts
/// count from 0); an attempt in flight no longer counts (its outcome is not recorded).
pub fn redeliver(
    conn: &mut DbConn,
    account: Scope,
    endpoint_id: i64,
    id: i64,
    now: NaiveDateTime,
    retry_until: NaiveDateTime,
) -> Result<bool> {
    let updated = db_run!(conn, {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::account_id.eq(account))
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .filter(webhook_deliveries::id.eq(id)),
        )
        .set((
            webhook_deliveries::status.eq(PENDING),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::retry_until.eq(retry_until),
            webhook_deliveries::claim_id.eq(None::<String>),
            webhook_deliveries::attempts.eq(0),
        ))
        .execute(conn)
    })?;
    Ok(updated > 0)
}
