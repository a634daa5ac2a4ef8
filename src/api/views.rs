//! The JSON the API returns, built from database rows. Rows never serialize themselves, so the
//! wire shape can't drift with the schema.

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::etag::{self, Tag};
use crate::db::accounts::Account;
use crate::db::users::User;
use crate::domain::Role;

/// `{"data": …}`, the envelope of every single-object response.
#[derive(Serialize)]
pub struct Data<T> {
    pub data: T,
}

/// 200 with `{"data": …}` and its strong `ETag` (see `api::etag`).
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    etag::json_response(HttpResponse::Ok(), &Data { data }, Tag::Strong)
}

/// 200 with `{"data": …}` and the given tag (see [`Tag::Of`]).
pub fn ok_tagged<T: Serialize>(data: T, tag: String) -> HttpResponse {
    etag::json_response(HttpResponse::Ok(), &Data { data }, Tag::Of(tag))
}

/// 200 with `{"data": [ … ]}`, a whole list, and its weak `ETag`.
pub fn ok_list<T: Serialize>(data: Vec<T>) -> HttpResponse {
    etag::json_response(HttpResponse::Ok(), &Data { data }, Tag::Weak)
}

/// 201 with `Location` (a path), `{"data": …}` and its strong `ETag`.
pub fn created<T: Serialize>(location: String, data: T) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    etag::json_response(response, &Data { data }, Tag::Strong)
}

/// An upsert's answer, `body` (`{"data", "result"}`) as it is: 201 with `Location` when it
/// created the record, else 200.
pub fn upserted<T: Serialize>(created: bool, location: String, body: T) -> HttpResponse {
    let mut response = match created {
        true => {
            let mut created = HttpResponse::Created();
            created.insert_header((header::LOCATION, location));
            created
        }
        false => HttpResponse::Ok(),
    };
    response.json(body)
}

/// Timestamps as the seed shows them: `2019-04-25T17:51:31+00:00`.
pub fn timestamp<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(at))
}

pub fn format_timestamp(at: &NaiveDateTime) -> String {
    // Written out rather than through `format`, which parses its pattern on every call: a list
    // page formats fifty of these, and the pattern was 5 % of the server's CPU.
    if !(0..=9999).contains(&at.year()) {
        return at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub name: String,
    pub contact_form_enabled: bool,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    pub updated_at: NaiveDateTime,
    /// The region of phones written without a country code (`US`, `GB`, …): with one, phones
    /// are compared as E.164; `null`, by their digits.
    #[schema(example = "US")]
    pub phone_region: Option<String>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            name: a.name,
            contact_form_enabled: a.contact_form_enabled,
            created_at: a.created_at,
            updated_at: a.updated_at,
            phone_region: a.phone_region,
        }
    }
}

/// A user as others see it; the password hash never leaves the server.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub active: bool,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    pub updated_at: NaiveDateTime,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// An account as listed on a profile: with the user's role in it.
#[derive(Serialize, ToSchema)]
pub struct MembershipView {
    #[serde(flatten)]
    pub account: AccountView,
    #[schema(value_type = String, example = "admin")]
    pub role: Role,
}

/// `GET /profile`: the user and the accounts it belongs to.
#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    #[serde(flatten)]
    pub user: UserView,
    pub accounts: Vec<MembershipView>,
}

impl ProfileView {
    pub fn new(user: User, memberships: Vec<(Account, Role)>) -> Self {
        ProfileView {
            user: user.into(),
            accounts: memberships
                .into_iter()
                .map(|(account, role)| MembershipView {
                    account: account.into(),
                    role,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_read_as_chrono_writes_them() {
        for text in [
            "2019-04-25T17:51:31",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.999999",
            "2024-02-29T08:05:09.5",
        ] {
            let at = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
            assert_eq!(
                super::format_timestamp(&at),
                at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
            );
        }
        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(super::format_timestamp(&far), "+12345-01-02T03:04:05+00:00");
    }

    use super::*;

    #[test]
    fn timestamps_read_like_the_seed() {
        let at =
            NaiveDateTime::parse_from_str("2019-04-25 17:51:31.123456", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        assert_eq!(format_timestamp(&at), "2019-04-25T17:51:31+00:00");
    }
}
