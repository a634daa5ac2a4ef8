//! Customer rows; their contacts live in [`super::contacts`].

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Text};

use super::contacts::{self, Contact};
use super::custom_attributes;
use super::journal::{self, Kind};
use super::schema::{
    conversations, customer_attribute_values, customer_contacts, customer_counts,
    customer_requests, customer_search_terms, customer_tags, customers, tags,
};
use super::Lock;
use super::Result;
use super::{any_of, DbConn, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::cursor::Cursor;
use crate::domain::custom_attribute::FilterValue;
use crate::domain::customer_list::{CustomerFilter, CustomerListQuery, CustomerSort};
use crate::domain::paging::Window;
use crate::domain::search::{prefix_range, Search};
use crate::domain::text_fold::sort_key;
use crate::{db_run, find_one, keyset_page};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Customer {
    pub id: i64,
    pub account_id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub avatar: Option<String>,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub company_id: Option<i64>,
    /// JSON, source → id (see `domain::external_id`).
    pub external_ids: String,
    pub notes_count: i64,
    /// JSON, normalized tags, sorted (see `domain::tag`).
    pub tags: String,
    pub sort_name: String,
    /// JSON, key → value (see `domain::custom_attribute`).
    pub custom_attributes: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customers)]
pub struct NewCustomer<'a> {
    pub account_id: i64,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub company: Option<&'a str>,
    pub avatar: Option<&'a str>,
    pub name: &'a str,
    pub company_id: Option<i64>,
    pub external_ids: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// 0 for a new customer; the seed data loads customers with their notes.
    pub notes_count: i64,
    pub tags: &'a str,
    /// `domain::text_fold::sort_key(name)`.
    pub sort_name: String,
    pub custom_attributes: &'a str,
}

/// An update: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChanges {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub avatar: Option<Option<String>>,
    pub name: Option<String>,
    pub company_id: Option<Option<i64>>,
    pub external_ids: Option<String>,
    pub tags: Option<String>,
    /// Set by [`update`] whenever `name` is.
    pub sort_name: Option<String>,
    pub custom_attributes: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

impl CustomerChanges {
    /// Whether writing these changes would change `current` (`updated_at` aside).
    pub fn alters(&self, current: &Customer) -> bool {
        super::differs(&self.first_name, &current.first_name)
            || super::differs(&self.last_name, &current.last_name)
            || super::differs(&self.company, &current.company)
            || super::differs(&self.avatar, &current.avatar)
            || super::differs(&self.name, &current.name)
            || super::differs(&self.company_id, &current.company_id)
            || super::differs(&self.external_ids, &current.external_ids)
            || super::differs(&self.tags, &current.tags)
            || super::differs(&self.custom_attributes, &current.custom_attributes)
    }
}

pub fn insert(conn: &mut DbConn, row: &NewCustomer) -> Result<Customer> {
    let customer: Customer = db_run!(conn, {
        // A tuple, not the derived `Insertable`: diesel never caches a statement built from a
        // derived struct on PostgreSQL (its fields may be `DEFAULT`), so each create would be
        // parsed and planned again.
        diesel::insert_into(customers::table)
            .values((
                customers::account_id.eq(row.account_id),
                customers::first_name.eq(row.first_name),
                customers::last_name.eq(row.last_name),
                customers::company.eq(row.company),
                customers::avatar.eq(row.avatar),
                customers::name.eq(row.name),
                customers::company_id.eq(row.company_id),
                customers::external_ids.eq(row.external_ids),
                customers::tags.eq(row.tags),
                customers::sort_name.eq(&row.sort_name),
                customers::custom_attributes.eq(row.custom_attributes),
                customers::created_at.eq(row.created_at),
                customers::updated_at.eq(row.updated_at),
            ))
            .returning(Customer::as_returning())
            .get_result(conn)
    })?;
    journal::created(Kind::Customer, customer.id);
    Ok(customer)
}

