//! `supportdesk seed-data`: fills an account with generated customers, their contacts,
//! conversations, notes and tags, a batch per transaction (an interrupted run keeps whole batches only).

use std::collections::BTreeMap;

use crate::db::contacts::NewContact;
use crate::db::conversations::NewConversationRow;
use crate::db::custom_attributes::CustomerValueRow;
use crate::db::customers::NewCustomer;
use crate::db::notes::NewNote;
use crate::db::search_terms::TermRow;
use crate::db::{self, bulk, Db};
use crate::domain::contact::ContactKind;
use crate::domain::custom_attribute::{
    self, AttributeOwner, AttributeRule, AttributeValue, Attributes, DefinitionInput,
};
use crate::domain::duplicates::Reason;
use crate::domain::public_email_domains::PUBLIC_EMAIL_DOMAINS;
use crate::domain::sample_data::{SampleCustomer, SampleData, SAMPLE_ATTRIBUTES};
use crate::domain::search;
use crate::domain::tag;
use crate::domain::text_fold::sort_key;
use anyhow::{bail, Context};

/// Customers per transaction: large enough to amortize commits, small enough to show progress.
const BATCH: u64 = 1_000;

#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub account_id: i64,
    pub customers: u64,
    pub conversations_per_customer: u32,
    /// The generator's seed: the same seed on an empty database gives the same data.
    pub seed: u64,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SeedSummary {
    pub account_id: i64,
    pub customers: u64,
    pub contacts: u64,
    pub conversations: u64,
}

/// Defines the sample's custom attributes for customers, unless the account has them (seeding
/// twice); returns the rules their values are checked against.
fn define_sample_attributes(
    conn: &mut db::DbConn,
    scope: db::Scope,
) -> anyhow::Result<BTreeMap<String, AttributeRule>> {
    let defined = db::custom_attributes::rules(conn, scope, AttributeOwner::Customer)?;
    for (key, label, data_type, options) in SAMPLE_ATTRIBUTES {
        if defined.contains_key(*key) {
            continue;
        }
        let input = DefinitionInput {
            key: Some(key.to_string()),
            label: Some(label.to_string()),
            data_type: Some(*data_type),
            object_type: Some(AttributeOwner::Customer),
            options: (!options.is_empty()).then(|| options.iter().map(|o| o.to_string()).collect()),
        };
        db::custom_attributes::create(conn, scope, &input)?;
    }
    Ok(db::custom_attributes::rules(
        conn,
        scope,
        AttributeOwner::Customer,
    )?)
}

