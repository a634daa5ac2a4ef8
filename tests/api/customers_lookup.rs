//! Issue 18's first steps: exact lookup by email or phone, and a taken email that names the
//! customer holding it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    fn lookup_path(&self, query: &str) -> String {
        format!("{}/lookup?{query}", self.customers_path())
    }
}

async fn each_key_finds_the_customer_whatever_its_format(app: TestApp) {
    let jane = app
        .create_customer(
            json!({"first_name": "Jane", "emails": [{"email": "x@example.org"},
            {"email": "Jane.Doe@Example.org"}], "phones": [{"phone": "+1 (555) 010-0000"}]}),
        )
        .await;
    app.create_customer(
        json!({"first_name": "Other", "emails": [{"email": "o@example.org"}],
        "phones": [{"phone": "555 010 0001"}]}),
    )
    .await;
    let (_, by_id) = app.get_json(&app.customer_path(&jane["id"])).await;
    for query in [
        "email=jane.doe@example.org",
        "email=JANE.DOE%40EXAMPLE.ORG",
        "email=%20jane.doe@example.org%20",
        "phone=15550100000",
        "phone=%2B1%20(555)%20010-0000",
        "phone=1.555.010.0000",
    ] {
        let response = app
            .api(Method::GET, &app.lookup_path(query))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{query}");
        assert_eq!(
            response.headers()["content-location"],
            app.customer_path(&jane["id"]).as_str(),
            "{query}"
        );
        assert!(response.headers().contains_key("etag"), "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body, by_id,
            "{query}: the lookup answers what GET by id does"
        );
    }
    for query in [
        "email=nobody@example.org",
        "email=not-an-email",
        "phone=5550100000",
    ] {
        let (status, body) = app.get_json(&app.lookup_path(query)).await;
        assert_eq!(status, 404, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("No customer"),
            "{body}"
        );
    }
}

async fn a_shared_phone_finds_the_customer_that_added_it_first(app: TestApp) {
    let first = app
        .create_customer(json!({"first_name": "First", "phones": [{"phone": "020 7946 0000"}]}))
        .await;
    app.create_customer(json!({"first_name": "Second", "phones": [{"phone": "(020) 7946-0000"}]}))
        .await;
    let (status, body) = app.get_json(&app.lookup_path("phone=02079460000")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["id"], first["id"]);
}

async fn a_lookup_takes_exactly_one_known_key(app: TestApp) {
    for (query, field) in [
        ("", "email"),
        ("email=a@example.org&phone=123456", "phone"),
        ("emial=a@example.org", "emial"),
        ("email=a@example.org&sort=name", "sort"),
        ("phone=12", "phone"),
        ("phone=call%20me", "phone"),
    ] {
        let (status, body) = app.get_json(&app.lookup_path(query)).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
    // Credentials come first, and another account's customers read as missing.
    let response = app
        .anonymous(Method::GET, &app.lookup_path("email=a@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    app.create_customer(json!({"first_name": "Mine", "emails": [{"email": "mine@example.org"}]}))
        .await;
    let other = app.create_account("Other");
    let (_, other_token) = app.create_member(other, supportdesk::domain::Role::Agent);
    let response = app
        .anonymous(
            Method::GET,
            &format!("/api/v1/accounts/{other}/customers/lookup?email=mine@example.org"),
        )
        .bearer_auth(other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

async fn a_taken_email_names_the_customer_that_holds_it(app: TestApp) {
    let holder = app
        .create_customer(
            json!({"first_name": "Holder", "emails": [{"email": "taken@example.org"}]}),
        )
        .await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.customers_path(),
            json!({"first_name": "B", "emails": [{"email": "free@example.org"}, {"email": "TAKEN@example.org"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["emails.1.email"].is_array(), "{body}");
    assert_eq!(
        body["conflict"],
        json!({"customer_id": holder["id"]}),
        "{body}"
    );
    assert_eq!(app.customer_count().await, 1, "nothing written");

    let other = app
        .create_customer(json!({"first_name": "C", "emails": [{"email": "c@example.org"}]}))
        .await;
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&other["id"]),
            json!({"emails": [{"id": other["emails"][0]["id"], "email": "taken@example.org"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["emails.0.email"].is_array(), "{body}");
    assert_eq!(body["conflict"]["customer_id"], holder["id"], "{body}");
    let (_, after) = app.get_json(&app.customer_path(&other["id"])).await;
    assert_eq!(after["data"]["emails"][0]["email"], "c@example.org");

    // Other 422s carry no `conflict`.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.customers_path(),
            json!({"first_name": ""}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.get("conflict").is_none(), "{body}");
}

both_backends!(
    each_key_finds_the_customer_whatever_its_format,
    a_shared_phone_finds_the_customer_that_added_it_first,
    a_lookup_takes_exactly_one_known_key,
    a_taken_email_names_the_customer_that_holds_it,
);
