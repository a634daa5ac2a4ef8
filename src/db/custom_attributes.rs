//! Custom attributes: their definitions (`custom_attribute_definitions`), and the value tables
//! the list filters read (`customer_attribute_values`, `company_attribute_values`). A record's
//! own `custom_attributes` column holds the values it shows; the value tables follow it in the
//! same transaction.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{
    company_attribute_values, custom_attribute_definitions, customer_attribute_counts,
    customer_attribute_number_counts, customer_attribute_values,
};
use super::{DbConn, Result, Scope};
use crate::db_run;
use crate::domain::custom_attribute::{
    AttributeFilter, AttributeOwner, AttributeRule, AttributeType, AttributeValue, DefinitionInput,
    FilterValue,
};
use crate::domain::owner::Owner;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = custom_attribute_definitions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Definition {
    pub id: i64,
    pub object_type: AttributeOwner,
    pub key: String,
    pub label: String,
    pub data_type: AttributeType,
    /// JSON array of a list's options.
    pub options: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Definition {
    pub fn options(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }

    pub fn rule(&self) -> AttributeRule {
        AttributeRule {
            data_type: self.data_type,
            options: self.options(),
        }
    }
}

/// Inserts a definition (its input checked complete); a key already defined for the same kind
/// of record is a unique violation.
pub fn create(conn: &mut DbConn, account: Scope, input: &DefinitionInput) -> Result<Definition> {
    let now = super::now();
    let options = serde_json::to_string(input.options.as_deref().unwrap_or_default())
        .unwrap_or_else(|_| "[]".into());
    db_run!(conn, {
        diesel::insert_into(custom_attribute_definitions::table)
            .values((
                custom_attribute_definitions::account_id.eq(account),
                custom_attribute_definitions::object_type
                    .eq(input.object_type.unwrap_or(AttributeOwner::Customer)),
                custom_attribute_definitions::key.eq(input.key.as_deref().unwrap_or_default()),
                custom_attribute_definitions::label.eq(input.label.as_deref().unwrap_or_default()),
                custom_attribute_definitions::data_type
                    .eq(input.data_type.unwrap_or(AttributeType::Text)),
                custom_attribute_definitions::options.eq(&options),
                custom_attribute_definitions::created_at.eq(now),
                custom_attribute_definitions::updated_at.eq(now),
            ))
            .returning(Definition::as_returning())
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<Definition>> {
    db_run!(conn, {
        custom_attribute_definitions::table
            .filter(custom_attribute_definitions::account_id.eq(account))
            .filter(custom_attribute_definitions::id.eq(id))
            .select(Definition::as_select())
            .get_result(conn)
            .optional()
    })
}

/// The account's definitions (of one kind of record, when given), by kind then key.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    object_type: Option<AttributeOwner>,
) -> Result<Vec<Definition>> {
    db_run!(conn, {
        let mut query = custom_attribute_definitions::table
            .filter(custom_attribute_definitions::account_id.eq(account))
            .into_boxed();
        if let Some(object_type) = object_type {
            query = query.filter(custom_attribute_definitions::object_type.eq(object_type));
        }
        query
            .order((
                custom_attribute_definitions::object_type.asc(),
                custom_attribute_definitions::key.asc(),
            ))
            .select(Definition::as_select())
            .load(conn)
    })
}

/// How many definitions the account has for one kind of record.
pub fn count(conn: &mut DbConn, account: Scope, object_type: AttributeOwner) -> Result<i64> {
    db_run!(conn, {
        custom_attribute_definitions::table
            .filter(custom_attribute_definitions::account_id.eq(account))
            .filter(custom_attribute_definitions::object_type.eq(object_type))
            .count()
            .get_result(conn)
    })
}

/// The rules of one kind of record's attributes, by key: what its values are checked against.
pub fn rules(
    conn: &mut DbConn,
    account: Scope,
    object_type: AttributeOwner,
) -> Result<BTreeMap<String, AttributeRule>> {
    Ok(list(conn, account, Some(object_type))?
        .into_iter()
        .map(|d| (d.key.clone(), d.rule()))
        .collect())
}

/// Changes a definition's label and options.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    label: &str,
    options: &[String],
) -> Result<Definition> {
    let options = serde_json::to_string(options).unwrap_or_else(|_| "[]".into());
    db_run!(conn, {
        diesel::update(
            custom_attribute_definitions::table
                .filter(custom_attribute_definitions::account_id.eq(account))
                .filter(custom_attribute_definitions::id.eq(id)),
        )
        .set((
            custom_attribute_definitions::label.eq(label),
            custom_attribute_definitions::options.eq(&options),
            custom_attribute_definitions::updated_at.eq(super::now()),
        ))
        .returning(Definition::as_returning())
        .get_result(conn)
    })
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<()> {
    db_run!(conn, {
        diesel::delete(
            custom_attribute_definitions::table
                .filter(custom_attribute_definitions::account_id.eq(account))
                .filter(custom_attribute_definitions::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(())
}

/// Whether any record of the kind holds one of `values` under `key` (a list's options about to
/// go): one probe of the text index.
pub fn holds_any(
    conn: &mut DbConn,
    account: Scope,
    object_type: AttributeOwner,
    key: &str,
    values: &[String],
) -> Result<bool> {
    let found: Option<i64> = db_run!(conn, {
        match object_type {
            AttributeOwner::Customer => customer_attribute_values::table
                .filter(customer_attribute_values::account_id.eq(account))
                .filter(customer_attribute_values::key.eq(key))
                .filter(customer_attribute_values::text_value.eq_any(values))
                .select(customer_attribute_values::customer_id)
                .first(conn)
                .optional(),
            AttributeOwner::Company => company_attribute_values::table
                .filter(company_attribute_values::account_id.eq(account))
                .filter(company_attribute_values::key.eq(key))
                .filter(company_attribute_values::text_value.eq_any(values))
                .select(company_attribute_values::company_id)
                .first(conn)
                .optional(),
        }
    })?;
    Ok(found.is_some())
}

/// Takes attribute `key` off every record of the kind: out of each holder's JSON, then out of the
/// value index. The JSON edit is the one statement written per backend (SQLite's `json_remove`,
/// PostgreSQL's `jsonb -`); the holders are a range of the value index.
pub fn strip(
    conn: &mut DbConn,
    account: Scope,
    object_type: AttributeOwner,
    key: &str,
) -> Result<()> {
    use diesel::sql_types::{BigInt, Text};
    let (records, values, id) = match object_type {
        AttributeOwner::Customer => ("customers", "customer_attribute_values", "customer_id"),
        AttributeOwner::Company => ("companies", "company_attribute_values", "company_id"),
    };
    let holders = format!(
        "account_id = $2 AND id IN (SELECT {id} FROM {values} WHERE account_id = $2 AND key = $3)"
    );
    let edit = match conn {
        DbConn::Sqlite(_) => "json_remove(custom_attributes, '$.' || $1)",
        DbConn::Postgres(_) => "(custom_attributes::jsonb - $1)::text",
    };
    let sql = format!("UPDATE {records} SET custom_attributes = {edit} WHERE {holders}");
    db_run!(conn, {
        diesel::sql_query(&sql)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(account.account_id())
            .bind::<Text, _>(key)
            .execute(conn)
    })?;
    db_run!(conn, {
        match object_type {
            AttributeOwner::Customer => diesel::delete(
                customer_attribute_values::table
                    .filter(customer_attribute_values::account_id.eq(account))
                    .filter(customer_attribute_values::key.eq(key)),
            )
            .execute(conn)
            .and_then(|_| {
                diesel::delete(
                    customer_attribute_counts::table
                        .filter(customer_attribute_counts::account_id.eq(account))
                        .filter(customer_attribute_counts::key.eq(key)),
                )
                .execute(conn)
            })
            .and_then(|_| {
                diesel::delete(
                    customer_attribute_number_counts::table
                        .filter(customer_attribute_number_counts::account_id.eq(account))
                        .filter(customer_attribute_number_counts::key.eq(key)),
                )
                .execute(conn)
            }),
            AttributeOwner::Company => diesel::delete(
                company_attribute_values::table
                    .filter(company_attribute_values::account_id.eq(account))
                    .filter(company_attribute_values::key.eq(key)),
            )
            .execute(conn),
        }
    })?;
    Ok(())
}

/// Writes what changed of `owner`'s values in the index: `Some` sets a key, `None` removes it.
pub fn write(
    conn: &mut DbConn,
    account: Scope,
    owner: Owner,
    changes: &[(String, Option<AttributeValue>)],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = changes.iter().map(|(k, _)| k.as_str()).collect();
    let replaced: Vec<Held> = db_run!(conn, {
        match owner {
            Owner::Customer(id) => diesel::delete(
                customer_attribute_values::table
                    .filter(customer_attribute_values::account_id.eq(account))
                    .filter(customer_attribute_values::customer_id.eq(id))
                    .filter(customer_attribute_values::key.eq_any(&keys)),
            )
            .returning((
                customer_attribute_values::key,
                customer_attribute_values::text_value,
                customer_attribute_values::number_value,
            ))
            .get_results(conn),
            Owner::Company(id) => diesel::delete(
                company_attribute_values::table
                    .filter(company_attribute_values::account_id.eq(account))
                    .filter(company_attribute_values::company_id.eq(id))
                    .filter(company_attribute_values::key.eq_any(&keys)),
            )
            .execute(conn)
            .map(|_| Vec::new()),
        }
    })?;
    let set: Vec<(&String, &AttributeValue)> = changes
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
    if let Owner::Customer(_) = owner {
        let gone = replaced.into_iter().map(|held| (held, -1));
        let now_held = set
            .iter()
            .map(|(key, value)| (((*key).clone(), value.text.clone(), value.number), 1));
        recount_customers(conn, account, gone.chain(now_held))?;
    }
    if set.is_empty() {
        return Ok(());
    }
    let account_id = account.account_id();
    db_run!(conn, {
        match owner {
            Owner::Customer(id) => {
                let rows: Vec<_> = set
                    .iter()
                    .map(|(key, value)| {
                        (
                            customer_attribute_values::customer_id.eq(id),
                            customer_attribute_values::key.eq(*key),
                            customer_attribute_values::account_id.eq(account_id),
                            customer_attribute_values::text_value.eq(value.text.as_deref()),
                            customer_attribute_values::number_value.eq(value.number),
                        )
                    })
                    .collect();
                diesel::insert_into(customer_attribute_values::table)
                    .values(rows)
                    .execute(conn)
            }
            Owner::Company(id) => {
                let rows: Vec<_> = set
                    .iter()
                    .map(|(key, value)| {
                        (
                            company_attribute_values::company_id.eq(id),
                            company_attribute_values::key.eq(*key),
                            company_attribute_values::account_id.eq(account_id),
                            company_attribute_values::text_value.eq(value.text.as_deref()),
                            company_attribute_values::number_value.eq(value.number),
                        )
                    })
                    .collect();
                diesel::insert_into(company_attribute_values::table)
                    .values(rows)
                    .execute(conn)
            }
        }
    })?;
    Ok(())
}

/// Moves customer `from`'s index rows of `keys` to customer `to` (a merge's survivor taking a
/// source's values it did not have).
pub fn move_customer_values(
    conn: &mut DbConn,
    account: Scope,
    from: i64,
    to: i64,
    keys: &[String],
) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    db_run!(conn, {
        diesel::update(
            customer_attribute_values::table
                .filter(customer_attribute_values::account_id.eq(account))
                .filter(customer_attribute_values::customer_id.eq(from))
                .filter(customer_attribute_values::key.eq_any(keys)),
        )
        .set(customer_attribute_values::customer_id.eq(to))
        .execute(conn)
    })?;
    Ok(())
}

/// `$query` (a boxed diesel query) kept where `$column` compares with `$value` as `$comparison`
/// (a [`crate::domain::custom_attribute::Comparison`]) says: an attribute filter on a value index
/// or on the counts.
#[macro_export]
macro_rules! compared {
    ($query:expr, $column:expr, $comparison:expr, $value:expr) => {{
        use $crate::domain::custom_attribute::Comparison;
        let (query, value) = ($query, $value);
        match $comparison {
            Comparison::Eq => query.filter($column.eq(value)),
            Comparison::Gt => query.filter($column.gt(value)),
            Comparison::Gte => query.filter($column.ge(value)),
            Comparison::Lt => query.filter($column.lt(value)),
            Comparison::Lte => query.filter($column.le(value)),
        }
    }};
}

/// The ids of the records (`$owner` of value table `$values`) that `$filter` (an
/// [`crate::domain::custom_attribute::AttributeFilter`]) keeps: a boxed subselect on one range of
/// the text or number index, for `eq_any`.
#[macro_export]
macro_rules! attribute_holders {
    ($values:ident, $owner:ident, $account:expr, $filter:expr) => {{
        use $crate::domain::custom_attribute::FilterValue;
        let filter: &$crate::domain::custom_attribute::AttributeFilter = $filter;
        let ids = $values::table
            .filter($values::account_id.eq($account))
            .filter($values::key.eq(filter.key.clone()))
            .select($values::$owner)
            .into_boxed();
        match &filter.value {
            FilterValue::Text(v) => {
                $crate::compared!(ids, $values::text_value, filter.comparison, v.clone())
            }
            FilterValue::Number(n) => {
                $crate::compared!(ids, $values::number_value, filter.comparison, *n)
            }
        }
    }};
}

/// One customer's value in the index: customer, key, account, text, number.
pub type CustomerValueRow = (i64, String, i64, Option<String>, Option<f64>);

/// Inserts customers' values many per statement (the seed data's bulk load), and counts them.
pub fn insert_customer_values(
    conn: &mut DbConn,
    account: Scope,
    rows: &[CustomerValueRow],
) -> Result<()> {
    for chunk in rows.chunks(5_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(customer_id, key, account_id, text, number)| {
                (
                    customer_attribute_values::customer_id.eq(*customer_id),
                    customer_attribute_values::key.eq(key),
                    customer_attribute_values::account_id.eq(*account_id),
                    customer_attribute_values::text_value.eq(text.as_deref()),
                    customer_attribute_values::number_value.eq(*number),
                )
            })
            .collect();
        db_run!(conn, {
            diesel::insert_into(customer_attribute_values::table)
                .values(&values)
                .execute(conn)
        })?;
    }
    let held = rows
        .iter()
        .map(|(_, key, _, text, number)| ((key.clone(), text.clone(), *number), 1));
    recount_customers(conn, account, held)
}

/// Deletes the values of customers `ids` (about to be deleted themselves) and uncounts them:
/// the foreign keys' cascade would delete them too, but not the counts.
pub fn remove_customers_values(conn: &mut DbConn, account: Scope, ids: &[i64]) -> Result<()> {
    let gone: Vec<Held> = db_run!(conn, {
        diesel::delete(
            customer_attribute_values::table
                .filter(customer_attribute_values::account_id.eq(account))
                .filter(crate::db::any_of::ids(
                    customer_attribute_values::customer_id,
                    ids,
                )),
        )
        .returning((
            customer_attribute_values::key,
            customer_attribute_values::text_value,
            customer_attribute_values::number_value,
        ))
        .get_results(conn)
    })?;
    recount_customers(conn, account, gone.into_iter().map(|held| (held, -1)))
}

/// Adds `$changes` (`(key, value, change)` rows in (key, value) order) to count table `$table`,
/// whose value column is `$value`, in one upsert, then drops the decremented keys' rows that no
/// customer holds any more.
macro_rules! add_counts {
    ($conn:ident, $account:expr, $table:ident, $value:ident, $changes:expr) => {{
        let changes = $changes;
        if !changes.is_empty() {
            let account_id = $account.account_id();
            let rows: Vec<_> = changes
                .iter()
                .map(|(key, value, change)| {
                    (
                        $table::account_id.eq(account_id),
                        $table::key.eq(*key),
                        $table::$value.eq(*value),
                        $table::customers.eq(*change),
                    )
                })
                .collect();
            db_run!($conn, {
                diesel::insert_into($table::table)
                    .values(rows)
                    .on_conflict(($table::account_id, $table::key, $table::$value))
                    .do_update()
                    .set($table::customers.eq($table::customers + excluded($table::customers)))
                    .execute($conn)
            })?;
            let emptied: Vec<&String> = changes
                .iter()
                .filter(|(_, _, change)| *change < 0)
                .map(|(key, _, _)| *key)
                .collect();
            if !emptied.is_empty() {
                db_run!($conn, {
                    diesel::delete(
                        $table::table
                            .filter($table::account_id.eq($account))
                            .filter($table::key.eq_any(&emptied))
                            .filter($table::customers.le(0)),
                    )
                    .execute($conn)
                })?;
            }
        }
    }};
}

/// One value a customer holds in the index: key, text value, number value.
type Held = (String, Option<String>, Option<f64>);

/// Adds each change (+1 held, -1 no longer) to how many of the account's customers hold each
/// value (`customer_attribute_counts`, `customer_attribute_number_counts`: a lone attribute
/// filter's total), one statement per kind of value, and drops the values no one holds any more.
/// Rows go in (key, value) order, so concurrent writers take their locks in one order.
fn recount_customers(
    conn: &mut DbConn,
    account: Scope,
    changes: impl IntoIterator<Item = (Held, i64)>,
) -> Result<()> {
    let mut texts: BTreeMap<(String, String), i64> = BTreeMap::new();
    // By the number's bits: equal numbers are one row (the values come from one parser).
    let mut numbers: BTreeMap<(String, u64), (f64, i64)> = BTreeMap::new();
    for ((key, text, number), change) in changes {
        if let Some(text) = text {
            *texts.entry((key.clone(), text)).or_default() += change;
        }
        if let Some(number) = number {
            numbers
                .entry((key, number.to_bits()))
                .or_insert((number, 0))
                .1 += change;
        }
    }
    let texts: Vec<(&String, &String, i64)> = texts
        .iter()
        .filter(|(_, change)| **change != 0)
        .map(|((key, text), change)| (key, text, *change))
        .collect();
    let mut numbers: Vec<(&String, f64, i64)> = numbers
        .iter()
        .filter(|(_, (_, change))| *change != 0)
        .map(|((key, _), (number, change))| (key, *number, *change))
        .collect();
    numbers.sort_by(|a, b| a.0.cmp(b.0).then(a.1.total_cmp(&b.1)));
    add_counts!(conn, account, customer_attribute_counts, text_value, texts);
    add_counts!(
        conn,
        account,
        customer_attribute_number_counts,
        number_value,
        numbers
    );
    Ok(())
}

/// How many of the account's customers hold a value `filter` keeps, from the counts every write
/// keeps (see [`recount_customers`]): one row for an equal value, one per distinct value in a
/// range.
pub fn customers_holding(
    conn: &mut DbConn,
    account: Scope,
    filter: &AttributeFilter,
) -> Result<i64> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let total = || sql::<BigInt>("CAST(COALESCE(SUM(customers), 0) AS BIGINT)");
    let count: i64 = db_run!(conn, {
        match &filter.value {
            FilterValue::Text(text) => {
                let counts = customer_attribute_counts::table
                    .filter(customer_attribute_counts::account_id.eq(account))
                    .filter(customer_attribute_counts::key.eq(filter.key.clone()))
                    .into_boxed();
                crate::compared!(
                    counts,
                    customer_attribute_counts::text_value,
                    filter.comparison,
                    text.clone()
                )
                .select(total())
                .get_result(conn)
            }
            FilterValue::Number(number) => {
                let counts = customer_attribute_number_counts::table
                    .filter(customer_attribute_number_counts::account_id.eq(account))
                    .filter(customer_attribute_number_counts::key.eq(filter.key.clone()))
                    .into_boxed();
                crate::compared!(
                    counts,
                    customer_attribute_number_counts::number_value,
                    filter.comparison,
                    *number
                )
                .select(total())
                .get_result(conn)
            }
        }
    })?;
    Ok(count)
}
