//! Settings, from flags or the environment (SPEC §1), and the command line.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "supportdesk",
    version,
    about = "A REST/JSON support-desk backend."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What every command reads.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// `sqlite://PATH` (or a bare path) for embedded SQLite, `postgres://…` for PostgreSQL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://supportdesk.db",
        global = true
    )]
    pub database_url: String,
    /// Where `serve` listens.
    #[arg(
        long = "bind",
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// HS256 signing key; by default one is generated and stored in the database.
    #[arg(
        long,
        env = "JWT_SECRET",
        hide_env_values = true,
        hide = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    /// Comma-separated PostgreSQL replicas of DATABASE_URL that serve account reads while they
    /// keep up (docs/SCALING.md); writes and the reads that must see them stay on the primary.
    #[arg(
        long = "database-read-url",
        env = "DATABASE_READ_URL",
        value_delimiter = ',',
        hide_env_values = true,
        global = true
    )]
    pub database_read_urls: Vec<String>,
    /// How far behind the primary, in milliseconds, a replica may be and still serve reads.
    #[arg(
        long,
        env = "READ_REPLICA_MAX_LAG_MS",
        default_value_t = 1000,
        global = true
    )]
    pub read_replica_max_lag_ms: u64,
    /// Connections in the pool (default: 8 on SQLite, 10 on PostgreSQL).
    #[arg(long, env = "DATABASE_POOL_SIZE", global = true)]
    pub pool_size: Option<u32>,
    /// Largest request body accepted, in bytes.
    #[arg(
        long,
        env = "MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,
    /// Comma-separated origins of browser dashboards allowed to call the API (CORS).
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,
    /// Requests per minute per user, whichever of its tokens it uses; 0 turns the limit off.
    #[arg(
        long,
        env = "RATE_LIMIT_PER_MINUTE",
        default_value_t = 1200,
        global = true
    )]
    pub rate_limit_per_minute: u32,
    /// On PostgreSQL, count rate limits in the database, so every instance on it enforces one
    /// limit. Off by default: the upsert per limited request costs a GET about 40 % of its
    /// throughput (docs/SCALING.md); one instance, or limits at the load balancer, need none.
    #[arg(long, env = "SHARED_RATE_LIMITS", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub shared_rate_limits: bool,
    /// Login attempts per minute per client address; 0 turns the limit off.
    #[arg(
        long,
        env = "LOGIN_RATE_LIMIT_PER_MINUTE",
        default_value_t = 10,
        global = true
    )]
    pub login_rate_limit_per_minute: u32,
    /// Contact-form (guest) requests per minute per client address; 0 turns the limit off.
    #[arg(
        long,
        env = "GUEST_RATE_LIMIT_PER_MINUTE",
        default_value_t = 60,
        global = true
    )]
    pub guest_rate_limit_per_minute: u32,
    /// Seconds a stopping server (SIGTERM, SIGINT) gives in-flight requests to finish.
    #[arg(
        long,
        env = "SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,
    /// Create account 1, an admin and a token on first start with an empty database.
    #[arg(long, env = "SUPPORTDESK_BOOTSTRAP", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub bootstrap: bool,
    /// The most database time one request may take, in milliseconds (a statement timeout on
    /// PostgreSQL, an interrupt on SQLite); past it the request gets a 503. 0 turns it off.
    #[arg(
        long,
        env = "DATABASE_WORK_TIMEOUT_MS",
        default_value_t = 5000,
        global = true
    )]
    pub database_work_timeout_ms: u64,
    /// How many requests of one account may be at the database at once; by default half the
    /// pool (at least 1), so one busy account always leaves connections for the others.
    #[arg(long, env = "ACCOUNT_CONCURRENCY_LIMIT", global = true)]
    pub account_concurrency_limit: Option<u32>,
    /// How many searches (a customer or company list with `q`, `tag` or `custom_attributes`) of
    /// one account may run at once; by default one per core, so one account's searches leave
    /// room on the cores for the others' requests. Never more than the account's limit above.
    #[arg(long, env = "ACCOUNT_SEARCH_CONCURRENCY_LIMIT", global = true)]
    pub account_search_concurrency_limit: Option<u32>,
    /// Seconds a client has to send the body it announced before it gets a 408.
    #[arg(
        long,
        env = "BODY_READ_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub body_read_timeout_secs: u64,
    /// The origin list links are built on (`https://api.example.com`); without it links are
    /// relative. Forwarding headers (`Forwarded`, `X-Forwarded-*`) are never trusted for links.
    #[arg(long, env = "PUBLIC_BASE_URL", global = true)]
    pub public_base_url: Option<String>,
    /// Refuse writes (PUT, PATCH, DELETE) that carry no `If-Match` with a 428, so no client can
    /// overwrite a change it never saw.
    #[arg(long, env = "REQUIRE_IF_MATCH", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub require_if_match: bool,
    /// How long the answer to a POST with an `Idempotency-Key` is kept and replayed: `24h`,
    /// `7d`, `90m`.
    #[arg(
        long,
        env = "IDEMPOTENCY_KEY_TTL",
        default_value = "24h",
        value_parser = parse_duration,
        global = true
    )]
    pub idempotency_key_ttl: chrono::Duration,
    /// How long, in milliseconds, a request whose `Idempotency-Key` is in use by a request still
    /// running waits for that one's answer before it gets a 409.
    #[arg(
        long,
        env = "IDEMPOTENCY_WAIT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub idempotency_wait_ms: u64,
    /// How long the change feed keeps events (`GET /events`, webhooks): `30d`, `12h`. A cursor
    /// older than this gets a 410.
    #[arg(
        long,
        env = "EVENT_RETENTION",
        default_value = "30d",
        value_parser = parse_duration,
        global = true
    )]
    pub event_retention: chrono::Duration,
    /// Let webhook endpoints name loopback, private and link-local targets (tests, a receiver on
    /// the same host). Off: such URLs are refused with 422, and names resolving to them fail at
    /// delivery.
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,
    /// How long one delivery attempt may take, in seconds, before it counts as failed.
    #[arg(
        long,
        env = "WEBHOOK_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_secs: u64,
    /// How long a failing delivery is retried (exponential backoff with jitter) before its
    /// endpoint is marked failing: `24h`.
    #[arg(
        long,
        env = "WEBHOOK_RETRY_FOR",
        default_value = "24h",
        value_parser = parse_duration,
        global = true
    )]
    pub webhook_retry_for: chrono::Duration,
    /// The first retry's delay in milliseconds; each next one doubles it (up to an hour), less
    /// up to half at random.
    #[arg(
        long,
        env = "WEBHOOK_FIRST_RETRY_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub webhook_first_retry_ms: u64,
    /// Run this instance's webhook delivery worker (`false`: deliveries are left to others).
    #[arg(long, env = "WEBHOOK_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub webhook_worker: bool,
}

