//! Companies, their keys (domains and external ids), and what links to them.

use super::Result;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::journal::{self, Kind};
use super::lower;
use super::schema::{
    companies, company_attribute_values, company_keys, company_tags, customer_contacts,
    customer_requests, customers,
};
use super::Lock;
use super::{any_of, DbConn, Scope};
use crate::domain::company_list::{CompanyListQuery, CompanySort};
use crate::domain::contact::ContactKind;
use crate::domain::cursor::Cursor;
use crate::domain::text_fold::sort_key;

use crate::{db_run, find_one, keyset_page};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = companies)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Company {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub tier_id: Option<i64>,
    pub status_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub revenue: Option<i64>,
    pub size: Option<i64>,
    pub logo_url: Option<String>,
    pub managed_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub notes_count: i64,
    /// JSON, normalized tags, sorted (see `domain::tag`).
    pub tags: String,
    pub sort_name: String,
    /// JSON, key → value (see `domain::custom_attribute`).
    pub custom_attributes: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = companies)]
pub struct NewCompany<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub tier_id: Option<i64>,
    pub status_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub revenue: Option<i64>,
    pub size: Option<i64>,
    pub logo_url: Option<&'a str>,
    pub managed_by: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub tags: &'a str,
    /// `domain::text_fold::sort_key(name)`.
    pub sort_name: String,
    pub custom_attributes: &'a str,
}

