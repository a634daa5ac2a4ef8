//! Companies (SPEC §6): keys unique per account, integration locks, upsert, customer links.

use std::collections::HashMap;

use crate::db::companies::{self, Company, CompanyChanges, KeyKind, NewCompany};
use crate::db::{self, labels, users, DbConn, Lock, Scope};
use crate::domain::company::CompanyInput;
use crate::domain::company_list::{CompanyListQuery, CompanySort};
use crate::domain::cursor::Cursor;
use crate::domain::custom_attribute::AttributeOwner;
use crate::domain::input::Patch;
use crate::domain::label::LabelKind;
use crate::domain::owner::Owner;
use crate::domain::paging::Page;
use crate::domain::tag;
use crate::domain::text_fold::sort_key;
use crate::domain::Integration;
use crate::error::{ApiError, FieldErrors};
use crate::services::custom_attributes;

/// A company with everything its view shows.
#[derive(Debug, Clone)]
pub struct CompanyRecord {
    pub company: Company,
    pub domains: Vec<String>,
    pub external_ids: Vec<String>,
    pub request_count: i64,
    pub important_request_count: i64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertResult {
    Created,
    Updated,
    Unchanged,
}

impl UpsertResult {
    pub fn as_str(self) -> &'static str {
        match self {
            UpsertResult::Created => "created",
            UpsertResult::Updated => "updated",
            UpsertResult::Unchanged => "unchanged",
        }
    }
}

/// Creates a company; a token issued for an integration makes it managed by that integration.
pub fn create(
    conn: &mut DbConn,
    account: Scope,
    integration: Option<Integration>,
    input: &CompanyInput,
) -> Result<CompanyRecord, ApiError> {
    check_references(conn, account, input)?;
    let domains = input.domains.clone().unwrap_or_default();
    let external_ids = input.external_ids.clone().unwrap_or_default();
    ensure_keys_free(conn, account, None, KeyKind::Domain, &domains)?;
    ensure_keys_free(conn, account, None, KeyKind::ExternalId, &external_ids)?;
    let tags = input.tags.clone().unwrap_or_default();
    let attributes = custom_attributes::apply(
        conn,
        account,
        AttributeOwner::Company,
        "{}",
        &input.custom_attributes,
    )?;
    let now = db::now();
    let company = companies::insert(
        conn,
        &NewCompany {
            account_id: account.account_id(),
            name: input.name.as_deref().unwrap_or_default(),
            tier_id: set(&input.tier_id),
            status_id: set(&input.status_id),
            owner_id: set(&input.owner_id),
            revenue: set(&input.revenue),
            size: set(&input.size),
            logo_url: match &input.logo_url {
                Patch::Set(url) => Some(url),
                _ => None,
            },
            managed_by: integration.map(Integration::as_str),
            created_at: now,
            updated_at: now,
            tags: &tag::to_json(&tags),
            sort_name: sort_key(input.name.as_deref().unwrap_or_default()),
            custom_attributes: attributes.as_ref().map_or("{}", |(json, _)| json.as_str()),
        },
    )?;
    add_keys(conn, account, company.id, &domains, &external_ids)?;
    db::tags::replace(conn, account, Owner::Company(company.id), &[], &tags)?;
    if let Some((_, indexed)) = &attributes {
        custom_attributes::write_index(conn, account, Owner::Company(company.id), indexed)?;
    }
    load(conn, account, company.id)
}

