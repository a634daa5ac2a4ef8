//! `column IN (a list)` as one statement whatever the list's length, so it is prepared once.
//!
//! diesel's `eq_any` writes `IN (?, ?, …)` on SQLite: a new statement for every length, which its
//! statement cache refuses to keep, so every call compiled SQL again. Here SQLite gets
//! `column IN (SELECT value FROM json_each(?))` with the list bound as one JSON array, and
//! PostgreSQL `column = ANY(?)` with the list bound as one array (what `eq_any` already does there).

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, BigInt, Bool, HasSqlType, SingleValue, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

/// `column` is one of `values`. Build it with [`ids`] or [`texts`].
#[derive(Debug, Clone)]
pub struct AnyOf<C, ST, T> {
    column: C,
    values: Vec<T>,
    /// The same list as a JSON array, for SQLite's `json_each`.
    json: String,
    sql_type: PhantomData<ST>,
}

/// `column IN ids`.
pub fn ids<C>(column: C, ids: &[i64]) -> AnyOf<C, BigInt, i64> {
    any_of(column, ids.to_vec())
}

/// `column IN texts`.
pub fn texts<C>(column: C, texts: &[String]) -> AnyOf<C, Text, String> {
    any_of(column, texts.to_vec())
}

fn any_of<C, ST, T: serde::Serialize>(column: C, values: Vec<T>) -> AnyOf<C, ST, T> {
    // A list of numbers or strings always serializes.
    let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".into());
    AnyOf {
        column,
        values,
        json,
        sql_type: PhantomData,
    }
}

impl<C, ST, T> Expression for AnyOf<C, ST, T> {
    type SqlType = Bool;
}

impl<C, ST, T, QS> AppearsOnTable<QS> for AnyOf<C, ST, T> where C: AppearsOnTable<QS> {}

impl<C, ST, T, QS> SelectableExpression<QS> for AnyOf<C, ST, T> where C: SelectableExpression<QS> {}

impl<C, ST, T, GB> ValidGrouping<GB> for AnyOf<C, ST, T>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

/// The statement's shape does not depend on the values: one cache entry for every list.
impl<C: QueryId, ST: 'static, T: 'static> QueryId for AnyOf<C, ST, T> {
    type QueryId = AnyOf<C::QueryId, ST, T>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C, ST, T> QueryFragment<Sqlite> for AnyOf<C, ST, T>
where
    C: QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C, ST, T> QueryFragment<Pg> for AnyOf<C, ST, T>
where
    C: QueryFragment<Pg>,
    ST: SingleValue,
    Pg: HasSqlType<ST>,
    Vec<T>: ToSql<Array<ST>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<ST>, Vec<T>>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}
