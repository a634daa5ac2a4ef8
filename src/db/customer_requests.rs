//! Customer requests and their attachments.

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::journal::{self, Kind};
use super::schema::{customer_requests, request_attachments};
use super::{any_of, DbConn, Scope};
use crate::domain::cursor::Cursor;
use crate::domain::paging::{Order, Window};
use crate::domain::request_list::RequestFilter;
use crate::{db_run, keyset_page};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_requests)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CustomerRequest {
    pub id: i64,
    pub conversation_id: i64,
    pub company_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub priority: i64,
    pub body: Option<String>,
    pub creator_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A request, with its attachment if any.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub request: CustomerRequest,
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Clone, Queryable)]
pub struct Attachment {
    pub id: i64,
    pub url: String,
}

impl From<(CustomerRequest, Option<Attachment>)> for RequestRow {
    fn from((request, attachment): (CustomerRequest, Option<Attachment>)) -> Self {
        RequestRow {
            request,
            attachment,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customer_requests)]
pub struct NewRequest<'a> {
    pub account_id: i64,
    pub conversation_id: i64,
    pub company_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub priority: i64,
    pub body: Option<&'a str>,
    pub creator_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = customer_requests)]
pub struct RequestChanges {
    pub company_id: Option<Option<i64>>,
    pub customer_id: Option<Option<i64>>,
    pub priority: Option<i64>,
    pub body: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

impl RequestChanges {
    /// Whether writing these changes would change `current` (`updated_at` aside).
    pub fn alters(&self, current: &CustomerRequest) -> bool {
        super::differs(&self.company_id, &current.company_id)
            || super::differs(&self.customer_id, &current.customer_id)
            || super::differs(&self.priority, &current.priority)
            || super::differs(&self.body, &current.body)
    }
}

/// List filters; each given one must match.
pub fn insert(conn: &mut DbConn, row: &NewRequest) -> Result<CustomerRequest> {
    let request: CustomerRequest = db_run!(conn, {
        diesel::insert_into(customer_requests::table)
            .values(row)
            .returning(CustomerRequest::as_returning())
            .get_result(conn)
    })?;
    journal::created(Kind::CustomerRequest, request.id);
    Ok(request)
}

/// The join to a request's attachment, within its account (see `db::audit`).
macro_rules! attachment_of_request {
    () => {
        request_attachments::table.on(request_attachments::request_id
            .eq(customer_requests::id)
            .and(request_attachments::account_id.eq(customer_requests::account_id)))
    };
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<RequestRow>> {
    db_run!(conn, {
        customer_requests::table
            .left_join(attachment_of_request!())
            .filter(customer_requests::account_id.eq(account))
            .filter(customer_requests::id.eq(id))
            .select((
                CustomerRequest::as_select(),
                (request_attachments::id, request_attachments::url).nullable(),
            ))
            .get_result::<(CustomerRequest, Option<Attachment>)>(conn)
            .optional()
    })
    .map(|row| row.map(RequestRow::from))
}

pub fn update(conn: &mut DbConn, account: Scope, id: i64, changes: &RequestChanges) -> Result<()> {
    journal::updated(Kind::CustomerRequest, id);
    db_run!(conn, {
        diesel::update(
            customer_requests::table
                .filter(customer_requests::account_id.eq(account))
                .filter(customer_requests::id.eq(id)),
        )
        .set(changes)
        .execute(conn)
    })?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<bool> {
    journal::deleting(conn, Kind::CustomerRequest, id)?;
    let deleted = db_run!(conn, {
        diesel::delete(
            customer_requests::table
                .filter(customer_requests::account_id.eq(account))
                .filter(customer_requests::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(deleted > 0)
}

/// Sets the request's attachment URL (replacing any), or removes it with `None`.
pub fn set_attachment(
    conn: &mut DbConn,
    account: Scope,
    request_id: i64,
    url: Option<&str>,
) -> Result<()> {
    journal::updated(Kind::CustomerRequest, request_id);
    let now = super::now();
    db_run!(conn, {
        diesel::delete(
            request_attachments::table
                .filter(request_attachments::account_id.eq(account))
                .filter(request_attachments::request_id.eq(request_id)),
        )
        .execute(conn)?;
        if let Some(url) = url {
            diesel::insert_into(request_attachments::table)
                .values((
                    request_attachments::account_id.eq(account),
                    request_attachments::request_id.eq(request_id),
                    request_attachments::url.eq(url),
                    request_attachments::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// One page of the account's requests, newest first, and how many match.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    filter: &RequestFilter,
    window: &Window,
) -> Result<(Option<i64>, Vec<RequestRow>)> {
    db_run!(conn, {
        let filtered = || {
            let mut query = customer_requests::table
                .left_join(attachment_of_request!())
                .filter(customer_requests::account_id.eq(account))
                .into_boxed();
            if let Some(id) = filter.conversation_id {
                query = query.filter(customer_requests::conversation_id.eq(id));
            }
            if let Some(id) = filter.company_id {
                query = query.filter(customer_requests::company_id.eq(id));
            }
            if let Some(id) = filter.customer_id {
                query = query.filter(customer_requests::customer_id.eq(id));
            }
            if let Some(priority) = filter.priority {
                query = query.filter(customer_requests::priority.eq(priority));
            }
            query
        };
        let total = window
            .counts()
            .then(|| filtered().count().get_result(conn))
            .transpose()?;
        let rows = keyset_page!(
            filtered(),
            window,
            Order::Desc,
            customer_requests::created_at,
            customer_requests::id,
            window.cursor.as_ref().map(Cursor::after_time_key),
        );
        let rows = rows
            .select((
                CustomerRequest::as_select(),
                (request_attachments::id, request_attachments::url).nullable(),
            ))
            .load::<(CustomerRequest, Option<Attachment>)>(conn)?;
        Ok((total, rows.into_iter().map(RequestRow::from).collect()))
    })
}

/// How many requests the customers of `customer_ids` made, in all.
pub fn count_of(conn: &mut DbConn, account: Scope, customer_ids: &[i64]) -> Result<i64> {
    db_run!(conn, {
        customer_requests::table
            .filter(customer_requests::account_id.eq(account))
            .filter(any_of::ids(customer_requests::customer_id, customer_ids))
            .count()
            .get_result(conn)
    })
}
