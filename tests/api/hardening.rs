//! Holes an attacker or an operator found: logins starving the pool, one tenant starving the
//! others, stalled bodies, links from client headers, HEAD, and small correctness gaps.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;
use crate::on_each_backend;

/// The `q`-th quantile (0.0–1.0) of `samples`.
fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index]
}

/// Sequential GETs of `path` with `token` until `stop`; their latencies.
async fn timed_reads(app: &TestApp, path: &str, token: &str, stop: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    while Instant::now() < stop || latencies.len() < 5 {
        let started = Instant::now();
        let response = app
            .anonymous(Method::GET, path)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "a read of the quiet account");
        latencies.push(started.elapsed());
    }
    latencies
}

/// A second account with a member and one customer: (customer path, member token).
async fn quiet_account(app: &TestApp) -> (String, String) {
    let account_id = app.create_account("Quiet account");
    let (_, token) = app.create_member(account_id, Role::Agent);
    let response = app
        .anonymous(
            Method::POST,
            &format!("/api/v1/accounts/{account_id}/customers"),
        )
        .bearer_auth(&token)
        .json(&json!({"first_name": "Quiet"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["data"]["id"].clone();
    (
        format!("/api/v1/accounts/{account_id}/customers/{id}"),
        token,
    )
}

/// Argon2 runs with no pooled connection held: a burst of logins leaves the pool to the others.
async fn a_burst_of_logins_holds_no_connections_while_hashing(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.pool_size = Some(2)).await else {
        return;
    };
    let (quiet_path, quiet_token) = quiet_account(&app).await;
    let email = "burst@example.com";
    {
        let mut conn = app.conn();
        new_member(
            &mut conn,
            app.account_id,
            email,
            Some("the password"),
            Role::Agent,
        );
    }
    let started = Instant::now();
    let logins = futures_util::future::join_all((0..40).map(|i| {
        // Every other guess is wrong: refused logins hash too.
        let password = if i % 2 == 0 {
            "the password"
        } else {
            "a guess"
        };
        app.anonymous(Method::POST, "/api/v1/auth/login")
            .json(&json!({"email": email, "password": password}))
            .send()
    }));
    // Meanwhile: how many connections are out, sampled; and the other account's reads.
    let sample = async {
        let mut samples = Vec::new();
        while started.elapsed() < Duration::from_millis(600) {
            samples.push(app.state.db.in_use());
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        samples
    };
    let stop = started + Duration::from_millis(800);
    let (logins, samples, mut reads) = tokio::join!(
        logins,
        sample,
        timed_reads(&app, &quiet_path, &quiet_token, stop)
    );
    let burst = started.elapsed();
    for (i, response) in logins.into_iter().enumerate() {
        let expected = if i % 2 == 0 { 200 } else { 401 };
        assert_eq!(response.unwrap().status(), expected);
    }
    let full = samples.iter().filter(|n| **n >= 2).count();
    assert!(
        full * 4 < samples.len(),
        "the pool was full in {full} of {} samples: logins hold connections while hashing",
        samples.len()
    );
    let p99 = quantile(&mut reads, 0.99);
    eprintln!(
        "quiet reads: p99 {p99:?} over {} reads; burst {burst:?}",
        reads.len()
    );
    assert!(
        p99 * 3 < burst,
        "the quiet account's p99 {p99:?} against a burst of {burst:?}"
    );
}

on_each_backend!(a_burst_of_logins_holds_no_connections_while_hashing);

/// Seeds `customers` customers into the app's account, straight through the repository.
fn seed(app: &TestApp, customers: u64) {
    let plan = supportdesk::services::seed_data::SeedPlan {
        account_id: app.account_id,
        customers,
        conversations_per_customer: 0,
        seed: 7,
    };
    supportdesk::services::seed_data::seed(&app.state.db, &plan, |_| {}).unwrap();
}

/// A search that reads all the index entries one request may (`db::customers::SEARCH_SCAN`):
/// thousands of terms start with `a`, and the email filter keeps none of their customers.
fn slow_search(app: &TestApp) -> String {
    format!(
        "{}?q=a&email=nobody@example.invalid&per_page=100",
        app.customers_path()
    )
}

/// 16 parallel searches of one account queue behind that account's cap (half the pool), so
/// another account's reads keep finding connections.
async fn one_flooding_account_leaves_the_others_answering(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.pool_size = Some(4)).await else {
        return;
    };
    seed(&app, 3_000);
    let (quiet_path, quiet_token) = quiet_account(&app).await;
    let search = slow_search(&app);
    let stop = Instant::now() + Duration::from_secs(2);
    let flood = futures_util::future::join_all((0..16).map(|_| async {
        let mut latencies = Vec::new();
        while Instant::now() < stop {
            let started = Instant::now();
            let response = app.api(Method::GET, &search).send().await.unwrap();
            assert_eq!(
                response.status(),
                200,
                "the flooding account is slowed, not refused"
            );
            latencies.push(started.elapsed());
        }
        latencies
    }));
    let quiet = async {
        // Let the flood fill the queue first.
        tokio::time::sleep(Duration::from_millis(200)).await;
        timed_reads(&app, &quiet_path, &quiet_token, stop).await
    };
    let (flood, mut quiet) = tokio::join!(flood, quiet);
    let mut flood: Vec<Duration> = flood.into_iter().flatten().collect();
    let flood_median = quantile(&mut flood, 0.5);
    let quiet_p90 = quantile(&mut quiet, 0.9);
    assert!(
        quiet_p90 * 2 < flood_median,
        "the quiet account's p90 {quiet_p90:?} against the flood's median {flood_median:?}"
    );
}

on_each_backend!(one_flooding_account_leaves_the_others_answering);

/// An account's searches run at most `ACCOUNT_SEARCH_CONCURRENCY_LIMIT` at a time (their work is
/// all CPU: more of it than there are cores slows every tenant's reads), and a queued search
/// holds nothing its account's other requests need. PostgreSQL only: a table lock holds a search
/// in place there, while SQLite's readers never wait for one.
#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn an_accounts_searches_queue_in_their_own_lane() {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let tweak = |s: &mut supportdesk::config::Settings| {
        s.pool_size = Some(8);
        s.account_search_concurrency_limit = Some(1);
    };
    let Some(app) = spawn_app_with(Backend::Postgres, tweak).await else {
        return;
    };
    seed(&app, 50);
    let mut locker = PgConnection::establish(&app.database.url).unwrap();
    locker
        .batch_execute("BEGIN; LOCK TABLE customer_search_terms IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let searches: Vec<_> = (0..3)
        .map(|_| {
            let search = app.api(Method::GET, &format!("{}?q=a", app.customers_path()));
            actix_web::rt::spawn(search.send())
        })
        .collect();
    let mut observer = PgConnection::establish(&app.database.url).unwrap();
    let mut waiting_on_the_lock = || {
        #[derive(diesel::QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result::<Waiting>(&mut observer)
        .unwrap()
        .n
    };
    let deadline = Instant::now() + Duration::from_secs(4);
    while waiting_on_the_lock() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Give the other two every chance to reach the database too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        waiting_on_the_lock(),
        1,
        "one search at the database, two queued"
    );
    let list = app
        .api(Method::GET, &format!("{}?per_page=1", app.customers_path()))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200, "the account's plain list is not queued");
    locker.batch_execute("COMMIT").unwrap();
    for search in searches {
        assert_eq!(search.await.unwrap().unwrap().status(), 200);
    }
}

