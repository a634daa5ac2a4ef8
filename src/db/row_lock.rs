//! [`lock`]: holding one row of the account until the transaction ends, so a conditional write
//! (`If-Match`) reads and writes a record no other writer can change in between.

use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;

use super::{DbConn, Result, Scope};

/// The tables whose rows a conditional write locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Accounts,
    Customers,
    Companies,
    CompanyLabels,
    Conversations,
    Interactions,
    CustomerRequests,
    WebhookEndpoints,
    Notes,
    CustomAttributeDefinitions,
}

impl Table {
    fn statement(self) -> &'static str {
        match self {
            // The account's own row: its id is the scope's (both binds carry it).
            Table::Accounts => "SELECT id FROM accounts WHERE id = $1 AND id = $2 FOR UPDATE",
            Table::Customers => {
                "SELECT id FROM customers WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::Companies => {
                "SELECT id FROM companies WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::CompanyLabels => {
                "SELECT id FROM company_labels WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::Conversations => {
                "SELECT id FROM conversations WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::Interactions => {
                "SELECT id FROM interactions WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::CustomerRequests => {
                "SELECT id FROM customer_requests WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::WebhookEndpoints => {
                "SELECT id FROM webhook_endpoints WHERE account_id = $1 AND id = $2 FOR UPDATE"
            }
            Table::Notes => "SELECT id FROM notes WHERE account_id = $1 AND id = $2 FOR UPDATE",
            Table::CustomAttributeDefinitions => {
                "SELECT id FROM custom_attribute_definitions WHERE account_id = $1 AND id = $2 \
                 FOR UPDATE"
            }
        }
    }
}

/// Locks row `id` of `table` in the account until the transaction ends: `FOR UPDATE` on
/// PostgreSQL. SQLite needs nothing: a write transaction (`BEGIN IMMEDIATE`) already excludes
/// every other writer. A missing row locks nothing; the lookup after it answers 404.
pub fn lock(conn: &mut DbConn, table: Table, account: Scope, id: i64) -> Result<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(pg) => super::from_diesel(
            diesel::sql_query(table.statement())
                .bind::<BigInt, _>(account.account_id())
                .bind::<BigInt, _>(id)
                .execute(pg),
        )
        .map(|_| ()),
    }
}
