//! The webhook delivery worker each instance runs beside its HTTP server.
//!
//! Two steps, in a loop woken by this process's writes (and a short poll, for other instances');
//! while no endpoint is enabled anywhere the loop only looks again once a second:
//! - **dispatch** reads the feed after the dispatcher's place, in feed order, and queues one
//!   delivery per event and enabled endpoint it matches, moving the place in the same
//!   transaction; the place's row is locked meanwhile, so one instance at a time dispatches and
//!   each event is queued once.
//! - **deliver** claims due deliveries (each endpoint's oldest pending one only, so an endpoint
//!   gets its events one at a time and in order; rows claimed elsewhere are skipped), sends each
//!   in a task of its own (a slow receiver delays only its own endpoint, never the API), and
//!   records the outcome: done, a retry later (exponential backoff with jitter), or, past the
//!   retry window, failed and the endpoint marked failing.
//!
//! A claim lasts twice the attempt's timeout; a process killed mid-attempt leaves the
//! delivery due again when it runs out, so nothing is lost (at least once; receivers dedupe on
//! `webhook-id`, the event's stable id).

mod client;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Semaphore;

use crate::api::events::{appended, endpoints_changed, envelope};
use crate::db::events;
use crate::db::webhooks::{self, Attempt, NewDelivery, Outcome, FAILED, PENDING, SUCCEEDED};
use crate::db::{self, audit, Db};
use crate::domain::event::expand;

pub use client::Client;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most one attempt may take.
    pub timeout: Duration,
    /// How long a delivery is retried before it fails.
    pub retry_for: chrono::Duration,
    /// The first retry's delay; each next one doubles, up to [`MAX_RETRY_DELAY`].
    pub first_retry: Duration,
    pub allow_private: bool,
}

const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);
/// How often the worker looks for work it wasn't woken for (other instances' writes, retries).
const POLL: Duration = Duration::from_millis(250);
/// How often a worker with no enabled endpoint anywhere looks again.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// How long a woken worker waits for more writes before dispatching them together.
const GATHER: Duration = Duration::from_millis(20);
/// Deliveries in flight at once, per instance.
const IN_FLIGHT: usize = 32;
/// Events one dispatch step queues at most.
const DISPATCH_BATCH: i64 = 500;
/// How far past its timeout a claimed attempt is still taken to be running (the claim lasts
/// twice the timeout and this): long enough that a live worker always records its outcome first.
const CLAIM_MARGIN: Duration = Duration::from_secs(1);

/// Runs the worker until the task is dropped.
pub async fn run(db: Db, settings: Settings) {
    let client = match Client::new(settings.timeout, settings.allow_private) {
        Ok(client) => client,
        Err(e) => {
            log::error!("webhook deliveries are off: cannot build the HTTP client: {e:#}");
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        // No enabled endpoint anywhere: nothing to dispatch or deliver. Looked up again every
        // IDLE_CHECK (at once when an endpoint is made on this instance), and meanwhile not woken
        // by writes: a wake-up costs the writer, and a server without webhooks pays nothing.
        match db
            .read(|conn| audit::cross_tenant(|| webhooks::any_enabled(conn)))
            .await
        {
            Ok(false) => {
                let _ = tokio::time::timeout(IDLE_CHECK, endpoints_changed().notified()).await;
                continue;
            }
            Ok(true) => {}
            Err(e) => log::warn!("webhook worker: {e}"),
        }
        let mut busy = false;
        match dispatch(&db, settings.retry_for).await {
            Ok(n) => busy |= n as i64 == DISPATCH_BATCH,
            Err(e) => log::warn!("webhook dispatch failed: {e}"),
        }
        match deliver(&db, &client, &settings, &slots).await {
            Ok(n) => busy |= n > 0 && slots.available_permits() > 0,
            Err(e) => log::warn!("claiming webhook deliveries failed: {e}"),
        }
        if !busy
            && tokio::time::timeout(POLL, appended().notified())
                .await
                .is_ok()
        {
            // Woken by a write: let the writes of the next moment join it, so a burst costs
            // one dispatch rather than one per write.
            tokio::time::sleep(GATHER).await;
        }
    }
}

/// An enabled endpoint, as the dispatcher matches events to it.
struct Listener {
    endpoint_id: i64,
    types: Vec<&'static str>,
    /// It gets the events written since it was created or last enabled.
    since: chrono::NaiveDateTime,
}

impl Listener {
    fn wants(&self, event: &events::EventHead) -> bool {
        self.types.contains(&event.event_type.as_str()) && event.created_at >= self.since
    }
}

/// Queues the deliveries of the next events of the feed; returns how many events it read.
async fn dispatch(db: &Db, retry_for: chrono::Duration) -> db::Result<usize> {
    // The feed of every account, in order: across tenants on purpose.
    db.write(move |conn| {
        audit::cross_tenant(|| {
            let Some(place) = webhooks::lock_dispatch_place(conn)? else {
                return Ok(0); // another instance is dispatching
            };
            let batch = events::after(conn, place, DISPATCH_BATCH)?;
            let Some(last) = batch.last() else {
                return Ok(0);
            };
            let last = last.place();
            let mut accounts: Vec<i64> = batch.iter().map(|e| e.account_id).collect();
            accounts.sort_unstable();
            accounts.dedup();
            let mut listeners: HashMap<i64, Vec<Listener>> = HashMap::new();
            for endpoint in webhooks::enabled_of(conn, &accounts)? {
                let patterns: Vec<String> =
                    serde_json::from_str(&endpoint.event_types).unwrap_or_default();
                listeners
                    .entry(endpoint.account_id)
                    .or_default()
                    .push(Listener {
                        endpoint_id: endpoint.id,
                        types: patterns
                            .iter()
                            .filter_map(|p| expand(p))
                            .flatten()
                            .collect(),
                        since: endpoint.enabled_at,
                    });
            }
            let now = db::now();
            let deliveries: Vec<NewDelivery> = batch
                .iter()
                .flat_map(|event| {
                    let listening = listeners.get(&event.account_id).into_iter().flatten();
                    listening.filter(|l| l.wants(event)).map(|l| NewDelivery {
                        account_id: event.account_id,
                        endpoint_id: l.endpoint_id,
                        event_id: event.id,
                        status: PENDING,
                        attempts: 0,
                        next_attempt_at: now,
                        retry_until: now + retry_for,
                        created_at: now,
                    })
                })
                .collect();
            webhooks::queue(conn, &deliveries)?;
            webhooks::set_dispatch_place(conn, last)?;
            Ok(batch.len())
        })
    })
    .await
}

/// Claims what is due, as many as there are free slots, and sends each in its own task;
/// returns how many it claimed.
async fn deliver(
    db: &Db,
    client: &Client,
    settings: &Settings,
    slots: &Arc<Semaphore>,
) -> db::Result<usize> {
    let free = slots.available_permits();
    if free == 0 {
        return Ok(0);
    }
    let lease = chrono::Duration::from_std(settings.timeout * 2 + CLAIM_MARGIN)
        .unwrap_or(chrono::Duration::minutes(1));
    if !db
        .read(|conn| audit::cross_tenant(|| webhooks::any_due(conn, db::now())))
        .await?
    {
        return Ok(0);
    }
    // Each claim its own id: only the attempt that holds the claim records its outcome.
    let claim_id = uuid::Uuid::new_v4().to_string();
    let claim = claim_id.clone();
    let attempts = db
        .write(move |conn| {
            audit::cross_tenant(|| {
                let now = db::now();
                let ids = webhooks::claim_due(conn, now, now + lease, &claim, free as i64)?;
                webhooks::attempts(conn, &ids)
            })
        })
        .await?;
    let claimed = attempts.len();
    for attempt in attempts {
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            break; // can't happen: at most `free` were claimed
        };
        let (db, client, settings, claim) = (
            db.clone(),
            client.clone(),
            settings.clone(),
            claim_id.clone(),
        );
        actix_web::rt::spawn(async move {
            let _permit = permit;
            attempt_once(&db, &client, &settings, claim, attempt).await;
        });
    }
    Ok(claimed)
}

