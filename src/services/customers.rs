//! Customers with their emails, phones and websites (SPEC §4).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::db::companies::{self, KeyKind};
use crate::db::contacts::{self, Contact, NewContact};
use crate::db::conversations::{self, ConversationStats};
use crate::db::customers::{self, Customer, CustomerChanges, NewCustomer};
use crate::db::{self, DbConn, Lock, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::cursor::Cursor;
use crate::domain::custom_attribute::AttributeOwner;
use crate::domain::customer::{ContactItem, CustomerInput};
use crate::domain::customer_list::{CustomerListQuery, CustomerSort, SEARCH_CURSOR};
use crate::domain::customer_lookup::{LookupKey, MatchBy};
use crate::domain::external_id::{self, ExternalIds};
use crate::domain::input::Patch;
use crate::domain::naming::display_name;
use crate::domain::owner::Owner;
use crate::domain::paging::Page;
use crate::domain::phone::phone_key;
use crate::domain::search::{self, Search};
use crate::domain::tag;
use crate::domain::text_fold::sort_key;
use crate::error::{ApiError, FieldErrors};
use crate::services::{custom_attributes, customer_duplicates, phones};

/// A customer with everything its view shows.
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    pub customer: Customer,
    /// Ordered by id.
    pub contacts: Vec<Contact>,
    /// Only on create and retrieve.
    pub stats: Option<ConversationStats>,
}

/// Creates a customer with its nested items.
pub fn create(
    conn: &mut DbConn,
    account: Scope,
    input: &CustomerInput,
) -> Result<CustomerRecord, ApiError> {
    create_keyed(conn, account, &phones::keyed(input, account.phone_region()))
}

/// [`create`], the body's phones already keyed in the account's region.
fn create_keyed(
    conn: &mut DbConn,
    account: Scope,
    input: &CustomerInput,
) -> Result<CustomerRecord, ApiError> {
    let emails: Vec<(&ContactItem, Option<i64>)> = input
        .contacts
        .iter()
        .filter(|c| c.kind == ContactKind::Email)
        .map(|c| (c, None))
        .collect();
    ensure_emails_free(conn, account, &emails, &HashSet::new())?;
    let external_ids = external_id::apply(&ExternalIds::new(), &input.external_ids);
    ensure_external_ids_free(conn, account, None, &external_ids)?;
    let first_email = emails.first().map(|(c, _)| c.value.value.as_str());
    let (first_name, last_name) = (given(&input.first_name), given(&input.last_name));
    let company_id = match input.company_id {
        Patch::Set(id) => Some(require_company(conn, account, id)?),
        _ => company_at(
            conn,
            account,
            emails.iter().map(|(c, _)| c.value.domain.as_str()),
        )?,
    };
    let tags = input.tags.clone().unwrap_or_default();
    let attributes = custom_attributes::apply(
        conn,
        account,
        AttributeOwner::Customer,
        "{}",
        &input.custom_attributes,
    )?;
    let name = display_name(first_name, last_name, first_email);
    let now = db::now();
    let customer = customers::insert(
        conn,
        &NewCustomer {
            account_id: account.account_id(),
            first_name,
            last_name,
            company: given(&input.company),
            avatar: given(&input.avatar),
            sort_name: sort_key(&name),
            name: &name,
            company_id,
            external_ids: &external_id::to_json(&external_ids),
            created_at: now,
            updated_at: now,
            notes_count: 0,
            tags: &tag::to_json(&tags),
            custom_attributes: attributes.as_ref().map_or("{}", |(json, _)| json.as_str()),
        },
    )?;
    db::tags::replace(conn, account, Owner::Customer(customer.id), &[], &tags)?;
    if let Some((_, indexed)) = &attributes {
        custom_attributes::write_index(conn, account, Owner::Customer(customer.id), indexed)?;
    }
    db::external_ids::replace(
        conn,
        account,
        customer.id,
        &ExternalIds::new(),
        &external_ids,
        now,
    )
    .map_err(external_id_taken)?;
    let contacts = insert_contacts(conn, account, customer.id, input.contacts.iter())?;
    let terms = search_terms(&customer, &contacts);
    db::search_terms::replace(conn, account, customer.id, &BTreeSet::new(), &terms)?;
    let all: Vec<&Contact> = contacts.iter().collect();
    customer_duplicates::note_shared_keys(conn, account, &customer, &contacts, &all, true)?;
    db::accounts::add_customers(conn, account, 1)?;
    Ok(CustomerRecord {
        customer,
        contacts,
        stats: Some(ConversationStats::default()),
    })
}

