//! Issue 18: merging customers that are one person, with a preview, field rules, tombstones
//! that redirect, and concurrency that neither loses nor duplicates a conversation.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    fn merge_path(&self, target: &Value) -> String {
        format!("{}/merge", self.customer_path(target))
    }

    async fn merge(&self, target: &Value, body: Value) -> (u16, Value) {
        self.send_json(Method::POST, &self.merge_path(target), body)
            .await
    }

    /// Every conversation's customer id (`null` when it has none), by conversation id.
    async fn conversation_owners(&self) -> Vec<(i64, Value)> {
        let (_, body) = self
            .get_json(&format!("{}?per_page=100", self.conversations_path()))
            .await;
        let mut owners: Vec<(i64, Value)> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c["customer_id"].clone()))
            .collect();
        owners.sort_by_key(|(id, _)| *id);
        owners
    }
}

async fn a_merge_moves_everything_and_the_old_ids_redirect(app: TestApp) {
    let target = app
        .create_customer(
            json!({"first_name": "Jane", "emails": [{"email": "jane@example.org"}],
            "phones": [{"phone": "555 010 0000"}]}),
        )
        .await;
    let b = app
        .create_customer(json!({"first_name": "J.", "last_name": "Doe",
            "emails": [{"email": "jd@example.org"}], "phones": [{"phone": "(555) 010-0000"}],
            "websites": [{"website": "https://jane.example.org/"}]}))
        .await;
    let c = app
        .create_customer(json!({"first_name": "Janie", "external_ids": {"stripe": "cus_7"}}))
        .await;
    for (customer, status) in [
        (&target, "closed"),
        (&b, "posted"),
        (&b, "pending"),
        (&c, "draft"),
    ] {
        app.create_conversation(json!({"customer_id": customer["id"], "status": status}))
            .await;
    }
    let conversation = app
        .create_conversation(json!({"customer_id": b["id"]}))
        .await;
    let (status, request) = app
        .send_json(Method::POST, &app.account_path("customer_requests"),
            json!({"conversation_id": conversation["id"], "customer_id": b["id"], "body": "More colours"}))
        .await;
    assert_eq!(status, 201, "{request}");
    let owners_before = app.conversation_owners().await;

    // A preview shows the result and what moves, and writes nothing.
    let body = json!({"from": [b["id"], c["id"]], "preview": true});
    let (status, preview) = app.merge(&target["id"], body).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        (preview["preview"].as_bool(), preview["mergeable"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(preview["merged_ids"], json!([b["id"], c["id"]]));
    assert_eq!(
        preview["moved"],
        json!({"conversations": 4, "customer_requests": 1, "emails": 1, "phones": 0,
            "websites": 1, "external_ids": 1, "notes": 0, "duplicate_contacts": 1})
    );
    let shown = &preview["data"];
    assert_eq!(
        shown["name"], "Jane Doe",
        "the target's first name, the source's last name"
    );
    assert_eq!(shown["emails"].as_array().unwrap().len(), 2);
    assert_eq!(
        shown["phones"].as_array().unwrap().len(),
        1,
        "one phone, by digits"
    );
    assert_eq!(shown["external_ids"], json!({"stripe": "cus_7"}));
    assert_eq!(
        shown["stats"]["conversations"]["total"], 4,
        "drafts are not counted"
    );
    assert_eq!(app.customer_count().await, 3, "a preview writes nothing");
    assert_eq!(app.conversation_owners().await, owners_before);
    let (status, _) = app.get_json(&app.customer_path(&b["id"])).await;
    assert_eq!(status, 200);

    let (status, merged) = app
        .merge(&target["id"], json!({"from": [b["id"], c["id"]]}))
        .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["preview"], false);
    let mut expected = preview["data"].clone();
    let mut actual = merged["data"].clone();
    for view in [&mut expected, &mut actual] {
        view.as_object_mut().unwrap().remove("updated_at");
    }
    assert_eq!(actual, expected, "the merge is what the preview showed");
    let (_, after) = app.get_json(&app.customer_path(&target["id"])).await;
    assert_eq!(after["data"]["stats"]["conversations"]["total"], 4);
    assert_eq!(after["data"]["stats"]["conversations"]["posted"], 2);
    assert_eq!(app.customer_count().await, 1);
    let owners: Vec<Value> = app
        .conversation_owners()
        .await
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(owners.len(), owners_before.len(), "no conversation lost");
    assert!(owners.iter().all(|o| *o == target["id"]), "{owners:?}");
    let (_, moved_request) = app
        .get_json(&app.account_path(&format!("customer_requests/{}", request["data"]["id"])))
        .await;
    assert_eq!(moved_request["data"]["customer_id"], target["id"]);

    // The old ids redirect reads to the survivor; writes by them are refused.
    for old in [&b["id"], &c["id"]] {
        let response = app
            .api(Method::GET, &app.customer_path(old))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 308);
        assert_eq!(
            response.headers()["location"],
            app.customer_path(&target["id"]).as_str()
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["conflict"]["customer_id"], target["id"], "{body}");
        assert_eq!(
            body["conflict"]["location"],
            app.customer_path(&target["id"]).as_str()
        );
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &app.customer_path(old),
                json!({"first_name": "X"}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        assert!(
            body["message"].as_str().unwrap().contains("merged into"),
            "{body}"
        );
    }
    let (status, found) = app
        .get_json(&format!(
            "{}/lookup?email=jd@example.org",
            app.customers_path()
        ))
        .await;
    assert_eq!((status, &found["data"]["id"]), (200, &target["id"]));
    let (status, found) = app
        .get_json(&format!(
            "{}/lookup?external_id=cus_7",
            app.customers_path()
        ))
        .await;
    assert_eq!((status, &found["data"]["id"]), (200, &target["id"]));

    // The feed has one customer.merged event naming the merged ids, and none for the sources.
    // (PostgreSQL's feed shows an event once no older transaction can still commit before it:
    // other tests' transactions may hold it back for a moment.)
    let path = format!(
        "/api/v1/accounts/{}/events?types=customer.*&per_page=100",
        app.account_id
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let feed = loop {
        let (_, feed) = app.get_json(&path).await;
        let merged = feed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "customer.merged");
        if merged || std::time::Instant::now() > deadline {
            break feed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let types: Vec<&str> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.iter().filter(|t| **t == "customer.merged").count(),
        1,
        "{types:?}"
    );
    let event = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "customer.merged")
        .unwrap();
    assert_eq!(event["data"]["id"], target["id"]);
    assert_eq!(event["data"]["merged_ids"], json!([b["id"], c["id"]]));
    assert_eq!(event["data"]["customer"]["id"], target["id"]);
    assert!(!types.contains(&"customer.deleted"), "{types:?}");

    // Merging the survivor on keeps every old id one step from a live customer.
    let d = app.create_customer(json!({"first_name": "D"})).await;
    let (status, _) = app.merge(&d["id"], json!({"from": [target["id"]]})).await;
    assert_eq!(status, 200);
    for old in [&b["id"], &c["id"], &target["id"]] {
        let response = app
            .api(Method::GET, &app.customer_path(old))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["location"],
            app.customer_path(&d["id"]).as_str()
        );
    }
}

