//! Read replicas (`DATABASE_READ_URL`): a private PostgreSQL and a real streaming replica of it
//! (`pg_basebackup -R`). Pausing the replica's replay makes it visibly behind, so whichever
//! server answered a read shows in what the read finds.

use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use reqwest::Method;
use serde_json::json;
use supportdesk::domain::Role;

use crate::helpers::*;

/// Pauses or resumes the replica's replay of the primary's WAL.
fn replay(replica_url: &str, on: bool) {
    let mut conn = diesel::PgConnection::establish(replica_url).unwrap();
    let call = match on {
        true => "SELECT pg_wal_replay_resume()",
        false => "SELECT pg_wal_replay_pause()",
    };
    diesel::sql_query(call).execute(&mut conn).unwrap();
}

/// A GET as the holder of `token`, optionally with `Consistency: strong`.
async fn get_as(app: &TestApp, token: &str, path: &str, strong: bool) -> reqwest::Response {
    let mut request = app.anonymous(Method::GET, path).bearer_auth(token);
    if strong {
        request = request.header("Consistency", "strong");
    }
    request.send().await.unwrap()
}

/// [`get_as`]'s status.
async fn status_of(app: &TestApp, token: &str, path: &str, strong: bool) -> u16 {
    get_as(app, token, path, strong).await.status().as_u16()
}

/// Waits (10 s at most) until a GET of `path` as `token`'s holder answers `status`.
async fn until_status(app: &TestApp, token: &str, path: &str, status: u16) {
    let started = Instant::now();
    while status_of(app, token, path, false).await != status {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} never answered {status}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (10 s at most) until `count` replicas serve reads.
async fn until_serving(app: &TestApp, count: usize) {
    let started = Instant::now();
    while app.state.db.serving_replicas() != count {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never {count} replicas serving"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A customer created by the app's admin (on the primary, in the admin's own write); its path.
async fn new_customer(app: &TestApp) -> String {
    let created = app.create_customer(json!({"first_name": "Replica"})).await;
    format!("{}/{}", app.customers_path(), created["id"])
}

/// A server with a replica whose lag bound is `max_lag_ms`, an agent of the account (who never
/// writes) and that agent's token, once the replica has replayed it.
async fn app_with_replica(
    max_lag_ms: u64,
) -> Option<(TestApp, PrivatePostgres, PrivatePostgres, String, String)> {
    let (primary, url) = PrivatePostgres::start()?;
    let (replica, replica_url) = primary.replica();
    let read_url = replica_url.clone();
    let app = spawn_app_on(TestDatabase::kept(&url), move |s| {
        s.database_read_urls = vec![read_url];
        s.read_replica_max_lag_ms = max_lag_ms;
    })
    .await;
    let (_, reader) = app.create_member(app.account_id, Role::Agent);
    until_serving(&app, 1).await;
    until_status(&app, &reader, &app.customers_path(), 200).await;
    Some((app, primary, replica, replica_url, reader))
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn reads_go_to_the_replica_but_callers_see_their_own_writes_and_a_stopped_replica_is_skipped()
{
    // A generous bound: a replica whose replay is paused keeps serving, which shows the routing.
    let Some((app, _primary, replica, replica_url, reader)) = app_with_replica(60_000).await else {
        return;
    };

    replay(&replica_url, false);
    let path = new_customer(&app).await;
    // The writer reads its own write: its reads stay on the primary for a while after it.
    let (status, _) = app.get_json(&path).await;
    assert_eq!(status, 200, "read-your-writes");
    // Anyone else reads the replica, which has not replayed the create...
    assert_eq!(status_of(&app, &reader, &path, false).await, 404);
    // ...unless they ask for what is committed.
    assert_eq!(status_of(&app, &reader, &path, true).await, 200);
    replay(&replica_url, true);
    until_status(&app, &reader, &path, 200).await;
    // The change feed reads there too: its horizon is the replica's own snapshot.
    let events = format!("/api/v1/accounts/{}/events", app.account_id);
    let feed: serde_json::Value = get_as(&app, &reader, &events, false)
        .await
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"customer.created"), "{feed}");

    // A stopped replica: every read goes to the primary, at once.
    replica.halt();
    let path = new_customer(&app).await;
    // Before the watcher notices, too: the first read meets the dead connection and moves on.
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(status_of(&app, &reader, &path, false).await, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    until_serving(&app, 0).await;

    // Back up and caught up, it serves reads again: paused once more, it misses a new create.
    replica.resume();
    until_serving(&app, 1).await;
    replay(&replica_url, false);
    let path = new_customer(&app).await;
    until_status(&app, &reader, &path, 404).await;
    replay(&replica_url, true);
}

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn a_replica_further_behind_than_the_bound_serves_nothing() {
    let Some((app, _primary, _replica, replica_url, reader)) = app_with_replica(300).await else {
        return;
    };
    replay(&replica_url, false);
    let path = new_customer(&app).await;
    // Past the bound, the watcher sets the paused replica aside.
    until_serving(&app, 0).await;
    for _ in 0..3 {
        assert_eq!(status_of(&app, &reader, &path, false).await, 200);
    }
    replay(&replica_url, true);
}

#[actix_web::test]
async fn replicas_need_postgresql() {
    let database = fresh_database(Backend::Sqlite).unwrap();
    let mut settings = test_settings(&database.url);
    settings.database_read_urls = vec!["postgres://postgres@127.0.0.1:1/replica".into()];
    let error = supportdesk::startup::Application::build(&settings)
        .err()
        .expect("SQLite with DATABASE_READ_URL is refused");
    assert!(
        format!("{error:#}").contains("DATABASE_READ_URL"),
        "{error:#}"
    );
}