/// Applies a PUT or PATCH. `domains` and `external_ids`, when given, replace the lists.
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &CompanyInput,
) -> Result<CompanyRecord, ApiError> {
    let current = load_for_update(conn, account, id)?;
    let (changes, mut changed) = field_changes(&current.company, input);
    let domains = input
        .domains
        .as_ref()
        .map(|wanted| diff(&current.domains, wanted));
    let external_ids = input
        .external_ids
        .as_ref()
        .map(|wanted| diff(&current.external_ids, wanted));
    if domains.as_ref().is_some_and(KeyDiff::changes) {
        changed.push("domains");
    }
    if external_ids.as_ref().is_some_and(KeyDiff::changes) {
        changed.push("external_ids");
    }
    let tags_before = tag::from_json(&current.company.tags);
    let tags_after = input.tags.as_ref().filter(|after| **after != tags_before);
    if tags_after.is_some() {
        changed.push("tags");
    }
    let attributes = custom_attributes::apply(
        conn,
        account,
        AttributeOwner::Company,
        &current.company.custom_attributes,
        &input.custom_attributes,
    )?;
    if attributes.is_some() {
        changed.push("custom_attributes");
    }
    check_locks(&current.company, &changed)?;
    // A write that changes nothing writes nothing: `updated_at` and the ETag stay.
    if changed.is_empty() {
        return Ok(current);
    }
    if let Some(after) = tags_after {
        db::tags::replace(conn, account, Owner::Company(id), &tags_before, after)?;
    }
    if let Some((_, indexed)) = &attributes {
        custom_attributes::write_index(conn, account, Owner::Company(id), indexed)?;
    }
    check_references(conn, account, input)?;
    let (domains, external_ids) = (
        domains.unwrap_or_default(),
        external_ids.unwrap_or_default(),
    );
    ensure_keys_free(conn, account, Some(id), KeyKind::Domain, &domains.added)?;
    ensure_keys_free(
        conn,
        account,
        Some(id),
        KeyKind::ExternalId,
        &external_ids.added,
    )?;
    companies::remove_keys(conn, account, id, KeyKind::Domain, &domains.removed)?;
    companies::remove_keys(
        conn,
        account,
        id,
        KeyKind::ExternalId,
        &external_ids.removed,
    )?;
    add_keys(conn, account, id, &domains.added, &external_ids.added)?;
    companies::update(
        conn,
        account,
        id,
        &CompanyChanges {
            tags: tags_after.map(|after| tag::to_json(after)),
            custom_attributes: attributes.map(|(json, _)| json),
            updated_at: Some(db::now()),
            ..changes
        },
    )?;
    load(conn, account, id)
}

