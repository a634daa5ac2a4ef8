//! The tenant audit: every statement a request runs on a tenant table names that table's
//! `account_id`. That is what lets a database distributed by account (Citus) route each
//! statement to one node, and what keeps one tenant's request out of another's rows.
//!
//! Off in production. The API tests turn it on ([`enable`]); then every statement that runs
//! inside [`super::Db`]'s request work is checked as it starts, and one that reads or writes a
//! tenant table without naming that table's `account_id` panics, which fails the request (a
//! 500) and so the test. Work that spans tenants on purpose (the webhook dispatcher, the purges)
//! runs inside [`cross_tenant`]; start-up and command-line work is never checked.
//!
//! The check reads the SQL as text: each tenant table after `FROM`, `JOIN`, `UPDATE` or `INTO`
//! must be followed somewhere in the statement by `<its name or alias>.account_id` (diesel
//! qualifies every column), or by `account_id` in an `INSERT`'s column list. It proves the
//! column is named, not how it is compared: `EXPLAIN` on Citus shows the routing itself
//! (`docs/SCALING.md`).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// The tables distributed by `account_id` (`scripts/citus-distribute.sql` distributes exactly
/// these; `tests/api/tenant_keys.rs` checks both lists against the schema).
pub const TENANT_TABLES: [&str; 29] = [
    "companies",
    "company_attribute_values",
    "company_keys",
    "company_labels",
    "company_tags",
    "conversation_numbers",
    "conversations",
    "custom_attribute_definitions",
    "customer_attribute_counts",
    "customer_attribute_number_counts",
    "customer_attribute_values",
    "customer_contacts",
    "customer_counts",
    "customer_duplicate_keys",
    "customer_duplicate_members",
    "customer_external_ids",
    "customer_merges",
    "customer_requests",
    "customer_search_terms",
    "customer_tags",
    "customers",
    "events",
    "idempotency_keys",
    "interactions",
    "notes",
    "request_attachments",
    "tags",
    "webhook_deliveries",
    "webhook_endpoints",
];

static ENABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Whether this thread is running a request's work: only that is checked.
    static CHECKED: Cell<bool> = const { Cell::new(false) };
}

/// Turns the audit on for connections opened from now on, in this process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Puts the audit on a new connection, when it is on.
pub(super) fn install(conn: &mut impl diesel::Connection) {
    if ENABLED.load(Ordering::Relaxed) {
        conn.set_instrumentation(Audit);
    }
}

/// Runs request work under the audit (when it is on).
pub(super) fn request_work<T>(work: impl FnOnce() -> T) -> T {
    checked(true, work)
}

/// Runs work that reads or writes across tenants on purpose (background jobs).
pub fn cross_tenant<T>(work: impl FnOnce() -> T) -> T {
    checked(false, work)
}

fn checked<T>(on: bool, work: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CHECKED.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CHECKED.with(|c| c.replace(on)));
    work()
}

/// The instrumentation installed on each connection while the audit is on.
struct Audit;

impl Instrumentation for Audit {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            if !CHECKED.with(Cell::get) {
                return;
            }
            let text = query.to_string();
            let sql = text.split(" -- binds: ").next().unwrap_or_default();
            let unscoped = unscoped_tables(sql);
            if !unscoped.is_empty() {
                panic!("tenant audit: {unscoped:?} without account_id in: {sql}");
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Dot,
    Eq,
    Open,
    Close,
    Other,
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Quoted names: PostgreSQL's "…", SQLite's `…` (diesel's quoting on each).
            '"' | '`' => {
                let mut word = String::new();
                for n in chars.by_ref() {
                    if n == c {
                        break;
                    }
                    word.push(n);
                }
                out.push(Token::Word(word));
            }
            '\'' => {
                // A string literal: skipped whole.
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                }
                out.push(Token::Other);
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = c.to_string();
                while let Some(&n) = chars.peek() {
                    if !(n.is_alphanumeric() || n == '_') {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                out.push(Token::Word(word.to_ascii_lowercase()));
            }
            '.' => out.push(Token::Dot),
            '=' => out.push(Token::Eq),
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            c if c.is_whitespace() => {}
            _ => out.push(Token::Other),
        }
    }
    out
}

const NOT_AN_ALIAS: [&str; 18] = [
    "where",
    "on",
    "set",
    "inner",
    "left",
    "right",
    "join",
    "order",
    "group",
    "limit",
    "values",
    "using",
    "cross",
    "returning",
    "offset",
    "union",
    "default",
    "natural",
];

/// A table named after `FROM`, `JOIN`, `UPDATE` or `INTO`.
struct Reference<'a> {
    table: &'a str,
    /// Its alias, or its name.
    name: &'a str,
    insert: bool,
    /// The parenthesized group it is named in (`usize::MAX`: the statement itself).
    group: usize,
}

