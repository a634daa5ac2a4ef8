//! ETags, conditional GETs (If-None-Match → 304), conditional writes (If-Match → 412, or 428
//! with REQUIRE_IF_MATCH) and writes that change nothing (issue 16).

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::{both_backends, on_each_backend};

fn etag_of(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

impl TestApp {
    /// GET `path` as the admin: status, ETag (if any) and body.
    async fn tagged_get(&self, path: &str) -> (u16, Option<String>, Value) {
        let response = self.api(Method::GET, path).send().await.unwrap();
        let status = response.status().as_u16();
        let tag = response
            .headers()
            .get("etag")
            .map(|t| t.to_str().unwrap().to_string());
        (status, tag, response.json().await.unwrap_or(Value::Null))
    }

    /// `method` on `path` with `If-Match: if_match` and a JSON body: status, ETag, body.
    async fn conditional(
        &self,
        method: Method,
        path: &str,
        if_match: &str,
        body: Option<Value>,
    ) -> (u16, Option<String>, Value) {
        let mut request = self.api(method, path).header("If-Match", if_match);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let tag = response
            .headers()
            .get("etag")
            .map(|t| t.to_str().unwrap().to_string());
        (status, tag, response.json().await.unwrap_or(Value::Null))
    }
}

fn is_strong(tag: &str) -> bool {
    tag.len() > 2 && tag.starts_with('"') && tag.ends_with('"')
}

async fn every_single_object_carries_a_strong_etag_that_get_repeats(app: TestApp) {
    let customer = app
        .api(Method::POST, &app.customers_path())
        .json(&json!({"first_name": "Tagged", "emails": [{"email": "tagged@example.org"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(customer.status(), 201);
    let created_tag = etag_of(&customer);
    assert!(is_strong(&created_tag), "{created_tag}");
    let customer: Value = customer.json().await.unwrap();
    let path = app.customer_path(&customer["data"]["id"]);
    let (_, got, _) = app.tagged_get(&path).await;
    assert_eq!(
        got.as_deref(),
        Some(created_tag.as_str()),
        "create and GET agree"
    );
    let (_, again, _) = app.tagged_get(&path).await;
    assert_eq!(again, got, "the same object has the same tag");

    // A PATCH answers without stats (SPEC §4) but with the tag a GET then shows.
    let (status, patched_tag, body) = app
        .conditional(
            Method::PATCH,
            &path,
            "*",
            Some(json!({"last_name": "Once"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"].get("stats").is_none());
    let (_, after, _) = app.tagged_get(&path).await;
    assert_eq!(patched_tag, after);
    assert_ne!(after, got, "the tag follows the JSON");

    // Stats are part of the object: a new conversation changes the tag.
    app.create_conversation(json!({"customer_email": "tagged@example.org"}))
        .await;
    let (_, with_conversation, body) = app.tagged_get(&path).await;
    assert_eq!(body["data"]["stats"]["conversations"]["total"], 1);
    assert_ne!(with_conversation, after);

    // Every other single object is tagged too.
    let conversation = app
        .create_conversation(
            json!({"customer_email": "other@example.org", "subject": "Hi",
                                   "interactions": [{"type": "customer", "body": "Hello"}]}),
        )
        .await;
    let (_, tier) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_tiers"),
            json!({"name": "Gold"}),
        )
        .await;
    let (_, status_label) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_statuses"),
            json!({"name": "Active"}),
        )
        .await;
    let company = app.create_company(json!({"name": "Acme"})).await;
    let (_, request) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_requests"),
            json!({"conversation_id": conversation["id"], "body": "More"}),
        )
        .await;
    let (_, interactions) = app
        .get_json(&format!(
            "{}/interactions",
            app.conversation_path(&conversation["id"])
        ))
        .await;
    let singles = [
        format!("/api/v1/accounts/{}", app.account_id),
        app.conversation_path(&conversation["id"]),
        format!(
            "{}/interactions/{}",
            app.conversation_path(&conversation["id"]),
            interactions["data"][0]["id"]
        ),
        app.account_path(&format!("companies/{}", company["id"])),
        app.account_path(&format!("customer_tiers/{}", tier["data"]["id"])),
        app.account_path(&format!("customer_statuses/{}", status_label["data"]["id"])),
        app.account_path(&format!("customer_requests/{}", request["data"]["id"])),
    ];
    for path in singles {
        let (status, first, _) = app.tagged_get(&path).await;
        assert_eq!(status, 200, "{path}");
        let first = first.unwrap_or_else(|| panic!("{path} has no ETag"));
        assert!(is_strong(&first), "{path}: {first}");
        let (_, second, _) = app.tagged_get(&path).await;
        assert_eq!(second.as_deref(), Some(first.as_str()), "{path}");
    }
}

async fn if_none_match_answers_304_until_the_record_changes(app: TestApp) {
    let customer = app
        .create_customer(
            json!({"first_name": "Cached", "emails": [{"email": "cached@example.org"}]}),
        )
        .await;
    let path = app.customer_path(&customer["id"]);
    let (_, tag, _) = app.tagged_get(&path).await;
    let tag = tag.unwrap();
    for (header, expected) in [
        (tag.clone(), 304),
        (format!("W/{tag}"), 304),
        (format!("\"nope\", {tag}"), 304),
        ("*".to_string(), 304),
        ("\"nope\"".to_string(), 200),
    ] {
        let response = app
            .api(Method::GET, &path)
            .header("If-None-Match", &header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "If-None-Match: {header}");
        if expected == 304 {
            assert_eq!(etag_of(&response), tag);
            assert!(response.bytes().await.unwrap().is_empty());
        }
    }
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &path,
            &tag,
            Some(json!({"first_name": "Changed"})),
        )
        .await;
    assert_eq!(status, 200);
    let response = app
        .api(Method::GET, &path)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "changed since");

    // A list page has a weak tag, and answers 304 while the page is the same.
    let list = app.customers_path();
    let (_, list_tag, _) = app.tagged_get(&list).await;
    let list_tag = list_tag.unwrap();
    assert!(list_tag.starts_with("W/\""), "{list_tag}");
    let unchanged = app
        .api(Method::GET, &list)
        .header("If-None-Match", &list_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
    app.create_customer(json!({"first_name": "Newcomer"})).await;
    let changed = app
        .api(Method::GET, &list)
        .header("If-None-Match", &list_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    // A cursor page and the tiers list are tagged weakly too.
    let (_, first_page) = app.get_json(&format!("{list}?per_page=1")).await;
    let cursor = first_page["meta"]["next_cursor"].as_str().unwrap();
    for path in [
        format!("{list}?per_page=1&cursor={cursor}"),
        app.account_path("customer_tiers"),
    ] {
        let (_, tag, _) = app.tagged_get(&path).await;
        assert!(tag.unwrap().starts_with("W/"), "{path}");
    }
}

async fn a_stale_if_match_is_412_and_writes_nothing(app: TestApp) {
    let customer = app
        .create_customer(
            json!({"first_name": "Ann", "emails": [{"email": "ann@example.org"}],
                               "phones": [{"phone": "555 0100"}]}),
        )
        .await;
    let path = app.customer_path(&customer["id"]);
    let (_, read, _) = app.tagged_get(&path).await;
    let read = read.unwrap();
    let (status, current, _) = app
        .conditional(
            Method::PATCH,
            &path,
            &read,
            Some(json!({"first_name": "Anna"})),
        )
        .await;
    assert_eq!(status, 200);
    let current = current.unwrap();
    let (_, _, before) = app.tagged_get(&path).await;

    let stale_writes = [
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"first_name": "Lost"})),
        ),
        (
            Method::PUT,
            path.clone(),
            Some(json!({"first_name": "Lost"})),
        ),
        (Method::DELETE, path.clone(), None),
        (
            Method::DELETE,
            format!("{path}/phones/{}", customer["phones"][0]["id"]),
            None,
        ),
    ];
    for (method, target, body) in stale_writes {
        let (status, tag, error) = app.conditional(method.clone(), &target, &read, body).await;
        assert_eq!(status, 412, "{method} {target}: {error}");
        assert_eq!(error["etag"], current.as_str(), "{error}");
        assert_eq!(tag.as_deref(), Some(current.as_str()));
        assert!(error["message"].as_str().unwrap().contains("If-Match"));
    }
    let (_, after_tag, after) = app.tagged_get(&path).await;
    assert_eq!(after, before, "nothing was written");
    assert_eq!(after_tag.as_deref(), Some(current.as_str()));

    // A weak tag never matches an If-Match (strong comparison); `*` means "exists".
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &path,
            &format!("W/{current}"),
            Some(json!({"first_name": "Weak"})),
        )
        .await;
    assert_eq!(status, 412);
    let (status, _, _) = app
        .conditional(
            Method::DELETE,
            &format!("{path}/phones/{}", customer["phones"][0]["id"]),
            &current,
            None,
        )
        .await;
    assert_eq!(status, 204, "the current tag deletes a nested item");
    let (status, _, _) = app.conditional(Method::DELETE, &path, "*", None).await;
    assert_eq!(status, 204);
    let (status, _, _) = app.conditional(Method::DELETE, &path, "*", None).await;
    assert_eq!(status, 404, "If-Match: * on a missing record");

    // The other records honour If-Match too.
    let company = app.create_company(json!({"name": "Initech"})).await;
    let company_path = app.account_path(&format!("companies/{}", company["id"]));
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &company_path,
            "\"stale\"",
            Some(json!({"name": "Initrode"})),
        )
        .await;
    assert_eq!(status, 412);
    let (_, company_after) = app.get_json(&company_path).await;
    assert_eq!(company_after["data"]["name"], "Initech");
    let account = format!("/api/v1/accounts/{}", app.account_id);
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &account,
            "\"stale\"",
            Some(json!({"name": "X"})),
        )
        .await;
    assert_eq!(status, 412);
    let conversation = app
        .create_conversation(json!({"customer_email": "c@example.org",
                                   "interactions": [{"type": "customer", "body": "Hello"}]}))
        .await;
    let conversation_path = app.conversation_path(&conversation["id"]);
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &conversation_path,
            "\"stale\"",
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(status, 412);
    let (_, interactions) = app
        .get_json(&format!("{conversation_path}/interactions"))
        .await;
    let interaction = format!(
        "{conversation_path}/interactions/{}",
        interactions["data"][0]["id"]
    );
    let (status, _, _) = app
        .conditional(Method::DELETE, &interaction, "\"stale\"", None)
        .await;
    assert_eq!(status, 412);
    let (_, tag, _) = app.tagged_get(&interaction).await;
    let (status, _, _) = app
        .conditional(Method::DELETE, &interaction, &tag.unwrap(), None)
        .await;
    assert_eq!(status, 204);
}

