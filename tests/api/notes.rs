//! Issue 19: agents' notes on customers and companies, newest first, counted in their owner,
//! gone with it, moved by a merge, and reported by the change feed.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::db::schema::notes;
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;

const FORM: &str = "application/x-www-form-urlencoded";

impl TestApp {
    fn notes_path(&self, owner_path: &str) -> String {
        format!("{owner_path}/notes")
    }

    /// Adds a note; panics unless 201. Returns `data`.
    async fn add_note(&self, owner_path: &str, body: &str) -> Value {
        let (status, note) = self
            .send_json(
                Method::POST,
                &self.notes_path(owner_path),
                json!({"body": body}),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        note["data"].clone()
    }

    /// Every note row in the database, of every account.
    fn stored_notes(&self) -> i64 {
        let mut conn = self.conn();
        let conn = &mut *conn;
        supportdesk::db_run!(conn, { notes::table.count().get_result(conn) }).unwrap()
    }

    /// The bodies of a list page, in order.
    async fn note_bodies(&self, path: &str) -> (Vec<String>, Value) {
        let (status, page) = self.get_json(path).await;
        assert_eq!(status, 200, "{page}");
        let bodies = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["body"].as_str().unwrap().to_string())
            .collect();
        (bodies, page)
    }
}

async fn a_customer_s_notes_are_written_read_and_counted(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    let customer_path = app.customer_path(&customer["id"]);
    let notes_path = app.notes_path(&customer_path);
    assert_eq!(customer["notes_count"], 0);

    let response = app
        .api(Method::POST, &notes_path)
        .json(&json!({"body": "  Prefers **phone** calls.\n"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let first: Value = response.json::<Value>().await.unwrap()["data"].take();
    assert_eq!(location, format!("{notes_path}/{}", first["id"]));
    assert_eq!(first["body"], "Prefers **phone** calls.");
    assert_eq!(first["customer_id"], customer["id"]);
    assert!(first.get("company_id").is_none(), "{first}");
    assert_eq!(first["author"]["id"], app.admin_id);
    assert!(first["author"]["name"].is_string(), "{first}");
    assert_eq!(first["created_at"], first["updated_at"]);

    // Forms work as JSON does; another member signs their own note.
    let (_, agent_token) = app.create_member(app.account_id, Role::Agent);
    let response = app
        .anonymous(Method::POST, &notes_path)
        .bearer_auth(&agent_token)
        .header("content-type", FORM)
        .body("body=Renewal+due+in+March")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let second: Value = response.json::<Value>().await.unwrap()["data"].take();
    assert_ne!(second["author"]["id"], app.admin_id);
    let third = app.add_note(&customer_path, "Third").await;

    let (status, shown) = app.get_json(&location).await;
    assert_eq!((status, &shown["data"]), (200, &first));
    let (_, customer_now) = app.get_json(&customer_path).await;
    assert_eq!(customer_now["data"]["notes_count"], 3);
    // Notes don't change the customer itself.
    assert_eq!(customer_now["data"]["updated_at"], customer["updated_at"]);

    // Newest first, counted, and paged by cursor.
    let (bodies, page) = app.note_bodies(&notes_path).await;
    assert_eq!(
        bodies,
        ["Third", "Renewal due in March", "Prefers **phone** calls."]
    );
    assert_eq!(page["meta"]["total"], 3);
    let (bodies, page) = app.note_bodies(&format!("{notes_path}?per_page=2")).await;
    assert_eq!(bodies, ["Third", "Renewal due in March"]);
    let cursor = page["meta"]["next_cursor"].as_str().unwrap();
    let (bodies, page) = app
        .note_bodies(&format!("{notes_path}?per_page=2&cursor={cursor}"))
        .await;
    assert_eq!(bodies, ["Prefers **phone** calls."]);
    assert_eq!(page["meta"]["next_cursor"], Value::Null, "{page}");
    let (status, body) = app.get_json(&format!("{notes_path}?sort=created_at")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["sort"].is_array(), "{body}");

    // PATCH (and PUT) change the body; the same body again changes nothing.
    let third_path = format!("{notes_path}/{}", third["id"]);
    let (status, changed) = app
        .send_json(Method::PATCH, &third_path, json!({"body": "Third, edited"}))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["data"]["body"], "Third, edited");
    assert_eq!(changed["data"]["author"], third["author"]);
    let (status, again) = app
        .send_json(Method::PUT, &third_path, json!({"body": "Third, edited"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["data"], changed["data"]);

    // A change without a body changes nothing.
    let (status, same) = app.send_json(Method::PATCH, &third_path, json!({})).await;
    assert_eq!((status, &same["data"]), (200, &changed["data"]));
    let (status, body) = app.send_json(Method::POST, &notes_path, json!({})).await;
    assert_eq!(status, 422, "{body}");
    // Bad bodies are a 422 on `body` and write nothing.
    for bad in [
        json!({"body": "   "}),
        json!({"body": null}),
        json!({"body": 7}),
        json!({"body": "x".repeat(64 * 1024 + 1)}),
    ] {
        for (method, path) in [(Method::POST, &notes_path), (Method::PATCH, &third_path)] {
            let (status, body) = app.send_json(method, path, bad.clone()).await;
            assert_eq!(status, 422, "{body}");
            assert!(body["errors"]["body"].is_array(), "{body}");
        }
    }
    let (_, unchanged) = app.get_json(&third_path).await;
    assert_eq!(unchanged["data"], changed["data"]);
    assert_eq!(app.stored_notes(), 3);

    // Delete: 204, then 404, and the count follows.
    let response = app.api(Method::DELETE, &third_path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let response = app
            .api(method, &third_path)
            .json(&json!({"body": "x"}))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
    }
    let (_, customer_now) = app.get_json(&customer_path).await;
    assert_eq!(customer_now["data"]["notes_count"], 2);
    let (_, page) = app.get_json(&app.customers_path()).await;
    assert_eq!(page["data"][0]["notes_count"], 2);
}

async fn a_company_s_notes_work_the_same(app: TestApp) {
    let company = app
        .create_company(json!({"name": "ACME", "domains": ["acme.com"]}))
        .await;
    let company_path = app.account_path(&format!("companies/{}", company["id"]));
    assert_eq!(company["notes_count"], 0);
    let note = app
        .add_note(&company_path, "Signed the **annual** plan")
        .await;
    assert_eq!(note["company_id"], company["id"]);
    assert!(note.get("customer_id").is_none(), "{note}");
    app.add_note(&company_path, "Second").await;
    let (_, shown) = app.get_json(&company_path).await;
    assert_eq!(shown["data"]["notes_count"], 2);
    let (bodies, _) = app.note_bodies(&app.notes_path(&company_path)).await;
    assert_eq!(bodies, ["Second", "Signed the **annual** plan"]);

    // A company's note is not a customer's, even with the same number in the path.
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    let customer_note_path = format!(
        "{}/{}",
        app.notes_path(&app.customer_path(&customer["id"])),
        note["id"]
    );
    let response = app
        .api(Method::GET, &customer_note_path)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 404).await;
    let response = app
        .api(Method::DELETE, &customer_note_path)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 404).await;

    // Deleting the company deletes its notes.
    let response = app.api(Method::DELETE, &company_path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.stored_notes(), 0);
    let (status, _) = app.get_json(&app.notes_path(&company_path)).await;
    assert_eq!(status, 404);
}

async fn notes_stay_in_their_account_and_go_with_their_customer(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    let customer_path = app.customer_path(&customer["id"]);
    let note = app.add_note(&customer_path, "Private").await;
    let note_path = format!("{}/{}", app.notes_path(&customer_path), note["id"]);

    // Another account's member: every route is a 404, and nothing changes.
    let other = app.create_account("Other");
    let (_, stranger) = app.create_member(other, Role::Admin);
    for (method, path) in [
        (Method::GET, app.notes_path(&customer_path)),
        (Method::POST, app.notes_path(&customer_path)),
        (Method::GET, note_path.clone()),
        (Method::PATCH, note_path.clone()),
        (Method::DELETE, note_path.clone()),
    ] {
        let response = app
            .anonymous(method, &path)
            .bearer_auth(&stranger)
            .json(&json!({"body": "mine now"}))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
    }
    // No token: 401.
    let response = app
        .anonymous(Method::GET, &app.notes_path(&customer_path))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 401).await;
    // A missing customer and a non-numeric note id: 404.
    for path in [
        app.notes_path(&app.customer_path(&json!(999_999))),
        format!("{}/abc", app.notes_path(&customer_path)),
    ] {
        let (status, _) = app.get_json(&path).await;
        assert_eq!(status, 404, "{path}");
    }
    let (_, shown) = app.get_json(&note_path).await;
    assert_eq!(shown["data"], note);

    // Deleting the customer deletes its notes.
    let response = app
        .api(Method::DELETE, &customer_path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.stored_notes(), 0);
}

async fn a_merge_moves_the_notes_to_the_survivor(app: TestApp) {
    let target = app.create_customer(json!({"first_name": "Jane"})).await;
    let source = app.create_customer(json!({"first_name": "J."})).await;
    let target_path = app.customer_path(&target["id"]);
    let source_path = app.customer_path(&source["id"]);
    app.add_note(&target_path, "On the target").await;
    app.add_note(&source_path, "On the source").await;
    app.add_note(&source_path, "On the source, later").await;

    let merge_path = format!("{target_path}/merge");
    let (status, preview) = app
        .send_json(
            Method::POST,
            &merge_path,
            json!({"from": [source["id"]], "preview": true}),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["moved"]["notes"], 2);
    assert_eq!(preview["data"]["notes_count"], 3);
    let (bodies, _) = app.note_bodies(&app.notes_path(&source_path)).await;
    assert_eq!(bodies.len(), 2, "the preview moved nothing");

    let (status, merged) = app
        .send_json(Method::POST, &merge_path, json!({"from": [source["id"]]}))
        .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["data"]["notes_count"], 3);
    let (bodies, page) = app.note_bodies(&app.notes_path(&target_path)).await;
    assert_eq!(
        bodies,
        ["On the source, later", "On the source", "On the target"]
    );
    assert!(page["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["customer_id"] == target["id"]));
    // The old id's notes: a 404 that names the survivor.
    let (status, body) = app.get_json(&app.notes_path(&source_path)).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&target["id"].to_string()),
        "{body}"
    );
}

