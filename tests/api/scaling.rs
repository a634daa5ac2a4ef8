//! Past one machine: instances share nothing but the database, and the schema keeps its indexes.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::config::Settings;
use supportdesk::domain::Role;
use supportdesk::startup::Application;

use crate::helpers::*;
use crate::on_each_backend;

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn two_instances_on_one_postgresql_share_tokens_numbers_and_uniqueness() {
    let Some(database) = fresh_database(Backend::Postgres) else {
        return;
    };
    // An account and a token made through the first instance...
    let (addresses, account, token) = two_instances(&test_settings(&database.url), Role::Admin);

    // ...works on the second: the signing secret lives in the database.
    let client = reqwest::Client::new();
    for address in &addresses {
        let response = client
            .get(format!("{address}/profile"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    let send = |i: usize, path: &str, body: Value| {
        client
            .request(
                Method::POST,
                format!("{}/accounts/{account}/{path}", addresses[i % 2]),
            )
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    // Conversation numbers stay 1..=20 with requests spread over both instances.
    let creates = (0..20).map(|i| {
        send(
            i,
            "conversations",
            json!({"customer_email": format!("c{}@example.org", i % 4)}),
        )
    });
    let mut numbers = Vec::new();
    for response in futures_util::future::join_all(creates).await {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        numbers.push(
            response.json::<Value>().await.unwrap()["data"]["number"]
                .as_i64()
                .unwrap(),
        );
    }
    numbers.sort();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());

    // One email, one customer, whichever instance answers.
    let races = (0..10).map(|i| {
        send(
            i,
            "customers",
            json!({"first_name": "R", "emails": [{"email": "race@example.org"}]}),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(races)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    let listed: Value = client
        .get(format!(
            "{}/accounts/{account}/customers?email=race@example.org",
            addresses[1]
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["meta"]["total"], 1);
}

/// Two servers with `settings` (their API roots), an account made through the first, and a
/// token of a member with `role` in it.
fn two_instances(settings: &Settings, role: Role) -> (Vec<String>, i64, String) {
    let mut addresses = Vec::new();
    let mut states = Vec::new();
    for _ in 0..2 {
        let app = Application::build(settings).unwrap();
        addresses.push(format!("http://127.0.0.1:{}/api/v1", app.port()));
        states.push(app.state());
        actix_web::rt::spawn(app.run_until_stopped());
    }
    let mut conn = states[0].db.get().unwrap();
    let account = supportdesk::db::accounts::create(&mut conn, "Shared", false)
        .unwrap()
        .id;
    let user = new_member(&mut conn, account, "agent@example.com", None, role);
    let ttl = chrono::Duration::hours(1);
    let token = supportdesk::auth::issue_token(&mut conn, &states[0].jwt, user.id, ttl, None)
        .unwrap()
        .token;
    (addresses, account, token)
}

/// How many of `count` GETs of the profile, sent to the instances in turn, answer 200 (the
/// rest must be 429s).
async fn admitted_in_turn(addresses: &[String], token: &str, count: usize) -> usize {
    let client = reqwest::Client::new();
    let mut admitted = 0;
    for i in 0..count {
        let response = client
            .get(format!("{}/profile", addresses[i % addresses.len()]))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            200 => admitted += 1,
            status => assert_eq!(status, 429),
        }
    }
    admitted
}

/// Two instances on one PostgreSQL (a limit of 6 per user), a user and its token.
async fn two_limited_instances(shared: bool) -> Option<(TestDatabase, Vec<String>, String)> {
    let database = fresh_database(Backend::Postgres)?;
    let mut settings = test_settings(&database.url);
    settings.rate_limit_per_minute = 6;
    settings.shared_rate_limits = shared;
    let (addresses, _, token) = two_instances(&settings, Role::Agent);
    Some((database, addresses, token))
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn two_instances_on_one_postgresql_enforce_one_rate_limit() {
    let Some((_database, addresses, token)) = two_limited_instances(true).await else {
        return;
    };
    // A window can turn over mid-test (a clock minute): then at most twice the limit.
    let admitted = admitted_in_turn(&addresses, &token, 10).await;
    assert!(
        admitted == 6 || admitted > 6 && admitted <= 10 && minute_turned(),
        "{admitted}"
    );

    // Counted per instance instead, each admits its own six.
    let Some((_database, addresses, token)) = two_limited_instances(false).await else {
        return;
    };
    assert_eq!(admitted_in_turn(&addresses, &token, 10).await, 10);
}

/// Whether a clock minute began within the last few seconds (the windows are clock minutes).
fn minute_turned() -> bool {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    seconds % 60 < 5
}

/// The indexes behind every hot lookup, filter and sort, each starting with `account_id` where the
/// table is a tenant's, so a query touches one account's rows and the tables can later be
/// distributed by account.
const EXPECTED_INDEXES: &[(&str, &str)] = &[
    ("customers", "customers_account_created_idx"),
    ("customers", "customers_account_updated_idx"),
    ("customers", "customers_account_name_idx"),
    ("customers", "customers_account_company_idx"),
    ("customer_contacts", "customer_contacts_email_key"),
    ("customer_contacts", "customer_contacts_match_idx"),
    ("customer_external_ids", "customer_external_ids_value_key"),
    ("customer_contacts", "customer_contacts_customer_idx"),
    ("customer_contacts", "customer_contacts_domain_idx"),
    ("conversations", "conversations_account_number_key"),
    ("conversations", "conversations_stats_idx"),
    ("conversations", "conversations_account_created_idx"),
    ("conversations", "conversations_account_status_idx"),
    ("interactions", "interactions_conversation_idx"),
    ("company_keys", "company_keys_account_value_key"),
    ("customer_requests", "customer_requests_company_idx"),
    ("account_members", "account_members_user_id_idx"),
    ("api_tokens", "api_tokens_user_id_idx"),
];

async fn the_migrations_create_the_hot_indexes(backend: Backend) {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        index_name: String,
    }
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut pooled = app.conn();
    let conn = &mut *pooled;
    let sql = match backend {
        Backend::Sqlite => "SELECT tbl_name AS table_name, name AS index_name FROM sqlite_master WHERE type = 'index'",
        Backend::Postgres => "SELECT tablename::text AS table_name, indexname::text AS index_name FROM pg_indexes WHERE schemaname = 'public'",
    };
    let found: Vec<Index> =
        supportdesk::db_run!(conn, { diesel::sql_query(sql).load(conn) }).unwrap();
    for (table, index) in EXPECTED_INDEXES {
        assert!(
            found
                .iter()
                .any(|i| i.table_name == *table && i.index_name == *index),
            "{table}.{index} is missing"
        );
    }
}

on_each_backend!(the_migrations_create_the_hot_indexes);