/// A customer with its stats, for `GET /customers/{id}`: two statements.
pub fn load(conn: &mut DbConn, account: Scope, id: i64) -> Result<CustomerRecord, ApiError> {
    let Some((customer, contacts)) = customers::find_with_contacts(conn, account, id)? else {
        return Err(missing(conn, account, id, Access::Read)?);
    };
    let stats = conversations::stats_of(conn, account, id)?;
    Ok(CustomerRecord {
        customer,
        contacts,
        stats: Some(stats),
    })
}

/// The customer an email, phone or external id identifies, as `load` shows it: the key's
/// holder (one index probe), then what `load` reads.
pub fn lookup(
    conn: &mut DbConn,
    account: Scope,
    key: &LookupKey,
) -> Result<CustomerRecord, ApiError> {
    let id = holder(conn, account, key)?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "No customer of this account has that {}.",
            key.field()
        ))
    })?;
    load(conn, account, id)
}

/// The customer `key` names, if any: one index probe. A phone compares in the account's region.
fn holder(conn: &mut DbConn, account: Scope, key: &LookupKey) -> Result<Option<i64>, ApiError> {
    Ok(match key {
        LookupKey::Email(email) => contacts::email_holder(conn, account, email)?,
        LookupKey::Phone(phone) => {
            contacts::phone_holder(conn, account, &phone_key(phone, account.phone_region()))?
        }
        LookupKey::ExternalId(value) => db::external_ids::holder(conn, account, value)?,
    })
}

/// What an upsert did (as the companies' upsert says it).
pub use crate::services::companies::UpsertResult;

/// Finds the customer the body's own values of one kind identify (the first of them that one
/// holds) and applies the body to it as a PATCH, or creates the customer.
pub fn upsert(
    conn: &mut DbConn,
    account: Scope,
    by: MatchBy,
    input: &CustomerInput,
) -> Result<(CustomerRecord, UpsertResult), ApiError> {
    let input = &*phones::keyed(input, account.phone_region());
    let keys = by.keys(input);
    let first_holder = |conn: &mut DbConn| -> Result<Option<i64>, ApiError> {
        for key in &keys {
            if let Some(id) = holder(conn, account, key)? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    };
    if let Some(id) = first_holder(conn)? {
        return update_match(conn, account, id, input);
    }
    // The account's turn to create: the customer count's row stays locked until this
    // transaction ends, so a concurrent upsert of the same new key waits here and then finds
    // this one's customer (phones have no unique index to decide between them).
    db::accounts::add_customers(conn, account, 0)?;
    if let Some(id) = first_holder(conn)? {
        return update_match(conn, account, id, input);
    }
    if !matches!(input.first_name, Patch::Set(_)) {
        return Err(ApiError::field(
            "first_name",
            "is required to create a customer (no customer matched)",
        ));
    }
    Ok((create_keyed(conn, account, input)?, UpsertResult::Created))
}

/// The body as a PATCH of the match; the emails, phones and websites it already has are not
/// added again. `unchanged` when nothing was written.
fn update_match(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &CustomerInput,
) -> Result<(CustomerRecord, UpsertResult), ApiError> {
    let before =
        customers::find(conn, account, id, Lock::ForUpdate)?.ok_or_else(ApiError::not_found)?;
    let updated_at = before.updated_at;
    let existing = contacts::of_customer(conn, account, id)?;
    let has = |item: &ContactItem| {
        existing.iter().any(|c| {
            c.kind == item.kind
                && match item.kind {
                    ContactKind::Website => c.value == item.value.value,
                    _ => c.normalized == item.value.normalized,
                }
        })
    };
    let patch = CustomerInput {
        contacts: input
            .contacts
            .iter()
            .filter(|item| item.id.is_some() || !has(item))
            .cloned()
            .collect(),
        ..input.clone()
    };
    let record = apply_update(conn, account, before, existing, &patch)?;
    let result = match record.customer.updated_at == updated_at {
        true => UpsertResult::Unchanged,
        false => UpsertResult::Updated,
    };
    Ok((record, result))
}

/// Applies a PUT or PATCH: top-level fields as given; nested items upserted by id (an id of this
/// customer's item of the same kind updates it, anything else creates); items not mentioned stay.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &CustomerInput,
) -> Result<CustomerRecord, ApiError> {
    update_keyed(
        conn,
        account,
        id,
        &phones::keyed(input, account.phone_region()),
    )
}

