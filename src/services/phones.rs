//! Phones compared in the account's region (see `domain::phone`): a body's phones keyed before
//! they are written or looked up, and every stored phone keyed again when the region changes.

use std::borrow::Cow;

use crate::db::{self, contacts, DbConn, Scope};
use crate::domain::contact::ContactKind;
use crate::domain::customer::CustomerInput;
use crate::domain::duplicates::Reason;
use crate::domain::phone::{phone_key, PhoneRegion};
use crate::domain::public_email_domains::PUBLIC_EMAIL_DOMAINS;
use crate::error::ApiError;

/// The body with its phones keyed in `region` (as parsed, by digits, when there is none).
pub fn keyed(input: &CustomerInput, region: Option<PhoneRegion>) -> Cow<'_, CustomerInput> {
    if region.is_none() {
        return Cow::Borrowed(input);
    }
    let mut keyed = input.clone();
    for item in keyed
        .contacts
        .iter_mut()
        .filter(|c| c.kind == ContactKind::Phone)
    {
        let key = phone_key(&item.value.value, region);
        item.value.normalized = key.clone();
        item.value.match_key = key;
    }
    Cow::Owned(keyed)
}

/// Keys every phone of the account for `region` (after the account's region changed), and
/// notes the phones customers share now. Returns how many phones changed. A pass over the
/// account's phones, in the request that changes the region.
pub fn rekey_all(
    conn: &mut DbConn,
    account: Scope,
    region: Option<PhoneRegion>,
) -> Result<usize, ApiError> {
    let mut changed = 0;
    for (id, value, key) in contacts::phones_of_account(conn, account)? {
        let new_key = phone_key(&value, region);
        if new_key != key {
            contacts::set_phone_key(conn, account, id, &new_key)?;
            changed += 1;
        }
    }
    if changed > 0 {
        let phones: Vec<(Reason, String, i64)> =
            db::duplicates::all_shared(conn, account, PUBLIC_EMAIL_DOMAINS)?
                .into_iter()
                .filter(|(reason, _, _)| *reason == Reason::Phone)
                .collect();
        let mut keys: Vec<(Reason, String)> =
            phones.iter().map(|(r, k, _)| (*r, k.clone())).collect();
        keys.sort();
        keys.dedup();
        db::duplicates::register(conn, account, &keys, db::now())?;
        db::duplicates::note(conn, account, &phones, db::now())?;
    }
    Ok(changed)
}
