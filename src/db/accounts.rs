//! Accounts: the tenants every other record belongs to.

use super::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, customer_counts};
use super::{DbConn, Scope};
use crate::db_run;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub contact_form_enabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// ISO 3166 code (see `domain::phone::PhoneRegion`).
    pub phone_region: Option<String>,
}

impl Account {
    /// The account's scope: its row exists, so work may be confined to it.
    pub fn scope(&self) -> Scope {
        Scope::confirmed(self.id, self.phone_region.as_deref())
    }
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
struct NewAccount<'a> {
    name: &'a str,
    contact_form_enabled: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The fields an update may change; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub contact_form_enabled: Option<bool>,
    pub phone_region: Option<Option<String>>,
}

impl AccountChanges {
    /// Whether writing these changes would change `current` (`updated_at` aside).
    pub fn alters(&self, current: &Account) -> bool {
        super::differs(&self.name, &current.name)
            || super::differs(&self.contact_form_enabled, &current.contact_form_enabled)
            || super::differs(&self.phone_region, &current.phone_region)
    }
}

pub fn create(conn: &mut DbConn, name: &str, contact_form_enabled: bool) -> Result<Account> {
    let now = super::now();
    let row = NewAccount {
        name,
        contact_form_enabled,
        created_at: now,
        updated_at: now,
    };
    db_run!(conn, {
        diesel::insert_into(accounts::table)
            .values(&row)
            .returning(Account::as_returning())
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<Account>> {
    db_run!(conn, {
        accounts::table
            .find(id)
            .select(Account::as_select())
            .get_result(conn)
            .optional()
    })
}

/// Whether the database holds any account yet (first start bootstraps one).
pub fn any_exist(conn: &mut DbConn) -> Result<bool> {
    db_run!(conn, {
        diesel::select(diesel::dsl::exists(accounts::table.select(accounts::id))).get_result(conn)
    })
}

/// Adds `delta` to the account's customer count, kept in a row of its own (`customer_counts`).
/// Creates and deletes call it as their last statement: the row stays locked until the
/// transaction ends, and taken last that is only the commit, so one account's creates overlap.
pub fn add_customers(conn: &mut DbConn, account: Scope, delta: i64) -> Result<()> {
    db_run!(conn, {
        diesel::insert_into(customer_counts::table)
            .values((
                customer_counts::account_id.eq(account),
                customer_counts::customers.eq(delta),
            ))
            .on_conflict(customer_counts::account_id)
            .do_update()
            .set(customer_counts::customers.eq(customer_counts::customers + delta))
            .execute(conn)
    })?;
    Ok(())
}

pub fn update(conn: &mut DbConn, account: Scope, changes: &AccountChanges) -> Result<Account> {
    let now = super::now();
    db_run!(conn, {
        diesel::update(accounts::table.filter(accounts::id.eq(account)))
            .set((changes, accounts::updated_at.eq(now)))
            .returning(Account::as_returning())
            .get_result(conn)
    })
}
