//! Account roles and the integrations a token can be issued for.

use super::text_enum;

text_enum! {
    /// A member's role in an account: admins may change the account itself, agents may not.
    pub enum Role { Admin = "admin", Agent = "agent" }
}

text_enum! {
    /// A third-party system a token acts for; what it creates is managed by it (SPEC §6).
    pub enum Integration { Intercom = "intercom", Zendesk = "zendesk", Front = "front" }
}

impl Integration {
    /// The company fields that may still change once this integration manages a company
    /// (the seed's table); every other field is locked.
    pub fn unlocked_fields(self) -> &'static [&'static str] {
        match self {
            Integration::Intercom => &["owner_id", "status_id", "logo_url"],
            Integration::Zendesk | Integration::Front => &[
                "owner_id",
                "status_id",
                "logo_url",
                "revenue",
                "size",
                "tier_id",
            ],
        }
    }
}
