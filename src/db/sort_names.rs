//! Folds the sort names SQL could not (migrations 15 and 16 set `sort_name = lower(name)`, exact
//! for ASCII names only): once per database, when the server first starts on it, in batches.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::schema::{companies, customers};
use super::{settings, DbConn, Result};
use crate::db_run;
use crate::domain::text_fold::sort_key;

/// The setting that records the pass was made.
const DONE: &str = "sort_name.folded";
const BATCH: i64 = 1_000;

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables with a `sort_name`.
#[derive(Clone, Copy)]
enum Table {
    Customers,
    Companies,
}

/// Refolds every customer and company whose name is not plain ASCII (its characters are fewer
/// than its bytes); returns how many it wrote. A no-op once done. Safe to run twice at once (two
/// servers starting): both write the same keys.
pub fn fold_pending(conn: &mut DbConn) -> Result<usize> {
    if settings::get(conn, DONE)?.is_some() {
        return Ok(0);
    }
    let written = fold(conn, Table::Customers)? + fold(conn, Table::Companies)?;
    settings::set(conn, DONE, "1")?;
    Ok(written)
}

fn fold(conn: &mut DbConn, table: Table) -> Result<usize> {
    let select = match table {
        Table::Customers => "SELECT id, name FROM customers",
        Table::Companies => "SELECT id, name FROM companies",
    };
    let sql = format!(
        "{select} WHERE id > $1 AND length(name) <> octet_length(name) ORDER BY id LIMIT $2"
    );
    let mut after = 0;
    let mut written = 0;
    loop {
        let batch: Vec<Named> = db_run!(conn, {
            diesel::sql_query(&sql)
                .bind::<BigInt, _>(after)
                .bind::<BigInt, _>(BATCH)
                .load(conn)
        })?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        conn.transaction(|conn| {
            for row in &batch {
                let key = sort_key(&row.name);
                db_run!(conn, {
                    match table {
                        Table::Customers => diesel::update(customers::table.find(row.id))
                            .set(customers::sort_name.eq(key))
                            .execute(conn),
                        Table::Companies => diesel::update(companies::table.find(row.id))
                            .set(companies::sort_name.eq(key))
                            .execute(conn),
                    }
                })?;
            }
            Ok::<_, super::Error>(())
        })?;
        written += batch.len();
    }
    Ok(written)
}
