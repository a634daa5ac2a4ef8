//! The schema the migrations make: the same tables, columns, nullability and indexes on both
//! backends, the columns `src/db/schema.rs` declares, and the same again after every migration
//! is reverted and applied once more.

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::{Integer, Text};
use diesel::{QueryableByName, RunQueryDsl};
use supportdesk::db::{migrations, DbConn};

use crate::helpers::*;
use crate::on_each_backend;

/// Each table's columns (with whether they may be null) and its indexes (name, and whether unique).
#[derive(Debug, PartialEq, Eq)]
struct Schema {
    columns: BTreeMap<String, BTreeMap<String, bool>>,
    indexes: BTreeMap<String, BTreeSet<(String, bool)>>,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
}

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
}

// Declared indexes only: those SQLite makes for UNIQUE and PRIMARY KEY constraints
// (`sqlite_autoindex_*`, with no SQL) and PostgreSQL's constraint indexes are the constraints'.
const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, c.name AS column_name, \
     (c.\"notnull\" = 0 AND c.pk = 0) AS nullable \
     FROM sqlite_master m JOIN pragma_table_info(m.name) c \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'";
const SQLITE_INDEXES: &str = "SELECT m.tbl_name AS table_name, m.name AS index_name, \
     l.\"unique\" AS is_unique FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) l \
     ON l.name = m.name WHERE m.type = 'index' AND m.sql IS NOT NULL";
const PG_COLUMNS: &str = "SELECT table_name::text, column_name::text, \
     (is_nullable = 'YES')::int AS nullable FROM information_schema.columns \
     WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'";
const PG_INDEXES: &str = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
     x.indisunique::int AS is_unique FROM pg_index x \
     JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     WHERE n.nspname = 'public' AND t.relname <> '__diesel_schema_migrations' \
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)";

fn describe(conn: &mut DbConn) -> Schema {
    let (columns_sql, indexes_sql) = match conn {
        DbConn::Sqlite(_) => (SQLITE_COLUMNS, SQLITE_INDEXES),
        DbConn::Postgres(_) => (PG_COLUMNS, PG_INDEXES),
    };
    let columns: Vec<Column> =
        supportdesk::db_run!(conn, { diesel::sql_query(columns_sql).load(conn) }).unwrap();
    let indexes: Vec<Index> =
        supportdesk::db_run!(conn, { diesel::sql_query(indexes_sql).load(conn) }).unwrap();
    let mut schema = Schema {
        columns: BTreeMap::new(),
        indexes: BTreeMap::new(),
    };
    for c in columns {
        schema
            .columns
            .entry(c.table_name)
            .or_default()
            .insert(c.column_name, c.nullable != 0);
    }
    for i in indexes {
        schema
            .indexes
            .entry(i.table_name)
            .or_default()
            .insert((i.index_name, i.is_unique != 0));
    }
    schema
}

/// Columns the database keeps and `schema.rs` no longer declares: kept so the previous release
/// still runs on the migrated schema (expand, then contract), until a later migration drops them.
const RETIRED_COLUMNS: [(&str, &str); 2] = [
    ("accounts", "customers_count"),
    ("accounts", "last_conversation_number"),
];

/// `src/db/schema.rs`'s tables, each with its columns and whether they are `Nullable<…>`.
fn declared() -> BTreeMap<String, BTreeMap<String, bool>> {
    let text = include_str!("../../src/db/schema.rs");
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, BTreeMap<String, bool>)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix(") {") {
            // `name (id) {`: a table starts.
            let name = rest.split_whitespace().next().unwrap_or_default();
            current = Some((name.to_string(), BTreeMap::new()));
        } else if let (Some((_, columns)), Some((name, kind))) =
            (current.as_mut(), line.split_once(" -> "))
        {
            columns.insert(name.to_string(), kind.starts_with("Nullable<"));
        } else if line == "}" {
            if let Some((name, columns)) = current.take() {
                tables.insert(name, columns);
            }
        }
    }
    tables
}

async fn migrations_go_down_and_up_again(backend: Backend) {
    if on_citus(backend, "migrations_go_down_and_up_again") {
        return;
    }
    let Some((_database, mut conn)) = migrated(backend) else {
        return;
    };
    let before = describe(&mut conn);
    let mut in_use = before.columns.clone();
    for (table, column) in RETIRED_COLUMNS {
        let retired = in_use.get_mut(table).and_then(|t| t.remove(column));
        assert!(
            retired.is_some(),
            "{table}.{column} is gone: drop it from RETIRED_COLUMNS"
        );
    }
    assert_eq!(in_use, declared(), "{backend:?} against src/db/schema.rs");
    migrations::revert_all(&mut conn).unwrap();
    let empty = describe(&mut conn);
    assert!(
        empty.columns.is_empty(),
        "left after every down.sql: {empty:?}"
    );
    migrations::run_pending(&mut conn).unwrap();
    assert_eq!(
        describe(&mut conn),
        before,
        "{backend:?}: down then up changed the schema"
    );
}

on_each_backend!(migrations_go_down_and_up_again);

#[test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
fn both_backends_have_one_schema() {
    if on_citus(Backend::Postgres, "both_backends_have_one_schema") {
        return;
    }
    let (_sqlite_db, mut sqlite) = migrated(Backend::Sqlite).unwrap();
    let Some((_pg_db, mut postgres)) = migrated(Backend::Postgres) else {
        return;
    };
    let (sqlite, postgres) = (describe(&mut sqlite), describe(&mut postgres));
    assert_eq!(sqlite.columns, postgres.columns);
    let mut postgres_indexes = postgres.indexes.clone();
    for (table, index) in POSTGRES_ONLY_INDEXES {
        let dropped = postgres_indexes
            .get_mut(table)
            .is_some_and(|set| set.remove(&(index.to_string(), false)));
        assert!(
            dropped,
            "{table}.{index} is gone: drop it from POSTGRES_ONLY_INDEXES"
        );
    }
    assert_eq!(sqlite.indexes, postgres_indexes);
}

/// Indexes only PostgreSQL has, each for a reason of its own.
const POSTGRES_ONLY_INDEXES: [(&str, &str); 1] = [
    // The dispatcher's global order is (transaction id, id) on PostgreSQL; on SQLite `position`
    // is always 0, the rowid is that order, and an index would only cost the one writer.
    ("events", "events_dispatch_idx"),
];
