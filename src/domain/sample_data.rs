//! Realistic, reproducible customers for `supportdesk seed-data` (benchmarks and demos).
//!
//! Everything a generated customer holds passes the same checks an API client's data would
//! (emails, phones and URLs are parsed by [`ContactKind::parse_value`]), so seeded rows look
//! exactly like rows written through the API.

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::contact::{ContactKind, ContactValue};
use super::conversation::{Channel, Status};
use super::custom_attribute::AttributeType;
use super::naming::display_name;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Björn", "Carmen", "Chen", "Chloé", "Daniel", "Diego", "Elena",
    "Emma", "Fatima", "Grace", "Hana", "Ivan", "Jane", "José", "Kenji", "Lars", "Leila", "Lucas",
    "Maria", "Mateo", "Mei", "Noah", "Olga", "Omar", "Priya", "Rafael", "Sara", "Sofia", "Tariq",
    "Yuki", "Zoë", "Zeynep",
];
const LAST_NAMES: &[&str] = &[
    "Almeida",
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksson",
    "García",
    "Hernández",
    "Ivanova",
    "Jensen",
    "Kim",
    "Kowalski",
    "Lee",
    "López",
    "Martin",
    "Müller",
    "Nakamura",
    "Nguyen",
    "O'Brien",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Silva",
    "Smith",
    "Tanaka",
    "Weber",
    "Wong",
    "Yilmaz",
    "Zhang",
];
const PUBLIC_DOMAINS: &[&str] = &["gmail.com", "outlook.com", "yahoo.com", "proton.me"];
const COMPANY_WORDS: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "wonka",
];
const TLDS: &[&str] = &["com", "io", "dev", "co.uk", "de"];
/// Distinct company domains the generator spreads customers over.
const COMPANY_DOMAINS: u64 = 5_000;
/// Seeded rows are spread over this many days before `now`.
const HISTORY_DAYS: i64 = 730;
/// Mixed into the seed for the notes' own generator.
const NOTES_SEED: u64 = 0x6e6f_7465_7321;
const TAGS: &[&str] = &[
    "newsletter",
    "trial",
    "vip",
    "beta",
    "eu",
    "us",
    "enterprise",
    "churn risk",
    "partner",
    "billing issue",
    "reseller",
    "press",
];
const NOTE_BODIES: &[&str] = &[
    "Prefers **phone** calls in the afternoon.",
    "Renewal due next quarter; ask about the *annual* plan.",
    "Reported the export bug twice — see the linked conversation.",
    "VIP: escalate anything about billing to the account manager.",
    "Speaks German and English.",
    "Asked for a refund in March; granted as a one-off.",
];

/// A random generator of its own for custom attributes, so they change no other sample.
const ATTRIBUTES_SEED: u64 = 0x6174_7472_7321;

/// The custom attributes the sample data defines for customers: key, label, type, options.
pub const SAMPLE_ATTRIBUTES: &[(&str, &str, AttributeType, &[&str])] = &[
    (
        "plan",
        "Plan",
        AttributeType::List,
        &["free", "starter", "pro", "enterprise"],
    ),
    ("seats", "Seats", AttributeType::Number, &[]),
    ("renewal_date", "Renewal date", AttributeType::Date, &[]),
    ("beta_tester", "Beta tester", AttributeType::Boolean, &[]),
];