/// The tenant tables `sql` reads or writes without comparing their `account_id`: each must
/// have `<name or alias>.account_id` next to `=` or `IN`, or (alone in its `SELECT`) an
/// unqualified `account_id` there, or (an `INSERT`) `account_id` among its columns.
pub fn unscoped_tables(sql: &str) -> Vec<String> {
    let tokens = tokens(sql);
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let account_id = Token::Word("account_id".into());
    // Each token's enclosing groups, innermost last.
    let mut stack: Vec<usize> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        if *token == Token::Close {
            stack.pop();
        }
        groups.push(stack.clone());
        if *token == Token::Open {
            stack.push(i);
        }
    }
    let group_of = |i: usize| groups[i].last().copied().unwrap_or(usize::MAX);
    let mut references = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Token::Word(keyword) = token else {
            continue;
        };
        if !matches!(keyword.as_str(), "from" | "join" | "update" | "into") {
            continue;
        }
        let Some(table) = word(i + 1) else { continue };
        if tokens.get(i + 2) == Some(&Token::Dot) {
            continue; // `schema.table`, or a column
        }
        let mut next = i + 2;
        if word(next) == Some("as") {
            next += 1;
        }
        let name = match word(next) {
            Some(alias) if keyword != "into" && !NOT_AN_ALIAS.contains(&alias) => alias,
            _ => table,
        };
        references.push(Reference {
            table,
            name,
            insert: keyword == "into",
            group: group_of(i),
        });
    }
    // Groups where an unqualified `account_id` is compared: it belongs to the innermost
    // enclosing group that names a table.
    let mut bare_in = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let qualified = i > 0 && tokens[i - 1] == Token::Dot;
        if *token == account_id && !qualified && compared(&tokens, i) {
            let owner = std::iter::once(usize::MAX)
                .chain(groups[i].iter().copied())
                .rev()
                .find(|g| references.iter().any(|r| r.group == *g));
            bare_in.extend(owner);
        }
    }
    let mut unscoped = Vec::new();
    for r in &references {
        if !TENANT_TABLES.contains(&r.table) {
            continue;
        }
        let scoped = if r.insert {
            tokens.contains(&account_id)
        } else {
            let alone = references.iter().filter(|o| o.group == r.group).count() == 1;
            (alone && bare_in.contains(&r.group))
                || (2..tokens.len()).any(|i| {
                    tokens[i] == account_id
                        && tokens[i - 1] == Token::Dot
                        && tokens[i - 2] == Token::Word(r.name.into())
                        && compared(&tokens, i)
                })
        };
        if !scoped {
            unscoped.push(r.table.to_string());
        }
    }
    unscoped
}

/// Whether the column at `i` is compared: `= …`, `… =`, or `IN (…)`.
fn compared(tokens: &[Token], i: usize) -> bool {
    let before = match i {
        0 => None,
        _ => tokens
            .get(i - 1)
            .filter(|t| **t != Token::Dot)
            .or(i.checked_sub(3).and_then(|j| tokens.get(j))),
    };
    tokens.get(i + 1) == Some(&Token::Eq)
        || tokens.get(i + 1) == Some(&Token::Word("in".into()))
        || before == Some(&Token::Eq)
}

#[cfg(test)]
mod tests {
    use super::unscoped_tables;

    #[test]
    fn qualified_account_ids_scope_their_tables() {
        let diesel = r#"SELECT "customers"."id" FROM "customers" WHERE (("customers"."account_id" = $1) AND ("customers"."id" = $2))"#;
        assert!(unscoped_tables(diesel).is_empty());
        let aliased = "SELECT c.id FROM customers c JOIN customer_tags t ON t.customer_id = c.id \
             AND t.account_id = c.account_id WHERE c.account_id = $1";
        assert!(unscoped_tables(aliased).is_empty());
        let insert = r#"INSERT INTO "notes" ("account_id", "body") VALUES ($1, $2)"#;
        assert!(unscoped_tables(insert).is_empty());
        let sqlite = "SELECT `tags`.`name` FROM `tags` WHERE (`tags`.`account_id` = ?)";
        assert!(unscoped_tables(sqlite).is_empty());
        let raw = "SELECT id FROM customers WHERE account_id = $1 AND id = $2 FOR UPDATE";
        assert!(unscoped_tables(raw).is_empty());
        let nested = "SELECT * FROM (SELECT DISTINCT kind FROM customer_contacts \
             WHERE account_id = 1) contacts UNION ALL SELECT c.id FROM customers c \
             WHERE c.account_id = 1";
        assert!(unscoped_tables(nested).is_empty());
    }

    #[test]
    fn a_table_without_its_account_id_is_named() {
        let by_id = r#"UPDATE "customers" SET "name" = $1 WHERE ("customers"."id" = $2)"#;
        assert_eq!(unscoped_tables(by_id), ["customers"]);
        // Another table's account_id does not scope this one.
        let joined = "SELECT c.id FROM customers c JOIN customer_tags t ON t.customer_id = c.id \
             WHERE c.account_id = $1";
        assert_eq!(unscoped_tables(joined), ["customer_tags"]);
        let delete = r#"DELETE FROM "events" WHERE ("events"."id" = ANY($1))"#;
        assert_eq!(unscoped_tables(delete), ["events"]);
        // Selected is not compared: the join below reaches customers by id alone.
        let selected = r#"SELECT "customers"."account_id" FROM ("customer_tags" INNER JOIN "customers" ON ("customer_tags"."customer_id" = "customers"."id")) WHERE ("customer_tags"."account_id" = $1)"#;
        assert_eq!(unscoped_tables(selected), ["customers"]);
        // An unqualified account_id scopes only a table alone in its SELECT.
        let two = "SELECT 1 FROM customers JOIN notes ON notes.customer_id = customers.id \
             WHERE account_id = $1";
        assert_eq!(unscoped_tables(two), ["customers", "notes"]);
        // Reference tables need no account.
        assert!(unscoped_tables(r#"SELECT "users"."id" FROM "users""#).is_empty());
    }
}
