//! Customer requests (SPEC §7): on a conversation, optionally for a company and a customer.

use crate::db::companies::{self, KeyKind};
use crate::db::customer_requests::{self, NewRequest, RequestChanges, RequestRow};
use crate::db::{self, conversations, customers, DbConn, Lock, Scope};
use crate::domain::cursor::Cursor;
use crate::domain::customer_request::{CompanyRef, RequestInput};
use crate::domain::input::Patch;
use crate::domain::paging::{Page, Window, NEWEST_FIRST};
use crate::domain::request_list::RequestFilter;
use crate::error::{ApiError, FieldErrors};

pub fn create(
    conn: &mut DbConn,
    account: Scope,
    creator_id: Option<i64>,
    input: &RequestInput,
) -> Result<RequestRow, ApiError> {
    let conversation_id = input
        .conversation_id
        .ok_or_else(|| ApiError::field("conversation_id", "is required"))?;
    let mut errors = FieldErrors::new();
    if conversations::find(conn, account, conversation_id)?.is_none() {
        errors.add("conversation_id", "does not exist in this account");
    }
    let company_id = resolve_company(conn, account, &input.company, &mut errors)?.flatten();
    let customer_id = resolve_customer(conn, account, &input.customer_id, &mut errors)?.flatten();
    errors.into_result(())?;
    let now = db::now();
    let request = customer_requests::insert(
        conn,
        &NewRequest {
            account_id: account.account_id(),
            conversation_id,
            company_id,
            customer_id,
            priority: input.priority.unwrap_or(0),
            body: match &input.body {
                Patch::Set(body) => Some(body),
                _ => None,
            },
            creator_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    if let Patch::Set(url) = &input.attachment_url {
        customer_requests::set_attachment(conn, account, request.id, Some(url))?;
    }
    load(conn, account, request.id)
}

pub fn load(conn: &mut DbConn, account: Scope, id: i64) -> Result<RequestRow, ApiError> {
    customer_requests::find(conn, account, id)?.ok_or_else(ApiError::not_found)
}

/// PUT/PATCH: company, customer, priority, body, attachment; absent fields stay.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &RequestInput,
) -> Result<RequestRow, ApiError> {
    let current = load(conn, account, id)?;
    let mut errors = FieldErrors::new();
    let company_id = resolve_company(conn, account, &input.company, &mut errors)?;
    let customer_id = resolve_customer(conn, account, &input.customer_id, &mut errors)?;
    errors.into_result(())?;
    let mut changes = RequestChanges {
        company_id,
        customer_id,
        priority: input.priority,
        body: input.body.clone().into_change(),
        updated_at: None,
    };
    let attachment = input
        .attachment_url
        .clone()
        .into_change()
        .filter(|url| *url != current.attachment.as_ref().map(|a| a.url.clone()));
    // A write that changes nothing writes nothing: `updated_at` and the ETag stay.
    if attachment.is_none() && !changes.alters(&current.request) {
        return Ok(current);
    }
    changes.updated_at = Some(db::now());
    customer_requests::update(conn, account, id, &changes)?;
    if let Some(url) = attachment {
        customer_requests::set_attachment(conn, account, id, url.as_deref())?;
    }
    load(conn, account, id)
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    match customer_requests::delete(conn, account, id)? {
        true => Ok(()),
        false => Err(ApiError::not_found()),
    }
}

pub fn list(
    conn: &mut DbConn,
    account: Scope,
    filter: &RequestFilter,
    window: &Window,
) -> Result<Page<RequestRow>, ApiError> {
    let (total, rows) = customer_requests::list(conn, account, filter, window)?;
    Ok(Page::new(rows, total, window, |row| {
        let last = &row.request;
        Cursor::after_time(NEWEST_FIRST, last.created_at, last.id)
    }))
}

/// The company a request names, by id or by one of its external ids: `None` when not given,
/// `Some(None)` to detach. An unknown one is an error on the field that named it.
fn resolve_company(
    conn: &mut DbConn,
    account: Scope,
    given: &Patch<CompanyRef>,
    errors: &mut FieldErrors,
) -> Result<Option<Option<i64>>, ApiError> {
    Ok(match given {
        Patch::Absent => None,
        Patch::Clear => Some(None),
        Patch::Set(CompanyRef::Id(id)) => match companies::find(conn, account, *id, Lock::None)? {
            Some(_) => Some(Some(*id)),
            None => {
                errors.add("company_id", "does not exist in this account");
                None
            }
        },
        Patch::Set(CompanyRef::ExternalId(external)) => {
            match companies::owners(
                conn,
                account,
                KeyKind::ExternalId,
                std::slice::from_ref(external),
            )?
            .first()
            {
                Some((_, id)) => Some(Some(*id)),
                None => {
                    errors.add("company_external_id", "matches no company in this account");
                    None
                }
            }
        }
    })
}

fn resolve_customer(
    conn: &mut DbConn,
    account: Scope,
    given: &Patch<i64>,
    errors: &mut FieldErrors,
) -> Result<Option<Option<i64>>, ApiError> {
    Ok(match given {
        Patch::Absent => None,
        Patch::Clear => Some(None),
        Patch::Set(id) => match customers::find(conn, account, *id, Lock::None)? {
            Some(_) => Some(Some(*id)),
            None => {
                errors.add("customer_id", "does not exist in this account");
                None
            }
        },
    })
}