async fn attempt_once(
    db: &Db,
    client: &Client,
    settings: &Settings,
    claim: String,
    attempt: Attempt,
) {
    let body = envelope(&attempt.event);
    let sent = client
        .send(
            &attempt.url,
            &attempt.secret,
            &attempt.event.public_id,
            body,
        )
        .await;
    let now = db::now();
    let (status, next_attempt_at) = if sent.succeeded() {
        (SUCCEEDED, now)
    } else {
        let next = now + retry_delay(settings.first_retry, attempt.attempts);
        if next > attempt.retry_until {
            (FAILED, now)
        } else {
            (PENDING, next)
        }
    };
    let outcome = Outcome {
        status,
        next_attempt_at,
        attempted_at: now,
        response_status: sent.status.map(i32::from),
        latency_ms: millis(sent.latency),
        error: sent.error,
    };
    if outcome.status == FAILED {
        log::warn!(
            "webhook endpoint {} is failing: delivery {} gave up after {} attempts ({})",
            attempt.endpoint_id,
            attempt.delivery_id,
            attempt.attempts,
            outcome.error.as_deref().unwrap_or("")
        );
    }
    let recorded = db
        .write(move |conn| webhooks::record(conn, &attempt, &claim, &outcome))
        .await;
    match recorded {
        // The next delivery of this endpoint may go now.
        Ok(_) => appended().notify_one(),
        Err(e) => log::warn!("recording a webhook attempt failed (it will be retried): {e}"),
    }
}

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

/// The delay after the `attempts`-th failed attempt: `first` doubled each time, capped at an
/// hour, less up to half at random (so receivers that failed together don't retry together).
fn retry_delay(first: Duration, attempts: i32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let full = first
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_RETRY_DELAY);
    let jittered = full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
    chrono::Duration::from_std(jittered).unwrap_or(chrono::Duration::hours(1))
}

/// Deletes events (and their deliveries) older than `retention`, every `every`.
pub async fn purge_expired_periodically(db: Db, retention: chrono::Duration, every: Duration) {
    let mut ticks = actix_web::rt::time::interval(every);
    loop {
        ticks.tick().await;
        loop {
            let cutoff = db::now() - retention;
            match db
                .write(move |conn| audit::cross_tenant(|| events::purge_before(conn, cutoff, 1000)))
                .await
            {
                Ok(1000) => continue,
                Ok(_) => break,
                Err(e) => {
                    log::warn!("purging old events failed: {e}");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_and_a_cap() {
        let first = Duration::from_secs(5);
        for attempts in 1..=3 {
            let full = 5 * 2i64.pow(attempts as u32 - 1) * 1000;
            let delay = retry_delay(first, attempts).num_milliseconds();
            assert!((full / 2..=full).contains(&delay), "{attempts}: {delay}");
        }
        let capped = retry_delay(first, 40).num_seconds();
        assert!((1800..=3600).contains(&capped));
    }
}