/// Runs the plan; `progress` hears how many customers are written so far.
pub fn seed(
    db: &Db,
    plan: &SeedPlan,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<SeedSummary> {
    let mut conn = db.get().context("cannot connect to the database")?;
    let conn = &mut *conn;
    let Some(account) = db::accounts::find(conn, plan.account_id)? else {
        bail!("no account with id {}", plan.account_id);
    };
    let scope = account.scope();
    let rules = define_sample_attributes(conn, scope)?;
    let first_n = bulk::last_customer_id(conn)? as u64 + 1;
    let mut data = SampleData::new(plan.seed, db::now());
    let mut summary = SeedSummary {
        account_id: plan.account_id,
        ..SeedSummary::default()
    };
    let mut done = 0;
    while done < plan.customers {
        let size = BATCH.min(plan.customers - done);
        let batch: Vec<SampleCustomer> = (0..size)
            .map(|i| data.customer(first_n + done + i, plan.conversations_per_customer))
            .collect();
        let (contacts, conversations) =
            conn.transaction(|conn| write_batch(conn, scope, &rules, &batch))?;
        done += size;
        summary.customers = done;
        summary.contacts += contacts;
        summary.conversations += conversations;
        progress(done);
    }
    // Statistics first: the grouping scan below is planned with them. Both are whole-account
    // work, so on a connection without the request-sized time bound.
    let mut unbounded = db
        .connect_unbounded()
        .context("cannot connect to the database")?;
    bulk::analyze(&mut unbounded)?;
    note_duplicates(&mut unbounded, scope)?;
    Ok(summary)
}

/// Notes the keys the account's customers now share, as the API's writes do one by one (see
/// `services::customer_duplicates`): one grouping scan of the account after the bulk load.
fn note_duplicates(conn: &mut db::DbConn, scope: db::Scope) -> db::Result<()> {
    let members = db::duplicates::all_shared(conn, scope, PUBLIC_EMAIL_DOMAINS)?;
    let mut keys: Vec<(Reason, String)> = members.iter().map(|(r, k, _)| (*r, k.clone())).collect();
    keys.sort();
    keys.dedup();
    let now = db::now();
    for chunk in keys.chunks(BATCH as usize) {
        conn.transaction(|conn| db::duplicates::register(conn, scope, chunk, now))?;
    }
    for chunk in members.chunks(BATCH as usize) {
        conn.transaction(|conn| db::duplicates::note(conn, scope, chunk, now))?;
    }
    Ok(())
}

/// Writes one batch in six statements (or a few more for large batches): customers, their
/// contacts, conversations, notes and tags, and the tags' counts. Returns how many contacts and conversations it wrote.
fn write_batch(
    conn: &mut db::DbConn,
    scope: db::Scope,
    rules: &BTreeMap<String, AttributeRule>,
    batch: &[SampleCustomer],
) -> db::Result<(u64, u64)> {
    let account_id = scope.account_id();
    let tags_json: Vec<String> = batch.iter().map(|c| tag::to_json(&c.tags)).collect();
    // Each customer's custom attributes, checked as an API write checks them.
    let attributes: Vec<Vec<(&str, AttributeValue)>> = batch
        .iter()
        .map(|c| {
            c.attributes
                .iter()
                .filter_map(|(key, value)| Some((*key, rules.get(*key)?.check(value).ok()?)))
                .collect()
        })
        .collect();
    let attributes_json: Vec<String> = attributes
        .iter()
        .map(|values| {
            let shown: Attributes = values
                .iter()
                .map(|(key, v)| (key.to_string(), v.json.clone()))
                .collect();
            custom_attribute::to_json(&shown)
        })
        .collect();
    let customers: Vec<NewCustomer> = batch
        .iter()
        .zip(&tags_json)
        .zip(&attributes_json)
        .map(|((c, tags), custom_attributes)| NewCustomer {
            account_id,
            first_name: Some(&c.first_name),
            last_name: Some(&c.last_name),
            company: c.company.as_deref(),
            avatar: None,
            name: &c.name,
            company_id: None,
            external_ids: "{}",
            created_at: c.created_at,
            updated_at: c.updated_at,
            notes_count: c.notes.len() as i64,
            tags,
            sort_name: sort_key(&c.name),
            custom_attributes,
        })
        .collect();
    db::accounts::add_customers(conn, scope, batch.len() as i64)?;
    let customer_ids = bulk::insert_customers(conn, &customers)?;

    let contacts: Vec<NewContact> = batch
        .iter()
        .zip(&customer_ids)
        .flat_map(|(c, &customer_id)| {
            c.contacts.iter().map(move |(kind, value)| NewContact {
                account_id,
                customer_id,
                kind: *kind,
                value: &value.value,
                normalized: &value.normalized,
                domain: &value.domain,
                match_key: &value.match_key,
                created_at: c.created_at,
            })
        })
        .collect();
    let contact_ids = bulk::insert_contacts(conn, &contacts)?;
    let terms: Vec<TermRow> = batch
        .iter()
        .zip(&customer_ids)
        .flat_map(|(c, &customer_id)| {
            let contacts = c.contacts.iter().map(|(kind, v)| (*kind, v.value.as_str()));
            search::terms(
                Some(&c.first_name),
                Some(&c.last_name),
                c.company.as_deref(),
                contacts,
            )
            .into_iter()
            .map(move |term| (account_id, term, customer_id))
        })
        .collect();
    db::search_terms::insert(conn, &terms)?;
    let values: Vec<CustomerValueRow> = attributes
        .iter()
        .zip(&customer_ids)
        .flat_map(|(values, &customer_id)| {
            values.iter().map(move |(key, v)| {
                (
                    customer_id,
                    key.to_string(),
                    account_id,
                    v.text.clone(),
                    v.number,
                )
            })
        })
        .collect();
    db::custom_attributes::insert_customer_values(conn, scope, &values)?;
    // A conversation is addressed to its customer's first email (every sample has one, listed first).
    let mut first_email_ids = Vec::with_capacity(batch.len());
    let mut next = 0;
    for customer in batch {
        debug_assert_eq!(customer.contacts[0].0, ContactKind::Email);
        first_email_ids.push(contact_ids[next]);
        next += customer.contacts.len();
    }

    let count: usize = batch.iter().map(|c| c.conversations.len()).sum();
    let mut number = match count {
        0 => 0,
        n => db::conversations::reserve_numbers(conn, scope, n as i64)?,
    };
    let mut conversations = Vec::with_capacity(count);
    for ((customer, &customer_id), &contact_id) in
        batch.iter().zip(&customer_ids).zip(&first_email_ids)
    {
        for c in &customer.conversations {
            conversations.push(NewConversationRow {
                account_id,
                number,
                customer_id: Some(customer_id),
                customer_contact_id: Some(contact_id),
                user_id: None,
                channel: c.channel,
                status: c.status,
                subject: Some(&c.subject),
                fingerprint_hash: None,
                interactions_count: 0,
                created_at: c.created_at,
                updated_at: c.created_at,
            });
            number += 1;
        }
    }
    bulk::insert_conversations(conn, &conversations)?;

    let notes: Vec<NewNote> = batch
        .iter()
        .zip(&customer_ids)
        .flat_map(|(c, &customer_id)| {
            c.notes.iter().map(move |note| NewNote {
                account_id,
                customer_id: Some(customer_id),
                body: &note.body,
                created_at: note.created_at,
                updated_at: note.created_at,
            })
        })
        .collect();
    bulk::insert_notes(conn, &notes)?;

    let tagged: Vec<(i64, &str, i64)> = batch
        .iter()
        .zip(&customer_ids)
        .flat_map(|(c, &customer_id)| {
            c.tags
                .iter()
                .map(move |tag| (account_id, tag.as_str(), customer_id))
        })
        .collect();
    bulk::insert_customer_tags(conn, &tagged)?;
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for (_, tag, _) in &tagged {
        *counts.entry(tag).or_default() += 1;
    }
    let counts: Vec<(String, i64, i64)> = counts
        .into_iter()
        .map(|(tag, n)| (tag.to_string(), n, 0))
        .collect();
    db::tags::add_counts(conn, scope, &counts)?;
    Ok((contacts.len() as u64, conversations.len() as u64))
}
