//! Account roles and the integrations a token can be issued for.

use serde::Serialize;

/// A member's role in an account: admins may change the account itself, agents may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }
}

/// A third-party system a token acts for; what it creates is managed by it (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Integration {
    Intercom,
    Zendesk,
    Front,
}

impl Integration {
    pub fn parse(s: &str) -> Option<Integration> {
        match s {
            "intercom" => Some(Integration::Intercom),
            "zendesk" => Some(Integration::Zendesk),
            "front" => Some(Integration::Front),
            _ => None,
        }
    }

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

    pub fn as_str(self) -> &'static str {
        match self {
            Integration::Intercom => "intercom",
            Integration::Zendesk => "zendesk",
            Integration::Front => "front",
        }
    }
}
