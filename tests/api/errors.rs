//! Every error is JSON with the right status, including actix's own (routing, methods, bodies).

use reqwest::Method;

use crate::both_backends;
use crate::helpers::*;

async fn an_unknown_route_is_a_json_404(app: TestApp) {
    let response = app
        .api(Method::GET, "/api/v1/nothing-here")
        .send()
        .await
        .unwrap();
    assert_json_error(response, 404).await;
}

async fn a_wrong_method_is_a_json_405(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app.api(Method::DELETE, &path).send().await.unwrap();
    // RFC 9110: a 405 names the methods the resource has (schemathesis found it missing).
    assert_eq!(response.headers()["allow"], "GET, HEAD, PATCH");
    assert_json_error(response, 405).await;
    let response = app
        .anonymous(Method::TRACE, "/health")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert_json_error(response, 405).await;
}

async fn malformed_json_is_a_json_400_and_changes_nothing(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .header("content-type", "application/json")
        .body(r#"{"name": "Renamed""#)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 400).await;
    let account: serde_json::Value = app
        .api(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["data"]["name"], "Test account");
}

async fn a_body_that_is_not_an_object_is_a_400(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    for body in ["[1,2]", "\"name\"", "null", "42"] {
        let response = app
            .api(Method::PATCH, &path)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_json_error(response, 400).await;
    }
}

async fn a_text_plain_body_is_a_json_415(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_json_error(response, 415).await;
}

async fn a_body_over_the_limit_is_a_json_413(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let response = app
        .api(Method::PATCH, &path)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 413).await;
}