/// [`update`], the body's phones already keyed in the account's region.
fn update_keyed(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &CustomerInput,
) -> Result<CustomerRecord, ApiError> {
    let Some(current) = customers::find(conn, account, id, Lock::ForUpdate)? else {
        return Err(missing(conn, account, id, Access::Write)?);
    };
    let existing = contacts::of_customer(conn, account, id)?;
    apply_update(conn, account, current, existing, input)
}

/// [`update`] of customer `current` (locked), whose contacts are `existing`.
fn apply_update(
    conn: &mut DbConn,
    account: Scope,
    current: Customer,
    existing: Vec<Contact>,
    input: &CustomerInput,
) -> Result<CustomerRecord, ApiError> {
    let id = current.id;
    let terms_before = search_terms(&current, &existing);
    let existing_ids: HashSet<i64> = existing.iter().map(|c| c.id).collect();
    let plan = plan_contacts(&existing, &input.contacts)?;
    check_limits(&existing, &plan.inserts)?;

    let changed_emails: Vec<(&ContactItem, Option<i64>)> = plan
        .updates
        .iter()
        .map(|(item, row_id)| (*item, Some(*row_id)))
        .chain(plan.inserts.iter().map(|item| (*item, None)))
        .filter(|(item, _)| item.kind == ContactKind::Email)
        .collect();
    let moving: HashSet<i64> = plan.updates.iter().map(|(_, row_id)| *row_id).collect();
    ensure_emails_free(conn, account, &changed_emails, &moving)?;
    let ids_before = external_id::from_json(&current.external_ids);
    let ids_after = external_id::apply(&ids_before, &input.external_ids);
    if ids_after != ids_before {
        ensure_external_ids_free(conn, account, Some(id), &ids_after)?;
        db::external_ids::replace(conn, account, id, &ids_before, &ids_after, db::now())
            .map_err(external_id_taken)?;
    }
    let tags_before = tag::from_json(&current.tags);
    let tags_after = input.tags.as_ref().filter(|after| **after != tags_before);
    if let Some(after) = tags_after {
        db::tags::replace(conn, account, Owner::Customer(id), &tags_before, after)?;
    }
    let attributes = custom_attributes::apply(
        conn,
        account,
        AttributeOwner::Customer,
        &current.custom_attributes,
        &input.custom_attributes,
    )?;
    if let Some((_, indexed)) = &attributes {
        custom_attributes::write_index(conn, account, Owner::Customer(id), indexed)?;
    }

    // Emails may move between this customer's rows (a swap); the unique index can't wait for the
    // end of the transaction, so changing email rows first step aside to a placeholder.
    for (item, row_id) in &plan.updates {
        if item.kind == ContactKind::Email {
            contacts::park_email(conn, account, *row_id)?;
        }
    }
    for (item, row_id) in &plan.updates {
        contacts::update_value(conn, account, *row_id, &item.value).map_err(email_taken)?;
    }
    insert_contacts(conn, account, id, plan.inserts.iter().copied())?;

    // Read again only when they changed: a PATCH of names alone costs no second read.
    let contacts_changed = !plan.updates.is_empty() || !plan.inserts.is_empty();
    let contacts = match contacts_changed {
        true => contacts::of_customer(conn, account, id)?,
        false => existing,
    };
    let company_id = match input.company_id {
        Patch::Set(company) => Some(Some(require_company(conn, account, company)?)),
        Patch::Clear => Some(None),
        Patch::Absent if current.company_id.is_none() => {
            let domains = contacts
                .iter()
                .filter(|c| c.kind == ContactKind::Email)
                .map(|c| c.domain.as_str());
            company_at(conn, account, domains)?.map(Some)
        }
        Patch::Absent => None,
    };
    let changes = CustomerChanges {
        first_name: input.first_name.clone().into_change(),
        last_name: input.last_name.clone().into_change(),
        company: input.company.clone().into_change(),
        avatar: input.avatar.clone().into_change(),
        company_id,
        external_ids: (ids_after != ids_before).then(|| external_id::to_json(&ids_after)),
        tags: tags_after.map(|after| tag::to_json(after)),
        custom_attributes: attributes.map(|(json, _)| json),
        ..CustomerChanges::default()
    };
    let customer = save(
        conn,
        account,
        &current,
        changes,
        &contacts,
        contacts_changed,
    )?;
    let terms_after = search_terms(&customer, &contacts);
    db::search_terms::replace(conn, account, id, &terms_before, &terms_after)?;
    let name_changed = customer.name != current.name;
    if contacts_changed || name_changed {
        let changed: HashSet<i64> = plan.updates.iter().map(|(_, row_id)| *row_id).collect();
        let before: HashSet<i64> = existing_ids;
        let new: Vec<&Contact> = contacts
            .iter()
            .filter(|c| changed.contains(&c.id) || !before.contains(&c.id))
            .collect();
        customer_duplicates::note_shared_keys(
            conn,
            account,
            &customer,
            &contacts,
            &new,
            name_changed,
        )?;
    }
    Ok(CustomerRecord {
        customer,
        contacts,
        // Not shown by PUT/PATCH (SPEC §4), but part of the record's ETag.
        stats: Some(conversations::stats_of(conn, account, id)?),
    })
}

