//! Issue 18: duplicate candidates, for the account and for one customer.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    fn duplicates_path(&self, query: &str) -> String {
        format!("{}/duplicates?{query}", self.customers_path())
    }
}

/// `(reason, key, customer ids)` of each group on a page.
fn groups(page: &Value) -> Vec<(String, String, Vec<i64>)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let ids = g["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect();
            (
                g["reason"].as_str().unwrap().to_string(),
                g["key"].as_str().unwrap().to_string(),
                ids,
            )
        })
        .collect()
}

async fn duplicates_are_found_for_each_reason_and_paged(app: TestApp) {
    let id = |c: &Value| c["id"].as_i64().unwrap();
    let gmail_a = app
        .create_customer(
            json!({"first_name": "Jane", "emails": [{"email": "Jane.Doe+shop@gmail.com"}]}),
        )
        .await;
    let gmail_b = app
        .create_customer(
            json!({"first_name": "J", "emails": [{"email": "janedoe@googlemail.com"}]}),
        )
        .await;
    let phone_a = app
        .create_customer(json!({"first_name": "P1", "phones": [{"phone": "+1 (555) 010-0000"}]}))
        .await;
    let phone_b = app.create_customer(json!({"first_name": "P2"})).await;
    // A phone added later, by a PATCH, is noted too.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&phone_b["id"]),
            json!({"phones": [{"phone": "15550100000"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let lee_a = app
        .create_customer(
            json!({"first_name": "Ann", "last_name": "Lee", "emails": [{"email": "ann@acme.com"}]}),
        )
        .await;
    // Names compare ignoring case and accents.
    let lee_b = app.create_customer(json!({"first_name": "ANN", "last_name": "Lée", "emails": [{"email": "a.lee@acme.com"}]})).await;
    // The same name at a public email provider is no evidence.
    app.create_customer(
        json!({"first_name": "Bob", "last_name": "Roe", "emails": [{"email": "bob1@yahoo.com"}]}),
    )
    .await;
    app.create_customer(
        json!({"first_name": "Bob", "last_name": "Roe", "emails": [{"email": "bob2@yahoo.com"}]}),
    )
    .await;
    app.create_customer(json!({"first_name": "Alone", "emails": [{"email": "alone@acme.com"}]}))
        .await;

    let (status, page) = app.get_json(&app.duplicates_path("")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        groups(&page),
        [
            (
                "email".into(),
                "janedoe@gmail.com".into(),
                vec![id(&gmail_a), id(&gmail_b)]
            ),
            (
                "name_domain".into(),
                "acme.com|ann lee".into(),
                vec![id(&lee_a), id(&lee_b)]
            ),
            (
                "phone".into(),
                "15550100000".into(),
                vec![id(&phone_a), id(&phone_b)]
            ),
        ]
    );
    assert_eq!(page["data"][0]["score"], 0.9);
    assert_eq!(page["data"][0]["customer_count"], 2);
    assert!(page["data"][0]["customers"][0].get("stats").is_none());
    assert_eq!(page["meta"]["next_cursor"], Value::Null);

    // One group per page, by cursor, covers the same groups.
    let mut seen = Vec::new();
    let mut query = "limit=1".to_string();
    loop {
        let (status, page) = app.get_json(&app.duplicates_path(&query)).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(groups(&page));
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=1&cursor={cursor}"),
            None => break,
        }
        assert!(seen.len() <= 3, "{seen:?}");
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    let (_, phones) = app.get_json(&app.duplicates_path("reason=phone")).await;
    assert_eq!(groups(&phones).len(), 1);

    // For one customer: each candidate with its reasons and a score.
    let (status, candidates) = app
        .get_json(&format!("{}/duplicates", app.customer_path(&phone_a["id"])))
        .await;
    assert_eq!(status, 200, "{candidates}");
    assert_eq!(candidates["data"].as_array().unwrap().len(), 1);
    assert_eq!(candidates["data"][0]["customer"]["id"], phone_b["id"]);
    assert_eq!(candidates["data"][0]["reasons"], json!(["phone"]));
    assert_eq!(candidates["data"][0]["score"], 0.7);

    // A merged group is gone from the list; its old id redirects.
    let (status, _) = app
        .send_json(
            Method::POST,
            &format!("{}/merge", app.customer_path(&gmail_a["id"])),
            json!({"from": [gmail_b["id"]]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = app.get_json(&app.duplicates_path("")).await;
    assert_eq!(groups(&page).len(), 2, "{page}");
    let response = app
        .api(
            Method::GET,
            &format!("{}/duplicates", app.customer_path(&gmail_b["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);

    // A member that no longer holds its key drops out: a rename ends the name group.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&lee_b["id"]),
            json!({"last_name": "Smith"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = app.get_json(&app.duplicates_path("")).await;
    assert_eq!(groups(&page).len(), 1, "{page}");
    // A survivor takes its sources' places: merging one of a phone's holders into a third
    // customer leaves that customer and the other holder as the group.
    let third = app.create_customer(json!({"first_name": "Third"})).await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &format!("{}/merge", app.customer_path(&third["id"])),
            json!({"from": [phone_a["id"]]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = app.get_json(&app.duplicates_path("reason=phone")).await;
    assert_eq!(
        groups(&page),
        [(
            "phone".into(),
            "15550100000".into(),
            vec![id(&phone_b), id(&third)]
        )]
    );

    for (query, field) in [
        ("reason=nickname", "reason"),
        ("limit=0", "limit"),
        ("cursor=nope", "cursor"),
        ("sort=name", "sort"),
    ] {
        let (status, body) = app.get_json(&app.duplicates_path(query)).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
    let (status, _) = app
        .get_json(&format!("{}/999999/duplicates", app.customers_path()))
        .await;
    assert_eq!(status, 404);
}

both_backends!(duplicates_are_found_for_each_reason_and_paged);
