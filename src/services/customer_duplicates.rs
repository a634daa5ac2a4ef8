//! Duplicate candidates (issue 18): customers sharing an email's canonical form, a phone, or a
//! name at a company's email domain. Writes note the keys they make shared (`note_shared_keys`);
//! the lists read them back (see `db::duplicates`).

use std::collections::{BTreeMap, HashMap};

use crate::db::contacts::{self, Contact};
use crate::db::customers::{self, Customer};
use crate::db::duplicates;
use crate::db::{self, DbConn, Lock, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::duplicates::{
    combined_score, cursor_after, name_domain_key, DuplicatesQuery, Reason,
};
use crate::domain::public_email_domains::is_public_email_domain;
use crate::error::ApiError;
use crate::services::customers::{missing, Access, CustomerRecord};

/// Most customers shown per group, and most candidates shown for one customer.
pub const MAX_SHOWN: usize = 50;
/// Rounds of reading keys one list request may take to fill its page past keys no longer shared.
const MAX_ROUNDS: usize = 4;

/// After a write gave `customer` the contacts `new` (or a new name: `name_changed`), notes the
/// keys it now shares with another customer. Two index probes at most; none when nothing new
/// could match.
pub fn note_shared_keys(
    conn: &mut DbConn,
    account: Scope,
    customer: &Customer,
    contacts: &[Contact],
    new: &[&Contact],
    name_changed: bool,
) -> Result<(), ApiError> {
    let keys: Vec<String> = new
        .iter()
        .filter(|c| matches!(c.kind, ContactKind::Email | ContactKind::Phone))
        .map(|c| c.match_key.clone())
        .collect();
    let mut shared: Vec<(Reason, String)> =
        duplicates::sharing_contacts_with(conn, account, customer.id, &keys)?
            .into_iter()
            .map(|(_, kind, key)| (reason_of(kind), key))
            .collect();
    // The name counts only when the customer has one (else the name is an email).
    if customer.first_name.is_some() {
        let domains = match name_changed {
            true => company_domains(contacts.iter()),
            false => company_domains(new.iter().copied()),
        };
        for (_, domain) in
            duplicates::same_name_at(conn, account, customer.id, &customer.name, &domains)?
        {
            shared.push((Reason::NameDomain, name_domain_key(&customer.name, &domain)));
        }
    }
    shared.sort();
    shared.dedup();
    duplicates::note(conn, account, &shared, db::now())?;
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
    let mut found: Vec<(Reason, String, Vec<i64>)> = Vec::new();
    let mut more = false;
    for _ in 0..MAX_ROUNDS {
        let wanted = query.limit - found.len() as i64;
        let keys = duplicates::keys_page(conn, account, query.reason, after.as_ref(), wanted)?;
        more = keys.len() as i64 == wanted;
        after = keys.last().cloned().or(after);
        for reason in Reason::ALL {
            let of_reason: Vec<String> = keys
                .iter()
                .filter(|(r, _)| *r == reason)
                .map(|(_, k)| k.clone())
                .collect();
            let mut holders: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for (key, id) in duplicates::holders(conn, account, reason, &of_reason)? {
                holders.entry(key).or_default().push(id);
            }
            for (key, mut ids) in holders {
                ids.sort_unstable();
                ids.dedup();
                // No longer shared (merged or deleted since): skipped.
                if ids.len() > 1 {
                    found.push((reason, key, ids));
                }
            }
        }
        if !more || found.len() as i64 >= query.limit {
            break;
        }
    }
    // The keys' order in the table (by reason's text): what the cursor continues from.
    found.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
    let shown: Vec<i64> = {
        let mut ids: Vec<i64> = found
            .iter()
            .flat_map(|(_, _, ids)| ids.iter().take(MAX_SHOWN).copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let records = records_of(conn, account, &shown)?;
    let groups = found
        .into_iter()
        .map(|(reason, key, ids)| Group {
            reason,
            score: combined_score(&[reason]),
            customer_count: ids.len(),
            customers: ids
                .iter()
                .take(MAX_SHOWN)
                .filter_map(|id| records.get(id).cloned())
                .collect(),
            key,
        })
        .collect();
    let next = match (more, after) {
        (true, Some((reason, key))) => Some(cursor_after(reason, &key)),
        _ => None,
    };
    Ok((groups, next))
}

/// One candidate of `GET /customers/{id}/duplicates`.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub customer: CustomerRecord,
    pub reasons: Vec<Reason>,
    pub score: f64,
}

/// The customers that may be the same person as customer `id`, most likely first.
pub fn of_customer(conn: &mut DbConn, account: Scope, id: i64) -> Result<Vec<Candidate>, ApiError> {
    let Some((customer, contacts)) = customers::find_with_contacts(conn, account, id)? else {
        return Err(missing(conn, account, id, Access::Read)?);
    };
    let keys: Vec<String> = contacts
        .iter()
        .filter(|c| matches!(c.kind, ContactKind::Email | ContactKind::Phone))
        .map(|c| c.match_key.clone())
        .collect();
    let mut reasons: HashMap<i64, Vec<Reason>> = HashMap::new();
    for (other, kind, _) in duplicates::sharing_contacts_with(conn, account, id, &keys)? {
        reasons.entry(other).or_default().push(reason_of(kind));
    }
    if customer.first_name.is_some() {
        let domains = company_domains(contacts.iter());
        for (other, _) in duplicates::same_name_at(conn, account, id, &customer.name, &domains)? {
            reasons.entry(other).or_default().push(Reason::NameDomain);
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
    let ids: Vec<i64> = ranked.iter().map(|(id, _, _)| *id).collect();
    let mut records = records_of(conn, account, &ids)?;
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
