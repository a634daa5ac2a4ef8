//! The rules a PostgreSQL distributed by account (Citus) enforces, checked on plain PostgreSQL:
//! every primary key and unique index of a tenant table includes `account_id`, every foreign key
//! between tenant tables is composite on it, and `scripts/citus-distribute.sql` distributes
//! exactly the tenant tables. That every statement a request runs names its tenant tables'
//! `account_id` is checked by every API test (`db::audit`); here, that the audit does refuse.

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use supportdesk::db::audit::TENANT_TABLES;
use supportdesk::db::DbConn;

use crate::helpers::*;
use crate::on_each_backend;

/// Tables with an `account_id` that are copied to every node rather than distributed: a
/// user's memberships are read by user (their accounts), across accounts.
const REFERENCE_TABLES_WITH_ACCOUNTS: [&str; 1] = ["account_members"];

#[derive(QueryableByName, Debug)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

fn names(conn: &mut DbConn, sql: &str) -> Vec<String> {
    let rows: Vec<Named> =
        supportdesk::db_run!(conn, { diesel::sql_query(sql).load(conn) }).unwrap();
    rows.into_iter().map(|r| r.name).collect()
}

/// `create_distributed_table('…', 'account_id' …)` tables of the script, and its reference ones.
fn distributed_by_script() -> (BTreeSet<String>, BTreeSet<String>) {
    let script = include_str!("../../scripts/citus-distribute.sql");
    let tables = |call: &str| {
        script
            .lines()
            .filter_map(|line| line.strip_prefix(call))
            .map(|rest| rest.split('\'').next().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    (
        tables("SELECT create_distributed_table('"),
        tables("SELECT create_reference_table('"),
    )
}

#[test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
fn the_tenant_tables_are_those_with_an_account_and_the_script_distributes_them() {
    let Some((_database, mut conn)) = migrated(Backend::Postgres) else {
        return;
    };
    let with_account: BTreeSet<String> = names(
        &mut conn,
        "SELECT DISTINCT table_name::text AS name FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'account_id'",
    )
    .into_iter()
    .filter(|t| !REFERENCE_TABLES_WITH_ACCOUNTS.contains(&t.as_str()))
    .collect();
    let tenant: BTreeSet<String> = TENANT_TABLES.iter().map(|t| t.to_string()).collect();
    assert_eq!(with_account, tenant, "db::audit::TENANT_TABLES");
    let (distributed, reference) = distributed_by_script();
    assert_eq!(distributed, tenant, "scripts/citus-distribute.sql");
    for table in REFERENCE_TABLES_WITH_ACCOUNTS {
        assert!(reference.contains(table), "{table} is a reference table");
    }
}

#[test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
fn every_unique_key_and_tenant_foreign_key_includes_the_account() {
    let Some((_database, mut conn)) = migrated(Backend::Postgres) else {
        return;
    };
    let tenant = TENANT_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Primary keys, unique constraints and unique indexes alike (Citus: "cannot create
    // constraint … that does not include the partition column").
    let unique = names(
        &mut conn,
        &format!(
            "SELECT t.relname || '.' || i.relname AS name FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE x.indisunique AND t.relname IN ({tenant}) AND t.relnamespace = 'public'::regnamespace \
             AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid \
               AND a.attname = 'account_id' AND a.attnum = ANY (x.indkey::int2[]))"
        ),
    );
    assert!(unique.is_empty(), "unique without account_id: {unique:?}");
    // Between tenant tables: account_id on both sides, paired (the rows are on one node).
    let foreign = names(
        &mut conn,
        &format!(
            "SELECT c.conrelid::regclass::text || '.' || c.conname AS name FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ({tenant}) \
             AND c.confrelid::regclass::text IN ({tenant}) AND NOT EXISTS ( \
               SELECT 1 FROM generate_subscripts(c.conkey, 1) k \
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[k] \
               JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[k] \
               WHERE a.attname = 'account_id' AND f.attname = 'account_id')"
        ),
    );
    assert!(
        foreign.is_empty(),
        "foreign keys not on account_id: {foreign:?}"
    );
    // Citus refuses SET NULL / SET DEFAULT on a key that includes the distribution column, and
    // foreign keys from reference tables to distributed ones.
    let refused = names(
        &mut conn,
        &format!(
            "SELECT c.conrelid::regclass::text || '.' || c.conname AS name FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.confrelid::regclass::text IN ({tenant}) \
             AND (c.confdeltype IN ('n', 'd') OR c.conrelid::regclass::text NOT IN ({tenant}))"
        ),
    );
    assert!(refused.is_empty(), "keys Citus refuses: {refused:?}");
}

/// The audit the API tests run under fails a request's statement that reads a tenant table
/// without its account, and lets the same statement with it run.
async fn the_audit_refuses_a_statement_without_the_account(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // As a request's work: on the pool, under the audit.
    let run = |sql: &'static str| {
        let db = app.state.db.clone();
        async move {
            db.read(move |conn| {
                supportdesk::db_run!(conn, { diesel::sql_query(sql).execute(conn) })
            })
            .await
        }
    };
    let scoped = run("SELECT id FROM customers WHERE account_id = 1").await;
    assert!(scoped.is_ok(), "{scoped:?}");
    let unscoped = run("SELECT id FROM customers WHERE id = 1").await;
    assert!(unscoped.is_err(), "the audit let it through");
}

on_each_backend!(the_audit_refuses_a_statement_without_the_account);

/// On a Citus cluster, every tenant table is distributed by account, co-located with the rest.
#[test]
#[cfg_attr(skip_citus, ignore = "SUPPORTDESK_TEST_CITUS_URL is not set")]
fn on_citus_every_tenant_table_is_distributed_and_colocated() {
    let Some((_database, mut conn)) = migrated(Backend::Postgres) else {
        return;
    };
    let distributed = names(
        &mut conn,
        "SELECT logicalrelid::text || ':' || column_to_column_name(logicalrelid, partkey) AS name \
         FROM pg_dist_partition WHERE partmethod = 'h'",
    );
    let expected: BTreeSet<String> = TENANT_TABLES
        .iter()
        .map(|t| format!("{t}:account_id"))
        .collect();
    assert_eq!(distributed.into_iter().collect::<BTreeSet<_>>(), expected);
    let groups = names(
        &mut conn,
        "SELECT DISTINCT colocationid::text AS name FROM pg_dist_partition WHERE partmethod = 'h'",
    );
    assert_eq!(groups.len(), 1, "one co-location group: {groups:?}");
}
