//! The change feed and webhooks: every change has its event, in order, pulled (`GET /events`) or
//! pushed to a real HTTP receiver started here, signed, retried, and never lost.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;
use supportdesk::startup::Application;

use crate::helpers::{
    assert_json_error, cli_command, fresh_database, spawn_app_with, test_settings, Backend, TestApp,
};
use crate::{both_backends, on_each_backend};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// How the receiver answers.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Answer 500 to the first N attempts of each webhook id.
    pub fail_first: usize,
    /// Wait this long before answering.
    pub delay: Duration,
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    script: Mutex<Script>,
}

/// A real HTTP server on 127.0.0.1 that records what it gets.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

async fn receive(req: HttpRequest, body: String, state: web::Data<ReceiverState>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let received = Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    };
    let script = state.script.lock().unwrap().clone();
    let attempt = {
        let mut all = state.received.lock().unwrap();
        all.push(received.clone());
        all.iter().filter(|r| r.id == received.id).count()
    };
    if !script.delay.is_zero() {
        tokio::time::sleep(script.delay).await;
    }
    if attempt <= script.fail_first {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::Ok().finish()
    }
}

impl Receiver {
    pub fn start(script: Script) -> Receiver {
        let state = Arc::new(ReceiverState::default());
        *state.script.lock().unwrap() = script;
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
        }
    }

    pub fn set_script(&self, script: Script) {
        *self.state.script.lock().unwrap() = script;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what arrived (at most `within`), and returns it.
    pub async fn wait_for(
        &self,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got only {:?}",
                received
                    .iter()
                    .map(|r| r.json()["type"].clone())
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The distinct ids that arrived with a valid signature for `secret`, in arrival order.
    pub fn distinct(&self, received: &[Received], secret: &str) -> Vec<Received> {
        let mut seen = HashSet::new();
        received
            .iter()
            .inspect(|r| assert_signed(r, secret))
            .filter(|r| seen.insert(r.id.clone()))
            .cloned()
            .collect()
    }
}

/// The Standard Webhooks signature, checked as a receiver would, with the secret given once.
fn assert_signed(r: &Received, secret: &str) {
    let timestamp: i64 = r.timestamp.parse().expect("a webhook-timestamp");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 300);
    let expected =
        supportdesk::domain::webhook::sign(secret, &r.id, timestamp, r.body.as_bytes()).unwrap();
    assert_eq!(r.signature, expected, "signature of {}", r.id);
    assert_eq!(
        r.json()["id"],
        r.id.as_str(),
        "webhook-id is the event's id"
    );
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let response = app
        .api(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "POST {path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.api(Method::GET, path).send().await.unwrap();
    response.json().await.unwrap()
}

async fn patch(app: &TestApp, path: &str, body: Value) {
    let response = app
        .api(Method::PATCH, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "PATCH {path}: {}",
        response.status()
    );
}

async fn delete(app: &TestApp, path: &str) {
    let response = app.api(Method::DELETE, path).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204, "DELETE {path}");
}

