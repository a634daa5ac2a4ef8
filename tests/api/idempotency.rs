//! `Idempotency-Key` on POSTs (issue 16): one write per key, the first answer replayed byte for
//! byte, another request under a used key refused, credentials confirmed before any replay.

use diesel::prelude::*;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use supportdesk::db::idempotency::{self as store, Begun, Claim};
use supportdesk::db::schema::{account_members, conversations, customers, idempotency_keys};
use supportdesk::domain::Role;
use supportdesk::startup::Application;

use crate::helpers::*;
use crate::{both_backends, on_each_backend};

const KEY: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";

/// An answer as the client sees it: status, the headers a replay must repeat, the body's bytes.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    body: Vec<u8>,
    replayed: bool,
}

async fn answer(response: Response) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (content_type, location) = (header("content-type"), header("location"));
    let replayed = match header(REPLAYED).as_deref() {
        Some("true") => true,
        None => false,
        other => panic!("{REPLAYED}: {other:?}"),
    };
    Answer {
        status: response.status().as_u16(),
        content_type,
        location,
        replayed,
        body: response.bytes().await.unwrap().to_vec(),
    }
}

impl Answer {
    /// The same answer, as first sent.
    fn first(&self) -> Answer {
        Answer {
            replayed: false,
            body: self.body.clone(),
            content_type: self.content_type.clone(),
            location: self.location.clone(),
            status: self.status,
        }
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

fn count(app: &TestApp, table: &str) -> i64 {
    let mut conn = app.conn();
    let conn = &mut *conn;
    match table {
        "customers" => supportdesk::db_run!(conn, { customers::table.count().get_result(conn) }),
        "conversations" => {
            supportdesk::db_run!(conn, { conversations::table.count().get_result(conn) })
        }
        "idempotency_keys" => {
            supportdesk::db_run!(conn, { idempotency_keys::table.count().get_result(conn) })
        }
        _ => unreachable!(),
    }
    .unwrap()
}

impl TestApp {
    async fn keyed(&self, path: &str, key: &str, body: &Value) -> Answer {
        answer(
            self.api(Method::POST, path)
                .header(KEY, key)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

async fn a_retry_gets_the_first_answer_byte_for_byte(app: TestApp) {
    let path = app.customers_path();
    let body = json!({"first_name": "Jane", "emails": [{"email": "jane@example.org"}]});
    let first = app.keyed(&path, "create-jane", &body).await;
    assert_eq!(first.status, 201, "{:?}", first.json());
    assert!(!first.replayed);
    assert!(first.location.is_some());
    for _ in 0..3 {
        let again = app.keyed(&path, "create-jane", &body).await;
        assert!(again.replayed);
        assert_eq!(again.first(), first);
    }
    assert_eq!(count(&app, "customers"), 1);
    // A form body is replayed the same way (and bound to its own bytes).
    let form = "first_name=Ada&emails[0][email]=ada@example.org";
    let send = || {
        app.api(Method::POST, &path)
            .header(KEY, "create-ada")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let first = answer(send().await.unwrap()).await;
    assert_eq!(first.status, 201);
    let again = answer(send().await.unwrap()).await;
    assert_eq!(again.first(), first);
    assert!(again.replayed);
    // Without the header nothing changes: two requests, two answers of their own.
    let plain = json!({"first_name": "No key"});
    for _ in 0..2 {
        let response = app
            .api(Method::POST, &path)
            .json(&plain)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        assert!(response.headers().get(REPLAYED).is_none());
    }
    assert_eq!(count(&app, "customers"), 4);
    assert_eq!(count(&app, "idempotency_keys"), 2);
}

async fn twenty_concurrent_requests_with_one_key_write_once(app: TestApp) {
    let path = app.conversations_path();
    let body = json!({"customer_email": "racer@example.org", "subject": "Once"});
    let requests = (0..20).map(|_| app.keyed(&path, "one-conversation", &body));
    let answers = futures_util::future::join_all(requests).await;
    let first = answers
        .iter()
        .find(|a| !a.replayed)
        .expect("one request ran");
    assert_eq!(first.status, 201, "{:?}", first.json());
    for answer in &answers {
        assert_eq!(answer.first(), *first);
    }
    assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
    assert_eq!(count(&app, "conversations"), 1);
    assert_eq!(count(&app, "customers"), 1);
    assert_eq!(count(&app, "idempotency_keys"), 1);
    // And sequentially afterwards.
    let again = app.keyed(&path, "one-conversation", &body).await;
    assert_eq!(again.first(), *first);
    assert_eq!(count(&app, "conversations"), 1);
}

async fn a_used_key_with_another_body_or_path_is_a_422(app: TestApp) {
    let path = app.customers_path();
    let first = app.keyed(&path, "k1", &json!({"first_name": "Jane"})).await;
    assert_eq!(first.status, 201);
    let other = app
        .api(Method::POST, &path)
        .header(KEY, "k1")
        .json(&json!({"first_name": "Joan"}))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(other, 422).await;
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    let detail = body["errors"][KEY][0].as_str().unwrap();
    assert!(detail.contains("different body"), "{detail}");
    // The same bytes as another content type are another request too.
    let as_form = app
        .api(Method::POST, &path)
        .header(KEY, "k1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"first_name":"Jane"}"#)
        .send()
        .await
        .unwrap();
    assert_json_error(as_form, 422).await;
    let elsewhere = app
        .api(Method::POST, &app.conversations_path())
        .header(KEY, "k1")
        .json(&json!({"first_name": "Jane"}))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(elsewhere, 422).await;
    let detail = body["errors"][KEY][0].as_str().unwrap();
    assert!(detail.contains(&format!("POST {path}")), "{detail}");
    assert_eq!(count(&app, "customers"), 1);
    assert_eq!(count(&app, "conversations"), 0);
}

async fn keys_are_checked_and_credentials_come_first(app: TestApp) {
    let path = app.customers_path();
    let body = json!({"first_name": "Jane"});
    for bad in ["", "\"\"", "has space", &"k".repeat(256)] {
        let response = app
            .api(Method::POST, &path)
            .header(KEY, bad)
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = assert_json_error(response, 400).await;
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key"),
            "{error}"
        );
    }
    let two = app
        .api(Method::POST, &path)
        .header(KEY, "a")
        .header(KEY, "b")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_json_error(two, 400).await;
    // A refused token is a 401 whatever the key.
    let refused = app
        .anonymous(Method::POST, &path)
        .bearer_auth("not-a-token")
        .header(KEY, "")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_json_error(refused, 401).await;
    assert_eq!(count(&app, "customers"), 0);
    let longest = app.keyed(&path, &"k".repeat(255), &body).await;
    assert_eq!(longest.status, 201);
    // The draft's structured-field string is the same key as the bare one.
    let quoted = app
        .keyed(&path, &format!("\"{}\"", "k".repeat(255)), &body)
        .await;
    assert!(quoted.replayed);
    assert_eq!(count(&app, "customers"), 1);
}

async fn a_replay_needs_the_credentials_that_reached_the_first_answer(app: TestApp) {
    let path = app.customers_path();
    let body = json!({"first_name": "Secret", "emails": [{"email": "secret@example.org"}]});
    let first = app.keyed(&path, "shared-key", &body).await;
    assert_eq!(first.status, 201);
    // Another member of the account, the same key and body: its own request, not the replay.
    let (_, colleague) = app.create_member(app.account_id, Role::Agent);
    let theirs = answer(
        app.anonymous(Method::POST, &path)
            .bearer_auth(&colleague)
            .header(KEY, "shared-key")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!theirs.replayed);
    assert_eq!(theirs.status, 422, "the email is taken: it ran");
    // Another account's admin, this account's path: the usual 404.
    let other_account = app.create_account("Other");
    let (_, outsider) = app.create_member(other_account, Role::Admin);
    let response = app
        .anonymous(Method::POST, &path)
        .bearer_auth(&outsider)
        .header(KEY, "shared-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.headers().get(REPLAYED).is_none());
    assert_json_error(response, 404).await;
    // The admin's own token, revoked: 401, never the stored answer.
    let claims = app.token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    supportdesk::db::tokens::revoke(&mut app.conn(), claims["jti"].as_str().unwrap()).unwrap();
    let response = app
        .api(Method::POST, &path)
        .header(KEY, "shared-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.headers().get(REPLAYED).is_none());
    assert_json_error(response, 401).await;
    // A fresh token of the same user reaches it again.
    let token = app.token_for(app.admin_id);
    let again = answer(
        app.anonymous(Method::POST, &path)
            .bearer_auth(&token)
            .header(KEY, "shared-key")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.first(), first);
    assert_eq!(count(&app, "customers"), 1);
}

async fn a_guest_replays_only_with_its_own_fingerprint(app: TestApp) {
    app.enable_contact_forms().await;
    let path = app.conversations_path();
    let body = json!({"subject": "Order", "first_name": "Jane", "to": "jane@example.org",
                      "interactions": [{"type": "customer", "body": "Where is it?"}]});
    let send = |uuid: &'static str| {
        app.guest(
            Method::POST,
            &path,
            &format!("Fingerprint jane@example.org:{uuid}"),
        )
        .header(KEY, "widget-1")
        .json(&body)
        .send()
    };
    const MINE: &str = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";
    const OTHER: &str = "9f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";
    let first = answer(send(MINE).await.unwrap()).await;
    assert_eq!(first.status, 201, "{:?}", first.json());
    let again = answer(send(MINE).await.unwrap()).await;
    assert!(again.replayed);
    assert_eq!(again.first(), first);
    let other = answer(send(OTHER).await.unwrap()).await;
    assert!(!other.replayed);
    assert_eq!(other.status, 201);
    assert_ne!(other.body, first.body);
    assert_eq!(count(&app, "conversations"), 2);
}

async fn only_answers_of_work_that_ran_are_kept(app: TestApp) {
    // A 422 of the work is kept: the retry gets it again.
    let path = app.customers_path();
    let invalid = json!({"first_name": ""});
    let first = app.keyed(&path, "invalid", &invalid).await;
    assert_eq!(first.status, 422);
    let again = app.keyed(&path, "invalid", &invalid).await;
    assert!(again.replayed);
    assert_eq!(again.first(), first);
    // A 403 (the role) is not: the key is free once the role allows it.
    let (agent_id, agent) = app.create_member(app.account_id, Role::Agent);
    let tiers = format!("/api/v1/accounts/{}/customer_tiers", app.account_id);
    let tier = json!({"name": "Gold"});
    let send = || {
        app.anonymous(Method::POST, &tiers)
            .bearer_auth(&agent)
            .header(KEY, "tier")
            .json(&tier)
            .send()
    };
    assert_json_error(send().await.unwrap(), 403).await;
    {
        let mut conn = app.conn();
        let conn = &mut *conn;
        supportdesk::db_run!(conn, {
            diesel::update(account_members::table.filter(account_members::user_id.eq(agent_id)))
                .set(account_members::role.eq("admin"))
                .execute(conn)
        })
        .unwrap();
    }
    let created = answer(send().await.unwrap()).await;
    assert_eq!(created.status, 201, "{:?}", created.json());
    assert!(!created.replayed);
}

/// The claim the server makes for the admin's keyed JSON POST of `body` to `path`.
fn claim(app: &TestApp, key: &str, path: &str, body: &Value) -> Claim {
    Claim {
        account_id: app.account_id,
        principal: format!("user:{}", app.admin_id),
        key: key.into(),
        target: format!("POST {path}"),
        hash: supportdesk::api::idempotency::request_hash(
            b"application/json",
            body.to_string().as_bytes(),
        ),
    }
}

fn set_row(app: &TestApp, key: &str, locked_minutes_ago: i64, committed: bool) {
    let at = supportdesk::db::now() - chrono::Duration::minutes(locked_minutes_ago);
    let mut conn = app.conn();
    let conn = &mut *conn;
    supportdesk::db_run!(conn, {
        diesel::update(idempotency_keys::table.filter(idempotency_keys::idempotency_key.eq(key)))
            .set((
                idempotency_keys::locked_at.eq(at),
                idempotency_keys::committed_at.eq(committed.then_some(at)),
            ))
            .execute(conn)
    })
    .unwrap();
}

async fn a_key_in_flight_is_a_409_and_an_abandoned_one_is_taken_over(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.idempotency_wait_ms = 300).await else {
        return;
    };
    let path = app.customers_path();
    let body = json!({"first_name": "Jane"});
    // Another request holds the key (as if on another instance, still running).
    let begun = {
        let mut conn = app.conn();
        store::begin(
            &mut conn,
            &claim(&app, "busy", &path, &body),
            chrono::Duration::hours(24),
            supportdesk::db::now() - chrono::Duration::minutes(1),
        )
        .unwrap()
    };
    assert!(matches!(begun, Begun::Run { .. }), "{begun:?}");
    let response = app
        .api(Method::POST, &path)
        .header(KEY, "busy")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["retry-after"], "1");
    let error = assert_json_error(response, 409).await;
    assert!(
        error["message"].as_str().unwrap().contains("in progress"),
        "{error}"
    );
    assert_eq!(count(&app, "customers"), 0);
    // Its process died before it wrote: after a while the key is taken over, and runs once.
    set_row(&app, "busy", 5, false);
    let taken = app.keyed(&path, "busy", &body).await;
    assert_eq!(taken.status, 201);
    assert!(!taken.replayed);
    assert_eq!(app.keyed(&path, "busy", &body).await.first(), taken);
    assert_eq!(count(&app, "customers"), 1);
    // The request that held it can no longer commit under it.
    let Begun::Run(held) = begun else {
        unreachable!()
    };
    let mut conn = app.conn();
    assert!(store::mark_committed(&mut conn, &held).is_err());
    drop(conn);
    // One whose write committed but whose answer was lost is never run again.
    let lost_body = json!({"first_name": "Lost"});
    let mut conn = app.conn();
    store::begin(
        &mut conn,
        &claim(&app, "lost", &path, &lost_body),
        chrono::Duration::hours(24),
        supportdesk::db::now(),
    )
    .unwrap();
    drop(conn);
    set_row(&app, "lost", 5, true);
    let response = app
        .api(Method::POST, &path)
        .header(KEY, "lost")
        .json(&lost_body)
        .send()
        .await
        .unwrap();
    let error = assert_json_error(response, 409).await;
    assert!(
        error["message"].as_str().unwrap().contains("not run again"),
        "{error}"
    );
    assert_eq!(count(&app, "customers"), 1);
}

async fn a_restart_between_the_requests_still_replays(backend: Backend) {
    let Some(database) = fresh_database(backend) else {
        return;
    };
    let settings = test_settings(&database.url);
    let start = || {
        let app = Application::build(&settings).unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        let handle = actix_web::rt::spawn(app.run_until_stopped());
        (address, state, handle)
    };
    let (first_address, state, first_server) = start();
    let mut conn = state.db.get().unwrap();
    let account = supportdesk::db::accounts::create(&mut conn, "Restarted", false)
        .unwrap()
        .id;
    let user = new_member(&mut conn, account, "agent@example.com", None, Role::Admin);
    let token = supportdesk::auth::issue_token(
        &mut conn,
        &state.jwt,
        user.id,
        chrono::Duration::hours(1),
        None,
    )
    .unwrap()
    .token;
    drop(conn);
    let client = reqwest::Client::new();
    let path = format!("/api/v1/accounts/{account}/customers");
    let body = json!({"first_name": "Jane", "emails": [{"email": "jane@example.org"}]});
    let send = |address: &str| {
        client
            .post(format!("{address}{path}"))
            .bearer_auth(&token)
            .header(KEY, "across-restarts")
            .json(&body)
            .send()
    };
    let first = answer(send(&first_address).await.unwrap()).await;
    assert_eq!(first.status, 201);
    // The first server goes away; a new one starts on the same database.
    first_server.abort();
    drop(state);
    let (second_address, state, _second_server) = start();
    let again = answer(send(&second_address).await.unwrap()).await;
    assert!(again.replayed);
    assert_eq!(again.first(), first);
    let mut conn = state.db.get().unwrap();
    let conn = &mut *conn;
    let customers: i64 =
        supportdesk::db_run!(conn, { customers::table.count().get_result(conn) }).unwrap();
    assert_eq!(customers, 1);
}

async fn keys_expire_after_the_configured_ttl_and_are_purged(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.idempotency_key_ttl = chrono::Duration::seconds(1)
    })
    .await
    else {
        return;
    };
    let path = app.customers_path();
    let body = json!({"first_name": "Jane"});
    let first = app.keyed(&path, "short-lived", &body).await;
    assert!(app.keyed(&path, "short-lived", &body).await.replayed);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // Expired: the key is new again (a client that retries a day later meant a new request).
    let later = app.keyed(&path, "short-lived", &body).await;
    assert_eq!(later.status, 201);
    assert!(!later.replayed);
    assert_ne!(later.body, first.body);
    assert_eq!(count(&app, "idempotency_keys"), 1);
    app.keyed(&path, "another", &body).await;
    assert_eq!(count(&app, "idempotency_keys"), 2);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut conn = app.conn();
    let now = supportdesk::db::now();
    assert_eq!(store::purge_expired(&mut conn, now, 1).unwrap(), 1);
    assert_eq!(store::purge_expired(&mut conn, now, 500).unwrap(), 1);
    assert_eq!(store::purge_expired(&mut conn, now, 500).unwrap(), 0);
    drop(conn);
    assert_eq!(count(&app, "idempotency_keys"), 0);
}

async fn browsers_may_send_the_key_and_read_the_replay_header(app: TestApp) {
    let preflight = app
        .anonymous(Method::OPTIONS, &app.customers_path())
        .header("origin", "https://dashboard.example.com")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("idempotency-key"), "{allowed}");
    let body = json!({"first_name": "Jane"});
    let send = || {
        app.api(Method::POST, &app.customers_path())
            .header("origin", "https://dashboard.example.com")
            .header(KEY, "from-a-browser")
            .json(&body)
            .send()
    };
    send().await.unwrap();
    let replay = send().await.unwrap();
    let exposed = replay.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("idempotent-replayed"), "{exposed}");
    assert_eq!(replay.headers()[REPLAYED], "true");
    assert!(replay.headers().get("x-request-id").is_some());
}

both_backends!(
    a_retry_gets_the_first_answer_byte_for_byte,
    twenty_concurrent_requests_with_one_key_write_once,
    a_used_key_with_another_body_or_path_is_a_422,
    keys_are_checked_and_credentials_come_first,
    a_replay_needs_the_credentials_that_reached_the_first_answer,
    a_guest_replays_only_with_its_own_fingerprint,
    only_answers_of_work_that_ran_are_kept,
    browsers_may_send_the_key_and_read_the_replay_header,
);

on_each_backend!(
    a_key_in_flight_is_a_409_and_an_abandoned_one_is_taken_over,
    a_restart_between_the_requests_still_replays,
    keys_expire_after_the_configured_ttl_and_are_purged,
);