/// Matches a company by any external id, then by any domain; merges into it, or creates one.
pub fn upsert(
    conn: &mut DbConn,
    account: Scope,
    integration: Option<Integration>,
    input: &CompanyInput,
) -> Result<(CompanyRecord, UpsertResult), ApiError> {
    if let Some(id) = find_match(conn, account, input)? {
        return merge(conn, account, id, input);
    }
    if input.name.is_none() {
        return Err(ApiError::field(
            "name",
            "is required to create a company (no company matched)",
        ));
    }
    // A concurrent upsert may take one of these keys first; then it is the match.
    match conn.savepoint(|conn| create(conn, account, integration, input)) {
        Ok(record) => Ok((record, UpsertResult::Created)),
        Err(err @ ApiError::Validation(_)) => match find_match(conn, account, input)? {
            Some(id) => merge(conn, account, id, input),
            None => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// Appends new keys and applies the other given fields. Appending keys is allowed on any
/// company (that is how integrations contribute, as the seed shows); other fields obey locks.
fn merge(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    input: &CompanyInput,
) -> Result<(CompanyRecord, UpsertResult), ApiError> {
    let current = load_for_update(conn, account, id)?;
    let (changes, changed) = field_changes(&current.company, input);
    check_locks(&current.company, &changed)?;
    check_references(conn, account, input)?;
    let new_domains = missing(&current.domains, input.domains.as_deref());
    let new_external_ids = missing(&current.external_ids, input.external_ids.as_deref());
    // Tags add to the match's, like its keys.
    let tags_before = tag::from_json(&current.company.tags);
    let new_tags = missing(&tags_before, input.tags.as_deref());
    let tags_after = (!new_tags.is_empty()).then(|| {
        let mut all = [tags_before.clone(), new_tags].concat();
        all.sort();
        all
    });
    if let Some(all) = &tags_after {
        tag::check_limit(all.len()).map_err(|message| ApiError::field("tags", message))?;
    }
    // Custom attributes given are set, as by a PATCH.
    let attributes = custom_attributes::apply(
        conn,
        account,
        AttributeOwner::Company,
        &current.company.custom_attributes,
        &input.custom_attributes,
    )?;
    if changed.is_empty()
        && new_domains.is_empty()
        && new_external_ids.is_empty()
        && tags_after.is_none()
        && attributes.is_none()
    {
        return Ok((current, UpsertResult::Unchanged));
    }
    if let Some(after) = &tags_after {
        db::tags::replace(conn, account, Owner::Company(id), &tags_before, after)?;
    }
    if let Some((_, indexed)) = &attributes {
        custom_attributes::write_index(conn, account, Owner::Company(id), indexed)?;
    }
    ensure_keys_free(conn, account, Some(id), KeyKind::Domain, &new_domains)?;
    ensure_keys_free(
        conn,
        account,
        Some(id),
        KeyKind::ExternalId,
        &new_external_ids,
    )?;
    add_keys(conn, account, id, &new_domains, &new_external_ids)?;
    companies::update(
        conn,
        account,
        id,
        &CompanyChanges {
            tags: tags_after.as_deref().map(tag::to_json),
            custom_attributes: attributes.map(|(json, _)| json),
            updated_at: Some(db::now()),
            ..changes
        },
    )?;
    Ok((load(conn, account, id)?, UpsertResult::Updated))
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    // The company's row first, as every company write takes it, then its customers: one lock
    // order, so a delete and an update of one company cannot deadlock.
    let company =
        companies::find(conn, account, id, Lock::ForUpdate)?.ok_or_else(ApiError::not_found)?;
    if !companies::delete(conn, account, id)? {
        return Err(ApiError::not_found());
    }
    // Its tag rows cascaded; the counts are kept here.
    db::tags::uncount(
        conn,
        account,
        Owner::Company(id),
        &tag::from_json(&company.tags),
    )?;
    Ok(())
}

pub fn load(conn: &mut DbConn, account: Scope, id: i64) -> Result<CompanyRecord, ApiError> {
    let company =
        companies::find(conn, account, id, Lock::None)?.ok_or_else(ApiError::not_found)?;
    Ok(records(conn, account, vec![company])?.remove(0))
}

fn load_for_update(conn: &mut DbConn, account: Scope, id: i64) -> Result<CompanyRecord, ApiError> {
    let company =
        companies::find(conn, account, id, Lock::ForUpdate)?.ok_or_else(ApiError::not_found)?;
    Ok(records(conn, account, vec![company])?.remove(0))
}

pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &CompanyListQuery,
) -> Result<Page<CompanyRecord>, ApiError> {
    let mut query = query.clone();
    query.filter.attribute_filters = custom_attributes::resolve_filters(
        conn,
        account,
        AttributeOwner::Company,
        &query.filter.attributes,
    )?;
    let query = &query;
    let (total, rows) = companies::list(conn, account, query)?;
    let sort = query.sort;
    let page = Page::new(rows, total, &query.window, |last| match sort {
        CompanySort::CreatedAsc | CompanySort::CreatedDesc => {
            Cursor::after_time(sort.as_str(), last.created_at, last.id)
        }
        CompanySort::UpdatedAsc | CompanySort::UpdatedDesc => {
            Cursor::after_time(sort.as_str(), last.updated_at, last.id)
        }
        CompanySort::NameAsc | CompanySort::NameDesc => Cursor {
            sort: sort.as_str().to_string(),
            value: last.sort_name.clone(),
            id: last.id,
        },
    });
    Ok(Page {
        rows: records(conn, account, page.rows)?,
        total: page.total,
        next_cursor: page.next_cursor,
    })
}

/// Keys and request counts for a page of companies: two queries whatever its size.
fn records(
    conn: &mut DbConn,
    account: Scope,
    rows: Vec<Company>,
) -> Result<Vec<CompanyRecord>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut keys: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for key in companies::keys_of(conn, account, &ids)? {
        let entry = keys.entry(key.company_id).or_default();
        match key.kind {
            KeyKind::Domain => entry.0.push(key.value),
            KeyKind::ExternalId => entry.1.push(key.value),
        }
    }
    let counts = companies::request_counts(conn, account, &ids)?;
    Ok(rows
        .into_iter()
        .map(|company| {
            let (domains, external_ids) = keys.remove(&company.id).unwrap_or_default();
            let (request_count, important_request_count) =
                counts.get(&company.id).copied().unwrap_or_default();
            CompanyRecord {
                company,
                domains,
                external_ids,
                request_count,
                important_request_count,
            }
        })
        .collect())
}

/// The company that holds any of the input's external ids, else any of its domains.
fn find_match(
    conn: &mut DbConn,
    account: Scope,
    input: &CompanyInput,
) -> Result<Option<i64>, ApiError> {
    for (kind, values) in [
        (KeyKind::ExternalId, &input.external_ids),
        (KeyKind::Domain, &input.domains),
    ] {
        let values = values.as_deref().unwrap_or_default();
        if let Some((_, id)) = companies::owners(conn, account, kind, values)?.first() {
            return Ok(Some(*id));
        }
    }
    Ok(None)
}

fn set(field: &Patch<i64>) -> Option<i64> {
    match field {
        Patch::Set(v) => Some(*v),
        _ => None,
    }
}

/// The column changes the input asks for, and the names of the fields whose value would change.
fn field_changes(current: &Company, input: &CompanyInput) -> (CompanyChanges, Vec<&'static str>) {
    let mut changed = Vec::new();
    let name = input.name.clone().filter(|name| *name != current.name);
    if name.is_some() {
        changed.push("name");
    }
    let changes = CompanyChanges {
        name,
        tier_id: track("tier_id", &input.tier_id, &current.tier_id, &mut changed),
        status_id: track(
            "status_id",
            &input.status_id,
            &current.status_id,
            &mut changed,
        ),
        owner_id: track("owner_id", &input.owner_id, &current.owner_id, &mut changed),
        revenue: track("revenue", &input.revenue, &current.revenue, &mut changed),
        size: track("size", &input.size, &current.size, &mut changed),
        logo_url: track("logo_url", &input.logo_url, &current.logo_url, &mut changed),
        tags: None,
        sort_name: None,
        custom_attributes: None,
        updated_at: None,
    };
    (changes, changed)
}

/// The new value of a nullable column when `given` changes it; records `field` as changed then.
fn track<T: Clone + PartialEq>(
    field: &'static str,
    given: &Patch<T>,
    current: &Option<T>,
    changed: &mut Vec<&'static str>,
) -> Option<Option<T>> {
    let wanted = given.clone().into_change()?;
    (wanted != *current).then(|| {
        changed.push(field);
        wanted
    })
}

/// A managed company's locked fields can't change, whoever asks: 409 naming each.
fn check_locks(company: &Company, changed: &[&'static str]) -> Result<(), ApiError> {
    let Some(integration) = company.managed_by.as_deref().and_then(Integration::parse) else {
        return Ok(());
    };
    let mut errors = FieldErrors::new();
    // Tags and custom attributes are the desk's own data, not the integration's: never locked.
    for field in changed.iter().filter(|f| {
        !["tags", "custom_attributes"].contains(f) && !integration.unlocked_fields().contains(f)
    }) {
        errors.add(
            *field,
            format!(
                "is managed by {} and can't be changed",
                integration.as_str()
            ),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        let message = format!(
            "This company is managed by {}; some fields are locked.",
            integration.as_str()
        );
        Err(ApiError::Conflict(message, errors))
    }
}

/// `tier_id` and `status_id` must be the account's; `owner_id` a member of it.
fn check_references(
    conn: &mut DbConn,
    account: Scope,
    input: &CompanyInput,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    for (kind, field) in [
        (LabelKind::Tier, &input.tier_id),
        (LabelKind::Status, &input.status_id),
    ] {
        if let Patch::Set(id) = field {
            if labels::find(conn, account, kind, *id)?.is_none() {
                errors.add(kind.company_field(), "does not exist in this account");
            }
        }
    }
    if let Patch::Set(owner) = input.owner_id {
        if !users::is_member(conn, account, owner)? {
            errors.add("owner_id", "is not a member of this account");
        }
    }
    Ok(errors.into_result(())?)
}

/// 422 for each key another company of the account holds already.
fn ensure_keys_free(
    conn: &mut DbConn,
    account: Scope,
    company_id: Option<i64>,
    kind: KeyKind,
    values: &[String],
) -> Result<(), ApiError> {
    let list = key_list(kind);
    let mut errors = FieldErrors::new();
    for (value, owner) in companies::owners(conn, account, kind, values)? {
        if Some(owner) != company_id {
            let index = values.iter().position(|v| *v == value).unwrap_or_default();
            errors.add(
                format!("{list}.{index}"),
                format!("{value} belongs to another company"),
            );
        }
    }
    Ok(errors.into_result(())?)
}

fn key_list(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Domain => "domains",
        KeyKind::ExternalId => "external_ids",
    }
}

/// Adds keys, then links the account's unlinked customers at the new domains.
fn add_keys(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    domains: &[String],
    external_ids: &[String],
) -> Result<(), ApiError> {
    for (kind, values) in [
        (KeyKind::Domain, domains),
        (KeyKind::ExternalId, external_ids),
    ] {
        companies::add_keys(conn, account, id, kind, values).map_err(|e| key_taken(e, kind))?;
    }
    companies::link_customers(conn, account, id, domains)?;
    Ok(())
}

/// The unique index decides between concurrent writers: the loser gets a 422, not a 500.
fn key_taken(err: db::Error, kind: KeyKind) -> ApiError {
    if err.is_unique_violation() {
        ApiError::field(key_list(kind), "belongs to another company")
    } else {
        err.into()
    }
}

/// What replacing `current` by `wanted` adds and removes.
#[derive(Debug, Default)]
struct KeyDiff {
    added: Vec<String>,
    removed: Vec<String>,
}

impl KeyDiff {
    fn changes(&self) -> bool {
        !self.added.is_empty() || !self.removed.is_empty()
    }
}

fn diff(current: &[String], wanted: &[String]) -> KeyDiff {
    KeyDiff {
        added: missing(current, Some(wanted)),
        removed: current
            .iter()
            .filter(|v| !wanted.contains(v))
            .cloned()
            .collect(),
    }
}

/// The values of `given` that `current` lacks, in order.
fn missing(current: &[String], given: Option<&[String]>) -> Vec<String> {
    given
        .unwrap_or_default()
        .iter()
        .filter(|v| !current.contains(v))
        .cloned()
        .collect()
}