pub fn find(conn: &mut DbConn, account: Scope, id: i64, lock: Lock) -> Result<Option<Customer>> {
    find_one!(
        conn,
        lock,
        customers::table
            .filter(customers::account_id.eq(account))
            .filter(customers::id.eq(id))
            .select(Customer::as_select())
    )
}

/// The customer and its contacts (oldest first) in one statement; `None` when not in the account.
pub fn find_with_contacts(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
) -> Result<Option<(Customer, Vec<Contact>)>> {
    let rows: Vec<(Customer, Option<Contact>)> = db_run!(conn, {
        customers::table
            .left_join(
                customer_contacts::table.on(customer_contacts::customer_id
                    .eq(customers::id)
                    .and(customer_contacts::account_id.eq(customers::account_id))),
            )
            .filter(customers::account_id.eq(account))
            .filter(customers::id.eq(id))
            .order(customer_contacts::id.asc())
            .select((Customer::as_select(), Option::<Contact>::as_select()))
            .load(conn)
    })?;
    let mut rows = rows.into_iter();
    let Some((customer, first)) = rows.next() else {
        return Ok(None);
    };
    let contacts = first
        .into_iter()
        .chain(rows.filter_map(|(_, c)| c))
        .collect();
    Ok(Some((customer, contacts)))
}

pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    changes: &CustomerChanges,
) -> Result<Customer> {
    journal::updated(Kind::Customer, id);
    let changes = CustomerChanges {
        sort_name: changes.name.as_deref().map(sort_key),
        ..changes.clone()
    };
    db_run!(conn, {
        diesel::update(
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(customers::id.eq(id)),
        )
        .set(&changes)
        .returning(Customer::as_returning())
        .get_result(conn)
    })
}

/// Deletes the customer (its contacts cascade; its conversations and requests stay, unattached:
/// they are unlinked here rather than by the foreign keys' `ON DELETE SET NULL`, so their
/// `updated_at` moves and the feed reports them changed). Returns the tags it had (their index
/// rows cascade; the counts are the caller's), or `None` when there was no such customer.
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<Option<String>> {
    journal::deleting(conn, Kind::Customer, id)?;
    let now = super::now();
    let (conversations, requests): (Vec<i64>, Vec<i64>) = db_run!(conn, {
        let conversations = diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(conversations::customer_id.eq(id)),
        )
        .set((
            conversations::customer_id.eq(None::<i64>),
            conversations::customer_contact_id.eq(None::<i64>),
            conversations::updated_at.eq(now),
        ))
        .returning(conversations::id)
        .get_results(conn)?;
        let requests = diesel::update(
            customer_requests::table
                .filter(customer_requests::account_id.eq(account))
                .filter(customer_requests::customer_id.eq(id)),
        )
        .set((
            customer_requests::customer_id.eq(None::<i64>),
            customer_requests::updated_at.eq(now),
        ))
        .returning(customer_requests::id)
        .get_results(conn)?;
        diesel::QueryResult::Ok((conversations, requests))
    })?;
    journal::updated_all(Kind::Conversation, &conversations);
    journal::updated_all(Kind::CustomerRequest, &requests);
    custom_attributes::remove_customers_values(conn, account, &[id])?;
    db_run!(conn, {
        diesel::delete(
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(customers::id.eq(id)),
        )
        .returning(customers::tags)
        .get_result(conn)
        .optional()
    })
}

