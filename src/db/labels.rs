//! Customer tiers and statuses (one table, `kind` tells them apart).

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{companies, company_labels};
use super::{DbConn, Scope};
use crate::db_run;
use crate::domain::label::{LabelInput, LabelKind};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = company_labels)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub color: Option<String>,
    pub position: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    account: Scope,
    kind: LabelKind,
    input: &LabelInput,
) -> Result<Label> {
    let now = super::now();
    db_run!(conn, {
        diesel::insert_into(company_labels::table)
            .values((
                company_labels::account_id.eq(account),
                company_labels::kind.eq(kind),
                company_labels::name.eq(input.name.as_deref().unwrap_or_default()),
                company_labels::color.eq(input.color.clone().flatten()),
                company_labels::position.eq(input.position.unwrap_or(0)),
                company_labels::created_at.eq(now),
                company_labels::updated_at.eq(now),
            ))
            .returning(Label::as_returning())
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConn, account: Scope, kind: LabelKind, id: i64) -> Result<Option<Label>> {
    db_run!(conn, {
        company_labels::table
            .filter(company_labels::account_id.eq(account))
            .filter(company_labels::kind.eq(kind))
            .filter(company_labels::id.eq(id))
            .select(Label::as_select())
            .get_result(conn)
            .optional()
    })
}

/// The account's labels of `kind`, by position then id.
pub fn list(conn: &mut DbConn, account: Scope, kind: LabelKind) -> Result<Vec<Label>> {
    db_run!(conn, {
        company_labels::table
            .filter(company_labels::account_id.eq(account))
            .filter(company_labels::kind.eq(kind))
            .order((company_labels::position.asc(), company_labels::id.asc()))
            .select(Label::as_select())
            .load(conn)
    })
}

#[derive(AsChangeset)]
#[diesel(table_name = company_labels)]
struct LabelChanges<'a> {
    name: Option<&'a str>,
    color: Option<Option<&'a str>>,
    position: Option<i64>,
    updated_at: NaiveDateTime,
}

pub fn update(conn: &mut DbConn, account: Scope, id: i64, input: &LabelInput) -> Result<Label> {
    let changes = LabelChanges {
        name: input.name.as_deref(),
        color: input.color.as_ref().map(|c| c.as_deref()),
        position: input.position,
        updated_at: super::now(),
    };
    db_run!(conn, {
        diesel::update(
            company_labels::table
                .filter(company_labels::account_id.eq(account))
                .filter(company_labels::id.eq(id)),
        )
        .set(&changes)
        .returning(Label::as_returning())
        .get_result(conn)
    })
}

/// Whether any company uses label `id` as its tier or status.
pub fn in_use(conn: &mut DbConn, account: Scope, id: i64) -> Result<bool> {
    db_run!(conn, {
        diesel::select(diesel::dsl::exists(
            companies::table
                .filter(companies::account_id.eq(account))
                .filter(companies::tier_id.eq(id).or(companies::status_id.eq(id))),
        ))
        .get_result(conn)
    })
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<()> {
    db_run!(conn, {
        diesel::delete(
            company_labels::table
                .filter(company_labels::account_id.eq(account))
                .filter(company_labels::id.eq(id)),
        )
        .execute(conn)
    })?;
    Ok(())
}