async fn concurrent_notes_are_all_counted(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    let customer_path = app.customer_path(&customer["id"]);
    let writes = (0..12).map(|i| {
        let app = &app;
        let path = app.notes_path(&customer_path);
        async move {
            app.send_json(Method::POST, &path, json!({"body": format!("note {i}")}))
                .await
        }
    });
    let results = futures_util::future::join_all(writes).await;
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let (_, shown) = app.get_json(&customer_path).await;
    assert_eq!(shown["data"]["notes_count"], 12);
    assert_eq!(app.stored_notes(), 12);
}

async fn the_feed_reports_each_note_change(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "Jane"})).await;
    let customer_path = app.customer_path(&customer["id"]);
    let note = app.add_note(&customer_path, "First").await;
    let note_path = format!("{}/{}", app.notes_path(&customer_path), note["id"]);
    app.send_json(Method::PATCH, &note_path, json!({"body": "Edited"}))
        .await;
    let response = app.api(Method::DELETE, &note_path).send().await.unwrap();
    assert_eq!(response.status(), 204);

    // PostgreSQL's feed shows an event once no earlier transaction can still commit before it:
    // read until all three are there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let events: Vec<(String, Value)> = loop {
        let (status, page) = app
            .get_json(&app.account_path("events?types=note.*&per_page=100"))
            .await;
        assert_eq!(status, 200, "{page}");
        let events: Vec<(String, Value)> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].as_str().unwrap().to_string(), e["data"].clone()))
            .collect();
        if events.len() >= 3 || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["note.created", "note.updated", "note.deleted"]);
    assert_eq!(events[0].1, note);
    assert_eq!(events[1].1["body"], "Edited");
    assert_eq!(events[2].1["previous"]["body"], "Edited");
}

both_backends!(
    a_customer_s_notes_are_written_read_and_counted,
    a_company_s_notes_work_the_same,
    notes_stay_in_their_account_and_go_with_their_customer,
    a_merge_moves_the_notes_to_the_survivor,
    concurrent_notes_are_all_counted,
    the_feed_reports_each_note_change,
);