/// The customers of `ids` in the account, by id; with [`Lock::ForUpdate`] locked until the
/// transaction ends, in id order: merges lock every customer they touch that way, so
/// overlapping merges wait for each other rather than deadlock.
pub fn find_all(
    conn: &mut DbConn,
    account: Scope,
    ids: &[i64],
    lock: Lock,
) -> Result<Vec<Customer>> {
    macro_rules! query {
        () => {
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(any_of::ids(customers::id, ids))
                .order(customers::id.asc())
                .select(Customer::as_select())
        };
    }
    match (conn, lock) {
        (DbConn::Postgres(pg), Lock::ForUpdate) => {
            super::from_diesel(query!().for_update().load(pg))
        }
        (DbConn::Postgres(pg), Lock::None) => super::from_diesel(query!().load(pg)),
        (DbConn::Sqlite(sqlite), _) => super::from_diesel(query!().load(sqlite)),
    }
}

/// Gives the conversations and requests of `from` to `to`; returns the conversations' ids.
/// Their `updated_at` moves, so the feed and `updated_since` readers see them change.
pub fn move_belongings(
    conn: &mut DbConn,
    account: Scope,
    from: &[i64],
    to: i64,
    now: NaiveDateTime,
) -> Result<Vec<i64>> {
    let (conversations, requests): (Vec<i64>, Vec<i64>) = db_run!(conn, {
        let conversations = diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account))
                .filter(any_of::ids(conversations::customer_id, from)),
        )
        .set((
            conversations::customer_id.eq(to),
            conversations::updated_at.eq(now),
        ))
        .returning(conversations::id)
        .get_results(conn)?;
        let requests = diesel::update(
            customer_requests::table
                .filter(customer_requests::account_id.eq(account))
                .filter(any_of::ids(customer_requests::customer_id, from)),
        )
        .set((
            customer_requests::customer_id.eq(to),
            customer_requests::updated_at.eq(now),
        ))
        .returning(customer_requests::id)
        .get_results(conn)?;
        diesel::QueryResult::Ok((conversations, requests))
    })?;
    journal::updated_all(Kind::Conversation, &conversations);
    journal::updated_all(Kind::CustomerRequest, &requests);
    Ok(conversations)
}

/// Deletes merged customers' rows (their contacts and ids have moved; what is left cascades).
/// Not journaled as deletes: the survivor's `customer.merged` event names them.
pub fn remove_merged(conn: &mut DbConn, account: Scope, ids: &[i64]) -> Result<()> {
    custom_attributes::remove_customers_values(conn, account, ids)?;
    db_run!(conn, {
        diesel::delete(
            customers::table
                .filter(customers::account_id.eq(account))
                .filter(any_of::ids(customers::id, ids)),
        )
        .execute(conn)
    })?;
    Ok(())
}

/// Past this many matches, a tag or custom attribute filter is broad.
const BROAD: i64 = 5_000;

/// Which of a filter's tags and custom attributes are broad, in order: each matches at least
/// [`BROAD`] customers of the account (one probe of its index, reading at most that many
/// entries). A broad one is checked per row as the list walks its sort index (a page of a
/// common tag finds its rows within a few thousand); a narrow one is read first and its ids
/// sorted (a rare tag never walks the whole account). Either way a page reads about
/// `per_page × customers / BROAD` rows at most.
#[derive(Debug, Default)]
pub struct Breadth {
    tags: Vec<bool>,
    attributes: Vec<bool>,
    /// Ends a per-row check's subquery. PostgreSQL turns a plain `EXISTS` into a semi-join, and
    /// its generic plan then hashes the whole tag or attribute and sorts the result (100–180 ms at
    /// 300k customers); an `OFFSET 0` keeps it a check per row along the sort index (1–5 ms).
    per_row_fence: &'static str,
}

impl Breadth {
    /// Whether some filter is checked row by row as the list walks its sort index.
    fn checks_per_row(&self) -> bool {
        self.tags.iter().chain(&self.attributes).any(|broad| *broad)
    }

    /// Every filter read first: how a count takes them, since a count reads every match anyway.
    fn all_narrow(filter: &CustomerFilter) -> Breadth {
        Breadth {
            tags: vec![false; filter.tags.len()],
            attributes: vec![false; filter.attribute_filters.len()],
            per_row_fence: "",
        }
    }
}

