//! Duplicate candidates (issue 18): customers sharing an email's canonical form, a phone, or a
//! name at a company's email domain. Writes note the keys they make shared (`note_shared_keys`);
//! the lists read them back (see `db::duplicates`).

use std::collections::HashMap;

use crate::db::contacts::{self, Contact};
use crate::db::customers::{self, Customer};
use crate::db::duplicates;
use crate::db::{self, DbConn, Lock, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::duplicates::{
    combined_score, cursor_after, name_domain_key, split_name_domain_key, DuplicatesQuery, Reason,
};
use crate::domain::public_email_domains::is_public_email_domain;
use crate::domain::text_fold::sort_key;
use crate::error::ApiError;
use crate::services::customers::{missing, Access, CustomerRecord};

/// Most customers shown per group, and most candidates shown for one customer.
pub const MAX_SHOWN: usize = 50;
/// Rounds of reading keys one list request may take to fill its page past keys no longer shared.
const MAX_ROUNDS: usize = 4;

/// After a write gave `customer` the contacts `new` (or a new name: `name_changed`), notes it as
/// a member of each key it now shares with another customer. A key already known to be shared
/// is joined without reading its holders (a phone a thousand customers share costs what a new
/// one does); for the others, one probe finds another holder, if any. Two or three index probes
/// in all; none when nothing new could match.
pub fn note_shared_keys(
    conn: &mut DbConn,
    account: Scope,
    customer: &Customer,
    contacts: &[Contact],
    new: &[&Contact],
    name_changed: bool,
) -> Result<(), ApiError> {
    let contact_keys: Vec<(Reason, String)> = new
        .iter()
        .filter(|c| matches!(c.kind, ContactKind::Email | ContactKind::Phone))
        .map(|c| (reason_of(c.kind), c.match_key.clone()))
        .collect();
    // The name counts only when the customer has one (else the name is an email).
    let name_domains = match (customer.first_name.is_some(), name_changed) {
        (false, _) => Vec::new(),
        (true, true) => company_domains(contacts.iter()),
        (true, false) => company_domains(new.iter().copied()),
    };
    let name_keys: Vec<(Reason, String)> = name_domains
        .iter()
        .map(|domain| {
            (
                Reason::NameDomain,
                name_domain_key(&customer.sort_name, domain),
            )
        })
        .collect();
    if contact_keys.is_empty() && name_keys.is_empty() {
        return Ok(());
    }
    let all: Vec<String> = contact_keys
        .iter()
        .chain(&name_keys)
        .map(|(_, key)| key.clone())
        .collect();
    let known = duplicates::registered(conn, account, &all)?;
    let is_known = |reason: Reason, key: &str| known.iter().any(|(r, k)| *r == reason && k == key);
    let mut members: Vec<(Reason, String, i64)> = known
        .iter()
        .filter(|(r, k)| {
            contact_keys
                .iter()
                .chain(&name_keys)
                .any(|(cr, ck)| cr == r && ck == k)
        })
        .map(|(reason, key)| (*reason, key.clone(), customer.id))
        .collect();
    let mut newly_shared: Vec<(Reason, String)> = Vec::new();
    let unknown: Vec<String> = contact_keys
        .iter()
        .filter(|(reason, key)| !is_known(*reason, key))
        .map(|(_, key)| key.clone())
        .collect();
    for (kind, key, other) in duplicates::other_holders(conn, account, customer.id, &unknown)? {
        let reason = reason_of(kind);
        members.push((reason, key.clone(), other));
        members.push((reason, key.clone(), customer.id));
        newly_shared.push((reason, key));
    }
    let unknown_domains: Vec<String> = name_domains
        .into_iter()
        .filter(|domain| {
            !is_known(
                Reason::NameDomain,
                &name_domain_key(&customer.sort_name, domain),
            )
        })
        .collect();
    for (other, domain) in duplicates::same_name_at(
        conn,
        account,
        customer.id,
        &customer.sort_name,
        &unknown_domains,
    )? {
        let key = name_domain_key(&customer.sort_name, &domain);
        members.push((Reason::NameDomain, key.clone(), other));
        members.push((Reason::NameDomain, key.clone(), customer.id));
        newly_shared.push((Reason::NameDomain, key));
    }
    newly_shared.sort();
    newly_shared.dedup();
    members.sort();
    members.dedup();
    let now = db::now();
    duplicates::register(conn, account, &newly_shared, now)?;
    duplicates::note(conn, account, &members, now)?;
    Ok(())
}

/// The domains of these emails that may be a company's (public email providers aside), each once.
fn company_domains<'a>(contacts: impl Iterator<Item = &'a Contact>) -> Vec<String> {
    let mut domains: Vec<String> = contacts
        .filter(|c| c.kind == ContactKind::Email && !is_public_email_domain(&c.domain))
        .map(|c| c.domain.clone())
        .collect();
    domains.sort();
    domains.dedup();
    domains
}

fn reason_of(kind: ContactKind) -> Reason {
    match kind {
        ContactKind::Phone => Reason::Phone,
        _ => Reason::Email,
    }
}

/// One group of `GET /customers/duplicates`.
#[derive(Debug, Clone)]
pub struct Group {
    pub reason: Reason,
    pub key: String,
    pub score: f64,
    /// By id; at most [`MAX_SHOWN`].
    pub customers: Vec<CustomerRecord>,
    pub customer_count: usize,
}