async fn concurrent_patches_with_one_if_match_let_exactly_one_through(app: TestApp) {
    let customer = app
        .create_customer(json!({"first_name": "Contested"}))
        .await;
    let path = app.customer_path(&customer["id"]);
    let (_, tag, _) = app.tagged_get(&path).await;
    let tag = tag.unwrap();
    let writes = (0..20).map(|i| {
        app.api(Method::PATCH, &path)
            .header("If-Match", &tag)
            .json(&json!({"first_name": format!("Writer {i}")}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(writes)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        19,
        "{statuses:?}"
    );
}

async fn writes_that_change_nothing_leave_updated_at_and_the_etag(app: TestApp) {
    let customer = app
        .create_customer(json!({"first_name": "Still", "last_name": "Life",
                               "emails": [{"email": "still@example.org"}]}))
        .await;
    let email_id = &customer["emails"][0]["id"];
    let company = app
        .create_company(json!({"name": "Calm", "domains": ["calm.example"]}))
        .await;
    let conversation = app
        .create_conversation(json!({"customer_email": "still@example.org", "subject": "Quiet"}))
        .await;
    let (_, tier) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_tiers"),
            json!({"name": "Silver", "color": "#cccccc"}),
        )
        .await;
    let (_, request) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_requests"),
            json!({"conversation_id": conversation["id"], "body": "Same", "priority": 1}),
        )
        .await;
    let cases = [
        (
            Method::PATCH,
            app.customer_path(&customer["id"]),
            json!({"first_name": "Still", "emails": [{"id": email_id, "email": "still@example.org"}]}),
        ),
        (
            Method::PUT,
            app.customer_path(&customer["id"]),
            json!({"first_name": "Still", "last_name": "Life"}),
        ),
        (
            Method::PATCH,
            app.account_path(&format!("companies/{}", company["id"])),
            json!({"name": "Calm", "domains": ["calm.example"]}),
        ),
        (
            Method::PATCH,
            app.conversation_path(&conversation["id"]),
            json!({"subject": "Quiet", "status": conversation["status"]}),
        ),
        (
            Method::PATCH,
            app.account_path(&format!("customer_tiers/{}", tier["data"]["id"])),
            json!({"name": "Silver", "color": "#cccccc"}),
        ),
        (
            Method::PATCH,
            app.account_path(&format!("customer_requests/{}", request["data"]["id"])),
            json!({"body": "Same", "priority": 1}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/accounts/{}", app.account_id),
            json!({"name": "Test account"}),
        ),
    ];
    for (method, path, body) in cases {
        let (_, before_tag, before) = app.tagged_get(&path).await;
        // Timestamps have microseconds: a write now would move updated_at.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let (status, tag, answer) = app
            .conditional(method.clone(), &path, "*", Some(body))
            .await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        assert_eq!(tag, before_tag, "{method} {path}: the ETag stays");
        assert_eq!(
            answer["data"]["updated_at"], before["data"]["updated_at"],
            "{method} {path}"
        );
        let (_, after_tag, after) = app.tagged_get(&path).await;
        assert_eq!((after_tag, after), (before_tag, before), "{method} {path}");
    }
    // A real change still moves both.
    let path = app.customer_path(&customer["id"]);
    let (_, before_tag, _) = app.tagged_get(&path).await;
    let (_, tag, _) = app
        .conditional(
            Method::PATCH,
            &path,
            "*",
            Some(json!({"last_name": "Moved"})),
        )
        .await;
    assert_ne!(tag, before_tag);
}

async fn require_if_match_refuses_unconditional_writes_with_428(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |settings| settings.require_if_match = true).await
    else {
        return;
    };
    let customer = app.create_customer(json!({"first_name": "Guarded"})).await;
    let path = app.customer_path(&customer["id"]);
    for (method, body) in [
        (Method::PATCH, Some(json!({"first_name": "Unguarded"}))),
        (Method::PUT, Some(json!({"first_name": "Unguarded"}))),
        (Method::DELETE, None),
    ] {
        let mut request = app.api(method.clone(), &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let error = assert_json_error(response, 428).await;
        assert!(
            error["message"].as_str().unwrap().contains("If-Match"),
            "{method}"
        );
    }
    // Credentials are still checked first.
    let response = app
        .anonymous(Method::PATCH, &path)
        .bearer_auth("not-a-token")
        .json(&json!({"first_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (_, tag, body) = app.tagged_get(&path).await;
    assert_eq!(body["data"]["first_name"], "Guarded", "nothing was written");
    let (status, _, _) = app
        .conditional(
            Method::PATCH,
            &path,
            &tag.unwrap(),
            Some(json!({"first_name": "Guarded too"})),
        )
        .await;
    assert_eq!(status, 200);
}

both_backends!(
    every_single_object_carries_a_strong_etag_that_get_repeats,
    if_none_match_answers_304_until_the_record_changes,
    a_stale_if_match_is_412_and_writes_nothing,
    concurrent_patches_with_one_if_match_let_exactly_one_through,
    writes_that_change_nothing_leave_updated_at_and_the_etag,
);

on_each_backend!(require_if_match_refuses_unconditional_writes_with_428);