async fn broken_form_encoding_is_a_json_400(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    for body in ["name[=x", "name=%FF", "name=a&name[x]=b"] {
        let response = app
            .api(Method::PATCH, &path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_json_error(response, 400).await;
    }
}

async fn a_wrong_type_is_a_422_naming_the_field(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .json(&serde_json::json!({"name": 12, "contact_form_enabled": "maybe"}))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(response, 422).await;
    assert!(body["errors"]["name"].is_array(), "{body}");
    assert!(body["errors"]["contact_form_enabled"].is_array(), "{body}");
}

both_backends!(
    an_unknown_route_is_a_json_404,
    a_wrong_method_is_a_json_405,
    malformed_json_is_a_json_400_and_changes_nothing,
    a_body_that_is_not_an_object_is_a_400,
    a_text_plain_body_is_a_json_415,
    a_body_over_the_limit_is_a_json_413,
    broken_form_encoding_is_a_json_400,
    a_wrong_type_is_a_422_naming_the_field
);

#[actix_web::test]
async fn the_body_limit_follows_max_body_bytes() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.max_body_bytes = 64)
        .await
        .unwrap();
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .json(&serde_json::json!({"name": "x".repeat(100)}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 413).await;
    // A body far over the limit is read to its end before the 413 goes out: a server that
    // answered mid-upload and closed would reset the connection, and the client lose the answer.
    for _ in 0..5 {
        let response = app
            .api(Method::PATCH, &path)
            .json(&serde_json::json!({"name": "x".repeat(4 << 20)}))
            .send()
            .await
            .expect("the 413 reaches a client still sending");
        assert_json_error(response, 413).await;
    }
    let response = app
        .api(Method::PATCH, &path)
        .json(&serde_json::json!({"name": "Small"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn nul_characters_are_refused_with_a_4xx_and_nothing_written(app: TestApp) {
    let path = format!("/api/v1/accounts/{}/customers", app.account_id);
    let response = app
        .api(Method::POST, &path)
        .json(
            &serde_json::json!({"first_name": "Ja\u{0}ne", "emails": [{"email": "a@example.org"}]}),
        )
        .send()
        .await
        .unwrap();
    let body = assert_json_error(response, 422).await;
    assert!(body["errors"]["first_name"].is_array(), "{body}");
    let response = app
        .api(Method::POST, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=Jane&company=A%00B")
        .send()
        .await
        .unwrap();
    assert!(assert_json_error(response, 422).await["errors"]["company"].is_array());
    for query in ["q=a%00b", "email=a%00@b.c", "phone=1%002", "page%00=1"] {
        let response = app
            .api(Method::GET, &format!("{path}?{query}"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 422).await;
    }
    let list: serde_json::Value = app
        .api(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0);
}

both_backends!(nul_characters_are_refused_with_a_4xx_and_nothing_written);

// Only what the server reads may not hold NUL: unknown fields are ignored, NUL or not, at the top
// and inside nested items, in JSON and in forms. Every text it stores refuses it with a 422 that
// names the field, never a 500 (PostgreSQL can't store it).
async fn nul_in_an_unknown_field_is_ignored_and_in_a_known_one_a_422(app: TestApp) {
    let (status, created) = app
        .send_json(
            Method::POST,
            &app.customers_path(),
            serde_json::json!({"first_name": "Jane", "note": "a\u{0}b", "x\u{0}": {"y": ["\u{0}"]},
                "emails": [{"email": "jane@example.org", "label": "\u{0}"}]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["emails"][0]["email"], "jane@example.org");
    let response = app
        .api(Method::POST, &app.customers_path())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=Joe&note=a%00b&x%00[y]=%00&emails[0][email]=joe@example.org&emails[0][z]=%00")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    for (path, body, field) in [
        (
            app.customers_path(),
            serde_json::json!({"first_name": "J", "emails": [{"email": "j\u{0}@example.org"}]}),
            "emails.0.email",
        ),
        (
            app.customers_path(),
            serde_json::json!({"first_name": "J", "phones": [{"phone": "123\u{0}456"}]}),
            "phones.0.phone",
        ),
        (
            app.account_path("companies"),
            serde_json::json!({"name": "ACME", "external_ids": ["ok", "a\u{0}b"]}),
            "external_ids.1",
        ),
        (
            app.account_path("companies"),
            serde_json::json!({"name": "ACME", "domains": ["acme\u{0}.com"]}),
            "domains.0",
        ),
        (
            app.account_path("companies/upsert"),
            serde_json::json!({"name": "ACME", "external_id": "a\u{0}b"}),
            "external_id",
        ),
        (
            app.account_path("conversations"),
            serde_json::json!({"customer_email": "jane@example.org",
                "interactions": [{"type": "customer", "body": "a\u{0}b"}]}),
            "interactions.0.body",
        ),
        (
            app.account_path("customer_tiers"),
            serde_json::json!({"name": "Gold", "color": "#fff\u{0}"}),
            "color",
        ),
    ] {
        let (status, body) = app.send_json(Method::POST, &path, body).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(
            body["errors"][field],
            serde_json::json!(["must not contain NUL characters"]),
            "{path}: {body}"
        );
    }
    let (_, companies) = app.get_json(&app.account_path("companies")).await;
    assert_eq!(companies["meta"]["total"], 0);
}

both_backends!(nul_in_an_unknown_field_is_ignored_and_in_a_known_one_a_422);

// A form key that can't be read (unbalanced brackets, deeper than 8 levels) is skipped when it
// breaks inside an unknown field, at the top or inside a nested item, and still a 400 where the
// document says what a key may be: a known field, a top-level name, an item's field name.
async fn unreadable_form_keys_of_unknown_fields_are_ignored(app: TestApp) {
    let deep = "[1][2][3][4][5][6][7][8][9]";
    let form = |body: String| {
        app.api(Method::POST, &app.customers_path())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let response = form(format!(
        "first_name=Jane&x{deep}=1&y[a]b]=1&z[a][b=1&emails[0][email]=jane@example.org\
         &emails[0][note]{deep}=1&emails[0][w][u]v]=1"
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["data"]["first_name"], "Jane");
    assert_eq!(created["data"]["emails"][0]["email"], "jane@example.org");

    for body in [
        format!("first_name{deep}=Jane"),
        "first_name[a=Jane".to_string(),
        format!("first_name=Jane&emails[0][email]{deep}=a@example.org"),
        "first_name=Jane&emails[0=a@example.org".to_string(),
        "first_name=Jane&z[a=1".to_string(),
        "first_name=Jane&emails[0][w]v]=1".to_string(),
    ] {
        let response = form(body.clone()).await.unwrap();
        let error = assert_json_error(response, 400).await;
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Malformed form body: form key")),
            "{body}: {error}"
        );
    }
    let (_, list) = app.get_json(&app.customers_path()).await;
    assert_eq!(list["meta"]["total"], 1);
}

both_backends!(unreadable_form_keys_of_unknown_fields_are_ignored);

// JSON Schema's integers include 3.0, so the API document's `integer` fields take it too;
// a fraction is still a 422.
async fn an_integer_field_takes_a_number_with_a_zero_fraction(app: TestApp) {
    let path = app.account_path("customer_tiers");
    let (status, tier) = app
        .send_json(
            Method::POST,
            &path,
            serde_json::json!({"name": "Gold", "position": 215.0}),
        )
        .await;
    assert_eq!(status, 201, "{tier}");
    assert_eq!(tier["data"]["position"], 215);
    let (status, body) = app
        .send_json(
            Method::POST,
            &path,
            serde_json::json!({"name": "Silver", "position": 2.5}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["position"].is_array(), "{body}");
}

both_backends!(an_integer_field_takes_a_number_with_a_zero_fraction);