/// `None` leaves a column alone; `Some(None)` clears it.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = companies)]
pub struct CompanyChanges {
    pub name: Option<String>,
    pub tier_id: Option<Option<i64>>,
    pub status_id: Option<Option<i64>>,
    pub owner_id: Option<Option<i64>>,
    pub revenue: Option<Option<i64>>,
    pub size: Option<Option<i64>>,
    pub logo_url: Option<Option<String>>,
    pub tags: Option<String>,
    /// Set by [`update`] whenever `name` is.
    pub sort_name: Option<String>,
    pub custom_attributes: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

crate::domain::text_enum! {
    /// The two kinds of company keys.
    pub enum KeyKind { Domain = "domain", ExternalId = "external_id" }
}

pub fn insert(conn: &mut DbConn, row: &NewCompany) -> Result<Company> {
    let company: Company = db_run!(conn, {
        diesel::insert_into(companies::table)
            .values(row)
            .returning(Company::as_returning())
            .get_result(conn)
    })?;
    journal::created(Kind::Company, company.id);
    Ok(company)
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64, lock: Lock) -> Result<Option<Company>> {
    find_one!(
        conn,
        lock,
        companies::table
            .filter(companies::account_id.eq(account))
            .filter(companies::id.eq(id))
            .select(Company::as_select())
    )
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    changes: &CompanyChanges,
) -> Result<Company> {
    journal::updated(Kind::Company, id);
    let changes = CompanyChanges {
        sort_name: changes.name.as_deref().map(sort_key),
        ..changes.clone()
    };
    db_run!(conn, {
        diesel::update(
            companies::table
                .filter(companies::account_id.eq(account))
                .filter(companies::id.eq(id)),
        )
        .set(&changes)
        .returning(Company::as_returning())
        .get_result(conn)
    })
}

/// Deletes a company. Its customers and customer requests are unlinked here rather than left to
/// the foreign key's `ON DELETE SET NULL`, so their `updated_at` moves and `updated_since` syncs
/// see the change.
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<bool> {
    journal::deleting(conn, Kind::Company, id)?;
    let now = super::now();
    let (customers, requests, deleted): (Vec<i64>, Vec<i64>, usize) = db_run!(conn, {
        let customers = diesel::update(
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(customers::company_id.eq(id)),
        )
        .set((
            customers::company_id.eq(None::<i64>),
            customers::updated_at.eq(now),
        ))
        .returning(customers::id)
        .get_results(conn)?;
        let requests = diesel::update(
            customer_requests::table
                .filter(customer_requests::account_id.eq(account))
                .filter(customer_requests::company_id.eq(id)),
        )
        .set((
            customer_requests::company_id.eq(None::<i64>),
            customer_requests::updated_at.eq(now),
        ))
        .returning(customer_requests::id)
        .get_results(conn)?;
        let deleted = diesel::delete(
            companies::table
                .filter(companies::account_id.eq(account))
                .filter(companies::id.eq(id)),
        )
        .execute(conn)?;
        diesel::QueryResult::Ok((customers, requests, deleted))
    })?;
    journal::updated_all(Kind::Customer, &customers);
    journal::updated_all(Kind::CustomerRequest, &requests);
    Ok(deleted > 0)
}

/// One page of the account's companies, newest first (one row more when there is a next page),
/// and how many match when the window counts.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &CompanyListQuery,
) -> Result<(Option<i64>, Vec<Company>)> {
    let (filter, sort, window) = (&query.filter, query.sort, &query.window);
    db_run!(conn, {
        let filtered = || {
            let mut query = companies::table
                .filter(companies::account_id.eq(account))
                .into_boxed();
            let keys = |kind: KeyKind| {
                company_keys::table
                    .filter(company_keys::account_id.eq(account))
                    .filter(company_keys::kind.eq(kind))
            };
            for (kind, value) in [
                (KeyKind::Domain, &filter.domain),
                (KeyKind::ExternalId, &filter.external_id),
            ] {
                if let Some(value) = value {
                    let ids = keys(kind)
                        .filter(company_keys::value.eq(value.clone()))
                        .select(company_keys::company_id);
                    query = query.filter(companies::id.eq_any(ids));
                }
            }
            if let Some(tier_id) = filter.tier_id {
                query = query.filter(companies::tier_id.eq(tier_id));
            }
            if let Some(status_id) = filter.status_id {
                query = query.filter(companies::status_id.eq(status_id));
            }
            if let Some(owner_id) = filter.owner_id {
                query = query.filter(companies::owner_id.eq(owner_id));
            }
            for tag in &filter.tags {
                let ids = company_tags::table
                    .filter(company_tags::account_id.eq(account))
                    .filter(company_tags::tag.eq(tag.clone()))
                    .select(company_tags::company_id);
                query = query.filter(companies::id.eq_any(ids));
            }
            for attribute in &filter.attribute_filters {
                let ids = crate::attribute_holders!(
                    company_attribute_values,
                    company_id,
                    account,
                    attribute
                );
                query = query.filter(companies::id.eq_any(ids));
            }
            // A part of the folded name, or the start of a domain or an external id: a scan of
            // the account's companies, like customers' `q` (no search index yet).
            if let (Some(part), Some(start)) = (filter.q_pattern(false), filter.q_pattern(true)) {
                let ids = company_keys::table
                    .filter(company_keys::account_id.eq(account))
                    .filter(
                        lower(company_keys::value.nullable())
                            .like(start)
                            .escape('\\'),
                    )
                    .select(company_keys::company_id);
                query = query.filter(
                    companies::sort_name
                        .like(part)
                        .escape('\\')
                        .or(companies::id.eq_any(ids)),
                );
            }
            query
        };
        let total = window
            .counts()
            .then(|| filtered().count().get_result(conn))
            .transpose()?;
        let (order, cursor) = (sort.order(), window.cursor.as_ref());
        let rows = match sort {
            CompanySort::CreatedAsc | CompanySort::CreatedDesc => keyset_page!(
                filtered(),
                window,
                order,
                companies::created_at,
                companies::id,
                cursor.map(Cursor::after_time_key),
            ),
            CompanySort::UpdatedAsc | CompanySort::UpdatedDesc => keyset_page!(
                filtered(),
                window,
                order,
                companies::updated_at,
                companies::id,
                cursor.map(Cursor::after_time_key),
            ),
            CompanySort::NameAsc | CompanySort::NameDesc => keyset_page!(
                filtered(),
                window,
                order,
                companies::sort_name,
                companies::id,
                cursor.map(Cursor::after_text_key),
            ),
        };
        let rows = rows.select(Company::as_select()).load(conn)?;
        Ok((total, rows))
    })
}

/// The keys of `company_ids` as `(company_id, kind, value)`, oldest first.
/// One of a company's domains or external ids.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = company_keys)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CompanyKey {
    pub company_id: i64,
    pub kind: KeyKind,
    pub value: String,
}