async fn field_rules_pick_each_value(app: TestApp) {
    let target = app
        .create_customer(json!({"first_name": "Target", "company": "Old Co"}))
        .await;
    let source = app
        .create_customer(json!({"first_name": "Source", "last_name": "Newer", "company": "New Co"}))
        .await;
    let preview = |rules: Value| {
        app.merge(
            &target["id"],
            json!({"from": [source["id"]], "preview": true, "rules": rules}),
        )
    };
    let (_, default) = preview(json!({})).await;
    assert_eq!(
        (
            &default["data"]["first_name"],
            &default["data"]["last_name"],
            &default["data"]["company"]
        ),
        (&json!("Target"), &json!("Newer"), &json!("Old Co")),
        "the target's values, its blanks filled"
    );
    let (_, picked) =
        preview(json!({"first_name": "source", "last_name": "target", "company": "newest"})).await;
    assert_eq!(
        (
            &picked["data"]["first_name"],
            &picked["data"]["last_name"],
            &picked["data"]["company"]
        ),
        (&json!("Source"), &Value::Null, &json!("New Co"))
    );
    assert_eq!(picked["data"]["name"], "Source");
}

async fn bad_merges_name_the_problem_and_write_nothing(app: TestApp) {
    let emails = |prefix: &str, n: usize| -> Value {
        (0..n)
            .map(|i| json!({"email": format!("{prefix}{i}@example.org")}))
            .collect()
    };
    let target = app
        .create_customer(
            json!({"first_name": "T", "emails": emails("t", 10), "external_ids": {"crm": "1"}}),
        )
        .await;
    let big = app
        .create_customer(json!({"first_name": "B", "emails": emails("b", 6)}))
        .await;
    let clash = app
        .create_customer(json!({"first_name": "C", "external_ids": {"crm": "2"}}))
        .await;
    let deleted = app.create_customer(json!({"first_name": "F"})).await;
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &app.customer_path(&deleted["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);

    for (target_id, body, status, field) in [
        (
            &target["id"],
            json!({"from": [target["id"]]}),
            422,
            "from.0",
        ),
        (
            &target["id"],
            json!({"from": [big["id"], 999_999]}),
            422,
            "from.1",
        ),
        (
            &target["id"],
            json!({"from": [deleted["id"]]}),
            422,
            "from.0",
        ),
        (&target["id"], json!({"from": []}), 422, "from"),
        (
            &target["id"],
            json!({"from": [big["id"]], "rules": {"emails": "source"}}),
            422,
            "rules.emails",
        ),
        (&target["id"], json!({"from": [big["id"]]}), 422, "emails"),
        (
            &target["id"],
            json!({"from": [clash["id"]]}),
            422,
            "external_ids.crm",
        ),
        (
            &json!(999_999),
            json!({"from": [big["id"]]}),
            404,
            "message",
        ),
    ] {
        let (got, answer) = app.merge(target_id, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        if field == "message" {
            assert!(answer["message"].is_string(), "{answer}");
        } else {
            assert!(answer["errors"][field].is_array(), "{body}: {answer}");
        }
    }
    let (_, over) = app.merge(&target["id"], json!({"from": [big["id"]]})).await;
    assert!(
        over["errors"]["emails"][0]
            .as_str()
            .unwrap()
            .contains("1 over the limit of 15"),
        "{over}"
    );
    // The preview shows the same problem first, as a 200.
    let (status, preview) = app
        .merge(&target["id"], json!({"from": [big["id"]], "preview": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(preview["mergeable"], false);
    assert!(preview["errors"]["emails"].is_array(), "{preview}");
    assert_eq!(app.customer_count().await, 3, "nothing written");
    let (_, after) = app.get_json(&app.customer_path(&big["id"])).await;
    assert_eq!(after["data"]["emails"].as_array().unwrap().len(), 6);

    // Another account's customer reads as missing.
    let other_account = app.create_account("Other");
    let (_, token) = app.create_member(other_account, supportdesk::domain::Role::Admin);
    let theirs: Value = app
        .anonymous(
            Method::POST,
            &format!("/api/v1/accounts/{other_account}/customers"),
        )
        .bearer_auth(&token)
        .json(&json!({"first_name": "Theirs"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, answer) = app
        .merge(&target["id"], json!({"from": [theirs["data"]["id"]]}))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        answer["errors"]["from.0"][0],
        "does not exist in this account"
    );
}

async fn twenty_concurrent_overlapping_merges_leave_each_conversation_one_live_customer(
    app: TestApp,
) {
    let mut ids = Vec::new();
    for i in 0..10 {
        let customer = app
            .create_customer(json!({"first_name": format!("C{i}"),
                "phones": [{"phone": "020 7946 0000"}], "emails": [{"email": format!("c{i}@example.org")}]}))
            .await;
        for _ in 0..2 {
            app.create_conversation(json!({"customer_id": customer["id"]}))
                .await;
        }
        ids.push(customer["id"].clone());
    }
    // Every merge overlaps others: each customer is a target of some and a source of others.
    let requests = (0..20).map(|i| {
        let target = &ids[i % 10];
        let from = json!([ids[(i + 1) % 10], ids[(i + 3) % 10]]);
        app.api(Method::POST, &app.merge_path(target))
            .json(&json!({ "from": from }))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 404, 422].contains(s)),
        "{statuses:?}"
    );

    let owners = app.conversation_owners().await;
    assert_eq!(owners.len(), 20, "no conversation lost or duplicated");
    let mut live: Vec<Value> = Vec::new();
    for (conversation, owner) in &owners {
        let (status, customer) = app.get_json(&app.customer_path(owner)).await;
        assert_eq!(
            status, 200,
            "conversation {conversation} has a live customer: {customer}"
        );
        if !live.contains(owner) {
            live.push(owner.clone());
        }
    }
    assert_eq!(app.customer_count().await, live.len() as i64, "{live:?}");
    let mut total = 0;
    for customer in &live {
        total += app.stats_of(customer).await["total"].as_i64().unwrap();
    }
    assert_eq!(total, 20, "stats add up");
    // Every old id redirects to a live customer.
    for id in &ids {
        if live.contains(id) {
            continue;
        }
        let response = app
            .api(Method::GET, &app.customer_path(id))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 308);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let (status, _) = app.get_json(&location).await;
        assert_eq!(status, 200, "{id} → {location}");
    }
}

both_backends!(
    a_merge_moves_everything_and_the_old_ids_redirect,
    field_rules_pick_each_value,
    bad_merges_name_the_problem_and_write_nothing,
    twenty_concurrent_overlapping_merges_leave_each_conversation_one_live_customer,
);
