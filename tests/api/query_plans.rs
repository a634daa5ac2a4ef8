//! The hot path's statements, as the server really runs them: recorded on the pool's only
//! connection while real requests go through, then counted and planned on a database where the
//! test's account is a small share of the rows (other tenants bulk-loaded, statistics taken).
//! A plan that scans a table, or walks all of an account's contacts or conversations, fails.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::db::DbConn;

use crate::helpers::*;
use crate::on_each_backend;

on_each_backend!(
    hot_statements_are_few_and_use_their_indexes,
    every_foreign_key_leads_an_index
);

/// The SQL of every statement the connection starts (transaction control left out).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            let sql = text.split(" -- binds: ").next().unwrap_or_default().trim();
            let verb = sql
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_uppercase();
            if ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&verb.as_str()) {
                self.0.lock().unwrap().push(sql.to_string());
            }
        }
    }
}

impl Recorder {
    /// The statements recorded since the last call.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

async fn hot_statements_are_few_and_use_their_indexes(backend: Backend) {
    if on_citus(backend, "hot_statements_are_few_and_use_their_indexes") {
        return;
    }
    // Every pooled connection records, so every request's statements pass through the recorder.
    // No webhook worker: its polls would be counted with the requests.
    let Some(app) = spawn_app_with(backend, |s| {
        s.pool_size = Some(2);
        s.webhook_worker = false;
    })
    .await
    else {
        return;
    };
    let recorder = Recorder::default();
    let mut pooled = [app.conn(), app.conn()];
    for conn in &mut pooled {
        match &mut **conn {
            DbConn::Sqlite(conn) => conn.set_instrumentation(recorder.clone()),
            DbConn::Postgres(conn) => conn.set_instrumentation(recorder.clone()),
        }
    }
    drop(pooled);
    // Other tenants hold 99 % of the rows; seed-data takes the statistics at its end.
    let bulk = app.create_account("Bulk").to_string();
    let seeded = app.cli(&["seed-data", "--account", &bulk, "--customers", "10000"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    let customers = format!("/api/v1/accounts/{}/customers", app.account_id);
    let mut created = Vec::new();
    for i in 0..100 {
        let body = json!({
            "first_name": format!("Jane {i}"),
            "emails": [{"email": format!("jane{i}@shared.example")}, {"email": format!("j{i}@other.example")}, {"email": format!("jd{i}@third.example")}],
            "phones": [{"phone": "+1 555 0100"}, {"phone": format!("+1 555 01{i:02}")}],
            "websites": [{"website": "https://shared.example"}, {"website": format!("https://jane{i}.example")}],
        });
        let customer = call(&app, Method::POST, &customers, Some(body), 201).await;
        created.push(customer["data"]["id"].as_i64().unwrap());
    }
    let id = created[50];
    recorder.take();

    // Statement counts per request: authentication is the first of each.
    let checkouts = app.state.db.checkouts();
    get(&app, &format!("{customers}/{id}")).await;
    assert_eq!(
        app.state.db.checkouts() - checkouts,
        1,
        "one connection per request, the token checked on it"
    );
    let statements = recorder.take();
    assert_eq!(
        statements.len(),
        3,
        "GET customer: the token, the customer with its contacts, its stats: {statements:#?}"
    );

    let page = get(&app, &format!("{customers}?per_page=10")).await;
    let small_page = recorder.take().len();
    get(&app, &format!("{customers}?per_page=100")).await;
    assert_eq!(
        recorder.take().len(),
        small_page,
        "a list page's statements don't grow with its size"
    );
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    for query in [
        format!("cursor={cursor}"),
        "email=jane7@shared.example".into(),
        "phone=5550107".into(),
        "sort=name".into(),
        // Issue 19's search: one word, two words, a phone, one letter, a filtered search.
        "q=jane".into(),
        "q=jane%20shared.example".into(),
        "q=5550107".into(),
        "q=j".into(),
        "q=j&tag=vip".into(),
    ] {
        get(&app, &format!("{customers}?{query}")).await;
    }
    let lists = recorder.take();
    let mut lookups = Vec::new();
    for query in ["email=Jane7@shared.example", "phone=%2B1%20555%200107"] {
        get(&app, &format!("{customers}/lookup?{query}")).await;
        let statements = recorder.take();
        assert_eq!(
            statements.len(),
            4,
            "a lookup: the token (with the account's phone region), the key's holder, the customer with its contacts, its stats: {statements:#?}"
        );
        lookups.extend(statements);
    }
    // Issue 18's reads: an external id's holder, the duplicate groups (every customer shares a
    // phone), one customer's candidates.
    call(
        &app,
        Method::GET,
        &format!("{customers}/lookup?external_id=crm-1"),
        None,
        404,
    )
    .await;
    let groups = get(&app, &format!("{customers}/duplicates")).await;
    assert_eq!(groups["data"][0]["customer_count"], 100, "{groups}");
    get(&app, &format!("{customers}/{id}/duplicates")).await;
    lookups.extend(recorder.take());

    let checkouts = app.state.db.checkouts();
    let body = json!({"first_name": "New", "emails": [{"email": "new@shared.example"}, {"email": "n@x.example"}, {"email": "n@y.example"}], "phones": [{"phone": "+1 555 0199"}, {"phone": "+1 555 0198"}], "websites": [{"website": "https://a.example"}, {"website": "https://b.example"}]});
    call(&app, Method::POST, &customers, Some(body), 201).await;
    assert_eq!(
        app.state.db.checkouts() - checkouts,
        1,
        "a create: one connection"
    );
    let creates = recorder.take();
    assert!(creates.len() <= 13, "a create: the token, the count, the emails' owners, the company by domain, the customer, its contacts, its search terms, the duplicate probes (known shared keys, another holder of the others, the same name at its domains; then the keys it shares and their members, when it shares any), its event: {creates:#?}");
    let patch = json!({"last_name": "Doe", "emails": [{"email": "another@shared.example"}]});
    let path = format!("{customers}/{id}");
    call(&app, Method::PATCH, &path, Some(patch), 200).await;
    let path = format!("{customers}/{}", created[7]);
    call(&app, Method::DELETE, &path, None, 204).await;
    let upsert = json!({"match": "email", "emails": [{"email": "jane3@shared.example"}], "last_name": "Roe"});
    call(
        &app,
        Method::POST,
        &format!("{customers}/upsert"),
        Some(upsert),
        200,
    )
    .await;
    // Issue 19's tags: set, filtered by (one and two), counted, and uncounted by a delete.
    let path = format!("{customers}/{}", created[11]);
    let tags = json!({"tags": ["vip", "newsletter"]});
    call(&app, Method::PATCH, &path, Some(tags), 200).await;
    get(&app, &format!("{customers}?tag=vip")).await;
    get(&app, &format!("{customers}?tag=vip&tag=newsletter")).await;
    get(&app, &format!("/api/v1/accounts/{}/tags", app.account_id)).await;
    let companies = format!("/api/v1/accounts/{}/companies", app.account_id);
    for query in ["sort=name", "sort=-updated_at", "tag=vip"] {
        get(&app, &format!("{companies}?{query}")).await;
    }
    call(&app, Method::DELETE, &path, None, 204).await;
    // Issue 19's custom attributes: defined, set, filtered by value and by range.
    let definitions = format!(
        "/api/v1/accounts/{}/custom_attribute_definitions",
        app.account_id
    );
    for body in [
        json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer", "options": ["free", "starter", "pro", "enterprise"]}),
        json!({"key": "seats", "label": "Seats", "type": "number", "object_type": "customer"}),
    ] {
        call(&app, Method::POST, &definitions, Some(body), 201).await;
    }
    let path = format!("{customers}/{}", created[12]);
    let attributes = json!({"custom_attributes": {"plan": "pro", "seats": 12}});
    call(&app, Method::PATCH, &path, Some(attributes), 200).await;
    for query in [
        "custom_attributes[plan]=pro",
        "custom_attributes[seats][gt]=100",
        "custom_attributes[plan]=pro&sort=name",
    ] {
        get(&app, &format!("{customers}?{query}")).await;
    }
    // Issue 19's notes: written, listed (by page and by cursor), read, changed, deleted.
    let notes = format!("{customers}/{}/notes", created[8]);
    for body in ["First", "Second"] {
        call(&app, Method::POST, &notes, Some(json!({"body": body})), 201).await;
    }
    let merge = json!({"from": [created[8], created[10]]});
    let path = format!("{customers}/{}/merge", created[9]);
    call(&app, Method::POST, &path, Some(merge), 200).await;
    let notes = format!("{customers}/{}/notes", created[9]);
    let page = get(&app, &format!("{notes}?per_page=1")).await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    get(&app, &format!("{notes}?per_page=1&cursor={cursor}")).await;
    let note = format!("{notes}/{}", page["data"][0]["id"]);
    get(&app, &note).await;
    call(
        &app,
        Method::PATCH,
        &note,
        Some(json!({"body": "Edited"})),
        200,
    )
    .await;
    call(&app, Method::DELETE, &note, None, 204).await;

    let mut all: Vec<String> = statements
        .into_iter()
        .chain(lists)
        .chain(lookups)
        .chain(creates)
        .chain(recorder.take())
        .collect();
    all.sort();
    all.dedup();
    assert!(
        all.len() >= 10,
        "the hot requests ran {} distinct statements",
        all.len()
    );
    // The same statements as the account grows from ~1 % of the rows to ~6 % and then ~50 %
    // (seed-data refreshes the statistics each time): no plan may flip to a scan.
    let account = app.account_id.to_string();
    for (share, more) in [("1 %", None), ("6 %", Some("500")), ("50 %", Some("9400"))] {
        if let Some(more) = more {
            let seeded = app.cli(&["seed-data", "--account", &account, "--customers", more]);
            assert!(
                seeded.status.success(),
                "{}",
                String::from_utf8_lossy(&seeded.stderr)
            );
        }
        let problems: Vec<String> = all
            .iter()
            .filter_map(|sql| {
                let plan = explain(&app.database.url, backend, sql);
                // SQLite shows nothing for an insert that looks nothing up.
                assert!(
                    !plan.is_empty() || sql.starts_with("INSERT"),
                    "no plan for {sql}"
                );
                bad_plan(backend, &plan)
                    .map(|why| format!("{why}\n  {sql}\n  {}", plan.join("\n  ")))
            })
            .collect();
        assert!(
            problems.is_empty(),
            "plans that don't hold with the account at {share} of the rows:\n{}",
            problems.join("\n\n")
        );
    }
}

/// A request as the account's admin: asserts its status, returns its JSON (null when empty).
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let mut request = app.api(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn get(app: &TestApp, path: &str) -> Value {
    call(app, Method::GET, path, None, 200).await
}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan `sql` gets with its parameters unknown: SQLite plans each statement once (the
/// planner stability guarantee), and PostgreSQL is asked for the generic plan it would reuse.
fn explain(url: &str, backend: Backend, sql: &str) -> Vec<String> {
    match backend {
        Backend::Sqlite => {
            let mut conn =
                SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load::<SqlitePlanLine>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|l| l.detail)
                .collect()
        }
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url).unwrap();
            let params = (1..).take_while(|n| sql.contains(&format!("${n}"))).count();
            let nulls = vec!["NULL"; params].join(", ");
            // Seq scans off: on this small a table one is cheap; what matters is which index.
            diesel::sql_query("SET enable_seqscan = off")
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query("SET plan_cache_mode = force_generic_plan")
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("PREPARE hot AS {sql}"))
                .execute(&mut conn)
                .unwrap();
            let execute = if params == 0 {
                "EXECUTE hot".into()
            } else {
                format!("EXECUTE hot({nulls})")
            };
            diesel::sql_query(format!("EXPLAIN {execute}"))
                .load::<PgPlanLine>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|l| l.line)
                .collect()
        }
    }
}