/// Deletes a customer; its conversations stay, with no customer.
pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    let Some(tags) = customers::delete(conn, account, id)? else {
        return Err(missing(conn, account, id, Access::Write)?);
    };
    db::tags::uncount(conn, account, Owner::Customer(id), &tag::from_json(&tags))?;
    db::accounts::add_customers(conn, account, -1)?;
    Ok(())
}

/// Deletes one email, phone or website of a customer.
pub fn delete_contact(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    kind: ContactKind,
    contact_id: i64,
) -> Result<(), ApiError> {
    let Some(current) = customers::find(conn, account, customer_id, Lock::ForUpdate)? else {
        return Err(missing(conn, account, customer_id, Access::Write)?);
    };
    if !contacts::delete(conn, account, customer_id, kind, contact_id)? {
        return Err(ApiError::not_found());
    }
    // The name may have been this email.
    let contacts = contacts::of_customer(conn, account, customer_id)?;
    let customer = save(
        conn,
        account,
        &current,
        CustomerChanges::default(),
        &contacts,
        true,
    )?;
    let terms = search_terms(&customer, &contacts);
    db::search_terms::rewrite(conn, account, customer_id, &terms)?;
    Ok(())
}

/// A page of customers (without stats): the rows, then all their contacts in one more query.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &CustomerListQuery,
) -> Result<Page<CustomerRecord>, ApiError> {
    let mut query = query.clone();
    // A phone compares in the account's region.
    if let Some(region) = account.phone_region() {
        if let Some(phone) = &query.filter.phone {
            query.filter.phone_digits = Some(phone_key(phone, Some(region)));
        }
        if let Some(q) = query.filter.q.as_deref().filter(|q| Search::is_phone(q)) {
            query.filter.search = Some(Search::parse(q, Some(region)));
        }
    }
    query.filter.attribute_filters = custom_attributes::resolve_filters(
        conn,
        account,
        AttributeOwner::Customer,
        &query.filter.attributes,
    )?;
    let query = &query;
    let page = match &query.filter.search {
        Some(search) => search_page(conn, account, query, search)?,
        None => list_page(conn, account, query)?,
    };
    let ids: Vec<i64> = page.rows.iter().map(|c| c.id).collect();
    let mut by_customer: HashMap<i64, Vec<Contact>> = HashMap::new();
    for contact in contacts::of_customers(conn, account, &ids)? {
        by_customer
            .entry(contact.customer_id)
            .or_default()
            .push(contact);
    }
    Ok(page.map(|customer| CustomerRecord {
        contacts: by_customer.remove(&customer.id).unwrap_or_default(),
        customer,
        stats: None,
    }))
}

