//! Conversations and their interactions (SPEC §5), for agents and contact-form guests.

use crate::db::contacts;
use crate::db::conversations::{self, ConversationRow, ConversationUpdate, NewConversationRow};
use crate::db::interactions::{self, Interaction, NewInteraction, Visibility};
use crate::db::{self, users, DbConn, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::conversation::{
    ConversationChanges, CustomerRef, InteractionInput, InteractionType, NewConversation, Status,
};
use crate::domain::conversation_list::{ConversationListQuery, INTERACTION_SORT};
use crate::domain::cursor::Cursor;
use crate::domain::customer::{ContactItem, CustomerInput};
use crate::domain::input::Patch;
use crate::domain::paging::{Page, Window};
use crate::domain::{EmailAddress, Identity};
use crate::error::{ApiError, FieldErrors};
use crate::services::customers;

/// A guest asking for what is not theirs gets the same answer as a bad credential.
fn guest_refused() -> ApiError {
    ApiError::Unauthorized("This conversation is not available to these credentials.".into())
}

/// Opens a conversation, creating its customer when the email is new to the account, with its
/// first interactions; all or nothing.
pub fn create(
    conn: &mut DbConn,
    account: Scope,
    caller: &Identity,
    input: NewConversation,
) -> Result<ConversationRow, ApiError> {
    if let Identity::Guest { email, .. } = caller {
        check_guest_request(email, &input)?;
    }
    let customer_ref = match (&input.customer, caller) {
        (_, Identity::Guest { email, .. }) => CustomerRef::Email(email.clone(), "to"),
        (Some(reference), _) => reference.clone(),
        (None, _) => {
            return Err(ApiError::field(
                "customer_email",
                "is required (or customer_id)",
            ))
        }
    };
    let (customer_id, contact_id) = resolve_customer(conn, account, &customer_ref, &input)?;
    if let Some(user_id) = input.user_id {
        require_member(conn, account, user_id, "user_id")?;
    }
    let number = conversations::next_number(conn, account)?;
    let now = db::now();
    let fingerprint_hash = match caller {
        Identity::Guest {
            fingerprint_hash, ..
        } => Some(fingerprint_hash.as_str()),
        Identity::Agent { .. } => None,
    };
    let conversation = conversations::insert(
        conn,
        &NewConversationRow {
            account_id: account.account_id(),
            number,
            customer_id: Some(customer_id),
            customer_contact_id: contact_id,
            user_id: input.user_id,
            channel: input.channel,
            status: input.status,
            subject: input.subject.as_deref(),
            fingerprint_hash,
            interactions_count: input.interactions.len() as i64,
            created_at: now,
            updated_at: now,
        },
    )?;
    insert_interactions(conn, account, conversation.id, caller, &input.interactions)?;
    find(conn, account, conversation.id)
}

/// Guests write as the customer their fingerprint names, and nothing more.
fn check_guest_request(email: &EmailAddress, input: &NewConversation) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    match &input.customer {
        Some(CustomerRef::Email(given, key)) if given.normalized() != email.normalized() => {
            errors.add(*key, "must be the email of the fingerprint");
        }
        Some(CustomerRef::Id(_)) => {
            errors.add("customer_id", "is not accepted from a contact form")
        }
        _ => {}
    }
    if input.user_id.is_some() {
        errors.add("user_id", "is not accepted from a contact form");
    }
    if input.status != Status::Posted {
        errors.add("status", "must be posted for a contact form");
    }
    for (index, interaction) in input.interactions.iter().enumerate() {
        if interaction.kind != InteractionType::Customer {
            errors.add(
                format!("interactions.{index}.type"),
                "must be customer for a contact form",
            );
        }
    }
    Ok(errors.into_result(())?)
}

