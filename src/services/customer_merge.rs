//! Merging customers that are one person into one (issue 18). The target survives; each source's
//! conversations, requests, contacts, notes and external ids move to it, and the source's row goes,
//! leaving a tombstone (`db::merges`) that redirects its old id. A preview computes the same
//! result from the same reads and writes nothing.

use std::collections::HashMap;

use crate::db::contacts::{self, Contact};
use crate::db::conversations::{self, ConversationStats};
use crate::db::customers::{self, Customer, CustomerChanges};
use crate::db::journal::{self, Kind};
use crate::db::{self, DbConn, Lock, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::custom_attribute;
use crate::domain::customer_merge::{pick, Candidate, MergeRequest};
use crate::domain::external_id::{self, ExternalIds};
use crate::domain::naming::display_name;
use crate::domain::owner::Owner;
use crate::domain::tag;
use crate::error::{ApiError, FieldErrors};
use crate::services::customer_duplicates;
use crate::services::customers::{load, missing, search_terms, Access, CustomerRecord};

/// What a merge did, or would do.
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    /// The survivor as it is after the merge (for a preview: as it would be).
    pub record: CustomerRecord,
    pub merged_ids: Vec<i64>,
    pub moved: Moved,
    /// A preview of a merge that can't be made: why (the merge itself answers 422 with these).
    pub blocked: Option<FieldErrors>,
}

/// What moves to the survivor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    pub conversations: i64,
    pub customer_requests: i64,
    pub emails: usize,
    pub phones: usize,
    pub websites: usize,
    pub external_ids: usize,
    pub notes: i64,
    /// Sources' contacts the survivor already has (the same normalized value): dropped.
    pub duplicate_contacts: usize,
}

/// Merges `request.from` into customer `target_id`, or with `preview` shows what that would do.
pub fn merge(
    conn: &mut DbConn,
    account: Scope,
    target_id: i64,
    request: &MergeRequest,
) -> Result<MergeOutcome, ApiError> {
    let mut ids = request.from.clone();
    ids.push(target_id);
    ids.sort_unstable();
    let lock = match request.preview {
        true => Lock::None,
        false => Lock::ForUpdate,
    };
    let found = customers::find_all(conn, account, &ids, lock)?;
    let Some(target) = found.iter().find(|c| c.id == target_id).cloned() else {
        return Err(missing(conn, account, target_id, Access::Write)?);
    };
    let sources = sources_in_order(conn, account, &request.from, &found)?;
    let source_ids: Vec<i64> = sources.iter().map(|c| c.id).collect();

    let mut blocked = FieldErrors::new();
    let contacts = contacts::of_customers(conn, account, &ids)?;
    let plan = plan_contacts(&target, &sources, contacts, &mut blocked);
    let external_ids = union_external_ids(&target, &sources, &mut blocked);
    let mut changes = field_changes(&target, &sources, request);
    let first_email = plan
        .kept
        .iter()
        .find(|c| c.kind == ContactKind::Email)
        .map(|c| c.value.as_str());
    let first_name = changes.first_name.clone().flatten();
    let last_name = changes.last_name.clone().flatten();
    changes.name = Some(display_name(
        first_name.as_deref(),
        last_name.as_deref(),
        first_email,
    ));
    let moved_ids = external_ids.len() - external_id::from_json(&target.external_ids).len();
    changes.external_ids = Some(external_id::to_json(&external_ids));
    let tags_before = tag::from_json(&target.tags);
    let tags_after = union_tags(&tags_before, &sources, &mut blocked);
    changes.tags = Some(tag::to_json(&tags_after));
    let (attributes, taken) = union_attributes(&target, &sources);
    changes.custom_attributes = Some(custom_attribute::to_json(&attributes));
    changes.updated_at = Some(db::now());

    let each = conversations::stats_of_each(conn, account, &ids)?;
    let moved = Moved {
        conversations: source_ids
            .iter()
            .filter_map(|id| each.get(id))
            .map(|(_, all)| all)
            .sum(),
        customer_requests: db::customer_requests::count_of(conn, account, &source_ids)?,
        emails: plan.moving_count(ContactKind::Email),
        phones: plan.moving_count(ContactKind::Phone),
        websites: plan.moving_count(ContactKind::Website),
        external_ids: moved_ids,
        notes: sources.iter().map(|c| c.notes_count).sum(),
        duplicate_contacts: plan.duplicates.len(),
    };

    if request.preview {
        let stats = each
            .values()
            .fold(ConversationStats::default(), |sum, (stats, _)| {
                sum.plus(*stats)
            });
        return Ok(MergeOutcome {
            record: CustomerRecord {
                customer: Customer {
                    notes_count: target.notes_count + moved.notes,
                    ..preview_of(&target, changes)
                },
                contacts: plan.kept,
                stats: Some(stats),
            },
            merged_ids: source_ids,
            moved,
            blocked: (!blocked.is_empty()).then_some(blocked),
        });
    }
    blocked.into_result(())?;

    let now = db::now();
    contacts::merge_into(conn, account, target_id, &plan.moving, &plan.duplicates)?;
    db::external_ids::move_all(conn, account, &source_ids, target_id)?;
    customers::move_belongings(conn, account, &source_ids, target_id, now)?;
    for (source, keys) in &taken {
        db::custom_attributes::move_customer_values(conn, account, *source, target_id, keys)?;
    }
    if moved.notes > 0 {
        db::notes::move_to(conn, account, &source_ids, target_id)?;
        db::notes::add_to_count(conn, account, Owner::Customer(target_id), moved.notes)?;
    }
    db::merges::record(conn, account, &source_ids, target_id, now)?;
    customers::remove_merged(conn, account, &source_ids)?;
    // The sources' tag rows went with them; the survivor carries the union.
    for source in &sources {
        let owner = Owner::Customer(source.id);
        db::tags::uncount(conn, account, owner, &tag::from_json(&source.tags))?;
    }
    let survivor = Owner::Customer(target_id);
    db::tags::replace(conn, account, survivor, &tags_before, &tags_after)?;
    customers::update(conn, account, target_id, &changes)?;
    db::accounts::add_customers(conn, account, -(source_ids.len() as i64))?;
    journal::merged(Kind::Customer, target_id, &source_ids);
    let record = load(conn, account, target_id)?;
    let terms = search_terms(&record.customer, &record.contacts);
    db::search_terms::rewrite(conn, account, target_id, &terms)?;
    // The sources' memberships of shared keys left with their rows: the survivor, now holding
    // their contacts (and perhaps another name), is noted with whoever else shares them.
    let moved_contacts: Vec<&Contact> = record
        .contacts
        .iter()
        .filter(|c| plan.moving.contains(&c.id))
        .collect();
    customer_duplicates::note_shared_keys(
        conn,
        account,
        &record.customer,
        &record.contacts,
        &moved_contacts,
        record.customer.name != target.name,
    )?;
    Ok(MergeOutcome {
        record,
        merged_ids: source_ids,
        moved,
        blocked: None,
    })
}

