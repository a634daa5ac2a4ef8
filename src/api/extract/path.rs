//! Typed paths. Every `{…id}` segment is a positive 64-bit integer; a path with anything else
//! there names nothing, so it is a 404 like an unknown route (see [`not_found`], installed for
//! every route by `routes::configure`), before any credentials are looked at.

use actix_web::{error, HttpRequest};
use serde::{Deserialize, Deserializer};

use crate::domain::contact::ContactKind;
use crate::error::ApiError;

/// `…/{id}`: one object of the path's account.
#[derive(Debug, Deserialize)]
pub struct ItemPath {
    #[serde(deserialize_with = "positive")]
    pub id: i64,
}

/// `…/conversations/{id}/interactions/{interaction_id}`.
#[derive(Debug, Deserialize)]
pub struct InteractionPath {
    #[serde(deserialize_with = "positive")]
    pub id: i64,
    #[serde(deserialize_with = "positive")]
    pub interaction_id: i64,
}

/// `…/customers/{id}/notes/{note_id}` (and a company's).
#[derive(Debug, Deserialize)]
pub struct NotePath {
    #[serde(deserialize_with = "positive")]
    pub id: i64,
    #[serde(deserialize_with = "positive")]
    pub note_id: i64,
}

/// `…/webhook_endpoints/{id}/deliveries/{delivery_id}…`.
#[derive(Debug, Deserialize)]
pub struct DeliveryPath {
    #[serde(deserialize_with = "positive")]
    pub id: i64,
    #[serde(deserialize_with = "positive")]
    pub delivery_id: i64,
}

/// `…/customers/{id}/{list}/{item_id}`, `{list}` being `emails`, `phones` or `websites`.
#[derive(Debug, Deserialize)]
pub struct ContactPath {
    #[serde(deserialize_with = "positive")]
    pub id: i64,
    #[serde(deserialize_with = "contact_list")]
    pub list: ContactKind,
    #[serde(deserialize_with = "positive")]
    pub item_id: i64,
}

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let id = i64::deserialize(deserializer)?;
    if id > 0 {
        Ok(id)
    } else {
        Err(serde::de::Error::custom("ids are positive"))
    }
}

fn contact_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ContactKind, D::Error> {
    let list = <&str>::deserialize(deserializer)?;
    ContactKind::ALL
        .into_iter()
        .find(|kind| kind.list() == list)
        .ok_or_else(|| serde::de::Error::custom("no such list"))
}

/// The answer to a path that doesn't deserialize.
pub(crate) fn not_found(_: error::PathError, _: &HttpRequest) -> error::Error {
    ApiError::not_found().into()
}