/// Database work past `DATABASE_WORK_TIMEOUT_MS` is stopped: a 503 JSON, and the server goes on.
async fn work_past_the_timeout_is_stopped_with_a_503(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app, 3_000);
    // A second server on the same database, with a tight bound (start-up work fits in it).
    let mut tight = test_settings(&app.database.url);
    // SQLite's bound is per request and start-up runs outside it: 1 ms stops a search's
    // bounded scan. PostgreSQL's applies to every statement, start-up's too: 50 ms.
    tight.database_work_timeout_ms = match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 50,
    };
    let server = supportdesk::startup::Application::build(&tight).unwrap();
    let address = format!("http://127.0.0.1:{}", server.port());
    actix_web::rt::spawn(server.run_until_stopped());
    let search = |base: String| {
        app.client
            .get(format!("{base}{}", slow_search(&app)))
            .bearer_auth(&app.token)
            .send()
    };
    // PostgreSQL reads the bounded scan well within 50 ms; a lock held elsewhere makes the
    // search wait instead, which the statement timeout bounds just the same.
    let locker = (backend == Backend::Postgres).then(|| {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::PgConnection::establish(&app.database.url).unwrap();
        conn.batch_execute("BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        conn
    });
    let response = search(address.clone()).await.unwrap();
    drop(locker);
    assert!(response.headers().contains_key("retry-after"));
    let body = assert_json_error(response, 503).await;
    assert!(
        body["message"].as_str().unwrap().contains("took too long"),
        "{body}"
    );
    // On SQLite even the token check may pass 1 ms; the process itself goes on.
    let quick = match backend {
        Backend::Sqlite => "/health",
        Backend::Postgres => "/api/v1/profile",
    };
    let response = app
        .client
        .get(format!("{address}{quick}"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the same server goes on");
    let response = search(app.address.clone()).await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "the same search within the default bound"
    );
}

on_each_backend!(work_past_the_timeout_is_stopped_with_a_503);

/// Sends a request head announcing a 1,000-byte body, then 9 bytes, and waits for the answer.
fn stalled_request(address: &str, path: &str, token: &str) -> (String, Duration) {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"first_"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
            break;
        }
    }
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