/// A page of the list as sorted, numbered with a total unless paged by cursor.
fn list_page(
    conn: &mut DbConn,
    account: Scope,
    query: &CustomerListQuery,
) -> Result<Page<Customer>, ApiError> {
    let (total, rows) = customers::list(conn, account, query)?;
    let sort = query.sort;
    Ok(Page::new(rows, total, &query.window, |last| match sort {
        CustomerSort::CreatedAsc | CustomerSort::CreatedDesc => {
            Cursor::after_time(sort.as_str(), last.created_at, last.id)
        }
        CustomerSort::UpdatedAsc | CustomerSort::UpdatedDesc => {
            Cursor::after_time(sort.as_str(), last.updated_at, last.id)
        }
        CustomerSort::NameAsc | CustomerSort::NameDesc => Cursor {
            sort: sort.as_str().to_string(),
            value: last.sort_name.clone(),
            id: last.id,
        },
    }))
}

/// A page of search results: never counted (the scan is bounded, a total would not be); its
/// cursor continues after its last row, or after the last entry the scan read when it stopped
/// short of a full page.
fn search_page(
    conn: &mut DbConn,
    account: Scope,
    query: &CustomerListQuery,
    search: &Search,
) -> Result<Page<Customer>, ApiError> {
    let found = customers::search(conn, account, &query.filter, search, &query.window)?;
    let cursor = |term: &str, id: i64| Cursor {
        sort: SEARCH_CURSOR.to_string(),
        value: term.to_string(),
        id,
    };
    let mut page = Page::new(found.rows, None, &query.window, |(term, customer)| {
        cursor(term, customer.id)
    });
    if page.next_cursor.is_none() {
        page.next_cursor = found
            .scanned_to
            .map(|(term, id)| cursor(&term, id).encode());
    }
    Ok(page.map(|(_, customer)| customer))
}

/// A `company_id` the client gave must be one of the account's companies.
fn require_company(conn: &mut DbConn, account: Scope, id: i64) -> Result<i64, ApiError> {
    match companies::find(conn, account, id, Lock::None)? {
        Some(_) => Ok(id),
        None => Err(ApiError::field(
            "company_id",
            "does not exist in this account",
        )),
    }
}

/// The company owning the first of `domains` (email domains, in the customer's order) that one owns.
fn company_at<'a>(
    conn: &mut DbConn,
    account: Scope,
    domains: impl Iterator<Item = &'a str>,
) -> Result<Option<i64>, ApiError> {
    let domains: Vec<String> = domains
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect();
    let owners = companies::owners(conn, account, KeyKind::Domain, &domains)?;
    Ok(domains.iter().find_map(|domain| {
        owners
            .iter()
            .find(|(owned, _)| owned == domain)
            .map(|(_, id)| *id)
    }))
}

/// The value of a field on create (`Clear` and `Absent` both mean none).
fn given(field: &Patch<String>) -> Option<&str> {
    match field {
        Patch::Set(value) => Some(value),
        _ => None,
    }
}

