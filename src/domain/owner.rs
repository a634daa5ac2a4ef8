//! The records agents annotate (notes, tags): customers and companies.

/// What notes and tags belong to: one customer or one company of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Customer(i64),
    Company(i64),
}

impl Owner {
    pub fn id(self) -> i64 {
        match self {
            Owner::Customer(id) | Owner::Company(id) => id,
        }
    }

    /// The path segment of the owner's collection: `customers` or `companies`.
    pub fn collection(self) -> &'static str {
        match self {
            Owner::Customer(_) => "customers",
            Owner::Company(_) => "companies",
        }
    }
}