/// Tables that grow with the data; a small fixed table (accounts, settings) may be scanned.
const TENANT_TABLES: [&str; 11] = [
    "customers",
    "customer_contacts",
    "conversations",
    "interactions",
    "companies",
    "company_keys",
    "customer_requests",
    "notes",
    "customer_tags",
    "company_tags",
    "tags",
];

/// Why a plan would not hold as the tables grow, if it would not.
fn bad_plan(backend: Backend, plan: &[String]) -> Option<String> {
    for (i, line) in plan.iter().enumerate() {
        let line = line.trim();
        match backend {
            Backend::Sqlite => {
                // "SCAN t" reads every row (or every index entry); "SEARCH t … (a=? …)" a range.
                if let Some(table) = line.strip_prefix("SCAN ") {
                    let table = table.split_whitespace().next().unwrap_or_default();
                    if TENANT_TABLES.contains(&table) {
                        return Some(format!("scans {table}"));
                    }
                }
                for table in ["customer_contacts", "conversations", "interactions"] {
                    if line.starts_with(&format!("SEARCH {table} "))
                        && (line.ends_with("(account_id=?)")
                            || line.ends_with("(account_id=? AND kind=?)"))
                    {
                        return Some(format!("walks all of an account's {table}"));
                    }
                }
            }
            Backend::Postgres => {
                if let Some(table) = line.split("Seq Scan on ").nth(1) {
                    let table = table.split_whitespace().next().unwrap_or_default();
                    if TENANT_TABLES.contains(&table) {
                        return Some(format!("scans {table}"));
                    }
                }
                for table in ["customer_contacts", "conversations", "interactions"] {
                    if !(line.contains(&format!(" on {table}")) && line.contains("Index")) {
                        continue;
                    }
                    let condition = plan[i + 1..]
                        .iter()
                        .map(|l| l.trim())
                        .find(|l| l.starts_with("Index Cond:"))
                        .unwrap_or_default();
                    let narrowed = [
                        "customer_id",
                        "customer_contact_id",
                        "normalized",
                        "match_key",
                        "domain",
                        "conversation_id",
                        "(id =",
                        "number",
                    ]
                    .iter()
                    .any(|column| condition.contains(column));
                    if !narrowed {
                        return Some(format!("walks all of an account's {table}: {condition}"));
                    }
                }
            }
        }
    }
    None
}

