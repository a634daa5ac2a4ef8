//! Enums with one text form per variant: the same text in bodies, query strings and the database.

/// Declares such an enum: `parse`/`as_str` convert, `ALL` lists the variants, it serializes as its
/// text, and diesel stores it as that text (the `ToSql`/`FromSql` impls are in `db::stored_text`).
macro_rules! text_enum {
    (
        $(#[$doc:meta])*
        $vis:vis enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// "must be one of a, b, c", for error messages.
            pub fn choices() -> String {
                format!("must be one of {}", [$($text),+].join(", "))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;