async fn a_stalled_body_times_out_with_a_408(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.body_read_timeout_secs = 1).await else {
        return;
    };
    let (address, path, token) = (app.address.clone(), app.customers_path(), app.token.clone());
    let (answer, waited) =
        actix_web::rt::task::spawn_blocking(move || stalled_request(&address, &path, &token))
            .await
            .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{answer}"
    );
    assert!(answer.contains("not received in time"), "{answer}");
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    assert_eq!(app.customer_count().await, 0);
}

on_each_backend!(a_stalled_body_times_out_with_a_408);

async fn links_ignore_host_and_forwarding_headers(app: TestApp) {
    for i in 0..3 {
        app.create_customer(json!({"first_name": format!("Person {i}")}))
            .await;
    }
    let response = app
        .api(Method::GET, &format!("{}?per_page=1", app.customers_path()))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "javascript")
        .header("forwarded", "host=evil.example;proto=javascript")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    let next = body["links"]["next"].as_str().unwrap();
    assert_eq!(
        next,
        format!("{}?per_page=1&page=2", app.customers_path()),
        "relative without PUBLIC_BASE_URL"
    );
    for (_, link) in body["links"].as_object().unwrap() {
        assert!(!link.to_string().contains("evil"), "{link}");
    }
}

async fn head_works_wherever_get_does(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    for path in [
        app.customer_path(&customer["id"]),
        app.customers_path(),
        "/health".to_string(),
        "/api/v1/profile".to_string(),
    ] {
        let get = app.api(Method::GET, &path).send().await.unwrap();
        let head = app.api(Method::HEAD, &path).send().await.unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    let response = app
        .api(Method::HEAD, &app.customer_path(&json!(999999)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app
        .api(Method::POST, &app.customer_path(&customer["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD, PUT, PATCH, DELETE");
}

async fn deleting_a_company_moves_its_customers_updated_at(app: TestApp) {
    let company = app
        .create_company(json!({"name": "ACME", "domains": ["acme.com"]}))
        .await;
    let customer = app
        .create_customer(json!({"first_name": "Jane", "emails": [{"email": "jane@acme.com"}]}))
        .await;
    assert_eq!(customer["company_id"], company["id"]);
    let conversation = app
        .create_conversation(json!({"customer_email": "jane@acme.com"}))
        .await;
    let request = app.send_json(Method::POST, &app.account_path("customer_requests"),
        json!({"conversation_id": conversation["id"], "company_id": company["id"], "body": "More seats"})).await;
    assert_eq!(request.0, 201, "{}", request.1);
    // Timestamps are shown to the second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &app.account_path(&format!("companies/{}", company["id"])),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = app.get_json(&app.customer_path(&customer["id"])).await;
    assert_eq!(after["data"]["company_id"], Value::Null);
    assert_ne!(after["data"]["updated_at"], customer["updated_at"]);
    let (_, synced) = app
        .get_json(&format!(
            "{}?updated_since={}",
            app.customers_path(),
            urlencode(&before)
        ))
        .await;
    assert_eq!(
        synced["meta"]["total"], 1,
        "an updated_since sync sees the unlinked customer"
    );
    let (_, request_after) = app
        .get_json(&app.account_path(&format!("customer_requests/{}", request.1["data"]["id"])))
        .await;
    assert_eq!(request_after["data"]["company_id"], Value::Null);
    assert_ne!(
        request_after["data"]["updated_at"],
        request.1["data"]["updated_at"]
    );
}

async fn internationalized_email_domains_link_to_their_company(app: TestApp) {
    let books = app
        .create_company(json!({"name": "Bücher", "domains": ["xn--bcher-kva.example"]}))
        .await;
    let jane = app
        .create_customer(
            json!({"first_name": "Jane", "emails": [{"email": "jane@bücher.example"}]}),
        )
        .await;
    assert_eq!(jane["company_id"], books["id"]);
    let shop = app
        .create_company(json!({"name": "Café", "domains": ["café.example"]}))
        .await;
    let joe = app
        .create_customer(
            json!({"first_name": "Joe", "emails": [{"email": "joe@xn--caf-dma.example"}]}),
        )
        .await;
    assert_eq!(joe["company_id"], shop["id"]);
}

both_backends!(
    links_ignore_host_and_forwarding_headers,
    head_works_wherever_get_does,
    deleting_a_company_moves_its_customers_updated_at,
    internationalized_email_domains_link_to_their_company
);

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn links_are_absolute_on_the_configured_public_base_url(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.public_base_url = Some("https://api.example.com/".into())
    })
    .await
    else {
        return;
    };
    for i in 0..2 {
        app.create_customer(json!({"first_name": format!("Person {i}")}))
            .await;
    }
    let response = app
        .api(Method::GET, &format!("{}?per_page=1", app.customers_path()))
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["links"]["next"],
        format!(
            "https://api.example.com{}?per_page=1&page=2",
            app.customers_path()
        )
    );
}

on_each_backend!(links_are_absolute_on_the_configured_public_base_url);

#[test]
fn a_public_base_url_that_is_no_http_origin_stops_the_start() {
    let database = fresh_database(Backend::Sqlite).unwrap();
    for bad in [
        "javascript://x",
        "api.example.com",
        "https://api.example.com/?q=1",
    ] {
        let mut settings = test_settings(&database.url);
        settings.public_base_url = Some(bad.into());
        let error = supportdesk::startup::Application::build(&settings)
            .err()
            .unwrap_or_else(|| panic!("{bad} was accepted"));
        assert!(
            format!("{error:#}").contains("PUBLIC_BASE_URL"),
            "{error:#}"
        );
    }
}

/// Sends `request` as raw bytes and reads the answer until the server closes the connection.
fn raw_exchange(address: &str, request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(address.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Requests actix-http refuses before the app sees them still get JSON error bodies.
async fn unparsable_and_oversized_request_heads_get_json_errors(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let many_headers: String = (0..120).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let cases = [
        (
            "a malformed request line",
            b"G@T /health HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            "400",
        ),
        (
            "120 headers",
            format!("GET /health HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").into_bytes(),
            "431",
        ),
    ];
    for (name, request, status) in cases {
        let address = app.address.clone();
        let answer = actix_web::rt::task::spawn_blocking(move || raw_exchange(&address, &request))
            .await
            .unwrap();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{name}: {answer}"
        );
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains("content-type: application/json"),
            "{name}: {head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{name}: {head}"
        );
        let body: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"));
        assert!(body["message"].is_string(), "{name}: {body}");
    }
    // The server goes on.
    let response = app.anonymous(Method::GET, "/health").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

on_each_backend!(unparsable_and_oversized_request_heads_get_json_errors);