#[derive(QueryableByName)]
struct Unindexed {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// Deleting a parent row finds its children by the foreign key's column (and `ON DELETE` acts on
/// them): without an index that starts with it, every such delete reads the whole child table.
async fn every_foreign_key_leads_an_index(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, f.\"from\" AS column_name
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND NOT EXISTS (
               SELECT 1 FROM pragma_index_list(m.name) l, pragma_index_info(l.name) i
               WHERE i.seqno = 0 AND i.name = f.\"from\")
             AND NOT EXISTS (
               SELECT 1 FROM pragma_table_info(m.name) c WHERE c.pk = 1 AND c.name = f.\"from\")"
        }
        Backend::Postgres => {
            // A tenant key `(account_id, x_id)` is served by an index that leads with `x_id`
            // (one account's rows of one parent are the parent's rows) or with both columns.
            "SELECT c.conrelid::regclass::text AS table_name,
                    (SELECT string_agg(a.attname, '+') FROM pg_attribute a
                     WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) AS column_name
             FROM pg_constraint c
             WHERE c.contype = 'f' AND NOT EXISTS (
               SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
               AND (i.indkey[0] = c.conkey[cardinality(c.conkey)]
                    OR ((i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
                        AND cardinality(c.conkey) <= i.indnkeyatts)))"
        }
    };
    let missing: Vec<Unindexed> = match &mut *app.conn() {
        DbConn::Sqlite(conn) => diesel::sql_query(sql).load(conn).unwrap(),
        DbConn::Postgres(conn) => diesel::sql_query(sql).load(conn).unwrap(),
    };
    let missing: Vec<String> = missing
        .iter()
        .map(|m| format!("{}.{}", m.table_name, m.column_name))
        .collect();
    assert!(
        missing.is_empty(),
        "foreign keys no index starts with: {missing:?}"
    );
}
