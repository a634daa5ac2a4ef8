//! Webhook endpoints (admins manage them) and their delivery logs.

use crate::db::webhooks::{self, Endpoint, EndpointChanges, LoggedDelivery, NewEndpoint};
use crate::db::{self, DbConn, Lock, Scope};
use crate::domain::cursor::Cursor;
use crate::domain::paging::{Page, Window, NEWEST_FIRST};
use crate::domain::webhook::{self, EndpointInput};
use crate::error::ApiError;

/// The server's webhook settings that requests need.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Endpoints may name loopback, private and link-local targets (`WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// How long a delivery is retried (`WEBHOOK_RETRY_FOR`).
    pub retry_for: chrono::Duration,
}

/// An endpoint, with its secret when it was just made (shown once).
#[derive(Debug, Clone)]
pub struct EndpointRecord {
    pub endpoint: Endpoint,
    pub new_secret: Option<String>,
}

fn check_target(url: Option<&str>, policy: &Policy) -> Result<(), ApiError> {
    match url.and_then(webhook::private_target) {
        Some(message) if !policy.allow_private => Err(ApiError::field("url", message)),
        _ => Ok(()),
    }
}

fn patterns_json(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[\"*\"]".into())
}

pub fn create(
    conn: &mut DbConn,
    account: Scope,
    policy: &Policy,
    input: &EndpointInput,
) -> Result<EndpointRecord, ApiError> {
    check_target(input.url.as_deref(), policy)?;
    let url = input
        .url
        .as_deref()
        .ok_or_else(|| ApiError::field("url", "is required"))?;
    let secret = input
        .secret
        .clone()
        .unwrap_or_else(webhook::generate_secret);
    let now = db::now();
    let endpoint = webhooks::insert(
        conn,
        &NewEndpoint {
            account_id: account.account_id(),
            url,
            event_types: &patterns_json(input.events.as_deref().unwrap_or(&["*".into()])),
            enabled: input.enabled.unwrap_or(true),
            enabled_at: now,
            secret: &secret,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(EndpointRecord {
        endpoint,
        new_secret: Some(secret),
    })
}

pub fn load(conn: &mut DbConn, account: Scope, id: i64) -> Result<EndpointRecord, ApiError> {
    let endpoint =
        webhooks::find(conn, account, id, Lock::None)?.ok_or_else(ApiError::not_found)?;
    Ok(EndpointRecord {
        endpoint,
        new_secret: None,
    })
}

/// Applies a PATCH. An endpoint enabled again gets the events written from then on; `enabled:
/// true` also revives a failing endpoint: its queued deliveries go out again, oldest first, each
/// with a fresh retry window.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    policy: &Policy,
    id: i64,
    input: &EndpointInput,
) -> Result<EndpointRecord, ApiError> {
    let current =
        webhooks::find(conn, account, id, Lock::ForUpdate)?.ok_or_else(ApiError::not_found)?;
    check_target(input.url.as_deref(), policy)?;
    let now = db::now();
    let reviving = input.enabled == Some(true) && current.failing_since.is_some();
    let mut changes = EndpointChanges {
        url: input.url.clone(),
        event_types: input.events.as_deref().map(patterns_json),
        enabled: input.enabled,
        enabled_at: (input.enabled == Some(true) && !current.enabled).then_some(now),
        failing_since: reviving.then_some(None),
        updated_at: None,
    };
    if !changes.alters(&current) {
        return Ok(EndpointRecord {
            endpoint: current,
            new_secret: None,
        });
    }
    if reviving {
        webhooks::renew_queue(conn, account, id, now + policy.retry_for)?;
    }
    changes.updated_at = Some(now);
    Ok(EndpointRecord {
        endpoint: webhooks::update(conn, account, id, &changes)?,
        new_secret: None,
    })
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    match webhooks::delete(conn, account, id)? {
        true => Ok(()),
        false => Err(ApiError::not_found()),
    }
}

pub fn list(
    conn: &mut DbConn,
    account: Scope,
    window: &Window,
) -> Result<Page<EndpointRecord>, ApiError> {
    let (total, rows) = webhooks::list(conn, account, window)?;
    let records = rows
        .into_iter()
        .map(|endpoint| EndpointRecord {
            endpoint,
            new_secret: None,
        })
        .collect();
    Ok(Page::new(records, total, window, |r: &EndpointRecord| {
        Cursor::after_time(NEWEST_FIRST, r.endpoint.created_at, r.endpoint.id)
    }))
}

/// One page of an endpoint's delivery log, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    account: Scope,
    endpoint_id: i64,
    window: &Window,
) -> Result<Page<LoggedDelivery>, ApiError> {
    webhooks::find(conn, account, endpoint_id, Lock::None)?.ok_or_else(ApiError::not_found)?;
    let (total, rows) = webhooks::deliveries(conn, account, endpoint_id, window)?;
    Ok(Page::new(
        rows,
        total,
        window,
        |(d, _, _): &LoggedDelivery| Cursor::after_time(NEWEST_FIRST, d.created_at, d.id),
    ))
}

/// Queues a delivery again, due now, with a fresh retry window.
pub fn redeliver(
    conn: &mut DbConn,
    account: Scope,
    policy: &Policy,
    endpoint_id: i64,
    id: i64,
) -> Result<LoggedDelivery, ApiError> {
    let now = db::now();
    if !webhooks::redeliver(conn, account, endpoint_id, id, now, now + policy.retry_for)? {
        return Err(ApiError::not_found());
    }
    webhooks::find_delivery(conn, account, endpoint_id, id)?.ok_or_else(ApiError::not_found)
}