/// See [`Breadth::per_row_fence`].
fn per_row_fence(conn: &DbConn) -> &'static str {
    match conn {
        DbConn::Postgres(_) => " OFFSET 0",
        DbConn::Sqlite(_) => "",
    }
}

fn breadth(conn: &mut DbConn, account: Scope, filter: &CustomerFilter) -> Result<Breadth> {
    let mut breadth = Breadth {
        per_row_fence: per_row_fence(conn),
        ..Breadth::default()
    };
    for tag in &filter.tags {
        let past: Option<i64> = db_run!(conn, {
            customer_tags::table
                .filter(customer_tags::account_id.eq(account))
                .filter(customer_tags::tag.eq(tag.clone()))
                .select(customer_tags::customer_id)
                .offset(BROAD - 1)
                .limit(1)
                .get_result(conn)
                .optional()
        })?;
        breadth.tags.push(past.is_some());
    }
    for attribute in &filter.attribute_filters {
        let past: Option<i64> = db_run!(conn, {
            crate::attribute_holders!(customer_attribute_values, customer_id, account, attribute)
                .offset(BROAD - 1)
                .limit(1)
                .get_result(conn)
                .optional()
        })?;
        breadth.attributes.push(past.is_some());
    }
    Ok(breadth)
}

/// The total of a list filtered by one tag, or one custom attribute, and nothing else: read from
/// the tag's count, or summed from the attribute's counts per value; `None` for other filters.
fn single_membership_total(
    conn: &mut DbConn,
    account: Scope,
    filter: &CustomerFilter,
) -> Result<Option<i64>> {
    let only_tags = CustomerFilter {
        tags: filter.tags.clone(),
        ..CustomerFilter::default()
    };
    let only_attributes = CustomerFilter {
        attributes: filter.attributes.clone(),
        attribute_filters: filter.attribute_filters.clone(),
        ..CustomerFilter::default()
    };
    if filter.tags.len() == 1 && *filter == only_tags {
        let count: Option<i64> = db_run!(conn, {
            tags::table
                .filter(tags::account_id.eq(account))
                .filter(tags::name.eq(filter.tags[0].clone()))
                .select(tags::customers)
                .get_result(conn)
                .optional()
        })?;
        return Ok(Some(count.unwrap_or(0)));
    }
    if filter.attribute_filters.len() == 1 && *filter == only_attributes {
        let attribute = &filter.attribute_filters[0];
        let holding = custom_attributes::customers_holding(conn, account, attribute)?;
        return Ok(Some(holding));
    }
    Ok(None)
}