/// The sources as found, in the order the request listed them; one that is missing is a 422
/// naming its place in `from` (and the customer it was merged into, if it was).
fn sources_in_order(
    conn: &mut DbConn,
    account: Scope,
    from: &[i64],
    found: &[Customer],
) -> Result<Vec<Customer>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut sources = Vec::with_capacity(from.len());
    for (index, id) in from.iter().enumerate() {
        match found.iter().find(|c| c.id == *id) {
            Some(customer) => sources.push(customer.clone()),
            None => {
                let message = match db::merges::survivor_of(conn, account, *id)? {
                    Some(survivor) => format!("was already merged into customer {survivor}"),
                    None => "does not exist in this account".to_string(),
                };
                errors.add(format!("from.{index}"), message);
            }
        }
    }
    errors.into_result(sources).map_err(ApiError::from)
}

/// The survivor's contacts after the merge.
struct ContactPlan {
    /// Everything it will have, oldest first (sources' rows shown as the survivor's).
    kept: Vec<Contact>,
    /// Sources' rows that move to it.
    moving: Vec<i64>,
    /// `(dropped, kept)`: sources' rows whose value it already has.
    duplicates: Vec<(i64, i64)>,
}

impl ContactPlan {
    fn moving_count(&self, kind: ContactKind) -> usize {
        self.kept
            .iter()
            .filter(|c| c.kind == kind && self.moving.contains(&c.id))
            .count()
    }
}

/// The union of everyone's contacts, each value once (emails and phones by normalized value,
/// websites as written); the 15 / 25 / 150 limits are checked on the result.
fn plan_contacts(
    target: &Customer,
    sources: &[Customer],
    contacts: Vec<Contact>,
    blocked: &mut FieldErrors,
) -> ContactPlan {
    let mut by_customer: HashMap<i64, Vec<Contact>> = HashMap::new();
    for contact in contacts {
        by_customer
            .entry(contact.customer_id)
            .or_default()
            .push(contact);
    }
    let key = |c: &Contact| match c.kind {
        ContactKind::Website => (c.kind, c.value.clone()),
        _ => (c.kind, c.normalized.clone()),
    };
    let mut plan = ContactPlan {
        kept: by_customer.remove(&target.id).unwrap_or_default(),
        moving: Vec::new(),
        duplicates: Vec::new(),
    };
    let mut seen: HashMap<(ContactKind, String), i64> =
        plan.kept.iter().map(|c| (key(c), c.id)).collect();
    for source in sources {
        for mut contact in by_customer.remove(&source.id).unwrap_or_default() {
            match seen.get(&key(&contact)) {
                Some(kept) => plan.duplicates.push((contact.id, *kept)),
                None => {
                    seen.insert(key(&contact), contact.id);
                    plan.moving.push(contact.id);
                    contact.customer_id = target.id;
                    plan.kept.push(contact);
                }
            }
        }
    }
    plan.kept.sort_by_key(|c| c.id);
    for kind in ContactKind::ALL {
        let count = plan.kept.iter().filter(|c| c.kind == kind).count();
        if count > kind.limit() {
            blocked.add(
                kind.list(),
                format!(
                    "would have {count} {} after the merge: {} over the limit of {}",
                    kind.list(),
                    count - kind.limit(),
                    kind.limit()
                ),
            );
        }
    }
    plan
}