impl Settings {
    /// The work bound as a duration; `None` when turned off.
    pub fn database_work_timeout(&self) -> Option<std::time::Duration> {
        (self.database_work_timeout_ms > 0)
            .then(|| std::time::Duration::from_millis(self.database_work_timeout_ms))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations, then serve HTTP (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage users (agents).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Issue and revoke API tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Read an account's change feed.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Print the OpenAPI 3.1 document (what `GET /api/v1/openapi.json` serves).
    Openapi,
    /// Fill an account with generated customers and conversations (benchmarks, demos).
    SeedData {
        #[arg(long)]
        account: i64,
        /// How many customers to add.
        #[arg(long)]
        customers: u64,
        /// Conversations per customer, cycling through every status and channel.
        #[arg(long, default_value_t = 2)]
        conversations_per_customer: u32,
        /// The generator's seed: the same seed on an empty database gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account; prints it as JSON.
    Create {
        #[arg(long)]
        name: String,
        /// Let guests open conversations through a contact form.
        #[arg(long)]
        contact_form: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user and make it a member of an account; prints it as JSON.
    Create {
        #[arg(long)]
        account: i64,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: Option<String>,
        #[arg(long, default_value = "agent", value_parser = ["admin", "agent"])]
        role: String,
        /// Read a password for `POST /auth/login` from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print the account's events as JSON lines, as `GET /events` shows them, and keep following
    /// the feed (Ctrl-C stops).
    Tail {
        #[arg(long)]
        account: i64,
        /// Only these types (`customer.*,company.deleted`).
        #[arg(long)]
        types: Option<String>,
        /// Start after this feed cursor (default: the oldest event kept).
        #[arg(long)]
        after: Option<String>,
        /// Stop when caught up instead of following.
        #[arg(long)]
        no_follow: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Issue a token for a user; prints the bearer token alone.
    Create {
        #[arg(long)]
        user: i64,
        /// How long the token is valid: `30d`, `12h`, `90m`, `3600s`.
        #[arg(long, default_value = "30d", value_parser = parse_duration)]
        expires_in: chrono::Duration,
        /// Issue the token for an integration; what it creates is managed by that integration.
        #[arg(long, value_parser = ["intercom", "zendesk", "front"])]
        integration: Option<String>,
    },
    /// Revoke a token by its id (the JWT's `jti`).
    Revoke {
        #[arg(long)]
        id: String,
    },
}

/// `30d`, `12h`, `90m`, `3600s` or `2w` into a duration.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30d"))?;
    let duration = match unit {
        "s" => chrono::Duration::try_seconds(n),
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" | "" => chrono::Duration::try_days(n),
        "w" => chrono::Duration::try_weeks(n),
        _ => None,
    };
    match duration {
        Some(d) if n > 0 && d <= chrono::Duration::days(3650) => Ok(d),
        _ => Err(format!(
            "{text:?} must be a positive duration of at most 10 years, like 30d"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parse_duration("30d"), Ok(chrono::Duration::days(30)));
        assert_eq!(parse_duration("12h"), Ok(chrono::Duration::hours(12)));
        assert_eq!(parse_duration("90m"), Ok(chrono::Duration::minutes(90)));
        assert!(parse_duration("0d").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("99999999999d").is_err());
    }
}