pub fn keys_of(conn: &mut DbConn, account: Scope, company_ids: &[i64]) -> Result<Vec<CompanyKey>> {
    db_run!(conn, {
        company_keys::table
            .filter(company_keys::account_id.eq(account))
            .filter(any_of::ids(company_keys::company_id, company_ids))
            .order((company_keys::company_id.asc(), company_keys::id.asc()))
            .select(CompanyKey::as_select())
            .load(conn)
    })
}

/// Which companies of the account hold any of `values` as `kind`: `(value, company_id)`.
pub fn owners(
    conn: &mut DbConn,
    account: Scope,
    kind: KeyKind,
    values: &[String],
) -> Result<Vec<(String, i64)>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    db_run!(conn, {
        company_keys::table
            .filter(company_keys::account_id.eq(account))
            .filter(company_keys::kind.eq(kind))
            .filter(any_of::texts(company_keys::value, values))
            .order(company_keys::id.asc())
            .select((company_keys::value, company_keys::company_id))
            .load(conn)
    })
}

pub fn add_keys(
    conn: &mut DbConn,
    account: Scope,
    company_id: i64,
    kind: KeyKind,
    values: &[String],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    journal::updated(Kind::Company, company_id);
    let now = super::now();
    let rows: Vec<_> = values
        .iter()
        .map(|value| {
            (
                company_keys::account_id.eq(account),
                company_keys::company_id.eq(company_id),
                company_keys::kind.eq(kind),
                company_keys::value.eq(value),
                company_keys::created_at.eq(now),
            )
        })
        .collect();
    db_run!(conn, {
        diesel::insert_into(company_keys::table)
            .values(&rows)
            .execute(conn)
    })?;
    Ok(())
}

pub fn remove_keys(
    conn: &mut DbConn,
    account: Scope,
    company_id: i64,
    kind: KeyKind,
    values: &[String],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    journal::updated(Kind::Company, company_id);
    db_run!(conn, {
        diesel::delete(
            company_keys::table
                .filter(company_keys::account_id.eq(account))
                .filter(company_keys::company_id.eq(company_id))
                .filter(company_keys::kind.eq(kind))
                .filter(any_of::texts(company_keys::value, values)),
        )
        .execute(conn)
    })?;
    Ok(())
}

/// Links the account's unlinked customers with an email at one of `domains` to `company_id`.
pub fn link_customers(
    conn: &mut DbConn,
    account: Scope,
    company_id: i64,
    domains: &[String],
) -> Result<usize> {
    if domains.is_empty() {
        return Ok(0);
    }
    // A linked customer changed: `updated_since` syncs must see it.
    let now = super::now();
    db_run!(conn, {
        let with_email_there = customer_contacts::table
            .filter(customer_contacts::account_id.eq(account))
            .filter(customer_contacts::kind.eq(ContactKind::Email))
            .filter(any_of::texts(customer_contacts::domain, domains))
            .select(customer_contacts::customer_id);
        diesel::update(
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(customers::company_id.is_null())
                .filter(customers::id.eq_any(with_email_there)),
        )
        .set((
            customers::company_id.eq(company_id),
            customers::updated_at.eq(now),
        ))
        .returning(customers::id)
        .get_results(conn)
    })
    .map(|linked: Vec<i64>| {
        journal::updated_all(Kind::Customer, &linked);
        linked.len()
    })
}

/// `(request_count, important_request_count)` of each of `company_ids`, in one grouped query.
pub fn request_counts(
    conn: &mut DbConn,
    account: Scope,
    company_ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>> {
    let rows: Vec<(Option<i64>, i64, i64)> = db_run!(conn, {
        customer_requests::table
            .filter(customer_requests::account_id.eq(account))
            .filter(any_of::ids(customer_requests::company_id, company_ids))
            .group_by((customer_requests::company_id, customer_requests::priority))
            .select((
                customer_requests::company_id,
                customer_requests::priority,
                count_star(),
            ))
            .load(conn)
    })?;
    let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
    for (company_id, priority, count) in rows {
        let Some(company_id) = company_id else {
            continue;
        };
        let entry = counts.entry(company_id).or_default();
        entry.0 += count;
        if priority == 1 {
            entry.1 += count;
        }
    }
    Ok(counts)
}