/// One generated customer with its contacts and conversations.
#[derive(Debug, Clone)]
pub struct SampleCustomer {
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub name: String,
    /// Emails first, then phones, then websites; each already checked.
    pub contacts: Vec<(ContactKind, ContactValue)>,
    pub conversations: Vec<SampleConversation>,
    /// Agents' notes, oldest first: about one customer in five has 1–3.
    pub notes: Vec<SampleNote>,
    /// About one customer in three carries 1–2 of a dozen tags, some far more common than others.
    pub tags: Vec<String>,
    /// Values of [`SAMPLE_ATTRIBUTES`]: half the customers have a plan (most of them free), paid
    /// plans have seats and a renewal date, one in ten is a beta tester.
    pub attributes: Vec<(&'static str, Value)>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct SampleNote {
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct SampleConversation {
    pub status: Status,
    pub channel: Channel,
    pub subject: String,
    pub created_at: NaiveDateTime,
}

/// Generates customers; the same `seed` gives the same customers.
pub struct SampleData {
    rng: StdRng,
    /// Its own generator, so adding notes left the customers of a seed as they were.
    notes_rng: StdRng,
    attributes_rng: StdRng,
    now: NaiveDateTime,
}

impl SampleData {
    pub fn new(seed: u64, now: NaiveDateTime) -> SampleData {
        SampleData {
            rng: StdRng::seed_from_u64(seed),
            notes_rng: StdRng::seed_from_u64(seed ^ NOTES_SEED),
            attributes_rng: StdRng::seed_from_u64(seed ^ ATTRIBUTES_SEED),
            now,
        }
    }

    /// Customer number `n`: `n` makes its emails unique, so give each customer its own.
    /// 1–3 emails, 0–2 phones, 0–3 websites, `conversations` conversations cycling through every
    /// status and channel.
    pub fn customer(&mut self, n: u64, conversations: u32) -> SampleCustomer {
        let first = self.pick(FIRST_NAMES).to_string();
        let last = self.pick(LAST_NAMES).to_string();
        let company_domain = self.company_domain();
        let works_at_company = self.rng.gen_bool(0.6);
        let local = format!("{}.{}.{n}", ascii_lower(&first), ascii_lower(&last));

        let mut contacts = Vec::new();
        for i in 0..self.rng.gen_range(1..=3) {
            let domain = match (i, works_at_company) {
                (0, true) => company_domain.clone(),
                _ => self.pick(PUBLIC_DOMAINS).to_string(),
            };
            let email = match i {
                0 => format!("{local}@{domain}"),
                _ => format!("{local}+{i}@{domain}"),
            };
            contacts.push(checked(ContactKind::Email, &email));
        }
        for _ in 0..self.rng.gen_range(0..=2) {
            let phone = format!(
                "+1 ({}) {:03}-{:04}",
                self.rng.gen_range(200..=999),
                self.rng.gen_range(0..1000),
                self.rng.gen_range(0..10_000)
            );
            contacts.push(checked(ContactKind::Phone, &phone));
        }
        for i in 0..self.rng.gen_range(0..=3) {
            let site = match i {
                0 => format!("https://www.{company_domain}/"),
                _ => format!("https://{}.example.org/{n}", ascii_lower(&last)),
            };
            contacts.push(checked(ContactKind::Website, &site));
        }

        let created_at = self.past_time(HISTORY_DAYS);
        let updated_at = created_at + Duration::seconds(self.rng.gen_range(0..86_400 * 30));
        let conversations = (0..conversations)
            .map(|i| SampleConversation {
                status: Status::ALL[(n as usize + i as usize) % Status::ALL.len()],
                channel: Channel::ALL[(n as usize / 4 + i as usize) % Channel::ALL.len()],
                subject: format!("Question #{} about my order", i + 1),
                created_at: created_at + Duration::minutes(self.rng.gen_range(0..60 * 24 * 90)),
            })
            .collect();
        let company = works_at_company
            .then(|| title_case(company_domain.split('.').next().unwrap_or_default()));
        let notes = self.notes(created_at.min(self.now));
        let tags = self.tags();
        let attributes = self.attributes();
        SampleCustomer {
            name: display_name(Some(&first), Some(&last), None),
            first_name: first,
            last_name: last,
            company,
            contacts,
            conversations,
            notes,
            tags,
            attributes,
            created_at: created_at.min(self.now),
            updated_at: updated_at.min(self.now),
        }
    }

    fn notes(&mut self, since: NaiveDateTime) -> Vec<SampleNote> {
        if !self.notes_rng.gen_bool(0.2) {
            return Vec::new();
        }
        let mut at = since;
        (0..self.notes_rng.gen_range(1..=3))
            .map(|_| {
                at += Duration::minutes(self.notes_rng.gen_range(1..60 * 24 * 30));
                let body = NOTE_BODIES[self.notes_rng.gen_range(0..NOTE_BODIES.len())];
                SampleNote {
                    body: body.to_string(),
                    created_at: at.min(self.now),
                }
            })
            .collect()
    }

    fn attributes(&mut self) -> Vec<(&'static str, Value)> {
        let rng = &mut self.attributes_rng;
        let mut values = Vec::new();
        if rng.gen_bool(0.5) {
            let plan = match rng.gen_range(0..100) {
                0..50 => "free",
                50..75 => "starter",
                75..93 => "pro",
                _ => "enterprise",
            };
            values.push(("plan", Value::from(plan)));
            if plan != "free" {
                // Squared: small teams are far more common than large ones.
                let seats = 1 + (rng.gen_range(0.0f64..1.0).powi(2) * 500.0) as i64;
                values.push(("seats", Value::from(seats)));
                let renewal = self.now.date() + Duration::days(rng.gen_range(1..=365));
                values.push((
                    "renewal_date",
                    Value::from(renewal.format("%Y-%m-%d").to_string()),
                ));
            }
        }
        if rng.gen_bool(0.1) {
            values.push(("beta_tester", Value::from(true)));
        }
        values
    }

    fn tags(&mut self) -> Vec<String> {
        if !self.notes_rng.gen_bool(0.3) {
            return Vec::new();
        }
        let mut tags: Vec<String> = (0..self.notes_rng.gen_range(1..=2))
            .map(|_| {
                // Squared: the first tags of the list are far more common than the last.
                let at = self.notes_rng.gen_range(0.0f64..1.0).powi(2);
                TAGS[(at * TAGS.len() as f64) as usize].to_string()
            })
            .collect();
        tags.sort();
        tags.dedup();
        tags
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn company_domain(&mut self) -> String {
        let n = self.rng.gen_range(0..COMPANY_DOMAINS);
        let word = COMPANY_WORDS[n as usize % COMPANY_WORDS.len()];
        let tld = TLDS[n as usize % TLDS.len()];
        format!("{word}{n}.{tld}")
    }

    /// A time within `days` before now, in whole seconds (so it keeps now's microsecond precision).
    fn past_time(&mut self, days: i64) -> NaiveDateTime {
        self.now - Duration::seconds(self.rng.gen_range(0..days * 86_400))
    }
}

fn checked(kind: ContactKind, raw: &str) -> (ContactKind, ContactValue) {
    let value = kind
        .parse_value(raw)
        .unwrap_or_else(|e| panic!("generated {raw:?} is not a valid {}: {e}", kind.field()));
    (kind, value)
}

/// `José` → `jose`, `O'Brien` → `obrien`: an email-friendly form of a name.
fn ascii_lower(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' | 'É' => Some('e'),
            'í' | 'ï' => Some('i'),
            'ó' | 'ö' | 'ô' | 'Ö' => Some('o'),
            'ú' | 'ü' | 'Ü' => Some('u'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn customers_are_valid_and_within_the_limits() {
        let mut data = SampleData::new(7, now());
        for n in 0..500 {
            let customer = data.customer(n, 8);
            let count = |kind| customer.contacts.iter().filter(|(k, _)| *k == kind).count();
            assert!((1..=3).contains(&count(ContactKind::Email)));
            assert!(count(ContactKind::Phone) <= 2 && count(ContactKind::Website) <= 3);
            assert_eq!(
                customer.name,
                format!("{} {}", customer.first_name, customer.last_name)
            );
            assert!(customer.created_at <= customer.updated_at && customer.updated_at <= now());
            // Every status and channel appears among eight conversations.
            let statuses: std::collections::HashSet<_> =
                customer.conversations.iter().map(|c| c.status).collect();
            assert_eq!(statuses.len(), Status::ALL.len());
        }
    }

    #[test]
    fn emails_differ_between_customers_and_the_seed_repeats_them() {
        let emails = |seed| {
            let mut data = SampleData::new(seed, now());
            (0..200)
                .flat_map(|n| data.customer(n, 0).contacts)
                .filter(|(kind, _)| *kind == ContactKind::Email)
                .map(|(_, v)| v.normalized)
                .collect::<Vec<_>>()
        };
        let first = emails(1);
        let unique: std::collections::HashSet<_> = first.iter().collect();
        assert_eq!(unique.len(), first.len());
        assert_eq!(first, emails(1));
    }

    #[test]
    fn names_become_email_friendly() {
        assert_eq!(ascii_lower("José"), "jose");
        assert_eq!(ascii_lower("O'Brien"), "obrien");
        assert_eq!(ascii_lower("Müller"), "muller");
    }
}