/// `$query` (a boxed select from `customers`, perhaps joined) narrowed by `$filter`'s filters other
/// than `q`. Contact filters are subselects on an index: the unique email index
/// (account_id, normalized) for emails, customer_contacts_match_idx (account_id, kind, match_key)
/// for phones; tags use customer_tags' primary key (account_id, tag, customer_id), custom
/// attributes a range of the value index (`db::custom_attributes`).
macro_rules! narrowed {
    ($query:expr, $account:expr, $filter:expr, $breadth:expr) => {{
        let (mut query, account, filter) = ($query, $account, $filter);
        if let Some(email) = &filter.email {
            let ids = customer_contacts::table
                .filter(customer_contacts::account_id.eq(account))
                .filter(contacts::is_email())
                .filter(customer_contacts::normalized.eq(email.clone()))
                .select(customer_contacts::customer_id);
            query = query.filter(customers::id.eq_any(ids));
        }
        if let Some(digits) = &filter.phone_digits {
            let ids = customer_contacts::table
                .filter(customer_contacts::account_id.eq(account))
                .filter(customer_contacts::kind.eq(ContactKind::Phone))
                .filter(customer_contacts::match_key.eq(digits.clone()))
                .select(customer_contacts::customer_id);
            query = query.filter(customers::id.eq_any(ids));
        }
        if let Some(company_id) = filter.company_id {
            query = query.filter(customers::company_id.eq(company_id));
        }
        if let Some(since) = filter.updated_since {
            query = query.filter(customers::updated_at.ge(since));
        }
        // A broad one is checked row by row as the list walks its sort index; a narrow one is
        // read first, its few ids then sorted (see [`Breadth`]).
        let breadth: &Breadth = $breadth;
        for (tag, broad) in filter.tags.iter().zip(&breadth.tags) {
            if *broad {
                query = query.filter(
                    sql::<Bool>(
                        "EXISTS (SELECT 1 FROM customer_tags AS member WHERE member.account_id = ",
                    )
                    .bind::<BigInt, _>(account.account_id())
                    .sql(" AND member.tag = ")
                    .bind::<Text, _>(tag.clone())
                    .sql(" AND member.customer_id = customers.id")
                    .sql(breadth.per_row_fence)
                    .sql(")"),
                );
            } else {
                let ids = customer_tags::table
                    .filter(customer_tags::account_id.eq(account))
                    .filter(customer_tags::tag.eq(tag.clone()))
                    .select(customer_tags::customer_id);
                query = query.filter(customers::id.eq_any(ids));
            }
        }
        for (attribute, broad) in filter.attribute_filters.iter().zip(&breadth.attributes) {
            if *broad {
                // The customer's own value: one probe of the primary key (customer_id, key).
                let held = "EXISTS (SELECT 1 FROM customer_attribute_values AS held \
                            WHERE held.account_id = customers.account_id \
                            AND held.customer_id = customers.id AND held.key = ";
                let compared =
                    format!(" AND held.{} {} ", attribute.column(), attribute.operator());
                let exists = sql::<Bool>(held)
                    .bind::<Text, _>(attribute.key.clone())
                    .sql(&compared);
                let end = format!("{})", breadth.per_row_fence);
                query = match &attribute.value {
                    FilterValue::Text(text) => {
                        query.filter(exists.bind::<Text, _>(text.clone()).sql(&end))
                    }
                    FilterValue::Number(number) => {
                        query.filter(exists.bind::<Double, _>(*number).sql(&end))
                    }
                };
            } else {
                let ids = $crate::attribute_holders!(
                    customer_attribute_values,
                    customer_id,
                    account,
                    attribute
                );
                query = query.filter(customers::id.eq_any(ids));
            }
        }
        query
    }};
}