/// Everyone's external ids; two different ids from one source can't both be kept.
fn union_external_ids(
    target: &Customer,
    sources: &[Customer],
    blocked: &mut FieldErrors,
) -> ExternalIds {
    let mut union = external_id::from_json(&target.external_ids);
    let mut holder: HashMap<String, i64> = union.keys().map(|s| (s.clone(), target.id)).collect();
    for source in sources {
        for (name, value) in external_id::from_json(&source.external_ids) {
            match union.get(&name) {
                Some(kept) if *kept != value => blocked.add(
                    format!("external_ids.{name}"),
                    format!(
                        "differ: customer {} has {kept}, customer {} has {value}; remove one first",
                        holder[&name], source.id
                    ),
                ),
                Some(_) => {}
                None => {
                    holder.insert(name.clone(), source.id);
                    union.insert(name, value);
                }
            }
        }
    }
    union
}

/// The survivor's fields, each by its rule.
fn field_changes(
    target: &Customer,
    sources: &[Customer],
    request: &MergeRequest,
) -> CustomerChanges {
    fn chosen<'a, T: Clone + 'a>(
        rule: crate::domain::customer_merge::Rule,
        target: &'a Customer,
        sources: &'a [Customer],
        field: impl Fn(&'a Customer) -> Option<&'a T>,
    ) -> Option<Option<T>> {
        let candidate = |c: &'a Customer| Candidate {
            value: field(c),
            updated_at: c.updated_at,
        };
        let sources: Vec<Candidate<T>> = sources.iter().map(candidate).collect();
        Some(pick(rule, candidate(target), &sources).cloned())
    }
    CustomerChanges {
        first_name: chosen(request.rule("first_name"), target, sources, |c| {
            c.first_name.as_ref()
        }),
        last_name: chosen(request.rule("last_name"), target, sources, |c| {
            c.last_name.as_ref()
        }),
        company: chosen(request.rule("company"), target, sources, |c| {
            c.company.as_ref()
        }),
        avatar: chosen(request.rule("avatar"), target, sources, |c| {
            c.avatar.as_ref()
        }),
        company_id: chosen(request.rule("company_id"), target, sources, |c| {
            c.company_id.as_ref()
        }),
        ..CustomerChanges::default()
    }
}

/// The target with `changes` applied, as the merge would store it.
/// The target's custom attributes, plus each key it lacks from the first source (in the request's
/// order) that has it; and which keys each source gives.
fn union_attributes(
    target: &Customer,
    sources: &[Customer],
) -> (custom_attribute::Attributes, Vec<(i64, Vec<String>)>) {
    let mut all = custom_attribute::from_json(&target.custom_attributes);
    let mut taken = Vec::new();
    for source in sources {
        let mut keys = Vec::new();
        for (key, value) in custom_attribute::from_json(&source.custom_attributes) {
            if !all.contains_key(&key) {
                all.insert(key.clone(), value);
                keys.push(key);
            }
        }
        if !keys.is_empty() {
            taken.push((source.id, keys));
        }
    }
    (all, taken)
}

/// Every tag of the target and the sources, each once, sorted; past the limit, why.
fn union_tags(target: &[String], sources: &[Customer], blocked: &mut FieldErrors) -> Vec<String> {
    let mut all = target.to_vec();
    for source in sources {
        all.extend(tag::from_json(&source.tags));
    }
    all.sort();
    all.dedup();
    if tag::check_limit(all.len()).is_err() {
        let (count, max) = (all.len(), tag::MAX_TAGS);
        blocked.add(
            "tags",
            format!(
                "would have {count} tags after the merge: {} over the limit of {max}",
                count - max
            ),
        );
    }
    all
}

fn preview_of(target: &Customer, changes: CustomerChanges) -> Customer {
    let mut customer = target.clone();
    customer.first_name = changes.first_name.unwrap_or(customer.first_name);
    customer.last_name = changes.last_name.unwrap_or(customer.last_name);
    customer.company = changes.company.unwrap_or(customer.company);
    customer.avatar = changes.avatar.unwrap_or(customer.avatar);
    customer.company_id = changes.company_id.unwrap_or(customer.company_id);
    customer.name = changes.name.unwrap_or(customer.name);
    customer.external_ids = changes.external_ids.unwrap_or(customer.external_ids);
    customer.tags = changes.tags.unwrap_or(customer.tags);
    customer.custom_attributes = changes
        .custom_attributes
        .unwrap_or(customer.custom_attributes);
    customer.updated_at = changes.updated_at.unwrap_or(customer.updated_at);
    customer
}