/// Writes `changes` with the name recomputed from the result and a new `updated_at`; a write
/// that changes nothing (no field and no contact) writes nothing, so `updated_at` and the ETag
/// stay as they were.
fn save(
    conn: &mut DbConn,
    account: Scope,
    current: &Customer,
    mut changes: CustomerChanges,
    contacts: &[Contact],
    contacts_changed: bool,
) -> Result<Customer, ApiError> {
    let first_name = changes
        .first_name
        .clone()
        .unwrap_or_else(|| current.first_name.clone());
    let last_name = changes
        .last_name
        .clone()
        .unwrap_or_else(|| current.last_name.clone());
    let first_email = contacts
        .iter()
        .find(|c| c.kind == ContactKind::Email)
        .map(|c| c.value.as_str());
    changes.name = Some(display_name(
        first_name.as_deref(),
        last_name.as_deref(),
        first_email,
    ));
    if !contacts_changed && !changes.alters(current) {
        return Ok(current.clone());
    }
    changes.updated_at = Some(db::now());
    Ok(customers::update(conn, account, current.id, &changes)?)
}

/// What `customer` with `contacts` is found by (`domain::search`).
pub(crate) fn search_terms(customer: &Customer, contacts: &[Contact]) -> BTreeSet<String> {
    search::terms(
        customer.first_name.as_deref(),
        customer.last_name.as_deref(),
        customer.company.as_deref(),
        contacts.iter().map(|c| (c.kind, c.value.as_str())),
    )
}

/// What an upsert will do with each item.
struct ContactPlan<'a> {
    /// Items that update one of this customer's rows (given by id) to a new value.
    updates: Vec<(&'a ContactItem, i64)>,
    inserts: Vec<&'a ContactItem>,
}

fn plan_contacts<'a>(
    existing: &[Contact],
    items: &'a [ContactItem],
) -> Result<ContactPlan<'a>, ApiError> {
    let own: HashMap<i64, &Contact> = existing.iter().map(|c| (c.id, c)).collect();
    let mut plan = ContactPlan {
        updates: Vec::new(),
        inserts: Vec::new(),
    };
    let mut claimed: HashMap<i64, &ContactItem> = HashMap::new();
    let mut errors = FieldErrors::new();
    for item in items {
        let target = item
            .id
            .and_then(|id| own.get(&id))
            .filter(|row| row.kind == item.kind);
        match target {
            None => plan.inserts.push(item),
            Some(row) => {
                if let Some(first) = claimed.insert(row.id, item) {
                    let path = format!("{}.{}.id", item.kind.list(), item.index);
                    errors.add(
                        path,
                        format!("is the same as {}.{}.id", first.kind.list(), first.index),
                    );
                } else if row.value != item.value.value {
                    plan.updates.push((item, row.id));
                }
            }
        }
    }
    Ok(errors.into_result(plan)?)
}

/// The 15 / 25 / 150 limits, on the customer as it will be.
fn check_limits(existing: &[Contact], inserts: &[&ContactItem]) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    for kind in ContactKind::ALL {
        let after = existing.iter().filter(|c| c.kind == kind).count()
            + inserts.iter().filter(|c| c.kind == kind).count();
        if after > kind.limit() {
            errors.add(
                kind.list(),
                format!(
                    "may have at most {} {}; this would make {after}",
                    kind.limit(),
                    kind.list()
                ),
            );
        }
    }
    Ok(errors.into_result(())?)
}

