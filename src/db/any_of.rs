//! `column IN (a list)` as one statement whatever the list's length, so it is prepared once.
//!
//! diesel's `eq_any` writes `IN (?, ?, …)` on SQLite: a new statement for every length, which its
//! statement cache refuses to keep, so every call compiled SQL again. Here SQLite gets
//! `column IN (SELECT value FROM json_each(?))` with the list bound as one JSON array, and
//! PostgreSQL `column = ANY(?)` with the list bound as one array (what `eq_any` already does there).
//! The list is borrowed, not copied, and turned into JSON only when SQLite binds it.

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Array, BigInt, Bool, HasSqlType, SingleValue, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

/// `column` is one of `values`. Build it with [`ids`] or [`texts`].
#[derive(Debug, Clone)]
pub struct AnyOf<'a, C, ST, T> {
    column: C,
    values: JsonList<'a, T>,
    sql_type: PhantomData<ST>,
}

/// A list bound as one JSON array on SQLite (written when it is bound, not before).
#[derive(Debug, Clone, Copy)]
struct JsonList<'a, T>(&'a [T]);

/// `column IN ids`.
pub fn ids<C>(column: C, ids: &[i64]) -> AnyOf<'_, C, BigInt, i64> {
    any_of(column, ids)
}

/// `column IN texts`.
pub fn texts<C>(column: C, texts: &[String]) -> AnyOf<'_, C, Text, String> {
    any_of(column, texts)
}

fn any_of<C, ST, T>(column: C, values: &[T]) -> AnyOf<'_, C, ST, T> {
    AnyOf {
        column,
        values: JsonList(values),
        sql_type: PhantomData,
    }
}

impl<C, ST, T> Expression for AnyOf<'_, C, ST, T> {
    type SqlType = Bool;
}

impl<C, ST, T, QS> AppearsOnTable<QS> for AnyOf<'_, C, ST, T> where C: AppearsOnTable<QS> {}

impl<C, ST, T, QS> SelectableExpression<QS> for AnyOf<'_, C, ST, T> where C: SelectableExpression<QS>
{}

impl<C, ST, T, GB> ValidGrouping<GB> for AnyOf<'_, C, ST, T>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

/// The statement's shape does not depend on the values: one cache entry for every list.
impl<C: QueryId, ST: 'static, T: 'static> QueryId for AnyOf<'_, C, ST, T> {
    type QueryId = AnyOf<'static, C::QueryId, ST, T>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<T: serde::Serialize + std::fmt::Debug> ToSql<Text, Sqlite> for JsonList<'_, T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(self.0)?);
        Ok(IsNull::No)
    }
}

impl<C, ST, T> QueryFragment<Sqlite> for AnyOf<'_, C, ST, T>
where
    C: QueryFragment<Sqlite>,
    T: serde::Serialize + std::fmt::Debug,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.values)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C, ST, T> QueryFragment<Pg> for AnyOf<'_, C, ST, T>
where
    C: QueryFragment<Pg>,
    ST: SingleValue,
    Pg: HasSqlType<ST>,
    [T]: ToSql<Array<ST>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<ST>, [T]>(self.values.0)?;
        out.push_sql(")");
        Ok(())
    }
}
