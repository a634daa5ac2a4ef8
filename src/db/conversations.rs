//! Conversations: rows, numbering, listing, and the counts behind customer `stats`.

use std::collections::HashMap;

use super::Result;
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::journal::{self, Kind};
use super::schema::{conversation_numbers, conversations, customer_contacts, customer_requests};
use super::{any_of, DbConn, Scope};
use crate::domain::conversation::{Channel, Status};
use crate::domain::conversation_list::{ConversationListQuery, ConversationSort};
use crate::domain::cursor::Cursor;
use crate::{db_run, keyset_page};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Conversation {
    pub id: i64,
    pub account_id: i64,
    pub number: i64,
    pub customer_id: Option<i64>,
    pub user_id: Option<i64>,
    pub channel: Channel,
    pub status: Status,
    pub subject: Option<String>,
    pub fingerprint_hash: Option<String>,
    pub interactions_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A conversation, with the customer email it is with, if any.
#[derive(Debug, Clone)]
pub struct ConversationRow {
    pub conversation: Conversation,
    pub customer_email: Option<ContactRef>,
}

/// One contact of a customer, as a conversation refers to it.
#[derive(Debug, Clone, Queryable)]
pub struct ContactRef {
    pub id: i64,
    pub value: String,
}

impl From<(Conversation, Option<ContactRef>)> for ConversationRow {
    fn from((conversation, customer_email): (Conversation, Option<ContactRef>)) -> Self {
        ConversationRow {
            conversation,
            customer_email,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = conversations)]
pub struct NewConversationRow<'a> {
    pub account_id: i64,
    pub number: i64,
    pub customer_id: Option<i64>,
    pub customer_contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub channel: Channel,
    pub status: Status,
    pub subject: Option<&'a str>,
    pub fingerprint_hash: Option<&'a str>,
    pub interactions_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column alone; `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = conversations)]
pub struct ConversationUpdate {
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    pub subject: Option<Option<String>>,
    pub user_id: Option<Option<i64>>,
    pub updated_at: Option<NaiveDateTime>,
}

impl ConversationUpdate {
    /// Whether writing this would change `current` (`updated_at` aside).
    pub fn alters(&self, current: &Conversation) -> bool {
        super::differs(&self.status, &current.status)
            || super::differs(&self.channel, &current.channel)
            || super::differs(&self.subject, &current.subject)
            || super::differs(&self.user_id, &current.user_id)
    }
}

/// Hands out the account's next conversation number. The upsert locks the account's row of
/// `conversation_numbers` until the transaction ends, so concurrent creates queue: no number
/// repeats, and a rollback returns it. The row is the tenant's own (not the accounts row), so
/// on a database distributed by account it lives on the tenant's node.
pub fn next_number(conn: &mut DbConn, account: Scope) -> Result<i64> {
    reserve_numbers(conn, account, 1)
}

/// Takes `count` numbers at once (bulk loads); returns the first of them.
pub fn reserve_numbers(conn: &mut DbConn, account: Scope, count: i64) -> Result<i64> {
    use conversation_numbers::dsl::{account_id, last_number};
    let last: i64 = db_run!(conn, {
        diesel::insert_into(conversation_numbers::table)
            .values((account_id.eq(account), last_number.eq(count)))
            .on_conflict(account_id)
            .do_update()
            .set(last_number.eq(last_number + count))
            .returning(last_number)
            .get_result(conn)
    })?;
    Ok(last - count + 1)
}

pub fn insert(conn: &mut DbConn, row: &NewConversationRow) -> Result<Conversation> {
    let conversation: Conversation = db_run!(conn, {
        diesel::insert_into(conversations::table)
            .values(row)
            .returning(Conversation::as_returning())
            .get_result(conn)
    })?;
    journal::created(Kind::Conversation, conversation.id);
    Ok(conversation)
}

/// The join to a conversation's contact, within its account (as every join between tenant
/// tables is: see `db::audit`).
macro_rules! contact_of_conversation {
    () => {
        customer_contacts::table.on(conversations::customer_contact_id
            .eq(customer_contacts::id.nullable())
            .and(customer_contacts::account_id.eq(conversations::account_id)))
    };
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<ConversationRow>> {
    db_run!(conn, {
        conversations::table
            .left_join(contact_of_conversation!())
            .filter(conversations::account_id.eq(account))
            .filter(conversations::id.eq(id))
            .select((
                Conversation::as_select(),
                (customer_contacts::id, customer_contacts::value).nullable(),
            ))
            .get_result::<(Conversation, Option<ContactRef>)>(conn)
            .optional()
    })
    .map(|row| row.map(ConversationRow::from))
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    changes: &ConversationUpdate,
) -> Result<()> {
    journal::updated(Kind::Conversation, id);
    db_run!(conn, {
        diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(conversations::id.eq(id)),
        )
        .set(changes)
        .execute(conn)
    })?;
    Ok(())
}

/// Adds `delta` to the interaction count and marks the conversation updated.
pub fn count_interactions(conn: &mut DbConn, account: Scope, id: i64, delta: i64) -> Result<()> {
    journal::updated(Kind::Conversation, id);
    let now = super::now();
    db_run!(conn, {
        diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(conversations::id.eq(id)),
        )
        .set((
            conversations::interactions_count.eq(conversations::interactions_count + delta),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)
    })?;
    Ok(())
}

/// Deletes the conversation; its interactions and customer requests go with it (the requests'
/// tombstones are taken first, for the feed).
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<bool> {
    let requests: Vec<i64> = db_run!(conn, {
        customer_requests::table
            .filter(customer_requests::account_id.eq(account))
            .filter(customer_requests::conversation_id.eq(id))
            .select(customer_requests::id)
            .load(conn)
    })?;
    journal::deleting_all(conn, Kind::CustomerRequest, &requests)?;
    journal::deleting(conn, Kind::Conversation, id)?;
    let deleted = db_run!(conn, {
        diesel::delete(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(conversations::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(deleted > 0)
}

/// One page of the account's conversations (one row more when there is a next page), each with
/// its customer's email, and how many match when the window counts.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &ConversationListQuery,
) -> Result<(Option<i64>, Vec<ConversationRow>)> {
    let (filter, sort, window) = (&query.filter, query.sort, &query.window);
    db_run!(conn, {
        let filtered = || {
            let mut query = conversations::table
                .left_join(contact_of_conversation!())
                .filter(conversations::account_id.eq(account))
                .into_boxed();
            if let Some(customer_id) = filter.customer_id {
                query = query.filter(conversations::customer_id.eq(customer_id));
            }
            if let Some(status) = filter.status {
                query = query.filter(conversations::status.eq(status));
            }
            if let Some(channel) = filter.channel {
                query = query.filter(conversations::channel.eq(channel));
            }
            query
        };
        let total = window
            .counts()
            .then(|| filtered().count().get_result(conn))
            .transpose()?;
        let (order, cursor) = (sort.order(), window.cursor.as_ref());
        let rows = match sort {
            ConversationSort::CreatedAsc | ConversationSort::CreatedDesc => keyset_page!(
                filtered(),
                window,
                order,
                conversations::created_at,
                conversations::id,
                cursor.map(Cursor::after_time_key),
            ),
            ConversationSort::UpdatedAsc | ConversationSort::UpdatedDesc => keyset_page!(
                filtered(),
                window,
                order,
                conversations::updated_at,
                conversations::id,
                cursor.map(Cursor::after_time_key),
            ),
        };
        let rows = rows
            .select((
                Conversation::as_select(),
                (customer_contacts::id, customer_contacts::value).nullable(),
            ))
            .load::<(Conversation, Option<ContactRef>)>(conn)?;
        Ok((total, rows.into_iter().map(ConversationRow::from).collect()))
    })
}

/// `stats.conversations` of one customer. Drafts are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConversationStats {
    pub total: i64,
    pub posted: i64,
    pub pending: i64,
    pub closed: i64,
    pub email_channel: i64,
}

/// The stats of one customer, in one grouped query (an index-only scan on
/// `conversations_stats_idx`).
pub fn stats_of(conn: &mut DbConn, account: Scope, customer_id: i64) -> Result<ConversationStats> {
    let rows: Vec<(Status, Channel, i64)> = db_run!(conn, {
        conversations::table
            .filter(conversations::account_id.eq(account))
            .filter(conversations::customer_id.eq(customer_id))
            .filter(conversations::status.ne(Status::Draft))
            .group_by((conversations::status, conversations::channel))
            .select((conversations::status, conversations::channel, count_star()))
            .load(conn)
    })?;
    let mut stats = ConversationStats::default();
    for (status, channel, count) in rows {
        stats.count(status, channel, count);
    }
    Ok(stats)
}

/// Per customer of `customer_ids`: its stats, and how many conversations it has in all (drafts
/// too). One grouped query on `conversations_stats_idx`, for a merge's preview.
pub fn stats_of_each(
    conn: &mut DbConn,
    account: Scope,
    customer_ids: &[i64],
) -> Result<HashMap<i64, (ConversationStats, i64)>> {
    let rows: Vec<(Option<i64>, Status, Channel, i64)> = db_run!(conn, {
        conversations::table
            .filter(conversations::account_id.eq(account))
            .filter(any_of::ids(conversations::customer_id, customer_ids))
            .group_by((
                conversations::customer_id,
                conversations::status,
                conversations::channel,
            ))
            .select((
                conversations::customer_id,
                conversations::status,
                conversations::channel,
                count_star(),
            ))
            .load(conn)
    })?;
    let mut each: HashMap<i64, (ConversationStats, i64)> = HashMap::new();
    for (customer_id, status, channel, count) in rows {
        let Some(customer_id) = customer_id else {
            continue;
        };
        let (stats, all) = each.entry(customer_id).or_default();
        *all += count;
        stats.count(status, channel, count);
    }
    Ok(each)
}

impl ConversationStats {
    /// Counts `count` conversations of one status and channel (drafts are not counted).
    fn count(&mut self, status: Status, channel: Channel, count: i64) {
        match status {
            Status::Posted => self.posted += count,
            Status::Pending => self.pending += count,
            Status::Closed => self.closed += count,
            Status::Draft => return,
        }
        self.total += count;
        if channel == Channel::Email {
            self.email_channel += count;
        }
    }

    /// Both customers' conversations counted as one's.
    pub fn plus(self, other: ConversationStats) -> ConversationStats {
        ConversationStats {
            total: self.total + other.total,
            posted: self.posted + other.posted,
            pending: self.pending + other.pending,
            closed: self.closed + other.closed,
            email_channel: self.email_channel + other.email_channel,
        }
    }
}