/// A page of groups, and the cursor after it when more keys follow.
pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &DuplicatesQuery,
) -> Result<(Vec<Group>, Option<String>), ApiError> {
    let mut after = query.after.clone();
    let mut found: Vec<(Reason, String, Vec<CustomerRecord>)> = Vec::new();
    let mut more = false;
    for _ in 0..MAX_ROUNDS {
        let wanted = query.limit - found.len() as i64;
        let keys = duplicates::keys_page(conn, account, query.reason, after.as_ref(), wanted)?;
        more = keys.len() as i64 == wanted;
        after = keys.last().cloned().or(after);
        let members = members_of(conn, account, &keys)?;
        let mut ids: Vec<i64> = members.iter().map(|(_, _, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let records = records_of(conn, account, &ids)?;
        for (reason, key) in keys {
            let mut holders: Vec<CustomerRecord> = members
                .iter()
                .filter(|(r, k, _)| *r == reason && *k == key)
                .filter_map(|(_, _, id)| records.get(id))
                // A member that no longer holds the key (renamed, the email removed) is skipped.
                .filter(|record| holds(record, reason, &key))
                .cloned()
                .collect();
            holders.sort_by_key(|r| r.customer.id);
            if holders.len() > 1 {
                found.push((reason, key, holders));
            }
        }
        if !more || found.len() as i64 >= query.limit {
            break;
        }
    }
    let groups = found
        .into_iter()
        .map(|(reason, key, mut customers)| {
            let customer_count = customers.len();
            customers.truncate(MAX_SHOWN);
            Group {
                reason,
                key,
                score: combined_score(&[reason]),
                customers,
                customer_count,
            }
        })
        .collect();
    let next = match (more, after) {
        (true, Some((reason, key))) => Some(cursor_after(reason, &key)),
        _ => None,
    };
    Ok((groups, next))
}

/// The noted members of `keys`: `(reason, key, customer_id)`; a statement per reason present.
fn members_of(
    conn: &mut DbConn,
    account: Scope,
    keys: &[(Reason, String)],
) -> Result<Vec<(Reason, String, i64)>, ApiError> {
    let mut members = Vec::new();
    for reason in Reason::ALL {
        let of_reason: Vec<String> = keys
            .iter()
            .filter(|(r, _)| *r == reason)
            .map(|(_, k)| k.clone())
            .collect();
        for (key, id) in duplicates::members(conn, account, reason, &of_reason)? {
            members.push((reason, key, id));
        }
    }
    Ok(members)
}

/// Whether the customer holds the key now.
fn holds(record: &CustomerRecord, reason: Reason, key: &str) -> bool {
    let has = |kind: ContactKind| {
        record
            .contacts
            .iter()
            .any(|c| c.kind == kind && c.match_key == key)
    };
    match reason {
        Reason::Email => has(ContactKind::Email),
        Reason::Phone => has(ContactKind::Phone),
        // Keys noted before names were folded hold the name as written: folding it again
        // gives the sort key either way.
        Reason::NameDomain => split_name_domain_key(key).is_some_and(|(name, domain)| {
            record.customer.first_name.is_some()
                && record.customer.sort_name == sort_key(name)
                && record
                    .contacts
                    .iter()
                    .any(|c| c.kind == ContactKind::Email && c.domain == domain)
        }),
    }
}

/// One candidate of `GET /customers/{id}/duplicates`.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub customer: CustomerRecord,
    pub reasons: Vec<Reason>,
    pub score: f64,
}

/// The customers that may be the same person as customer `id`, most likely first: the other
/// members of the keys it was noted with, each still holding the key.
pub fn of_customer(conn: &mut DbConn, account: Scope, id: i64) -> Result<Vec<Candidate>, ApiError> {
    let Some((customer, contacts)) = customers::find_with_contacts(conn, account, id)? else {
        return Err(missing(conn, account, id, Access::Read)?);
    };
    let this = CustomerRecord {
        customer,
        contacts,
        stats: None,
    };
    let keys: Vec<(Reason, String)> = duplicates::keys_of(conn, account, id)?
        .into_iter()
        .filter(|(reason, key)| holds(&this, *reason, key))
        .collect();
    let members: Vec<(Reason, String, i64)> = members_of(conn, account, &keys)?
        .into_iter()
        .filter(|(_, _, other)| *other != id)
        .collect();
    let mut ids: Vec<i64> = members.iter().map(|(_, _, other)| *other).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut records = records_of(conn, account, &ids)?;
    let mut reasons: HashMap<i64, Vec<Reason>> = HashMap::new();
    for (reason, key, other) in &members {
        if records.get(other).is_some_and(|r| holds(r, *reason, key)) {
            reasons.entry(*other).or_default().push(*reason);
        }
    }
    let mut ranked: Vec<(i64, Vec<Reason>, f64)> = reasons
        .into_iter()
        .map(|(other, mut reasons)| {
            reasons.sort();
            reasons.dedup();
            let score = combined_score(&reasons);
            (other, reasons, score)
        })
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    ranked.truncate(MAX_SHOWN);
    Ok(ranked
        .into_iter()
        .filter_map(|(other, reasons, score)| {
            Some(Candidate {
                customer: records.remove(&other)?,
                reasons,
                score,
            })
        })
        .collect())
}

/// Customers with their contacts (no stats), by id: two statements.
fn records_of(
    conn: &mut DbConn,
    account: Scope,
    ids: &[i64],
) -> Result<HashMap<i64, CustomerRecord>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut records: HashMap<i64, CustomerRecord> =
        customers::find_all(conn, account, ids, Lock::None)?
            .into_iter()
            .map(|customer| {
                (
                    customer.id,
                    CustomerRecord {
                        customer,
                        contacts: Vec::new(),
                        stats: None,
                    },
                )
            })
            .collect();
    for contact in contacts::of_customers(conn, account, ids)? {
        if let Some(record) = records.get_mut(&contact.customer_id) {
            record.contacts.push(contact);
        }
    }
    Ok(records)
}