/// One page of the account's customers, with one row more than the page holds when there is a
/// next page, and how many match in all (not counted when paging by cursor: that is what keeps
/// a deep page as cheap as the first). A query with `q` is [`search`]ed instead.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &CustomerListQuery,
) -> Result<(Option<i64>, Vec<Customer>)> {
    let (filter, sort, window) = (&query.filter, query.sort, &query.window);
    let single_total = match window.counts() && !filter.is_empty() {
        true => single_membership_total(conn, account, filter)?,
        false => None,
    };
    // A lone filter's count already says whether it is broad: no probe of its index.
    let breadth = match single_total {
        Some(total) => Breadth {
            tags: vec![total >= BROAD; filter.tags.len()],
            attributes: vec![total >= BROAD; filter.attribute_filters.len()],
            per_row_fence: per_row_fence(conn),
        },
        None => breadth(conn, account, filter)?,
    };
    db_run!(conn, {
        let filtered = |breadth: &Breadth| {
            let query = customers::table
                .filter(customers::account_id.eq(account))
                .into_boxed();
            narrowed!(query, account, filter, breadth)
        };
        let total: Option<i64> = match (window.counts(), filter.is_empty()) {
            (false, _) => None,
            // Kept by every create and delete, so the whole list needs no count.
            (true, true) => Some(
                customer_counts::table
                    .find(account)
                    .select(customer_counts::customers)
                    .get_result(conn)
                    .optional()?
                    .unwrap_or(0),
            ),
            (true, false) => match single_total {
                Some(total) => Some(total),
                None => Some(
                    filtered(&Breadth::all_narrow(filter))
                        .count()
                        .get_result(conn)?,
                ),
            },
        };
        let (order, cursor) = (sort.order(), window.cursor.as_ref());
        let rows = match sort {
            CustomerSort::CreatedAsc | CustomerSort::CreatedDesc => keyset_page!(
                filtered(&breadth),
                window,
                order,
                customers::created_at,
                customers::id,
                cursor.map(Cursor::after_time_key),
            ),
            CustomerSort::UpdatedAsc | CustomerSort::UpdatedDesc => keyset_page!(
                filtered(&breadth),
                window,
                order,
                customers::updated_at,
                customers::id,
                cursor.map(Cursor::after_time_key),
            ),
            // By the folded name (`customers_account_sort_name_idx`): case and accents aside.
            CustomerSort::NameAsc | CustomerSort::NameDesc => keyset_page!(
                filtered(&breadth),
                window,
                order,
                customers::sort_name,
                customers::id,
                cursor.map(Cursor::after_text_key),
            ),
        };
        if !breadth.checks_per_row() {
            return Ok((total, rows.select(Customer::as_select()).load(conn)?));
        }
        // A per-row check passes over many customers for each it keeps: walk the sort index
        // for ids alone (it holds every column the walk reads, so the rows it passes over are
        // never fetched), then read the page's rows by id.
        let ids: Vec<i64> = rows.select(customers::id).load(conn)?;
        let mut page = customers::table
            .filter(customers::account_id.eq(account))
            .filter(any_of::ids(customers::id, &ids))
            .select(Customer::as_select())
            .load(conn)?;
        let position: HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        page.sort_by_key(|customer| position.get(&customer.id).copied());
        Ok((total, page))
    })
}

/// Most index entries of a search's first word one request reads: a page holds the matches among
/// them, and when there may be more past them its cursor continues there. What bounds the work of
/// a one-letter `q` in a million customers.
pub const SEARCH_SCAN: i64 = 4_000;

/// A page of search results (see [`search`]).
pub struct SearchPage {
    /// Each customer with the term it was found under, one more than the page when there is a
    /// next page.
    pub rows: Vec<(String, Customer)>,
    /// The last index entry the scan was allowed to read, when it stopped there: the next page
    /// starts after it.
    pub scanned_to: Option<(String, i64)>,
}