/// Each email (with the row it updates, if any) must be free in the account: held by no row, by a
/// row this request changes (`moving`), or by the very row the item updates.
fn ensure_emails_free(
    conn: &mut DbConn,
    account: Scope,
    items: &[(&ContactItem, Option<i64>)],
    moving: &HashSet<i64>,
) -> Result<(), ApiError> {
    let wanted: Vec<String> = items
        .iter()
        .map(|(item, _)| item.value.normalized.clone())
        .collect();
    let in_use = contacts::emails_in_use(conn, account, &wanted)?;
    let mut errors = FieldErrors::new();
    let mut holder = None;
    for (item, target) in items {
        let taken = in_use.iter().find(|row| {
            row.normalized == item.value.normalized
                && Some(row.id) != *target
                && !moving.contains(&row.id)
        });
        if let Some(row) = taken {
            errors.add(item.path(), "has already been taken");
            holder.get_or_insert(row.customer_id);
        }
    }
    match holder {
        None => Ok(()),
        // The first taken item's holder: the one a client merging or linking wants.
        Some(customer_id) => Err(ApiError::Taken {
            errors,
            customer_id,
        }),
    }
}

/// Inserts the items in one statement; returns the rows as stored, oldest first.
fn insert_contacts<'a>(
    conn: &mut DbConn,
    account: Scope,
    customer_id: i64,
    items: impl Iterator<Item = &'a ContactItem>,
) -> Result<Vec<Contact>, ApiError> {
    let created_at = db::now();
    let rows: Vec<NewContact> = items
        .map(|item| NewContact {
            account_id: account.account_id(),
            customer_id,
            kind: item.kind,
            value: &item.value.value,
            normalized: &item.value.normalized,
            domain: &item.value.domain,
            match_key: &item.value.match_key,
            created_at,
        })
        .collect();
    contacts::insert_all(conn, &rows).map_err(email_taken)
}

/// The unique index on emails is the backstop when a concurrent request took an email between
/// our check and our write: still a 422, never a 500.
/// Whether a request reads a customer or changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Why customer `id` is not there: merged into another (a read is redirected to it, a write is
/// a 404 that names it), or no such customer. Only a miss pays for the tombstone probe.
pub fn missing(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    access: Access,
) -> Result<ApiError, ApiError> {
    Ok(
        match (db::merges::survivor_of(conn, account, id)?, access) {
            (None, _) => ApiError::not_found(),
            (Some(survivor_id), Access::Read) => ApiError::Merged {
                account_id: account.account_id(),
                survivor_id,
            },
            (Some(survivor_id), Access::Write) => ApiError::NotFound(format!(
                "This customer was merged into customer {survivor_id}; change that one instead."
            )),
        },
    )
}

/// Each external id must be free in the account, or already the customer's own (`own`).
fn ensure_external_ids_free(
    conn: &mut DbConn,
    account: Scope,
    own: Option<i64>,
    ids: &ExternalIds,
) -> Result<(), ApiError> {
    let values: Vec<String> = ids.values().cloned().collect();
    let held = db::external_ids::holders(conn, account, &values)?;
    let mut errors = FieldErrors::new();
    let mut holder = None;
    for (source, value) in ids {
        let taken = held
            .iter()
            .find(|(held, by)| held == value && Some(*by) != own);
        if let Some((_, by)) = taken {
            errors.add(format!("external_ids.{source}"), "has already been taken");
            holder.get_or_insert(*by);
        }
    }
    match holder {
        None => Ok(()),
        Some(customer_id) => Err(ApiError::Taken {
            errors,
            customer_id,
        }),
    }
}

/// A concurrent writer took the id between the check and the insert.
fn external_id_taken(err: db::Error) -> ApiError {
    if err.is_unique_violation() {
        ApiError::field("external_ids", "has already been taken")
    } else {
        err.into()
    }
}

fn email_taken(err: db::Error) -> ApiError {
    if err.is_unique_violation() {
        ApiError::field("emails", "has already been taken")
    } else {
        err.into()
    }
}

/// A customer with its contacts, without stats; `None` when not in the account.
pub fn find_with_contacts(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
) -> Result<Option<CustomerRecord>, ApiError> {
    let Some((customer, contacts)) = customers::find_with_contacts(conn, account, id)? else {
        return Ok(None);
    };
    Ok(Some(CustomerRecord {
        customer,
        contacts,
        stats: None,
    }))
}