/// The customer and email row a conversation is with: by id (then its first email), or by email,
/// creating the customer when no customer of the account has it.
fn resolve_customer(
    conn: &mut DbConn,
    account: Scope,
    reference: &CustomerRef,
    input: &NewConversation,
) -> Result<(i64, Option<i64>), ApiError> {
    match reference {
        CustomerRef::Id(id) => {
            let record = customers::find_with_contacts(conn, account, *id)?
                .ok_or_else(|| ApiError::field("customer_id", "does not exist in this account"))?;
            let first_email = record
                .contacts
                .iter()
                .find(|c| c.kind == ContactKind::Email);
            Ok((*id, first_email.map(|c| c.id)))
        }
        CustomerRef::Email(email, _) => {
            if let Some(found) = email_owner(conn, account, email)? {
                return Ok(found);
            }
            let new_customer = CustomerInput {
                first_name: input.first_name.clone().map_or(Patch::Absent, Patch::Set),
                last_name: input.last_name.clone().map_or(Patch::Absent, Patch::Set),
                company: Patch::Absent,
                avatar: Patch::Absent,
                company_id: Patch::Absent,
                external_ids: Patch::Absent,
                tags: None,
                custom_attributes: Patch::Absent,
                contacts: vec![ContactItem {
                    kind: ContactKind::Email,
                    index: 0,
                    id: None,
                    value: ContactKind::Email
                        .parse_value(email.as_str())
                        .map_err(|e| {
                            ApiError::internal(format!("a parsed email failed to parse: {e}"))
                        })?,
                }],
            };
            // A concurrent request may create the same customer first (its email then reads as
            // taken): use theirs.
            match conn.savepoint(|conn| customers::create(conn, account, &new_customer)) {
                Ok(record) => Ok((record.customer.id, record.contacts.first().map(|c| c.id))),
                Err(ApiError::Validation(_) | ApiError::Taken { .. }) => {
                    email_owner(conn, account, email)?
                        .ok_or_else(|| ApiError::internal("an email both taken and missing"))
                }
                Err(other) => Err(other),
            }
        }
    }
}

/// The customer and email row holding `email` in the account, if any.
fn email_owner(
    conn: &mut DbConn,
    account: Scope,
    email: &EmailAddress,
) -> Result<Option<(i64, Option<i64>)>, ApiError> {
    let rows = contacts::emails_in_use(conn, account, &[email.normalized()])?;
    Ok(rows.first().map(|row| (row.customer_id, Some(row.id))))
}

fn require_member(
    conn: &mut DbConn,
    account: Scope,
    user_id: i64,
    path: &str,
) -> Result<(), ApiError> {
    match users::is_member(conn, account, user_id)? {
        true => Ok(()),
        false => Err(ApiError::field(path, "is not a member of this account")),
    }
}

fn insert_interactions(
    conn: &mut DbConn,
    account: Scope,
    conversation_id: i64,
    caller: &Identity,
    inputs: &[InteractionInput],
) -> Result<(), ApiError> {
    let rows: Vec<NewInteraction> = inputs
        .iter()
        .map(|input| interaction_row(account, conversation_id, caller, input))
        .collect();
    Ok(interactions::insert_all(conn, &rows)?)
}

fn interaction_row<'a>(
    account: Scope,
    conversation_id: i64,
    caller: &Identity,
    input: &'a InteractionInput,
) -> NewInteraction<'a> {
    let now = db::now();
    NewInteraction {
        account_id: account.account_id(),
        conversation_id,
        kind: input.kind,
        body: &input.body,
        source: input.source.as_deref(),
        // Agents' replies and notes are signed by the token's user; customers' messages are not.
        user_id: match (caller, input.kind) {
            (Identity::Agent { user_id }, InteractionType::Agent | InteractionType::Note) => {
                Some(*user_id)
            }
            _ => None,
        },
        created_at: now,
        updated_at: now,
    }
}

fn find(conn: &mut DbConn, account: Scope, id: i64) -> Result<ConversationRow, ApiError> {
    conversations::find(conn, account, id)?.ok_or_else(ApiError::not_found)
}

/// A conversation the caller may see: any of the account's for agents; for guests, only one
/// opened with the same fingerprint (anything else is a 401, as for bad credentials).
pub fn load(
    conn: &mut DbConn,
    account: Scope,
    caller: &Identity,
    id: i64,
) -> Result<ConversationRow, ApiError> {
    let found = conversations::find(conn, account, id)?;
    match (caller, found) {
        (Identity::Agent { .. }, Some(row)) => Ok(row),
        (Identity::Agent { .. }, None) => Err(ApiError::not_found()),
        (
            Identity::Guest {
                fingerprint_hash, ..
            },
            Some(row),
        ) if row.conversation.fingerprint_hash.as_ref() == Some(fingerprint_hash) => {
            // Notes are invisible to guests, and so is how many there are.
            let mut row = row;
            row.conversation.interactions_count =
                interactions::count_without_notes(conn, account, id)?;
            Ok(row)
        }
        (Identity::Guest { .. }, _) => Err(guest_refused()),
    }
}