/// Customers matching `search` and `filter`'s other filters, best first: in the order of the
/// term their first (longest) word found them by, so an exact email or phone, the lowest term of
/// its range, comes first. The first word is a range of `customer_search_terms`' primary key,
/// read in order; a customer is kept under the lowest of its terms in that range only (so each
/// shows once, on one page); each other word is a range of its (customer_id, term) index.
pub fn search(
    conn: &mut DbConn,
    account: Scope,
    filter: &CustomerFilter,
    search: &Search,
    window: &Window,
) -> Result<SearchPage> {
    let Some((first, others)) = search.words.split_first() else {
        return Ok(SearchPage {
            rows: Vec::new(),
            scanned_to: None,
        });
    };
    let (low, high) = prefix_range(first);
    let after = window.cursor.as_ref().map(Cursor::after_text_key);
    let breadth = breadth(conn, account, filter)?;
    db_run!(conn, {
        // The first word's entries from the cursor on, of a boxed query over the index.
        macro_rules! in_range {
            ($entries:expr) => {{
                let mut entries = $entries
                    .filter(customer_search_terms::account_id.eq(account))
                    .filter(customer_search_terms::term.ge(low.clone()))
                    .filter(customer_search_terms::term.lt(high.clone()));
                if let Some((term, id)) = after.clone() {
                    entries = entries.filter(
                        customer_search_terms::term.ge(term.clone()).and(
                            customer_search_terms::term
                                .gt(term)
                                .or(customer_search_terms::customer_id.gt(id)),
                        ),
                    );
                }
                entries
            }};
        }
        let scanned_to: Option<(String, i64)> =
            in_range!(customer_search_terms::table.into_boxed())
                .order((
                    customer_search_terms::term.asc(),
                    customer_search_terms::customer_id.asc(),
                ))
                .select((
                    customer_search_terms::term,
                    customer_search_terms::customer_id,
                ))
                .offset(window.offset() + SEARCH_SCAN - 1)
                .limit(1)
                .get_result(conn)
                .optional()?;

        // The first word's entries the page keeps: each customer under the lowest of its terms
        // in the range, holding every other word, within the scan.
        macro_rules! page_of {
            ($entries:expr) => {{
                let mut entries = $entries.filter(
                    sql::<Bool>(
                        "NOT EXISTS (SELECT 1 FROM customer_search_terms AS earlier \
                         WHERE earlier.account_id = customer_search_terms.account_id \
                         AND earlier.customer_id = customer_search_terms.customer_id \
                         AND earlier.term >= ",
                    )
                    .bind::<Text, _>(low.clone())
                    .sql(" AND earlier.term < customer_search_terms.term)"),
                );
                for word in others {
                    let (low, high) = prefix_range(word);
                    entries = entries.filter(
                        sql::<Bool>(
                            "EXISTS (SELECT 1 FROM customer_search_terms AS other \
                             WHERE other.account_id = customer_search_terms.account_id \
                             AND other.customer_id = customer_search_terms.customer_id \
                             AND other.term >= ",
                        )
                        .bind::<Text, _>(low)
                        .sql(" AND other.term < ")
                        .bind::<Text, _>(high)
                        .sql(")"),
                    );
                }
                if let Some((term, id)) = scanned_to.clone() {
                    entries = entries.filter(
                        customer_search_terms::term.le(term.clone()).and(
                            customer_search_terms::term
                                .lt(term)
                                .or(customer_search_terms::customer_id.le(id)),
                        ),
                    );
                }
                entries
                    .order((
                        customer_search_terms::term.asc(),
                        customer_search_terms::customer_id.asc(),
                    ))
                    .limit(window.limit())
                    .offset(window.offset())
            }};
        }
        let words_alone = CustomerFilter {
            q: filter.q.clone(),
            search: filter.search.clone(),
            ..CustomerFilter::default()
        };
        let found: Vec<(String, i64)> = if *filter == words_alone {
            // The index alone decides the page; its rows are read after, by id (reading each
            // candidate's row before checking its other words cost as much as the checks).
            page_of!(in_range!(customer_search_terms::table.into_boxed()))
                .select((
                    customer_search_terms::term,
                    customer_search_terms::customer_id,
                ))
                .load(conn)?
        } else {
            let joined = in_range!(customer_search_terms::table
                .inner_join(
                    customers::table.on(customers::id
                        .eq(customer_search_terms::customer_id)
                        .and(customers::account_id.eq(customer_search_terms::account_id))),
                )
                .into_boxed());
            page_of!(narrowed!(joined, account, filter, &breadth))
                .select((
                    customer_search_terms::term,
                    customer_search_terms::customer_id,
                ))
                .load(conn)?
        };
        let ids: Vec<i64> = found.iter().map(|(_, id)| *id).collect();
        let mut by_id: HashMap<i64, Customer> = customers::table
            .filter(customers::account_id.eq(account))
            .filter(any_of::ids(customers::id, &ids))
            .select(Customer::as_select())
            .load::<Customer>(conn)?
            .into_iter()
            .map(|customer| (customer.id, customer))
            .collect();
        let rows = found
            .into_iter()
            .filter_map(|(term, id)| by_id.remove(&id).map(|customer| (term, customer)))
            .collect();
        Ok(SearchPage { rows, scanned_to })
    })
}