/// Creates an endpoint for `url` (every type unless `events`); returns its id and secret.
async fn endpoint(app: &TestApp, url: &str, events: Option<Value>) -> (i64, String) {
    let mut body = json!({"url": url});
    if let Some(events) = events {
        body["events"] = events;
    }
    let created = post(
        app,
        &format!("/api/v1/accounts/{}/webhook_endpoints", app.account_id),
        body,
    )
    .await;
    let secret = created["data"]["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (created["data"]["id"].as_i64().unwrap(), secret)
}

/// The app's account's feed from the start, page by page, until it holds `expected` events
/// (events show once every transaction that began before them has ended: on a shared
/// PostgreSQL, another test's transaction may hold them back a moment), then to its end.
async fn read_feed(app: &TestApp, query: &str, expected: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let events = read_feed_once(app, query).await;
        if events.len() >= expected || Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn read_feed_once(app: &TestApp, query: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = app
            .api(
                Method::GET,
                &format!(
                    "/api/v1/accounts/{}/events?per_page=7{query}{after}",
                    app.account_id
                ),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        after = format!("&after={}", page["meta"]["next_cursor"].as_str().unwrap());
        if !page["meta"]["has_more"].as_bool().unwrap() {
            return events;
        }
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

async fn each_change_arrives_once_signed_and_in_order(app: TestApp) {
    let receiver = Receiver::start(Script::default());
    let (_, secret) = endpoint(&app, &receiver.url, None).await;
    let base = format!("/api/v1/accounts/{}", app.account_id);

    let customer = post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Jane", "emails": [{"email": "jane@example.org"}]}),
    )
    .await;
    let customer_id = customer["data"]["id"].as_i64().unwrap();
    patch(
        &app,
        &format!("{base}/customers/{customer_id}"),
        json!({"last_name": "Doe"}),
    )
    .await;
    // A write that changes nothing has no event.
    patch(
        &app,
        &format!("{base}/customers/{customer_id}"),
        json!({"last_name": "Doe"}),
    )
    .await;
    let company = post(
        &app,
        &format!("{base}/companies"),
        json!({"name": "Acme", "domains": ["acme.test"]}),
    )
    .await;
    let company_id = company["data"]["id"].as_i64().unwrap();
    patch(
        &app,
        &format!("{base}/companies/{company_id}"),
        json!({"name": "Acme Inc"}),
    )
    .await;
    let conversation = post(
        &app,
        &format!("{base}/conversations"),
        json!({"customer_id": customer_id, "subject": "Order"}),
    )
    .await;
    let conversation_id = conversation["data"]["id"].as_i64().unwrap();
    patch(
        &app,
        &format!("{base}/conversations/{conversation_id}"),
        json!({"status": "closed"}),
    )
    .await;
    post(
        &app,
        &format!("{base}/conversations/{conversation_id}/interactions"),
        json!({"type": "customer", "body": "Hello"}),
    )
    .await;
    let request = post(
        &app,
        &format!("{base}/customer_requests"),
        json!({"conversation_id": conversation_id, "body": "Please"}),
    )
    .await;
    let request_id = request["data"]["id"].as_i64().unwrap();
    patch(
        &app,
        &format!("{base}/customer_requests/{request_id}"),
        json!({"priority": 1}),
    )
    .await;
    delete(&app, &format!("{base}/customer_requests/{request_id}")).await;
    delete(&app, &format!("{base}/conversations/{conversation_id}")).await;
    delete(&app, &format!("{base}/companies/{company_id}")).await;
    delete(&app, &format!("{base}/customers/{customer_id}")).await;

    // Another account's change never reaches this account's endpoint or feed.
    let other = app.create_account("Other");
    let (_, other_token) = app.create_member(other, Role::Admin);
    let response = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{other}/customers")))
        .bearer_auth(&other_token)
        .json(&json!({"first_name": "Stranger"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);

    let expected = [
        "customer.created",
        "customer.updated",
        "company.created",
        "company.updated",
        "conversation.created",
        "conversation.updated",
        "interaction.created",
        "conversation.updated",
        "customer_request.created",
        "customer_request.updated",
        "customer_request.deleted",
        "conversation.deleted",
        "company.deleted",
        "customer.deleted",
    ];
    let received = receiver
        .wait_for(Duration::from_secs(20), |r| r.len() >= expected.len())
        .await;
    // A moment more: nothing else may come.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received().len().max(received.len());
    assert_eq!(received, expected.len(), "each change once");
    let delivered: Vec<Value> = receiver
        .distinct(&receiver.received(), &secret)
        .iter()
        .map(Received::json)
        .collect();
    assert_eq!(types(&delivered), expected);
    for event in &delivered {
        assert_eq!(event["account_id"], app.account_id);
    }
    // The payload is the object as the API returned it; a delete's is its tombstone.
    assert_eq!(delivered[0]["data"], customer["data"]);
    assert_eq!(delivered[1]["data"]["last_name"], "Doe");
    let tombstone = &delivered[13]["data"];
    assert_eq!(tombstone["id"], customer_id);
    assert_eq!(tombstone["deleted"], true);
    assert_eq!(tombstone["previous"]["last_name"], "Doe");

    // The pull feed holds the same events in the same order.
    let pulled = read_feed(&app, "", expected.len()).await;
    assert_eq!(pulled, delivered);
    let only_customers = read_feed(&app, "&types=customer.*", 3).await;
    assert_eq!(
        types(&only_customers),
        ["customer.created", "customer.updated", "customer.deleted"]
    );

    // The command line tails the same feed.
    let output = app.cli(&[
        "events",
        "tail",
        "--account",
        &app.account_id.to_string(),
        "--no-follow",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tailed: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(tailed, delivered);
}

async fn a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt(app: TestApp) {
    let receiver = Receiver::start(Script {
        fail_first: 3,
        ..Script::default()
    });
    let (endpoint_id, secret) =
        endpoint(&app, &receiver.url, Some(json!(["customer.created"]))).await;
    let base = format!("/api/v1/accounts/{}", app.account_id);
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Retry"}),
    )
    .await;
    let received = receiver
        .wait_for(Duration::from_secs(20), |r| r.len() >= 4)
        .await;
    let ids: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");
    receiver.distinct(&received, &secret);

    let log_path = format!("{base}/webhook_endpoints/{endpoint_id}/deliveries");
    let deadline = Instant::now() + Duration::from_secs(10);
    let delivery = loop {
        let log: Value = get_json(&app, &log_path).await;
        let delivery = log["data"][0].clone();
        if delivery["status"] == "succeeded" || Instant::now() > deadline {
            break delivery;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["attempts"], 4);
    assert_eq!(delivery["response_status"], 200);
    assert_eq!(delivery["event_id"], received[0].id.as_str());
    assert_eq!(delivery["event_type"], "customer.created");
    assert!(delivery["latency_ms"].as_i64().is_some());

    // Redelivered on request, with the same id.
    let delivery_id = delivery["id"].as_i64().unwrap();
    let again = post(
        &app,
        &format!("{log_path}/{delivery_id}/redeliver"),
        json!({}),
    )
    .await;
    assert_eq!(again["data"]["status"], "pending");
    let received = receiver
        .wait_for(Duration::from_secs(10), |r| r.len() >= 5)
        .await;
    assert_eq!(received[4].id, received[0].id);
}

async fn the_feed_read_during_twenty_writers_misses_and_repeats_nothing(app: TestApp) {
    let app = Arc::new(app);
    let writers_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (app, done) = (app.clone(), writers_done.clone());
        actix_web::rt::spawn(async move {
            let mut seen = Vec::new();
            let mut after = String::new();
            let mut give_up: Option<Instant> = None;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                if !finished {
                    give_up = None;
                }
                let page: Value = app
                    .api(
                        Method::GET,
                        &format!(
                            "/api/v1/accounts/{}/events?per_page=13{after}",
                            app.account_id
                        ),
                    )
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                seen.extend(page["data"].as_array().unwrap().iter().cloned());
                after = format!("&after={}", page["meta"]["next_cursor"].as_str().unwrap());
                // Once the writers are done, read on until all 320 events have shown (an event
                // shows once every transaction older than it has ended), or for 15 seconds.
                let deadline = *give_up.get_or_insert(Instant::now() + Duration::from_secs(15));
                if finished && (seen.len() >= 320 || Instant::now() > deadline) {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..20)
        .map(|w| {
            let app = app.clone();
            actix_web::rt::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..8 {
                    let created = post(
                        &app,
                        &format!("/api/v1/accounts/{}/customers", app.account_id),
                        json!({"first_name": format!("W{w}-{i}")}),
                    )
                    .await;
                    let id = created["data"]["id"].as_i64().unwrap();
                    patch(
                        &app,
                        &format!("/api/v1/accounts/{}/customers/{id}", app.account_id),
                        json!({"last_name": "Again"}),
                    )
                    .await;
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let mut created = HashSet::new();
    for writer in writers {
        created.extend(writer.await.unwrap());
    }
    writers_done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();

    let ids: Vec<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let distinct: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), distinct.len(), "an event was read twice");
    assert_eq!(seen.len(), 320, "160 creates and 160 updates");
    let created_seen: HashSet<i64> = seen
        .iter()
        .filter(|e| e["type"] == "customer.created")
        .map(|e| e["data"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(created_seen, created);
    // Read again from the start, the feed is the very sequence the concurrent reader saw: no
    // event committed later slipped in before one already read.
    assert_eq!(read_feed(&app, "", seen.len()).await, seen);
}

async fn bad_endpoints_get_a_422_naming_the_field_and_agents_a_403(app: TestApp) {
    let path = format!("/api/v1/accounts/{}/webhook_endpoints", app.account_id);
    for (body, field) in [
        (json!({"url": "ftp://example.com/in"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (json!({"events": ["*"]}), "url"),
        (json!({"url": "http://127.0.0.1:9/in"}), "url"),
        (json!({"url": "http://169.254.169.254/latest"}), "url"),
        (json!({"url": "http://localhost/in"}), "url"),
        (
            json!({"url": "https://hooks.example.com/in", "secret": ""}),
            "secret",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "secret": "whsec_"}),
            "secret",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "events": ["customers.created"]}),
            "events.0",
        ),
        (
            json!({"url": "https://hooks.example.com/in", "events": []}),
            "events",
        ),
    ] {
        let response = app
            .api(Method::POST, &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = assert_json_error(response, 422).await;
        assert!(error["errors"][field].is_array(), "{body}: {error}");
    }
    let listed: Value = get_json(&app, &path).await;
    assert_eq!(listed["data"], json!([]), "nothing was written");

    let (id, _) = endpoint(
        &app,
        "https://hooks.example.com/in",
        Some(json!(["customer.*"])),
    )
    .await;
    let shown: Value = get_json(&app, &format!("{path}/{id}")).await;
    assert!(
        shown["data"].get("secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(shown["data"]["status"], "active");

    let (_, agent) = app.create_member(app.account_id, Role::Agent);
    for (method, target) in [
        (Method::GET, path.clone()),
        (Method::POST, path.clone()),
        (Method::GET, format!("{path}/{id}")),
        (Method::PATCH, format!("{path}/{id}")),
        (Method::DELETE, format!("{path}/{id}")),
        (Method::GET, format!("{path}/{id}/deliveries")),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(&target))
            .bearer_auth(&agent)
            .json(&json!({"url": "https://hooks.example.com/other"}))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 403).await;
    }
}

async fn a_company_delete_reports_the_customers_it_unlinked(app: TestApp) {
    let base = format!("/api/v1/accounts/{}", app.account_id);
    let company = post(
        &app,
        &format!("{base}/companies"),
        json!({"name": "Acme", "domains": ["acme.test"]}),
    )
    .await;
    let company_id = company["data"]["id"].as_i64().unwrap();
    let customer = post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Jo", "emails": [{"email": "jo@acme.test"}]}),
    )
    .await;
    assert_eq!(customer["data"]["company_id"], company_id);
    delete(&app, &format!("{base}/companies/{company_id}")).await;
    let feed = read_feed(&app, "", 4).await;
    assert_eq!(
        types(&feed),
        [
            "company.created",
            "customer.created",
            "company.deleted",
            "customer.updated"
        ]
    );
    assert_eq!(feed[3]["data"]["id"], customer["data"]["id"]);
    assert_eq!(feed[3]["data"]["company_id"], Value::Null);
}

async fn an_endpoint_gets_only_what_was_written_while_it_was_enabled(app: TestApp) {
    let receiver = Receiver::start(Script::default());
    let base = format!("/api/v1/accounts/{}", app.account_id);
    let (id, secret) = endpoint(&app, &receiver.url, Some(json!(["customer.created"]))).await;
    let path = format!("{base}/webhook_endpoints/{id}");
    patch(&app, &path, json!({"enabled": false})).await;
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "While off"}),
    )
    .await;
    // Let the dispatcher pass that event by.
    tokio::time::sleep(Duration::from_millis(600)).await;
    patch(&app, &path, json!({"enabled": true})).await;
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Back on"}),
    )
    .await;
    receiver
        .wait_for(Duration::from_secs(10), |r| !r.is_empty())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let names: Vec<Value> = receiver
        .distinct(&receiver.received(), &secret)
        .iter()
        .map(|r| r.json()["data"]["first_name"].clone())
        .collect();
    assert_eq!(names, ["Back on"]);
}

both_backends!(
    an_endpoint_gets_only_what_was_written_while_it_was_enabled,
    each_change_arrives_once_signed_and_in_order,
    a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt,
    the_feed_read_during_twenty_writers_misses_and_repeats_nothing,
    a_company_delete_reports_the_customers_it_unlinked,
);

async fn private_targets_are_refused(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.webhook_allow_private = false).await else {
        return;
    };
    bad_endpoints_get_a_422_naming_the_field_and_agents_a_403(app).await;
}

async fn a_cursor_older_than_the_retention_gets_a_410(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.event_retention = chrono::Duration::seconds(1)
    })
    .await
    else {
        return;
    };
    let base = format!("/api/v1/accounts/{}", app.account_id);
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Old"}),
    )
    .await;
    let page: Value = get_json(&app, &format!("{base}/events")).await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    let fresh = app
        .api(Method::GET, &format!("{base}/events?after={cursor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status().as_u16(), 200);
    let fresh: Value = fresh.json().await.unwrap();
    let next = fresh["links"]["next"].as_str().unwrap();
    assert_eq!(next.matches("after=").count(), 1, "{next}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stale = app
        .api(Method::GET, &format!("{base}/events?after={cursor}"))
        .send()
        .await
        .unwrap();
    let error = assert_json_error(stale, 410).await;
    assert!(error["message"].as_str().unwrap().contains("retention"));
    let bad = app
        .api(
            Method::GET,
            &format!("{base}/events?after=nope&types=customer"),
        )
        .send()
        .await
        .unwrap();
    let error = assert_json_error(bad, 422).await;
    assert!(error["errors"]["after"].is_array() && error["errors"]["types.0"].is_array());
}

async fn a_delivery_that_keeps_failing_marks_its_endpoint_failing_until_revived(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.webhook_retry_for = chrono::Duration::seconds(1);
    })
    .await
    else {
        return;
    };
    let receiver = Receiver::start(Script {
        fail_first: usize::MAX,
        ..Script::default()
    });
    let base = format!("/api/v1/accounts/{}", app.account_id);
    let (id, secret) = endpoint(&app, &receiver.url, Some(json!(["customer.created"]))).await;
    let path = format!("{base}/webhook_endpoints/{id}");
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "First"}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let failing = loop {
        let shown: Value = get_json(&app, &path).await;
        if shown["data"]["status"] == "failing" || Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failing["data"]["status"], "failing", "{failing}");
    assert!(failing["data"]["failing_since"].is_string());
    let log: Value = get_json(&app, &format!("{path}/deliveries")).await;
    assert_eq!(log["data"][0]["status"], "failed");
    assert!(log["data"][0]["attempts"].as_i64().unwrap() >= 2);
    assert_eq!(log["data"][0]["error"], "the endpoint answered 500");

    // While failing, new events queue but nothing is sent.
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Second"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sent_while_failing = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        sent_while_failing,
        "a failing endpoint is sent nothing"
    );

    // Revived, it gets the queued event; the one that gave up stays failed.
    receiver.set_script(Script::default());
    patch(&app, &path, json!({"enabled": true})).await;
    let received = receiver
        .wait_for(Duration::from_secs(10), |r| {
            r.iter().any(|r| r.json()["data"]["first_name"] == "Second")
        })
        .await;
    receiver.distinct(&received, &secret);
    let shown: Value = get_json(&app, &path).await;
    assert_eq!(shown["data"]["status"], "active");
    assert_eq!(shown["data"]["failing_since"], Value::Null);
}

async fn a_slow_receiver_never_slows_the_api(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let receiver = Receiver::start(Script {
        delay: Duration::from_secs(3),
        ..Script::default()
    });
    endpoint(&app, &receiver.url, None).await;
    let base = format!("/api/v1/accounts/{}", app.account_id);
    post(
        &app,
        &format!("{base}/customers"),
        json!({"first_name": "Held"}),
    )
    .await;
    receiver
        .wait_for(Duration::from_secs(5), |r| !r.is_empty())
        .await;
    // The delivery hangs for seconds; the API answers as usual meanwhile.
    for i in 0..20 {
        let started = Instant::now();
        post(
            &app,
            &format!("{base}/customers"),
            json!({"first_name": format!("Fast {i}")}),
        )
        .await;
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(1000),
            "a create took {took:?} beside a slow receiver"
        );
    }
}

on_each_backend!(
    private_targets_are_refused,
    a_cursor_older_than_the_retention_gets_a_410,
    a_delivery_that_keeps_failing_marks_its_endpoint_failing_until_revived,
    a_slow_receiver_never_slows_the_api,
);

/// The first start's admin token and the API base, from a server started by `start`.
fn token_and_base(curl: &str) -> (String, String) {
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
    (token, format!("{origin}/api/v1/accounts/1"))
}

async fn kill_9_mid_delivery_loses_no_event(backend: Backend) {
    use crate::bootstrap::{curl_line_before_listening, start, wait_for_start};
    let Some(database) = fresh_database(backend) else {
        return;
    };
    let receiver = Receiver::start(Script {
        delay: Duration::from_millis(700),
        ..Script::default()
    });
    let server_command = || {
        let mut command = cli_command(&database.url);
        command
            .env("WEBHOOK_ALLOW_PRIVATE", "true")
            .env("WEBHOOK_TIMEOUT_SECS", "2")
            .env("WEBHOOK_FIRST_RETRY_MS", "100");
        command
    };
    let (mut server, lines) = start(server_command());
    let curl = curl_line_before_listening(&lines).expect("first start prints a curl line");
    let (token, base) = token_and_base(&curl);
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{base}/webhook_endpoints"))
        .bearer_auth(&token)
        .json(&json!({"url": receiver.url}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["data"]["secret"].as_str().unwrap().to_string();
    for i in 0..5 {
        let response = client
            .post(format!("{base}/customers"))
            .bearer_auth(&token)
            .json(&json!({"first_name": format!("K{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
    }
    // The first delivery is in flight (the receiver holds it): kill the server.
    receiver
        .wait_for(Duration::from_secs(10), |r| !r.is_empty())
        .await;
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();

    let (_server, lines) = start(server_command());
    wait_for_start(&lines);
    let received = receiver
        .wait_for(Duration::from_secs(30), |r| {
            r.iter()
                .map(|r| r.id.as_str())
                .collect::<HashSet<_>>()
                .len()
                >= 5
        })
        .await;
    let delivered = receiver.distinct(&received, &secret);
    let names: Vec<Value> = delivered
        .iter()
        .map(|r| r.json()["data"]["first_name"].clone())
        .collect();
    assert_eq!(
        names,
        ["K0", "K1", "K2", "K3", "K4"],
        "every event, in order"
    );
}

on_each_backend!(kill_9_mid_delivery_loses_no_event);

/// Two servers on one PostgreSQL database: each event is delivered once.
#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn two_instances_deliver_each_event_once() {
    let Some(app) = crate::helpers::spawn_app(Backend::Postgres).await else {
        return;
    };
    let second = Application::build(&test_settings(&app.database.url)).unwrap();
    actix_web::rt::spawn(second.run_until_stopped());
    let receiver = Receiver::start(Script::default());
    let (_, secret) = endpoint(&app, &receiver.url, None).await;
    for i in 0..40 {
        post(
            &app,
            &format!("/api/v1/accounts/{}/customers", app.account_id),
            json!({"first_name": format!("T{i}")}),
        )
        .await;
    }
    receiver
        .wait_for(Duration::from_secs(20), |r| r.len() >= 40)
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = receiver.received();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in &received {
        *counts.entry(r.id.as_str()).or_default() += 1;
    }
    assert_eq!(counts.len(), 40);
    assert!(
        counts.values().all(|n| *n == 1),
        "an event was delivered twice"
    );
    let names: Vec<Value> = receiver
        .distinct(&received, &secret)
        .iter()
        .map(|r| r.json()["data"]["first_name"].clone())
        .collect();
    let expected: Vec<Value> = (0..40).map(|i| json!(format!("T{i}"))).collect();
    assert_eq!(names, expected, "in order");
}
