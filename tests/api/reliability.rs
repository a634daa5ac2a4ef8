//! Keeping customer records under concurrency, database outages, crashes and abusive input.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;
use crate::on_each_backend;

/// How many clients race in the concurrency tests.
const CLIENTS: usize = 20;

async fn twenty_clients_adding_emails_never_push_a_customer_past_fifteen(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Popular"})).await;
    let path = app.customer_path(&customer["id"]);
    let requests = (0..CLIENTS).map(|i| {
        app.api(Method::PATCH, &path)
            .json(&json!({"emails": [{"email": format!("e{i}@example.org")}]}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        15,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        CLIENTS - 15,
        "{statuses:?}"
    );
    let (_, after) = app.get_json(&path).await;
    assert_eq!(after["data"]["emails"].as_array().unwrap().len(), 15);
}

async fn twenty_clients_creating_one_email_leave_exactly_one_customer(app: TestApp) {
    let requests = (0..CLIENTS).map(|i| {
        app.api(Method::POST, &app.customers_path())
            .json(&json!({"first_name": format!("Racer {i}"), "emails": [{"email": if i % 2 == 0 { "same@example.org" } else { "SAME@Example.ORG" }}]}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 422].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(app.customer_count().await, 1);
}

async fn twenty_concurrent_conversations_get_twenty_distinct_numbers(app: TestApp) {
    let requests = (0..CLIENTS).map(|i| {
        app.api(Method::POST, &app.conversations_path())
            .json(&json!({"customer_email": format!("c{}@example.org", i % 3)}))
            .send()
    });
    let mut numbers = Vec::new();
    for response in futures_util::future::join_all(requests).await {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        numbers.push(
            response.json::<Value>().await.unwrap()["data"]["number"]
                .as_i64()
                .unwrap(),
        );
    }
    numbers.sort();
    assert_eq!(numbers, (1..=CLIENTS as i64).collect::<Vec<_>>());
    assert_eq!(app.customer_count().await, 3);
}

async fn abusive_input_gets_a_json_4xx_and_writes_nothing(app: TestApp) {
    let path = app.customers_path();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let nested_form: String = (0..10_000)
        .map(|i| format!("emails[{i}][email]=e{i}@example.org&"))
        .collect();
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("deep JSON", "application/json", format!("{{\"first_name\": {deep}}}").into_bytes()),
        ("10,000 nested items (JSON)", "application/json",
         json!({"first_name": "X", "emails": (0..10_000).map(|i| json!({"email": format!("e{i}@example.org")})).collect::<Vec<_>>()}).to_string().into_bytes()),
        ("10,000 nested items (form)", "application/x-www-form-urlencoded", format!("first_name=X&{nested_form}").into_bytes()),
        ("a megabyte string", "application/json", json!({"first_name": "x".repeat(1_000_000)}).to_string().into_bytes()),
        ("a 255+ name", "application/json", json!({"first_name": "x".repeat(256)}).to_string().into_bytes()),
        ("invalid UTF-8 JSON", "application/json", b"{\"first_name\": \"\xff\xfe\"}".to_vec()),
        ("invalid UTF-8 form", "application/x-www-form-urlencoded", b"first_name=\xff".to_vec()),
        ("NUL byte", "application/json", b"{\"first_name\": \"a\\u0000b\"}".to_vec()),
        ("a number out of range", "application/json", br#"{"first_name": "X", "company_id": 99999999999999999999999}"#.to_vec()),
        ("a float id", "application/json", br#"{"first_name": "X", "emails": [{"id": 1.5, "email": "a@example.org"}]}"#.to_vec()),
        ("a negative id", "application/json", br#"{"first_name": "X", "company_id": -5}"#.to_vec()),
        ("a huge form index", "application/x-www-form-urlencoded", b"first_name=X&emails[99999999999999][email]=a@example.org".to_vec()),
        ("an array body", "application/json", b"[{\"first_name\": \"X\"}]".to_vec()),
        ("empty JSON", "application/json", b"".to_vec()),
    ];
    for (name, content_type, body) in cases {
        let response = app
            .api(Method::POST, &path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{name}: {status}");
        assert_json_error(response, status).await;
    }
    // SQL-looking text is just text.
    let sneaky = app
        .create_customer(
            json!({"first_name": "Robert'); DROP TABLE customers;--", "company": "1 OR 1=1"}),
        )
        .await;
    let (_, found) = app.get_json(&format!("{path}?q=%27%29%3B%20DROP")).await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(sneaky["first_name"], "Robert'); DROP TABLE customers;--");

    for query in [
        "page=-1",
        "page=99999999999999999999",
        "per_page=1000000",
        "page=1e3",
        "updated_since=9999999-01-01",
        "phone=%2B%2B%2B",
        "sort=name;DROP",
    ] {
        let response = app
            .api(Method::GET, &format!("{path}?{query}"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 422).await;
    }
    for id in ["-1", "0", "99999999999999999999", "1.5", "%00", "1;DROP"] {
        let response = app
            .api(Method::GET, &format!("{path}/{id}"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
    }
    assert_eq!(app.customer_count().await, 1);
}

both_backends!(
    twenty_clients_adding_emails_never_push_a_customer_past_fifteen,
    twenty_clients_creating_one_email_leave_exactly_one_customer,
    twenty_concurrent_conversations_get_twenty_distinct_numbers,
    abusive_input_gets_a_json_4xx_and_writes_nothing
);

/// A server on a private PostgreSQL, with a user who can log in and a token of theirs.
struct OutageApp {
    postgres: PrivatePostgres,
    url: String,
    address: String,
    token: String,
    client: reqwest::Client,
}

impl OutageApp {
    async fn start() -> Option<OutageApp> {
        let (postgres, url) = PrivatePostgres::start()?;
        let mut settings = test_settings(&url);
        // A production-like pool, so there are many connections to go stale.
        settings.pool_size = Some(10);
        let app = supportdesk::startup::Application::build(&settings).unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        actix_web::rt::spawn(app.run_until_stopped());
        let token = {
            let mut conn = state.db.get().unwrap();
            let new_user = supportdesk::db::users::NewUser {
                email: "ops@example.com".into(),
                first_name: "Ops".into(),
                last_name: None,
                password_hash: Some(supportdesk::auth::password::hash("a long password")),
            };
            let user = supportdesk::db::users::create(&mut conn, &new_user).unwrap();
            let ttl = chrono::Duration::hours(1);
            let token = supportdesk::auth::issue_token(&mut conn, &state.jwt, user.id, ttl, None)
                .unwrap()
                .token;
            // The test server runs with synchronous_commit off; make the token survive the halt.
            conn.batch_execute("CHECKPOINT").unwrap();
            token
        };
        Some(OutageApp {
            postgres,
            url,
            address,
            token,
            client: reqwest::Client::new(),
        })
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// Fills the pool the way traffic does: parallel logins, readiness probes and reads, so
    /// every pooled connection is one that the outage will kill.
    async fn grow_the_pool(&self) {
        let login = json!({"email": "ops@example.com", "password": "a long password"});
        let logins = (0..20).map(|_| {
            self.client
                .post(format!("{}/api/v1/auth/login", self.address))
                .json(&login)
                .send()
        });
        let probes = (0..30).map(|_| self.client.get(format!("{}/ready", self.address)).send());
        let reads = (0..6).map(|_| {
            self.client
                .get(format!("{}/api/v1/profile", self.address))
                .bearer_auth(&self.token)
                .send()
        });
        let (logins, probes, reads) = tokio::join!(
            futures_util::future::join_all(logins),
            futures_util::future::join_all(probes),
            futures_util::future::join_all(reads)
        );
        for response in logins.into_iter().chain(probes).chain(reads) {
            assert_eq!(response.unwrap().status(), 200);
        }
    }

    /// Right after PostgreSQL accepts connections again, with no `/ready` first: every request
    /// succeeds, sequential and parallel, reads and writes, within 2 s.
    async fn every_request_succeeds_at_once(&self) {
        let started = Instant::now();
        for path in ["/api/v1/profile", "/api/v1/profile", "/ready"] {
            let response = self.get(path).await;
            assert_eq!(response.status(), 200, "{path} after the restart");
        }
        let parallel = (0..12).map(|_| self.get("/api/v1/profile"));
        for response in futures_util::future::join_all(parallel).await {
            assert_eq!(response.status(), 200, "a parallel read after the restart");
        }
        let login = json!({"email": "ops@example.com", "password": "a long password"});
        let logins = (0..6).map(|_| {
            self.client
                .post(format!("{}/api/v1/auth/login", self.address))
                .json(&login)
                .send()
        });
        for response in futures_util::future::join_all(logins).await {
            assert_eq!(
                response.unwrap().status(),
                200,
                "a login (a write) after the restart"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "recovery took {:?}",
            started.elapsed()
        );
    }
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn a_postgresql_outage_gives_quick_503s_and_the_server_recovers_by_itself() {
    let Some(app) = OutageApp::start().await else {
        return;
    };
    app.grow_the_pool().await;

    app.postgres.halt();
    for path in ["/ready", "/api/v1/profile", "/ready"] {
        let started = Instant::now();
        assert_json_error(app.get(path).await, 503).await;
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "the process itself stays up"
    );

    app.postgres.resume();
    app.every_request_succeeds_at_once().await;
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn a_postgresql_restart_without_traffic_in_between_costs_no_request() {
    let Some(app) = OutageApp::start().await else {
        return;
    };
    app.grow_the_pool().await;
    app.postgres.restart();
    app.every_request_succeeds_at_once().await;
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn terminated_postgresql_sessions_cost_no_request() {
    use diesel::{Connection, RunQueryDsl};
    let Some(app) = OutageApp::start().await else {
        return;
    };
    app.grow_the_pool().await;
    let mut admin = diesel::PgConnection::establish(&app.url).unwrap();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .unwrap();
    app.every_request_succeeds_at_once().await;
}

/// Creates customers from `clients` concurrent loops until `stop`; returns the emails whose
/// create was acknowledged with a 201.
async fn write_load(base: &str, token: &str, clients: usize, stop: Instant) -> Vec<String> {
    let client = reqwest::Client::new();
    let loops = (0..clients).map(|c| {
        let (client, base, token) = (client.clone(), base.to_string(), token.to_string());
        async move {
            let mut acknowledged = Vec::new();
            let mut i = 0;
            while Instant::now() < stop {
                let email = format!("w{c}-{i}@example.org");
                i += 1;
                let sent = client
                    .post(format!("{base}/customers"))
                    .bearer_auth(&token)
                    .json(&json!({"first_name": "Load", "emails": [{"email": email}], "phones": [{"phone": "555 0100"}]}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 201 => acknowledged.push(email),
                    Ok(_) => {}
                    // The server died under us: this write was never acknowledged.
                    Err(_) => break,
                }
            }
            acknowledged
        }
    });
    futures_util::future::join_all(loops)
        .await
        .into_iter()
        .flatten()
        .collect()
}

async fn kill_9_during_writes_keeps_every_acknowledged_write(backend: Backend) {
    use crate::bootstrap::{curl_line_before_listening, start, wait_for_start};
    let Some(database) = fresh_database(backend) else {
        return;
    };
    let (mut server, lines) = start(cli_command(&database.url));
    let curl = curl_line_before_listening(&lines).expect("first start prints a curl line");
    let token = curl
        .split("Bearer ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let origin = curl
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches("/api/v1/profile")
        .to_string();
    let base = format!("{origin}/api/v1/accounts/1");

    let load = write_load(&base, &token, 8, Instant::now() + Duration::from_secs(3));
    let killer = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.0.kill().unwrap(); // SIGKILL
    };
    let (acknowledged, ()) = tokio::join!(load, killer);
    assert!(
        acknowledged.len() > 5,
        "only {} writes before the kill",
        acknowledged.len()
    );

    // Restart on the same database (it binds a new port; read it from the log).
    let (_server, lines) = start(cli_command(&database.url));
    let port = wait_for_start(&lines).port;
    let base = format!("http://127.0.0.1:{port}/api/v1/accounts/1");
    let client = reqwest::Client::new();
    for email in &acknowledged {
        let found: Value = client
            .get(format!("{base}/customers?email={email}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            found["meta"]["total"], 1,
            "{email} was acknowledged but is gone"
        );
        assert_eq!(
            found["data"][0]["phones"].as_array().unwrap().len(),
            1,
            "{email} lost its phone"
        );
    }
    if backend == Backend::Sqlite {
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let path = database.url.trim_start_matches("sqlite://");
        let mut conn = diesel::SqliteConnection::establish(path).unwrap();
        let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            checks
                .iter()
                .map(|c| c.integrity_check.as_str())
                .collect::<Vec<_>>(),
            ["ok"]
        );
    }
}

on_each_backend!(kill_9_during_writes_keeps_every_acknowledged_write);

#[actix_web::test]
async fn sigterm_lets_in_flight_requests_finish_and_exits_cleanly() {
    use crate::bootstrap::{start, wait_for_start};
    let database = fresh_database(Backend::Sqlite).unwrap();
    let (mut server, lines) = start(cli_command(&database.url));
    let started = wait_for_start(&lines);
    let curl = started.curl.expect("first start prints a curl line");
    let token = curl
        .split("Bearer ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let base = format!("http://127.0.0.1:{}/api/v1/accounts/1", started.port);

    // Requests already sent when the signal arrives still get their answer.
    let client = reqwest::Client::new();
    let in_flight: Vec<_> = (0..8)
        .map(|i| {
            client
                .post(format!("{base}/customers"))
                .bearer_auth(&token)
                .json(&json!({"first_name": "Late", "emails": [{"email": format!("late{i}@example.org")}],
                              "websites": (0..150).map(|w| json!({"website": format!("https://s{w}.example.org/")})).collect::<Vec<_>>()}))
                .send()
        })
        .collect();
    let signal = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let pid = server.0.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
    };
    let (responses, ()) = tokio::join!(futures_util::future::join_all(in_flight), signal);
    for response in responses.into_iter().flatten() {
        assert_eq!(response.status(), 201, "an accepted request was cut off");
    }
    let status = server.0.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let stopped: Vec<String> = lines.try_iter().collect();
    assert!(
        stopped.iter().any(|l| l.contains("graceful")),
        "no graceful-stop log line: {stopped:?}"
    );
}
