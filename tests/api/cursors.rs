//! Keyset paging (`cursor` / `meta.next_cursor`) on every list besides customers (see
//! customers_list.rs): walking the cursors yields the numbered list's rows, once each, in order.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

impl TestApp {
    /// Every id of `path`'s list, walking `meta.next_cursor` two rows at a time.
    async fn walk_cursors(&self, path: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, mut page) = self.get_json(&format!("{path}{sep}per_page=2")).await;
        assert_eq!(status, 200, "{page}");
        let mut seen = Vec::new();
        loop {
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|row| row["id"].clone()),
            );
            let Some(cursor) = page["meta"]["next_cursor"].as_str() else {
                break;
            };
            let (status, next) = self
                .get_json(&format!("{path}{sep}per_page=2&cursor={cursor}"))
                .await;
            assert_eq!(status, 200, "{next}");
            assert!(
                next["meta"].get("total").is_none(),
                "cursor pages count nothing"
            );
            assert_eq!(
                next["links"]["next"].is_string(),
                next["meta"]["next_cursor"].is_string()
            );
            page = next;
        }
        seen
    }

    /// `path`'s ids as one numbered page.
    async fn all_ids(&self, path: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (_, all) = self.get_json(&format!("{path}{sep}per_page=100")).await;
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["id"].clone())
            .collect()
    }
}

async fn conversations_page_by_cursor_in_every_sort(app: TestApp) {
    for i in 0..5 {
        app.create_conversation(json!({"customer_email": format!("c{i}@example.com")}))
            .await;
    }
    // Touch one so the update order differs from the creation order.
    let first = app
        .all_ids(&app.account_path("conversations?sort=created_at"))
        .await[0]
        .clone();
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.account_path(&format!("conversations/{first}")),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(status, 200);
    for sort in ["-created_at", "created_at", "updated_at", "-updated_at"] {
        let path = app.account_path(&format!("conversations?sort={sort}"));
        let expected = app.all_ids(&path).await;
        assert_eq!(expected.len(), 5);
        assert_eq!(app.walk_cursors(&path).await, expected, "sort {sort}");
    }
    // A cursor keeps to its filter's rows.
    let closed = app.account_path("conversations?status=closed");
    assert_eq!(app.walk_cursors(&closed).await, vec![first]);
}

async fn interactions_companies_and_requests_page_by_cursor(app: TestApp) {
    let conversation = app
        .create_conversation(json!({"customer_email": "buyer@acme.com"}))
        .await;
    let interactions = app.account_path(&format!(
        "conversations/{}/interactions",
        conversation["id"]
    ));
    for i in 0..5 {
        let (status, body) = app
            .send_json(
                Method::POST,
                &interactions,
                json!({"type": "note", "body": format!("note {i}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    for i in 0..5 {
        app.create_company(
            json!({"name": format!("Company {i}"), "domains": [format!("c{i}.example")]}),
        )
        .await;
        let (status, body) = app
            .send_json(
                Method::POST,
                &app.account_path("customer_requests"),
                json!({"conversation_id": conversation["id"], "body": format!("request {i}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    for path in [
        interactions,
        app.account_path("companies"),
        app.account_path("customer_requests"),
    ] {
        let expected = app.all_ids(&path).await;
        assert_eq!(expected.len(), 5, "{path}");
        assert_eq!(app.walk_cursors(&path).await, expected, "{path}");
    }
}

async fn a_cursor_of_another_list_or_sort_is_a_422(app: TestApp) {
    for i in 0..3 {
        app.create_conversation(json!({"customer_email": format!("c{i}@example.com")}))
            .await;
    }
    let (_, page) = app
        .get_json(&app.account_path("conversations?per_page=1"))
        .await;
    let by_created = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    let conversation = page["data"][0]["id"].clone();
    let (_, page) = app
        .get_json(&app.account_path("conversations?per_page=1&sort=updated_at"))
        .await;
    let by_updated = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    for path in [
        format!("conversations?sort=updated_at&cursor={by_created}"),
        format!("conversations/{conversation}/interactions?cursor={by_created}"),
        format!("companies?cursor={by_updated}"),
        "customer_requests?cursor=garbage".to_string(),
    ] {
        let (status, body) = app.get_json(&app.account_path(&path)).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["errors"]["cursor"].is_array(), "{path}: {body}");
    }
}

both_backends!(
    conversations_page_by_cursor_in_every_sort,
    interactions_companies_and_requests_page_by_cursor,
    a_cursor_of_another_list_or_sort_is_a_422
);
