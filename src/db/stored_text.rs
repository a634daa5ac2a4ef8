//! The domain's text enums (`domain::text_enum!`) stored as their text on both backends, so
//! queries bind and rows read the enum itself, never a string literal.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::companies::KeyKind;
use crate::domain::contact::ContactKind;
use crate::domain::conversation::{Channel, InteractionType, Status};
use crate::domain::custom_attribute::{AttributeOwner, AttributeType};
use crate::domain::duplicates::Reason;
use crate::domain::label::LabelKind;
use crate::domain::{Integration, Role};

macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        impl ToSql<Text, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.as_str());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), &mut out.reborrow())
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                <$name>::parse(&text)
                    .ok_or_else(|| format!("{text:?} is no {}", stringify!($name)).into())
            }
        }
    )+};
}

stored_as_text!(
    ContactKind,
    Status,
    Channel,
    InteractionType,
    Role,
    Integration,
    LabelKind,
    KeyKind,
    Reason,
    AttributeOwner,
    AttributeType,
);