/// Applies a PUT or PATCH (status, subject, user_id, channel).
pub fn update(
    conn: &mut DbConn,
    account: Scope,
    id: i64,
    changes: &ConversationChanges,
) -> Result<ConversationRow, ApiError> {
    let current = find(conn, account, id)?;
    if let Some(Some(user_id)) = changes.user_id {
        require_member(conn, account, user_id, "user_id")?;
    }
    let mut update = ConversationUpdate {
        status: changes.status,
        channel: changes.channel,
        subject: changes.subject.clone(),
        user_id: changes.user_id,
        updated_at: None,
    };
    // A write that changes nothing writes nothing: `updated_at` and the ETag stay.
    if !update.alters(&current.conversation) {
        return Ok(current);
    }
    update.updated_at = Some(db::now());
    conversations::update(conn, account, id, &update)?;
    find(conn, account, id)
}

pub fn delete(conn: &mut DbConn, account: Scope, id: i64) -> Result<(), ApiError> {
    match conversations::delete(conn, account, id)? {
        true => Ok(()),
        false => Err(ApiError::not_found()),
    }
}

pub fn list(
    conn: &mut DbConn,
    account: Scope,
    query: &ConversationListQuery,
) -> Result<Page<ConversationRow>, ApiError> {
    let (total, rows) = conversations::list(conn, account, query)?;
    let sort = query.sort;
    Ok(Page::new(rows, total, &query.window, |row| {
        let last = &row.conversation;
        let at = match sort.by_update() {
            true => last.updated_at,
            false => last.created_at,
        };
        Cursor::after_time(sort.as_str(), at, last.id)
    }))
}

/// What a reader may see of a conversation's interactions.
fn visibility(caller: &Identity) -> Visibility {
    if caller.is_guest() {
        Visibility::WithoutNotes
    } else {
        Visibility::All
    }
}

/// A page of a conversation's interactions, oldest first.
pub fn list_interactions(
    conn: &mut DbConn,
    account: Scope,
    caller: &Identity,
    conversation_id: i64,
    window: &Window,
) -> Result<Page<Interaction>, ApiError> {
    load(conn, account, caller, conversation_id)?;
    let (total, rows) =
        interactions::list(conn, account, conversation_id, visibility(caller), window)?;
    Ok(Page::new(rows, total, window, |last| {
        Cursor::after_id(INTERACTION_SORT, last.id)
    }))
}

/// One interaction, for members.
pub fn load_interaction(
    conn: &mut DbConn,
    account: Scope,
    conversation_id: i64,
    id: i64,
) -> Result<Interaction, ApiError> {
    interactions::find(conn, account, conversation_id, id)?.ok_or_else(ApiError::not_found)
}

/// Adds a message; guests may add only the customer's.
pub fn add_interaction(
    conn: &mut DbConn,
    account: Scope,
    caller: &Identity,
    conversation_id: i64,
    input: &InteractionInput,
) -> Result<Interaction, ApiError> {
    load(conn, account, caller, conversation_id)?;
    if caller.is_guest() && input.kind != InteractionType::Customer {
        return Err(ApiError::field(
            "type",
            "must be customer for a contact form",
        ));
    }
    let created = interactions::insert_one(
        conn,
        &interaction_row(account, conversation_id, caller, input),
    )?;
    conversations::count_interactions(conn, account, conversation_id, 1)?;
    Ok(created)
}

pub fn delete_interaction(
    conn: &mut DbConn,
    account: Scope,
    conversation_id: i64,
    id: i64,
) -> Result<(), ApiError> {
    find(conn, account, conversation_id)?;
    if !interactions::delete(conn, account, conversation_id, id)? {
        return Err(ApiError::not_found());
    }
    conversations::count_interactions(conn, account, conversation_id, -1)?;
    Ok(())
}
