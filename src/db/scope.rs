//! [`Scope`]: the one account a piece of work may touch.
//!
//! Every repository function over a tenant table takes a `Scope` where it used to take an
//! `account_id: i64`, and only two lookups make one: a live token's membership in the account
//! ([`super::tokens::authenticate`]) and the account's own row ([`super::accounts::Account::scope`]).
//! So no query runs for an account nobody confirmed, a handler can't pass a path's raw id where
//! the account belongs, and a function that takes a scope without filtering by it leaves an
//! unused variable, which `clippy -D warnings` refuses.
//!
//! A scope binds as the account's id (`customers::account_id.eq(scope)`). It also carries the
//! account's settings that shape how its data is compared (its phone region), read with it.

use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::BigInt;
use diesel::sqlite::Sqlite;

use crate::domain::phone::PhoneRegion;

/// A confirmed account: see the module's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression)]
#[diesel(sql_type = BigInt)]
pub struct Scope {
    account_id: i64,
    phone_region: Option<PhoneRegion>,
}

impl Scope {
    /// Only the lookups in `db` that confirm an account make a scope; `phone_region` is the
    /// account's, as stored (an unknown code reads as none).
    pub(super) fn confirmed(account_id: i64, phone_region: Option<&str>) -> Self {
        Scope {
            account_id,
            phone_region: phone_region.and_then(PhoneRegion::parse),
        }
    }

    /// The account's id, for rows, paths and logs.
    pub fn account_id(self) -> i64 {
        self.account_id
    }

    /// The account's default region for phones (see `domain::phone`).
    pub fn phone_region(self) -> Option<PhoneRegion> {
        self.phone_region
    }
}

impl ToSql<BigInt, Sqlite> for Scope {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.account_id);
        Ok(IsNull::No)
    }
}

impl ToSql<BigInt, Pg> for Scope {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <i64 as ToSql<BigInt, Pg>>::to_sql(&self.account_id, &mut out.reborrow())
    }
}
