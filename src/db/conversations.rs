//! Conversations, as far as customers need them: the counts behind `stats`.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::conversations;
use super::DbConn;
use crate::db_run;

/// `stats.conversations` of one customer. Drafts are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConversationStats {
    pub total: i64,
    pub posted: i64,
    pub pending: i64,
    pub closed: i64,
    pub email_channel: i64,
}

/// The stats of each of `customer_ids`, in one grouped query (an index-only scan on
/// `conversations_stats_idx`). Customers with no conversations are absent from the map.
pub fn stats_for(
    conn: &mut DbConn,
    account_id: i64,
    customer_ids: &[i64],
) -> QueryResult<HashMap<i64, ConversationStats>> {
    let rows: Vec<(Option<i64>, String, String, i64)> = db_run!(conn: {
        conversations::table
            .filter(conversations::account_id.eq(account_id))
            .filter(conversations::customer_id.eq_any(customer_ids))
            .filter(conversations::status.ne("draft"))
            .group_by((conversations::customer_id, conversations::status, conversations::channel))
            .select((conversations::customer_id, conversations::status, conversations::channel, count_star()))
            .load(conn)
    })?;
    let mut stats: HashMap<i64, ConversationStats> = HashMap::new();
    for (customer_id, status, channel, count) in rows {
        let Some(customer_id) = customer_id else {
            continue;
        };
        let entry = stats.entry(customer_id).or_default();
        match status.as_str() {
            "posted" => entry.posted += count,
            "pending" => entry.pending += count,
            "closed" => entry.closed += count,
            _ => continue,
        }
        entry.total += count;
        if channel == "email" {
            entry.email_channel += count;
        }
    }
    Ok(stats)
}
